// examples/http-hello-js: the JavaScript wasi:http component (componentize-js,
// StarlingMonkey) built by the normal build, served by the real `compono serve`
// process on loopback and asked over real HTTP connections.
#include <signal.h>

#include <chrono>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "support/http_test_client.h"
#include "support/test_support.h"

namespace compono::test {
namespace {

namespace bhttp = boost::beast::http;

std::string jsComponent() { return std::string(COMPONO_EXAMPLES_DIR) + "/http-hello-js.wasm"; }

// One server for the whole suite: loading the 12 MiB component takes seconds.
class HttpHelloJs : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new ServeProcess;
    started_ = server_->start({jsComponent(), "--listen", "127.0.0.1:0", "--tier", "interp"}, 300);
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  void SetUp() override { ASSERT_TRUE(started_) << server_->err; }
  static uint16_t port() { return server_->port(); }

  static ServeProcess* server_;
  static bool started_;
};
ServeProcess* HttpHelloJs::server_ = nullptr;
bool HttpHelloJs::started_ = false;

TEST_F(HttpHelloJs, GetRunsTheJavaScriptHandler) {
  HttpClient c(port());
  auto t0 = std::chrono::steady_clock::now();
  auto res = c.send(bhttp::verb::get, "/greet/there?name=Ada", "", {{"x-greeting", "hi from the test"}});
  auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_EQ(res.result_int(), 200) << res.body();
  // Everything below is computed by hello.js from this request.
  EXPECT_EQ(res.body(),
            "hello from JavaScript, Ada\n"
            "method: GET\n"
            "path: /greet/there\n"
            "x-greeting: hi from the test\n"
            "requests handled by this instance: 1\n");
  EXPECT_EQ(res["x-handled-by"], "javascript");
  EXPECT_EQ(res["content-type"], "text/plain; charset=utf-8");
  RecordProperty("first_request_ms", static_cast<int>(ms));
}

TEST_F(HttpHelloJs, EveryRequestGetsAFreshInstance) {
  // Same keep-alive connection and a second connection: the JS global counter
  // starts from the snapshot each time.
  HttpClient c(port());
  for (int i = 0; i < 3; ++i) {
    auto res = c.get("/count");
    EXPECT_EQ(res.result_int(), 200);
    EXPECT_NE(res.body().find("requests handled by this instance: 1\n"), std::string::npos) << res.body();
  }
  HttpClient other(port());
  auto res = other.get("/count");
  EXPECT_NE(res.body().find("requests handled by this instance: 1\n"), std::string::npos) << res.body();
}

TEST_F(HttpHelloJs, PostBodyAndStatusComeFromJavaScript) {
  HttpClient c(port());
  auto post = c.send(bhttp::verb::post, "/echo", "some bytes for JS");
  EXPECT_EQ(post.result_int(), 200);
  EXPECT_NE(post.body().find("method: POST\n"), std::string::npos) << post.body();
  EXPECT_NE(post.body().find("body: some bytes for JS\n"), std::string::npos) << post.body();
  auto missing = c.get("/missing");
  EXPECT_EQ(missing.result_int(), 404);
  EXPECT_NE(missing.body().find("path: /missing\n"), std::string::npos) << missing.body();
}

TEST_F(HttpHelloJs, AnExceptionInJavaScriptIs500AndTheNextRequestWorks) {
  HttpClient c(port());
  auto thrown = c.get("/throw");
  EXPECT_EQ(thrown.result_int(), 500);
  EXPECT_EQ(thrown.body().find("hello from JavaScript"), std::string::npos) << thrown.body();
  HttpClient next(port());
  auto ok = next.get("/after");
  EXPECT_EQ(ok.result_int(), 200);
  EXPECT_NE(ok.body().find("path: /after\n"), std::string::npos) << ok.body();
}

// Last (gtest runs a suite's tests in order within one process; under ctest
// each test has its own process and server): SIGTERM stops the server cleanly
// and the access log names the request.
TEST_F(HttpHelloJs, SigtermStopsTheServerAfterItsRequests) {
  HttpClient c(port());
  EXPECT_EQ(c.get("/last").result_int(), 200);
  kill(server_->pid, SIGTERM);
  EXPECT_EQ(server_->wait(), 0) << server_->err;
  EXPECT_NE(server_->err.find("target=\"/last\" status=200"), std::string::npos) << server_->err;
  // Under a single gtest run the exception test came first: StarlingMonkey
  // printed the JS error to the component's stderr.
  if (server_->err.find("target=\"/throw\"") != std::string::npos) {
    EXPECT_NE(server_->err.find("thrown by hello.js"), std::string::npos) << server_->err;
  }
  started_ = false;
}

}  // namespace
}  // namespace compono::test
