// The claims section content, version 1 (format in compono/capability/claims.h).
#include <cstdio>
#include <cstring>

#include "capability/crypto.h"
#include "compono/capability/claims.h"

namespace compono::capability {

namespace {

constexpr uint8_t kFlagExpires = 1;
constexpr uint8_t kFlagName = 2;

void putU16(std::vector<uint8_t>& out, uint16_t v) {
  out.push_back(static_cast<uint8_t>(v));
  out.push_back(static_cast<uint8_t>(v >> 8));
}

void putI64(std::vector<uint8_t>& out, int64_t v) {
  auto u = static_cast<uint64_t>(v);
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<uint8_t>(u >> (8 * i)));
}

void putString(std::vector<uint8_t>& out, std::string_view s) {
  putU16(out, static_cast<uint16_t>(s.size()));
  out.insert(out.end(), s.begin(), s.end());
}

// A bounds-checked reader over the content; every failure names the field
// and its offset within the content.
class Reader {
 public:
  explicit Reader(std::span<const uint8_t> bytes) : bytes_(bytes) {}
  size_t pos() const { return pos_; }
  size_t left() const { return bytes_.size() - pos_; }

  Result<std::span<const uint8_t>> take(size_t n, const char* field) {
    if (n > left()) {
      return fail(std::string("truncated in ") + field + " (needs " + std::to_string(n) +
                  " bytes, " + std::to_string(left()) + " left)");
    }
    auto s = bytes_.subspan(pos_, n);
    pos_ += n;
    return s;
  }
  Result<uint8_t> u8(const char* field) {
    COMPONO_ASSIGN(auto s, take(1, field));
    return s[0];
  }
  Result<uint16_t> u16(const char* field) {
    COMPONO_ASSIGN(auto s, take(2, field));
    return static_cast<uint16_t>(s[0] | s[1] << 8);
  }
  Result<int64_t> i64(const char* field) {
    COMPONO_ASSIGN(auto s, take(8, field));
    uint64_t u = 0;
    for (int i = 0; i < 8; ++i) u |= static_cast<uint64_t>(s[i]) << (8 * i);
    return static_cast<int64_t>(u);
  }
  Result<std::string> str(const char* field) {
    COMPONO_ASSIGN(uint16_t len, u16(field));
    COMPONO_ASSIGN(auto s, take(len, field));
    return std::string(reinterpret_cast<const char*>(s.data()), s.size());
  }
  Error fail(const std::string& why) const { return failAt(pos_, why); }
  static Error failAt(size_t offset, const std::string& why) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "0x%zx", offset);
    return Error(ErrorCode::kCapability,
                 std::string("claims offset ") + buf + ": " + why);
  }

 private:
  std::span<const uint8_t> bytes_;
  size_t pos_ = 0;
};

bool isPrintableAscii(std::string_view s) {
  for (char c : s) {
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

}  // namespace

std::vector<uint8_t> encodeClaimsBody(const Claims& claims) {
  std::vector<uint8_t> out;
  out.push_back(kClaimsVersion);
  out.insert(out.end(), claims.issuer.bytes().begin(), claims.issuer.bytes().end());
  out.insert(out.end(), claims.subject.begin(), claims.subject.end());
  putI64(out, claims.issuedAt);
  uint8_t flags = (claims.expiresAt ? kFlagExpires : 0) | (claims.name.empty() ? 0 : kFlagName);
  out.push_back(flags);
  if (claims.expiresAt) putI64(out, *claims.expiresAt);
  if (!claims.name.empty()) putString(out, claims.name);
  putU16(out, static_cast<uint16_t>(claims.grants.size()));
  for (const auto& g : claims.grants) putString(out, g.toString());
  return out;
}

Result<SignedClaims> decodeClaimsContent(std::span<const uint8_t> content) {
  if (content.size() < kSignatureSize + 1) {
    return Reader::failAt(0, "truncated: " + std::to_string(content.size()) +
                                 " bytes cannot hold claims and a 64-byte signature");
  }
  SignedClaims out;
  auto bodyBytes = content.first(content.size() - kSignatureSize);
  std::memcpy(out.signature.data(), content.data() + bodyBytes.size(), kSignatureSize);
  out.body.assign(bodyBytes.begin(), bodyBytes.end());

  Reader r(bodyBytes);
  Claims& c = out.claims;
  COMPONO_ASSIGN(uint8_t version, r.u8("version"));
  if (version != kClaimsVersion) {
    return Reader::failAt(0, "unsupported claims version " + std::to_string(version) +
                                 " (this compono reads version " +
                                 std::to_string(kClaimsVersion) + ")");
  }
  size_t issuerAt = r.pos();
  COMPONO_ASSIGN(auto issuer, r.take(kPublicKeySize, "issuer"));
  auto key = PublicKey::fromBytes(issuer);
  if (!key.ok()) return Reader::failAt(issuerAt, "issuer: " + key.error().message);
  c.issuer = *key;
  COMPONO_ASSIGN(auto subject, r.take(c.subject.size(), "subject"));
  std::memcpy(c.subject.data(), subject.data(), c.subject.size());

  auto checkTime = [&](int64_t t, size_t at, const char* field) -> Status {
    if (t < 0 || t > kMaxTime) {
      return Reader::failAt(at, std::string(field) + " " + std::to_string(t) +
                                    " is outside years 1970..9999");
    }
    return okStatus();
  };
  size_t issuedAtPos = r.pos();
  COMPONO_ASSIGN(c.issuedAt, r.i64("issued_at"));
  COMPONO_TRY(checkTime(c.issuedAt, issuedAtPos, "issued_at"));
  size_t flagsPos = r.pos();
  COMPONO_ASSIGN(uint8_t flags, r.u8("flags"));
  if (flags & ~(kFlagExpires | kFlagName)) {
    return Reader::failAt(flagsPos, "unknown flag bits " + std::to_string(flags));
  }
  if (flags & kFlagExpires) {
    size_t at = r.pos();
    COMPONO_ASSIGN(int64_t expires, r.i64("expires_at"));
    COMPONO_TRY(checkTime(expires, at, "expires_at"));
    if (expires <= c.issuedAt) return Reader::failAt(at, "expires_at is not after issued_at");
    c.expiresAt = expires;
  }
  if (flags & kFlagName) {
    size_t at = r.pos();
    COMPONO_ASSIGN(c.name, r.str("name"));
    if (c.name.empty() || c.name.size() > kMaxNameLength || !isPrintableAscii(c.name)) {
      return Reader::failAt(at, "name must be 1.." + std::to_string(kMaxNameLength) +
                                    " bytes of printable ASCII");
    }
  }
  size_t countPos = r.pos();
  COMPONO_ASSIGN(uint16_t count, r.u16("grant count"));
  if (count > kMaxGrants) {
    return Reader::failAt(countPos, "grant count " + std::to_string(count) + " exceeds " +
                                        std::to_string(kMaxGrants));
  }
  for (uint16_t i = 0; i < count; ++i) {
    size_t at = r.pos();
    COMPONO_ASSIGN(std::string text, r.str("grant"));
    if (text.size() > kMaxGrantLength) {
      return Reader::failAt(at, "grant longer than " + std::to_string(kMaxGrantLength) +
                                    " bytes");
    }
    auto grant = InterfacePattern::parse(text);
    if (!grant.ok()) return Reader::failAt(at, "grant " + grant.error().message);
    if (grant->toString() != text) {
      return Reader::failAt(at, "grant " + internal::quoted(text) + " is not in normal form");
    }
    if (!c.grants.empty() && !(c.grants.back().toString() < text)) {
      return Reader::failAt(at, "grants are not sorted and unique");
    }
    c.grants.push_back(std::move(*grant));
  }
  if (r.left() != 0) {
    return r.fail(std::to_string(r.left()) + " unexpected bytes after the grants");
  }
  return out;
}

}  // namespace compono::capability
