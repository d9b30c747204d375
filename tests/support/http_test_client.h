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

// `compono serve ARGS` as a child process, its stderr collected.
struct ServeProcess {
  pid_t pid = -1;
  int errFd = -1;
  std::string err;
  std::string address;

  // Starts `compono serve ARGS` and waits up to `timeoutSeconds` for its
  // "serving ... on http://ADDR/" line.
  bool start(const std::vector<std::string>& args, int timeoutSeconds = 60) {
    int p[2];
    if (pipe(p) != 0) return false;
    pid = fork();
    if (pid == 0) {
      dup2(p[1], 2);
      close(p[0]);
      close(p[1]);
      std::vector<std::string> all = {componoBinary(), "serve"};
      all.insert(all.end(), args.begin(), args.end());
      std::vector<char*> argv;
      for (auto& a : all) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(argv[0], argv.data());
      _exit(127);
    }
    close(p[1]);
    errFd = p[0];
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeoutSeconds);
    while (std::chrono::steady_clock::now() < deadline) {
      char buf[512];
      ssize_t n = read(errFd, buf, sizeof buf);
      if (n <= 0) return false;
      err.append(buf, static_cast<size_t>(n));
      size_t at = err.find("on http://");
      if (at != std::string::npos) {
        size_t end = err.find('/', at + 10);
        if (end != std::string::npos) {
          address = err.substr(at + 10, end - at - 10);
          return true;
        }
      }
    }
    return false;
  }
  uint16_t port() const { return static_cast<uint16_t>(std::stoi(address.substr(address.rfind(':') + 1))); }
  // Waits for exit; returns the exit status (or 128 + signal).
  int wait() {
    char buf[4096];
    ssize_t n;
    while ((n = read(errFd, buf, sizeof buf)) > 0) err.append(buf, static_cast<size_t>(n));
    int status = 0;
    waitpid(pid, &status, 0);
    close(errFd);
    pid = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  ~ServeProcess() {
    if (pid > 0) {
      kill(pid, SIGKILL);
      waitpid(pid, nullptr, 0);
    }
  }
};

}  // namespace compono::test
