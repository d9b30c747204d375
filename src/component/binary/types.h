// The validator's resolved type model (internal): an arena of component
// types with resource identities, equality, subtyping with resource
// substitution, and printing for messages.
//
// Explainer.md "Type Checking" and Subtyping.md: value types and function
// types compare structurally; resource types compare by identity (each
// `resource` definition, each `(sub resource)` import and each abstract
// export of an instantiated type is a fresh identity).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "compono/component/ast.h"
#include "compono/engine/types.h"

namespace compono::component::binary {

using TypeId = uint32_t;
inline constexpr TypeId kNoType = UINT32_MAX;

enum class TKind : uint8_t {
  kPrimitive,
  kRecord,
  kVariant,
  kList,
  kTuple,
  kFlags,
  kEnum,
  kOption,
  kResult,
  kOwn,
  kBorrow,
  kFunc,
  kComponent,
  kInstance,
  kResource,
  kModule,  // core module type
};

bool isValueKind(TKind k);

// An import or export of a component or instance type.
struct Entity {
  ExternKind kind = ExternKind::kFunc;
  TypeId type = kNoType;  // kType: the type itself (a value type, resource, func, ...)
};
struct NamedEntity {
  std::string name;
  Entity entity;
};

struct CoreNamedExtern {
  std::string module;  // imports only
  std::string name;
  engine::ExternType type;
};

struct TypeNode {
  TKind kind = TKind::kPrimitive;
  PrimValType prim = PrimValType::kBool;  // kPrimitive
  // kRecord: fields (type set); kVariant: cases (type optional).
  std::vector<std::pair<std::string, std::optional<TypeId>>> fields;
  // kTuple: elements; kList, kOption: elements[0].
  std::vector<TypeId> elements;
  std::vector<std::string> labels;                     // kFlags, kEnum
  std::optional<TypeId> ok, err;                       // kResult
  TypeId resource = kNoType;                           // kOwn, kBorrow
  std::vector<std::pair<std::string, TypeId>> params;  // kFunc
  std::optional<TypeId> result;                        // kFunc
  std::vector<NamedEntity> imports;                    // kComponent
  std::vector<NamedEntity> exports;                    // kComponent, kInstance
  // kComponent: the resources its imports bind (universal); kComponent and
  // kInstance: the abstract resources its exports introduce (existential:
  // fresh for every instantiation or import).
  std::vector<TypeId> importedResources;
  std::vector<TypeId> definedResources;
  // kResource
  uint32_t serial = 0;
  std::optional<uint32_t> dtor;              // core func index, when defined with one
  std::vector<CoreNamedExtern> coreImports;  // kModule
  std::vector<CoreNamedExtern> coreExports;  // kModule
  // The effective size (set by TypeStore::add): 1 plus the sizes of the
  // types it refers to, counting shared types once per use, saturating.
  // Validation limits it (wasm-tools: "effective type size").
  uint64_t size = 1;
};

// The limit on TypeNode::size.
inline constexpr uint64_t kMaxTypeSize = 1000000;

// Resource substitution: abstract resource -> actual resource.
using ResourceMap = std::map<TypeId, TypeId>;

class TypeStore {
 public:
  TypeStore();

  TypeId add(TypeNode node);
  const TypeNode& at(TypeId id) const { return nodes_[id]; }
  TypeNode& at(TypeId id) { return nodes_[id]; }
  size_t size() const { return nodes_.size(); }
  TypeId primitive(PrimValType p) const { return static_cast<TypeId>(p); }
  TypeId freshResource(std::optional<uint32_t> dtor = std::nullopt);

  // Applies `map` to every type reachable from `id` (resources, and the
  // imported types an instantiation replaces); returns `id` when nothing
  // changes. Memoized per call through `memo`.
  TypeId substitute(TypeId id, const ResourceMap& map, std::map<TypeId, TypeId>& memo);
  TypeId substitute(TypeId id, const ResourceMap& map) {
    std::map<TypeId, TypeId> memo;
    return substitute(id, map, memo);
  }
  // A copy of a component or instance type whose defined (existential)
  // resources are fresh: what importing or instantiating it yields.
  TypeId freshen(TypeId id);

  // Structural equality with resource identity (after applying `map` to the
  // resources of `b`).
  bool equal(TypeId a, TypeId b, const ResourceMap* map = nullptr) const;

  // `a` is a subtype of `b` (a can be supplied where b is expected). Binds
  // unbound resources of `bindable` in `b` to the matching ones of `a` into
  // `map`. On failure returns false and sets `why`.
  bool subtype(TypeId a, TypeId b, ResourceMap& map, const std::set<TypeId>& bindable,
               std::string& why) const;
  bool subtypeEntity(const Entity& a, const Entity& b, ResourceMap& map,
                     const std::set<TypeId>& bindable, std::string& why) const;

  // Every resource reachable from `id` (through value types, functions and
  // nested types), including bound ones; `free` excludes the ones a
  // component or instance type binds itself.
  void resources(TypeId id, std::set<TypeId>& out, bool freeOnly) const;
  bool containsBorrow(TypeId id) const;

  // WIT-like text for messages: "u32", "list<string>", "func(a: u32) -> string",
  // "resource#3", "instance { f: func() }".
  std::string toString(TypeId id, int depth = 0) const;
  std::string entityToString(const Entity& e) const;

 private:
  bool subtypeValue(TypeId a, TypeId b, ResourceMap& map, const std::set<TypeId>& bindable,
                    std::string& why) const;
  bool sameResource(TypeId a, TypeId b, ResourceMap& map, const std::set<TypeId>& bindable) const;
  std::vector<TypeNode> nodes_;
  uint32_t nextSerial_ = 0;
};

// Core extern subtyping (core spec "Import Subtyping"): a <: b.
bool coreExternSubtype(const engine::ExternType& a, const engine::ExternType& b, std::string& why);
std::string coreExternToString(const engine::ExternType& t);

}  // namespace compono::component::binary
