// `compono up` end to end: the real binary, a manifest on disk, the
// kv-counter example served over real HTTP on loopback and queried with a
// real client (curl), stopped with SIGINT and started again on the same
// files; and `compono up --check` refusing bad manifests and deployments
// with one line each.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "support/test_support.h"

using namespace compono;

namespace {

std::string counterWasm() {
  return std::string(COMPONO_SOURCE_DIR) + "/examples/kv-counter/kv-counter.wasm";
}

std::string manifest(const std::string& wasm, const std::string& db,
                     const std::string& extra = "") {
  return "apiVersion: core.oam.dev/v1beta1\n"
         "kind: Application\n"
         "metadata:\n  name: counter-test\n"
         "spec:\n"
         "  policy:\n    allow-unsigned: true\n"
         "  components:\n"
         "    - name: counter\n"
         "      properties:\n"
         "        source: " +
         wasm +
         "\n"
         "        config:\n          bucket: counts\n          key: hits\n          label: n\n"
         "      traits:\n"
         "        - type: link\n          properties:\n            target: keyvalue\n"
         "            buckets:\n              counts: " +
         db +
         "\n"
         "        - type: link\n          properties: {target: config}\n"
         "        - type: link\n          properties: {target: logging}\n"
         "        - type: http-route\n          properties: {prefix: /count}\n" +
         extra;
}

TEST(ComponoUp, ServesTheCounterAndKeepsItsDataAcrossRestarts) {
  test::TempDir dir;
  dir.write("app.yaml", manifest(counterWasm(), "state/counter.db"));
  for (int run = 0; run < 2; ++run) {
    test::ComponoProcess up;
    ASSERT_TRUE(up.start(
        {"up", dir.file("app.yaml"), "--listen", "127.0.0.1:0", "--log-format", "json"}))
        << up.log();
    std::string addr = up.address();
    for (int i = 1; i <= 3; ++i) {
      EXPECT_EQ(test::curlGet("http://" + addr + "/count"),
                "n: " + std::to_string(run * 3 + i) + "\n 200");
    }
    std::string other = test::curlGet("http://" + addr + "/elsewhere");  // no route
    EXPECT_EQ(other.substr(other.size() - 3), "404") << other;
    EXPECT_EQ(up.stop(SIGINT), 0) << up.log();
    // The component's own log lines: JSON, one per request, naming it.
    std::istringstream in(up.log());
    int fromComponent = 0;
    for (std::string line; std::getline(in, line);) {
      auto j = nlohmann::json::parse(line, nullptr, false);
      ASSERT_FALSE(j.is_discarded()) << "not a JSON line: " << line;
      if (j["component"] == "counter" && j["context"] == "request") {
        ++fromComponent;
        EXPECT_EQ(j["level"], "info");
        EXPECT_NE(j["message"].get<std::string>().find("counts/hits is now"), std::string::npos);
      }
    }
    EXPECT_EQ(fromComponent, 3) << up.log();
    EXPECT_NE(up.log().find("stopped"), std::string::npos) << up.log();
  }
  // The data is in the SQLite file the manifest named, relative to it.
  EXPECT_TRUE(std::filesystem::exists(dir.file("state/counter.db")));
}

TEST(ComponoUp, SigtermStopsCleanlyToo) {
  test::TempDir dir;
  dir.write("app.yaml", manifest(counterWasm(), "c.db"));
  test::ComponoProcess up;
  ASSERT_TRUE(up.start({"up", dir.file("app.yaml"), "--listen", "127.0.0.1:0"})) << up.log();
  std::string addr = up.address();
  EXPECT_EQ(test::curlGet("http://" + addr + "/count/sub?x=1"), "n: 1\n 200");
  EXPECT_EQ(up.stop(SIGTERM), 0) << up.log();
}

TEST(ComponoUp, CheckReportsManifestErrorsWithTheirLine) {
  test::TempDir dir;
  dir.write("app.yaml", manifest(counterWasm(), "c.db", "      replicas: 2\n"));
  test::RunResult r = test::runCompono({"up", "--check", dir.file("app.yaml")});
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_EQ(r.err, "compono: error: " + dir.file("app.yaml") +
                       ":28:7: unknown key \"replicas\" in a component (allowed: name, properties, "
                       "traits, type)\n");
  test::RunResult missing = test::runCompono({"up", "--check", dir.file("nope.yaml")});
  EXPECT_EQ(missing.exitCode, 1);
  EXPECT_NE(missing.err.find("cannot read"), std::string::npos) << missing.err;
}

TEST(ComponoUp, CheckLinksAValidApplication) {
  test::TempDir dir;
  dir.write("app.yaml", manifest(counterWasm(), "c.db"));
  test::RunResult r = test::runCompono({"up", "--check", dir.file("app.yaml")});
  EXPECT_EQ(r.exitCode, 0) << r.err;
  EXPECT_EQ(r.out, "counter-test: 1 component linked, 1 bucket; routes: /count -> counter\n");
  EXPECT_NE(r.err.find("unsigned"), std::string::npos) << "no warning: " << r.err;
}

TEST(ComponoUp, ACapabilityTheManifestDoesNotLinkRefusesTheDeployment) {
  test::TempDir dir;
  std::string m = manifest(counterWasm(), "c.db");
  // Drop the logging link: the counter imports wasi:logging, nothing provides it.
  std::string drop = "        - type: link\n          properties: {target: logging}\n";
  m.erase(m.find(drop), drop.size());
  dir.write("app.yaml", m);
  test::RunResult r = test::runCompono({"up", "--check", dir.file("app.yaml")});
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_NE(r.err.find("wasi:logging/logging@0.1.0-draft"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(dir.file("app.yaml") + ":9:"), std::string::npos) << r.err;
  // One error line (after the warning about the unsigned component).
  size_t errors = 0;
  for (size_t at = r.err.find("compono: error:"); at != std::string::npos;
       at = r.err.find("compono: error:", at + 1)) {
    ++errors;
  }
  EXPECT_EQ(errors, 1u) << r.err;
  EXPECT_NE(r.err.find("not provided by this deployment"), std::string::npos) << r.err;
}

TEST(ComponoUp, UnsignedComponentsNeedAllowUnsigned) {
  test::TempDir dir;
  std::string m = manifest(counterWasm(), "c.db");
  std::string allow = "  policy:\n    allow-unsigned: true\n";
  m.erase(m.find(allow), allow.size());
  dir.write("app.yaml", m);
  test::RunResult r = test::runCompono({"up", "--check", dir.file("app.yaml")});
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_NE(r.err.find("unsigned"), std::string::npos) << r.err;
  test::RunResult ok =
      test::runCompono({"up", "--check", "--allow-unsigned", dir.file("app.yaml")});
  EXPECT_EQ(ok.exitCode, 0) << ok.err;
}

TEST(ComponoUp, AComponentThatIsNotAComponentIsAnErrorAtItsSourceLine) {
  test::TempDir dir;
  dir.write("junk.wasm", "not wasm at all");
  dir.write("app.yaml", manifest(dir.file("junk.wasm"), "c.db"));
  test::RunResult r = test::runCompono({"up", "--check", dir.file("app.yaml")});
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_EQ(
      r.err.rfind("compono: error: " + dir.file("app.yaml") + ":11:17: component \"counter\"", 0),
      0u)
      << r.err;
}

// The limit flags are the ones run, call and serve take (addLimitOptions):
// each applies to the instance `up --check` makes of every component.
TEST(ComponoUp, LimitFlagsApplyToTheComponents) {
  test::TempDir dir;
  dir.write("app.yaml", manifest(counterWasm(), "c.db"));
  auto check = [&](std::vector<std::string> flags) {
    std::vector<std::string> args = {"up", "--check", "--tier", "interp"};
    args.insert(args.end(), flags.begin(), flags.end());
    args.push_back(dir.file("app.yaml"));
    return test::runCompono(args);
  };
  test::RunResult roomy = check({"--max-table-elements", "100000", "--max-stack", "5000",
                                 "--max-memory", "64MiB", "--fuel", "1000000000"});
  EXPECT_EQ(roomy.exitCode, 0) << roomy.err;
  test::RunResult table = check({"--max-table-elements", "1"});
  EXPECT_EQ(table.exitCode, 1);
  EXPECT_NE(table.err.find("over --max-table-elements 1"), std::string::npos) << table.err;
  test::RunResult stack = check({"--max-stack", "1"});
  EXPECT_EQ(stack.exitCode, 1);
  EXPECT_NE(stack.err.find("(--max-stack)"), std::string::npos) << stack.err;
  test::RunResult memory = check({"--max-memory", "64KiB"});
  EXPECT_EQ(memory.exitCode, 1);
  EXPECT_NE(memory.err.find("over --max-memory 65536 bytes"), std::string::npos) << memory.err;
  test::RunResult bad = check({"--max-stack", "lots"});
  EXPECT_EQ(bad.exitCode, 2);
  EXPECT_EQ(bad.err, "compono: error: --max-stack 'lots': expected a call depth from 1 to 1000000\n");
  test::RunResult help = test::runCompono({"up", "--help"});
  for (const char* flag : {"--fuel", "--timeout", "--max-memory", "--max-table-elements",
                           "--max-stack", "--tier", "--cache-dir"}) {
    EXPECT_NE(help.out.find(flag), std::string::npos) << flag;
  }
}

// The policy with signed claims: the issuer named in spec.policy.trusted-issuers,
// every import granted; then a key nobody trusts, and claims without logging.
TEST(ComponoUp, SignedComponentsLinkOnlyWhatTheirClaimsGrant) {
  test::TempDir dir;
  test::RunResult key = test::runCompono({"keys", "gen", "-o", dir.file("k.key")});
  ASSERT_EQ(key.exitCode, 0) << key.err;
  std::string issuer = key.out.substr(0, key.out.find('\n'));
  test::RunResult other = test::runCompono({"keys", "gen", "-o", dir.file("other.key")});
  ASSERT_EQ(other.exitCode, 0) << other.err;
  std::vector<std::string> grants = {"wasi:http/types@0.2",
                                     "wasi:io/poll@0.2",
                                     "wasi:io/error@0.2",
                                     "wasi:io/streams@0.2",
                                     "wasi:clocks/monotonic-clock@0.2",
                                     "wasi:keyvalue/store@0.2.0-draft",
                                     "wasi:keyvalue/atomics@0.2.0-draft",
                                     "wasi:config/store@0.2.0-draft",
                                     "wasi:logging/logging@0.1.0-draft"};
  auto sign = [&](const std::string& keyFile, const std::string& out, bool withLogging) {
    std::vector<std::string> args = {"sign", counterWasm(), "--key", keyFile, "-o", out};
    for (const std::string& g : grants) {
      if (withLogging || g.rfind("wasi:logging", 0) != 0) {
        args.push_back("--grant");
        args.push_back(g);
      }
    }
    test::RunResult r = test::runCompono(args);
    ASSERT_EQ(r.exitCode, 0) << r.err;
  };
  sign(dir.file("k.key"), dir.file("signed.wasm"), true);
  sign(dir.file("other.key"), dir.file("other.wasm"), true);
  sign(dir.file("k.key"), dir.file("nolog.wasm"), false);
  auto deploy = [&](const std::string& wasm) {
    std::string m = manifest(wasm, "c.db");
    std::string allow = "  policy:\n    allow-unsigned: true\n";
    m.replace(m.find(allow), allow.size(), "  policy:\n    trusted-issuers: [" + issuer + "]\n");
    dir.write("app.yaml", m);
    return test::runCompono({"up", "--check", dir.file("app.yaml")});
  };
  test::RunResult ok = deploy(dir.file("signed.wasm"));
  EXPECT_EQ(ok.exitCode, 0) << ok.err;
  EXPECT_EQ(ok.err, "") << "no warning expected for a trusted, signed component";
  test::RunResult untrusted = deploy(dir.file("other.wasm"));
  EXPECT_EQ(untrusted.exitCode, 1);
  EXPECT_NE(untrusted.err.find("untrusted issuer"), std::string::npos) << untrusted.err;
  test::RunResult nolog = deploy(dir.file("nolog.wasm"));
  EXPECT_EQ(nolog.exitCode, 1);
  EXPECT_NE(nolog.err.find("wasi:logging/logging@0.1.0-draft"), std::string::npos) << nolog.err;
  EXPECT_NE(nolog.err.find("not granted"), std::string::npos) << nolog.err;
}

}  // namespace
