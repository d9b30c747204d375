// HTTP test helpers shared by tests/providers/http and tests/examples: a
// keep-alive HTTP/1.1 client on loopback (Boost.Beast) and `compono serve`
// run as a real process. Header-only: only the test executables that link
// Boost include it.
#pragma once

#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "support/test_support.h"

namespace compono::test {

// One keep-alive connection to 127.0.0.1:port.
class HttpClient {
 public:
  using Res = boost::beast::http::response<boost::beast::http::string_body>;

  explicit HttpClient(uint16_t port) : socket_(ioc_) {
    socket_.connect(boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port));
    timeval tv{20, 0};  // a server that never answers fails the test instead of hanging it
    setsockopt(socket_.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  Res send(boost::beast::http::verb method, const std::string& target, const std::string& body = "",
           std::vector<std::pair<std::string, std::string>> headers = {}) {
    boost::beast::http::request<boost::beast::http::string_body> req(method, target, 11);
    req.set(boost::beast::http::field::host, "127.0.0.1");
    for (auto& [k, v] : headers) req.set(k, v);
    req.body() = body;
    req.prepare_payload();
    boost::beast::http::write(socket_, req);
    Res res;
    boost::beast::http::read(socket_, buffer_, res);
    return res;
  }
  Res get(const std::string& target) { return send(boost::beast::http::verb::get, target); }
  // Writes raw bytes and reads one response (or fails).
  boost::beast::error_code raw(const std::string& bytes, Res& res) {
    boost::beast::error_code ec;
    boost::asio::write(socket_, boost::asio::buffer(bytes), ec);
    if (ec) return ec;
    boost::beast::http::read(socket_, buffer_, res, ec);
    return ec;
  }
  bool closedByPeer() {
    char c;
    boost::beast::error_code ec;
    socket_.read_some(boost::asio::buffer(&c, 1), ec);
    return ec == boost::asio::error::eof || ec == boost::asio::error::connection_reset;
  }

 private:
  boost::asio::io_context ioc_;
  boost::asio::ip::tcp::socket socket_;
  boost::beast::flat_buffer buffer_;
};

// `compono serve ARGS` as a child process (a ComponoProcess): `pid`,
// `address` and `err` (its stderr) are set by start() and, `err`, by wait().
struct ServeProcess {
  int pid = -1;
  std::string err;
  std::string address;

  // Starts `compono serve ARGS` and waits up to `timeoutSeconds` for its
  // "serving ... on http://ADDR/" line.
  bool start(const std::vector<std::string>& args, int timeoutSeconds = 60) {
    std::vector<std::string> all = {"serve"};
    all.insert(all.end(), args.begin(), args.end());
    bool ok = process_.start(all, timeoutSeconds);
    pid = process_.pid();
    address = process_.address();
    err = process_.log();
    return ok;
  }
  uint16_t port() const { return process_.port(); }
  // Waits for exit; returns the exit status (or 128 + signal; -1 after 60 s).
  int wait() {
    int status = process_.wait();
    err = process_.log();
    pid = -1;
    return status;
  }

 private:
  ComponoProcess process_;
};

}  // namespace compono::test
