// compono/capability/claims.h — signed claims embedded in components and core modules.
//
// A component (or a core module: the framing is the same, see sections.h)
// carries its claims in ONE top-level custom section named "compono-claims",
// which must be the last section of the binary. The claims say who signed
// the binary (the issuer's public key), which binary (the subject: SHA-256 of
// the binary with every top-level "compono-claims" section removed), what it
// may import (grants: interface patterns, interface_name.h), and when they
// are valid.
//
// Section content, version 1 (all integers little-endian, no padding):
//   content   = body signature[64]
//   body      = version:u8 (= 1)
//               issuer[32]                  ed25519 public key
//               subject[32]                 SHA-256, see above
//               issued_at:i64               Unix seconds, UTC
//               flags:u8                    bit 0: expires_at follows; bit 1: name follows;
//                                           other bits must be 0
//               [expires_at:i64]            > issued_at
//               [name:str]                  printable ASCII, 1..256 bytes
//               grant_count:u16             <= 1024
//               grant:str * grant_count     normalised patterns, strictly ascending bytewise
//   str       = length:u16 bytes[length]
//   signature = ed25519 over ("compono-claims-v1\n" || body)
// Times lie in [0, 253402300799] (years 1970..9999). The encoding is
// canonical: a decoder accepts exactly the bytes the encoder produces, and
// the section header must use minimal LEB128s. Together with "one section,
// last", this makes the whole signed binary a function of the signed data:
// changing any byte of it makes verification fail.
//
// Security contracts:
// - verifyBinary checks, in order: wasm framing, presence, encoding,
//   signature, subject, validity period, and (when a trusted set is given)
//   the issuer. The first failure decides the outcome; each outcome has its
//   own ClaimsCheck and one-line message.
// - Nothing here trusts the claims' contents before the signature verifies,
//   except for printing them (Verification::claims is filled as soon as the
//   section decodes, so tools can show what a rejected section says).
//
// Thread safety: reentrant; no shared state.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "compono/capability/interface_name.h"
#include "compono/capability/keys.h"
#include "compono/result.h"

namespace compono::capability {

inline constexpr std::string_view kClaimsSectionName = "compono-claims";
inline constexpr uint8_t kClaimsVersion = 1;
inline constexpr std::string_view kClaimsSignatureContext = "compono-claims-v1\n";
inline constexpr size_t kMaxGrants = 1024;
inline constexpr size_t kMaxGrantLength = 512;
inline constexpr size_t kMaxNameLength = 256;
inline constexpr int64_t kMaxTime = 253402300799;  // 9999-12-31T23:59:59Z

using Sha256 = std::array<uint8_t, 32>;

struct Claims {
  PublicKey issuer;
  Sha256 subject{};
  int64_t issuedAt = 0;
  std::optional<int64_t> expiresAt;
  std::string name;  // empty: none
  std::vector<InterfacePattern> grants;  // normalised, strictly ascending by toString()
};

struct SignedClaims {
  Claims claims;
  Signature signature{};
  std::vector<uint8_t> body;  // the exact signed bytes
};

// Encodes the body. Precondition: `claims` satisfies the format's rules
// (buildClaims below guarantees it).
std::vector<uint8_t> encodeClaimsBody(const Claims& claims);
// Decodes a section's content (body + signature) strictly; kCapability
// errors name the field and the offset within the content. Does not verify.
Result<SignedClaims> decodeClaimsContent(std::span<const uint8_t> content);

// What to sign.
struct ClaimsRequest {
  std::vector<std::string> grants;  // patterns as typed; normalised, sorted, deduplicated
  int64_t issuedAt = 0;             // Unix seconds
  std::optional<int64_t> expiresAt;
  std::string name;
};

// SHA-256 of `wasm` without its top-level "compono-claims" sections.
Result<Sha256> subjectHash(std::span<const uint8_t> wasm);
// `wasm` without its top-level "compono-claims" sections.
Result<std::vector<uint8_t>> stripClaims(std::span<const uint8_t> wasm);

// Returns `wasm` with any existing claims replaced by new claims signed with
// `key`: the stripped binary followed by one "compono-claims" section.
// Errors: kDecode (not a wasm binary), kUsage (a bad grant, name or time).
Result<std::vector<uint8_t>> signBinary(std::span<const uint8_t> wasm, const SecretKey& key,
                                        const ClaimsRequest& request);

enum class ClaimsCheck : uint8_t {
  kValid,
  kNotWasm,          // the bytes are not a wasm module or component
  kNotSigned,        // no "compono-claims" section
  kMalformed,        // a claims section that does not decode, or more than one
  kBadSignature,     // the signature does not verify for the issuer
  kModified,         // subject mismatch, or sections after the claims: modified after signing
  kExpired,          // now >= expires_at
  kNotYetValid,      // issued_at lies further in the future than the allowed clock skew
  kUntrustedIssuer,  // a trusted set was given and does not contain the issuer
};

// "valid", "not-wasm", "not-signed", "malformed", "bad-signature", "modified",
// "expired", "not-yet-valid", "untrusted-issuer".
const char* claimsCheckName(ClaimsCheck check);

struct VerifyOptions {
  int64_t now = 0;           // Unix seconds (callers pass unixNow(); tests inject)
  int64_t clockSkew = 300;   // seconds issued_at may lie in the future
  // The issuers this host trusts. nullopt: trust is not checked (inspection only;
  // a result of kValid then says nothing about the issuer).
  std::optional<std::vector<PublicKey>> trusted;
};

struct Verification {
  ClaimsCheck check = ClaimsCheck::kNotWasm;
  std::string message;                 // one line without the file name; empty when valid
  std::optional<SignedClaims> claims;  // set whenever the section decoded
  std::optional<Sha256> actualSubject; // set whenever the framing walked
  bool trustChecked = false;           // true when options.trusted was given

  bool ok() const { return check == ClaimsCheck::kValid; }
  // okStatus() when valid, else a kCapability error "WHERE: message".
  Status status(std::string_view where) const;
};

Verification verifyBinary(std::span<const uint8_t> wasm, const VerifyOptions& options);

// The current time in Unix seconds.
int64_t unixNow();
// "2026-11-26T04:25:00Z" (times outside [0, kMaxTime] print as "@<seconds>").
std::string formatUnixTime(int64_t seconds);
// Lowercase hex.
std::string toHex(std::span<const uint8_t> bytes);

}  // namespace compono::capability
