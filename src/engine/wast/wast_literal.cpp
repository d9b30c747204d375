// Numeric literals of the text format (see wast_literal.h).
#include "engine/wast/wast_literal.h"

#include <locale.h>
#include <stdlib.h>

#include <cstring>
#include <string>

namespace compono::engine::wast {

namespace {

int digitValue(char c, unsigned base) {
  int v = -1;
  if (c >= '0' && c <= '9')
    v = c - '0';
  else if (c >= 'a' && c <= 'f')
    v = c - 'a' + 10;
  else if (c >= 'A' && c <= 'F')
    v = c - 'A' + 10;
  return v >= 0 && static_cast<unsigned>(v) < base ? v : -1;
}

// Length of the longest prefix of `s` that is `num` / `hexnum`:
// digit ('_'? digit)*. 0 when `s` does not start with a digit.
size_t scanDigits(std::string_view s, unsigned base) {
  size_t i = 0;
  if (s.empty() || digitValue(s[0], base) < 0) return 0;
  i = 1;
  while (i < s.size()) {
    if (digitValue(s[i], base) >= 0) {
      ++i;
    } else if (s[i] == '_' && i + 1 < s.size() && digitValue(s[i + 1], base) >= 0) {
      i += 2;
    } else {
      break;
    }
  }
  return i;
}

// The value of a whole `num`/`hexnum`, or nullopt on syntax error or overflow.
std::optional<uint64_t> digitsValue(std::string_view s, unsigned base) {
  if (s.empty() || scanDigits(s, base) != s.size()) return std::nullopt;
  uint64_t v = 0;
  for (char c : s) {
    if (c == '_') continue;
    uint64_t d = static_cast<uint64_t>(digitValue(c, base));
    if (v > (UINT64_MAX - d) / base) return std::nullopt;
    v = v * base + d;
  }
  return v;
}

struct Signed {
  bool hasSign = false;
  bool negative = false;
  std::string_view rest;
};

Signed splitSign(std::string_view s) {
  Signed out;
  out.rest = s;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    out.hasSign = true;
    out.negative = s[0] == '-';
    out.rest = s.substr(1);
  }
  return out;
}

bool startsWithHexPrefix(std::string_view s) { return s.size() >= 2 && s[0] == '0' && s[1] == 'x'; }

// A C locale for strtod_l: the decimal point must not depend on the
// embedder's locale. Created once; never modified afterwards.
locale_t cLocale() {
  static const locale_t loc = newlocale(LC_ALL_MASK, "C", static_cast<locale_t>(nullptr));
  return loc;
}

// Checks the grammar of a finite float literal without its sign:
//   num ('.' num?)? ([eE] sign? num)?  |  0x hexnum ('.' hexnum?)? ([pP] sign? num)?
bool isFiniteFloatSyntax(std::string_view s) {
  unsigned base = 10;
  char expChar = 'e';
  if (startsWithHexPrefix(s)) {
    base = 16;
    expChar = 'p';
    s = s.substr(2);
  }
  size_t n = scanDigits(s, base);
  if (n == 0) return false;
  s = s.substr(n);
  if (!s.empty() && s[0] == '.') {
    s = s.substr(1);
    s = s.substr(scanDigits(s, base));
  }
  if (!s.empty() && (s[0] == expChar || s[0] == expChar - 'a' + 'A')) {
    s = s.substr(1);
    if (!s.empty() && (s[0] == '+' || s[0] == '-')) s = s.substr(1);
    size_t e = scanDigits(s, 10);
    if (e == 0) return false;
    s = s.substr(e);
  }
  return s.empty();
}

template <typename Bits>
struct FloatTraits;
template <>
struct FloatTraits<uint32_t> {
  static constexpr unsigned kMantissaBits = 23;
  static constexpr uint32_t kSign = 0x80000000u;
  static constexpr uint32_t kExpMask = 0x7F800000u;
  static uint32_t fromText(const char* text, char** end) {
    float f = strtof_l(text, end, cLocale());
    uint32_t b;
    std::memcpy(&b, &f, 4);
    return b;
  }
};
template <>
struct FloatTraits<uint64_t> {
  static constexpr unsigned kMantissaBits = 52;
  static constexpr uint64_t kSign = 0x8000000000000000ull;
  static constexpr uint64_t kExpMask = 0x7FF0000000000000ull;
  static uint64_t fromText(const char* text, char** end) {
    double d = strtod_l(text, end, cLocale());
    uint64_t b;
    std::memcpy(&b, &d, 8);
    return b;
  }
};

template <typename Bits>
std::optional<Bits> parseFloat(std::string_view s) {
  using T = FloatTraits<Bits>;
  const Bits mantissaMask = (Bits{1} << T::kMantissaBits) - 1;
  Signed sg = splitSign(s);
  Bits sign = sg.negative ? T::kSign : 0;
  std::string_view r = sg.rest;
  if (r == "inf") return sign | T::kExpMask;
  if (r == "nan") return sign | T::kExpMask | (Bits{1} << (T::kMantissaBits - 1));
  if (r.substr(0, 4) == "nan:") {
    std::string_view p = r.substr(4);
    if (!startsWithHexPrefix(p)) return std::nullopt;
    auto payload = digitsValue(p.substr(2), 16);
    if (!payload || *payload == 0 || *payload > mantissaMask) return std::nullopt;
    return sign | T::kExpMask | static_cast<Bits>(*payload);
  }
  if (!isFiniteFloatSyntax(r)) return std::nullopt;
  std::string clean;
  clean.reserve(s.size());
  for (char c : s) {
    if (c != '_') clean += c;
  }
  char* end = nullptr;
  Bits bits = T::fromText(clean.c_str(), &end);
  if (end != clean.c_str() + clean.size()) return std::nullopt;
  return bits;
}

}  // namespace

std::optional<uint64_t> parseIntBits(std::string_view s, unsigned bits) {
  if (bits == 0 || bits > 64) return std::nullopt;
  Signed sg = splitSign(s);
  std::optional<uint64_t> v =
      startsWithHexPrefix(sg.rest) ? digitsValue(sg.rest.substr(2), 16) : digitsValue(sg.rest, 10);
  if (!v) return std::nullopt;
  const uint64_t mask = bits == 64 ? UINT64_MAX : (uint64_t{1} << bits) - 1;
  const uint64_t half = uint64_t{1} << (bits - 1);  // 2^(N-1)
  if (!sg.hasSign) {
    if (*v > mask) return std::nullopt;
    return *v;
  }
  if (sg.negative) {
    if (*v > half) return std::nullopt;
    return (0 - *v) & mask;
  }
  if (*v >= half) return std::nullopt;
  return *v;
}

std::optional<uint32_t> parseI32(std::string_view s) {
  auto v = parseIntBits(s, 32);
  if (!v) return std::nullopt;
  return static_cast<uint32_t>(*v);
}

std::optional<uint64_t> parseI64(std::string_view s) { return parseIntBits(s, 64); }

std::optional<uint32_t> parseF32(std::string_view s) { return parseFloat<uint32_t>(s); }
std::optional<uint64_t> parseF64(std::string_view s) { return parseFloat<uint64_t>(s); }

}  // namespace compono::engine::wast
