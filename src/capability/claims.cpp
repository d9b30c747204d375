// Signing and verifying the claims section of a wasm binary.
#include "compono/capability/claims.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>

#include "capability/crypto.h"
#include "compono/capability/sections.h"

namespace compono::capability {

namespace {

bool isClaimsSection(const Section& s) { return s.id == 0 && s.name == kClaimsSectionName; }

std::string hexOffset(size_t offset) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%zx", offset);
  return buf;
}

// "3d 4h", "2h 5m", "7m 3s", "12s".
std::string formatDuration(int64_t seconds) {
  if (seconds < 0) seconds = 0;
  int64_t d = seconds / 86400, h = seconds / 3600 % 24, m = seconds / 60 % 60, s = seconds % 60;
  auto part = [](int64_t v, const char* unit) { return std::to_string(v) + unit; };
  if (d > 0) return part(d, "d") + (h ? " " + part(h, "h") : "");
  if (h > 0) return part(h, "h") + (m ? " " + part(m, "m") : "");
  if (m > 0) return part(m, "m") + (s ? " " + part(s, "s") : "");
  return part(s, "s");
}

// The signed message: the domain-separation context, then the body.
std::vector<uint8_t> signedMessage(std::span<const uint8_t> body) {
  std::vector<uint8_t> msg(kClaimsSignatureContext.begin(), kClaimsSignatureContext.end());
  msg.insert(msg.end(), body.begin(), body.end());
  return msg;
}

Sha256 hashWithout(std::span<const uint8_t> wasm, const SectionList& list) {
  internal::Sha256Hasher h;
  size_t from = 0;
  for (const auto& s : list.sections) {
    if (!isClaimsSection(s)) continue;
    h.update(wasm.subspan(from, s.offset - from));
    from = s.end();
  }
  h.update(wasm.subspan(from));
  return h.finish();
}

Result<SectionList> walk(std::span<const uint8_t> wasm) {
  auto list = walkSections(wasm);
  if (!list.ok()) {
    Error e = std::move(list).error();
    e.message = "not a valid WebAssembly module or component: " + e.message;
    return e;
  }
  return list;
}

}  // namespace

const char* claimsCheckName(ClaimsCheck check) {
  switch (check) {
    case ClaimsCheck::kValid: return "valid";
    case ClaimsCheck::kNotWasm: return "not-wasm";
    case ClaimsCheck::kNotSigned: return "not-signed";
    case ClaimsCheck::kMalformed: return "malformed";
    case ClaimsCheck::kBadSignature: return "bad-signature";
    case ClaimsCheck::kModified: return "modified";
    case ClaimsCheck::kExpired: return "expired";
    case ClaimsCheck::kNotYetValid: return "not-yet-valid";
    case ClaimsCheck::kUntrustedIssuer: return "untrusted-issuer";
  }
  return "unknown";
}

int64_t unixNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string formatUnixTime(int64_t seconds) {
  if (seconds < 0 || seconds > kMaxTime) return "@" + std::to_string(seconds);
  std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  if (!gmtime_r(&t, &tm)) return "@" + std::to_string(seconds);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string toHex(std::span<const uint8_t> bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (uint8_t b : bytes) {
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  return out;
}

Result<Sha256> subjectHash(std::span<const uint8_t> wasm) {
  COMPONO_ASSIGN(SectionList list, walk(wasm));
  return hashWithout(wasm, list);
}

Result<std::vector<uint8_t>> stripClaims(std::span<const uint8_t> wasm) {
  COMPONO_ASSIGN(SectionList list, walk(wasm));
  std::vector<uint8_t> out;
  out.reserve(wasm.size());
  size_t from = 0;
  for (const auto& s : list.sections) {
    if (!isClaimsSection(s)) continue;
    out.insert(out.end(), wasm.begin() + static_cast<ptrdiff_t>(from),
               wasm.begin() + static_cast<ptrdiff_t>(s.offset));
    from = s.end();
  }
  out.insert(out.end(), wasm.begin() + static_cast<ptrdiff_t>(from), wasm.end());
  return out;
}

Result<std::vector<uint8_t>> signBinary(std::span<const uint8_t> wasm, const SecretKey& key,
                                        const ClaimsRequest& request) {
  COMPONO_TRY(internal::ensureSodium());
  Claims claims;
  claims.issuer = key.publicKey();
  for (const auto& g : request.grants) {
    COMPONO_ASSIGN(InterfacePattern grant, InterfacePattern::parse(g));
    if (grant.toString().size() > kMaxGrantLength) {
      return Error(ErrorCode::kUsage, "grant " + internal::quoted(g) + " is longer than " +
                                          std::to_string(kMaxGrantLength) + " bytes");
    }
    claims.grants.push_back(std::move(grant));
  }
  std::sort(claims.grants.begin(), claims.grants.end(),
            [](const auto& a, const auto& b) { return a.toString() < b.toString(); });
  claims.grants.erase(std::unique(claims.grants.begin(), claims.grants.end()),
                      claims.grants.end());
  if (claims.grants.size() > kMaxGrants) {
    return Error(ErrorCode::kUsage, std::to_string(claims.grants.size()) + " grants; at most " +
                                        std::to_string(kMaxGrants) + " fit in the claims");
  }
  if (request.issuedAt < 0 || request.issuedAt > kMaxTime) {
    return Error(ErrorCode::kUsage, "issue time " + std::to_string(request.issuedAt) +
                                        " is outside years 1970..9999");
  }
  claims.issuedAt = request.issuedAt;
  if (request.expiresAt) {
    if (*request.expiresAt <= request.issuedAt) {
      return Error(ErrorCode::kUsage, "expiry " + formatUnixTime(*request.expiresAt) +
                                          " is not after the issue time " +
                                          formatUnixTime(request.issuedAt));
    }
    if (*request.expiresAt > kMaxTime) {
      return Error(ErrorCode::kUsage, "expiry is after the year 9999");
    }
    claims.expiresAt = request.expiresAt;
  }
  if (request.name.size() > kMaxNameLength ||
      !std::all_of(request.name.begin(), request.name.end(),
                   [](char c) { return c >= 0x20 && c <= 0x7e; })) {
    return Error(ErrorCode::kUsage, "name " + internal::quoted(request.name) + " must be at most " +
                                        std::to_string(kMaxNameLength) +
                                        " bytes of printable ASCII");
  }
  claims.name = request.name;

  COMPONO_ASSIGN(std::vector<uint8_t> out, stripClaims(wasm));
  COMPONO_ASSIGN(SectionList stripped, walk(out));
  claims.subject = hashWithout(out, stripped);
  std::vector<uint8_t> content = encodeClaimsBody(claims);
  Signature sig = key.sign(signedMessage(content));
  content.insert(content.end(), sig.begin(), sig.end());
  appendCustomSection(out, kClaimsSectionName, content);
  return out;
}

Status Verification::status(std::string_view where) const {
  if (ok()) return okStatus();
  return Error(ErrorCode::kCapability, std::string(where) + ": " + message);
}

Verification verifyBinary(std::span<const uint8_t> wasm, const VerifyOptions& options) {
  Verification v;
  v.trustChecked = options.trusted.has_value();
  auto fail = [&](ClaimsCheck check, std::string message) {
    v.check = check;
    v.message = std::move(message);
    return v;
  };
  auto list = walk(wasm);
  if (!list.ok()) return fail(ClaimsCheck::kNotWasm, list.error().message);
  v.actualSubject = hashWithout(wasm, *list);

  std::vector<const Section*> found;
  for (const auto& s : list->sections) {
    if (isClaimsSection(s)) found.push_back(&s);
  }
  if (found.empty()) {
    return fail(ClaimsCheck::kNotSigned,
                "not signed: no compono-claims section (sign it with `compono sign`)");
  }
  if (found.size() > 1) {
    return fail(ClaimsCheck::kMalformed,
                "malformed claims: " + std::to_string(found.size()) +
                    " compono-claims sections (at " + hexOffset(found[0]->offset) + " and " +
                    hexOffset(found[1]->offset) + "); a signed binary has exactly one");
  }
  const Section& section = *found[0];
  auto decoded = decodeClaimsContent(
      wasm.subspan(section.contentOffset, section.end() - section.contentOffset));
  if (!decoded.ok()) {
    return fail(ClaimsCheck::kMalformed, "malformed claims section at " +
                                             hexOffset(section.offset) + ": " +
                                             decoded.error().message);
  }
  v.claims = std::move(*decoded);
  const Claims& c = v.claims->claims;
  // Clamped so that the differences below cannot overflow (claims times are in [0, kMaxTime]).
  const int64_t now = std::clamp<int64_t>(options.now, -kMaxTime, 2 * kMaxTime);
  if (!section.canonical) {
    return fail(ClaimsCheck::kMalformed,
                "malformed claims section at " + hexOffset(section.offset) +
                    ": its header uses a non-minimal LEB128 encoding");
  }
  if (!c.issuer.verify(signedMessage(v.claims->body), v.claims->signature)) {
    return fail(ClaimsCheck::kBadSignature,
                "bad signature: the claims do not verify for issuer " + c.issuer.toString() +
                    " (the claims were altered after signing)");
  }
  if (section.end() != wasm.size()) {
    return fail(ClaimsCheck::kModified,
                "modified after signing: " + std::to_string(wasm.size() - section.end()) +
                    " bytes of sections follow the compono-claims section at " +
                    hexOffset(section.offset));
  }
  if (*v.actualSubject != c.subject) {
    return fail(ClaimsCheck::kModified,
                "modified after signing: the binary's SHA-256 (without claims) is " +
                    toHex(*v.actualSubject) + ", the claims were signed for " + toHex(c.subject));
  }
  if (c.expiresAt && now >= *c.expiresAt) {
    return fail(ClaimsCheck::kExpired, "claims expired at " + formatUnixTime(*c.expiresAt) +
                                           " (" + formatDuration(now - *c.expiresAt) +
                                           " ago); ask the issuer to sign it again");
  }
  if (c.issuedAt > now && c.issuedAt - now > options.clockSkew) {
    return fail(ClaimsCheck::kNotYetValid,
                "claims are not valid yet: issued at " + formatUnixTime(c.issuedAt) + ", " +
                    formatDuration(c.issuedAt - now) +
                    " in the future (check the clocks of the signer and this host)");
  }
  if (options.trusted &&
      std::find(options.trusted->begin(), options.trusted->end(), c.issuer) ==
          options.trusted->end()) {
    std::string issuer = c.issuer.toString();
    return fail(ClaimsCheck::kUntrustedIssuer,
                "untrusted issuer: " + issuer +
                    " is not among this host's trusted issuers; if you trust it, add it "
                    "(e.g. --trust " + issuer + ")");
  }
  v.check = ClaimsCheck::kValid;
  return v;
}

}  // namespace compono::capability
