// Internal: WIT types -> component-model type definitions (ast.h).
//
// A Scope is one type index space being filled: a component type or an
// instance type (a list of TypeDecls) or a component (its definitions). The
// encoder writes WIT value types, function types, interfaces (as instance
// types) and worlds (as component types) into scopes the way wit-component
// does: a named type is defined and then exported from its instance type
// with `(eq ...)`; a resource is exported as `(sub resource)`; a type used
// from another interface is reached with `alias outer` from an instance type
// and `alias export` of the interface's instance in the enclosing scope.
//
// Scopes and the encoder work on one wit::Model at a time, but the keys that
// cross models (instances of interfaces, types of interfaces reached through
// instances) are names, so imports of one component may come from several
// models (the world and an adapter's world).
#pragma once

#include <array>
#include <functional>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "compono/component/ast.h"
#include "compono/component/wit.h"
#include "compono/result.h"

namespace compono::component::componentize {

class Scope {
 public:
  // A component type or an instance type; `parent` is the enclosing scope
  // (for `alias outer 1`), null at the top.
  Scope(std::vector<TypeDecl>* decls, Scope* parent) : decls_(decls), parent_(parent) {}
  // A component's definitions.
  explicit Scope(Component* component) : component_(component) {}

  Scope* parent() const { return parent_; }
  bool isComponent() const { return component_ != nullptr; }

  // `(type ...)`. Value and function types equal to one defined before in
  // this scope are not defined again.
  uint32_t defineType(const TypeDefKind& kind);
  uint32_t aliasOuterType(uint32_t count, uint32_t index);
  uint32_t aliasInstanceExport(Sort sort, uint32_t instance, const std::string& name);
  // Imports and (in type scopes) exports; returns the new index of the sort.
  uint32_t importItem(const std::string& name, const ExternDesc& desc);
  uint32_t exportDecl(const std::string& name, const ExternDesc& desc);
  // In a component: `(export "name" (sort idx) [ascribed])`.
  uint32_t exportItem(const std::string& name, SortIndex item,
                      std::optional<ExternDesc> ascribed = std::nullopt);
  uint32_t count(Sort s) const;

  // Named WIT types -> type index, keyed by (model, type id) so that one
  // scope can hold types of several models.
  std::map<std::pair<const wit::Model*, wit::TypeId>, uint32_t> types;
  // Called for a named type this scope cannot reach (no parent, no instance
  // of its interface); may define or import it and return its index.
  std::function<Result<uint32_t>(const wit::Model&, wit::TypeId)> onMissing;
  // Instances of interfaces in this scope, by component-level name
  // ("wasi:io/streams@0.2.12").
  std::map<std::string, uint32_t> instances;
  // Types aliased out of instances: "iface-name#type-name" -> type index.
  std::map<std::string, uint32_t> instanceTypes;

 private:
  uint32_t add(std::variant<CoreTypeDef, TypeDef, Alias, ImportDecl, ExportDecl> item, Sort sort);
  std::vector<TypeDecl>* decls_ = nullptr;
  Component* component_ = nullptr;
  Scope* parent_ = nullptr;
  std::array<uint32_t, kSortCount> counts_{};
  std::vector<std::pair<TypeDefKind, uint32_t>> defined_;  // for deduplication
};

// The component-level name of a world item: "ns:pkg/iface@v" for an
// interface keyed by its name, else the plain name.
std::string worldItemName(const wit::Model& model, const wit::WorldItem& item);

class TypeEncoder {
 public:
  explicit TypeEncoder(const wit::Model& model) : model_(model) {}

  Result<ValType> valType(Scope& s, wit::Type t);
  // `(type (func ...))` for a function; the index in s.
  Result<uint32_t> funcType(Scope& s, const wit::Function& f);
  // Defines a named type owned by the scope's interface or world and
  // exports (or imports) it by name; records its new index in s.types.
  Status defineNamed(Scope& s, wit::TypeId id, bool asImport);
  // An interface as an instance type; `outer` is the scope it is defined in.
  Result<InstanceType> instanceType(Scope& outer, wit::InterfaceId iface);
  // Imports (and, when `withExports`, exports) of a world into s, which is
  // a component type or a component. An imported interface whose name is
  // already in s.instances is not imported again.
  Status worldImports(Scope& s, wit::WorldId world);
  Status worldExports(Scope& s, wit::WorldId world);
  // Index in s of a named type (aliasing it in from enclosing scopes or
  // from the instance of its interface as needed).
  Result<uint32_t> typeRef(Scope& s, wit::TypeId id);

  const wit::Model& model() const { return model_; }

  // The definition of a non-alias, non-resource type (its name ignored).
  Result<TypeDefKind> structural(Scope& s, const wit::TypeDef& td);

 private:
  const wit::Model& model_;
};

// "example:calc/logger@0.1.0" or the owner world's item name; empty when the
// type has no interface owner.
std::string ownerInterfaceName(const wit::Model& model, wit::TypeId id);

}  // namespace compono::component::componentize
