// Constants and expected results of spec scripts (see wast_value.h).
#include "engine/wast/wast_value.h"

#include <cinttypes>
#include <cstdio>
#include <cstring>

#include "engine/wast/wast_literal.h"

namespace compono::engine::wast {

namespace {

Error badConst(const SExpr& e, const std::string& why) {
  return Error(ErrorCode::kDecode, "line " + std::to_string(e.line) + ": " + why);
}

struct Shape {
  std::string_view name;
  unsigned lanes;
  unsigned bits;
  bool isFloat;
};

constexpr Shape kShapes[] = {
    {"i8x16", 16, 8, false}, {"i16x8", 8, 16, false}, {"i32x4", 4, 32, false},
    {"i64x2", 2, 64, false}, {"f32x4", 4, 32, true},  {"f64x2", 2, 64, true},
};

const Shape* findShape(std::string_view name) {
  for (const Shape& s : kShapes) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

void storeLane(V128& v, unsigned laneBits, unsigned index, uint64_t bits) {
  unsigned bytes = laneBits / 8;
  for (unsigned b = 0; b < bytes; ++b) {
    v.bytes[index * bytes + b] = static_cast<uint8_t>(bits >> (8 * b));
  }
}

uint64_t loadLane(const V128& v, unsigned laneBits, unsigned index) {
  unsigned bytes = laneBits / 8;
  uint64_t out = 0;
  for (unsigned b = 0; b < bytes; ++b) {
    out |= static_cast<uint64_t>(v.bytes[index * bytes + b]) << (8 * b);
  }
  return out;
}

bool isNanPattern(std::string_view t) { return t == "nan:canonical" || t == "nan:arithmetic"; }

// One float literal or NaN pattern of `bits` (32 or 64) bits.
Result<FloatPattern> parseFloatPattern(const SExpr& atom, unsigned bits) {
  if (!atom.isAtom()) return badConst(atom, "expected a float literal");
  FloatPattern p;
  if (atom.text == "nan:canonical") {
    p.kind = FloatPattern::Kind::kCanonicalNan;
    return p;
  }
  if (atom.text == "nan:arithmetic") {
    p.kind = FloatPattern::Kind::kArithmeticNan;
    return p;
  }
  if (bits == 32) {
    auto v = parseF32(atom.text);
    if (!v) return badConst(atom, "malformed f32 literal '" + atom.text + "'");
    p.bits = *v;
  } else {
    auto v = parseF64(atom.text);
    if (!v) return badConst(atom, "malformed f64 literal '" + atom.text + "'");
    p.bits = *v;
  }
  return p;
}

bool floatMatches(const FloatPattern& p, uint64_t bits, unsigned width) {
  const uint64_t quiet = width == 32 ? 0x7FC00000ull : 0x7FF8000000000000ull;
  const uint64_t magnitude = width == 32 ? 0x7FFFFFFFull : 0x7FFFFFFFFFFFFFFFull;
  switch (p.kind) {
    case FloatPattern::Kind::kBits:
      return bits == p.bits;
    // Canonical NaN: quiet bit only, either sign (spec 4.3.3 "nan_N").
    case FloatPattern::Kind::kCanonicalNan:
      return (bits & magnitude) == quiet;
    // Arithmetic NaN: any NaN with the quiet bit set.
    case FloatPattern::Kind::kArithmeticNan:
      return (bits & quiet) == quiet;
  }
  return false;
}

Result<Val> parseV128(const SExpr& e) {
  if (e.size() < 2 || !e.items[1].isAtom()) return badConst(e, "v128.const needs a lane shape");
  const Shape* shape = findShape(e.items[1].text);
  if (!shape) return badConst(e, "unknown v128 shape '" + e.items[1].text + "'");
  if (e.size() != 2 + shape->lanes) {
    return badConst(e, "v128.const " + std::string(shape->name) + " needs " +
                           std::to_string(shape->lanes) + " lanes");
  }
  V128 v;
  for (unsigned i = 0; i < shape->lanes; ++i) {
    const SExpr& lane = e.items[2 + i];
    if (!lane.isAtom()) return badConst(lane, "a v128 lane must be a literal");
    std::optional<uint64_t> bits;
    if (!shape->isFloat) {
      bits = parseIntBits(lane.text, shape->bits);
    } else if (shape->bits == 32) {
      if (auto f = parseF32(lane.text)) bits = *f;
    } else {
      bits = parseF64(lane.text);
    }
    if (!bits) {
      return badConst(lane, "malformed " + std::string(shape->name) + " lane '" + lane.text + "'");
    }
    storeLane(v, shape->bits, i, *bits);
  }
  return Val::makeV128(v);
}

std::string oneAtom(const SExpr& e) {
  return e.size() == 2 && e.items[1].isAtom() ? e.items[1].text : "";
}

}  // namespace

Result<Val> parseConst(const SExpr& e) {
  std::string_view op = e.head();
  if (op.empty()) return badConst(e, "expected a constant like (i32.const 0)");
  if (op == "v128.const") return parseV128(e);
  if (op == "ref.null") {
    std::string heap = oneAtom(e);
    if (heap == "func" || heap == "nofunc") return Val::makeRef(ValType::kFuncRef, RefVal{});
    if (heap == "extern" || heap == "noextern") return Val::makeRef(ValType::kExternRef, RefVal{});
    return badConst(e, "ref.null " + heap + ": only func and extern references are supported");
  }
  if (op == "ref.extern") {
    auto v = parseI64(oneAtom(e));
    if (!v) return badConst(e, "ref.extern needs a number");
    return Val::makeRef(ValType::kExternRef, RefVal{false, *v});
  }
  std::string lit = oneAtom(e);
  if (op == "i32.const") {
    if (auto v = parseI32(lit)) return Val::makeI32(*v);
    return badConst(e, "malformed i32 literal '" + lit + "'");
  }
  if (op == "i64.const") {
    if (auto v = parseI64(lit)) return Val::makeI64(*v);
    return badConst(e, "malformed i64 literal '" + lit + "'");
  }
  if (op == "f32.const") {
    if (auto v = parseF32(lit)) return Val::makeF32Bits(*v);
    return badConst(e, "malformed f32 literal '" + lit + "'");
  }
  if (op == "f64.const") {
    if (auto v = parseF64(lit)) return Val::makeF64Bits(*v);
    return badConst(e, "malformed f64 literal '" + lit + "'");
  }
  return badConst(e, "unsupported constant (" + std::string(op) + " ...)");
}

Result<Expected> parseExpected(const SExpr& e) {
  std::string_view op = e.head();
  Expected x;
  if (op == "either") {
    x.kind = Expected::Kind::kEither;
    for (size_t i = 1; i < e.size(); ++i) {
      COMPONO_ASSIGN(Expected alt, parseExpected(e.items[i]));
      x.alternatives.push_back(std::move(alt));
    }
    if (x.alternatives.empty()) return badConst(e, "either needs at least one result");
    return x;
  }
  if ((op == "f32.const" || op == "f64.const") && e.size() == 2 && isNanPattern(e.items[1].text)) {
    x.kind = Expected::Kind::kFloat;
    x.type = op == "f32.const" ? ValType::kF32 : ValType::kF64;
    COMPONO_ASSIGN(FloatPattern p, parseFloatPattern(e.items[1], op == "f32.const" ? 32 : 64));
    x.lanes.push_back(p);
    return x;
  }
  if (op == "v128.const" && e.size() >= 2) {
    const Shape* shape = findShape(e.items[1].text);
    if (shape && shape->isFloat) {
      if (e.size() != 2 + shape->lanes) {
        return badConst(e, "v128.const " + std::string(shape->name) + " needs " +
                               std::to_string(shape->lanes) + " lanes");
      }
      x.kind = Expected::Kind::kV128Lanes;
      x.type = ValType::kV128;
      x.laneBits = shape->bits;
      for (unsigned i = 0; i < shape->lanes; ++i) {
        COMPONO_ASSIGN(FloatPattern p, parseFloatPattern(e.items[2 + i], shape->bits));
        x.lanes.push_back(p);
      }
      return x;
    }
  }
  if (op == "ref.null") {
    x.kind = Expected::Kind::kRefNull;
    if (e.size() == 1) {
      x.anyType = true;
      return x;
    }
    std::string heap = oneAtom(e);
    if (heap == "func" || heap == "nofunc") {
      x.type = ValType::kFuncRef;
    } else if (heap == "extern" || heap == "noextern") {
      x.type = ValType::kExternRef;
    } else {
      return badConst(e, "ref.null " + heap + ": only func and extern references are supported");
    }
    return x;
  }
  if (op == "ref.func") {
    // The script cannot name which function; any non-null funcref matches,
    // as in the reference interpreter.
    x.kind = Expected::Kind::kRefFunc;
    x.type = ValType::kFuncRef;
    return x;
  }
  if (op == "ref.extern") {
    x.kind = Expected::Kind::kRefExtern;
    x.type = ValType::kExternRef;
    if (e.size() == 1) {
      x.anyType = true;
      return x;
    }
    auto v = parseI64(oneAtom(e));
    if (!v) return badConst(e, "ref.extern needs a number");
    x.externBits = *v;
    return x;
  }
  if (op.substr(0, 4) == "ref.") {
    return badConst(e, "result pattern (" + std::string(op) +
                           ") needs GC or exception references, which the engine does not have");
  }
  COMPONO_ASSIGN(Val v, parseConst(e));
  x.kind = Expected::Kind::kExact;
  x.value = v;
  x.type = v.type;
  return x;
}

bool matches(const Expected& x, const Val& got) {
  switch (x.kind) {
    case Expected::Kind::kExact:
      if (got.type != x.value.type) return false;
      switch (got.type) {
        case ValType::kI32:
          return got.i32 == x.value.i32;
        case ValType::kI64:
          return got.i64 == x.value.i64;
        case ValType::kF32:
          return got.f32Bits() == x.value.f32Bits();
        case ValType::kF64:
          return got.f64Bits() == x.value.f64Bits();
        case ValType::kV128:
          return got.v128 == x.value.v128;
        case ValType::kFuncRef:
        case ValType::kExternRef:
          return got.ref == x.value.ref;
      }
      return false;
    case Expected::Kind::kFloat:
      if (got.type != x.type) return false;
      return x.type == ValType::kF32 ? floatMatches(x.lanes[0], got.f32Bits(), 32)
                                     : floatMatches(x.lanes[0], got.f64Bits(), 64);
    case Expected::Kind::kV128Lanes:
      if (got.type != ValType::kV128) return false;
      for (unsigned i = 0; i < x.lanes.size(); ++i) {
        if (!floatMatches(x.lanes[i], loadLane(got.v128, x.laneBits, i), x.laneBits)) return false;
      }
      return true;
    case Expected::Kind::kRefNull:
      if (got.type != ValType::kFuncRef && got.type != ValType::kExternRef) return false;
      return got.ref.null && (x.anyType || got.type == x.type);
    case Expected::Kind::kRefFunc:
      return got.type == ValType::kFuncRef && !got.ref.null;
    case Expected::Kind::kRefExtern:
      return got.type == ValType::kExternRef && !got.ref.null &&
             (x.anyType || got.ref.bits == x.externBits);
    case Expected::Kind::kEither:
      for (const Expected& alt : x.alternatives) {
        if (matches(alt, got)) return true;
      }
      return false;
  }
  return false;
}

namespace {

std::string describeFloat(uint64_t bits, unsigned width) {
  char buf[64];
  const unsigned mantissaBits = width == 32 ? 23 : 52;
  const uint64_t expMask = width == 32 ? 0x7F800000ull : 0x7FF0000000000000ull;
  const uint64_t mantissa = bits & ((uint64_t{1} << mantissaBits) - 1);
  const bool negative = (bits >> (width - 1)) & 1;
  if ((bits & expMask) == expMask && mantissa != 0) {
    snprintf(buf, sizeof buf, "%snan:0x%" PRIx64, negative ? "-" : "", mantissa);
    return buf;
  }
  if (width == 32) {
    uint32_t b = static_cast<uint32_t>(bits);
    float f;
    std::memcpy(&f, &b, 4);
    snprintf(buf, sizeof buf, "%.9g", static_cast<double>(f));
  } else {
    double d;
    std::memcpy(&d, &bits, 8);
    snprintf(buf, sizeof buf, "%.17g", d);
  }
  return buf;
}

}  // namespace

std::string describe(const Val& v) {
  char buf[64];
  switch (v.type) {
    case ValType::kI32:
      snprintf(buf, sizeof buf, "i32:%" PRIu32 " (0x%" PRIx32 ")", v.i32, v.i32);
      return buf;
    case ValType::kI64:
      snprintf(buf, sizeof buf, "i64:%" PRIu64 " (0x%" PRIx64 ")", v.i64, v.i64);
      return buf;
    case ValType::kF32:
      return "f32:" + describeFloat(v.f32Bits(), 32);
    case ValType::kF64:
      return "f64:" + describeFloat(v.f64Bits(), 64);
    case ValType::kV128: {
      std::string s = "v128:i32x4";
      for (unsigned i = 0; i < 4; ++i) {
        snprintf(buf, sizeof buf, " 0x%08" PRIx64, loadLane(v.v128, 32, i));
        s += buf;
      }
      return s;
    }
    case ValType::kFuncRef:
      return v.ref.null ? "ref.null func" : "ref.func";
    case ValType::kExternRef:
      if (v.ref.null) return "ref.null extern";
      return "ref.extern " + std::to_string(v.ref.bits);
  }
  return "?";
}

}  // namespace compono::engine::wast
