// Internal: the Canonical ABI (component-model design/mvp/CanonicalABI.md,
// synchronous 0.2 subset): layout, flattening, and lifting and lowering of
// every value type between component Values and a guest's linear memory and
// core values.
//
// Types are wit::Types of one wit::Model (TypeView resolves aliases and
// memoises layouts). What lifting and lowering need from the instance whose
// memory they touch — the memory itself, its realloc, its string encoding
// and its resource handle tables — comes through AbiContext.
//
// Every guest mistake (a pointer out of bounds or misaligned, invalid UTF-8,
// an invalid char, an unknown case, a bad handle) is a trap carried as an
// Error (ErrorCode::kTrap), never a crash.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "compono/component/value.h"
#include "compono/component/wit.h"
#include "compono/engine/host.h"
#include "compono/engine/types.h"
#include "compono/result.h"

namespace compono::component::abi {

inline constexpr uint32_t kMaxFlatParams = 16;
inline constexpr uint32_t kMaxFlatResults = 1;

enum class StringEncoding : uint8_t { kUtf8, kUtf16, kLatin1Utf16 };

struct Layout {
  uint32_t size = 0;
  uint32_t align = 1;
};

// Follows `type x = y` aliases (AliasType) to the type they name, a
// primitive included (wit::Model::dealias stops before a primitive).
wit::Type resolveAlias(const wit::Model& model, wit::Type t);

// Resolves types of one model. Not thread safe (memoises).
class TypeView {
 public:
  // What a view computed (layouts, flattenings), by TypeId of its model.
  struct Cache {
    std::unordered_map<wit::TypeId, Layout> layouts;
    std::unordered_map<wit::TypeId, std::vector<engine::ValType>> flats;
  };
  // `base`: a frozen cache of another view of the same model, read (never
  // written) by this one; several views on several threads may share it.
  explicit TypeView(const wit::Model& model, std::shared_ptr<const Cache> base = nullptr)
      : model_(&model), base_(std::move(base)) {}
  const wit::Model& model() const { return *model_; }
  // A read-only copy of everything this view and its base computed so far.
  std::shared_ptr<const Cache> freeze() const;

  // The definition behind a (possibly aliased) defined type.
  const wit::TypeDef& def(wit::TypeId id) const;
  Layout layout(wit::Type t) const;
  void flatten(wit::Type t, std::vector<engine::ValType>& out) const;
  std::vector<engine::ValType> flatten(std::span<const wit::Type> ts) const;

  // Core signature of a component function (CanonicalABI.md "flatten_functype"):
  // for `lift` (an export) results beyond one flat value come back through a
  // returned pointer; for `lower` (an import) through an extra pointer param.
  engine::FuncType coreSignature(std::span<const wit::Type> params, std::span<const wit::Type> results,
                                 bool lower) const;

 private:
  void flattenUncached(wit::Type t, std::vector<engine::ValType>& out) const;

  const wit::Model* model_;
  std::shared_ptr<const Cache> base_;
  mutable Cache own_;
};

// The instance side of a lift or lower.
class AbiContext {
 public:
  virtual ~AbiContext() = default;
  // A fresh view of the instance's memory (invalid when it has none).
  virtual engine::GuestMemory memory() = 0;
  // Calls the instance's realloc (error when it has none).
  virtual Result<uint32_t> realloc(uint32_t oldPtr, uint32_t oldSize, uint32_t align, uint32_t newSize) = 0;
  virtual StringEncoding encoding() const = 0;
  // Handles (types are resource TypeIds of the TypeView's model). Lowering
  // gives the guest a handle index; lifting takes one and returns the rep.
  virtual Result<uint32_t> lowerOwn(wit::TypeId resource, uint32_t rep) = 0;
  virtual Result<uint32_t> lowerBorrow(wit::TypeId resource, uint32_t rep) = 0;
  virtual Result<uint32_t> liftOwn(wit::TypeId resource, uint32_t index) = 0;
  virtual Result<uint32_t> liftBorrow(wit::TypeId resource, uint32_t index) = 0;
};

// Reads flat core values in order (CanonicalABI.md CoreValueIter).
class FlatReader {
 public:
  explicit FlatReader(std::span<const engine::Val> vals) : vals_(vals) {}
  Result<engine::Val> next(engine::ValType want);
  bool done() const { return pos_ == vals_.size(); }

 private:
  std::span<const engine::Val> vals_;
  size_t pos_ = 0;
};

Result<Value> load(AbiContext& cx, const TypeView& tv, wit::Type t, uint32_t ptr);
Status store(AbiContext& cx, const TypeView& tv, wit::Type t, const Value& v, uint32_t ptr);
Result<Value> liftFlat(AbiContext& cx, const TypeView& tv, wit::Type t, FlatReader& in);
Status lowerFlat(AbiContext& cx, const TypeView& tv, wit::Type t, const Value& v, std::vector<engine::Val>& out);

// A whole parameter or result list. When the flattened list is longer than
// maxFlat the values live in memory: lifting reads them from the pointer that
// is the single flat value; lowering either allocates with realloc and
// returns the pointer (outPtr unset), or stores at outPtr (results of a
// lowered import, whose caller passed the area) and returns no flat values.
Result<std::vector<Value>> liftValues(AbiContext& cx, const TypeView& tv, std::span<const wit::Type> ts,
                                      std::span<const engine::Val> flat, uint32_t maxFlat);
Result<std::vector<engine::Val>> lowerValues(AbiContext& cx, const TypeView& tv, std::span<const wit::Type> ts,
                                             std::span<const Value> vs, uint32_t maxFlat,
                                             std::optional<uint32_t> outPtr = std::nullopt);

// Checks that a host-supplied value has the shape of type t (before lowering).
Status typeCheck(const TypeView& tv, wit::Type t, const Value& v, const std::string& where);

// Human-readable type (WIT syntax) for messages.
std::string typeName(const TypeView& tv, wit::Type t);

}  // namespace compono::component::abi
