// Server: HTTP/1.1 on Boost.Beast and Asio.
//
// One io_context run by `threads` worker threads; each connection lives on
// its own strand. A complete request is handled synchronously on the
// worker thread that read it (a guest call is CPU work: N workers run at
// most N guests at once, while the other workers keep accepting and
// reading). Limits are Beast parser limits: header_limit (431) and
// body_limit (413, also for a Content-Length announced beyond it).
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <list>
#include <mutex>
#include <thread>

#include "compono/providers/http.h"
#include "providers/http/http_internal.h"

namespace compono::providers::http {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

std::string quoted(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned char>(c));
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

// Does `prefix` match `target` at a path-segment boundary?
bool prefixMatches(std::string_view prefix, std::string_view target) {
  if (target.substr(0, prefix.size()) != prefix) return false;
  if (prefix.empty() || prefix.back() == '/' || target.size() == prefix.size()) return true;
  char next = target[prefix.size()];
  return next == '/' || next == '?';
}

}  // namespace

std::string formatAccessLog(const AccessLogEntry& e) {
  using std::chrono::duration_cast;
  using std::chrono::microseconds;
  auto now = std::chrono::system_clock::now();
  std::time_t t = std::chrono::system_clock::to_time_t(now);
  auto ms = duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char ts[40];
  std::snprintf(ts, sizeof ts, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
  std::string line = std::string("ts=") + ts + " remote=" + e.remote + " method=" +
                     quoted(e.method) + " target=" + quoted(e.target) +
                     " status=" + std::to_string(e.status) + " in=" + std::to_string(e.bytesIn) +
                     " out=" + std::to_string(e.bytesOut) +
                     " total_us=" + std::to_string(duration_cast<microseconds>(e.total).count());
  if (!e.stats.component.empty()) {
    line += " inst_us=" + std::to_string(duration_cast<microseconds>(e.stats.instantiate).count()) +
            " run_us=" + std::to_string(duration_cast<microseconds>(e.stats.run).count()) +
            " fuel=" + std::to_string(e.stats.fuel) + " component=" + quoted(e.stats.component);
  }
  if (!e.stats.error.empty()) line += " error=" + quoted(e.stats.error);
  return line;
}

class Session;

struct Server::Impl {
  ServerConfig config;
  std::vector<Route> routes;  // longest prefix first
  net::io_context ioc;
  tcp::acceptor acceptor{ioc};
  net::signal_set signals{ioc};
  std::vector<std::thread> threads;
  std::atomic<bool> stopping{false};
  std::atomic<uint64_t> served{0};
  std::mutex sessionsMu;
  std::list<std::weak_ptr<Session>> sessions;
  std::mutex waitMu;
  bool joined = false;

  void accept();
  void stop();
  const Route* route(std::string_view target) const {
    for (const Route& r : routes) {
      if (prefixMatches(r.prefix, target)) return &r;
    }
    return nullptr;
  }
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, Server::Impl& server)
      : stream_(std::move(socket)), server_(server) {
    beast::error_code ec;
    tcp::endpoint ep = stream_.socket().remote_endpoint(ec);
    if (!ec) {
      remote_ = ep.address().is_v6() ? "[" + ep.address().to_string() + "]" : ep.address().to_string();
      remote_ += ":" + std::to_string(ep.port());
    }
  }

  void start() {
    {
      std::lock_guard<std::mutex> lock(server_.sessionsMu);
      self_ = server_.sessions.insert(server_.sessions.end(), weak_from_this());
    }
    net::dispatch(stream_.get_executor(), beast::bind_front_handler(&Session::read, shared_from_this()));
  }

  ~Session() {
    std::lock_guard<std::mutex> lock(server_.sessionsMu);
    server_.sessions.erase(self_);
  }

  // Graceful stop: an idle connection closes now; a busy one, or one whose
  // next request has already arrived (bytes buffered or waiting in the
  // socket), after its response.
  void stopIfIdle() {
    net::post(stream_.get_executor(), [self = shared_from_this()] {
      beast::error_code ec;
      size_t waiting = self->stream_.socket().available(ec);
      if (!self->busy_ && self->buffer_.size() == 0 && (ec || waiting == 0)) self->close();
    });
  }

 private:
  void read() {
    if (server_.stopping) return close();
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(
        std::min<uint64_t>(server_.config.maxHeaderBytes, UINT32_MAX)));
    parser_->body_limit(server_.config.maxBodyBytes);
    stream_.expires_after(server_.config.idleTimeout);
    bhttp::async_read(stream_, buffer_, *parser_,
                      beast::bind_front_handler(&Session::onRead, shared_from_this()));
  }

  void onRead(beast::error_code ec, size_t) {
    if (ec == bhttp::error::header_limit) {
      return reject(bhttp::status::request_header_fields_too_large,
                    "431 Request Header Fields Too Large: the request line and headers exceed " +
                        std::to_string(server_.config.maxHeaderBytes) + " bytes");
    }
    if (ec == bhttp::error::body_limit) {
      return reject(bhttp::status::payload_too_large,
                    "413 Content Too Large: the request body exceeds " +
                        std::to_string(server_.config.maxBodyBytes) + " bytes");
    }
    if (ec) {
      // A malformed request that got as far as a request line gets a 400;
      // a closed, idle or timed-out connection just closes.
      bool parsing = buffer_.size() > 0 || parser_->got_some();
      if (parsing && ec != bhttp::error::end_of_stream && ec != net::error::operation_aborted &&
          ec != beast::error::timeout && ec != net::error::connection_reset &&
          ec != net::error::eof) {
        return reject(bhttp::status::bad_request, "400 Bad Request: " + ec.message());
      }
      return close();
    }
    busy_ = true;
    bhttp::request<bhttp::string_body> req = parser_->release();
    Clock::time_point t0 = Clock::now();

    Request request;
    request.method = std::string(req.method_string());
    request.target = std::string(req.target());
    request.authority = std::string(req[bhttp::field::host]);
    for (const auto& f : req) {
      request.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
    }
    request.body = std::move(req.body());
    request.remote = remote_;

    AccessLogEntry entry;
    Response response;
    if (const Route* r = server_.route(request.target)) {
      response = r->handler->handle(request, entry.stats);
    } else {
      response.status = 404;
      response.headers.emplace_back("content-type", "text/plain; charset=utf-8");
      response.body = "404 Not Found: no route matches " + request.target + "\n";
    }

    auto res = std::make_shared<bhttp::response<bhttp::string_body>>(
        static_cast<bhttp::status>(response.status), req.version());
    for (auto& [name, value] : response.headers) {
      if (internal::forbiddenField(name) || internal::equalsIgnoreCase(name, "content-length")) {
        continue;
      }
      res->insert(name, value);
    }
    if (res->find(bhttp::field::server) == res->end()) res->set(bhttp::field::server, "compono");
    bool keepAlive = req.keep_alive() && !server_.stopping;
    res->keep_alive(keepAlive);
    bool head = req.method() == bhttp::verb::head;
    size_t bodySize = response.body.size();
    res->body() = head ? std::string() : std::move(response.body);
    res->prepare_payload();
    if (head) res->content_length(bodySize);

    entry.remote = remote_;
    entry.method = std::move(request.method);
    entry.target = std::move(request.target);
    entry.status = response.status;
    entry.bytesIn = request.body.size();
    entry.bytesOut = head ? 0 : bodySize;
    entry.total = Clock::now() - t0;
    server_.served.fetch_add(1, std::memory_order_relaxed);
    if (server_.config.accessLog) server_.config.accessLog(entry);

    stream_.expires_after(std::chrono::seconds(30));
    bhttp::async_write(stream_, *res,
                       [self = shared_from_this(), res, keepAlive](beast::error_code wec, size_t) {
                         self->busy_ = false;
                         if (wec || !keepAlive || self->server_.stopping) return self->close();
                         self->read();
                       });
  }

  // Answers an error the request itself caused, then closes the connection
  // (after reading what the client still sends, so that it sees the answer).
  void reject(bhttp::status status, std::string text) {
    busy_ = true;
    auto res = std::make_shared<bhttp::response<bhttp::string_body>>(status, 11);
    res->set(bhttp::field::server, "compono");
    res->set(bhttp::field::content_type, "text/plain; charset=utf-8");
    res->keep_alive(false);
    res->body() = std::move(text) + "\n";
    res->prepare_payload();
    AccessLogEntry entry;
    entry.remote = remote_;
    if (parser_ && parser_->is_header_done()) {
      entry.method = std::string(parser_->get().method_string());
      entry.target = std::string(parser_->get().target());
    }
    entry.status = static_cast<uint16_t>(status);
    entry.bytesOut = res->body().size();
    entry.stats.error = res->body().substr(0, res->body().size() - 1);
    server_.served.fetch_add(1, std::memory_order_relaxed);
    if (server_.config.accessLog) server_.config.accessLog(entry);
    stream_.expires_after(std::chrono::seconds(5));
    bhttp::async_write(stream_, *res, [self = shared_from_this(), res](beast::error_code ec, size_t) {
      self->busy_ = false;
      if (ec) return self->close();
      beast::error_code ignored;
      self->stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
      self->drain();
    });
  }

  void drain() {
    stream_.expires_after(std::chrono::seconds(1));
    stream_.async_read_some(net::buffer(drainBuf_),
                            [self = shared_from_this()](beast::error_code ec, size_t) {
                              if (ec) return self->close();
                              self->drain();
                            });
  }

  void close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.socket().close(ec);
  }

  beast::tcp_stream stream_;
  Server::Impl& server_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::string remote_;
  bool busy_ = false;
  char drainBuf_[4096];
  std::list<std::weak_ptr<Session>>::iterator self_;
};

void Server::Impl::accept() {
  acceptor.async_accept(net::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
    if (stopping || !acceptor.is_open()) return;
    if (!ec) std::make_shared<Session>(std::move(socket), *this)->start();
    accept();
  });
}

void Server::Impl::stop() {
  if (stopping.exchange(true)) return;
  net::post(ioc, [this] {
    beast::error_code ec;
    acceptor.close(ec);
    signals.cancel(ec);
    std::vector<std::shared_ptr<Session>> live;
    {
      std::lock_guard<std::mutex> lock(sessionsMu);
      for (auto& w : sessions) {
        if (auto s = w.lock()) live.push_back(std::move(s));
      }
    }
    for (auto& s : live) s->stopIfIdle();
  });
}

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Server::~Server() {
  stop();
  wait();
}

Result<std::unique_ptr<Server>> Server::start(ServerConfig config, std::vector<Route> routes) {
  auto impl = std::make_unique<Impl>();
  for (const Route& r : routes) {
    if (!r.handler) return Error(ErrorCode::kUsage, "route " + r.prefix + ": no handler");
    if (r.prefix.empty() || r.prefix[0] != '/') {
      return Error(ErrorCode::kUsage, "route '" + r.prefix + "': a prefix starts with '/'");
    }
  }
  std::stable_sort(routes.begin(), routes.end(),
                   [](const Route& a, const Route& b) { return a.prefix.size() > b.prefix.size(); });
  impl->routes = std::move(routes);
  if (config.threads == 0) config.threads = 1;

  const std::string& listen = config.listen;
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon + 1 == listen.size()) {
    return Error(ErrorCode::kUsage, "--listen '" + listen + "': expected HOST:PORT (e.g. 127.0.0.1:8080)");
  }
  std::string host = listen.substr(0, colon);
  std::string port = listen.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host.empty()) host = "0.0.0.0";

  beast::error_code ec;
  tcp::resolver resolver(impl->ioc);
  auto results = resolver.resolve(host, port, tcp::resolver::passive | tcp::resolver::numeric_service, ec);
  if (ec || results.empty()) {
    return Error(ErrorCode::kIo, "cannot listen on " + listen + ": " +
                                     (ec ? ec.message() : std::string("no address")));
  }
  tcp::endpoint ep = results.begin()->endpoint();
  auto fail = [&](const char* what) {
    return Error(ErrorCode::kIo, "cannot listen on " + listen + ": " + what + ": " + ec.message());
  };
  impl->acceptor.open(ep.protocol(), ec);
  if (ec) return fail("open");
  impl->acceptor.set_option(net::socket_base::reuse_address(true), ec);
  impl->acceptor.bind(ep, ec);
  if (ec) return fail("bind");
  impl->acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) return fail("listen");

  impl->config = std::move(config);
  Impl* im = impl.get();
  if (im->config.stopOnSignals) {
    im->signals.add(SIGINT);
    im->signals.add(SIGTERM);
    im->signals.async_wait([im](beast::error_code sec, int) {
      if (!sec) im->stop();
    });
  }
  im->accept();
  for (unsigned i = 0; i < im->config.threads; ++i) {
    im->threads.emplace_back([im] { im->ioc.run(); });
  }
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

std::string Server::address() const {
  beast::error_code ec;
  tcp::endpoint ep = impl_->acceptor.local_endpoint(ec);
  if (ec) return impl_->config.listen;
  std::string a = ep.address().to_string();
  if (ep.address().is_v6()) a = "[" + a + "]";
  return a + ":" + std::to_string(ep.port());
}

uint16_t Server::port() const {
  beast::error_code ec;
  tcp::endpoint ep = impl_->acceptor.local_endpoint(ec);
  return ec ? 0 : ep.port();
}

void Server::stop() { impl_->stop(); }

void Server::wait() {
  std::lock_guard<std::mutex> lock(impl_->waitMu);
  if (impl_->joined) return;
  for (std::thread& t : impl_->threads) t.join();
  impl_->joined = true;
}

uint64_t Server::requestsServed() const { return impl_->served.load(); }

}  // namespace compono::providers::http
