// Signing and verifying claims sections: round trips on the shared fixtures,
// tampering with every byte, truncation, time, trust.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

#include "capability/capability_test_util.h"
#include "compono/capability/claims.h"
#include "compono/capability/sections.h"

namespace compono::capability::test {
namespace {

const Section* claimsSection(const SectionList& list) {
  for (const auto& s : list.sections) {
    if (s.id == 0 && s.name == kClaimsSectionName) return &s;
  }
  return nullptr;
}

size_t countClaimsSections(const std::vector<uint8_t>& wasm) {
  auto list = walkSections(wasm);
  if (!list.ok()) return 0;
  return static_cast<size_t>(std::count_if(list->sections.begin(), list->sections.end(),
                                           [](const Section& s) {
                                             return s.id == 0 && s.name == kClaimsSectionName;
                                           }));
}

class Claims : public ::testing::Test {
 protected:
  TempDir dir_;
  SecretKey key_ = testKey(1);
  SecretKey other_ = testKey(2);
  std::vector<PublicKey> trusted() const { return {key_.publicKey()}; }
};

TEST_F(Claims, RoundTripOnEveryFixture) {
  for (const auto& entry : std::filesystem::directory_iterator(fixturePath(""))) {
    std::string name = entry.path().filename().string();
    if (entry.path().extension() != ".wasm") continue;
    SCOPED_TRACE(name);
    auto original = fixtureCopy(dir_, name);
    auto signedBytes = signOrDie(original, key_,
                                 {"wasi:cli/stdout@0.2", "example:pair/math@0.1.0", "log"},
                                 kNow + 86400);
    ASSERT_FALSE(signedBytes.empty());
    auto v = verifyBinary(signedBytes, verifyAt(kNow, trusted()));
    ASSERT_TRUE(v.ok()) << v.message;
    EXPECT_TRUE(v.trustChecked);
    EXPECT_TRUE(v.message.empty());
    const auto& c = v.claims->claims;
    EXPECT_EQ(c.issuer, key_.publicKey());
    EXPECT_EQ(c.issuedAt, kNow);
    EXPECT_EQ(c.expiresAt, kNow + 86400);
    ASSERT_EQ(c.grants.size(), 3u);
    EXPECT_EQ(c.grants[0].toString(), "example:pair/math@0.1.0");
    EXPECT_EQ(c.grants[1].toString(), "log");
    EXPECT_EQ(c.grants[2].toString(), "wasi:cli/stdout@0.2.*");
    // The subject is the hash of the unsigned original, which comes back unchanged.
    EXPECT_EQ(c.subject, *subjectHash(original));
    EXPECT_EQ(*stripClaims(signedBytes), original);
    // The claims section is the last section; everything before it is the original.
    ASSERT_GT(signedBytes.size(), original.size());
    EXPECT_TRUE(std::equal(original.begin(), original.end(), signedBytes.begin()));
    EXPECT_EQ(countClaimsSections(signedBytes), 1u);
    // The fixture itself is untouched.
    EXPECT_EQ(toBytes(compono::test::readFile(fixturePath(name))), original);
  }
}

TEST_F(Claims, CoreModulesAreSignedTheSameWay) {
  // basic.core.wasm imports `log` from the module "example:calc/logger@0.1.0": core
  // import module names that are interface names are granted like component imports.
  auto core = fixtureCopy(dir_, "basic.core.wasm");
  auto signedBytes = signOrDie(core, key_, {"example:calc/logger@0.1.0"});
  auto list = walkSections(signedBytes);
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->kind, BinaryKind::kCoreModule);
  EXPECT_EQ(list->sections.back().name, kClaimsSectionName);
  auto v = verifyBinary(signedBytes, verifyAt(kNow, trusted()));
  ASSERT_TRUE(v.ok()) << v.message;
  ASSERT_EQ(v.claims->claims.grants.size(), 1u);
  EXPECT_EQ(v.claims->claims.grants[0].toString(), "example:calc/logger@0.1.0");
  EXPECT_EQ(*stripClaims(signedBytes), core);
  // Core import module names that are not interface or kebab-case names (such as
  // wasi_snapshot_preview1) are not grants: signing refuses them.
  ClaimsRequest snake;
  snake.grants = {"wasi_snapshot_preview1"};
  snake.issuedAt = kNow;
  auto refused = signBinary(core, key_, snake);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kUsage);
  auto tiny = signOrDie(emptyModule(), key_, {});
  auto tv = verifyBinary(tiny, verifyAt(kNow, trusted()));
  ASSERT_TRUE(tv.ok()) << tv.message;
  EXPECT_TRUE(tv.claims->claims.grants.empty());
}

TEST_F(Claims, ResigningReplacesTheClaims) {
  auto original = fixtureCopy(dir_, "provider.wasm");
  auto first = signOrDie(original, other_, {"wasi:cli/stdout"});
  auto second = signOrDie(first, key_, {"wasi:cli/stderr@0.2.12"});
  EXPECT_EQ(countClaimsSections(second), 1u);
  EXPECT_EQ(second.size(), first.size() + 7);  // one grant, 7 bytes longer ("@0.2.12")
  auto v = verifyBinary(second, verifyAt(kNow, trusted()));
  ASSERT_TRUE(v.ok()) << v.message;
  ASSERT_EQ(v.claims->claims.grants.size(), 1u);
  EXPECT_EQ(v.claims->claims.grants[0].toString(), "wasi:cli/stderr@0.2.12");
  EXPECT_EQ(verifyBinary(second, verifyAt(kNow, std::vector{other_.publicKey()})).check,
            ClaimsCheck::kUntrustedIssuer);
}

TEST_F(Claims, GrantsAreNormalisedSortedAndDeduplicated) {
  auto signedBytes = signOrDie(emptyModule(), key_,
                               {"wasi:cli/stdout@0.2.*", "wasi:cli/stdout@0.2", "a:b/c@*",
                                "a:b/c", "wasi:cli/stdout@1", "wasi:cli/stdout@1.*.*"});
  auto v = verifyBinary(signedBytes, verifyAt(kNow));
  ASSERT_TRUE(v.ok()) << v.message;
  std::vector<std::string> grants;
  for (const auto& g : v.claims->claims.grants) grants.push_back(g.toString());
  EXPECT_EQ(grants, (std::vector<std::string>{"a:b/c", "wasi:cli/stdout@0.2.*",
                                              "wasi:cli/stdout@1.*"}));
}

// Flips every byte of a signed component (provider.wasm: a core module, other
// sections, two other custom sections, then the claims) and checks that
// verification fails with the check that fits the region.
TEST_F(Claims, FlippingAnyByteFailsWithTheRightCheck) {
  auto signedBytes = signOrDie(fixtureCopy(dir_, "provider.wasm"), key_, {"wasi:cli/stdout@0.2"},
                               kNow + 3600);
  auto list = walkSections(signedBytes);
  ASSERT_TRUE(list.ok());
  const Section* claims = claimsSection(*list);
  ASSERT_NE(claims, nullptr);
  const Section* coreModule = nullptr;
  const Section* producers = nullptr;
  for (const auto& s : list->sections) {
    if (s.id == 1 && !coreModule) coreModule = &s;
    if (s.id == 0 && s.name == "producers") producers = &s;
  }
  ASSERT_NE(coreModule, nullptr);
  ASSERT_NE(producers, nullptr);
  const size_t signatureStart = signedBytes.size() - kSignatureSize;

  std::map<std::string, std::set<ClaimsCheck>> seen;
  for (uint8_t mask : {uint8_t{0x01}, uint8_t{0x80}}) {
    for (size_t i = 0; i < signedBytes.size(); ++i) {
      auto bytes = signedBytes;
      bytes[i] ^= mask;
      auto v = verifyBinary(bytes, verifyAt(kNow, trusted()));
      ASSERT_FALSE(v.ok()) << "byte " << i << " mask " << int(mask) << " still verifies";
      ASSERT_FALSE(v.message.empty());
      std::string region;
      std::set<ClaimsCheck> allowed;
      if (i < kPreambleSize) {
        region = "preamble";
        allowed = {ClaimsCheck::kNotWasm, ClaimsCheck::kModified};
      } else if (i >= coreModule->payloadOffset && i < coreModule->end()) {
        region = "core module";
        allowed = {ClaimsCheck::kModified};
      } else if (i >= producers->contentOffset && i < producers->end()) {
        region = "producers section";
        allowed = {ClaimsCheck::kModified};
      } else if (i >= signatureStart) {
        region = "signature";
        allowed = {ClaimsCheck::kBadSignature};
      } else if (i >= claims->contentOffset) {
        region = "claims body";
        allowed = {ClaimsCheck::kBadSignature, ClaimsCheck::kMalformed};
      } else if (i >= claims->offset) {
        region = "claims header";
        allowed = {ClaimsCheck::kNotWasm, ClaimsCheck::kNotSigned, ClaimsCheck::kMalformed};
      } else {
        region = "other framing";
        allowed = {ClaimsCheck::kNotWasm, ClaimsCheck::kNotSigned, ClaimsCheck::kMalformed,
                   ClaimsCheck::kModified};
      }
      ASSERT_TRUE(allowed.count(v.check))
          << region << " byte " << i << ": " << claimsCheckName(v.check) << ": " << v.message;
      seen[region].insert(v.check);
    }
  }
  for (const char* region : {"preamble", "core module", "producers section", "signature",
                             "claims body", "claims header", "other framing"}) {
    EXPECT_FALSE(seen[region].empty()) << region;
  }
  // A core module byte: the component was modified after signing.
  auto bytes = signedBytes;
  bytes[coreModule->payloadOffset + 100] ^= 1;
  auto v = verifyBinary(bytes, verifyAt(kNow, trusted()));
  EXPECT_EQ(v.check, ClaimsCheck::kModified);
  EXPECT_NE(v.message.find("modified after signing"), std::string::npos) << v.message;
  // A signature byte.
  bytes = signedBytes;
  bytes[signatureStart + 10] ^= 1;
  v = verifyBinary(bytes, verifyAt(kNow, trusted()));
  EXPECT_EQ(v.check, ClaimsCheck::kBadSignature);
  EXPECT_NE(v.message.find("bad signature"), std::string::npos) << v.message;
  EXPECT_TRUE(v.claims.has_value());  // still printable
  // A grant byte inside the claims: the signature no longer matches.
  bytes = signedBytes;
  bytes[signatureStart - 3] ^= 1;
  EXPECT_EQ(verifyBinary(bytes, verifyAt(kNow, trusted())).check, ClaimsCheck::kBadSignature);
}

TEST_F(Claims, EveryTruncationFails) {
  auto signedBytes = signOrDie(fixtureCopy(dir_, "consumer.wasm"), key_, {"example:pair/math"});
  std::set<ClaimsCheck> seen;
  for (size_t n = 0; n < signedBytes.size(); ++n) {
    std::span<const uint8_t> cut(signedBytes.data(), n);
    auto v = verifyBinary(cut, verifyAt(kNow, trusted()));
    ASSERT_FALSE(v.ok()) << n;
    seen.insert(v.check);
  }
  EXPECT_TRUE(seen.count(ClaimsCheck::kNotWasm));
  EXPECT_TRUE(seen.count(ClaimsCheck::kNotSigned));  // cut right before the claims section
  EXPECT_EQ(seen.count(ClaimsCheck::kValid), 0u);
}

TEST_F(Claims, SectionsAfterTheClaimsMeanModified) {
  auto signedBytes = signOrDie(emptyModule(), key_, {});
  std::vector<uint8_t> extra;
  appendCustomSection(extra, "producers", toBytes("x"));
  signedBytes.insert(signedBytes.end(), extra.begin(), extra.end());
  auto v = verifyBinary(signedBytes, verifyAt(kNow, trusted()));
  EXPECT_EQ(v.check, ClaimsCheck::kModified);
  EXPECT_NE(v.message.find("follow the compono-claims section"), std::string::npos) << v.message;
}

TEST_F(Claims, TwoClaimsSectionsAreMalformed) {
  auto signedBytes = signOrDie(emptyModule(), key_, {});
  std::vector<uint8_t> doubled = signedBytes;
  doubled.insert(doubled.end(), signedBytes.begin() + kPreambleSize, signedBytes.end());
  auto v = verifyBinary(doubled, verifyAt(kNow, trusted()));
  EXPECT_EQ(v.check, ClaimsCheck::kMalformed);
  EXPECT_NE(v.message.find("2 compono-claims sections"), std::string::npos) << v.message;
  // Re-signing cleans it up.
  EXPECT_TRUE(verifyBinary(signOrDie(doubled, key_, {}), verifyAt(kNow, trusted())).ok());
}

TEST_F(Claims, NonMinimalSectionHeaderIsMalformed) {
  auto signedBytes = signOrDie(emptyModule(), key_, {});
  // Re-encode the section size with a padded LEB128 (one more byte).
  auto list = walkSections(signedBytes);
  ASSERT_TRUE(list.ok());
  const Section& s = list->sections.back();
  ASSERT_EQ(s.payloadOffset - s.offset, 3u);  // id + 2-byte size
  std::vector<uint8_t> padded(signedBytes.begin(), signedBytes.begin() + s.offset + 1);
  padded.push_back(signedBytes[s.offset + 1]);
  padded.push_back(signedBytes[s.offset + 2] | 0x80);
  padded.push_back(0x00);
  padded.insert(padded.end(), signedBytes.begin() + s.payloadOffset, signedBytes.end());
  auto v = verifyBinary(padded, verifyAt(kNow, trusted()));
  EXPECT_EQ(v.check, ClaimsCheck::kMalformed);
  EXPECT_NE(v.message.find("non-minimal"), std::string::npos) << v.message;
}

TEST_F(Claims, ExpiryUsesTheInjectedClock) {
  auto signedBytes = signOrDie(emptyModule(), key_, {}, kNow + 3600);
  EXPECT_TRUE(verifyBinary(signedBytes, verifyAt(kNow + 3599, trusted())).ok());
  auto v = verifyBinary(signedBytes, verifyAt(kNow + 3600 + 86400 * 2 + 60, trusted()));
  EXPECT_EQ(v.check, ClaimsCheck::kExpired);
  EXPECT_NE(v.message.find("expired at " + formatUnixTime(kNow + 3600)), std::string::npos)
      << v.message;
  EXPECT_NE(v.message.find("2d ago"), std::string::npos) << v.message;
  EXPECT_EQ(verifyBinary(signedBytes, verifyAt(kNow + 3600, trusted())).check,
            ClaimsCheck::kExpired);
  // Extreme clocks do not overflow.
  EXPECT_EQ(verifyBinary(signedBytes, verifyAt(INT64_MAX, trusted())).check,
            ClaimsCheck::kExpired);
  EXPECT_EQ(verifyBinary(signedBytes, verifyAt(INT64_MIN, trusted())).check,
            ClaimsCheck::kNotYetValid);
}

TEST_F(Claims, ClaimsFromTheFutureAreNotYetValid) {
  auto signedBytes = signOrDie(emptyModule(), key_, {}, {}, kNow + 1000);
  auto v = verifyBinary(signedBytes, verifyAt(kNow, trusted()));
  EXPECT_EQ(v.check, ClaimsCheck::kNotYetValid);
  EXPECT_NE(v.message.find("not valid yet"), std::string::npos) << v.message;
  // Within the allowed clock skew (300 s by default).
  EXPECT_TRUE(verifyBinary(signedBytes, verifyAt(kNow + 700, trusted())).ok());
}

TEST_F(Claims, UntrustedIssuerNamesTheIssuerAndTheFix) {
  auto signedBytes = signOrDie(emptyModule(), other_, {});
  auto v = verifyBinary(signedBytes, verifyAt(kNow, trusted()));
  EXPECT_EQ(v.check, ClaimsCheck::kUntrustedIssuer);
  std::string issuer = other_.publicKey().toString();
  EXPECT_NE(v.message.find("untrusted issuer: " + issuer), std::string::npos) << v.message;
  EXPECT_NE(v.message.find("--trust " + issuer), std::string::npos) << v.message;
  // An empty trusted set trusts nobody; no trusted set means "not checked".
  EXPECT_EQ(verifyBinary(signedBytes, verifyAt(kNow, std::vector<PublicKey>{})).check,
            ClaimsCheck::kUntrustedIssuer);
  auto unchecked = verifyBinary(signedBytes, verifyAt(kNow));
  EXPECT_TRUE(unchecked.ok());
  EXPECT_FALSE(unchecked.trustChecked);
}

TEST_F(Claims, UnsignedAndGarbageHaveTheirOwnChecks) {
  auto original = fixtureCopy(dir_, "consumer.wasm");
  auto v = verifyBinary(original, verifyAt(kNow, trusted()));
  EXPECT_EQ(v.check, ClaimsCheck::kNotSigned);
  EXPECT_NE(v.message.find("not signed"), std::string::npos);
  EXPECT_TRUE(v.actualSubject.has_value());
  for (std::string junk : {std::string(), std::string("\x13\x37garbage"), std::string("\0asm", 4),
                           std::string("\0asm\2\0\0\0", 8), std::string("\0asm\1\0\0\0\1\x10", 10)}) {
    auto g = verifyBinary(toBytes(junk), verifyAt(kNow, trusted()));
    EXPECT_EQ(g.check, ClaimsCheck::kNotWasm) << junk.size();
    EXPECT_NE(g.message.find("not a valid WebAssembly module or component"), std::string::npos)
        << g.message;
  }
}

TEST_F(Claims, EveryOutcomeHasADistinctMessage) {
  auto base = signOrDie(emptyModule(), key_, {}, kNow + 10);
  std::map<ClaimsCheck, std::string> messages;
  auto record = [&](const std::vector<uint8_t>& bytes, int64_t now) {
    auto v = verifyBinary(bytes, verifyAt(now, trusted()));
    messages[v.check] = v.message;
  };
  record(base, kNow);
  record(toBytes("nope"), kNow);
  record(emptyModule(), kNow);
  auto malformed = base;
  malformed[walkSections(base)->sections.back().contentOffset] = 9;  // the version byte
  record(malformed, kNow);
  auto badSig = base;
  badSig.back() ^= 1;
  record(badSig, kNow);
  auto modifiedInput = emptyModule();
  appendCustomSection(modifiedInput, "note", toBytes("a"));
  auto modified = signOrDie(modifiedInput, key_, {}, kNow + 10);
  modified[kPreambleSize + 6] = 'b';
  record(modified, kNow);
  record(base, kNow + 10);
  record(signOrDie(emptyModule(), key_, {}, {}, kNow + 5000), kNow);
  record(signOrDie(emptyModule(), other_, {}), kNow);
  ASSERT_EQ(messages.size(), 9u);
  EXPECT_TRUE(messages[ClaimsCheck::kValid].empty());
  EXPECT_NE(messages[ClaimsCheck::kMalformed].find("unsupported claims version 9"),
            std::string::npos)
      << messages[ClaimsCheck::kMalformed];
  std::set<std::string> distinct;
  for (const auto& [check, message] : messages) {
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
    distinct.insert(message);
  }
  EXPECT_EQ(distinct.size(), messages.size());
}

TEST_F(Claims, StatusCarriesTheFileName) {
  auto v = verifyBinary(emptyModule(), verifyAt(kNow, trusted()));
  auto s = v.status("app.wasm");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kCapability);
  EXPECT_EQ(s.error().message.rfind("app.wasm: not signed", 0), 0u) << s.error().message;
}

// ---- the content codec ----

class Codec : public ::testing::Test {
 protected:
  // The content (body + signature) of a freshly signed empty module.
  std::vector<uint8_t> content(std::vector<std::string> grants, std::optional<int64_t> expires = {},
                               std::string name = "") {
    ClaimsRequest r;
    r.grants = std::move(grants);
    r.issuedAt = kNow;
    r.expiresAt = expires;
    r.name = std::move(name);
    auto signedBytes = signBinary(emptyModule(), key_, r);
    EXPECT_TRUE(signedBytes.ok());
    auto list = walkSections(*signedBytes);
    const Section& s = list->sections.back();
    return {signedBytes->begin() + static_cast<ptrdiff_t>(s.contentOffset), signedBytes->end()};
  }
  std::string decodeError(const std::vector<uint8_t>& bytes) {
    auto d = decodeClaimsContent(bytes);
    return d.ok() ? "(decoded)" : d.error().message;
  }
  SecretKey key_ = testKey(3);
};

TEST_F(Codec, RoundTripsEveryField) {
  auto bytes = content({"b:c/d@1.2.3-rc.1+build.5", "a:b/c@0.2"}, kNow + 99, "my app 1.0");
  auto d = decodeClaimsContent(bytes);
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_EQ(d->claims.name, "my app 1.0");
  EXPECT_EQ(d->claims.expiresAt, kNow + 99);
  EXPECT_EQ(encodeClaimsBody(d->claims), d->body);
  ASSERT_EQ(d->claims.grants.size(), 2u);
  EXPECT_EQ(d->claims.grants[1].toString(), "b:c/d@1.2.3-rc.1+build.5");
}

TEST_F(Codec, RejectsNonCanonicalOrOutOfRangeFields) {
  auto good = content({"a:b/c", "d:e/f"});
  const size_t issuedAt = 1 + 32 + 32, flags = issuedAt + 8, count = flags + 1;
  auto bytes = good;
  bytes[0] = 2;
  EXPECT_NE(decodeError(bytes).find("unsupported claims version 2"), std::string::npos);
  bytes = good;
  bytes[flags] = 0x04;
  EXPECT_NE(decodeError(bytes).find("unknown flag bits"), std::string::npos);
  bytes = good;
  bytes[issuedAt + 7] = 0x80;  // negative
  EXPECT_NE(decodeError(bytes).find("outside years 1970..9999"), std::string::npos);
  bytes = good;
  bytes[count] = 3;  // one more grant than present
  EXPECT_NE(decodeError(bytes).find("truncated in grant"), std::string::npos);
  bytes = good;
  // grant_count:u16, then each grant as length:u16 + bytes ("a:b/c" is 5 bytes long).
  std::swap(bytes[count + 2 + 2], bytes[count + 2 + 2 + 5 + 2]);  // "a" <-> "d": d:b/c, a:e/f
  EXPECT_NE(decodeError(bytes).find("not sorted"), std::string::npos) << decodeError(bytes);
  bytes = good;
  bytes.insert(bytes.end() - kSignatureSize, 0x00);
  EXPECT_NE(decodeError(bytes).find("unexpected bytes after the grants"), std::string::npos);
  bytes = good;
  for (size_t i = 1; i <= 32; ++i) bytes[i] = 0;  // the issuer: a small-order point
  EXPECT_NE(decodeError(bytes).find("issuer"), std::string::npos);
  EXPECT_NE(decodeError({1, 2, 3}).find("truncated"), std::string::npos);
  // A grant that parses but is not in normal form.
  auto wild = content({"a:b/c@1.*"});
  std::string_view needle = "@1.*";
  auto pos = std::search(wild.begin(), wild.end(), needle.begin(), needle.end());
  ASSERT_NE(pos, wild.end());
  wild.erase(pos + 2, pos + 4);  // "@1": shorter by 2
  wild[count + 2] -= 2;         // fix the string length
  EXPECT_NE(decodeError(wild).find("not in normal form"), std::string::npos) << decodeError(wild);
}

TEST(SignBinary, RejectsBadRequests) {
  auto key = testKey(4);
  ClaimsRequest r;
  r.issuedAt = kNow;
  r.grants = {"wasi:cli/stdout@0.2.x"};
  auto bad = signBinary(emptyModule(), key, r);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kUsage);
  EXPECT_NE(bad.error().message.find("0.2.x"), std::string::npos);
  r.grants = {};
  r.expiresAt = kNow;
  EXPECT_EQ(signBinary(emptyModule(), key, r).error().code, ErrorCode::kUsage);
  r.expiresAt = {};
  r.name = "tab\there";
  EXPECT_NE(signBinary(emptyModule(), key, r).error().message.find("printable ASCII"),
            std::string::npos);
  r.name = "";
  auto notWasm = signBinary(toBytes("hello"), key, r);
  ASSERT_FALSE(notWasm.ok());
  EXPECT_EQ(notWasm.error().code, ErrorCode::kDecode);
}

}  // namespace
}  // namespace compono::capability::test
