// compono/component/value.h — dynamically typed component-model values.
//
// A Value is what crosses a component boundary: the arguments and results of
// component functions, independent of any guest's memory layout. Its type is
// a wit::Type of some wit::Model (the canonical ABI lifts and lowers between
// Values and guest memory). Values are plain data: copyable, movable, safe to
// move between threads.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace compono::component {

enum class ValueKind : uint8_t {
  kBool,
  kS8,
  kU8,
  kS16,
  kU16,
  kS32,
  kU32,
  kS64,
  kU64,
  kF32,
  kF64,
  kChar,
  kString,
  kList,
  kRecord,   // items: the fields, in declaration order
  kTuple,    // items: the elements
  kVariant,  // discriminant: the case; items: the payload (0 or 1 element)
  kEnum,     // discriminant: the case
  kOption,   // discriminant: 0 none, 1 some; items: the payload when some
  kResult,   // discriminant: 0 ok, 1 err; items: the payload when the case has one
  kFlags,    // flags: one bool per label, in declaration order
  kOwn,      // handle: the resource representation seen by the host
  kBorrow,
};

const char* valueKindName(ValueKind kind);

class Value {
 public:
  ValueKind kind = ValueKind::kBool;
  // Scalars. Integers of every width live in `s` (signed kinds) or `u`
  // (unsigned kinds, bool and char); floats in f32/f64.
  int64_t s = 0;
  uint64_t u = 0;
  float f32 = 0;
  double f64 = 0;
  std::string str;           // kString (UTF-8)
  std::vector<Value> items;  // list, record, tuple, and payloads
  uint32_t discriminant = 0;
  std::vector<bool> flags;
  uint32_t handle = 0;  // kOwn/kBorrow: the resource rep (host side)

  static Value boolean(bool b) {
    Value v;
    v.kind = ValueKind::kBool;
    v.u = b;
    return v;
  }
  static Value s8(int8_t x) { return sint(ValueKind::kS8, x); }
  static Value s16(int16_t x) { return sint(ValueKind::kS16, x); }
  static Value s32(int32_t x) { return sint(ValueKind::kS32, x); }
  static Value s64(int64_t x) { return sint(ValueKind::kS64, x); }
  static Value u8(uint8_t x) { return uint(ValueKind::kU8, x); }
  static Value u16(uint16_t x) { return uint(ValueKind::kU16, x); }
  static Value u32(uint32_t x) { return uint(ValueKind::kU32, x); }
  static Value u64(uint64_t x) { return uint(ValueKind::kU64, x); }
  static Value float32(float x) {
    Value v;
    v.kind = ValueKind::kF32;
    v.f32 = x;
    return v;
  }
  static Value float64(double x) {
    Value v;
    v.kind = ValueKind::kF64;
    v.f64 = x;
    return v;
  }
  static Value character(char32_t c) {
    Value v;
    v.kind = ValueKind::kChar;
    v.u = c;
    return v;
  }
  static Value string(std::string s) {
    Value v;
    v.kind = ValueKind::kString;
    v.str = std::move(s);
    return v;
  }
  static Value list(std::vector<Value> xs) { return compound(ValueKind::kList, std::move(xs)); }
  static Value record(std::vector<Value> fields) {
    return compound(ValueKind::kRecord, std::move(fields));
  }
  static Value tuple(std::vector<Value> xs) { return compound(ValueKind::kTuple, std::move(xs)); }
  static Value variant(uint32_t c, std::vector<Value> payload = {}) {
    Value v = compound(ValueKind::kVariant, std::move(payload));
    v.discriminant = c;
    return v;
  }
  static Value enumCase(uint32_t c) {
    Value v;
    v.kind = ValueKind::kEnum;
    v.discriminant = c;
    return v;
  }
  static Value none() {
    Value v;
    v.kind = ValueKind::kOption;
    return v;
  }
  static Value some(Value x) {
    Value v = compound(ValueKind::kOption, {std::move(x)});
    v.discriminant = 1;
    return v;
  }
  static Value ok(std::vector<Value> payload = {}) {
    return compound(ValueKind::kResult, std::move(payload));
  }
  static Value err(std::vector<Value> payload = {}) {
    Value v = compound(ValueKind::kResult, std::move(payload));
    v.discriminant = 1;
    return v;
  }
  static Value flagSet(std::vector<bool> f) {
    Value v;
    v.kind = ValueKind::kFlags;
    v.flags = std::move(f);
    return v;
  }
  static Value own(uint32_t rep) {
    Value v;
    v.kind = ValueKind::kOwn;
    v.handle = rep;
    return v;
  }
  static Value borrow(uint32_t rep) {
    Value v;
    v.kind = ValueKind::kBorrow;
    v.handle = rep;
    return v;
  }

  friend bool operator==(const Value& a, const Value& b);

 private:
  static Value sint(ValueKind k, int64_t x) {
    Value v;
    v.kind = k;
    v.s = x;
    return v;
  }
  static Value uint(ValueKind k, uint64_t x) {
    Value v;
    v.kind = k;
    v.u = x;
    return v;
  }
  static Value compound(ValueKind k, std::vector<Value> xs) {
    Value v;
    v.kind = k;
    v.items = std::move(xs);
    return v;
  }
};

}  // namespace compono::component
