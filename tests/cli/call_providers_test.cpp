// `compono call` with the in-host capability providers (--kv, --config,
// logging) on the real binary and the kvprobe guest
// (tests/guests/components/kvprobe): the bucket is a real SQLite file that
// keeps its data from one invocation to the next; nothing is linked that no
// flag grants; the link-time policy applies to the providers' interfaces.
#include <gtest/gtest.h>

#include <filesystem>

#include "support/test_support.h"

namespace compono::test {
namespace {

class CallProviders : public ::testing::Test {
 protected:
  // `compono call --tier interp FLAGS... kvprobe.wasm CALLS...`.
  RunResult call(std::vector<std::string> flags, const std::vector<std::string>& calls) {
    std::vector<std::string> args = {"call", "--tier", "interp"};
    args.insert(args.end(), flags.begin(), flags.end());
    args.push_back(guestPath("kvprobe"));
    args.insert(args.end(), calls.begin(), calls.end());
    return runCompono(args);
  }
  std::string kv() { return "counter=" + dir_.file("data/counter.db"); }
  TempDir dir_;
};

TEST_F(CallProviders, ABucketKeepsItsValueAcrossInvocations) {
  auto first = call({"--kv", kv(), "--config", "unused=1"}, {R"(increment("counter", "hits", 1))"});
  ASSERT_EQ(first.exitCode, 0) << first.err;
  EXPECT_EQ(first.out, "ok(1)\n");
  EXPECT_TRUE(std::filesystem::is_regular_file(dir_.file("data/counter.db")));

  auto second = call({"--kv", kv(), "--config", "unused=1"},
                     {R"(increment("counter", "hits", 2))", R"(get("counter", "hits"))",
                      R"(set("counter", "name", "x"))", R"(list-keys("counter"))"});
  ASSERT_EQ(second.exitCode, 0) << second.err;
  EXPECT_EQ(second.out, "ok(3)\nok(some(\"3\"))\nok\nok([\"hits\", \"name\"])\n");

  // Another file is another bucket: nothing carries over.
  auto other = call({"--kv", "counter=" + dir_.file("other.db"), "--config", "unused=1"},
                    {R"(get("counter", "hits"))"});
  ASSERT_EQ(other.exitCode, 0) << other.err;
  EXPECT_EQ(other.out, "ok(none)\n");
}

TEST_F(CallProviders, OnlyTheGrantedBucketsOpen) {
  auto r = call({"--kv", kv(), "--config", "unused=1"},
                {R"(set("counter", "k", "v"))", R"(get("secrets", "k"))"});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  EXPECT_EQ(r.out, "ok\nerr(\"access-denied\")\n");
  // The refusal is logged, naming the component.
  EXPECT_NE(r.err.find("kvprobe"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("secrets"), std::string::npos) << r.err;
}

TEST_F(CallProviders, ConfigValuesAndLogLines) {
  auto r = call({"--kv", kv(), "--config", "greeting=hi", "--config", "empty="},
                {R"(config-get("greeting"))", R"(config-get("nope"))", "config-all()",
                 R"(log(3, "ctx", "hello there"))"});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  EXPECT_EQ(r.out,
            "ok(some(\"hi\"))\nok(none)\nok([(\"greeting\", \"hi\"), (\"empty\", \"\")])\n");
  EXPECT_NE(r.err.find("WARN"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("kvprobe [ctx] hello there"), std::string::npos) << r.err;

  auto json = call({"--kv", kv(), "--config", "a=b", "--log-format", "json"},
                   {R"(log(4, "c", "oops"))"});
  ASSERT_EQ(json.exitCode, 0) << json.err;
  EXPECT_NE(json.err.find(R"("level":"error")"), std::string::npos) << json.err;
  EXPECT_NE(json.err.find(R"("component":"kvprobe")"), std::string::npos) << json.err;
}

TEST_F(CallProviders, WithoutTheFlagTheImportIsUnresolved) {
  auto noKv = call({"--config", "a=b"}, {R"(get("counter", "hits"))"});
  expectOneLineError(noKv, 1, "unresolved imports wasi:keyvalue/store@0.2.0-draft");
  EXPECT_NE(noKv.err.find("wasi:keyvalue/batch@0.2.0-draft"), std::string::npos) << noKv.err;
  EXPECT_NE(noKv.err.find("--kv BUCKET=FILE"), std::string::npos) << noKv.err;
  EXPECT_EQ(noKv.out, "");
  EXPECT_FALSE(std::filesystem::exists(dir_.file("data/counter.db")));

  auto noConfig = call({"--kv", kv()}, {R"(get("counter", "hits"))"});
  expectOneLineError(noConfig, 1, "unresolved import wasi:config/store@0.2.0-draft");
  EXPECT_NE(noConfig.err.find("--config KEY=VALUE"), std::string::npos) << noConfig.err;
}

TEST_F(CallProviders, ThePolicyRefusesAnInterfaceNoFlagProvides) {
  auto r = call({"--allow-unsigned", "--config", "a=b"}, {R"(get("counter", "hits"))"});
  EXPECT_EQ(r.exitCode, 1) << r.err;
  EXPECT_NE(r.err.find("deployment refused"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("wasi:keyvalue/store@0.2.0-draft"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("not provided"), std::string::npos) << r.err;
  EXPECT_EQ(r.out, "");
}

TEST_F(CallProviders, SignedClaimsMustGrantTheProvidersInterfaces) {
  auto gen = runCompono({"keys", "gen", "-o", dir_.file("k.key")});
  ASSERT_EQ(gen.exitCode, 0) << gen.err;
  std::string pub = gen.out.substr(0, gen.out.find('\n'));
  auto sign = [&](const std::string& out, std::vector<std::string> grants) {
    std::vector<std::string> args = {"sign", guestPath("kvprobe"), "--key", dir_.file("k.key"),
                                     "-o", dir_.file(out)};
    for (const std::string& g : grants) args.insert(args.end(), {"--grant", g});
    auto s = runCompono(args);
    EXPECT_EQ(s.exitCode, 0) << s.err;
  };
  // Granted config and logging, not keyvalue.
  sign("probe.wasm", {"wasi:config/store@0.2.0-draft", "wasi:logging/logging@0.1.0-draft"});
  auto r = runCompono({"call", "--tier", "interp", "--trust", pub, "--kv", kv(), "--config", "a=b",
                       dir_.file("probe.wasm"), R"(get("counter", "hits"))"});
  EXPECT_EQ(r.exitCode, 1) << r.err;
  EXPECT_NE(r.err.find("wasi:keyvalue/store@0.2.0-draft"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("not granted"), std::string::npos) << r.err;
  EXPECT_EQ(r.out, "");

  sign("probe2.wasm", {"wasi:config/store@0.2.0-draft", "wasi:logging/logging@0.1.0-draft",
                       "wasi:keyvalue/store@0.2.0-draft", "wasi:keyvalue/atomics@0.2.0-draft",
                       "wasi:keyvalue/batch@0.2.0-draft"});
  auto ok = runCompono({"call", "--tier", "interp", "--trust", pub, "--kv", kv(), "--config",
                        "a=b", dir_.file("probe2.wasm"), R"(increment("counter", "hits", 5))"});
  EXPECT_EQ(ok.exitCode, 0) << ok.err;
  EXPECT_EQ(ok.out, "ok(5)\n");
}

TEST_F(CallProviders, BadFlagsAreOneLine) {
  expectOneLineError(call({"--kv", "counter"}, {"config-all()"}), 2, "--kv 'counter': expected BUCKET=FILE");
  expectOneLineError(call({"--kv", "=x.db"}, {"config-all()"}), 2, "expected BUCKET=FILE");
  expectOneLineError(call({"--kv", kv(), "--kv", kv()}, {"config-all()"}), 2,
                     "bucket \"counter\" is already linked");
  expectOneLineError(call({"--kv", kv(), "--kv", "other=" + dir_.file("data/counter.db")},
                          {"config-all()"}),
                     2, "one file per bucket");
  expectOneLineError(call({"--config", "novalue"}, {"config-all()"}), 2,
                     "--config 'novalue': expected KEY=VALUE");
  // A bucket file that cannot be created: a user error naming the flag.
  dir_.write("plain", "not a directory");
  expectOneLineError(call({"--kv", "b=" + dir_.file("plain/x.db"), "--config", "a=b"},
                          {"config-all()"}),
                     1, "--kv:");
}

TEST_F(CallProviders, HelpListsTheFlags) {
  auto r = runCompono({"call", "--help"});
  EXPECT_EQ(r.exitCode, 0);
  for (const char* s : {"--kv", "BUCKET=FILE", "--config", "KEY=VALUE", "--log-format",
                        "wasi:logging/logging@0.1.0-draft is always linked"}) {
    EXPECT_NE(r.out.find(s), std::string::npos) << s;
  }
}

}  // namespace
}  // namespace compono::test
