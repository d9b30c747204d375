// Helpers for the capability tests: deterministic keys, fixture copies, a fixed clock.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "compono/capability/claims.h"
#include "compono/capability/keys.h"
#include "support/test_support.h"

namespace compono::capability::test {

using compono::test::TempDir;

// 2027-01-15T08:00:00Z: the injected "now" of these tests.
inline constexpr int64_t kNow = 1'800'000'000;

inline SecretKey testKey(uint8_t n) {
  std::array<uint8_t, kSeedSize> seed{};
  seed.fill(n);
  return std::move(SecretKey::fromSeed(seed)).value();
}

inline std::vector<uint8_t> toBytes(const std::string& s) { return {s.begin(), s.end()}; }
inline std::string toString(const std::vector<uint8_t>& b) { return {b.begin(), b.end()}; }

inline std::string fixturePath(const std::string& name) {
  return compono::test::sharedPath("fixtures/components/" + name);
}

// Copies a shared fixture into `dir` (fixtures are never modified) and returns its bytes.
inline std::vector<uint8_t> fixtureCopy(const TempDir& dir, const std::string& name) {
  std::filesystem::copy_file(fixturePath(name), dir.file(name),
                             std::filesystem::copy_options::overwrite_existing);
  std::filesystem::permissions(dir.file(name), std::filesystem::perms::owner_write,
                               std::filesystem::perm_options::add);
  return toBytes(dir.read(name));
}

inline VerifyOptions verifyAt(int64_t now, std::optional<std::vector<PublicKey>> trusted = {}) {
  VerifyOptions o;
  o.now = now;
  o.trusted = std::move(trusted);
  return o;
}

inline std::vector<uint8_t> signOrDie(const std::vector<uint8_t>& wasm, const SecretKey& key,
                                      std::vector<std::string> grants,
                                      std::optional<int64_t> expiresAt = {},
                                      int64_t issuedAt = kNow) {
  ClaimsRequest r;
  r.grants = std::move(grants);
  r.issuedAt = issuedAt;
  r.expiresAt = expiresAt;
  auto out = signBinary(wasm, key, r);
  EXPECT_TRUE(out.ok()) << (out.ok() ? "" : out.error().message);
  return out.ok() ? std::move(out).value() : std::vector<uint8_t>{};
}

using compono::test::countLines;
using compono::test::expectOneLineError;

// The smallest core module: the 8-byte preamble.
inline std::vector<uint8_t> emptyModule() { return {0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0}; }

}  // namespace compono::capability::test
