// WIT types -> component-model type definitions. Spec: Explainer.md "Type
// Definitions", WIT.md "Package format" (how wit-component encodes worlds).
#include "component/componentize/type_encoder.h"

#include <type_traits>

namespace compono::component::componentize {

using wit::Primitive;

// ---- Scope ------------------------------------------------------------------------

uint32_t Scope::count(Sort s) const {
  if (component_) return component_->count(s);
  return counts_[static_cast<size_t>(s)];
}

uint32_t Scope::add(std::variant<CoreTypeDef, TypeDef, Alias, ImportDecl, ExportDecl> item,
                    Sort sort) {
  if (component_) {
    DefinitionItem d = std::visit(
        [](auto&& x) -> DefinitionItem {
          using X = std::decay_t<decltype(x)>;
          if constexpr (std::is_same_v<X, ImportDecl>) {
            return Import{x.name, x.desc};
          } else if constexpr (std::is_same_v<X, ExportDecl>) {
            return Import{x.name, x.desc};  // not used: components export with exportItem
          } else {
            return x;
          }
        },
        std::move(item));
    return component_->add(std::move(d)).index;
  }
  TypeDecl decl;
  decl.item = std::move(item);
  decls_->push_back(std::move(decl));
  return counts_[static_cast<size_t>(sort)]++;
}

uint32_t Scope::defineType(const TypeDefKind& kind) {
  bool dedupe = !std::holds_alternative<ResourceType>(kind) &&
                !std::holds_alternative<ComponentType>(kind) &&
                !std::holds_alternative<InstanceType>(kind);
  if (dedupe) {
    for (const auto& [k, idx] : defined_) {
      if (k == kind) return idx;
    }
  }
  uint32_t idx = add(TypeDef{kind}, Sort::kType);
  if (dedupe) defined_.emplace_back(kind, idx);
  return idx;
}

uint32_t Scope::aliasOuterType(uint32_t count, uint32_t index) {
  Alias a;
  a.sort = Sort::kType;
  a.target = Alias::Target::kOuter;
  a.outerCount = count;
  a.outerIndex = index;
  return add(a, Sort::kType);
}

uint32_t Scope::aliasInstanceExport(Sort sort, uint32_t instance, const std::string& name) {
  Alias a;
  a.sort = sort;
  a.target = isCoreSort(sort) ? Alias::Target::kCoreInstanceExport : Alias::Target::kInstanceExport;
  a.instance = instance;
  a.name = name;
  return add(a, sort);
}

uint32_t Scope::importItem(const std::string& name, const ExternDesc& desc) {
  return add(ImportDecl{ExternName{name, 0x00}, desc}, externKindSort(desc.kind));
}

uint32_t Scope::exportDecl(const std::string& name, const ExternDesc& desc) {
  return add(ExportDecl{ExternName{name, 0x00}, desc}, externKindSort(desc.kind));
}

uint32_t Scope::exportItem(const std::string& name, SortIndex item,
                           std::optional<ExternDesc> ascribed) {
  Export e;
  e.name = ExternName{name, 0x00};
  e.item = item;
  e.ascribed = std::move(ascribed);
  return component_->add(std::move(e)).index;
}

// ---- names ---------------------------------------------------------------------------

std::string worldItemName(const wit::Model& model, const wit::WorldItem& item) {
  if (item.kind == wit::WorldItemKind::kInterface && item.keyedByInterface()) {
    auto n = model.interfaceName(item.interface);
    if (n) return *n;
  }
  return item.name;
}

std::string ownerInterfaceName(const wit::Model& model, wit::TypeId id) {
  const wit::TypeDef& td = model.types[id];
  if (td.owner.kind != wit::OwnerKind::kInterface) return "";
  auto n = model.interfaceName(td.owner.id);
  if (n) return *n;
  // An inline interface: the name of the world item that declares it.
  const wit::Interface& iface = model.interfaces[td.owner.id];
  if (iface.world != wit::kNoId) {
    const wit::World& w = model.worlds[iface.world];
    for (const auto* items : {&w.imports, &w.exports}) {
      for (const wit::WorldItem& item : *items) {
        if (item.kind == wit::WorldItemKind::kInterface && item.interface == td.owner.id) {
          return item.name;
        }
      }
    }
  }
  return "";
}

// ---- TypeEncoder -----------------------------------------------------------------------

namespace {

Error unsupported(const std::string& what) {
  return Error(ErrorCode::kComponent,
               what + " is not supported in components yet (post-0.2 feature)");
}

Result<PrimValType> primValType(Primitive p) {
  switch (p) {
    case Primitive::kBool:
      return PrimValType::kBool;
    case Primitive::kS8:
      return PrimValType::kS8;
    case Primitive::kU8:
      return PrimValType::kU8;
    case Primitive::kS16:
      return PrimValType::kS16;
    case Primitive::kU16:
      return PrimValType::kU16;
    case Primitive::kS32:
      return PrimValType::kS32;
    case Primitive::kU32:
      return PrimValType::kU32;
    case Primitive::kS64:
      return PrimValType::kS64;
    case Primitive::kU64:
      return PrimValType::kU64;
    case Primitive::kF32:
      return PrimValType::kF32;
    case Primitive::kF64:
      return PrimValType::kF64;
    case Primitive::kChar:
      return PrimValType::kChar;
    case Primitive::kString:
      return PrimValType::kString;
    case Primitive::kErrorContext:
      break;
  }
  return unsupported("`error-context`");
}

ExternDesc typeBound(TypeBound::Kind kind, uint32_t index) {
  ExternDesc d;
  d.kind = ExternKind::kType;
  d.bound.kind = kind;
  d.bound.index = index;
  return d;
}

}  // namespace

Result<uint32_t> TypeEncoder::typeRef(Scope& s, wit::TypeId id) {
  auto key = std::make_pair(&model_, id);
  auto it = s.types.find(key);
  if (it != s.types.end()) return it->second;
  const wit::TypeDef& td = model_.types[id];
  if (s.parent()) {  // an instance type: reach out to the enclosing scope
    COMPONO_ASSIGN(uint32_t outer, typeRef(*s.parent(), id));
    uint32_t idx = s.aliasOuterType(1, outer);
    s.types[key] = idx;
    return idx;
  }
  std::string iface = ownerInterfaceName(model_, id);
  std::string name = iface + "#" + td.name;
  auto cached = s.instanceTypes.find(name);
  if (cached != s.instanceTypes.end()) {
    s.types[key] = cached->second;
    return cached->second;
  }
  auto inst = s.instances.find(iface);
  if (iface.empty() || inst == s.instances.end()) {
    if (s.onMissing) {
      COMPONO_ASSIGN(uint32_t idx, s.onMissing(model_, id));
      s.types[key] = idx;
      return idx;
    }
    return Error(ErrorCode::kInternal, "type `" + td.name + "` of `" + iface +
                                           "` is used before its interface is imported");
  }
  uint32_t idx = s.aliasInstanceExport(Sort::kType, inst->second, td.name);
  s.instanceTypes[name] = idx;
  s.types[key] = idx;
  return idx;
}

Result<ValType> TypeEncoder::valType(Scope& s, wit::Type t) {
  if (t.isPrimitive()) {
    COMPONO_ASSIGN(PrimValType p, primValType(t.primitive));
    return ValType::primitive(p);
  }
  const wit::TypeDef& td = model_.types[t.id];
  if (!td.name.empty()) {
    COMPONO_ASSIGN(uint32_t idx, typeRef(s, t.id));
    return ValType::typeIndex(idx);
  }
  if (const auto* alias = std::get_if<wit::AliasType>(&td.kind)) return valType(s, alias->target);
  COMPONO_ASSIGN(TypeDefKind kind, structural(s, td));
  return ValType::typeIndex(s.defineType(kind));
}

Result<TypeDefKind> TypeEncoder::structural(Scope& s, const wit::TypeDef& td) {
  TypeDefKind kind;
  Status st = okStatus();
  auto vt = [&](wit::Type x) -> ValType {
    if (!st.ok()) return ValType{};
    auto r = valType(s, x);
    if (!r.ok()) {
      st = r.error();
      return ValType{};
    }
    return *r;
  };
  std::visit(
      [&](const auto& k) {
        using K = std::decay_t<decltype(k)>;
        if constexpr (std::is_same_v<K, wit::RecordType>) {
          RecordType r;
          for (const auto& f : k.fields) r.fields.push_back({f.name, vt(f.type)});
          kind = r;
        } else if constexpr (std::is_same_v<K, wit::VariantType>) {
          VariantType v;
          for (const auto& c : k.cases) {
            v.cases.push_back(
                {c.name, c.type ? std::optional<ValType>(vt(*c.type)) : std::nullopt});
          }
          kind = v;
        } else if constexpr (std::is_same_v<K, wit::EnumType>) {
          EnumType e;
          for (const auto& c : k.cases) e.labels.push_back(c.name);
          kind = e;
        } else if constexpr (std::is_same_v<K, wit::FlagsType>) {
          FlagsType f;
          for (const auto& c : k.flags) f.labels.push_back(c.name);
          kind = f;
        } else if constexpr (std::is_same_v<K, wit::TupleType>) {
          TupleType tu;
          for (const auto& e : k.types) tu.types.push_back(vt(e));
          kind = tu;
        } else if constexpr (std::is_same_v<K, wit::OptionType>) {
          kind = OptionType{vt(k.type)};
        } else if constexpr (std::is_same_v<K, wit::ResultType>) {
          ResultType r;
          if (k.ok) r.ok = vt(*k.ok);
          if (k.err) r.err = vt(*k.err);
          kind = r;
        } else if constexpr (std::is_same_v<K, wit::ListType>) {
          if (k.length) {
            st = unsupported("a fixed-length list");
            return;
          }
          kind = ListType{vt(k.element)};
        } else if constexpr (std::is_same_v<K, wit::HandleType>) {
          auto r = typeRef(s, k.resource);
          if (!r.ok()) {
            st = r.error();
            return;
          }
          if (k.kind == wit::HandleKind::kOwn) {
            kind = OwnType{*r};
          } else {
            kind = BorrowType{*r};
          }
        } else if constexpr (std::is_same_v<K, wit::MapType>) {
          st = unsupported("`map`");
        } else if constexpr (std::is_same_v<K, wit::FutureType>) {
          st = unsupported("`future`");
        } else if constexpr (std::is_same_v<K, wit::StreamType>) {
          st = unsupported("`stream`");
        } else {
          st = Error(ErrorCode::kInternal,
                     std::string("cannot encode a `") + wit::typeDefKindName(td.kind) + "` here");
        }
      },
      td.kind);
  if (!st.ok()) return std::move(st).error();
  return kind;
}

Result<uint32_t> TypeEncoder::funcType(Scope& s, const wit::Function& f) {
  if (f.isAsync) return unsupported("async function `" + f.name + "`");
  FuncType ft;
  for (const auto& p : f.params) {
    COMPONO_ASSIGN(ValType v, valType(s, p.type));
    ft.params.push_back({p.name, v});
  }
  if (f.result) {
    COMPONO_ASSIGN(ValType v, valType(s, *f.result));
    ft.result = v;
  }
  return s.defineType(ft);
}

Status TypeEncoder::defineNamed(Scope& s, wit::TypeId id, bool asImport) {
  const wit::TypeDef& td = model_.types[id];
  auto declare = [&](const ExternDesc& d) {
    uint32_t idx = asImport ? s.importItem(td.name, d) : s.exportDecl(td.name, d);
    s.types[{&model_, id}] = idx;
  };
  if (std::holds_alternative<wit::ResourceType>(td.kind)) {
    declare(typeBound(TypeBound::Kind::kSubResource, 0));
    return okStatus();
  }
  uint32_t target;
  if (const auto* a = std::get_if<wit::AliasType>(&td.kind)) {
    if (a->target.isPrimitive()) {
      COMPONO_ASSIGN(PrimValType p, primValType(a->target.primitive));
      target = s.defineType(p);
    } else if (!model_.types[a->target.id].name.empty()) {
      COMPONO_ASSIGN(target, typeRef(s, a->target.id));
    } else {
      COMPONO_ASSIGN(ValType v, valType(s, a->target));
      if (v.isPrimitive()) {
        target = s.defineType(v.prim);
      } else {
        target = v.index;
      }
    }
  } else {
    COMPONO_ASSIGN(TypeDefKind kind, structural(s, td));
    target = s.defineType(kind);
  }
  declare(typeBound(TypeBound::Kind::kEq, target));
  return okStatus();
}

Result<InstanceType> TypeEncoder::instanceType(Scope& outer, wit::InterfaceId ifaceId) {
  const wit::Interface& iface = model_.interfaces[ifaceId];
  if (iface.stub) {
    auto n = model_.interfaceName(ifaceId);
    return Error(ErrorCode::kComponent, "interface `" + (n ? *n : iface.name) +
                                            "` is not available (its package is missing)");
  }
  InstanceType it;
  Scope s(&it.decls, &outer);
  for (wit::TypeId t : iface.types) COMPONO_TRY(defineNamed(s, t, /*asImport=*/false));
  for (const wit::Function& f : iface.functions) {
    COMPONO_ASSIGN(uint32_t ft, funcType(s, f));
    ExternDesc d;
    d.kind = ExternKind::kFunc;
    d.typeIndex = ft;
    s.exportDecl(f.name, d);
  }
  return it;
}

Status TypeEncoder::worldImports(Scope& s, wit::WorldId worldId) {
  const wit::World& w = model_.worlds[worldId];
  for (const wit::WorldItem& item : w.imports) {
    std::string name = worldItemName(model_, item);
    switch (item.kind) {
      case wit::WorldItemKind::kInterface: {
        if (s.instances.count(name)) break;
        COMPONO_ASSIGN(InstanceType it, instanceType(s, item.interface));
        uint32_t ty = s.defineType(it);
        ExternDesc d;
        d.kind = ExternKind::kInstance;
        d.typeIndex = ty;
        s.instances[name] = s.importItem(name, d);
        break;
      }
      case wit::WorldItemKind::kFunction: {
        COMPONO_ASSIGN(uint32_t ft, funcType(s, item.function));
        ExternDesc d;
        d.kind = ExternKind::kFunc;
        d.typeIndex = ft;
        s.importItem(name, d);
        break;
      }
      case wit::WorldItemKind::kType:
        COMPONO_TRY(defineNamed(s, item.type, /*asImport=*/true));
        break;
    }
  }
  return okStatus();
}

Status TypeEncoder::worldExports(Scope& s, wit::WorldId worldId) {
  const wit::World& w = model_.worlds[worldId];
  for (const wit::WorldItem& item : w.exports) {
    std::string name = worldItemName(model_, item);
    switch (item.kind) {
      case wit::WorldItemKind::kInterface: {
        COMPONO_ASSIGN(InstanceType it, instanceType(s, item.interface));
        uint32_t ty = s.defineType(it);
        ExternDesc d;
        d.kind = ExternKind::kInstance;
        d.typeIndex = ty;
        uint32_t inst = s.exportDecl(name, d);
        if (!s.instances.count(name)) s.instances[name] = inst;
        break;
      }
      case wit::WorldItemKind::kFunction: {
        COMPONO_ASSIGN(uint32_t ft, funcType(s, item.function));
        ExternDesc d;
        d.kind = ExternKind::kFunc;
        d.typeIndex = ft;
        s.exportDecl(name, d);
        break;
      }
      case wit::WorldItemKind::kType:
        break;  // worlds do not export types
    }
  }
  return okStatus();
}

}  // namespace compono::component::componentize
