// The WIT view of a component (component_wit.h): the checker's resolved
// component type, turned into a wit::Model with one world.
#include <algorithm>
#include <functional>
#include <set>

#include "component/binary/checker.h"
#include "component/binary/names.h"
#include "compono/component/component_wit.h"

namespace compono::component {

namespace {

using binary::NamedEntity;
using binary::TKind;
using binary::TypeId;
using binary::TypeNode;
using binary::TypeStore;

wit::Primitive witPrimitive(PrimValType p) {
  switch (p) {
    case PrimValType::kBool:
      return wit::Primitive::kBool;
    case PrimValType::kS8:
      return wit::Primitive::kS8;
    case PrimValType::kU8:
      return wit::Primitive::kU8;
    case PrimValType::kS16:
      return wit::Primitive::kS16;
    case PrimValType::kU16:
      return wit::Primitive::kU16;
    case PrimValType::kS32:
      return wit::Primitive::kS32;
    case PrimValType::kU32:
      return wit::Primitive::kU32;
    case PrimValType::kS64:
      return wit::Primitive::kS64;
    case PrimValType::kU64:
      return wit::Primitive::kU64;
    case PrimValType::kF32:
      return wit::Primitive::kF32;
    case PrimValType::kF64:
      return wit::Primitive::kF64;
    case PrimValType::kChar:
      return wit::Primitive::kChar;
    case PrimValType::kString:
      return wit::Primitive::kString;
  }
  return wit::Primitive::kBool;
}

class WitBuilder {
 public:
  explicit WitBuilder(const TypeStore& store) : st_(store) {}

  Result<ComponentWorld> build(TypeId componentType) {
    ComponentWorld out;
    wit::World world;
    world.name = "root";
    worldId_ = m_.addWorld(std::move(world));
    const TypeNode& c = st_.at(componentType);
    std::vector<NamedEntity> imports = c.imports;
    std::vector<NamedEntity> exports = c.exports;
    for (const NamedEntity& e : imports) item(e, true);
    for (const NamedEntity& e : exports) item(e, false);
    // The root package last: it refers to every other package.
    orderPackages();
    wit::Package root;
    root.name.ns = "root";
    root.name.name = "component";
    root.worlds.push_back(worldId_);
    wit::PackageId rootId = m_.addPackage(std::move(root));
    m_.worlds[worldId_].package = rootId;
    for (wit::InterfaceId id : inlineInterfaces_) m_.interfaces[id].package = rootId;
    out.package = rootId;
    out.world = worldId_;
    out.model = std::move(m_);
    return out;
  }

 private:
  // ---- world items ------------------------------------------------------------------------

  void item(const NamedEntity& e, bool import) {
    switch (e.entity.kind) {
      case ExternKind::kInstance: {
        binary::ParsedName p;
        std::string why;
        bool parsed = binary::parseExternName(e.name, import, p, why);
        wit::WorldItem wi;
        wi.kind = wit::WorldItemKind::kInterface;
        if (parsed && p.kind == binary::ParsedName::Kind::kInterface) {
          wi.interface = namedInterface(e.name, e.entity.type);
        } else {
          wi.name = e.name;
          wi.interface = inlineInterface(e.entity.type);
        }
        (import ? m_.worlds[worldId_].imports : m_.worlds[worldId_].exports)
            .push_back(std::move(wi));
        return;
      }
      case ExternKind::kFunc: {
        wit::WorldItem wi;
        wi.name = e.name;
        wi.kind = wit::WorldItemKind::kFunction;
        beginScope(wit::TypeOwner{wit::OwnerKind::kWorld, worldId_});
        wi.function = function(e.name, e.entity.type);
        std::vector<wit::TypeId> synthesized = scopeTypes_;
        endScope();
        // Types the function needed a name for become world type imports.
        for (wit::TypeId t : synthesized) {
          wit::WorldItem ti;
          ti.name = m_.types[t].name;
          ti.kind = wit::WorldItemKind::kType;
          ti.type = t;
          m_.worlds[worldId_].imports.push_back(std::move(ti));
        }
        (import ? m_.worlds[worldId_].imports : m_.worlds[worldId_].exports)
            .push_back(std::move(wi));
        return;
      }
      case ExternKind::kType: {
        if (!import) return;  // WIT worlds cannot export types
        if (!hasWitForm(e.entity.type)) return;
        beginScope(wit::TypeOwner{wit::OwnerKind::kWorld, worldId_});
        wit::TypeId id = namedType(e.name, e.entity.type);
        std::vector<wit::TypeId> defined = scopeTypes_;
        endScope();
        for (wit::TypeId t : defined) {
          wit::WorldItem wi;
          wi.name = m_.types[t].name;
          wi.kind = wit::WorldItemKind::kType;
          wi.type = t;
          m_.worlds[worldId_].imports.push_back(std::move(wi));
        }
        (void)id;
        return;
      }
      default:
        return;  // components, core modules and values have no WIT form
    }
  }

  wit::InterfaceId namedInterface(const std::string& fullName, TypeId instanceType) {
    // "ns:pkg/iface@version"
    size_t colon = fullName.find(':');
    size_t slash = fullName.find('/');
    size_t at = fullName.find('@');
    wit::PackageName pn;
    pn.ns = fullName.substr(0, colon);
    pn.name = fullName.substr(colon + 1, slash - colon - 1);
    std::string iface =
        fullName.substr(slash + 1, at == std::string::npos ? std::string::npos : at - slash - 1);
    if (at != std::string::npos) {
      auto v = wit::Version::parse(fullName.substr(at + 1));
      if (v.ok()) pn.version = *v;
    }
    std::string key = pn.toString();
    wit::PackageId pkg;
    if (auto it = packages_.find(key); it != packages_.end()) {
      pkg = it->second;
    } else {
      wit::Package p;
      p.name = pn;
      pkg = m_.addPackage(std::move(p));
      packages_[key] = pkg;
    }
    if (auto existing = m_.findInterface(pkg, iface)) return *existing;
    wit::Interface i;
    i.name = iface;
    i.package = pkg;
    wit::InterfaceId id = m_.addInterface(std::move(i));
    m_.packages[pkg].interfaces.push_back(id);
    fillInterface(id, instanceType);
    return id;
  }

  wit::InterfaceId inlineInterface(TypeId instanceType) {
    wit::Interface i;
    i.world = worldId_;
    wit::InterfaceId id = m_.addInterface(std::move(i));
    inlineInterfaces_.push_back(id);
    fillInterface(id, instanceType);
    return id;
  }

  void fillInterface(wit::InterfaceId id, TypeId instanceType) {
    beginScope(wit::TypeOwner{wit::OwnerKind::kInterface, id});
    std::vector<NamedEntity> exports = st_.at(instanceType).exports;
    std::vector<wit::Function> functions;
    for (const NamedEntity& e : exports) {
      if (e.entity.kind == ExternKind::kType && hasWitForm(e.entity.type)) {
        namedType(e.name, e.entity.type);
      }
    }
    // Types first (they are declared before use in the instance type), then
    // functions in export order.
    m_.interfaces[id].types = orderedScopeTypes();
    for (const NamedEntity& e : exports) {
      if (e.entity.kind == ExternKind::kFunc) {
        functions.push_back(function(e.name, e.entity.type));
      }
    }
    // Functions may have synthesized more types.
    m_.interfaces[id].types = orderedScopeTypes();
    m_.interfaces[id].functions = std::move(functions);
    endScope();
  }

  // ---- scopes -----------------------------------------------------------------------------------

  void beginScope(wit::TypeOwner owner) {
    owner_ = owner;
    scopeTypes_.clear();
    scopeNames_.clear();
  }
  void endScope() {
    owner_ = wit::TypeOwner{};
    scopeTypes_.clear();
    scopeNames_.clear();
  }

  // `use`d types first, then the others, each group in definition order.
  std::vector<wit::TypeId> orderedScopeTypes() const {
    std::vector<wit::TypeId> uses, others;
    for (wit::TypeId t : scopeTypes_) (isUse(t) ? uses : others).push_back(t);
    uses.insert(uses.end(), others.begin(), others.end());
    return uses;
  }

  bool isUse(wit::TypeId t) const {
    const auto* a = std::get_if<wit::AliasType>(&m_.types[t].kind);
    if (!a || a->target.isPrimitive()) return false;
    const wit::TypeDef& target = m_.types[a->target.id];
    return !target.name.empty() && !(target.owner == m_.types[t].owner);
  }

  wit::TypeId addScoped(wit::TypeDef def) {
    def.owner = owner_;
    wit::TypeId id = m_.addType(std::move(def));
    scopeTypes_.push_back(id);
    return id;
  }

  // ---- types ------------------------------------------------------------------------------------

  // Value types and resources; function, component, instance and module
  // types exported as types have no WIT form and are left out (found by
  // fuzz_component: they made namedType and type() recurse forever).
  bool hasWitForm(TypeId t) const {
    TKind k = st_.at(t).kind;
    return binary::isValueKind(k) || k == TKind::kResource;
  }

  // Defines (or `use`s, or aliases) the type exported as `name`.
  wit::TypeId namedType(const std::string& name, TypeId t) {
    if (auto it = scopeNames_.find(t); it != scopeNames_.end()) {
      // `type name = other` within one scope.
      wit::TypeDef alias;
      alias.name = name;
      alias.kind = wit::AliasType{wit::Type::def(it->second)};
      return addScoped(std::move(alias));
    }
    if (auto it = named_.find(t); it != named_.end()) {
      // Defined by another interface: a `use`.
      wit::TypeDef alias;
      alias.name = name;
      alias.kind = wit::AliasType{wit::Type::def(it->second)};
      wit::TypeId id = addScoped(std::move(alias));
      scopeNames_[t] = id;
      return id;
    }
    const TypeNode& n = st_.at(t);
    wit::TypeDef def;
    def.name = name;
    switch (n.kind) {
      case TKind::kResource:
        def.kind = wit::ResourceType{};
        break;
      case TKind::kRecord: {
        wit::RecordType r;
        for (auto& f : n.fields) r.fields.push_back(wit::Field{f.first, type(*f.second), ""});
        def.kind = std::move(r);
        break;
      }
      case TKind::kVariant: {
        wit::VariantType v;
        for (auto& f : n.fields) {
          wit::Case c;
          c.name = f.first;
          if (f.second) c.type = type(*f.second);
          v.cases.push_back(std::move(c));
        }
        def.kind = std::move(v);
        break;
      }
      case TKind::kEnum: {
        wit::EnumType e;
        for (auto& l : n.labels) e.cases.push_back(wit::Label{l, ""});
        def.kind = std::move(e);
        break;
      }
      case TKind::kFlags: {
        wit::FlagsType f;
        for (auto& l : n.labels) f.flags.push_back(wit::Label{l, ""});
        def.kind = std::move(f);
        break;
      }
      default:
        // `type name = list<u8>` and friends.
        def.kind = wit::AliasType{type(t)};
        break;
    }
    wit::TypeId id = addScoped(std::move(def));
    scopeNames_[t] = id;
    if (!named_.count(t)) named_[t] = id;
    return id;
  }

  wit::TypeId anonymous(wit::TypeDefKind kind) {
    wit::TypeDef def;
    def.kind = std::move(kind);
    return m_.addType(std::move(def));
  }

  wit::Type type(TypeId t) {
    const TypeNode& n = st_.at(t);
    if (n.kind == TKind::kPrimitive) return wit::Type::prim(witPrimitive(n.prim));
    if (auto it = scopeNames_.find(t); it != scopeNames_.end()) return wit::Type::def(it->second);
    if (auto it = named_.find(t); it != named_.end()) {
      // A type of another scope referred to without an export of its own
      // here: refer to it directly (the model allows it).
      return wit::Type::def(it->second);
    }
    switch (n.kind) {
      case TKind::kOwn:
      case TKind::kBorrow: {
        wit::HandleType h;
        h.kind = n.kind == TKind::kOwn ? wit::HandleKind::kOwn : wit::HandleKind::kBorrow;
        h.resource = type(n.resource).id;
        return wit::Type::def(anonymous(h));
      }
      case TKind::kList:
        return wit::Type::def(anonymous(wit::ListType{type(n.elements[0]), {}}));
      case TKind::kOption:
        return wit::Type::def(anonymous(wit::OptionType{type(n.elements[0])}));
      case TKind::kTuple: {
        wit::TupleType tt;
        for (TypeId e : n.elements) tt.types.push_back(type(e));
        return wit::Type::def(anonymous(std::move(tt)));
      }
      case TKind::kResult: {
        wit::ResultType r;
        if (n.ok) r.ok = type(*n.ok);
        if (n.err) r.err = type(*n.err);
        return wit::Type::def(anonymous(std::move(r)));
      }
      default:
        // A record, variant, enum, flags or resource nobody named.
        return wit::Type::def(namedType("type-" + std::to_string(++synthesized_), t));
    }
  }

  wit::Function function(const std::string& name, TypeId t) {
    const TypeNode& f = st_.at(t);
    wit::Function fn;
    fn.name = name;
    binary::ParsedName p;
    std::string why;
    if (binary::parseExternName(name, true, p, why)) {
      switch (p.kind) {
        case binary::ParsedName::Kind::kConstructor:
          fn.kind = wit::FunctionKind::kConstructor;
          break;
        case binary::ParsedName::Kind::kMethod:
          fn.kind = wit::FunctionKind::kMethod;
          break;
        case binary::ParsedName::Kind::kStatic:
          fn.kind = wit::FunctionKind::kStatic;
          break;
        default:
          break;
      }
    }
    std::vector<std::pair<std::string, TypeId>> params = f.params;
    std::optional<TypeId> result = f.result;
    for (auto& prm : params) fn.params.push_back(wit::Param{prm.first, type(prm.second)});
    if (result) fn.result = type(*result);
    if (fn.kind != wit::FunctionKind::kFreestanding) {
      // The resource the annotation names, as this scope sees it.
      for (wit::TypeId id : scopeTypes_) {
        if (m_.types[id].name == p.resource) {
          fn.resource = m_.resourceOf(id);
          break;
        }
      }
    }
    return fn;
  }

  // ---- packages
  // ------------------------------------------------------------------------------------

  // Reorders packages so that a package comes after every package whose
  // types it uses.
  void orderPackages() {
    size_t n = m_.packages.size();
    std::vector<std::set<wit::PackageId>> deps(n);
    for (const wit::Interface& i : m_.interfaces) {
      if (i.package >= n) continue;
      for (wit::TypeId t : i.types) {
        const auto* a = std::get_if<wit::AliasType>(&m_.types[t].kind);
        if (!a || a->target.isPrimitive()) continue;
        const wit::TypeDef& target = m_.types[a->target.id];
        if (target.owner.kind != wit::OwnerKind::kInterface) continue;
        wit::PackageId other = m_.interfaces[target.owner.id].package;
        if (other != i.package && other < n) deps[i.package].insert(other);
      }
    }
    std::vector<wit::PackageId> order;
    std::vector<int> state(n, 0);
    std::function<void(wit::PackageId)> visit = [&](wit::PackageId p) {
      if (state[p]) return;
      state[p] = 1;
      for (wit::PackageId d : deps[p]) visit(d);
      state[p] = 2;
      order.push_back(p);
    };
    for (wit::PackageId p = 0; p < n; ++p) visit(p);
    std::vector<wit::PackageId> newId(n);
    std::vector<wit::Package> packages;
    for (size_t k = 0; k < order.size(); ++k) {
      newId[order[k]] = static_cast<wit::PackageId>(k);
      packages.push_back(std::move(m_.packages[order[k]]));
    }
    m_.packages = std::move(packages);
    for (wit::Interface& i : m_.interfaces) {
      if (i.package < n) i.package = newId[i.package];
    }
  }

  const TypeStore& st_;
  wit::Model m_;
  wit::WorldId worldId_ = wit::kNoId;
  std::map<std::string, wit::PackageId> packages_;
  std::vector<wit::InterfaceId> inlineInterfaces_;
  std::map<TypeId, wit::TypeId> named_;       // first name of a type, any scope
  std::map<TypeId, wit::TypeId> scopeNames_;  // names in the current scope
  std::vector<wit::TypeId> scopeTypes_;       // named types of the current scope
  wit::TypeOwner owner_;
  int synthesized_ = 0;
};

}  // namespace

Result<ComponentWorld> componentWorld(const Component& component, const std::string& name,
                                      const Component* nested) {
  ValidateOptions options;
  options.validateCoreModules = false;
  COMPONO_ASSIGN(binary::CheckedComponent checked,
                 binary::checkComponent(component, name, options));
  TypeId t = checked.type;
  if (nested && nested != &component) {
    auto it = checked.nested.find(nested);
    if (it == checked.nested.end()) {
      return Error(ErrorCode::kUsage,
                   name + ": the nested component is not part of this component");
    }
    t = it->second;
  }
  WitBuilder b(*checked.store);
  return b.build(t);
}

}  // namespace compono::component
