#include "compono/component/value.h"

namespace compono::component {

const char* valueKindName(ValueKind kind) {
  switch (kind) {
    case ValueKind::kBool: return "bool";
    case ValueKind::kS8: return "s8";
    case ValueKind::kU8: return "u8";
    case ValueKind::kS16: return "s16";
    case ValueKind::kU16: return "u16";
    case ValueKind::kS32: return "s32";
    case ValueKind::kU32: return "u32";
    case ValueKind::kS64: return "s64";
    case ValueKind::kU64: return "u64";
    case ValueKind::kF32: return "f32";
    case ValueKind::kF64: return "f64";
    case ValueKind::kChar: return "char";
    case ValueKind::kString: return "string";
    case ValueKind::kList: return "list";
    case ValueKind::kRecord: return "record";
    case ValueKind::kTuple: return "tuple";
    case ValueKind::kVariant: return "variant";
    case ValueKind::kEnum: return "enum";
    case ValueKind::kOption: return "option";
    case ValueKind::kResult: return "result";
    case ValueKind::kFlags: return "flags";
    case ValueKind::kOwn: return "own handle";
    case ValueKind::kBorrow: return "borrow handle";
  }
  return "?";
}

bool operator==(const Value& a, const Value& b) {
  if (a.kind != b.kind) return false;
  switch (a.kind) {
    case ValueKind::kS8:
    case ValueKind::kS16:
    case ValueKind::kS32:
    case ValueKind::kS64: return a.s == b.s;
    case ValueKind::kF32: return a.f32 == b.f32 || (a.f32 != a.f32 && b.f32 != b.f32);
    case ValueKind::kF64: return a.f64 == b.f64 || (a.f64 != a.f64 && b.f64 != b.f64);
    case ValueKind::kString: return a.str == b.str;
    case ValueKind::kList:
    case ValueKind::kRecord:
    case ValueKind::kTuple: return a.items == b.items;
    case ValueKind::kVariant:
    case ValueKind::kEnum:
    case ValueKind::kOption:
    case ValueKind::kResult: return a.discriminant == b.discriminant && a.items == b.items;
    case ValueKind::kFlags: return a.flags == b.flags;
    case ValueKind::kOwn:
    case ValueKind::kBorrow: return a.handle == b.handle;
    default: return a.u == b.u;
  }
}

}  // namespace compono::component
