// The link-time policy through the real binary: `compono call` and
// `compono run` with --trust and --allow-unsigned on the shared fixtures.
// basic-c.wasm imports example:calc/logger@0.1.0, which only --stub-imports
// provides on the command line; provider.wasm imports nothing.
#include <gtest/gtest.h>
#include <unistd.h>

#include "capability/capability_test_util.h"

namespace compono::capability::test {
namespace {

using compono::test::RunResult;
using compono::test::runCompono;

class PolicyCli : public ::testing::Test {
 protected:
  void SetUp() override {
    fixtureCopy(dir_, "basic-c.wasm");
    fixtureCopy(dir_, "provider.wasm");
    fixtureCopy(dir_, "hello-command.wasm");
    auto gen = runCompono({"keys", "gen", "-o", dir_.file("release.key")});
    ASSERT_EQ(gen.exitCode, 0) << gen.err;
    pub_ = gen.out.substr(0, gen.out.find('\n'));
  }
  // Signs dir_/NAME in place.
  void sign(const std::string& name, std::vector<std::string> extra) {
    std::vector<std::string> args = {"sign", dir_.file(name), "--key", dir_.file("release.key")};
    args.insert(args.end(), extra.begin(), extra.end());
    auto r = runCompono(args);
    ASSERT_EQ(r.exitCode, 0) << r.err;
  }
  // `compono call --tier interp [FLAGS...] dir_/NAME CALL`.
  RunResult call(const std::string& name, const std::string& what,
                 std::vector<std::string> flags) {
    std::vector<std::string> args = {"call", "--tier", "interp"};
    args.insert(args.end(), flags.begin(), flags.end());
    args.push_back(dir_.file(name));
    args.push_back(what);
    return runCompono(args);
  }
  RunResult callAdd(const std::string& name, std::vector<std::string> flags) {
    return call(name, "add(2, 3)", std::move(flags));
  }
  RunResult callMul(const std::string& name, std::vector<std::string> flags) {
    return call(name, "mul(6, 7)", std::move(flags));
  }
  TempDir dir_;
  std::string pub_;
};

TEST_F(PolicyCli, GrantedProvidedAndTrustedRuns) {
  sign("basic-c.wasm", {"--grant", "example:calc/logger@0.1"});
  auto r = callAdd("basic-c.wasm", {"--stub-imports", "--trust", pub_});
  EXPECT_EQ(r.exitCode, 0) << r.err;
  EXPECT_EQ(r.out, "5\n");
  EXPECT_EQ(r.err, "");
  // A trust file works the same way.
  dir_.write("trusted.txt", "# release key\n" + pub_ + " release\n");
  auto f = callAdd("basic-c.wasm", {"--stub-imports", "--trust", dir_.file("trusted.txt")});
  EXPECT_EQ(f.exitCode, 0) << f.err;
  EXPECT_EQ(f.out, "5\n");
}

TEST_F(PolicyCli, WithoutTrustNoPolicyApplies) {
  // Unsigned, nothing asked for: runs as before (a development host).
  auto r = callMul("provider.wasm", {});
  EXPECT_EQ(r.exitCode, 0) << r.err;
  EXPECT_EQ(r.out, "42\n");
  EXPECT_EQ(r.err, "");
}

TEST_F(PolicyCli, TamperedIsRefused) {
  sign("provider.wasm", {});
  std::string bytes = dir_.read("provider.wasm");
  bytes[bytes.size() / 2] ^= 1;  // inside the core module
  dir_.write("provider.wasm", bytes);
  auto r = callMul("provider.wasm", {"--trust", pub_});
  expectOneLineError(r, 1, "provider.wasm: deployment refused: modified after signing");
  EXPECT_EQ(r.out, "");
}

TEST_F(PolicyCli, ExpiredIsRefused) {
  sign("provider.wasm", {"--expires", "1s"});
  ::sleep(2);
  auto r = callMul("provider.wasm", {"--trust", pub_});
  expectOneLineError(r, 1, "provider.wasm: deployment refused: claims expired at");
  EXPECT_NE(r.err.find("ask the issuer to sign it again"), std::string::npos) << r.err;
  EXPECT_EQ(r.out, "");
}

TEST_F(PolicyCli, UntrustedIssuerIsRefused) {
  sign("provider.wasm", {});
  std::string stranger = testKey(9).publicKey().toString();
  auto r = callMul("provider.wasm", {"--trust", stranger});
  expectOneLineError(r, 1, "provider.wasm: deployment refused: untrusted issuer: " + pub_);
  EXPECT_NE(r.err.find("--trust " + pub_), std::string::npos) << r.err;
  EXPECT_EQ(r.out, "");
}

TEST_F(PolicyCli, MissingGrantIsRefused) {
  sign("basic-c.wasm", {"--grant", "wasi:cli/stdout"});
  auto r = callAdd("basic-c.wasm", {"--stub-imports", "--trust", pub_});
  expectOneLineError(r, 1,
                     "deployment refused: 1 of 1 imports cannot be linked: "
                     "\"example:calc/logger@0.1.0\": not granted by the claims");
  EXPECT_EQ(r.out, "");
}

TEST_F(PolicyCli, MissingProviderIsRefused) {
  sign("basic-c.wasm", {"--grant", "example:calc/logger"});
  auto r = callAdd("basic-c.wasm", {"--trust", pub_});  // no --stub-imports: nothing provides it
  expectOneLineError(r, 1,
                     "\"example:calc/logger@0.1.0\": granted but not provided by this deployment "
                     "(grant example:calc/logger)");
  EXPECT_EQ(r.out, "");
}

TEST_F(PolicyCli, NeitherGrantedNorProvidedIsRefused) {
  sign("basic-c.wasm", {});
  auto r = callAdd("basic-c.wasm", {"--trust", pub_});
  expectOneLineError(r, 1,
                     "\"example:calc/logger@0.1.0\": neither granted by the claims nor provided "
                     "by this deployment");
}

TEST_F(PolicyCli, UnsignedNeedsAllowUnsignedAndWarnsLoudly) {
  auto refused = callMul("provider.wasm", {"--trust", pub_});
  expectOneLineError(refused, 1, "provider.wasm: deployment refused: component is unsigned");
  EXPECT_NE(refused.err.find("--allow-unsigned"), std::string::npos);

  auto allowed = callMul("provider.wasm", {"--trust", pub_, "--allow-unsigned"});
  EXPECT_EQ(allowed.exitCode, 0) << allowed.err;
  EXPECT_EQ(allowed.out, "42\n");
  EXPECT_NE(allowed.err.find("WARNING: " + dir_.file("provider.wasm") + " is UNSIGNED"),
            std::string::npos)
      << allowed.err;
  // --allow-unsigned alone turns the policy on with no trusted issuer.
  auto alone = callMul("provider.wasm", {"--allow-unsigned"});
  EXPECT_EQ(alone.exitCode, 0) << alone.err;
  EXPECT_NE(alone.err.find("UNSIGNED"), std::string::npos);
  // Unsigned and allowed, but the import is still not provided.
  auto unprovided = callAdd("basic-c.wasm", {"--allow-unsigned"});
  EXPECT_EQ(unprovided.exitCode, 1);
  EXPECT_NE(unprovided.err.find("\"example:calc/logger@0.1.0\": not provided by this deployment"),
            std::string::npos)
      << unprovided.err;
  // Claims that fail verification are refused even so: --allow-unsigned is not a bypass.
  sign("provider.wasm", {});
  std::string bytes = dir_.read("provider.wasm");
  bytes.back() ^= 1;  // the signature
  dir_.write("provider.wasm", bytes);
  expectOneLineError(callMul("provider.wasm", {"--trust", pub_, "--allow-unsigned"}), 1,
                     "bad signature");
}

TEST_F(PolicyCli, RunRefusesBeforeAnythingRuns) {
  // hello-command.wasm imports WASI 0.2 interfaces; claims that grant none of
  // them refuse it whatever this build's WASI provides, and nothing is printed.
  sign("hello-command.wasm", {});
  auto r = runCompono({"run", "--tier", "interp", "--trust", pub_, dir_.file("hello-command.wasm"),
                       "a", "b"});
  EXPECT_EQ(r.exitCode, 1) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(countLines(r.err), 1) << r.err;
  EXPECT_NE(r.err.find("hello-command.wasm: deployment refused: "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("\"wasi:cli/"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("hello from"), std::string::npos);
}

TEST_F(PolicyCli, RunLinksACommandWhoseImportsAreGrantedAndProvided) {
  // Every WASI 0.2 interface hello-command.wasm imports, granted as any 0.2.x.
  std::vector<std::string> grants;
  for (const char* iface :
       {"cli/environment", "cli/exit", "io/error", "io/streams", "cli/stdin", "cli/stdout",
        "cli/stderr", "cli/terminal-input", "cli/terminal-output", "cli/terminal-stdin",
        "cli/terminal-stdout", "cli/terminal-stderr", "clocks/wall-clock", "filesystem/types",
        "filesystem/preopens"}) {
    grants.push_back("--grant");
    grants.push_back(std::string("wasi:") + iface + "@0.2");
  }
  sign("hello-command.wasm", grants);
  auto r = runCompono({"run", "--tier", "interp", "--trust", pub_, dir_.file("hello-command.wasm"),
                       "a", "b"});
  EXPECT_EQ(r.exitCode, 0) << r.err;
  EXPECT_EQ(r.out, compono::test::readFile(fixturePath("hello-command.stdout")));
  EXPECT_EQ(r.err, "");
  // One grant fewer: refused, naming exactly that import.
  grants.resize(grants.size() - 2);
  sign("hello-command.wasm", grants);
  auto refused = runCompono({"run", "--tier", "interp", "--trust", pub_,
                             dir_.file("hello-command.wasm"), "a", "b"});
  expectOneLineError(refused, 1,
                     "deployment refused: 1 of 15 imports cannot be linked: "
                     "\"wasi:filesystem/preopens@0.2.12\": not granted by the claims");
  EXPECT_EQ(refused.out, "");
}

TEST_F(PolicyCli, BadFlagsAreUsageErrors) {
  expectOneLineError(callMul("provider.wasm", {"--trust", "compono1abc"}), 2, "--trust");
  expectOneLineError(callMul("provider.wasm", {"--trust", dir_.file("nope.txt")}), 2,
                     "neither a public key");
  dir_.write("bad.txt", "not a key\n");
  expectOneLineError(callMul("provider.wasm", {"--trust", dir_.file("bad.txt")}), 2, "bad.txt");
  // A core module cannot be checked: refuse rather than run it unchecked.
  fixtureCopy(dir_, "basic.core.wasm");
  expectOneLineError(runCompono({"run", "--trust", pub_, dir_.file("basic.core.wasm")}), 2,
                     "apply to components");
}

TEST_F(PolicyCli, HelpDocumentsThePolicy) {
  for (const char* cmd : {"run", "call"}) {
    auto h = runCompono({cmd, "--help"});
    EXPECT_EQ(h.exitCode, 0) << cmd;
    for (const char* want : {"--trust KEY|FILE", "--allow-unsigned", "Link-time policy",
                             "not granted / not provided / neither", "WARNING"}) {
      EXPECT_NE(h.out.find(want), std::string::npos) << cmd << ": " << want;
    }
  }
}

}  // namespace
}  // namespace compono::capability::test
