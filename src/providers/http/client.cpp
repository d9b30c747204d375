// The outgoing side of wasi:http: one HTTP/1.1 request on Boost.Beast,
// sent as a whole and read as a whole, within a deadline. Plain http only.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "providers/http/http_internal.h"

namespace compono::providers::http::internal {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using component::Value;

namespace {

ClientResult failed(Value error) {
  ClientResult r;
  r.error = std::move(error);
  return r;
}

}  // namespace

ClientResult sendRequest(const OutgoingRequestObj& request, const RequestOptionsObj& options,
                         int64_t deadlineMs, uint64_t maxBodyBytes) {
  std::string scheme = request.scheme.value_or("http");
  if (!equalsIgnoreCase(scheme, "http")) {
    return failed(internalError("scheme " + scheme + " is not supported by the host (only http)"));
  }
  std::string authority = request.authority.value_or("");
  std::string host = authority;
  std::string port = "80";
  size_t colon = authority.rfind(':');
  size_t bracket = authority.rfind(']');
  if (colon != std::string::npos && (bracket == std::string::npos || colon > bracket)) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if (host.size() >= 2 && host.front() == '[') host = host.substr(1, host.size() - 2);

  // The whole exchange must fit in the request's deadline and the options'
  // timeouts (connect + first byte, as a bound on the total).
  std::chrono::milliseconds budget(deadlineMs < 0 ? 30000 : deadlineMs);
  if (options.connectTimeoutNs && options.firstByteTimeoutNs) {
    auto t = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::nanoseconds(*options.connectTimeoutNs + *options.firstByteTimeoutNs));
    budget = std::min(budget, t);
  }

  net::io_context ioc;
  tcp::resolver resolver(ioc);
  beast::tcp_stream stream(ioc);
  bhttp::request<bhttp::string_body> req;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(maxBodyBytes);
  beast::flat_buffer buffer;
  std::optional<ClientResult> outcome;
  bool connected = false;

  req.method_string(request.method);
  req.target(request.pathWithQuery.value_or("/"));
  req.version(11);
  req.set(bhttp::field::host, authority);
  for (const auto& [name, value] : request.headers) req.insert(name, value);
  req.set(bhttp::field::connection, "close");
  if (request.body) req.body() = request.body->data;
  req.prepare_payload();

  stream.expires_after(budget);
  resolver.async_resolve(host, port, [&](beast::error_code ec, tcp::resolver::results_type results) {
    if (ec) {
      outcome = failed(Value::variant(kDnsError, {Value::record({Value::some(Value::string(ec.message())), Value::none()})}));
      return;
    }
    stream.async_connect(results, [&](beast::error_code cec, const tcp::endpoint&) {
      if (cec) {
        outcome = failed(errorCode(cec == beast::error::timeout ? kConnectionTimeout : kConnectionRefused));
        return;
      }
      connected = true;
      bhttp::async_write(stream, req, [&](beast::error_code wec, size_t) {
        if (wec) {
          outcome = failed(internalError("sending the request: " + wec.message()));
          return;
        }
        bhttp::async_read(stream, buffer, parser, [&](beast::error_code rec, size_t) {
          if (rec == beast::error::timeout) {
            outcome = failed(errorCode(kHttpResponseTimeout));
          } else if (rec == bhttp::error::body_limit) {
            outcome = failed(Value::variant(kHttpResponseBodySize, {Value::none()}));
          } else if (rec) {
            outcome = failed(errorCode(kHttpResponseIncomplete));
          } else {
            auto res = parser.release();
            IncomingResponseObj r;
            r.status = static_cast<uint16_t>(res.result_int());
            for (const auto& f : res) {
              r.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
            }
            r.body = std::make_shared<const std::string>(std::move(res.body()));
            ClientResult ok;
            ok.response = std::move(r);
            outcome = std::move(ok);
          }
        });
      });
    });
  });
  ioc.run_for(budget + std::chrono::milliseconds(100));
  if (!outcome) {
    return failed(errorCode(connected ? kHttpResponseTimeout : kConnectionTimeout));
  }
  return std::move(*outcome);
}

}  // namespace compono::providers::http::internal
