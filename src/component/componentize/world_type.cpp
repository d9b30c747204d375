// The `component-type` custom section: a WIT world encoded as a component
// type (wit-component's "encoded world" format), and back.
//
// Layout of the payload (what wit-component's metadata::encode writes):
//   (component
//     (@custom "wit-component-encoding" "\04\00")   ;; version 4, UTF-8
//     (type (component
//       (type (component ...the world's imports and exports...))
//       (export "ns:pkg/world@v" (component (type 0)))))
//     (export "world" (type 0)))
#include <type_traits>

#include "component/componentize/type_encoder.h"
#include "compono/component/binary.h"
#include "compono/component/componentize.h"

namespace compono::component::componentize {

namespace {

constexpr uint8_t kEncodingVersion = 4;
constexpr uint8_t kUtf8 = 0;

std::string worldId(const wit::Model& model, const wit::World& w) {
  const wit::PackageName& pn = model.packages[w.package].name;
  return pn.ns + ":" + pn.name + "/" + w.name + (pn.version ? "@" + pn.version->toString() : "");
}

}  // namespace

Result<std::vector<uint8_t>> encodeWorldType(const wit::Model& model, wit::WorldId world) {
  if (world >= model.worlds.size()) return Error(ErrorCode::kUsage, "no such world");
  const wit::World& w = model.worlds[world];
  TypeEncoder enc(model);

  ComponentType worldTy;
  Scope ws(&worldTy.decls, nullptr);
  COMPONO_TRY(enc.worldImports(ws, world));
  COMPONO_TRY(enc.worldExports(ws, world));

  ComponentType outerTy;
  Scope outer(&outerTy.decls, nullptr);
  uint32_t inner = outer.defineType(worldTy);
  ExternDesc d;
  d.kind = ExternKind::kComponent;
  d.typeIndex = inner;
  outer.exportDecl(worldId(model, w), d);

  Component top;
  CustomSection cs;
  cs.name = "wit-component-encoding";
  cs.buffer =
      std::make_shared<const std::vector<uint8_t>>(std::vector<uint8_t>{kEncodingVersion, kUtf8});
  cs.begin = 0;
  cs.size = 2;
  top.add(cs);
  uint32_t ty = top.add(TypeDef{outerTy}).index;
  Export e;
  e.name = ExternName{w.name, 0x00};
  e.item = SortIndex{Sort::kType, ty};
  top.add(e);
  return encodeComponent(top);
}

// ---- decoding ------------------------------------------------------------------------

namespace {

// What one type index of a scope denotes.
struct Slot {
  const TypeDefKind* def = nullptr;  // a type definition (value, func, instance, ...)
  std::optional<wit::Type> wit;      // a WIT type already made (named types, converted defs)
};

class WorldDecoder {
 public:
  WorldDecoder(const std::string& where) : where_(where) {}

  Result<DecodedWorld> run(const Component& c);

 private:
  struct DeclScope {
    std::vector<Slot> types;
    std::vector<wit::InterfaceId> instances;
    size_t funcs = 0;
    size_t components = 0;
    DeclScope* parent = nullptr;
    wit::TypeOwner owner;  // the interface or world that named types belong to
  };

  Error bad(const std::string& what) const {
    return Error(ErrorCode::kDecode, where_ + ": " + what);
  }
  Result<wit::PackageId> package(const std::string& spec);  // "ns:pkg@v"
  Result<wit::Type> valType(DeclScope& s, const ValType& v);
  Result<wit::Type> slotType(DeclScope& s, uint32_t index);
  Result<wit::Function> function(DeclScope& s, const std::string& name, uint32_t typeIndex);
  Status declare(DeclScope& s, const std::string& name, const ExternDesc& desc, bool isImport,
                 wit::World* world);
  Result<wit::InterfaceId> interface(DeclScope& outer, const std::string& name,
                                     const InstanceType& it, bool isExport);
  Status walk(DeclScope& s, const std::vector<TypeDecl>& decls, wit::World* world);

  std::string where_;
  wit::Model m_;
  wit::WorldId worldId_ = wit::kNoId;
};

Result<wit::PackageId> WorldDecoder::package(const std::string& spec) {
  wit::PackageName pn;
  size_t colon = spec.find(':');
  size_t at = spec.find('@');
  if (colon == std::string::npos || (at != std::string::npos && at < colon)) {
    return bad("bad package name `" + spec + "`");
  }
  pn.ns = spec.substr(0, colon);
  pn.name = spec.substr(colon + 1, at == std::string::npos ? std::string::npos : at - colon - 1);
  if (at != std::string::npos) {
    auto v = wit::Version::parse(spec.substr(at + 1));
    if (!v.ok()) return bad(v.error().message);
    pn.version = *v;
  }
  auto found = m_.findPackage(pn);
  if (found) return *found;
  wit::Package p;
  p.name = pn;
  return m_.addPackage(p);
}

Result<wit::Type> WorldDecoder::slotType(DeclScope& s, uint32_t index) {
  if (index >= s.types.size()) return bad("type index " + std::to_string(index) + " out of range");
  Slot& slot = s.types[index];
  if (slot.wit) return *slot.wit;
  if (!slot.def) return bad("type index " + std::to_string(index) + " is not a value type");
  const TypeDefKind& k = *slot.def;
  wit::TypeDef td;
  Status st = okStatus();
  auto vt = [&](const ValType& v) -> wit::Type {
    if (!st.ok()) return wit::Type{};
    auto r = valType(s, v);
    if (!r.ok()) {
      st = r.error();
      return wit::Type{};
    }
    return *r;
  };
  std::optional<wit::Type> direct;
  std::visit(
      [&](const auto& x) {
        using X = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<X, PrimValType>) {
          direct = valType(s, ValType::primitive(x)).value();
        } else if constexpr (std::is_same_v<X, RecordType>) {
          wit::RecordType r;
          for (const auto& f : x.fields) r.fields.push_back({f.label, vt(f.type), ""});
          td.kind = r;
        } else if constexpr (std::is_same_v<X, VariantType>) {
          wit::VariantType v;
          for (const auto& c : x.cases) {
            v.cases.push_back(
                {c.label, c.type ? std::optional<wit::Type>(vt(*c.type)) : std::nullopt, ""});
          }
          td.kind = v;
        } else if constexpr (std::is_same_v<X, ListType>) {
          td.kind = wit::ListType{vt(x.element), std::nullopt};
        } else if constexpr (std::is_same_v<X, TupleType>) {
          wit::TupleType t;
          for (const auto& e : x.types) t.types.push_back(vt(e));
          td.kind = t;
        } else if constexpr (std::is_same_v<X, FlagsType>) {
          wit::FlagsType f;
          for (const auto& l : x.labels) f.flags.push_back({l, ""});
          td.kind = f;
        } else if constexpr (std::is_same_v<X, EnumType>) {
          wit::EnumType e;
          for (const auto& l : x.labels) e.cases.push_back({l, ""});
          td.kind = e;
        } else if constexpr (std::is_same_v<X, OptionType>) {
          td.kind = wit::OptionType{vt(x.type)};
        } else if constexpr (std::is_same_v<X, ResultType>) {
          wit::ResultType r;
          if (x.ok) r.ok = vt(*x.ok);
          if (x.err) r.err = vt(*x.err);
          td.kind = r;
        } else if constexpr (std::is_same_v<X, OwnType> || std::is_same_v<X, BorrowType>) {
          auto r = slotType(s, x.resource);
          if (!r.ok()) {
            st = r.error();
            return;
          }
          if (r->isPrimitive() || m_.resourceOf(r->id) == wit::kNoId) {
            st = bad("own/borrow of a type that is not a resource");
            return;
          }
          wit::HandleType h;
          h.kind = std::is_same_v<X, OwnType> ? wit::HandleKind::kOwn : wit::HandleKind::kBorrow;
          h.resource = r->id;
          td.kind = h;
        } else {
          st = bad(std::string("a `") + typeDefKindName(k) + "` type used as a value type");
        }
      },
      k);
  if (!st.ok()) return std::move(st).error();
  if (direct) {
    slot.wit = direct;
    return *direct;
  }
  wit::Type t = wit::Type::def(m_.addType(std::move(td)));
  slot.wit = t;
  return t;
}

Result<wit::Type> WorldDecoder::valType(DeclScope& s, const ValType& v) {
  if (v.isPrimitive()) {
    switch (v.prim) {
      case PrimValType::kBool:
        return wit::Type::prim(wit::Primitive::kBool);
      case PrimValType::kS8:
        return wit::Type::prim(wit::Primitive::kS8);
      case PrimValType::kU8:
        return wit::Type::prim(wit::Primitive::kU8);
      case PrimValType::kS16:
        return wit::Type::prim(wit::Primitive::kS16);
      case PrimValType::kU16:
        return wit::Type::prim(wit::Primitive::kU16);
      case PrimValType::kS32:
        return wit::Type::prim(wit::Primitive::kS32);
      case PrimValType::kU32:
        return wit::Type::prim(wit::Primitive::kU32);
      case PrimValType::kS64:
        return wit::Type::prim(wit::Primitive::kS64);
      case PrimValType::kU64:
        return wit::Type::prim(wit::Primitive::kU64);
      case PrimValType::kF32:
        return wit::Type::prim(wit::Primitive::kF32);
      case PrimValType::kF64:
        return wit::Type::prim(wit::Primitive::kF64);
      case PrimValType::kChar:
        return wit::Type::prim(wit::Primitive::kChar);
      case PrimValType::kString:
        return wit::Type::prim(wit::Primitive::kString);
    }
  }
  return slotType(s, v.index);
}

Result<wit::Function> WorldDecoder::function(DeclScope& s, const std::string& name,
                                             uint32_t typeIndex) {
  if (typeIndex >= s.types.size() || !s.types[typeIndex].def ||
      !std::holds_alternative<FuncType>(*s.types[typeIndex].def)) {
    return bad("function `" + name + "`: type " + std::to_string(typeIndex) +
               " is not a function type");
  }
  const FuncType& ft = std::get<FuncType>(*s.types[typeIndex].def);
  wit::Function f;
  f.name = name;
  for (const auto& p : ft.params) {
    COMPONO_ASSIGN(wit::Type t, valType(s, p.type));
    f.params.push_back({p.label, t});
  }
  if (ft.result) {
    COMPONO_ASSIGN(wit::Type t, valType(s, *ft.result));
    f.result = t;
  }
  // Resource functions: "[constructor]r", "[method]r.f", "[static]r.f".
  auto resourceNamed = [&](const std::string& r) -> wit::TypeId {
    for (wit::TypeId id = 0; id < m_.types.size(); ++id) {
      const wit::TypeDef& td = m_.types[id];
      if (td.owner == s.owner && td.name == r && m_.resourceOf(id) != wit::kNoId)
        return m_.resourceOf(id);
    }
    return wit::kNoId;
  };
  auto prefixed = [&](const char* prefix, wit::FunctionKind kind) -> Status {
    std::string p = prefix;
    if (name.compare(0, p.size(), p) != 0) return okStatus();
    std::string rest = name.substr(p.size());
    std::string r = kind == wit::FunctionKind::kConstructor ? rest : rest.substr(0, rest.find('.'));
    f.kind = kind;
    f.resource = resourceNamed(r);
    if (f.resource == wit::kNoId) return bad("function `" + name + "`: no resource `" + r + "`");
    return okStatus();
  };
  COMPONO_TRY(prefixed("[constructor]", wit::FunctionKind::kConstructor));
  COMPONO_TRY(prefixed("[method]", wit::FunctionKind::kMethod));
  COMPONO_TRY(prefixed("[static]", wit::FunctionKind::kStatic));
  return f;
}

// A type, function or instance declared by name in scope s.
Status WorldDecoder::declare(DeclScope& s, const std::string& name, const ExternDesc& desc,
                             bool isImport, wit::World* world) {
  switch (desc.kind) {
    case ExternKind::kType: {
      wit::TypeDef td;
      td.name = name;
      td.owner = s.owner;
      if (desc.bound.kind == TypeBound::Kind::kSubResource) {
        td.kind = wit::ResourceType{};
      } else {
        uint32_t i = desc.bound.index;
        if (i >= s.types.size()) return bad("type `" + name + "`: index out of range");
        const Slot& target = s.types[i];
        bool nominal = target.def && !target.wit &&
                       (std::holds_alternative<RecordType>(*target.def) ||
                        std::holds_alternative<VariantType>(*target.def) ||
                        std::holds_alternative<EnumType>(*target.def) ||
                        std::holds_alternative<FlagsType>(*target.def));
        COMPONO_ASSIGN(wit::Type t, slotType(s, i));
        if (nominal) {
          // Take over the definition made for the slot: it gets the name.
          wit::TypeDef& made = m_.types[t.id];
          made.name = name;
          made.owner = s.owner;
          s.types.push_back(Slot{nullptr, t});
          if (world && isImport) {
            wit::WorldItem item;
            item.name = name;
            item.kind = wit::WorldItemKind::kType;
            item.type = t.id;
            world->imports.push_back(item);
          } else if (s.owner.kind == wit::OwnerKind::kInterface) {
            m_.interfaces[s.owner.id].types.push_back(t.id);
          }
          return okStatus();
        }
        td.kind = wit::AliasType{t};
      }
      wit::TypeId id = m_.addType(std::move(td));
      s.types.push_back(Slot{nullptr, wit::Type::def(id)});
      if (world) {
        if (isImport) {
          wit::WorldItem item;
          item.name = name;
          item.kind = wit::WorldItemKind::kType;
          item.type = id;
          world->imports.push_back(item);
        }
      } else if (s.owner.kind == wit::OwnerKind::kInterface) {
        m_.interfaces[s.owner.id].types.push_back(id);
      }
      return okStatus();
    }
    case ExternKind::kFunc: {
      COMPONO_ASSIGN(wit::Function f, function(s, name, desc.typeIndex));
      s.funcs++;
      if (world) {
        wit::WorldItem item;
        item.name = name;
        item.kind = wit::WorldItemKind::kFunction;
        item.function = std::move(f);
        (isImport ? world->imports : world->exports).push_back(std::move(item));
      } else {
        m_.interfaces[s.owner.id].functions.push_back(std::move(f));
      }
      return okStatus();
    }
    case ExternKind::kInstance: {
      if (!world) return bad("instance `" + name + "` inside an interface");
      uint32_t i = desc.typeIndex;
      if (i >= s.types.size() || !s.types[i].def ||
          !std::holds_alternative<InstanceType>(*s.types[i].def)) {
        return bad("instance `" + name + "`: type " + std::to_string(i) +
                   " is not an instance type");
      }
      COMPONO_ASSIGN(wit::InterfaceId iface,
                     interface(s, name, std::get<InstanceType>(*s.types[i].def), !isImport));
      s.instances.push_back(iface);
      wit::WorldItem item;
      item.kind = wit::WorldItemKind::kInterface;
      item.interface = iface;
      if (m_.interfaces[iface].name.empty()) item.name = name;
      (isImport ? world->imports : world->exports).push_back(item);
      return okStatus();
    }
    case ExternKind::kComponent:
      s.components++;
      return okStatus();
    default:
      return bad("`" + name + "`: unexpected " + externKindName(desc.kind) + " in a world");
  }
}

Result<wit::InterfaceId> WorldDecoder::interface(DeclScope& outer, const std::string& name,
                                                 const InstanceType& it, bool isExport) {
  wit::Interface iface;
  size_t slash = name.find('/');
  if (name.find(':') != std::string::npos && slash != std::string::npos) {
    size_t at = name.find('@', slash);
    std::string pkgSpec = name.substr(0, slash) + (at == std::string::npos ? "" : name.substr(at));
    iface.name =
        name.substr(slash + 1, at == std::string::npos ? std::string::npos : at - slash - 1);
    COMPONO_ASSIGN(iface.package, package(pkgSpec));
    if (auto existing = m_.findInterface(iface.package, iface.name)) {
      if (isExport) return *existing;  // imported and exported: one interface
      return bad("interface `" + name + "` imported twice");
    }
  } else {
    iface.world = worldId_;
  }
  wit::InterfaceId id = m_.addInterface(std::move(iface));
  if (m_.interfaces[id].package != wit::kNoId) {
    m_.packages[m_.interfaces[id].package].interfaces.push_back(id);
  }
  DeclScope s;
  s.parent = &outer;
  s.owner = wit::TypeOwner{wit::OwnerKind::kInterface, id};
  COMPONO_TRY(walk(s, it.decls, nullptr));
  return id;
}

Status WorldDecoder::walk(DeclScope& s, const std::vector<TypeDecl>& decls, wit::World* world) {
  for (const TypeDecl& d : decls) {
    Status st = std::visit(
        [&](const auto& x) -> Status {
          using X = std::decay_t<decltype(x)>;
          if constexpr (std::is_same_v<X, TypeDef>) {
            s.types.push_back(Slot{&x.kind, std::nullopt});
          } else if constexpr (std::is_same_v<X, CoreTypeDef>) {
            // Core types do not occur in worlds; nothing to index here.
          } else if constexpr (std::is_same_v<X, Alias>) {
            if (x.sort != Sort::kType)
              return bad("alias of a " + std::string(sortName(x.sort)) + " in a world");
            if (x.target == Alias::Target::kOuter) {
              DeclScope* p = &s;
              for (uint32_t i = 0; i < x.outerCount && p; ++i) p = p->parent;
              if (!p || x.outerIndex >= p->types.size()) return bad("outer alias out of range");
              COMPONO_ASSIGN(wit::Type t, slotType(*p, x.outerIndex));
              s.types.push_back(Slot{nullptr, t});
            } else if (x.target == Alias::Target::kInstanceExport) {
              if (x.instance >= s.instances.size())
                return bad("alias of instance " + std::to_string(x.instance) + ": out of range");
              auto t = m_.findType(s.instances[x.instance], x.name);
              if (!t) return bad("alias: the instance has no type `" + x.name + "`");
              s.types.push_back(Slot{nullptr, wit::Type::def(*t)});
            } else {
              return bad("core alias in a world");
            }
          } else if constexpr (std::is_same_v<X, ImportDecl>) {
            if (!world) return bad("import inside an interface");
            return declare(s, x.name.name, x.desc, true, world);
          } else if constexpr (std::is_same_v<X, ExportDecl>) {
            return declare(s, x.name.name, x.desc, false, world);
          }
          return okStatus();
        },
        d.item);
    COMPONO_TRY(st);
  }
  return okStatus();
}

Result<DecodedWorld> WorldDecoder::run(const Component& c) {
  // Find `(type (component (type (component ...)) (export "ns:pkg/w@v" (component 0))))`.
  const ComponentType* outer = nullptr;
  for (const Definition& d : c.definitions) {
    if (const auto* td = std::get_if<TypeDef>(&d.item)) {
      if (const auto* ct = std::get_if<ComponentType>(&td->kind)) {
        outer = ct;
        break;
      }
    }
  }
  if (!outer) return bad("no world (expected a component type)");
  const ComponentType* worldTy = nullptr;
  std::string worldName;
  std::vector<const ComponentType*> types;
  for (const TypeDecl& d : outer->decls) {
    if (const auto* td = std::get_if<TypeDef>(&d.item)) {
      const auto* ct = std::get_if<ComponentType>(&td->kind);
      types.push_back(ct);
    } else if (const auto* e = std::get_if<ExportDecl>(&d.item)) {
      if (e->desc.kind == ExternKind::kComponent && e->desc.typeIndex < types.size() &&
          types[e->desc.typeIndex]) {
        worldTy = types[e->desc.typeIndex];
        worldName = e->name.name;
        break;
      }
    }
  }
  if (!worldTy) return bad("no world (expected an exported component type)");
  size_t slash = worldName.find('/');
  if (slash == std::string::npos) return bad("bad world name `" + worldName + "`");
  size_t at = worldName.find('@', slash);
  std::string pkgSpec =
      worldName.substr(0, slash) + (at == std::string::npos ? "" : worldName.substr(at));

  wit::World w;
  w.name =
      worldName.substr(slash + 1, at == std::string::npos ? std::string::npos : at - slash - 1);
  worldId_ = m_.addWorld(w);
  DeclScope s;
  s.owner = wit::TypeOwner{wit::OwnerKind::kWorld, worldId_};
  wit::World built;
  COMPONO_TRY(walk(s, worldTy->decls, &built));
  COMPONO_ASSIGN(wit::PackageId pkg, package(pkgSpec));
  wit::World& stored = m_.worlds[worldId_];
  stored.imports = std::move(built.imports);
  stored.exports = std::move(built.exports);
  stored.package = pkg;
  m_.packages[pkg].worlds.push_back(worldId_);
  DecodedWorld out;
  out.model = std::move(m_);
  out.world = worldId_;
  return out;
}

}  // namespace

Result<DecodedWorld> decodeWorldType(std::span<const uint8_t> payload, const std::string& where) {
  auto c = decodeComponent(payload, where);
  if (!c.ok()) return std::move(c).error();
  for (const Definition& d : c->definitions) {
    if (const auto* cs = std::get_if<CustomSection>(&d.item)) {
      if (cs->name == "wit-component-encoding") {
        auto data = cs->data();
        if (data.size() >= 2 && data[1] != kUtf8) {
          return Error(
              ErrorCode::kComponent,
              where + ": the world uses a string encoding other than UTF-8 (not supported)");
        }
      }
    }
  }
  WorldDecoder dec(where);
  return dec.run(*c);
}

}  // namespace compono::component::componentize
