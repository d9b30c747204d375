// compono/engine/types.h — core WebAssembly value and extern types.
//
// Value types only; safe to copy and share between threads.
#pragma once

#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

namespace compono::engine {

enum class ValType : uint8_t { kI32, kI64, kF32, kF64, kV128, kFuncRef, kExternRef };

const char* valTypeName(ValType t);

struct V128 {
  uint8_t bytes[16] = {};
  friend bool operator==(const V128& a, const V128& b) {
    return std::memcmp(a.bytes, b.bytes, 16) == 0;
  }
};

// A reference value. `null` is the null reference of its type. For externref,
// `bits` is an opaque host value; for funcref, an engine handle that is only
// meaningful inside the Store that produced it.
struct RefVal {
  bool null = true;
  uint64_t bits = 0;
  friend bool operator==(const RefVal& a, const RefVal& b) {
    return a.null == b.null && (a.null || a.bits == b.bits);
  }
};

// A dynamically typed core wasm value.
struct Val {
  ValType type = ValType::kI32;
  union {
    uint32_t i32;
    uint64_t i64;
    float f32;
    double f64;
    V128 v128;
  };
  RefVal ref;

  Val() : v128() {}
  static Val makeI32(uint32_t v) { Val x; x.type = ValType::kI32; x.i32 = v; return x; }
  static Val makeI64(uint64_t v) { Val x; x.type = ValType::kI64; x.i64 = v; return x; }
  static Val makeF32(float v) { Val x; x.type = ValType::kF32; x.f32 = v; return x; }
  static Val makeF64(double v) { Val x; x.type = ValType::kF64; x.f64 = v; return x; }
  static Val makeF32Bits(uint32_t bits) { Val x; x.type = ValType::kF32; std::memcpy(&x.f32, &bits, 4); return x; }
  static Val makeF64Bits(uint64_t bits) { Val x; x.type = ValType::kF64; std::memcpy(&x.f64, &bits, 8); return x; }
  static Val makeV128(const V128& v) { Val x; x.type = ValType::kV128; x.v128 = v; return x; }
  static Val makeRef(ValType t, RefVal r) { Val x; x.type = t; x.ref = r; return x; }
  static Val zero(ValType t) {
    Val x;
    x.type = t;
    return x;
  }

  uint32_t f32Bits() const { uint32_t b; std::memcpy(&b, &f32, 4); return b; }
  uint64_t f64Bits() const { uint64_t b; std::memcpy(&b, &f64, 8); return b; }

  // "i32:42", "f64:1.5", "ref.null extern", ... for messages and the CLI.
  std::string toString() const;
};

struct FuncType {
  std::vector<ValType> params;
  std::vector<ValType> results;
  friend bool operator==(const FuncType&, const FuncType&) = default;
  // "(i32, i32) -> (i32)"
  std::string toString() const;
};

struct Limits {
  uint64_t min = 0;
  std::optional<uint64_t> max;
  bool shared = false;
  bool is64 = false;
  friend bool operator==(const Limits&, const Limits&) = default;
};

struct MemoryType {
  Limits limits;  // in 64 KiB pages
};

struct TableType {
  ValType element = ValType::kFuncRef;
  Limits limits;
};

struct GlobalType {
  ValType type = ValType::kI32;
  bool mutable_ = false;
};

enum class ExternKind : uint8_t { kFunc, kTable, kMemory, kGlobal, kTag };

const char* externKindName(ExternKind k);

struct ExternType {
  ExternKind kind = ExternKind::kFunc;
  FuncType func;      // kFunc, kTag (params)
  TableType table;    // kTable
  MemoryType memory;  // kMemory
  GlobalType global;  // kGlobal
  // "func (i32) -> (i32)", "memory 1..2 pages", ...
  std::string toString() const;
};

struct ImportType {
  std::string module;
  std::string name;
  ExternType type;
};

struct ExportType {
  std::string name;
  ExternType type;
};

constexpr uint64_t kWasmPageSize = 65536;

}  // namespace compono::engine
