// Fuzzes the capability layer's parsers on arbitrary bytes: the top-level
// section walker, the claims content decoder, verification, and the text
// parsers (public keys, secret key files, trust lists, interface patterns).
// Properties checked beyond "no crash":
// - a decoded claims content re-encodes to the same body (the codec is canonical);
// - any walkable binary, once signed, verifies, and stripping its claims
//   gives back the binary without claims sections;
// - verification never reports kValid for input the fuzzer made up (it cannot
//   forge a signature) unless the input is a signed binary we produced.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "compono/capability/claims.h"
#include "compono/capability/interface_name.h"
#include "compono/capability/keys.h"
#include "compono/capability/policy.h"
#include "compono/capability/sections.h"

namespace cap = compono::capability;

namespace {

const cap::SecretKey& fuzzKey() {
  static const cap::SecretKey key = [] {
    std::array<uint8_t, cap::kSeedSize> seed{};
    seed.fill(0x42);
    return std::move(cap::SecretKey::fromSeed(seed)).value();
  }();
  return key;
}

void check(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> bytes(data, size);
  std::string_view text(reinterpret_cast<const char*>(data), size);
  constexpr int64_t kNow = 1'800'000'000;

  // The claims content decoder on the raw input.
  if (auto decoded = cap::decodeClaimsContent(bytes); decoded.ok()) {
    check(cap::encodeClaimsBody(decoded->claims) == decoded->body);
  }

  // Text parsers.
  (void)cap::PublicKey::parse(text);
  (void)cap::parseTrustList(text);
  (void)cap::SecretKey::parse(text);
  if (auto p = cap::InterfacePattern::parse(text); p.ok()) {
    auto again = cap::InterfacePattern::parse(p->toString());
    check(again.ok() && again->toString() == p->toString());
  }
  if (auto n = cap::ImportName::parse(text); n.ok()) {
    auto exact = cap::InterfacePattern::parse(n->toString());
    check(exact.ok() && exact->covers(*n));
  }

  // The walker and verification on the raw input.
  auto list = cap::walkSections(bytes);
  cap::VerifyOptions options;
  options.now = kNow;
  options.trusted = std::vector<cap::PublicKey>{fuzzKey().publicKey()};
  auto v = cap::verifyBinary(bytes, options);
  check(v.ok() || !v.message.empty());
  check(list.ok() == (v.check != cap::ClaimsCheck::kNotWasm));

  cap::LinkRequest request;
  request.component = "fuzz.wasm";
  request.trusted = *options.trusted;
  request.imports = {"wasi:cli/stdout@0.2.12", std::string(text.substr(0, 64))};
  request.provided = {"wasi:cli/stdout@0.2"};
  auto decision = cap::decideLinks(v, request);
  check(decision.imports.size() == request.imports.size());
  if (!list.ok()) return 0;

  // Signing any walkable binary yields one that verifies and strips back.
  cap::ClaimsRequest claims;
  claims.grants = {"wasi:cli/stdout@0.2"};
  claims.issuedAt = kNow;
  auto signedBytes = cap::signBinary(bytes, fuzzKey(), claims);
  check(signedBytes.ok());
  auto sv = cap::verifyBinary(*signedBytes, options);
  check(sv.ok());
  auto stripped = cap::stripClaims(bytes);
  check(stripped.ok() && *cap::stripClaims(*signedBytes) == *stripped);
  check(*cap::subjectHash(bytes) == sv.claims->claims.subject);
  auto linked = cap::decideLinks(sv, request);
  check(linked.imports[0].linked());
  return 0;
}
