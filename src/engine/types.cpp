#include "compono/engine/types.h"

#include <cinttypes>
#include <cstdio>

namespace compono::engine {

const char* valTypeName(ValType t) {
  switch (t) {
    case ValType::kI32: return "i32";
    case ValType::kI64: return "i64";
    case ValType::kF32: return "f32";
    case ValType::kF64: return "f64";
    case ValType::kV128: return "v128";
    case ValType::kFuncRef: return "funcref";
    case ValType::kExternRef: return "externref";
  }
  return "?";
}

const char* externKindName(ExternKind k) {
  switch (k) {
    case ExternKind::kFunc: return "func";
    case ExternKind::kTable: return "table";
    case ExternKind::kMemory: return "memory";
    case ExternKind::kGlobal: return "global";
    case ExternKind::kTag: return "tag";
  }
  return "?";
}

std::string Val::toString() const {
  char buf[96];
  switch (type) {
    case ValType::kI32:
      snprintf(buf, sizeof buf, "i32:%" PRId32, static_cast<int32_t>(i32));
      return buf;
    case ValType::kI64:
      snprintf(buf, sizeof buf, "i64:%" PRId64, static_cast<int64_t>(i64));
      return buf;
    case ValType::kF32:
      snprintf(buf, sizeof buf, "f32:%.9g", static_cast<double>(f32));
      return buf;
    case ValType::kF64:
      snprintf(buf, sizeof buf, "f64:%.17g", f64);
      return buf;
    case ValType::kV128: {
      std::string s = "v128:0x";
      for (int i = 15; i >= 0; --i) {
        snprintf(buf, sizeof buf, "%02x", v128.bytes[i]);
        s += buf;
      }
      return s;
    }
    case ValType::kFuncRef:
      if (ref.null) return "ref.null func";
      snprintf(buf, sizeof buf, "funcref:%" PRIu64, ref.bits);
      return buf;
    case ValType::kExternRef:
      if (ref.null) return "ref.null extern";
      snprintf(buf, sizeof buf, "externref:%" PRIu64, ref.bits);
      return buf;
  }
  return "?";
}

static std::string typeList(const std::vector<ValType>& ts) {
  std::string s = "(";
  for (size_t i = 0; i < ts.size(); ++i) {
    if (i) s += ", ";
    s += valTypeName(ts[i]);
  }
  return s + ")";
}

std::string FuncType::toString() const { return typeList(params) + " -> " + typeList(results); }

static std::string limitsString(const Limits& l, const char* unit) {
  std::string s = std::to_string(l.min);
  if (l.max) s += ".." + std::to_string(*l.max);
  s += std::string(" ") + unit;
  if (l.is64) s += " (64-bit)";
  if (l.shared) s += " shared";
  return s;
}

std::string ExternType::toString() const {
  switch (kind) {
    case ExternKind::kFunc: return "func " + func.toString();
    case ExternKind::kTable:
      return std::string("table ") + valTypeName(table.element) + " " +
             limitsString(table.limits, "elements");
    case ExternKind::kMemory: return "memory " + limitsString(memory.limits, "pages");
    case ExternKind::kGlobal:
      return std::string("global ") + (global.mutable_ ? "mut " : "") + valTypeName(global.type);
    case ExternKind::kTag: return "tag " + func.toString();
  }
  return "?";
}

}  // namespace compono::engine
