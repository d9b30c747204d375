// Internal: numeric literals of the WebAssembly text format (spec 6.3.1-6.3.2),
// as the .wast runner needs them for arguments and expected results.
//
// Integers: optional sign, decimal or 0x-hex digits, single '_' between
// digits. An unsigned literal may use the whole N-bit range, a signed one
// -2^(N-1) .. 2^(N-1)-1; the result is the two's-complement bit pattern.
// Floats: decimal or hex (0x1.8p3) with optional fraction and exponent, `inf`,
// `nan` and `nan:0xPAYLOAD`, each with an optional sign; rounding is to
// nearest, ties to even, and a value beyond the largest finite number rounds
// to infinity exactly as IEEE 754 prescribes. Every function returns nullopt
// for a malformed or out-of-range literal and never reads outside its input.
//
// Pure functions; thread safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace compono::engine::wast {

std::optional<uint32_t> parseI32(std::string_view s);
std::optional<uint64_t> parseI64(std::string_view s);
// An integer of `bits` bits (8, 16, 32 or 64), e.g. a v128 lane; the result
// holds the bit pattern in its low `bits` bits.
std::optional<uint64_t> parseIntBits(std::string_view s, unsigned bits);

// Bit patterns of f32 / f64 literals.
std::optional<uint32_t> parseF32(std::string_view s);
std::optional<uint64_t> parseF64(std::string_view s);

}  // namespace compono::engine::wast
