// Component validation (validate.h): index spaces, types, aliases, canon
// definitions, instantiation and names, following Binary.md, Explainer.md
// and CanonicalABI.md (version 0x0d, Component Model 0.2 without async).
//
// Implemented rules: see validate.h. Not implemented (documented limits):
//  - semver-compatibility conflicts between interface names that differ
//    only in a compatible version (names are compared case-insensitively);
//  - "value" definitions and start functions with values (post-0.2: the
//    decoder rejects them);
//  - the validity of URL contents beyond their bracketed shape;
//  - type identity of resource exports: an exported resource keeps the
//    identity of the resource it exports, so `(own $r)` naming the
//    unexported index of an exported resource is accepted;
//  - core module bodies when ValidateOptions::validateCoreModules is off.
#include <algorithm>
#include <map>
#include <set>

#include "component/binary/checker.h"
#include "component/binary/core_scan.h"
#include "component/binary/names.h"
#include "component/binary/reader.h"
#include "compono/engine/module.h"

namespace compono::component {

namespace binary {

namespace {

using engine::ValType;
using CValType = component::ValType;

constexpr size_t kMaxFlatParams = 16;
constexpr size_t kMaxFlatResults = 1;

struct CoreTypeEntry {
  bool isModule = false;
  engine::FuncType func;
  TypeId module = kNoType;
};

struct CoreInstanceInfo {
  std::vector<std::pair<std::string, engine::ExternType>> exports;
  const engine::ExternType* find(const std::string& name) const {
    for (auto& e : exports) {
      if (e.first == name) return &e.second;
    }
    return nullptr;
  }
};

enum class ScopeKind : uint8_t { kComponent, kComponentType, kInstanceType };

// Names of one kind (imports or exports) of one scope.
struct NameTable {
  std::map<std::string, std::string> keys;  // uniqueness key -> name as written
  // Resources declared under a plain label, for annotated names.
  std::map<std::string, TypeId> resources;  // lowercase label -> resource
};

struct Scope {
  ScopeKind kind = ScopeKind::kComponent;
  Scope* parent = nullptr;

  std::vector<engine::FuncType> coreFuncs;
  std::vector<engine::TableType> coreTables;
  std::vector<engine::MemoryType> coreMemories;
  std::vector<engine::GlobalType> coreGlobals;
  std::vector<engine::FuncType> coreTags;
  std::vector<CoreTypeEntry> coreTypes;
  std::vector<TypeId> coreModules;
  std::vector<CoreInstanceInfo> coreInstances;
  std::vector<TypeId> funcs;
  std::vector<TypeId> types;
  std::vector<TypeId> components;
  std::vector<TypeId> instances;

  std::set<TypeId> localResources;        // `resource` definitions of this component
  std::vector<TypeId> importedResources;  // bound by imports (component, component type)
  std::vector<TypeId> definedResources;   // abstract exports (component type, instance type)
  std::set<TypeId> exportedResources;     // resources exported as types (component)

  // Types given a name by an import or an export (Explainer.md "Import and
  // Export Definitions": the record, variant, enum and flags types an
  // import or export refers to must be named).
  std::set<TypeId> importNamed;
  std::set<TypeId> exportNamed;

  std::vector<NamedEntity> imports;
  std::vector<NamedEntity> exports;
  NameTable importNames;
  NameTable exportNames;
};

std::string lowerAscii(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

ValType join(ValType a, ValType b) {
  if (a == b) return a;
  if ((a == ValType::kI32 && b == ValType::kF32) || (a == ValType::kF32 && b == ValType::kI32)) {
    return ValType::kI32;
  }
  return ValType::kI64;
}

std::string coreFuncTypeText(const engine::FuncType& f) { return f.toString(); }

class Checker {
 public:
  Checker(const std::string& file, const ValidateOptions& options)
      : file_(file), options_(options), store_(std::make_unique<TypeStore>()) {}

  Result<CheckedComponent> run(const Component& c) {
    Scope root;
    root.kind = ScopeKind::kComponent;
    TypeId t = component(c, root);
    if (error_) return std::move(*error_);
    CheckedComponent out;
    out.store = std::move(store_);
    out.type = t;
    out.nested = std::move(nested_);
    return out;
  }

 private:
  // ---- errors -----------------------------------------------------------------------

  bool failed() const { return error_.has_value(); }

  bool fail(const std::string& what) {
    if (!error_) {
      error_ = Error(ErrorCode::kValidate, file_ + ": offset " + hexOffset(offset_) + ": section " +
                                               section_ + ": " + what);
    }
    return false;
  }

  // ---- index spaces -------------------------------------------------------------------

  template <typename T>
  bool inRange(const std::vector<T>& space, uint32_t index, const char* what) {
    if (index < space.size()) return true;
    return fail(std::string(what) + " index " + std::to_string(index) + " out of bounds (" +
                std::to_string(space.size()) + " defined)");
  }

  // The type of a component-level sortidx as an extern entity.
  std::optional<Entity> entityOf(Scope& s, const SortIndex& si) {
    Entity e;
    switch (si.sort) {
      case Sort::kFunc:
        if (!inRange(s.funcs, si.index, "function")) return std::nullopt;
        e.kind = ExternKind::kFunc;
        e.type = s.funcs[si.index];
        return e;
      case Sort::kType:
        if (!inRange(s.types, si.index, "type")) return std::nullopt;
        e.kind = ExternKind::kType;
        e.type = s.types[si.index];
        return e;
      case Sort::kComponent:
        if (!inRange(s.components, si.index, "component")) return std::nullopt;
        e.kind = ExternKind::kComponent;
        e.type = s.components[si.index];
        return e;
      case Sort::kInstance:
        if (!inRange(s.instances, si.index, "instance")) return std::nullopt;
        e.kind = ExternKind::kInstance;
        e.type = s.instances[si.index];
        return e;
      case Sort::kCoreModule:
        if (!inRange(s.coreModules, si.index, "module")) return std::nullopt;
        e.kind = ExternKind::kCoreModule;
        e.type = s.coreModules[si.index];
        return e;
      case Sort::kValue:
        fail("component model values are not supported (post-0.2)");
        return std::nullopt;
      default:
        fail(std::string("a ") + sortName(si.sort) +
             " cannot be used here (only core modules of the core sorts)");
        return std::nullopt;
    }
  }

  void pushEntity(Scope& s, const Entity& e) {
    switch (e.kind) {
      case ExternKind::kFunc:
        s.funcs.push_back(e.type);
        break;
      case ExternKind::kType:
        s.types.push_back(e.type);
        break;
      case ExternKind::kComponent:
        s.components.push_back(e.type);
        break;
      case ExternKind::kInstance:
        s.instances.push_back(e.type);
        break;
      case ExternKind::kCoreModule:
        s.coreModules.push_back(e.type);
        break;
      case ExternKind::kValue:
        fail("component model values are not supported (post-0.2)");
        break;
    }
  }

  // ---- components -------------------------------------------------------------------------

  TypeId component(const Component& c, Scope& s) {
    std::string savedSection = section_;
    for (const Definition& d : c.definitions) {
      offset_ = d.offset;
      section_ = sectionName(d.section());
      size_t before = store_->size();
      definition(d, s);
      if (failed()) return kNoType;
      for (size_t t = before; t < store_->size(); ++t) {
        if (store_->at(static_cast<TypeId>(t)).size > kMaxTypeSize) {
          fail("effective type size exceeds the limit of " + std::to_string(kMaxTypeSize));
          return kNoType;
        }
      }
    }
    section_ = savedSection;
    return finishComponent(s);
  }

  TypeId finishComponent(Scope& s) {
    TypeNode n;
    n.kind = TKind::kComponent;
    n.imports = s.imports;
    n.exports = s.exports;
    n.importedResources = s.importedResources;
    std::set<TypeId> reachable;
    for (const NamedEntity& e : s.exports) store_->resources(e.entity.type, reachable, true);
    std::set<TypeId> imported(s.importedResources.begin(), s.importedResources.end());
    for (TypeId r : reachable) {
      if (!imported.count(r)) n.definedResources.push_back(r);
    }
    return store_->add(std::move(n));
  }

  void definition(const Definition& d, Scope& s) {
    std::visit(
        [&](const auto& item) {
          using T = std::decay_t<decltype(item)>;
          if constexpr (std::is_same_v<T, CustomSection>) {
          } else if constexpr (std::is_same_v<T, CoreModule>) {
            coreModule(item, s);
          } else if constexpr (std::is_same_v<T, CoreInstance>) {
            coreInstance(item, s);
          } else if constexpr (std::is_same_v<T, CoreTypeDef>) {
            coreTypeDef(item, s);
          } else if constexpr (std::is_same_v<T, NestedComponent>) {
            Scope inner;
            inner.kind = ScopeKind::kComponent;
            inner.parent = &s;
            TypeId t = component(item.get(), inner);
            if (!failed()) {
              s.components.push_back(t);
              nested_[&item.get()] = t;
            }
          } else if constexpr (std::is_same_v<T, Instance>) {
            instance(item, s);
          } else if constexpr (std::is_same_v<T, Alias>) {
            alias(item, s);
          } else if constexpr (std::is_same_v<T, TypeDef>) {
            TypeId t = typeDef(item, s);
            if (!failed()) s.types.push_back(t);
          } else if constexpr (std::is_same_v<T, Canon>) {
            canon(item, s);
          } else if constexpr (std::is_same_v<T, Start>) {
            start(item, s);
          } else if constexpr (std::is_same_v<T, Import>) {
            importDecl(item.name, item.desc, s);
          } else if constexpr (std::is_same_v<T, Export>) {
            exportDef(item, s);
          }
        },
        d.item);
  }

  // ---- core modules and instances -----------------------------------------------------------

  void coreModule(const CoreModule& m, Scope& s) {
    auto bytes = m.bytes();
    auto sig = scanCoreModule(bytes, m.begin, file_);
    if (!sig.ok()) {
      if (!error_) error_ = sig.error();
      return;
    }
    if (options_.validateCoreModules) {
      auto mod = engine::Module::fromBinary(
          engine_, bytes, file_ + " (core module at offset " + hexOffset(m.begin) + ")");
      if (!mod.ok()) {
        if (!error_) {
          error_ = mod.error();
          error_->code = ErrorCode::kValidate;
        }
        return;
      }
    }
    TypeNode n;
    n.kind = TKind::kModule;
    std::set<std::pair<std::string, std::string>> importNames;
    for (auto& i : sig->imports) {
      // Core WebAssembly allows duplicate imports; a module in a component
      // is instantiated by name, so they are ambiguous there (wasm-tools).
      if (!importNames.insert({i.module, i.name}).second) {
        fail("duplicate import name `" + i.module + ":" + i.name + "` already defined");
        return;
      }
    }
    for (auto& i : sig->imports) n.coreImports.push_back({i.module, i.name, i.type});
    for (auto& e : sig->exports) n.coreExports.push_back({"", e.name, e.type});
    s.coreModules.push_back(store_->add(std::move(n)));
  }

  void coreInstance(const CoreInstance& ci, Scope& s) {
    CoreInstanceInfo info;
    if (ci.kind == CoreInstance::Kind::kInstantiate) {
      if (!inRange(s.coreModules, ci.module, "module")) return;
      const TypeNode& m = store_->at(s.coreModules[ci.module]);
      std::map<std::string, uint32_t> args;
      for (const CoreInstantiateArg& a : ci.args) {
        if (!inRange(s.coreInstances, a.instance, "core instance")) return;
        if (!args.emplace(a.name, a.instance).second) {
          fail("duplicate module instantiation argument named `" + a.name + "`");
          return;
        }
      }
      for (const CoreNamedExtern& im : m.coreImports) {
        auto it = args.find(im.module);
        if (it == args.end()) {
          fail("missing module instantiation argument named `" + im.module + "`");
          return;
        }
        const engine::ExternType* got = s.coreInstances[it->second].find(im.name);
        if (!got) {
          fail("module instantiation argument `" + im.module + "` does not export an item named `" +
               im.name + "`");
          return;
        }
        std::string why;
        if (!coreExternSubtype(*got, im.type, why)) {
          fail("type mismatch for export `" + im.name + "` of module instantiation argument `" +
               im.module + "`: " + why);
          return;
        }
      }
      for (const CoreNamedExtern& e : m.coreExports) info.exports.push_back({e.name, e.type});
    } else {
      std::set<std::string> names;
      for (const CoreInlineExport& e : ci.exports) {
        if (!names.insert(e.name).second) {
          fail("export name `" + e.name + "` already defined");
          return;
        }
        engine::ExternType t;
        switch (e.item.sort) {
          case Sort::kCoreFunc:
            if (!inRange(s.coreFuncs, e.item.index, "function")) return;
            t.kind = engine::ExternKind::kFunc;
            t.func = s.coreFuncs[e.item.index];
            break;
          case Sort::kCoreTable:
            if (!inRange(s.coreTables, e.item.index, "table")) return;
            t.kind = engine::ExternKind::kTable;
            t.table = s.coreTables[e.item.index];
            break;
          case Sort::kCoreMemory:
            if (!inRange(s.coreMemories, e.item.index, "memory")) return;
            t.kind = engine::ExternKind::kMemory;
            t.memory = s.coreMemories[e.item.index];
            break;
          case Sort::kCoreGlobal:
            if (!inRange(s.coreGlobals, e.item.index, "global")) return;
            t.kind = engine::ExternKind::kGlobal;
            t.global = s.coreGlobals[e.item.index];
            break;
          case Sort::kCoreTag:
            if (!inRange(s.coreTags, e.item.index, "tag")) return;
            t.kind = engine::ExternKind::kTag;
            t.func = s.coreTags[e.item.index];
            break;
          default:
            fail(std::string("a ") + sortName(e.item.sort) +
                 " cannot be exported from a core instance");
            return;
        }
        info.exports.push_back({e.name, t});
      }
    }
    s.coreInstances.push_back(std::move(info));
  }

  // ---- core types ---------------------------------------------------------------------------

  void coreTypeDef(const CoreTypeDef& t, Scope& s) {
    CoreTypeEntry e;
    if (auto* f = std::get_if<engine::FuncType>(&t.type)) {
      e.func = *f;
    } else {
      e.isModule = true;
      e.module = moduleType(std::get<CoreModuleType>(t.type), s);
      if (failed()) return;
    }
    s.coreTypes.push_back(std::move(e));
  }

  bool limitsValid(const engine::Limits& l, bool memory) {
    if (l.max && *l.max < l.min) return fail("size minimum must not be greater than maximum");
    if (memory && !l.is64) {
      const uint64_t kMaxPages = 65536;
      if (l.min > kMaxPages || (l.max && *l.max > kMaxPages)) {
        return fail("memory size must be at most 65536 pages (4GiB)");
      }
    }
    if (l.shared && !l.max) return fail("shared memory must have maximum size");
    return true;
  }

  std::optional<engine::ExternType> coreDesc(const CoreExternDesc& d,
                                             const std::vector<CoreTypeEntry>& types) {
    engine::ExternType t;
    t.kind = d.kind;
    switch (d.kind) {
      case engine::ExternKind::kFunc:
      case engine::ExternKind::kTag:
        if (!inRange(types, d.typeIndex, "type")) return std::nullopt;
        if (types[d.typeIndex].isModule) {
          fail("core type index " + std::to_string(d.typeIndex) + " is not a function type");
          return std::nullopt;
        }
        t.func = types[d.typeIndex].func;
        if (d.kind == engine::ExternKind::kTag && !t.func.results.empty()) {
          fail("tag types must not have results");
          return std::nullopt;
        }
        break;
      case engine::ExternKind::kTable:
        if (!limitsValid(d.table.limits, false)) return std::nullopt;
        t.table = d.table;
        break;
      case engine::ExternKind::kMemory:
        if (!limitsValid(d.memory.limits, true)) return std::nullopt;
        t.memory = d.memory;
        break;
      case engine::ExternKind::kGlobal:
        t.global = d.global;
        break;
    }
    return t;
  }

  TypeId moduleType(const CoreModuleType& mt, Scope& s) {
    std::vector<CoreTypeEntry> types;
    TypeNode n;
    n.kind = TKind::kModule;
    std::set<std::pair<std::string, std::string>> importNames;
    std::set<std::string> exportNames;
    uint64_t saved = offset_;
    for (const ModuleDecl& d : mt.decls) {
      offset_ = d.offset;
      if (auto* im = std::get_if<CoreImportDecl>(&d.item)) {
        auto t = coreDesc(im->desc, types);
        if (!t) return kNoType;
        if (!importNames.insert({im->module, im->name}).second) {
          fail("duplicate import name `" + im->module + ":" + im->name + "` already defined");
          return kNoType;
        }
        n.coreImports.push_back({im->module, im->name, *t});
      } else if (auto* ts = std::get_if<std::vector<CoreTypeDef>>(&d.item)) {
        for (const CoreTypeDef& td : *ts) {
          if (!std::holds_alternative<engine::FuncType>(td.type)) {
            fail("core type declarations of a module type cannot be module types");
            return kNoType;
          }
          CoreTypeEntry e;
          e.func = std::get<engine::FuncType>(td.type);
          types.push_back(std::move(e));
        }
      } else if (auto* a = std::get_if<CoreOuterAlias>(&d.item)) {
        if (a->sort != Sort::kCoreType) {
          fail("only outer type aliases are allowed in module types");
          return kNoType;
        }
        if (a->count == 0) {
          if (!inRange(types, a->index, "type")) return kNoType;
          types.push_back(types[a->index]);
        } else {
          // Count 1 is the scope that defines the module type, 2 its parent, ...
          Scope* target = &s;
          for (uint32_t k = 1; k < a->count && target; ++k) target = target->parent;
          if (!target) {
            fail("invalid outer alias count of " + std::to_string(a->count));
            return kNoType;
          }
          if (!inRange(target->coreTypes, a->index, "type")) return kNoType;
          if (target->coreTypes[a->index].isModule) {
            fail("cannot alias a module type into a module type");
            return kNoType;
          }
          types.push_back(target->coreTypes[a->index]);
        }
      } else if (auto* ex = std::get_if<CoreExportDecl>(&d.item)) {
        auto t = coreDesc(ex->desc, types);
        if (!t) return kNoType;
        if (!exportNames.insert(ex->name).second) {
          fail("export name `" + ex->name + "` already defined");
          return kNoType;
        }
        n.coreExports.push_back({"", ex->name, *t});
      }
    }
    offset_ = saved;
    return store_->add(std::move(n));
  }

  // ---- component types ------------------------------------------------------------------------

  std::optional<TypeId> valType(const CValType& v, Scope& s) {
    if (v.isPrimitive()) return store_->primitive(v.prim);
    if (!inRange(s.types, v.index, "type")) return std::nullopt;
    TypeId t = s.types[v.index];
    if (!isValueKind(store_->at(t).kind)) {
      fail("type index " + std::to_string(v.index) + " is not a defined type");
      return std::nullopt;
    }
    return t;
  }

  bool labelsUnique(const std::vector<std::string>& labels, const char* what) {
    std::set<std::string> seen;
    for (const std::string& l : labels) {
      if (!isKebab(l)) return fail(std::string(what) + " name `" + l + "` is not in kebab case");
      if (!seen.insert(lowerAscii(l)).second) {
        return fail(std::string(what) + " name `" + l + "` conflicts with previous " + what +
                    " name");
      }
    }
    return true;
  }

  std::optional<TypeId> resourceAt(uint32_t index, Scope& s) {
    if (!inRange(s.types, index, "type")) return std::nullopt;
    TypeId t = s.types[index];
    if (store_->at(t).kind != TKind::kResource) {
      fail("type index " + std::to_string(index) + " is not a resource type");
      return std::nullopt;
    }
    return t;
  }

  TypeId typeDef(const TypeDef& def, Scope& s) {
    TypeNode n;
    struct Visitor {
      Checker& c;
      Scope& s;
      TypeNode& n;
      bool operator()(PrimValType p) {
        n.kind = TKind::kPrimitive;
        n.prim = p;
        return true;
      }
      bool operator()(const RecordType& r) {
        n.kind = TKind::kRecord;
        if (r.fields.empty()) return c.fail("record type must have at least one field");
        std::vector<std::string> labels;
        for (auto& f : r.fields) labels.push_back(f.label);
        if (!c.labelsUnique(labels, "record field")) return false;
        for (auto& f : r.fields) {
          auto t = c.valType(f.type, s);
          if (!t) return false;
          n.fields.push_back({f.label, *t});
        }
        return true;
      }
      bool operator()(const VariantType& v) {
        n.kind = TKind::kVariant;
        if (v.cases.empty()) return c.fail("variant type must have at least one case");
        std::vector<std::string> labels;
        for (auto& cs : v.cases) labels.push_back(cs.label);
        if (!c.labelsUnique(labels, "variant case")) return false;
        for (auto& cs : v.cases) {
          std::optional<TypeId> t;
          if (cs.type) {
            t = c.valType(*cs.type, s);
            if (!t) return false;
          }
          n.fields.push_back({cs.label, t});
        }
        return true;
      }
      bool operator()(const ListType& l) {
        n.kind = TKind::kList;
        auto t = c.valType(l.element, s);
        if (!t) return false;
        n.elements.push_back(*t);
        return true;
      }
      bool operator()(const TupleType& t) {
        n.kind = TKind::kTuple;
        if (t.types.empty()) return c.fail("tuple type must have at least one type");
        for (auto& v : t.types) {
          auto x = c.valType(v, s);
          if (!x) return false;
          n.elements.push_back(*x);
        }
        return true;
      }
      bool operator()(const FlagsType& f) {
        n.kind = TKind::kFlags;
        if (f.labels.empty()) return c.fail("flags must have at least one entry");
        if (f.labels.size() > 32) {
          return c.fail("cannot have more than 32 flags (" + std::to_string(f.labels.size()) +
                        " given)");
        }
        if (!c.labelsUnique(f.labels, "flag")) return false;
        n.labels = f.labels;
        return true;
      }
      bool operator()(const EnumType& e) {
        n.kind = TKind::kEnum;
        if (e.labels.empty()) return c.fail("enum type must have at least one variant");
        if (!c.labelsUnique(e.labels, "enum tag")) return false;
        n.labels = e.labels;
        return true;
      }
      bool operator()(const OptionType& o) {
        n.kind = TKind::kOption;
        auto t = c.valType(o.type, s);
        if (!t) return false;
        n.elements.push_back(*t);
        return true;
      }
      bool operator()(const ResultType& r) {
        n.kind = TKind::kResult;
        if (r.ok) {
          n.ok = c.valType(*r.ok, s);
          if (!n.ok) return false;
        }
        if (r.err) {
          n.err = c.valType(*r.err, s);
          if (!n.err) return false;
        }
        return true;
      }
      bool operator()(const OwnType& o) {
        n.kind = TKind::kOwn;
        auto r = c.resourceAt(o.resource, s);
        if (!r) return false;
        n.resource = *r;
        return true;
      }
      bool operator()(const BorrowType& b) {
        n.kind = TKind::kBorrow;
        auto r = c.resourceAt(b.resource, s);
        if (!r) return false;
        n.resource = *r;
        return true;
      }
      bool operator()(const FuncType& f) {
        n.kind = TKind::kFunc;
        std::vector<std::string> labels;
        for (auto& p : f.params) labels.push_back(p.label);
        if (!c.labelsUnique(labels, "function parameter")) return false;
        for (auto& p : f.params) {
          auto t = c.valType(p.type, s);
          if (!t) return false;
          n.params.push_back({p.label, *t});
        }
        if (f.result) {
          n.result = c.valType(*f.result, s);
          if (!n.result) return false;
          if (c.store_->containsBorrow(*n.result)) {
            return c.fail("function result cannot contain a `borrow` type");
          }
        }
        return true;
      }
      bool operator()(const ComponentType& ct) {
        Scope inner;
        inner.kind = ScopeKind::kComponentType;
        inner.parent = &s;
        if (!c.typeDecls(ct.decls, inner)) return false;
        n.kind = TKind::kComponent;
        n.imports = inner.imports;
        n.exports = inner.exports;
        n.importedResources = inner.importedResources;
        n.definedResources = inner.definedResources;
        return true;
      }
      bool operator()(const InstanceType& it) {
        Scope inner;
        inner.kind = ScopeKind::kInstanceType;
        inner.parent = &s;
        if (!c.typeDecls(it.decls, inner)) return false;
        n.kind = TKind::kInstance;
        n.exports = inner.exports;
        n.definedResources = inner.definedResources;
        return true;
      }
      bool operator()(const ResourceType& r) {
        if (s.kind != ScopeKind::kComponent) {
          return c.fail("resources can only be defined within a concrete component");
        }
        if (r.dtor) {
          if (!c.inRange(s.coreFuncs, *r.dtor, "function")) return false;
          engine::FuncType want{{ValType::kI32}, {}};
          if (!(s.coreFuncs[*r.dtor] == want)) {
            return c.fail("wrong signature for a destructor: expected (i32) -> (), found " +
                          coreFuncTypeText(s.coreFuncs[*r.dtor]));
          }
        }
        TypeId id = c.store_->freshResource(r.dtor);
        s.localResources.insert(id);
        c.resourceResult_ = id;
        return true;
      }
    };
    resourceResult_ = kNoType;
    if (!std::visit(Visitor{*this, s, n}, def.kind)) return kNoType;
    if (resourceResult_ != kNoType) return resourceResult_;
    // Primitive definitions share the store's primitive nodes.
    if (n.kind == TKind::kPrimitive) return store_->primitive(n.prim);
    return store_->add(std::move(n));
  }

  bool typeDecls(const std::vector<TypeDecl>& decls, Scope& s) {
    uint64_t saved = offset_;
    for (const TypeDecl& d : decls) {
      offset_ = d.offset;
      if (auto* ct = std::get_if<CoreTypeDef>(&d.item)) {
        coreTypeDef(*ct, s);
      } else if (auto* t = std::get_if<TypeDef>(&d.item)) {
        TypeId id = typeDef(*t, s);
        if (!failed()) s.types.push_back(id);
      } else if (auto* a = std::get_if<Alias>(&d.item)) {
        if (a->target == Alias::Target::kCoreInstanceExport) {
          return fail("core instance export aliases are not allowed in type declarations");
        }
        if (a->target == Alias::Target::kInstanceExport && a->sort != Sort::kType &&
            a->sort != Sort::kInstance) {
          return fail(
              "aliases in a component or instance type may only refer to types or instances");
        }
        alias(*a, s);
      } else if (auto* im = std::get_if<ImportDecl>(&d.item)) {
        importDecl(im->name, im->desc, s);
      } else if (auto* ex = std::get_if<ExportDecl>(&d.item)) {
        exportDecl(ex->name, ex->desc, s);
      }
      if (failed()) return false;
    }
    offset_ = saved;
    return true;
  }

  // The entity an extern description declares, in a type position: `(sub
  // resource)` makes a fresh abstract resource (appended to `created`), an
  // instance type is freshened.
  std::optional<Entity> descEntity(const ExternDesc& d, Scope& s, std::vector<TypeId>& created) {
    Entity e;
    e.kind = d.kind;
    switch (d.kind) {
      case ExternKind::kCoreModule:
        if (!inRange(s.coreTypes, d.typeIndex, "core type")) return std::nullopt;
        if (!s.coreTypes[d.typeIndex].isModule) {
          fail("core type index " + std::to_string(d.typeIndex) + " is not a module type");
          return std::nullopt;
        }
        e.type = s.coreTypes[d.typeIndex].module;
        return e;
      case ExternKind::kFunc:
        if (!inRange(s.types, d.typeIndex, "type")) return std::nullopt;
        if (store_->at(s.types[d.typeIndex]).kind != TKind::kFunc) {
          fail("type index " + std::to_string(d.typeIndex) + " is not a function type");
          return std::nullopt;
        }
        e.type = s.types[d.typeIndex];
        return e;
      case ExternKind::kValue:
        fail("component model values are not supported (post-0.2)");
        return std::nullopt;
      case ExternKind::kType:
        if (d.bound.kind == TypeBound::Kind::kSubResource) {
          e.type = store_->freshResource();
          created.push_back(e.type);
        } else {
          if (!inRange(s.types, d.bound.index, "type")) return std::nullopt;
          e.type = s.types[d.bound.index];
        }
        return e;
      case ExternKind::kComponent:
        if (!inRange(s.types, d.typeIndex, "type")) return std::nullopt;
        if (store_->at(s.types[d.typeIndex]).kind != TKind::kComponent) {
          fail("type index " + std::to_string(d.typeIndex) + " is not a component type");
          return std::nullopt;
        }
        e.type = s.types[d.typeIndex];
        return e;
      case ExternKind::kInstance: {
        if (!inRange(s.types, d.typeIndex, "type")) return std::nullopt;
        TypeId t = s.types[d.typeIndex];
        if (store_->at(t).kind != TKind::kInstance) {
          fail("type index " + std::to_string(d.typeIndex) + " is not an instance type");
          return std::nullopt;
        }
        std::vector<TypeId> before = store_->at(t).definedResources;
        e.type = freshenInto(t, created);
        return e;
      }
    }
    return std::nullopt;
  }

  // Freshens the existential resources of an instance type; the new
  // resources are appended to `created` and the copy has none left.
  TypeId freshenInto(TypeId t, std::vector<TypeId>& created) {
    const TypeNode& n = store_->at(t);
    if (n.definedResources.empty()) return t;
    ResourceMap map;
    std::vector<TypeId> defined = n.definedResources;
    for (TypeId r : defined) {
      TypeId fresh = store_->freshResource(store_->at(r).dtor);
      map[r] = fresh;
      created.push_back(fresh);
    }
    TypeId out = store_->substitute(t, map);
    // The copy is concrete: its resources belong to the enclosing scope.
    TypeNode copy = store_->at(out);
    copy.definedResources.clear();
    return store_->add(std::move(copy));
  }

  // ---- names ------------------------------------------------------------------------------------

  // Checks an import or export name in scope `s` and records it.
  bool externName(const std::string& name, bool import, const Entity& e, Scope& s) {
    ParsedName p;
    std::string why;
    if (!parseExternName(name, import, p, why)) return fail(why);
    NameTable& table = import ? s.importNames : s.exportNames;
    const char* what = import ? "import" : "export";
    auto conflict = [&](const std::string& previous) {
      return fail(std::string(what) + " name `" + name + "` conflicts with previous name `" +
                  previous + "`");
    };
    if (auto it = table.keys.find(p.key); it != table.keys.end()) return conflict(it->second);
    using K = ParsedName::Kind;
    if (p.kind == K::kConstructor || p.kind == K::kMethod || p.kind == K::kStatic) {
      if (e.kind != ExternKind::kFunc) {
        return fail(std::string(what) + " name `" + name +
                    "` is an annotated name but not a function");
      }
      auto res = table.resources.find(lowerAscii(p.resource));
      if (res == table.resources.end()) {
        return fail(std::string(what) + " name `" + name + "` is not valid: resource `" +
                    p.resource + "` is not a preceding " + what + " in this scope");
      }
      if (p.fieldIsResource) {
        auto it = table.keys.find(lowerAscii(p.resource));
        return conflict(it != table.keys.end() ? it->second : p.resource);
      }
      const TypeNode& f = store_->at(e.type);
      TypeId r = res->second;
      if (p.kind == K::kConstructor) {
        bool ok = false;
        if (f.result) {
          const TypeNode& rt = store_->at(*f.result);
          if (rt.kind == TKind::kOwn && rt.resource == r) ok = true;
          if (rt.kind == TKind::kResult && rt.ok) {
            const TypeNode& okT = store_->at(*rt.ok);
            if (okT.kind == TKind::kOwn && okT.resource == r) ok = true;
          }
        }
        if (!ok) {
          return fail("function `" + name + "` should return `(own $" + p.resource +
                      ")` (or a result with it as the ok type)");
        }
      } else if (p.kind == K::kMethod) {
        bool ok = !f.params.empty() && f.params[0].first == "self";
        if (ok) {
          const TypeNode& pt = store_->at(f.params[0].second);
          ok = pt.kind == TKind::kBorrow && pt.resource == r;
        }
        if (!ok) {
          return fail("method `" + name +
                      "` should have a first parameter `(param \"self\" (borrow $" + p.resource +
                      "))`");
        }
      }
    }
    table.keys[p.key] = name;
    if (p.kind == K::kLabel && e.kind == ExternKind::kType &&
        store_->at(e.type).kind == TKind::kResource) {
      table.resources[lowerAscii(name)] = e.type;
    }
    return true;
  }

  // ---- imports and exports
  // -----------------------------------------------------------------------

  void importDecl(const ExternName& name, const ExternDesc& desc, Scope& s) {
    std::vector<TypeId> created;
    auto e = descEntity(desc, s, created);
    if (!e) return;
    if (!externName(name.name, true, *e, s)) return;
    // Explainer.md "Import and Export Definitions": the resources an import
    // refers to are imported (by it or a preceding import), not defined or
    // exported locally. Instance types may refer to their enclosing scope.
    if (s.kind != ScopeKind::kInstanceType) {
      std::set<TypeId> allowed(s.importedResources.begin(), s.importedResources.end());
      allowed.insert(created.begin(), created.end());
      if (!resourcesAllowed(*e, allowed, name.name, true)) return;
    }
    if (s.kind != ScopeKind::kInstanceType && !typesNamed(*e, s.importNamed, name.name, true)) {
      return;
    }
    e->type = nameType(*e, s.importNamed);
    s.importedResources.insert(s.importedResources.end(), created.begin(), created.end());
    s.imports.push_back({name.name, *e});
    pushEntity(s, *e);
  }

  // An export declarator of a component or instance type.
  void exportDecl(const ExternName& name, const ExternDesc& desc, Scope& s) {
    std::vector<TypeId> created;
    auto e = descEntity(desc, s, created);
    if (!e) return;
    if (!externName(name.name, false, *e, s)) return;
    if (!exportResourcesNamed(*e, s, name.name)) return;
    // Instance types may be "temporarily invalid": they are checked where a
    // component imports or exports them.
    if (s.kind != ScopeKind::kInstanceType && !typesNamed(*e, exportContext(s), name.name, false)) {
      return;
    }
    e->type = nameType(*e, s.exportNamed);
    s.definedResources.insert(s.definedResources.end(), created.begin(), created.end());
    if (e->kind == ExternKind::kType && store_->at(e->type).kind == TKind::kResource) {
      s.exportedResources.insert(e->type);
    }
    s.exports.push_back({name.name, *e});
    pushEntity(s, *e);
  }

  // Explainer.md "Import and Export Definitions": every resource a
  // non-resource export refers to must have been imported or exported.
  bool exportResourcesNamed(const Entity& e, Scope& s, const std::string& name) {
    std::set<TypeId> allowed(s.importedResources.begin(), s.importedResources.end());
    allowed.insert(s.exportedResources.begin(), s.exportedResources.end());
    allowed.insert(s.definedResources.begin(), s.definedResources.end());
    for (Scope* p = s.parent; p && s.kind != ScopeKind::kComponent; p = p->parent) {
      // Type declarators may refer to resources of enclosing scopes.
      allowed.insert(p->importedResources.begin(), p->importedResources.end());
      allowed.insert(p->exportedResources.begin(), p->exportedResources.end());
      allowed.insert(p->definedResources.begin(), p->definedResources.end());
      allowed.insert(p->localResources.begin(), p->localResources.end());
      if (p->kind == ScopeKind::kComponent) break;
    }
    if (s.kind != ScopeKind::kComponent) return true;  // types only name, they do not leak
    return resourcesAllowed(e, allowed, name);
  }

  // Maps the record, variant, enum and flags types an import declares (also
  // inside an imported instance) to the ones the argument supplies.
  void bindImportedTypes(const Entity& want, const Entity& got, ResourceMap& map) {
    if (want.kind == ExternKind::kType && got.kind == ExternKind::kType) {
      if (needsName(store_->at(want.type).kind) && want.type != got.type) map[want.type] = got.type;
      return;
    }
    if (want.kind != ExternKind::kInstance || got.kind != ExternKind::kInstance) return;
    std::vector<NamedEntity> wanted = store_->at(want.type).exports;
    std::vector<NamedEntity> given = store_->at(got.type).exports;
    for (const NamedEntity& w : wanted) {
      for (const NamedEntity& g : given) {
        if (g.name == w.name) bindImportedTypes(w.entity, g.entity, map);
      }
    }
  }

  // ---- named types ---------------------------------------------------------------------

  static bool needsName(TKind k) {
    return k == TKind::kRecord || k == TKind::kVariant || k == TKind::kEnum || k == TKind::kFlags;
  }

  std::set<TypeId> exportContext(const Scope& s) const {
    std::set<TypeId> named = s.importNamed;
    named.insert(s.exportNamed.begin(), s.exportNamed.end());
    return named;
  }

  // Every record, variant, enum and flags type reachable from `t` (but `t`
  // itself when `root`) is in `named`. Resources have their own rule.
  bool valueTypesNamed(TypeId t, const std::set<TypeId>& named, bool root,
                       std::set<TypeId>& seen) const {
    const TypeNode& n = store_->at(t);
    if (!root && needsName(n.kind)) return named.count(t) > 0;
    if (!seen.insert(t).second) return true;
    for (auto& f : n.fields) {
      if (f.second && !valueTypesNamed(*f.second, named, false, seen)) return false;
    }
    for (TypeId e : n.elements) {
      if (!valueTypesNamed(e, named, false, seen)) return false;
    }
    if (n.ok && !valueTypesNamed(*n.ok, named, false, seen)) return false;
    if (n.err && !valueTypesNamed(*n.err, named, false, seen)) return false;
    for (auto& p : n.params) {
      if (!valueTypesNamed(p.second, named, false, seen)) return false;
    }
    if (n.result && !valueTypesNamed(*n.result, named, false, seen)) return false;
    return true;
  }

  // The types an instance type exports (at any depth): named by importing or
  // exporting the instance.
  void instanceTypes(TypeId instance, std::set<TypeId>& out, std::set<TypeId>& seen) const {
    if (!seen.insert(instance).second) return;
    for (const NamedEntity& x : store_->at(instance).exports) {
      if (x.entity.kind == ExternKind::kType) out.insert(x.entity.type);
      if (x.entity.kind == ExternKind::kInstance) instanceTypes(x.entity.type, out, seen);
    }
  }

  bool entityTypesNamed(const Entity& e, std::set<TypeId> named, std::set<TypeId>& seen) const {
    TKind k = store_->at(e.type).kind;
    bool bundle = k == TKind::kInstance || k == TKind::kComponent;  // also as a type
    switch (e.kind) {
      case ExternKind::kType:
      case ExternKind::kFunc:
        if (!bundle) return valueTypesNamed(e.type, named, true, seen);
        [[fallthrough]];
      case ExternKind::kInstance:
      case ExternKind::kComponent: {
        if (!seen.insert(e.type).second) return true;
        const TypeNode& n = store_->at(e.type);
        for (const NamedEntity& x : n.imports) {
          if (x.entity.kind == ExternKind::kType) named.insert(x.entity.type);
        }
        for (const NamedEntity& x : n.exports) {
          if (x.entity.kind == ExternKind::kType) named.insert(x.entity.type);
        }
        for (const NamedEntity& x : n.imports) {
          if (!entityTypesNamed(x.entity, named, seen)) return false;
        }
        for (const NamedEntity& x : n.exports) {
          if (!entityTypesNamed(x.entity, named, seen)) return false;
        }
        return true;
      }
      default:
        return true;
    }
  }

  bool typesNamed(const Entity& e, const std::set<TypeId>& named, const std::string& name,
                  bool import) {
    std::set<TypeId> seen;
    if (entityTypesNamed(e, named, seen)) return true;
    const char* what = import ? "import" : "export";
    return fail(std::string(what) + " `" + name + "` refers to a type that is not named by a " +
                (import ? "preceding import" : "preceding import or export") + ": " +
                externKindName(e.kind) + " not valid to be used as " + what);
  }

  // Records what an import or export names: a type import or export of a
  // record, variant, enum or flags gets a fresh identity (the name), an
  // instance names the types it exports. Returns the entity's type.
  TypeId nameType(const Entity& e, std::set<TypeId>& named) {
    if (e.kind == ExternKind::kType && needsName(store_->at(e.type).kind)) {
      TypeNode copy = store_->at(e.type);
      TypeId id = store_->add(std::move(copy));
      named.insert(id);
      return id;
    }
    if (e.kind == ExternKind::kType) named.insert(e.type);
    if (e.kind == ExternKind::kInstance) {
      std::set<TypeId> seen;
      instanceTypes(e.type, named, seen);
    }
    return e.type;
  }

  void instanceResources(TypeId instance, std::set<TypeId>& out) {
    const TypeNode& n = store_->at(instance);
    for (const NamedEntity& x : n.exports) {
      const TypeNode& t = store_->at(x.entity.type);
      if (x.entity.kind == ExternKind::kType && t.kind == TKind::kResource)
        out.insert(x.entity.type);
      if (x.entity.kind == ExternKind::kInstance) instanceResources(x.entity.type, out);
    }
  }

  bool resourcesAllowed(const Entity& e, std::set<TypeId> allowed, const std::string& name,
                        bool import = false) {
    const TypeNode& n = store_->at(e.type);
    if (e.kind == ExternKind::kType && n.kind == TKind::kResource) return true;
    if (n.kind == TKind::kInstance || n.kind == TKind::kComponent) {
      allowed.insert(n.importedResources.begin(), n.importedResources.end());
      allowed.insert(n.definedResources.begin(), n.definedResources.end());
      for (const NamedEntity& x : n.exports) {
        if (x.entity.kind == ExternKind::kType &&
            store_->at(x.entity.type).kind == TKind::kResource) {
          allowed.insert(x.entity.type);
        }
      }
      for (const NamedEntity& x : n.imports) {
        if (x.entity.kind == ExternKind::kType &&
            store_->at(x.entity.type).kind == TKind::kResource) {
          allowed.insert(x.entity.type);
        }
      }
      for (const NamedEntity& x : n.imports) {
        if (!resourcesAllowed(x.entity, allowed, name, import)) return false;
      }
      for (const NamedEntity& x : n.exports) {
        if (!resourcesAllowed(x.entity, allowed, name, import)) return false;
      }
      return true;
    }
    std::set<TypeId> used;
    store_->resources(e.type, used, true);
    for (TypeId r : used) {
      if (!allowed.count(r)) {
        if (import) {
          return fail("import `" + name + "` refers to a resource type (" + store_->toString(r) +
                      ") that is not imported: " + externKindName(e.kind) +
                      " not valid to be used as import");
        }
        return fail("export `" + name + "` refers to a resource type (" + store_->toString(r) +
                    ") that is not exported or imported: type not valid to be used as export");
      }
    }
    return true;
  }

  void exportDef(const Export& ex, Scope& s) {
    auto actual = entityOf(s, ex.item);
    if (!actual) return;
    if (ex.item.sort == Sort::kCoreModule || isCoreSort(ex.item.sort)) {
      if (ex.item.sort != Sort::kCoreModule) {
        fail("only core modules can be exported of the core sorts");
        return;
      }
    }
    Entity exported = *actual;
    if (ex.ascribed) {
      std::vector<TypeId> created;
      auto want = descEntity(*ex.ascribed, s, created);
      if (!want) return;
      ResourceMap map;
      std::set<TypeId> bindable(created.begin(), created.end());
      std::string why;
      if (!store_->subtypeEntity(*actual, *want, map, bindable, why)) {
        fail("ascribed type of export `" + ex.name.name + "` is not a supertype of the exported " +
             externKindName(actual->kind) + ": " + why);
        return;
      }
      exported.kind = want->kind;
      exported.type = store_->substitute(want->type, map);
    }
    if (!externName(ex.name.name, false, exported, s)) return;
    if (!exportResourcesNamed(exported, s, ex.name.name)) return;
    if (!typesNamed(exported, exportContext(s), ex.name.name, false)) return;
    exported.type = nameType(exported, s.exportNamed);
    if (exported.kind == ExternKind::kType && store_->at(exported.type).kind == TKind::kResource) {
      s.exportedResources.insert(exported.type);
    }
    // An exported instance names the resources it exports, at any depth
    // (resources.wast: "instances-as-a-bundle count as explicit in").
    if (exported.kind == ExternKind::kInstance)
      instanceResources(exported.type, s.exportedResources);
    s.exports.push_back({ex.name.name, exported});
    pushEntity(s, exported);
  }

  // ---- instances
  // -----------------------------------------------------------------------------------

  void instance(const Instance& inst, Scope& s) {
    if (inst.kind == Instance::Kind::kInstantiate) {
      if (!inRange(s.components, inst.component, "component")) return;
      TypeId ct = s.components[inst.component];
      std::map<std::string, Entity> args;
      for (const InstantiateArg& a : inst.args) {
        auto e = entityOf(s, a.item);
        if (!e) return;
        if (!args.emplace(a.name, *e).second) {
          fail("instantiation argument `" + a.name + "` conflicts with previous argument `" +
               a.name + "`");
          return;
        }
      }
      const TypeNode& c = store_->at(ct);
      std::vector<NamedEntity> imports = c.imports;
      std::set<TypeId> bindable(c.importedResources.begin(), c.importedResources.end());
      ResourceMap map;
      for (const NamedEntity& im : imports) {
        auto it = args.find(im.name);
        if (it == args.end()) {
          fail("missing import named `" + im.name + "`");
          return;
        }
        std::string why;
        if (!store_->subtypeEntity(it->second, im.entity, map, bindable, why)) {
          fail("type mismatch for component instantiation argument `" + im.name + "`: " + why);
          return;
        }
      }
      // The component's imported types become the arguments' types.
      for (const NamedEntity& im : imports) bindImportedTypes(im.entity, args.at(im.name), map);
      const TypeNode& c2 = store_->at(ct);
      std::vector<TypeId> defined = c2.definedResources;
      std::vector<NamedEntity> exports = c2.exports;
      for (TypeId r : defined) map[r] = store_->freshResource(store_->at(r).dtor);
      TypeNode n;
      n.kind = TKind::kInstance;
      std::map<TypeId, TypeId> memo;
      for (NamedEntity e : exports) {
        e.entity.type = store_->substitute(e.entity.type, map, memo);
        n.exports.push_back(std::move(e));
      }
      s.instances.push_back(store_->add(std::move(n)));
      return;
    }
    TypeNode n;
    n.kind = TKind::kInstance;
    Scope names;  // the inline instance's own name scope
    for (const InlineExport& e : inst.exports) {
      auto ent = entityOf(s, e.item);
      if (!ent) return;
      if (isCoreSort(e.item.sort) && e.item.sort != Sort::kCoreModule) {
        fail("only core modules can be exported of the core sorts");
        return;
      }
      if (!externName(e.name.name, false, *ent, names)) return;
      n.exports.push_back({e.name.name, *ent});
    }
    s.instances.push_back(store_->add(std::move(n)));
  }

  // ---- aliases
  // ------------------------------------------------------------------------------------

  void alias(const Alias& a, Scope& s) {
    switch (a.target) {
      case Alias::Target::kInstanceExport: {
        if (!inRange(s.instances, a.instance, "instance")) return;
        const TypeNode& it = store_->at(s.instances[a.instance]);
        const NamedEntity* found = nullptr;
        for (const NamedEntity& e : it.exports) {
          if (e.name == a.name) found = &e;
        }
        if (!found) {
          fail("instance " + std::to_string(a.instance) + " has no export named `" + a.name + "`");
          return;
        }
        Sort want = externKindSort(found->entity.kind);
        if (want != a.sort) {
          fail("export `" + a.name + "` for instance " + std::to_string(a.instance) + " is not a " +
               sortName(a.sort) + " (it is a " + externKindName(found->entity.kind) + ")");
          return;
        }
        Entity e = found->entity;
        pushEntity(s, e);
        return;
      }
      case Alias::Target::kCoreInstanceExport: {
        if (!inRange(s.coreInstances, a.instance, "core instance")) return;
        const engine::ExternType* t = s.coreInstances[a.instance].find(a.name);
        if (!t) {
          fail("core instance " + std::to_string(a.instance) + " has no export named `" + a.name +
               "`");
          return;
        }
        auto mismatch = [&]() {
          fail("export `" + a.name + "` for core instance " + std::to_string(a.instance) +
               " is not a " + sortName(a.sort) + " (it is a " + engine::externKindName(t->kind) +
               ")");
        };
        switch (a.sort) {
          case Sort::kCoreFunc:
            if (t->kind != engine::ExternKind::kFunc) return mismatch();
            s.coreFuncs.push_back(t->func);
            return;
          case Sort::kCoreTable:
            if (t->kind != engine::ExternKind::kTable) return mismatch();
            s.coreTables.push_back(t->table);
            return;
          case Sort::kCoreMemory:
            if (t->kind != engine::ExternKind::kMemory) return mismatch();
            s.coreMemories.push_back(t->memory);
            return;
          case Sort::kCoreGlobal:
            if (t->kind != engine::ExternKind::kGlobal) return mismatch();
            s.coreGlobals.push_back(t->global);
            return;
          case Sort::kCoreTag:
            if (t->kind != engine::ExternKind::kTag) return mismatch();
            s.coreTags.push_back(t->func);
            return;
          default:
            fail(std::string("a core instance export alias cannot have sort ") + sortName(a.sort));
            return;
        }
      }
      case Alias::Target::kOuter: {
        Scope* target = &s;
        bool crossesComponent = false;
        for (uint32_t i = 0; i < a.outerCount; ++i) {
          if (target->kind == ScopeKind::kComponent) crossesComponent = true;
          target = target->parent;
          if (!target) {
            fail("invalid outer alias count of " + std::to_string(a.outerCount));
            return;
          }
        }
        switch (a.sort) {
          case Sort::kType: {
            if (!inRange(target->types, a.outerIndex, "type")) return;
            TypeId t = target->types[a.outerIndex];
            if (crossesComponent) {
              std::set<TypeId> free;
              store_->resources(t, free, true);
              if (!free.empty()) {
                fail("type index " + std::to_string(a.outerIndex) +
                     " is not valid in an outer alias: it refers to resources not defined in "
                     "the current component");
                return;
              }
            }
            s.types.push_back(t);
            return;
          }
          case Sort::kCoreType:
            if (!inRange(target->coreTypes, a.outerIndex, "core type")) return;
            s.coreTypes.push_back(target->coreTypes[a.outerIndex]);
            return;
          case Sort::kCoreModule:
            if (!inRange(target->coreModules, a.outerIndex, "module")) return;
            s.coreModules.push_back(target->coreModules[a.outerIndex]);
            return;
          case Sort::kComponent:
            if (!inRange(target->components, a.outerIndex, "component")) return;
            s.components.push_back(target->components[a.outerIndex]);
            return;
          default:
            fail(std::string("outer aliases of sort ") + sortName(a.sort) +
                 " are not allowed (only types, core types, modules and components)");
            return;
        }
      }
    }
  }

  // ---- canon
  // ----------------------------------------------------------------------------------------

  bool containsPtr(TypeId t) const {
    const TypeNode& n = store_->at(t);
    switch (n.kind) {
      case TKind::kPrimitive:
        return n.prim == PrimValType::kString;
      case TKind::kList:
        return true;
      case TKind::kRecord:
      case TKind::kVariant:
        for (auto& f : n.fields) {
          if (f.second && containsPtr(*f.second)) return true;
        }
        return false;
      case TKind::kTuple:
      case TKind::kOption:
        for (TypeId e : n.elements) {
          if (containsPtr(e)) return true;
        }
        return false;
      case TKind::kResult:
        return (n.ok && containsPtr(*n.ok)) || (n.err && containsPtr(*n.err));
      default:
        return false;
    }
  }

  // CanonicalABI.md "Flattening": flatten_type.
  void flatten(TypeId t, std::vector<ValType>& out) const {
    const TypeNode& n = store_->at(t);
    auto variant = [&](const std::vector<std::optional<TypeId>>& payloads) {
      std::vector<ValType> flat;
      for (const auto& p : payloads) {
        if (!p) continue;
        std::vector<ValType> f;
        flatten(*p, f);
        for (size_t i = 0; i < f.size(); ++i) {
          if (i < flat.size()) {
            flat[i] = join(flat[i], f[i]);
          } else {
            flat.push_back(f[i]);
          }
        }
      }
      out.push_back(ValType::kI32);
      out.insert(out.end(), flat.begin(), flat.end());
    };
    switch (n.kind) {
      case TKind::kPrimitive:
        switch (n.prim) {
          case PrimValType::kS64:
          case PrimValType::kU64:
            out.push_back(ValType::kI64);
            return;
          case PrimValType::kF32:
            out.push_back(ValType::kF32);
            return;
          case PrimValType::kF64:
            out.push_back(ValType::kF64);
            return;
          case PrimValType::kString:
            out.push_back(ValType::kI32);
            out.push_back(ValType::kI32);
            return;
          default:
            out.push_back(ValType::kI32);
            return;
        }
      case TKind::kList:
        out.push_back(ValType::kI32);
        out.push_back(ValType::kI32);
        return;
      case TKind::kRecord:
        for (auto& f : n.fields) flatten(*f.second, out);
        return;
      case TKind::kTuple:
        for (TypeId e : n.elements) flatten(e, out);
        return;
      case TKind::kVariant: {
        std::vector<std::optional<TypeId>> payloads;
        for (auto& f : n.fields) payloads.push_back(f.second);
        variant(payloads);
        return;
      }
      case TKind::kOption:
        variant({std::nullopt, n.elements[0]});
        return;
      case TKind::kResult:
        variant({n.ok, n.err});
        return;
      case TKind::kEnum:
        out.push_back(ValType::kI32);
        return;
      case TKind::kFlags:
        for (size_t i = 0; i < (n.labels.size() + 31) / 32; ++i) out.push_back(ValType::kI32);
        return;
      case TKind::kOwn:
      case TKind::kBorrow:
        out.push_back(ValType::kI32);
        return;
      default:
        return;
    }
  }

  struct Lowering {
    engine::FuncType core;
    bool needsMemory = false;
    bool needsRealloc = false;
  };

  // flatten_functype(ft, context) plus what the options must provide.
  Lowering lowering(TypeId funcType, bool lift) const {
    const TypeNode& f = store_->at(funcType);
    Lowering l;
    for (auto& p : f.params) {
      flatten(p.second, l.core.params);
      if (containsPtr(p.second)) {
        l.needsMemory = true;
        if (lift) l.needsRealloc = true;
      }
    }
    if (f.result) {
      flatten(*f.result, l.core.results);
      if (containsPtr(*f.result)) {
        l.needsMemory = true;
        if (!lift) l.needsRealloc = true;
      }
    }
    if (l.core.params.size() > kMaxFlatParams) {
      l.core.params = {ValType::kI32};
      l.needsMemory = true;
      if (lift) l.needsRealloc = true;
    }
    if (l.core.results.size() > kMaxFlatResults) {
      l.needsMemory = true;
      if (lift) {
        l.core.results = {ValType::kI32};
      } else {
        l.core.params.push_back(ValType::kI32);
        l.core.results.clear();
      }
    }
    return l;
  }

  bool canonOptions(const Canon& c, Scope& s, const Lowering& l, const engine::FuncType* lifted) {
    bool encoding = false, memory = false, realloc = false, postReturn = false;
    const char* encName = nullptr;
    for (const CanonOption& o : c.options) {
      switch (o.kind) {
        case CanonOption::Kind::kUtf8:
        case CanonOption::Kind::kUtf16:
        case CanonOption::Kind::kLatin1Utf16: {
          const char* name = o.kind == CanonOption::Kind::kUtf8    ? "utf8"
                             : o.kind == CanonOption::Kind::kUtf16 ? "utf16"
                                                                   : "latin1-utf16";
          if (encoding) {
            return fail(std::string("canonical encoding option `") + name +
                        "` conflicts with option `" + encName + "`");
          }
          encoding = true;
          encName = name;
          break;
        }
        case CanonOption::Kind::kMemory:
          if (memory) return fail("canonical option `memory` is specified more than once");
          memory = true;
          if (!inRange(s.coreMemories, o.index, "memory")) return false;
          if (s.coreMemories[o.index].limits.is64) {
            return fail("canonical option `memory` with a 64-bit memory (memory64, post-0.2)");
          }
          break;
        case CanonOption::Kind::kRealloc: {
          if (realloc) return fail("canonical option `realloc` is specified more than once");
          realloc = true;
          if (!inRange(s.coreFuncs, o.index, "function")) return false;
          engine::FuncType want{{ValType::kI32, ValType::kI32, ValType::kI32, ValType::kI32},
                                {ValType::kI32}};
          if (!(s.coreFuncs[o.index] == want)) {
            return fail(
                "canonical option `realloc` uses a core function with an incorrect "
                "signature: expected (i32, i32, i32, i32) -> (i32), found " +
                coreFuncTypeText(s.coreFuncs[o.index]));
          }
          break;
        }
        case CanonOption::Kind::kPostReturn: {
          if (postReturn) return fail("canonical option `post-return` is specified more than once");
          postReturn = true;
          if (c.kind != Canon::Kind::kLift) {
            return fail("canonical option `post-return` cannot be specified for lowerings");
          }
          if (!inRange(s.coreFuncs, o.index, "function")) return false;
          engine::FuncType want{lifted ? lifted->results : std::vector<ValType>{}, {}};
          if (!(s.coreFuncs[o.index] == want)) {
            return fail(
                "canonical option `post-return` uses a core function with an incorrect "
                "signature: expected " +
                coreFuncTypeText(want) + ", found " + coreFuncTypeText(s.coreFuncs[o.index]));
          }
          break;
        }
      }
    }
    if (realloc && !memory) {
      return fail("canonical option `realloc` requires `memory` to also be specified");
    }
    if (l.needsMemory && !memory) return fail("canonical option `memory` is required");
    if (l.needsRealloc && !realloc) return fail("canonical option `realloc` is required");
    return true;
  }

  void canon(const Canon& c, Scope& s) {
    switch (c.kind) {
      case Canon::Kind::kLift: {
        if (!inRange(s.coreFuncs, c.func, "core function")) return;
        if (!inRange(s.types, c.type, "type")) return;
        TypeId ft = s.types[c.type];
        if (store_->at(ft).kind != TKind::kFunc) {
          fail("type index " + std::to_string(c.type) + " is not a function type");
          return;
        }
        Lowering l = lowering(ft, true);
        const engine::FuncType& core = s.coreFuncs[c.func];
        if (!(core == l.core)) {
          fail("canon lift: the core function has type " + coreFuncTypeText(core) +
               " but the lifted type " + store_->toString(ft) + " flattens to " +
               coreFuncTypeText(l.core) + " (lowered parameter/result types mismatch)");
          return;
        }
        if (!canonOptions(c, s, l, &core)) return;
        s.funcs.push_back(ft);
        return;
      }
      case Canon::Kind::kLower: {
        if (!inRange(s.funcs, c.func, "function")) return;
        TypeId ft = s.funcs[c.func];
        Lowering l = lowering(ft, false);
        if (!canonOptions(c, s, l, nullptr)) return;
        s.coreFuncs.push_back(l.core);
        return;
      }
      case Canon::Kind::kResourceNew:
      case Canon::Kind::kResourceRep: {
        auto r = resourceAt(c.type, s);
        if (!r) return;
        if (!s.localResources.count(*r)) {
          fail(std::string(canonKindName(c.kind)) + ": type index " + std::to_string(c.type) +
               " is not a resource type defined in this component");
          return;
        }
        s.coreFuncs.push_back(engine::FuncType{{ValType::kI32}, {ValType::kI32}});
        return;
      }
      case Canon::Kind::kResourceDrop: {
        if (!resourceAt(c.type, s)) return;
        s.coreFuncs.push_back(engine::FuncType{{ValType::kI32}, {}});
        return;
      }
    }
  }

  void start(const Start& st, Scope& s) {
    if (!inRange(s.funcs, st.func, "function")) return;
    const TypeNode& f = store_->at(s.funcs[st.func]);
    if (!f.params.empty() || f.result) {
      fail("start function " + std::to_string(st.func) +
           " takes parameters or returns a result: component model values are not supported "
           "(post-0.2)");
    }
  }

  std::string file_;
  ValidateOptions options_;
  std::unique_ptr<TypeStore> store_;
  engine::Engine engine_;
  std::optional<Error> error_;
  uint64_t offset_ = 0;
  std::string section_ = "preamble";
  TypeId resourceResult_ = kNoType;
  std::map<const Component*, TypeId> nested_;
};

}  // namespace

Result<CheckedComponent> checkComponent(const Component& component, const std::string& name,
                                        const ValidateOptions& options) {
  Checker c(name, options);
  return c.run(component);
}

}  // namespace binary

Status validateComponent(const Component& component, const std::string& name,
                         const ValidateOptions& options) {
  auto r = binary::checkComponent(component, name, options);
  if (!r.ok()) return std::move(r).error();
  return okStatus();
}

}  // namespace compono::component
