// Internal: the values of a spec script — constant arguments of `invoke` and
// the expected results of `assert_return`, with the patterns the spec
// interpreter allows there (nan:canonical, nan:arithmetic, v128 lane
// patterns, `either`, reference patterns).
//
// Pure functions over values; thread safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "compono/engine/types.h"
#include "compono/result.h"
#include "engine/wast/wast_lexer.h"

namespace compono::engine::wast {

// A constant argument: (i32.const N), (i64.const N), (f32.const X),
// (f64.const X), (v128.const SHAPE LANES...), (ref.null func|extern),
// (ref.extern N). Errors say which constant is malformed or unsupported.
Result<Val> parseConst(const SExpr& e);

// One expected float (or float lane) of an assert_return.
struct FloatPattern {
  enum class Kind : uint8_t { kBits, kCanonicalNan, kArithmeticNan };
  Kind kind = Kind::kBits;
  uint64_t bits = 0;  // kBits: the exact bit pattern (NaN payloads and -0 included)
};

// One expected result of an assert_return.
struct Expected {
  enum class Kind : uint8_t {
    kExact,      // value: compared bit for bit
    kFloat,      // type (f32/f64) and lanes[0]
    kV128Lanes,  // v128 given as float lanes, some of which may be NaN patterns
    kRefNull,    // a null reference; type set unless `anyType`
    kRefFunc,    // any non-null funcref
    kRefExtern,  // a non-null externref; `externBits` unless `anyType`
    kEither,     // any of `alternatives`
  };
  Kind kind = Kind::kExact;
  Val value;
  ValType type = ValType::kI32;
  bool anyType = false;
  unsigned laneBits = 0;  // kV128Lanes: 32 or 64
  std::vector<FloatPattern> lanes;
  uint64_t externBits = 0;
  std::vector<Expected> alternatives;
};

// Parses one expected result. Errors name the unsupported construct (for
// instance the GC patterns ref.struct / ref.array / ref.i31, which the
// engine has no values for).
Result<Expected> parseExpected(const SExpr& e);

bool matches(const Expected& expected, const Val& got);

// "i32:42", "f32:nan:0x200000", "f64:-0x1.8p+1", "v128:i32x4 0x... ", ...
// precise enough that two different bit patterns never print the same.
std::string describe(const Val& v);

}  // namespace compono::engine::wast
