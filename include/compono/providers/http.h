// compono/providers/http.h — serving wasi:http/proxy components over HTTP/1.1.
//
// Three parts, bottom up:
//  - Request / Response: one HTTP exchange as plain values (whole bodies:
//    the server enforces size limits before a handler sees anything).
//  - Handler: answers one Request. ComponentHandler is the one that runs a
//    component exporting wasi:http/incoming-handler: it links the component
//    once (its imports resolved against wasi:http/types, wasi:io, the WASI
//    0.2 interfaces of the proxy world and whatever the caller added to
//    HandlerConfig::linker) and then gives every request a fresh, isolated
//    instance in its own engine::Store, with the per-request limits (fuel,
//    deadline, memory). A trap, an exhausted limit or a handler that never
//    sets its response answers 500; nothing of one request survives into
//    the next.
//  - Server: an HTTP/1.1 server (Boost.Beast on Asio) with keep-alive,
//    header (431) and body (413) size limits, a route table by path prefix,
//    a few worker threads, an access log line per request, and a graceful
//    stop (stop accepting, finish what is in flight, return).
//
// Outgoing requests (wasi:http/outgoing-handler) reach only the hosts of
// HandlerConfig::allowHosts; any other host gets error-code
// HTTP-request-denied without a connection being made.
//
// Thread safety: Handler::handle is called concurrently from the worker
// threads; ComponentHandler is safe for that. Server methods are thread
// safe. Ownership: Server and handlers are shared by shared_ptr; the
// engine::Engine passed to a ComponentHandler must outlive it.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "compono/component/component.h"
#include "compono/component/linker.h"
#include "compono/engine/store.h"
#include "compono/result.h"

namespace compono::providers::http {

// Header fields in order of arrival; names as received (compare them
// case-insensitively), values as bytes.
using Fields = std::vector<std::pair<std::string, std::string>>;

struct Request {
  std::string method;     // "GET", "POST", ... (as received)
  std::string target;     // the path with query, "/hello?x=1"
  std::string scheme = "http";
  std::string authority;  // the Host header ("" when absent)
  Fields headers;
  std::string body;
  std::string remote;     // the peer, "127.0.0.1:53422"
};

struct Response {
  uint16_t status = 500;
  Fields headers;
  std::string body;
};

// What one request cost; filled by the handler, printed in the access log.
struct RequestStats {
  std::string component;        // the handler's name ("" for other handlers)
  std::chrono::nanoseconds instantiate{0};  // fresh instance for this request
  std::chrono::nanoseconds run{0};          // the guest's handle() call
  uint64_t fuel = 0;            // instructions charged (when fuel or a deadline is set)
  std::string error;            // why the answer is a 500 (a trap, a limit, ...); "" if none
};

class Handler {
 public:
  virtual ~Handler() = default;
  // Answers one request. Must not throw; failures are 5xx Responses with
  // `stats.error` saying why.
  virtual Response handle(const Request& request, RequestStats& stats) const = 0;
};

struct HandlerConfig {
  // Name in the access log and in error messages (default: the component's).
  std::string name;
  // The component; must export wasi:http/incoming-handler@0.2.x.
  std::shared_ptr<const component::LoadedComponent> component;
  // Imports the caller provides besides wasi:http and WASI 0.2 (for
  // instance key-value or config providers). The handler copies it and adds
  // its own definitions (which replace the caller's of the same name).
  component::Linker linker;
  // Per-request limits: each request gets a new Store with these.
  engine::StoreLimits limits;
  // Outgoing requests: "HOST" (any port) or "HOST:PORT" entries; nothing
  // else is reachable.
  std::vector<std::string> allowHosts;
  // What the guest writes to wasi:cli stdout/stderr goes here, one call per
  // write, prefixed by nothing (default: the process's stderr).
  std::function<void(std::string_view bytes)> console;
};

class ComponentHandler final : public Handler {
 public:
  // Links the component (errors: kLink listing every import nothing
  // provides; kUsage when it does not export wasi:http/incoming-handler) and
  // instantiates it once to check that it starts.
  static Result<std::shared_ptr<ComponentHandler>> create(HandlerConfig config);
  ~ComponentHandler() override;

  Response handle(const Request& request, RequestStats& stats) const override;
  const std::string& name() const;

  // The interfaces every ComponentHandler provides besides HandlerConfig::
  // linker's, as link-time policy patterns ("wasi:http/types@0.2.*"): the
  // imports of the wasi:http/proxy world (wasi:http, wasi:io, wasi:clocks,
  // wasi:random, wasi:cli stdio and environment/exit).
  static const std::vector<std::string>& providedInterfaces();

  struct Impl;

 private:
  explicit ComponentHandler(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

struct Route {
  // "/" matches every path; "/api" matches "/api", "/api/..." and
  // "/api?..." but not "/apis". The longest matching prefix wins; no match
  // answers 404.
  std::string prefix;
  std::shared_ptr<const Handler> handler;
};

// One access log line's fields.
struct AccessLogEntry {
  std::string remote;
  std::string method;
  std::string target;
  uint16_t status = 0;
  uint64_t bytesIn = 0;   // request body
  uint64_t bytesOut = 0;  // response body
  std::chrono::nanoseconds total{0};
  RequestStats stats;
};
// `ts=... remote=... method=GET target="/" status=200 in=0 out=31
// total_us=812 inst_us=95 run_us=402 fuel=0 component=hello error="..."`
std::string formatAccessLog(const AccessLogEntry& entry);

struct ServerConfig {
  // HOST:PORT (IPv4, [IPv6] or a name); port 0 picks a free one (see port()).
  std::string listen = "127.0.0.1:8080";
  unsigned threads = 2;                  // worker threads (each runs requests)
  uint64_t maxHeaderBytes = 16 * 1024;   // request line + headers; above: 431
  uint64_t maxBodyBytes = 1 << 20;       // request body; above: 413
  std::chrono::milliseconds idleTimeout{30000};  // keep-alive connections
  // Called once per request from a worker thread (null: no log).
  std::function<void(const AccessLogEntry&)> accessLog;
  // Stop gracefully on SIGINT or SIGTERM (the signals are handled inside
  // the server's event loop while it runs).
  bool stopOnSignals = false;
};

class Server {
 public:
  // Binds the address (kIo with the reason when it cannot: in use,
  // permission, bad address) and starts the worker threads.
  static Result<std::unique_ptr<Server>> start(ServerConfig config, std::vector<Route> routes);
  ~Server();  // stop() and wait()

  // The bound address, e.g. "127.0.0.1:8080", and its port.
  std::string address() const;
  uint16_t port() const;

  // Graceful stop: no new connections; requests in flight are answered
  // (with `Connection: close`), idle connections closed. Returns at once.
  void stop();
  // Blocks until the server has stopped (after stop() or a signal).
  void wait();
  // Requests answered so far.
  uint64_t requestsServed() const;

  struct Impl;

 private:
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace compono::providers::http
