// Internal to src/capability: libsodium plumbing and byte helpers.
#pragma once

#include <sodium.h>

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "compono/result.h"

namespace compono::capability::internal {

// Initialises libsodium once (sodium_init is thread-safe and idempotent).
// Must precede any libsodium call that uses randomness or CPU dispatch.
Status ensureSodium();

// Incremental SHA-256 (libsodium crypto_hash_sha256).
class Sha256Hasher {
 public:
  Sha256Hasher() { crypto_hash_sha256_init(&state_); }
  void update(std::span<const uint8_t> bytes) {
    crypto_hash_sha256_update(&state_, bytes.data(), bytes.size());
  }
  void update(std::string_view text) {
    update({reinterpret_cast<const uint8_t*>(text.data()), text.size()});
  }
  std::array<uint8_t, 32> finish() {
    std::array<uint8_t, 32> out{};
    crypto_hash_sha256_final(&state_, out.data());
    return out;
  }

 private:
  crypto_hash_sha256_state state_;
};

// RFC 4648 base32, lowercase alphabet, no padding. Decoding accepts only
// the canonical encoding (unused trailing bits zero, exact length).
std::string base32Encode(std::span<const uint8_t> bytes);
std::optional<std::vector<uint8_t>> base32Decode(std::string_view text);

// Lowercase hex decoding of exactly out.size() bytes; false on anything else.
bool hexDecode(std::string_view text, std::span<uint8_t> out);

// `text` quoted for an error message: non-printable bytes as \xNN, cut at
// `max` bytes with "...". Untrusted text never reaches a terminal raw.
std::string quoted(std::string_view text, size_t max = 80);

}  // namespace compono::capability::internal
