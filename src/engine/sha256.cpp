#include "engine/sha256.h"

#include <sodium.h>

namespace compono::engine {

std::array<uint8_t, 32> sha256(std::span<const uint8_t> data) {
  std::array<uint8_t, 32> out;
  crypto_hash_sha256(out.data(), data.data(), data.size());
  return out;
}

std::string toHex(std::span<const uint8_t> data) {
  static const char* kDigits = "0123456789abcdef";
  std::string s;
  s.reserve(data.size() * 2);
  for (uint8_t b : data) {
    s += kDigits[b >> 4];
    s += kDigits[b & 15];
  }
  return s;
}

std::string sha256Hex(std::span<const uint8_t> data) {
  auto h = sha256(data);
  return toHex(h);
}

}  // namespace compono::engine
