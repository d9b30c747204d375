// Keys: public key text, secret key files and their permissions, trust lists.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "capability/capability_test_util.h"
#include "compono/capability/keys.h"

namespace compono::capability::test {
namespace {

mode_t fileMode(const std::string& path) {
  struct stat st;
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

size_t filesIn(const std::string& dir) {
  size_t n = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir)) ++n;
  return n;
}

TEST(PublicKey, TextRoundTrips) {
  auto key = testKey(7);
  std::string text = key.publicKey().toString();
  EXPECT_EQ(text.rfind("compono1", 0), 0u);
  EXPECT_EQ(text.size(), 66u);
  EXPECT_EQ(text.find_first_not_of("abcdefghijklmnopqrstuvwxyz234567", 8), std::string::npos);
  auto parsed = PublicKey::parse(text);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(*parsed, key.publicKey());
  // Deterministic from the seed; different seeds, different keys.
  EXPECT_EQ(testKey(7).publicKey(), key.publicKey());
  EXPECT_NE(testKey(8).publicKey(), key.publicKey());
}

TEST(PublicKey, MistakesAreCaught) {
  std::string text = testKey(7).publicKey().toString();
  auto err = [](std::string_view t) {
    auto k = PublicKey::parse(t);
    return k.ok() ? std::string("(parsed)") : k.error().message;
  };
  // Every single-character substitution is caught (checksum or alphabet).
  for (size_t i = 8; i < text.size(); ++i) {
    std::string typo = text;
    typo[i] = typo[i] == 'a' ? 'b' : 'a';
    EXPECT_FALSE(PublicKey::parse(typo).ok()) << i;
  }
  std::string typo = text;
  typo[20] = typo[20] == 'q' ? 'r' : 'q';
  EXPECT_NE(err(typo).find("checksum"), std::string::npos) << err(typo);
  std::string upper = text;
  upper[10] = 'A';
  EXPECT_NE(err(upper).find("a-z, 2-7"), std::string::npos) << err(upper);
  EXPECT_NE(err(text.substr(0, 60)).find("66 characters"), std::string::npos);
  EXPECT_NE(err("ed25519:abc").find("must start with \"compono1\""), std::string::npos);
  EXPECT_NE(err("compono-ed25519-secret-v1:00").find("SECRET"), std::string::npos);
  EXPECT_NE(err("x\x1b[31m").find("\\x1b"), std::string::npos);  // quoted, never raw
}

TEST(PublicKey, RejectsPointsThatAreNotKeys) {
  std::array<uint8_t, 32> identity{};
  identity[0] = 1;  // the neutral element: small order
  EXPECT_FALSE(PublicKey::fromBytes(identity).ok());
  std::array<uint8_t, 32> zero{};
  EXPECT_FALSE(PublicKey::fromBytes(zero).ok());
  EXPECT_FALSE(PublicKey::fromBytes(std::span<const uint8_t>(zero.data(), 31)).ok());
  EXPECT_TRUE(PublicKey::fromBytes(testKey(1).publicKey().bytes()).ok());
}

TEST(SecretKey, SignsAndVerifies) {
  auto key = testKey(9);
  auto msg = toBytes("hello");
  Signature sig = key.sign(msg);
  EXPECT_TRUE(key.publicKey().verify(msg, sig));
  EXPECT_FALSE(testKey(10).publicKey().verify(msg, sig));
  sig[5] ^= 1;
  EXPECT_FALSE(key.publicKey().verify(msg, sig));
  auto fresh = SecretKey::generate();
  ASSERT_TRUE(fresh.ok());
  EXPECT_NE(fresh->publicKey(), key.publicKey());
  // Moving keeps the key usable.
  SecretKey moved = std::move(*fresh);
  EXPECT_TRUE(moved.publicKey().verify(msg, moved.sign(msg)));
}

TEST(SecretKey, FileTextRoundTripsAndErrorsNeverShowTheKey) {
  auto key = testKey(11);
  std::string text = key.toFileText();
  EXPECT_NE(text.find("# public key: " + key.publicKey().toString()), std::string::npos);
  auto parsed = SecretKey::parse(text);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->publicKey(), key.publicKey());
  std::string line = text.substr(text.find("compono-ed25519-secret-v1:"));
  std::string hex = line.substr(26, 64);
  auto err = [](std::string_view t) {
    auto k = SecretKey::parse(t);
    return k.ok() ? std::string("(parsed)") : k.error().message;
  };
  EXPECT_NE(err(line + line).find("second key line"), std::string::npos);
  EXPECT_EQ(err(line + line).find(hex), std::string::npos);
  EXPECT_NE(err("# nothing\n\n").find("no key line"), std::string::npos);
  EXPECT_NE(err(key.publicKey().toString()).find("this is a public key"), std::string::npos);
  EXPECT_NE(err("compono-ed25519-secret-v2:" + hex).find("unsupported"), std::string::npos);
  std::string shortKey = "compono-ed25519-secret-v1:" + hex.substr(0, 62);
  EXPECT_NE(err(shortKey).find("64 lowercase hex digits"), std::string::npos);
  EXPECT_EQ(err(shortKey).find(hex.substr(0, 62)), std::string::npos);
  EXPECT_NE(err("ssh-ed25519 AAAA").find("line 1: not a compono secret key"), std::string::npos);
  // CRLF line ends and surrounding blanks are fine.
  EXPECT_TRUE(SecretKey::parse("\r\n  " + line.substr(0, 90) + "\r\n").ok());
}

class KeyFile : public ::testing::Test {
 protected:
  TempDir dir_;
};

TEST_F(KeyFile, WrittenWithMode0600AndReadBack) {
  auto key = testKey(12);
  std::string path = dir_.file("release.key");
  ASSERT_TRUE(writeSecretKeyFile(path, key, false).ok());
  EXPECT_EQ(fileMode(path), 0600u);
  EXPECT_EQ(filesIn(dir_.path()), 1u);  // no temporary files left behind
  auto read = readSecretKeyFile(path);
  ASSERT_TRUE(read.ok()) << read.error().message;
  EXPECT_EQ(read->publicKey(), key.publicKey());
}

TEST_F(KeyFile, NeverOverwritesUnlessAsked) {
  std::string path = dir_.file("k");
  ASSERT_TRUE(writeSecretKeyFile(path, testKey(1), false).ok());
  auto again = writeSecretKeyFile(path, testKey(2), false);
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.error().message.find("already exists"), std::string::npos);
  EXPECT_NE(again.error().message.find("--force"), std::string::npos);
  EXPECT_EQ(readSecretKeyFile(path)->publicKey(), testKey(1).publicKey());
  ASSERT_TRUE(writeSecretKeyFile(path, testKey(2), true).ok());
  EXPECT_EQ(readSecretKeyFile(path)->publicKey(), testKey(2).publicKey());
  EXPECT_EQ(fileMode(path), 0600u);
  EXPECT_EQ(filesIn(dir_.path()), 1u);
  // A dangling symlink is not followed to create a file elsewhere.
  std::filesystem::create_symlink(dir_.file("elsewhere"), dir_.file("link"));
  EXPECT_FALSE(writeSecretKeyFile(dir_.file("link"), testKey(3), false).ok());
  EXPECT_FALSE(std::filesystem::exists(dir_.file("elsewhere")));
  EXPECT_FALSE(writeSecretKeyFile(dir_.file("no/such/dir/k"), testKey(3), false).ok());
}

TEST_F(KeyFile, RefusesFilesOthersCanRead) {
  std::string path = dir_.file("k");
  ASSERT_TRUE(writeSecretKeyFile(path, testKey(1), false).ok());
  for (mode_t mode : {0644, 0640, 0604, 0660, 0602}) {
    ASSERT_EQ(::chmod(path.c_str(), mode), 0);
    auto k = readSecretKeyFile(path);
    ASSERT_FALSE(k.ok()) << std::oct << mode;
    EXPECT_EQ(k.error().code, ErrorCode::kCapability);
    EXPECT_NE(k.error().message.find("chmod 600 " + path), std::string::npos) << k.error().message;
    EXPECT_EQ(k.error().message.find('\n'), std::string::npos);
  }
  ASSERT_EQ(::chmod(path.c_str(), 0644), 0);
  char mode[8];
  std::snprintf(mode, sizeof mode, "(mode %04o)", 0644);
  EXPECT_NE(readSecretKeyFile(path).error().message.find(mode), std::string::npos);
  ASSERT_EQ(::chmod(path.c_str(), 0400), 0);
  EXPECT_TRUE(readSecretKeyFile(path).ok());
}

TEST_F(KeyFile, RefusesOtherThings) {
  EXPECT_EQ(readSecretKeyFile(dir_.file("missing")).error().code, ErrorCode::kIo);
  std::filesystem::create_directory(dir_.file("d"));
  ::chmod(dir_.file("d").c_str(), 0700);
  EXPECT_NE(readSecretKeyFile(dir_.file("d")).error().message.find("not a regular file"),
            std::string::npos);
  dir_.write("big", std::string(10000, '#'));
  ::chmod(dir_.file("big").c_str(), 0600);
  EXPECT_NE(readSecretKeyFile(dir_.file("big")).error().message.find("too large"),
            std::string::npos);
  dir_.write("pub", testKey(1).publicKey().toString() + "\n");
  ::chmod(dir_.file("pub").c_str(), 0600);
  auto k = readSecretKeyFile(dir_.file("pub"));
  ASSERT_FALSE(k.ok());
  EXPECT_EQ(k.error().message.rfind(dir_.file("pub") + ": line 1: this is a public key", 0), 0u)
      << k.error().message;
}

TEST(TrustList, ParsesKeysCommentsAndNotes) {
  std::string a = testKey(1).publicKey().toString(), b = testKey(2).publicKey().toString();
  auto list = parseTrustList("# release keys\n\n" + a + "  ci signer\n" + b + "\n" + a + "\n");
  ASSERT_TRUE(list.ok()) << list.error().message;
  EXPECT_EQ(*list, (std::vector<PublicKey>{testKey(1).publicKey(), testKey(2).publicKey()}));
  auto bad = parseTrustList(a + "\n# x\ncompono1oops\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message.rfind("line 3: ", 0), 0u) << bad.error().message;
  EXPECT_TRUE(parseTrustList("").ok());
}

TEST_F(KeyFile, TrustedIssuersFromKeysAndFiles) {
  std::string a = testKey(1).publicKey().toString(), b = testKey(2).publicKey().toString();
  dir_.write("trust.txt", "# ci\n" + b + " ci\n" + a + "\n");
  auto keys = loadTrustedIssuers({a, dir_.file("trust.txt")});
  ASSERT_TRUE(keys.ok()) << keys.error().message;
  EXPECT_EQ(*keys, (std::vector<PublicKey>{testKey(1).publicKey(), testKey(2).publicKey()}));
  EXPECT_TRUE(loadTrustedIssuers({})->empty());

  std::string typo = a;
  typo.back() = typo.back() == 'a' ? 'b' : 'a';  // the checksum catches it
  auto badKey = loadTrustedIssuers({typo});
  ASSERT_FALSE(badKey.ok());
  EXPECT_EQ(badKey.error().code, ErrorCode::kUsage);
  auto missing = loadTrustedIssuers({dir_.file("none.txt")});
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("none.txt\" is neither a public key"), std::string::npos)
      << missing.error().message;
  dir_.write("bad.txt", a + "\nnot-a-key\n");
  auto bad = loadTrustedIssuers({dir_.file("bad.txt")});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("bad.txt: line 2: "), std::string::npos)
      << bad.error().message;
}

}  // namespace
}  // namespace compono::capability::test
