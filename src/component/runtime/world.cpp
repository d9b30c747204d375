// Describing a component's imports and exports: ExternInfos, a wit::World
// (for printing and tools), and finding exported functions by name.
#include <algorithm>
#include <set>

#include "component/runtime/runtime.h"
#include "compono/component/linker.h"

namespace compono::component {

const char* externInfoKindName(ExternInfo::Kind kind) {
  switch (kind) {
    case ExternInfo::Kind::kInstance: return "instance";
    case ExternInfo::Kind::kFunc: return "func";
    case ExternInfo::Kind::kType: return "type";
    case ExternInfo::Kind::kComponent: return "component";
    case ExternInfo::Kind::kCoreModule: return "core module";
  }
  return "?";
}

std::string FuncInfo::qualifiedName() const {
  return interface.empty() ? name : interface + "#" + name;
}

std::string FuncInfo::signature(const wit::Model& model) const {
  abi::TypeView view(model);
  std::string out = name + "(";
  for (size_t i = 0; i < params.size(); ++i) {
    if (i) out += ", ";
    out += params[i].name + ": " + abi::typeName(view, params[i].type);
  }
  out += ")";
  if (result) out += " -> " + abi::typeName(view, *result);
  return out;
}

}  // namespace compono::component

namespace compono::component::rt {

namespace {

bool isResource(const TypeEnv& env, const TypeItem& t) {
  if (t.kind != TypeItem::Kind::kValue || t.value.isPrimitive()) return false;
  return std::holds_alternative<wit::ResourceType>(
      env.model.types[env.model.dealias(t.value.id)].kind);
}

FuncInfo funcInfo(const std::string& interface, const std::string& name, const ComponentFunc& f) {
  FuncInfo info;
  info.interface = interface;
  info.name = name;
  info.params = f.sig.params;
  info.result = f.sig.result;
  return info;
}

// Splits "ns:pkg/iface@1.2.3" into its package name and interface name.
std::optional<std::pair<wit::PackageName, std::string>> splitInterfaceName(std::string_view s) {
  size_t colon = s.find(':');
  size_t slash = s.find('/');
  if (colon == std::string_view::npos || slash == std::string_view::npos || slash < colon) {
    return std::nullopt;
  }
  wit::PackageName pkg;
  pkg.ns = std::string(s.substr(0, colon));
  std::string_view rest = s.substr(slash + 1);
  pkg.name = std::string(s.substr(colon + 1, slash - colon - 1));
  size_t at = rest.find('@');
  std::string iface(rest.substr(0, at));
  if (at != std::string_view::npos) {
    auto v = wit::Version::parse(rest.substr(at + 1));
    if (!v.ok()) return std::nullopt;
    pkg.version = *v;
  }
  return std::make_pair(std::move(pkg), std::move(iface));
}

wit::Function witFunction(const TypeEnv& env, const std::string& name, const FuncSig& sig,
                          const InstanceBag* bag) {
  wit::Function fn;
  fn.name = name;
  fn.params = sig.params;
  fn.result = sig.result;
  std::string resource;
  auto prefixed = [&](std::string_view prefix) { return name.rfind(prefix, 0) == 0; };
  if (prefixed("[constructor]")) {
    fn.kind = wit::FunctionKind::kConstructor;
    resource = name.substr(13);
  } else if (prefixed("[method]") || prefixed("[static]")) {
    fn.kind = prefixed("[method]") ? wit::FunctionKind::kMethod : wit::FunctionKind::kStatic;
    std::string rest = name.substr(8);
    resource = rest.substr(0, rest.find('.'));
  }
  if (!resource.empty() && bag) {
    if (const Item* it = bag->find(resource)) {
      if (const auto* t = std::get_if<TypeItem>(it); t && !t->value.isPrimitive()) {
        fn.resource = env.model.resourceOf(t->value.id);
      }
    }
  }
  if (fn.resource == wit::kNoId) fn.kind = wit::FunctionKind::kFreestanding;
  return fn;
}

}  // namespace

std::vector<ExternInfo> describe(const TypeEnv& env,
                                 const std::vector<std::pair<std::string, Item>>& items) {
  std::vector<ExternInfo> out;
  // Resource types already declared by an earlier item: a later interface
  // that `use`s one re-exports it (an eq-bound type), it does not declare it.
  std::set<wit::TypeId> declared;
  for (const auto& [name, item] : items) {
    ExternInfo info;
    info.name = name;
    if (const auto* f = std::get_if<FuncPtr>(&item)) {
      info.kind = ExternInfo::Kind::kFunc;
      info.funcs.push_back(funcInfo("", name, **f));
    } else if (const auto* bag = std::get_if<BagPtr>(&item)) {
      info.kind = ExternInfo::Kind::kInstance;
      for (const auto& [n, it] : (*bag)->items) {
        if (const auto* f = std::get_if<FuncPtr>(&it)) {
          info.funcs.push_back(funcInfo(name, n, **f));
        } else if (const auto* t = std::get_if<TypeItem>(&it)) {
          info.types.push_back(n);
          if (isResource(env, *t) && declared.insert(env.model.dealias(t->value.id)).second) {
            info.resources.push_back(n);
          }
        }
      }
    } else if (std::holds_alternative<TypeItem>(item)) {
      info.kind = ExternInfo::Kind::kType;
    } else if (std::holds_alternative<ComponentClosure>(item)) {
      info.kind = ExternInfo::Kind::kComponent;
    } else {
      info.kind = ExternInfo::Kind::kCoreModule;
    }
    out.push_back(std::move(info));
  }
  return out;
}

wit::WorldId buildWorld(TypeEnv& env, const std::vector<std::pair<std::string, Item>>& imports,
                        const std::vector<std::pair<std::string, Item>>& exports) {
  wit::Model& m = env.model;
  wit::Package rootPkg;
  rootPkg.name.ns = "root";
  rootPkg.name.name = "component";
  wit::World world;
  world.name = "root";
  wit::WorldId wid = static_cast<wit::WorldId>(m.worlds.size());
  std::vector<wit::PackageId> made;

  auto interfaceOf = [&](const std::string& name, const InstanceBag& bag) -> wit::InterfaceId {
    wit::Interface iface;
    auto split = splitInterfaceName(name);
    if (split) {
      auto pid = m.findPackage(split->first);
      if (!pid) {
        wit::Package p;
        p.name = split->first;
        pid = m.addPackage(std::move(p));
        made.push_back(*pid);
      }
      if (auto existing = m.findInterface(*pid, split->second)) return *existing;
      iface.name = split->second;
      iface.package = *pid;
    } else {
      iface.world = wid;
    }
    wit::InterfaceId id = static_cast<wit::InterfaceId>(m.interfaces.size());
    for (const auto& [n, it] : bag.items) {
      if (const auto* t = std::get_if<TypeItem>(&it)) {
        if (t->kind != TypeItem::Kind::kValue || t->value.isPrimitive()) continue;
        wit::TypeDef& d = m.types[t->value.id];
        if (d.name != n || d.owner.kind != wit::OwnerKind::kNone) continue;
        d.owner = wit::TypeOwner{wit::OwnerKind::kInterface, id};
        iface.types.push_back(t->value.id);
      } else if (const auto* f = std::get_if<FuncPtr>(&it)) {
        iface.functions.push_back(witFunction(env, n, (*f)->sig, &bag));
      }
    }
    m.addInterface(std::move(iface));
    if (split) m.packages[m.interfaces[id].package].interfaces.push_back(id);
    return id;
  };

  auto add = [&](const std::vector<std::pair<std::string, Item>>& items,
                 std::vector<wit::WorldItem>& out) {
    for (const auto& [name, item] : items) {
      wit::WorldItem wi;
      if (const auto* bag = std::get_if<BagPtr>(&item)) {
        wi.kind = wit::WorldItemKind::kInterface;
        wi.interface = interfaceOf(name, **bag);
        if (!splitInterfaceName(name)) wi.name = name;
      } else if (const auto* f = std::get_if<FuncPtr>(&item)) {
        wi.kind = wit::WorldItemKind::kFunction;
        wi.name = name;
        wi.function = witFunction(env, name, (*f)->sig, nullptr);
      } else if (const auto* t = std::get_if<TypeItem>(&item)) {
        if (&out == &world.exports || t->kind != TypeItem::Kind::kValue || t->value.isPrimitive()) {
          continue;
        }
        wi.kind = wit::WorldItemKind::kType;
        wi.name = name;
        wi.type = t->value.id;
        wit::TypeDef& d = m.types[t->value.id];
        if (d.owner.kind == wit::OwnerKind::kNone) d.owner = wit::TypeOwner{wit::OwnerKind::kWorld, wid};
      } else {
        continue;
      }
      out.push_back(std::move(wi));
    }
  };
  add(imports, world.imports);
  add(exports, world.exports);
  wit::PackageId rootId = m.addPackage(std::move(rootPkg));
  world.package = rootId;
  m.addWorld(std::move(world));
  m.packages[rootId].worlds.push_back(wid);
  return wid;
}

namespace {

std::string candidates(const std::vector<const FuncInfo*>& fs) {
  std::string out;
  for (const FuncInfo* f : fs) out += (out.empty() ? "" : ", ") + f->qualifiedName();
  return out;
}

}  // namespace

Result<FuncInfo> findFunc(const std::vector<ExternInfo>& exports, std::string_view name,
                          const std::string& component) {
  std::vector<const FuncInfo*> all;
  for (const ExternInfo& e : exports) {
    for (const FuncInfo& f : e.funcs) all.push_back(&f);
  }
  size_t hash = name.rfind('#');
  if (hash != std::string_view::npos) {
    std::string_view iface = name.substr(0, hash), fn = name.substr(hash + 1);
    std::vector<const FuncInfo*> exact, compatible;
    for (const FuncInfo* f : all) {
      if (f->name != fn) continue;
      if (f->interface == iface) exact.push_back(f);
      else if (semverKey(f->interface) == semverKey(iface)) compatible.push_back(f);
    }
    if (exact.size() == 1) return *exact[0];
    if (exact.empty() && compatible.size() == 1) return *compatible[0];
    if (exact.size() + compatible.size() > 1) {
      return Error(ErrorCode::kUsage, component + ": \"" + std::string(name) +
                                          "\" is ambiguous: " + candidates(compatible));
    }
  } else {
    std::vector<const FuncInfo*> found;
    for (const FuncInfo* f : all) {
      if (f->name == name) found.push_back(f);
    }
    if (found.size() == 1) return *found[0];
    if (found.size() > 1) {
      return Error(ErrorCode::kUsage, component + ": \"" + std::string(name) +
                                          "\" is ambiguous, write one of: " + candidates(found));
    }
  }
  std::string msg = component + ": no exported function \"" + std::string(name) + "\"";
  if (all.empty()) {
    msg += " (it exports no functions)";
  } else {
    std::vector<const FuncInfo*> some(all.begin(), all.begin() + std::min<size_t>(all.size(), 12));
    msg += " (exported functions: " + candidates(some) + (all.size() > 12 ? ", ..." : "") + ")";
  }
  return Error(ErrorCode::kUsage, msg);
}

FuncPtr exportedFunc(const std::vector<std::pair<std::string, Item>>& exports, const FuncInfo& f) {
  for (const auto& [name, item] : exports) {
    if (f.interface.empty()) {
      if (name == f.name) {
        if (const auto* fp = std::get_if<FuncPtr>(&item)) return *fp;
      }
      continue;
    }
    if (name != f.interface) continue;
    if (const auto* bag = std::get_if<BagPtr>(&item)) {
      if (const Item* it = (*bag)->find(f.name)) {
        if (const auto* fp = std::get_if<FuncPtr>(it)) return *fp;
      }
    }
  }
  return nullptr;
}

}  // namespace compono::component::rt
