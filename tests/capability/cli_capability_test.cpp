// `compono keys`, `compono sign` and `compono claims` through the real binary.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>

#include <nlohmann/json.hpp>

#include "capability/capability_test_util.h"

namespace compono::capability::test {
namespace {

using compono::test::RunResult;
using compono::test::runCompono;

mode_t fileMode(const std::string& path) {
  struct stat st;
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

class CapabilityCli : public ::testing::Test {
 protected:
  void SetUp() override {
    fixtureCopy(dir_, "consumer.wasm");
    auto gen = runCompono({"keys", "gen", "-o", dir_.file("release.key")});
    ASSERT_EQ(gen.exitCode, 0) << gen.err;
    pub_ = gen.out.substr(0, gen.out.find('\n'));
  }
  std::string app() const { return dir_.file("consumer.wasm"); }
  RunResult sign(std::vector<std::string> extra) {
    std::vector<std::string> args = {"sign", app(), "--key", dir_.file("release.key")};
    args.insert(args.end(), extra.begin(), extra.end());
    return runCompono(args);
  }
  TempDir dir_;
  std::string pub_;
};

TEST_F(CapabilityCli, KeysGenWritesAPrivateFileAndPrintsThePublicKey) {
  EXPECT_TRUE(PublicKey::parse(pub_).ok()) << pub_;
  EXPECT_EQ(fileMode(dir_.file("release.key")), 0600u);
  auto again = runCompono({"keys", "gen", "-o", dir_.file("release.key")});
  expectOneLineError(again, 1, "--force");
  auto show = runCompono({"keys", "show", dir_.file("release.key")});
  EXPECT_EQ(show.exitCode, 0) << show.err;
  EXPECT_EQ(show.out, pub_ + "\n");
  auto forced = runCompono({"keys", "gen", "-o", dir_.file("release.key"), "--force"});
  EXPECT_EQ(forced.exitCode, 0) << forced.err;
  EXPECT_EQ(countLines(forced.out), 1);
  EXPECT_NE(forced.out, pub_ + "\n");
  EXPECT_EQ(fileMode(dir_.file("release.key")), 0600u);
}

TEST_F(CapabilityCli, KeysShowRefusesAReadableKey) {
  ASSERT_EQ(::chmod(dir_.file("release.key").c_str(), 0644), 0);
  expectOneLineError(runCompono({"keys", "show", dir_.file("release.key")}), 1,
                     "chmod 600 " + dir_.file("release.key"));
  expectOneLineError(sign({"--grant", "example:pair/math@0.1"}), 1, "chmod 600");
  expectOneLineError(runCompono({"keys", "show", dir_.file("missing.key")}), 1, "missing.key");
  EXPECT_EQ(runCompono({"keys"}).exitCode, 2);
}

TEST_F(CapabilityCli, SignThenClaimsVerifies) {
  auto s = sign({"--grant", "example:pair/math@0.1", "--grant", "wasi:cli/stdout@0.2.12",
                 "--expires", "90d", "--name", "pair consumer"});
  ASSERT_EQ(s.exitCode, 0) << s.err;
  EXPECT_NE(s.out.find("signed " + app()), std::string::npos) << s.out;
  EXPECT_NE(s.out.find(pub_), std::string::npos);
  EXPECT_EQ(s.err, "");  // every import is granted: no notes

  auto c = runCompono({"claims", app()});
  EXPECT_EQ(c.exitCode, 0) << c.err;
  for (const std::string& want :
       {"issuer:   " + pub_, std::string("name:     pair consumer"),
        std::string("example:pair/math@0.1.*"), std::string("wasi:cli/stdout@0.2.12"),
        std::string("example:pair/math@0.1.0  granted by example:pair/math@0.1.*"),
        std::string("status:   valid (issuer not checked")}) {
    EXPECT_NE(c.out.find(want), std::string::npos) << want << "\n" << c.out;
  }
  auto trusted = runCompono({"claims", app(), "--trust", pub_});
  EXPECT_EQ(trusted.exitCode, 0) << trusted.err;
  EXPECT_NE(trusted.out.find("status:   valid, issuer trusted"), std::string::npos);

  std::string stranger = testKey(42).publicKey().toString();
  auto untrusted = runCompono({"claims", app(), "--trust", stranger});
  expectOneLineError(untrusted, 1, "untrusted issuer: " + pub_);
  EXPECT_NE(untrusted.err.find("--trust " + pub_), std::string::npos);
  EXPECT_NE(untrusted.out.find("status:   untrusted-issuer"), std::string::npos);

  dir_.write("trust.txt", "# ci\n" + stranger + "\n" + pub_ + " release\n");
  EXPECT_EQ(runCompono({"claims", app(), "--trust-file", dir_.file("trust.txt")}).exitCode, 0);

  auto j = runCompono({"claims", app(), "--json", "--trust", pub_});
  ASSERT_EQ(j.exitCode, 0) << j.err;
  auto doc = nlohmann::json::parse(j.out);
  EXPECT_EQ(doc["status"], "valid");
  EXPECT_EQ(doc["valid"], true);
  EXPECT_EQ(doc["trust_checked"], true);
  EXPECT_EQ(doc["claims"]["issuer"], pub_);
  EXPECT_EQ(doc["claims"]["name"], "pair consumer");
  EXPECT_EQ(doc["claims"]["grants"].size(), 2u);
  EXPECT_EQ(doc["imports"][0]["name"], "example:pair/math@0.1.0");
  EXPECT_EQ(doc["imports"][0]["granted_by"], "example:pair/math@0.1.*");
  EXPECT_EQ(doc["claims"]["subject"], "sha256:" + doc["binary_sha256"].get<std::string>());
}

TEST_F(CapabilityCli, EachFailureHasItsMessageAndExitCode) {
  expectOneLineError(runCompono({"claims", app()}), 1, "not signed");
  ASSERT_EQ(sign({"--grant", "example:pair/math", "--expires", "1h"}).exitCode, 0);
  expectOneLineError(runCompono({"claims", app(), "--at", "9000-01-01"}), 1, "claims expired at");
  expectOneLineError(runCompono({"claims", app(), "--at", "2000-01-01"}), 1, "not valid yet");
  // Change one byte in the middle (the core module): modified after signing.
  std::string bytes = dir_.read("consumer.wasm");
  bytes[bytes.size() / 2] ^= 1;
  dir_.write("tampered.wasm", bytes);
  expectOneLineError(runCompono({"claims", dir_.file("tampered.wasm")}), 1,
                     "tampered.wasm: modified after signing");
  bytes = dir_.read("consumer.wasm");
  bytes.back() ^= 1;
  dir_.write("badsig.wasm", bytes);
  auto badSig = runCompono({"claims", dir_.file("badsig.wasm"), "--json"});
  EXPECT_EQ(badSig.exitCode, 1);
  EXPECT_EQ(nlohmann::json::parse(badSig.out)["status"], "bad-signature");
  dir_.write("junk.wasm", "not wasm at all");
  expectOneLineError(runCompono({"claims", dir_.file("junk.wasm")}), 1,
                     "not a valid WebAssembly module or component");
  expectOneLineError(runCompono({"claims", dir_.file("nope.wasm")}), 1, "cannot open");
}

TEST_F(CapabilityCli, BadArgumentsAreOneLineUsageErrors) {
  expectOneLineError(sign({"--grant", "wasi:cli/stdout@0.2.x"}), 2, "--grant");
  expectOneLineError(sign({"--expires", "soon"}), 2, "--expires soon");
  expectOneLineError(sign({"--expires", "2001-01-01"}), 2, "in the past");
  expectOneLineError(sign({"--expires", "2027-02-30"}), 2, "--expires");
  expectOneLineError(sign({"--name", "bell\a"}), 2, "printable ASCII");
  expectOneLineError(runCompono({"claims", app(), "--trust", "compono1abc"}), 2, "--trust");
  expectOneLineError(runCompono({"claims", app(), "--at", "yesterday"}), 2, "--at");
  expectOneLineError(runCompono({"sign", app(), "--key", dir_.file("none.key")}), 1, "none.key");
  dir_.write("junk.wasm", "junk");
  expectOneLineError(runCompono({"sign", dir_.file("junk.wasm"), "--key",
                                 dir_.file("release.key")}),
                     1, "junk.wasm: not a valid WebAssembly");
  EXPECT_EQ(runCompono({"sign", app()}).exitCode, 2);  // --key is required
}

TEST_F(CapabilityCli, SignToAnotherFileLeavesTheInputAlone) {
  std::string before = dir_.read("consumer.wasm");
  auto s = sign({"-o", dir_.file("signed.wasm")});
  ASSERT_EQ(s.exitCode, 0) << s.err;
  EXPECT_EQ(dir_.read("consumer.wasm"), before);
  EXPECT_EQ(runCompono({"claims", dir_.file("signed.wasm"), "--trust", pub_}).exitCode, 0);
  // No grants: the note names the import hosts will refuse.
  EXPECT_NE(s.err.find("note: import example:pair/math@0.1.0 is not granted"), std::string::npos)
      << s.err;
  // Re-signing in place replaces the claims.
  auto again = runCompono({"sign", dir_.file("signed.wasm"), "--key", dir_.file("release.key"),
                           "--grant", "example:pair/math"});
  ASSERT_EQ(again.exitCode, 0) << again.err;
  auto c = runCompono({"claims", dir_.file("signed.wasm"), "--json"});
  EXPECT_EQ(nlohmann::json::parse(c.out)["claims"]["grants"][0], "example:pair/math");
}

TEST_F(CapabilityCli, HelpTeaches) {
  auto top = runCompono({"--help"});
  for (const char* cmd : {"keys", "sign", "claims"}) {
    EXPECT_NE(top.out.find(cmd), std::string::npos) << cmd;
  }
  auto s = runCompono({"sign", "--help"});
  EXPECT_EQ(s.exitCode, 0);
  for (const char* want : {"--grant", "--expires", "compono-claims", "Examples", "@0.2.*"}) {
    EXPECT_NE(s.out.find(want), std::string::npos) << want;
  }
  auto c = runCompono({"claims", "--help"});
  for (const char* want : {"--trust", "untrusted-issuer", "Exit code 0 only"}) {
    EXPECT_NE(c.out.find(want), std::string::npos) << want;
  }
  auto g = runCompono({"keys", "gen", "--help"});
  EXPECT_NE(g.out.find("0600"), std::string::npos);
}

}  // namespace
}  // namespace compono::capability::test
