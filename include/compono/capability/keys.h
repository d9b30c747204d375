// compono/capability/keys.h — ed25519 signing keys and their text forms.
//
// Public keys double as issuer IDs: a host trusts a component's claims only
// when the issuer's public key is in its trusted set (see claims.h).
//
// Text forms (stable, versioned by their prefixes):
//   public key   "compono1" + base32(key[32] || check[4])
//                  lowercase RFC 4648 alphabet (a-z, 2-7), no padding, 66 characters;
//                  check = the first 4 bytes of SHA-256("compono1" || key), so a mistyped
//                  issuer in a trust list is an error, not a different key.
//   secret key   a text file of lines; blank lines and lines starting with '#' are
//                  ignored; exactly one line
//                    compono-ed25519-secret-v1:<64 lowercase hex digits: the 32-byte seed>
//                  (`compono keys gen` also writes a comment naming the public key; that
//                  comment is informational and never trusted).
//
// Security contracts:
// - A SecretKey is move-only and wipes its seed (sodium_memzero) when destroyed.
// - writeSecretKeyFile creates the file with mode 0600 atomically: the key
//   appears complete or not at all, and never replaces an existing file unless
//   `overwrite` is set.
// - readSecretKeyFile refuses a file that group or others can access in any
//   way (mode & 077), or that is not a regular file, before reading a byte.
// - Public keys that are not valid ed25519 points (including small-order
//   points) are rejected by PublicKey::parse and PublicKey::fromBytes.
//
// Thread safety: all functions are reentrant; types are values.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "compono/result.h"

namespace compono::capability {

inline constexpr size_t kPublicKeySize = 32;
inline constexpr size_t kSeedSize = 32;
inline constexpr size_t kSignatureSize = 64;
inline constexpr std::string_view kPublicKeyPrefix = "compono1";
inline constexpr std::string_view kSecretKeyPrefix = "compono-ed25519-secret-v1:";

using Signature = std::array<uint8_t, kSignatureSize>;

class PublicKey {
 public:
  // The all-zero key; not a valid issuer (verification of anything fails).
  PublicKey() = default;

  // Parses the "compono1..." form; kUsage errors say what is wrong (prefix,
  // length, character, checksum, not a curve point).
  static Result<PublicKey> parse(std::string_view text);
  // Takes raw key bytes; fails (kCapability) when they are not a valid point.
  static Result<PublicKey> fromBytes(std::span<const uint8_t> bytes);

  const std::array<uint8_t, kPublicKeySize>& bytes() const { return bytes_; }
  // The "compono1..." form.
  std::string toString() const;

  // True when `signature` is a valid ed25519 signature of `message` by this key.
  bool verify(std::span<const uint8_t> message, const Signature& signature) const;

  friend bool operator==(const PublicKey&, const PublicKey&) = default;
  friend auto operator<=>(const PublicKey&, const PublicKey&) = default;

 private:
  std::array<uint8_t, kPublicKeySize> bytes_{};
};

class SecretKey {
 public:
  // A fresh key from the operating system's CSPRNG (libsodium randombytes).
  static Result<SecretKey> generate();
  // The key whose 32-byte seed is `seed` (deterministic; used by tests and fuzzers).
  static Result<SecretKey> fromSeed(std::span<const uint8_t> seed);
  // Parses the secret key file format above (the whole file's text). Errors
  // never include key material.
  static Result<SecretKey> parse(std::string_view text);

  SecretKey(SecretKey&& other) noexcept;
  SecretKey& operator=(SecretKey&& other) noexcept;
  SecretKey(const SecretKey&) = delete;
  SecretKey& operator=(const SecretKey&) = delete;
  ~SecretKey();

  const PublicKey& publicKey() const { return public_; }
  Signature sign(std::span<const uint8_t> message) const;
  // The file text: a comment with the public key, then the secret line.
  std::string toFileText() const;

 private:
  SecretKey() = default;
  void wipe();

  std::array<uint8_t, 64> secret_{};  // libsodium's expanded secret key (seed || public key)
  PublicKey public_;
};

// Writes `key` to `path` with mode 0600 (see the contract above). Without
// `overwrite`, an existing `path` is an error that says to pass --force.
Status writeSecretKeyFile(const std::string& path, const SecretKey& key, bool overwrite);

// Reads a secret key file; refuses group/other-accessible files with a
// message that says how to fix it (chmod 600 FILE).
Result<SecretKey> readSecretKeyFile(const std::string& path);

// Parses a trust list: one public key per line, optionally followed by
// whitespace and a note; blank lines and lines starting with '#' are
// ignored. Errors name the line. Duplicates are kept once.
Result<std::vector<PublicKey>> parseTrustList(std::string_view text);

// The issuers named by a host's trust settings (a --trust flag, a manifest's
// list): each entry is either a public key ("compono1...") or the path of a
// trust list file (parseTrustList). kUsage errors name the entry (and the
// line of a file); duplicates are kept once.
Result<std::vector<PublicKey>> loadTrustedIssuers(const std::vector<std::string>& entries);

}  // namespace compono::capability
