// Planning a component: every core import of the main module (and of the
// adapter) is matched to the world, every function the world exports to a
// core export, and every core signature is checked against the canonical
// ABI (CanonicalABI.md flatten_functype).
#include "component/componentize/plan.h"

#include <set>

#include "component/componentize/type_encoder.h"
#include "component/runtime/abi.h"
#include "compono/component/wit_print.h"

namespace compono::component::componentize {

using engine::ExternKind;
using engine::FuncType;

namespace {

// Aliases of primitives replaced by the primitive (the ABI's TypeView sees
// through aliases of defined types only).
wit::Type normalized(const wit::Model& m, wit::Type t) {
  if (t.isPrimitive() || t.id >= m.types.size()) return t;
  wit::TypeId id = m.dealias(t.id);
  if (const auto* a = std::get_if<wit::AliasType>(&m.types[id].kind)) {
    if (a->target.isPrimitive()) return a->target;
  }
  return wit::Type::def(id);
}

// Strings (and, with `lists`, lists) anywhere inside t.
bool contains(const wit::Model& m, wit::Type t, bool lists, int depth = 0) {
  t = normalized(m, t);
  if (t.isPrimitive()) return t.primitive == wit::Primitive::kString;
  if (depth > 100) return false;
  const wit::TypeDef& td = m.types[t.id];
  bool any = false;
  auto sub = [&](wit::Type x) { any = any || contains(m, x, lists, depth + 1); };
  std::visit(
      [&](const auto& k) {
        using K = std::decay_t<decltype(k)>;
        if constexpr (std::is_same_v<K, wit::ListType>) {
          if (lists) any = true;
          sub(k.element);
        } else if constexpr (std::is_same_v<K, wit::RecordType>) {
          for (const auto& f : k.fields) sub(f.type);
        } else if constexpr (std::is_same_v<K, wit::TupleType>) {
          for (const auto& e : k.types) sub(e);
        } else if constexpr (std::is_same_v<K, wit::VariantType>) {
          for (const auto& c : k.cases) {
            if (c.type) sub(*c.type);
          }
        } else if constexpr (std::is_same_v<K, wit::OptionType>) {
          sub(k.type);
        } else if constexpr (std::is_same_v<K, wit::ResultType>) {
          if (k.ok) sub(*k.ok);
          if (k.err) sub(*k.err);
        }
      },
      td.kind);
  return any;
}

std::string typesText(const std::vector<engine::ValType>& ts) {
  std::string s = "(";
  for (size_t i = 0; i < ts.size(); ++i)
    s += (i ? ", " : "") + std::string(engine::valTypeName(ts[i]));
  return s + ")";
}

std::string coreTypeText(const FuncType& t) {
  return typesText(t.params) + " -> " + typesText(t.results);
}

struct PackageSpec {
  std::string base;  // "ns:pkg/iface"
  std::optional<wit::Version> version;
};

PackageSpec splitVersion(const std::string& name) {
  PackageSpec s;
  size_t at = name.rfind('@');
  if (at == std::string::npos || name.find('/') == std::string::npos) {
    s.base = name;
    return s;
  }
  s.base = name.substr(0, at);
  auto v = wit::Version::parse(name.substr(at + 1));
  if (v.ok()) s.version = *v;
  return s;
}

// Semver compatibility as wit-component matches import names: same major
// (>= 1), else same minor (0.x, x >= 1), else the same version.
bool compatible(const std::optional<wit::Version>& a, const std::optional<wit::Version>& b) {
  if (!a || !b) return !a && !b;
  if (!a->prerelease.empty() || !b->prerelease.empty()) return *a == *b;
  if (a->major != b->major) return false;
  if (a->major > 0) return true;
  if (a->minor != b->minor) return false;
  if (a->minor > 0) return true;
  return a->patch == b->patch;
}

// The world item named `name` among `items` (an interface), exactly or by a
// semver-compatible version.
const wit::WorldItem* findInterfaceItem(const wit::Model& m,
                                        const std::vector<wit::WorldItem>& items,
                                        const std::string& name) {
  for (const auto& item : items) {
    if (item.kind == wit::WorldItemKind::kInterface && worldItemName(m, item) == name) return &item;
  }
  PackageSpec want = splitVersion(name);
  for (const auto& item : items) {
    if (item.kind != wit::WorldItemKind::kInterface) continue;
    PackageSpec have = splitVersion(worldItemName(m, item));
    if (have.base == want.base && compatible(have.version, want.version)) return &item;
  }
  return nullptr;
}

std::string funcText(const wit::Model& m, const wit::Function& f) {
  return wit::printFunction(m, f);
}

class Planner {
 public:
  Planner(Plan& plan) : p_(plan) {}
  Status run();

 private:
  Error err(const ModulePlan& mod, const std::string& what) const {
    return Error(ErrorCode::kComponent, mod.name + ": " + what);
  }
  Result<ImportPlan> classify(ModulePlan& mod, const WorldRef& world, const engine::ImportType& im);
  Status planImports(ModulePlan& mod, const WorldRef& world);
  Status planExports(ModulePlan& mod, const WorldRef& world);
  Status checkLowered(const ModulePlan& mod, ImportPlan& ip);
  std::optional<engine::ExportType> coreExport(const ModulePlan& mod,
                                               const std::string& name) const {
    return mod.module->exportType(name);
  }
  void need(const WorldRef& w, const std::string& itemName);

  Plan& p_;
  // Component imports needed, by (source world, item name).
  std::set<std::pair<const wit::Model*, std::string>> needed_;
};

void Planner::need(const WorldRef& w, const std::string& itemName) {
  needed_.insert({w.model, itemName});
}

Status Planner::checkLowered(const ModulePlan& mod, ImportPlan& ip) {
  ip.sig = signatureOf(*ip.world.model, *ip.func);
  if (!(ip.type == ip.sig.lower)) {
    std::string where =
        ip.instance.empty() ? "world `" + ip.world.get().name + "`" : "`" + ip.instance + "`";
    return err(mod, "import `" + ip.module + "`.`" + ip.name + "` has core type " +
                        coreTypeText(ip.type) + ", expected " + coreTypeText(ip.sig.lower) +
                        " for " + where + " `" + funcText(*ip.world.model, *ip.func) + "`");
  }
  return okStatus();
}

Result<ImportPlan> Planner::classify(ModulePlan& mod, const WorldRef& world,
                                     const engine::ImportType& im) {
  ImportPlan ip;
  ip.module = im.module;
  ip.name = im.name;
  ip.world = world;
  const wit::Model& m = *world.model;
  const wit::World& w = world.get();
  std::string what = "import `" + im.module + "`.`" + im.name + "`";

  if (mod.source == Source::kAdapter && im.module == "env" && im.name == "memory" &&
      im.type.kind == ExternKind::kMemory) {
    ip.kind = ImportPlan::Kind::kMainMemory;
    p_.mainMemory = true;
    return ip;
  }
  if (im.type.kind != ExternKind::kFunc) {
    return err(mod,
               what + " is a " + engine::externKindName(im.type.kind) +
                   "; a module made into a component may import only functions (it must define its "
                   "own memory and tables)");
  }
  ip.type = im.type.func;

  if (mod.source == Source::kAdapter && im.module == "__main_module__") {
    auto e = coreExport(p_.main, im.name);
    if (!e || e->type.kind != ExternKind::kFunc) {
      return err(mod, what + ": the main module does not export function `" + im.name + "`");
    }
    if (!(e->type.func == ip.type)) {
      return err(mod, what + " has core type " + coreTypeText(ip.type) +
                          ", the main module exports " + coreTypeText(e->type.func));
    }
    ip.kind = ImportPlan::Kind::kMainExport;
    return ip;
  }
  if (mod.source == Source::kMain && im.module == kPreview1) {
    if (!p_.adapter) {
      return err(mod, what +
                          " is a WASI preview 1 function: give a wasi_snapshot_preview1 adapter "
                          "with --adapter (e.g. jco's lib/wasi_snapshot_preview1.reactor.wasm)");
    }
    auto e = coreExport(*p_.adapter, im.name);
    if (!e || e->type.kind != ExternKind::kFunc) {
      return err(mod,
                 what + ": the adapter " + p_.adapter->name + " does not export `" + im.name + "`");
    }
    if (!(e->type.func == ip.type)) {
      return err(mod, what + " has core type " + coreTypeText(ip.type) + ", the adapter exports " +
                          coreTypeText(e->type.func));
    }
    ip.kind = ImportPlan::Kind::kAdapterExport;
    return ip;
  }

  auto resourceIntrinsic = [&](const std::string& name, std::string& resource) -> std::string {
    for (const char* k : {"[resource-drop]", "[resource-new]", "[resource-rep]"}) {
      std::string prefix = k;
      if (name.compare(0, prefix.size(), prefix) == 0) {
        resource = name.substr(prefix.size());
        return prefix;
      }
    }
    return "";
  };
  FuncType i32ToNone{{engine::ValType::kI32}, {}};
  FuncType i32ToI32{{engine::ValType::kI32}, {engine::ValType::kI32}};
  auto checkType = [&](const FuncType& want) -> Status {
    if (ip.type == want) return okStatus();
    return err(
        mod, what + " has core type " + coreTypeText(ip.type) + ", expected " + coreTypeText(want));
  };

  // Exported resources: `[export]<iface>` `[resource-new|rep|drop]<r>`.
  const std::string exportPrefix = "[export]";
  if (im.module.compare(0, exportPrefix.size(), exportPrefix) == 0) {
    std::string ifaceName = im.module.substr(exportPrefix.size());
    const wit::WorldItem* item = findInterfaceItem(m, w.exports, ifaceName);
    if (!item)
      return err(mod, what + ": world `" + w.name + "` does not export `" + ifaceName + "`");
    std::string r;
    std::string kind = resourceIntrinsic(im.name, r);
    auto t = m.findType(item->interface, r);
    if (kind.empty() || !t || !std::holds_alternative<wit::ResourceType>(m.types[*t].kind)) {
      return err(mod, what + " is not a resource intrinsic of `" + ifaceName + "`");
    }
    ip.resource = *t;
    ip.instance = worldItemName(m, *item);
    if (kind == "[resource-drop]") {
      ip.kind = ImportPlan::Kind::kExportedDrop;
      COMPONO_TRY(checkType(i32ToNone));
    } else {
      ip.kind = kind == "[resource-new]" ? ImportPlan::Kind::kResourceNew
                                         : ImportPlan::Kind::kResourceRep;
      COMPONO_TRY(checkType(i32ToI32));
    }
    return ip;
  }

  // World-level functions and resources.
  if (im.module == "$root") {
    std::string r;
    if (resourceIntrinsic(im.name, r) == "[resource-drop]") {
      for (const auto& item : w.imports) {
        if (item.kind == wit::WorldItemKind::kType && m.types[item.type].name == r &&
            m.resourceOf(item.type) != wit::kNoId) {
          ip.kind = ImportPlan::Kind::kResourceDrop;
          ip.resource = item.type;
          need(world, item.name);
          COMPONO_TRY(checkType(i32ToNone));
          return ip;
        }
      }
      return err(mod, what + ": world `" + w.name + "` imports no resource `" + r + "`");
    }
    for (const auto& item : w.imports) {
      if (item.kind == wit::WorldItemKind::kFunction && item.name == im.name) {
        ip.kind = ImportPlan::Kind::kLower;
        ip.func = &item.function;
        need(world, item.name);
        COMPONO_TRY(checkLowered(mod, ip));
        return ip;
      }
    }
    return err(
        mod, what + " is not in world `" + w.name + "` (it imports no function `" + im.name + "`)");
  }

  const wit::WorldItem* item = findInterfaceItem(m, w.imports, im.module);
  if (!item) {
    return err(mod, what + " is not in world `" + w.name + "` (it imports no interface `" +
                        im.module + "`)");
  }
  ip.instance = worldItemName(m, *item);
  need(world, ip.instance);
  std::string r;
  if (resourceIntrinsic(im.name, r) == "[resource-drop]") {
    auto t = m.findType(item->interface, r);
    if (!t || m.resourceOf(*t) == wit::kNoId) {
      return err(mod, what + ": interface `" + ip.instance + "` has no resource `" + r + "`");
    }
    ip.kind = ImportPlan::Kind::kResourceDrop;
    ip.resource = *t;
    COMPONO_TRY(checkType(i32ToNone));
    return ip;
  }
  const wit::Function* f = m.findFunction(item->interface, im.name);
  if (!f) {
    return err(mod, what + " is not in world `" + w.name + "` (interface `" + ip.instance +
                        "` has no function `" + im.name + "`)");
  }
  ip.kind = ImportPlan::Kind::kLower;
  ip.func = f;
  COMPONO_TRY(checkLowered(mod, ip));
  return ip;
}

Status Planner::planImports(ModulePlan& mod, const WorldRef& world) {
  for (const engine::ImportType& im : mod.module->imports()) {
    COMPONO_ASSIGN(ImportPlan ip, classify(mod, world, im));
    if (std::find(mod.groups.begin(), mod.groups.end(), ip.module) == mod.groups.end()) {
      mod.groups.push_back(ip.module);
    }
    size_t index = mod.imports.size();
    bool indirect = false;
    if (ip.kind == ImportPlan::Kind::kLower) {
      indirect = ip.sig.lowerNeedsMemory() || ip.sig.lowerNeedsRealloc();
      if (mod.source == Source::kMain) {
        p_.mainMemory = p_.mainMemory || ip.sig.lowerNeedsMemory();
        p_.mainRealloc = p_.mainRealloc || ip.sig.lowerNeedsRealloc();
      } else {
        p_.mainMemory = p_.mainMemory || ip.sig.lowerNeedsMemory();
        if (ip.sig.lowerNeedsRealloc() && p_.adapterImportRealloc.empty()) {
          for (const char* n : {"cabi_import_realloc", "cabi_realloc"}) {
            auto e = coreExport(mod, n);
            if (e && e->type.kind == ExternKind::kFunc) {
              p_.adapterImportRealloc = n;
              break;
            }
          }
          if (p_.adapterImportRealloc.empty()) {
            return err(mod, "the adapter exports no `cabi_import_realloc` (needed by `" +
                                ip.module + "`.`" + ip.name + "`)");
          }
        }
      }
    }
    if (ip.kind == ImportPlan::Kind::kAdapterExport) indirect = true;
    if (indirect) {
      ip.shimSlot = static_cast<int>(p_.shim.size());
      ShimEntry e;
      e.kind = ip.kind == ImportPlan::Kind::kLower ? ShimEntry::Kind::kLower
                                                   : ShimEntry::Kind::kAdapterExport;
      e.type = ip.type;
      e.source = mod.source;
      e.import = index;
      e.exportName = ip.name;
      p_.shim.push_back(e);
    }
    mod.imports.push_back(std::move(ip));
  }
  return okStatus();
}

Status Planner::planExports(ModulePlan& mod, const WorldRef& world) {
  const wit::Model& m = *world.model;
  const wit::World& w = world.get();
  FuncType realloc{
      {engine::ValType::kI32, engine::ValType::kI32, engine::ValType::kI32, engine::ValType::kI32},
      {engine::ValType::kI32}};
  auto planFunc = [&](ExportPlan& ep, const wit::Function& f, const std::string& coreName,
                      const std::string& where) -> Status {
    FuncExportPlan fp;
    fp.func = &f;
    fp.coreName = coreName;
    fp.sig = signatureOf(m, f);
    auto e = coreExport(mod, coreName);
    if (!e || e->type.kind != ExternKind::kFunc) {
      return err(mod, "missing export `" + coreName + "` (world `" + w.name + "` exports " + where +
                          " `" + funcText(m, f) + "`)");
    }
    if (!(e->type.func == fp.sig.lift)) {
      return err(mod, "export `" + coreName + "` has core type " + coreTypeText(e->type.func) +
                          ", expected " + coreTypeText(fp.sig.lift) + " for `" + funcText(m, f) +
                          "`");
    }
    std::string post = "cabi_post_" + coreName;
    if (auto pe = coreExport(mod, post)) {
      FuncType want{fp.sig.lift.results, {}};
      if (pe->type.kind != ExternKind::kFunc || !(pe->type.func == want)) {
        return err(mod, "export `" + post + "` has core type " + coreTypeText(pe->type.func) +
                            ", expected " + coreTypeText(want));
      }
      fp.postReturn = true;
    }
    bool memory = fp.sig.liftNeedsMemory(), needRealloc = fp.sig.liftNeedsRealloc();
    if (mod.source == Source::kMain) {
      p_.mainMemory = p_.mainMemory || memory;
      p_.mainRealloc = p_.mainRealloc || needRealloc;
    } else {
      p_.mainMemory = p_.mainMemory || memory;
      if (needRealloc && p_.adapterExportRealloc.empty()) {
        for (const char* n : {"cabi_export_realloc", "cabi_realloc"}) {
          auto re = coreExport(mod, n);
          if (re && re->type.kind == ExternKind::kFunc && re->type.func == realloc) {
            p_.adapterExportRealloc = n;
            break;
          }
        }
        if (p_.adapterExportRealloc.empty())
          return err(mod, "the adapter exports no `cabi_export_realloc`");
      }
    }
    ep.funcs.push_back(fp);
    return okStatus();
  };
  for (const wit::WorldItem& item : w.exports) {
    ExportPlan ep;
    ep.source = mod.source;
    ep.world = world;
    ep.item = &item;
    ep.name = worldItemName(m, item);
    if (item.kind == wit::WorldItemKind::kFunction) {
      COMPONO_TRY(planFunc(ep, item.function, item.name, "function"));
    } else if (item.kind == wit::WorldItemKind::kInterface) {
      const wit::Interface& iface = m.interfaces[item.interface];
      for (const wit::Function& f : iface.functions) {
        COMPONO_TRY(planFunc(ep, f, ep.name + "#" + f.name, "interface `" + ep.name + "` with"));
      }
      for (wit::TypeId t : iface.types) {
        if (!std::holds_alternative<wit::ResourceType>(m.types[t].kind)) continue;
        std::string dtor = ep.name + "#[dtor]" + m.types[t].name;
        auto e = coreExport(mod, dtor);
        if (e) {
          FuncType want{{engine::ValType::kI32}, {}};
          if (e->type.kind != ExternKind::kFunc || !(e->type.func == want)) {
            return err(mod, "export `" + dtor + "` has core type " + coreTypeText(e->type.func) +
                                ", expected (i32) -> ()");
          }
          ep.dtors[t] = dtor;
          ep.dtorSlots[t] = static_cast<int>(p_.shim.size());
          ShimEntry se;
          se.kind = ShimEntry::Kind::kDtor;
          se.type = want;
          se.source = mod.source;
          se.exportName = dtor;
          p_.shim.push_back(se);
        } else {
          ep.dtors[t] = "";
        }
      }
      // Types the interface uses from imported interfaces must be imported.
      for (wit::TypeId t : iface.types) {
        const auto* a = std::get_if<wit::AliasType>(&m.types[t].kind);
        if (!a || a->target.isPrimitive()) continue;
        std::string owner = ownerInterfaceName(m, a->target.id);
        if (!owner.empty() && owner != ep.name) need(world, owner);
      }
    }
    p_.exports.push_back(std::move(ep));
  }
  return okStatus();
}

Status Planner::run() {
  COMPONO_TRY(planImports(p_.main, p_.world));
  if (p_.adapter) COMPONO_TRY(planImports(*p_.adapter, *p_.adapterWorld));
  COMPONO_TRY(planExports(p_.main, p_.world));
  if (p_.adapter) COMPONO_TRY(planExports(*p_.adapter, *p_.adapterWorld));

  auto mainExport = [&](const std::string& name, ExternKind kind) {
    auto e = p_.main.module->exportType(name);
    return e && e->type.kind == kind;
  };
  if (p_.mainMemory && !mainExport("memory", ExternKind::kMemory)) {
    return err(p_.main,
               "the module must export its memory as `memory` (strings, lists or spilled "
               "arguments and results pass through it)");
  }
  if (p_.mainRealloc) {
    auto e = p_.main.module->exportType("cabi_realloc");
    FuncType want{{engine::ValType::kI32, engine::ValType::kI32, engine::ValType::kI32,
                   engine::ValType::kI32},
                  {engine::ValType::kI32}};
    if (!e || e->type.kind != ExternKind::kFunc) {
      return err(p_.main,
                 "missing export `cabi_realloc` (strings or lists are passed into the module)");
    }
    if (!(e->type.func == want)) {
      return err(p_.main, "export `cabi_realloc` has core type " + coreTypeText(e->type.func) +
                              ", expected " + coreTypeText(want));
    }
  }
  if (auto e = p_.main.module->exportType("_initialize")) {
    if (e->type.kind == ExternKind::kFunc && e->type.func.params.empty() &&
        e->type.func.results.empty()) {
      p_.initialize = true;
    }
  }

  // Interfaces needed only for their types (`use`), transitively.
  std::vector<WorldRef> worlds = {p_.world};
  if (p_.adapterWorld) worlds.push_back(*p_.adapterWorld);
  bool grew = true;
  while (grew) {
    grew = false;
    for (const WorldRef& wr : worlds) {
      const wit::Model& m = *wr.model;
      for (const wit::WorldItem& item : wr.get().imports) {
        if (item.kind != wit::WorldItemKind::kInterface) continue;
        if (!needed_.count({wr.model, worldItemName(m, item)})) continue;
        for (wit::TypeId t : m.interfaces[item.interface].types) {
          const auto* a = std::get_if<wit::AliasType>(&m.types[t].kind);
          if (!a || a->target.isPrimitive()) continue;
          std::string owner = ownerInterfaceName(m, a->target.id);
          if (!owner.empty() && needed_.insert({wr.model, owner}).second) grew = true;
        }
      }
    }
  }
  std::set<std::string> names;
  for (const WorldRef& wr : worlds) {
    for (const wit::WorldItem& item : wr.get().imports) {
      std::string name = worldItemName(*wr.model, item);
      bool isType = item.kind == wit::WorldItemKind::kType;
      if (!isType && !needed_.count({wr.model, name})) continue;
      if (isType && !needed_.count({wr.model, name})) {
        // World-level types: imported when a world-level function is.
        bool anyRoot = false;
        for (const auto& ip : (wr.model == p_.world.model ? p_.main : *p_.adapter).imports) {
          anyRoot = anyRoot || (ip.instance.empty() && ip.kind == ImportPlan::Kind::kLower);
        }
        if (!anyRoot) continue;
      }
      if (!names.insert(name).second)
        continue;  // the adapter's copy of an interface the world imports
      p_.imports.emplace_back(wr, &item);
    }
  }
  return okStatus();
}

}  // namespace

bool SigInfo::liftNeedsMemory() const {
  return memoryParams || memoryResults || flatParams > abi::kMaxFlatParams ||
         flatResults > abi::kMaxFlatResults;
}
bool SigInfo::liftNeedsRealloc() const { return memoryParams || flatParams > abi::kMaxFlatParams; }
bool SigInfo::lowerNeedsMemory() const { return liftNeedsMemory(); }
bool SigInfo::lowerNeedsRealloc() const { return memoryResults; }

SigInfo signatureOf(const wit::Model& model, const wit::Function& f) {
  abi::TypeView tv(model);
  std::vector<wit::Type> params, results;
  for (const auto& p : f.params) params.push_back(normalized(model, p.type));
  if (f.result) results.push_back(normalized(model, *f.result));
  SigInfo s;
  s.lift = tv.coreSignature(params, results, /*lower=*/false);
  s.lower = tv.coreSignature(params, results, /*lower=*/true);
  s.flatParams = tv.flatten(params).size();
  s.flatResults = tv.flatten(results).size();
  for (wit::Type t : params) {
    s.strings = s.strings || contains(model, t, false);
    s.memoryParams = s.memoryParams || contains(model, t, true);
  }
  for (wit::Type t : results) {
    s.strings = s.strings || contains(model, t, false);
    s.memoryResults = s.memoryResults || contains(model, t, true);
  }
  return s;
}

std::string worldName(const WorldRef& w) {
  const wit::World& world = w.get();
  const wit::PackageName& pn = w.model->packages[world.package].name;
  return pn.ns + ":" + pn.name + "/" + world.name +
         (pn.version ? "@" + pn.version->toString() : "");
}

Result<Plan> makePlan(ModulePlan main, WorldRef world, std::optional<ModulePlan> adapter,
                      std::optional<WorldRef> adapterWorld) {
  Plan plan;
  plan.world = world;
  plan.main = std::move(main);
  plan.adapter = std::move(adapter);
  plan.adapterWorld = adapterWorld;
  Planner planner(plan);
  COMPONO_TRY(planner.run());
  return plan;
}

}  // namespace compono::component::componentize
