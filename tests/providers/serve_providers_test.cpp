// `compono serve` with the in-host capability providers: the kv-counter
// example served with --kv and --config (no manifest), queried over real
// HTTP on loopback, stopped and started again on the same SQLite file.
#include <gtest/gtest.h>
#include <signal.h>

#include <string>
#include <vector>

#include "support/test_support.h"

using namespace compono;

namespace {

std::string counterWasm() {
  return std::string(COMPONO_SOURCE_DIR) + "/examples/kv-counter/kv-counter.wasm";
}

std::vector<std::string> serveArgs(const std::string& db) {
  return {"serve", counterWasm(), "--listen", "127.0.0.1:0", "--tier", "interp", "--kv",
          "counter=" + db, "--config", "bucket=counter", "--config", "key=hits", "--config",
          "label=n"};
}

TEST(ServeProviders, TheCounterKeepsCountingAcrossRestarts) {
  test::TempDir dir;
  for (int run = 0; run < 2; ++run) {
    test::ComponoProcess serve;
    ASSERT_TRUE(serve.start(serveArgs(dir.file("data/counter.db")))) << serve.log();
    for (int i = 1; i <= 2; ++i) {
      EXPECT_EQ(test::curlGet("http://" + serve.address() + "/count"),
                "n: " + std::to_string(run * 2 + i) + "\n 200");
    }
    EXPECT_EQ(serve.stop(SIGTERM), 0) << serve.log();
    // The component's wasi:logging lines name it.
    EXPECT_NE(serve.log().find("kv-counter [request] counter/hits is now " +
                               std::to_string(run * 2 + 2)),
              std::string::npos)
        << serve.log();
  }
}

TEST(ServeProviders, WithoutTheFlagsNothingIsLinked) {
  test::RunResult r = test::runCompono({"serve", counterWasm(), "--listen", "127.0.0.1:0"});
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_NE(r.err.find("wasi:keyvalue/store@0.2.0-draft"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("wasi:config/store@0.2.0-draft"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("; --kv BUCKET=FILE grants wasi:keyvalue, --config KEY=VALUE grants "
                       "wasi:config\n"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(test::countLines(r.err), 1) << r.err;
  test::expectOneLineError(
      test::runCompono({"serve", counterWasm(), "--kv", "counter", "--listen", "127.0.0.1:0"}), 2,
      "--kv 'counter': expected BUCKET=FILE");
}

}  // namespace
