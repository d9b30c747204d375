// Internal: SHA-256 (libsodium) for content addressing.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>

namespace compono::engine {

std::array<uint8_t, 32> sha256(std::span<const uint8_t> data);
std::string sha256Hex(std::span<const uint8_t> data);
std::string toHex(std::span<const uint8_t> data);

}  // namespace compono::engine
