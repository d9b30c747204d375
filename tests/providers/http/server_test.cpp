// wasi:http serving: the real Server on loopback, a real HTTP client (Beast),
// the real guest tests/guests/http/routes.c built into a component by
// `compono bindgen c` + clang + `compono componentize`.
#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <atomic>
#include <chrono>
#include <fstream>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>

#include "compono/component/component.h"
#include "compono/engine/engine.h"
#include "compono/providers/http.h"
#include "support/http_test_client.h"
#include "support/test_support.h"

namespace compono::providers::http {
namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using Res = bhttp::response<bhttp::string_body>;
using Clock = std::chrono::steady_clock;

std::string routesPath() { return std::string(COMPONO_GUEST_DIR) + "/http-routes.wasm"; }

using Client = test::HttpClient;
using test::ServeProcess;

// A server on 127.0.0.1:0 serving routes.wasm, with its access log kept.
class Served {
 public:
  // keepLog: keep every access log entry (off: only count them, for the
  // RSS measurement of the fault test).
  explicit Served(engine::StoreLimits limits = {}, std::vector<std::string> allowHosts = {},
                  ServerConfig sc = {}, bool keepLog = true) {
    auto comp = component::LoadedComponent::fromFile(engine_, routesPath());
    EXPECT_TRUE(comp.ok()) << comp.error().message;
    if (!comp.ok()) return;
    HandlerConfig hc;
    hc.component = *comp;
    hc.limits = limits;
    hc.allowHosts = std::move(allowHosts);
    auto h = ComponentHandler::create(std::move(hc));
    EXPECT_TRUE(h.ok()) << h.error().message;
    if (!h.ok()) return;
    handler_ = *h;
    sc.listen = "127.0.0.1:0";
    sc.accessLog = [this, keepLog](const AccessLogEntry& e) {
      std::lock_guard<std::mutex> lock(mu_);
      ++logged_;
      if (keepLog) log_.push_back(e);
    };
    auto s = Server::start(sc, {{"/", handler_}});
    EXPECT_TRUE(s.ok()) << s.error().message;
    if (s.ok()) server_ = std::move(*s);
  }
  bool ok() const { return server_ != nullptr; }
  uint16_t port() const { return server_->port(); }
  Server& server() { return *server_; }
  std::shared_ptr<ComponentHandler> handler() const { return handler_; }
  std::vector<AccessLogEntry> log() {
    std::lock_guard<std::mutex> lock(mu_);
    return log_;
  }
  size_t logged() {
    std::lock_guard<std::mutex> lock(mu_);
    return logged_;
  }

 private:
  engine::Engine engine_;
  std::shared_ptr<ComponentHandler> handler_;
  std::unique_ptr<Server> server_;
  std::mutex mu_;
  std::vector<AccessLogEntry> log_;
  size_t logged_ = 0;
};

TEST(HttpServer, HelloWithHeaders) {
  Served s;
  ASSERT_TRUE(s.ok());
  Client c(s.port());
  Res r = c.get("/");
  EXPECT_EQ(r.result_int(), 200);
  EXPECT_EQ(r.body(), "hello from routes\n");
  EXPECT_EQ(r[bhttp::field::content_type], "text/plain");
  EXPECT_EQ(r[bhttp::field::server], "compono");
  EXPECT_EQ(r[bhttp::field::content_length], "18");
  auto log = s.log();
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0].status, 200);
  EXPECT_EQ(log[0].target, "/");
  EXPECT_GT(log[0].stats.instantiate.count(), 0);
  std::string line = formatAccessLog(log[0]);
  EXPECT_NE(line.find("method=\"GET\" target=\"/\" status=200"), std::string::npos) << line;
  EXPECT_NE(line.find("inst_us="), std::string::npos) << line;
}

TEST(HttpServer, EchoesMethodPathAndBody) {
  Served s;
  ASSERT_TRUE(s.ok());
  Client c(s.port());
  std::string body(5000, 'b');
  body += "end";
  Res r = c.send(bhttp::verb::post, "/echo?q=1", body);
  EXPECT_EQ(r.result_int(), 200);
  EXPECT_EQ(r.body(), body);
  EXPECT_EQ(r["x-method"], "POST");
  EXPECT_EQ(r["x-path"], "/echo?q=1");
  Res put = c.send(bhttp::verb::put, "/echo", "");
  EXPECT_EQ(put["x-method"], "PUT");
  EXPECT_EQ(put.body(), "");
}

TEST(HttpServer, RequestHeadersAreImmutableAndFramingHeadersForbidden) {
  Served s;
  ASSERT_TRUE(s.ok());
  Client c(s.port());
  Res r = c.send(bhttp::verb::get, "/headers", "", {{"X-Test", "abc"}});
  EXPECT_EQ(r.result_int(), 200);
  EXPECT_EQ(r.body(), "immutable");
  EXPECT_EQ(r["x-seen"], "abc");  // names compare case-insensitively
  EXPECT_EQ(r["x-forbidden"], "refused");
  EXPECT_EQ(r.find(bhttp::field::transfer_encoding), r.end());
}

TEST(HttpServer, StatusAndLargeBody) {
  Served s;
  ASSERT_TRUE(s.ok());
  Client c(s.port());
  EXPECT_EQ(c.get("/status/204").result_int(), 204);
  EXPECT_EQ(c.get("/status/418").result_int(), 418);
  Res big = c.get("/big?300000");
  EXPECT_EQ(big.result_int(), 200);
  EXPECT_EQ(big.body(), std::string(300000, 'x'));
}

TEST(HttpServer, KeepAliveServesManyRequestsOnOneConnection) {
  Served s;
  ASSERT_TRUE(s.ok());
  Client c(s.port());
  for (int i = 0; i < 20; ++i) {
    Res r = c.get("/echo?i=" + std::to_string(i));
    ASSERT_EQ(r.result_int(), 200);
    EXPECT_TRUE(r.keep_alive());
    EXPECT_EQ(r["x-path"], "/echo?i=" + std::to_string(i));
  }
  auto log = s.log();
  ASSERT_EQ(log.size(), 20u);
  for (const AccessLogEntry& e : log) EXPECT_EQ(e.remote, log[0].remote);  // the same connection
}

TEST(HttpServer, BodyTooLargeIs413) {
  ServerConfig sc;
  sc.maxBodyBytes = 1024;
  Served s({}, {}, sc);
  ASSERT_TRUE(s.ok());
  {
    Client c(s.port());
    Res r = c.send(bhttp::verb::post, "/echo", std::string(1024, 'a'));
    EXPECT_EQ(r.result_int(), 200);  // exactly at the limit
  }
  Client c(s.port());
  Res r = c.send(bhttp::verb::post, "/echo", std::string(4096, 'a'));
  EXPECT_EQ(r.result_int(), 413);
  EXPECT_FALSE(r.keep_alive());
  // Chunked bodies are counted too.
  Client c2(s.port());
  Res chunked;
  std::string chunk(2000, 'c');
  char size[16];
  std::snprintf(size, sizeof size, "%zx", chunk.size());
  std::string raw = "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" +
                    std::string(size) + "\r\n" + chunk + "\r\n0\r\n\r\n";
  ASSERT_FALSE(c2.raw(raw, chunked));
  EXPECT_EQ(chunked.result_int(), 413);
}

TEST(HttpServer, HeadersTooLargeIs431) {
  ServerConfig sc;
  sc.maxHeaderBytes = 4096;
  Served s({}, {}, sc);
  ASSERT_TRUE(s.ok());
  Client c(s.port());
  Res r = c.send(bhttp::verb::get, "/", "", {{"x-big", std::string(8000, 'h')}});
  EXPECT_EQ(r.result_int(), 431);
  Client c2(s.port());
  EXPECT_EQ(c2.send(bhttp::verb::get, "/", "", {{"x-small", std::string(1000, 'h')}}).result_int(), 200);
}

TEST(HttpServer, TrapAnswers500AndTheNextRequestSucceeds) {
  Served s;
  ASSERT_TRUE(s.ok());
  Client c(s.port());
  Res t = c.get("/trap");
  EXPECT_EQ(t.result_int(), 500);
  Res ok = c.get("/");  // same connection, fresh instance
  EXPECT_EQ(ok.result_int(), 200);
  EXPECT_EQ(ok.body(), "hello from routes\n");
  auto log = s.log();
  ASSERT_EQ(log.size(), 2u);
  EXPECT_NE(log[0].stats.error.find("unreachable"), std::string::npos) << log[0].stats.error;
  EXPECT_EQ(log[1].stats.error, "");
}

TEST(HttpServer, HandlerThatSetsNoResponseIs500) {
  Served s;
  ASSERT_TRUE(s.ok());
  Client c(s.port());
  EXPECT_EQ(c.get("/silent").result_int(), 500);
  EXPECT_NE(s.log()[0].stats.error.find("without setting a response"), std::string::npos);
  EXPECT_EQ(c.get("/").result_int(), 200);
}

TEST(HttpServer, FuelLimitStopsARequest) {
  engine::StoreLimits limits;
  limits.fuel = 2'000'000;
  Served s(limits);
  ASSERT_TRUE(s.ok());
  Client c(s.port());
  EXPECT_EQ(c.get("/spin").result_int(), 500);
  EXPECT_EQ(c.get("/").result_int(), 200);  // a fresh budget
  auto log = s.log();
  ASSERT_EQ(log.size(), 2u);
  EXPECT_NE(log[0].stats.error.find("fuel"), std::string::npos) << log[0].stats.error;
  EXPECT_GT(log[1].stats.fuel, 0u);
  EXPECT_LT(log[1].stats.fuel, 2'000'000u);
}

TEST(HttpServer, DeadlineStopsARequest) {
  engine::StoreLimits limits;
  limits.timeout = std::chrono::milliseconds(300);
  Served s(limits);
  ASSERT_TRUE(s.ok());
  Client c(s.port());
  auto t0 = Clock::now();
  EXPECT_EQ(c.get("/spin").result_int(), 500);
  auto took = Clock::now() - t0;
  EXPECT_GE(took, std::chrono::milliseconds(250));
  EXPECT_LT(took, std::chrono::seconds(5));
  EXPECT_NE(s.log()[0].stats.error.find("deadline"), std::string::npos) << s.log()[0].stats.error;
  EXPECT_EQ(c.get("/").result_int(), 200);
}

TEST(HttpServer, OutgoingRequestToAHostNotGrantedIsDenied) {
  Served target;
  ASSERT_TRUE(target.ok());
  Served s;  // no --allow-host
  ASSERT_TRUE(s.ok());
  Client c(s.port());
  std::string auth = "127.0.0.1:" + std::to_string(target.port());
  Res r = c.get("/fetch/" + auth + "/");
  EXPECT_EQ(r.result_int(), 502);
  EXPECT_EQ(r.body(), "error-code 15");  // HTTP-request-denied
  EXPECT_TRUE(target.log().empty());     // no connection was made
}

TEST(HttpServer, OutgoingRequestToAGrantedHost) {
  Served target;
  ASSERT_TRUE(target.ok());
  std::string auth = "127.0.0.1:" + std::to_string(target.port());
  Served s({}, {auth});
  ASSERT_TRUE(s.ok());
  Client c(s.port());
  Res r = c.get("/fetch/" + auth + "/status/201");
  EXPECT_EQ(r.result_int(), 200);
  EXPECT_EQ(r.body(), "status 201: ");
  Res hello = c.get("/fetch/" + auth + "/");
  EXPECT_EQ(hello.body(), "status 200: hello from routes\n");
  EXPECT_EQ(target.log().size(), 2u);
  // Another port of the same host is not granted.
  Res other = c.get("/fetch/127.0.0.1:1/");
  EXPECT_EQ(other.body(), "error-code 15");
}

TEST(HttpServer, RoutesByLongestPrefix) {
  engine::Engine engine;
  auto comp = component::LoadedComponent::fromFile(engine, routesPath());
  ASSERT_TRUE(comp.ok()) << comp.error().message;
  HandlerConfig a, b;
  a.component = b.component = *comp;
  a.name = "api";
  b.name = "echo";
  auto ha = ComponentHandler::create(a);
  auto hb = ComponentHandler::create(b);
  ASSERT_TRUE(ha.ok() && hb.ok());
  std::mutex mu;
  std::vector<std::string> names;
  ServerConfig sc;
  sc.listen = "127.0.0.1:0";
  sc.accessLog = [&](const AccessLogEntry& e) {
    std::lock_guard<std::mutex> lock(mu);
    names.push_back(e.stats.component);
  };
  auto server = Server::start(sc, {{"/echo", *hb}, {"/api", *ha}});
  ASSERT_TRUE(server.ok()) << server.error().message;
  Client c((*server)->port());
  EXPECT_EQ(c.get("/api/x").result_int(), 200);
  EXPECT_EQ(c.get("/echo?z").result_int(), 200);
  EXPECT_EQ(c.get("/apix").result_int(), 404);  // not at a segment boundary
  EXPECT_EQ(c.get("/").result_int(), 404);
  std::lock_guard<std::mutex> lock(mu);
  EXPECT_EQ(names, (std::vector<std::string>{"api", "echo", "", ""}));
}

TEST(HttpServer, ComponentWithoutIncomingHandlerIsRefused) {
  engine::Engine engine;
  auto comp = component::LoadedComponent::fromFile(
      engine, test::sharedPath("fixtures/components/basic-c.wasm"));
  ASSERT_TRUE(comp.ok()) << comp.error().message;
  HandlerConfig hc;
  hc.component = *comp;
  auto h = ComponentHandler::create(hc);
  ASSERT_FALSE(h.ok());
  EXPECT_NE(h.error().message.find("does not export wasi:http/incoming-handler"), std::string::npos)
      << h.error().message;
}

TEST(HttpServer, ListenErrorsAreValues) {
  engine::Engine engine;
  auto comp = component::LoadedComponent::fromFile(engine, routesPath());
  ASSERT_TRUE(comp.ok());
  HandlerConfig hc;
  hc.component = *comp;
  auto h = ComponentHandler::create(hc);
  ASSERT_TRUE(h.ok());
  ServerConfig sc;
  sc.listen = "127.0.0.1:0";
  auto first = Server::start(sc, {{"/", *h}});
  ASSERT_TRUE(first.ok());
  sc.listen = (*first)->address();
  auto second = Server::start(sc, {{"/", *h}});
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code, ErrorCode::kIo);
  EXPECT_NE(second.error().message.find("cannot listen on"), std::string::npos);
  sc.listen = "no-port";
  EXPECT_FALSE(Server::start(sc, {{"/", *h}}).ok());
}

TEST(HttpServer, StopFinishesInFlightRequests) {
  Served s;
  ASSERT_TRUE(s.ok());
  Client idle(s.port());
  EXPECT_EQ(idle.get("/").result_int(), 200);
  Res slow;
  std::string failure;
  std::thread t([&] {
    try {
      Client c(s.port());
      slow = c.get("/sleep?400");
    } catch (const std::exception& e) {
      failure = e.what();
    }
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(150));
  s.server().stop();
  s.server().wait();
  t.join();
  EXPECT_EQ(failure, "");
  EXPECT_EQ(slow.result_int(), 200);
  EXPECT_EQ(slow.body(), "slept\n");
  EXPECT_FALSE(slow.keep_alive());
  EXPECT_TRUE(idle.closedByPeer());
}

// Resident set size of this process, in KiB.
long rssKiB() {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

// Issue 5's fault test: 10,000 requests, 1% of them trap; every other
// request succeeds and RSS grows by less than 10%.
TEST(HttpServer, TenThousandRequestsWithOnePercentTraps) {
  ServerConfig sc;
  sc.threads = 2;
  Served s({}, {}, sc, /*keepLog=*/false);
  ASSERT_TRUE(s.ok());
  constexpr int kClients = 4, kPerClient = 2500, kWarmup = 500;
  auto run = [&](int first, int count, std::atomic<int>& ok, std::atomic<int>& trapped,
                 std::atomic<int>& wrong) {
    try {
      Client c(s.port());
      for (int i = first; i < first + count; ++i) {
        bool trap = i % 100 == 37;
        Res r = c.get(trap ? "/trap" : "/echo?n=" + std::to_string(i));
        if (trap) {
          (r.result_int() == 500 ? trapped : wrong)++;
        } else if (r.result_int() == 200 && r["x-path"] == "/echo?n=" + std::to_string(i)) {
          ok++;
        } else {
          wrong++;
        }
      }
    } catch (const std::exception& e) {  // a dropped connection fails the counts below
      ADD_FAILURE() << "client: " << e.what();
      wrong++;
    }
  };
  std::atomic<int> ok{0}, trapped{0}, wrong{0};
  auto round = [&](int perClient) {
    std::vector<std::thread> clients;
    for (int k = 0; k < kClients; ++k) {
      clients.emplace_back([&, k] { run(k * perClient, perClient, ok, trapped, wrong); });
    }
    for (auto& t : clients) t.join();
  };
  // A warm-up round with the same client threads, so that malloc's
  // per-thread arenas, the workers' thread states and the server's buffers
  // exist before the first measurement.
  round(kWarmup / kClients);
  long before = rssKiB();
  ok = trapped = wrong = 0;
  auto t0 = Clock::now();
  round(kPerClient);
  long after = rssKiB();
  double secs = std::chrono::duration<double>(Clock::now() - t0).count();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_EQ(trapped.load(), kClients * kPerClient / 100);
  EXPECT_EQ(ok.load(), kClients * kPerClient - trapped.load());
  EXPECT_EQ(s.logged(), static_cast<size_t>(kWarmup + kClients * kPerClient));
  EXPECT_LT(after, before * 1.10) << "RSS grew from " << before << " KiB to " << after << " KiB";
  std::printf("10000 requests in %.2f s (%.0f req/s); RSS %ld KiB -> %ld KiB (%+.1f%%)\n", secs,
              10000 / secs, before, after, 100.0 * (after - before) / before);
}

// ---- the CLI: `compono serve` as a process ----------------------------------------------

TEST(ServeCli, SigtermFinishesInFlightThenExitsZero) {
  ServeProcess p;
  ASSERT_TRUE(p.start({routesPath(), "--listen", "127.0.0.1:0", "--tier", "interp"})) << p.err;
  Client c(p.port());
  EXPECT_EQ(c.get("/").result_int(), 200);
  Res slow;
  std::string failure;
  std::thread t([&] {
    try {
      Client s(p.port());
      slow = s.get("/sleep?500");
    } catch (const std::exception& e) {
      failure = e.what();
    }
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  kill(p.pid, SIGTERM);
  t.join();
  EXPECT_EQ(failure, "");
  EXPECT_EQ(slow.result_int(), 200);
  EXPECT_EQ(slow.body(), "slept\n");
  EXPECT_EQ(p.wait(), 0) << p.err;
  EXPECT_NE(p.err.find("target=\"/sleep?500\" status=200"), std::string::npos) << p.err;
  EXPECT_NE(p.err.find("stopped after 2 requests"), std::string::npos) << p.err;
}

TEST(ServeCli, BadInputIsOneLineAndNonZero) {
  auto notComponent = test::runCompono({"serve", test::guestPath("wasi_basics")});
  EXPECT_EQ(notComponent.exitCode, 1);
  EXPECT_NE(notComponent.err.find("not a readable component binary"), std::string::npos)
      << notComponent.err;
  auto notProxy = test::runCompono({"serve", test::sharedPath("fixtures/components/basic-c.wasm")});
  EXPECT_EQ(notProxy.exitCode, 1);
  EXPECT_NE(notProxy.err.find("does not export wasi:http/incoming-handler"), std::string::npos)
      << notProxy.err;
  auto badLimit = test::runCompono({"serve", routesPath(), "--max-body-bytes", "lots"});
  EXPECT_EQ(badLimit.exitCode, 2);
  EXPECT_NE(badLimit.err.find("--max-body-bytes 'lots'"), std::string::npos) << badLimit.err;
  auto help = test::runCompono({"serve", "--help"});
  EXPECT_EQ(help.exitCode, 0);
  EXPECT_NE(help.out.find("FRESH, ISOLATED instance"), std::string::npos);
}

}  // namespace
}  // namespace compono::providers::http
