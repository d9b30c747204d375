// A Plan -> the component AST -> bytes. The layout follows wit-component
// (componentize.h); Explainer.md is the reference for every definition.
#include <memory>
#include <set>

#include "component/componentize/core_module.h"
#include "component/componentize/plan.h"
#include "component/componentize/type_encoder.h"
#include "compono/component/binary.h"

namespace compono::component::componentize {

namespace {

std::shared_ptr<const std::vector<uint8_t>> shared(std::vector<uint8_t> bytes) {
  return std::make_shared<const std::vector<uint8_t>>(std::move(bytes));
}

CoreModule coreModule(std::vector<uint8_t> bytes) {
  CoreModule m;
  m.size = bytes.size();
  m.buffer = shared(std::move(bytes));
  m.begin = 0;
  return m;
}

// "[method]r.f" -> "method-r-f": a plain kebab-case label.
std::string kebab(const std::string& name) {
  std::string out;
  for (char c : name) {
    if (c == '[') continue;
    if (c == ']' || c == '.') {
      out += '-';
    } else {
      out += c;
    }
  }
  return out;
}

class Builder {
 public:
  explicit Builder(const Plan& plan) : p_(plan), top_(&c_) {}
  Result<std::vector<uint8_t>> run(Summary& summary);

 private:
  TypeEncoder& enc(const wit::Model* m) {
    auto& e = encoders_[m];
    if (!e) e = std::make_unique<TypeEncoder>(*m);
    return *e;
  }
  const ModulePlan& module(Source s) const { return s == Source::kMain ? p_.main : *p_.adapter; }
  uint32_t instanceOf(Source s) const { return s == Source::kMain ? mainInst_ : adapterInst_; }
  uint32_t coreAlias(Sort sort, uint32_t instance, const std::string& name) {
    return top_.aliasInstanceExport(sort, instance, name);
  }
  uint32_t canon(Canon c) { return c_.add(std::move(c)).index; }

  Status imports(Summary& summary);
  void shimModule();
  Status exportedResourceTypes();
  Result<uint32_t> componentFunc(const ImportPlan& ip);
  Result<uint32_t> coreFuncFor(const ImportPlan& ip);
  Result<uint32_t> instantiate(const ModulePlan& mod, uint32_t moduleIndex);
  std::vector<CanonOption> lowerOptions(const SigInfo& s, Source src) const;
  std::vector<CanonOption> liftOptions(const FuncExportPlan& fp, Source src);
  Status fixup();
  Status exports(Summary& summary);
  Status exportInterface(const ExportPlan& ep, Summary& summary);

  const Plan& p_;
  Component c_;
  Scope top_;
  std::map<const wit::Model*, std::unique_ptr<TypeEncoder>> encoders_;
  std::map<std::string, uint32_t> rootFuncs_;    // world-level imported functions
  std::map<std::string, uint32_t> funcAliases_;  // "instance#func" -> component func
  std::map<std::pair<const wit::Model*, wit::TypeId>, uint32_t>
      resourceTypes_;  // exported resources
  uint32_t shimInst_ = 0, mainInst_ = 0, adapterInst_ = 0;
  uint32_t memory_ = 0, mainRealloc_ = 0, adapterImportRealloc_ = 0, adapterExportRealloc_ = 0;
};

Status Builder::imports(Summary& summary) {
  for (const auto& [wr, item] : p_.imports) {
    TypeEncoder& e = enc(wr.model);
    std::string name = worldItemName(*wr.model, *item);
    switch (item->kind) {
      case wit::WorldItemKind::kInterface: {
        COMPONO_ASSIGN(InstanceType it, e.instanceType(top_, item->interface));
        uint32_t ty = top_.defineType(it);
        ExternDesc d;
        d.kind = ExternKind::kInstance;
        d.typeIndex = ty;
        top_.instances[name] = top_.importItem(name, d);
        break;
      }
      case wit::WorldItemKind::kFunction: {
        COMPONO_ASSIGN(uint32_t ft, e.funcType(top_, item->function));
        ExternDesc d;
        d.kind = ExternKind::kFunc;
        d.typeIndex = ft;
        rootFuncs_[name] = top_.importItem(name, d);
        break;
      }
      case wit::WorldItemKind::kType:
        COMPONO_TRY(e.defineNamed(top_, item->type, /*asImport=*/true));
        break;
    }
    summary.imports.push_back(name);
  }
  return okStatus();
}

void Builder::shimModule() {
  CoreModuleBuilder b;
  for (size_t k = 0; k < p_.shim.size(); ++k) {
    const engine::FuncType& t = p_.shim[k].type;
    uint32_t ti = b.addType(t);
    uint32_t f = b.addFunc(ti, trampolineBody(t, ti, static_cast<uint32_t>(k)));
    b.exportFunc(std::to_string(k), f);
  }
  engine::TableType table;
  table.element = engine::ValType::kFuncRef;
  table.limits.min = p_.shim.size();
  table.limits.max = p_.shim.size();
  b.exportTable("$imports", b.addTable(table));
  uint32_t mod = c_.add(coreModule(b.finish())).index;
  CoreInstance ci;
  ci.kind = CoreInstance::Kind::kInstantiate;
  ci.module = mod;
  shimInst_ = c_.add(ci).index;
}

Status Builder::exportedResourceTypes() {
  for (const ExportPlan& ep : p_.exports) {
    for (const auto& [t, dtor] : ep.dtors) {
      ResourceType rt;
      if (!dtor.empty())
        rt.dtor = coreAlias(Sort::kCoreFunc, shimInst_, std::to_string(ep.dtorSlots.at(t)));
      uint32_t idx = top_.defineType(rt);
      resourceTypes_[{ep.world.model, t}] = idx;
      top_.types[{ep.world.model, t}] = idx;
    }
  }
  return okStatus();
}

Result<uint32_t> Builder::componentFunc(const ImportPlan& ip) {
  if (ip.instance.empty()) {
    auto it = rootFuncs_.find(ip.func->name);
    if (it == rootFuncs_.end())
      return Error(ErrorCode::kInternal, "world function `" + ip.func->name + "` not imported");
    return it->second;
  }
  std::string key = ip.instance + "#" + ip.func->name;
  auto it = funcAliases_.find(key);
  if (it != funcAliases_.end()) return it->second;
  auto inst = top_.instances.find(ip.instance);
  if (inst == top_.instances.end())
    return Error(ErrorCode::kInternal, "`" + ip.instance + "` not imported");
  uint32_t f = top_.aliasInstanceExport(Sort::kFunc, inst->second, ip.func->name);
  funcAliases_[key] = f;
  return f;
}

Result<uint32_t> Builder::coreFuncFor(const ImportPlan& ip) {
  if (ip.shimSlot >= 0) return coreAlias(Sort::kCoreFunc, shimInst_, std::to_string(ip.shimSlot));
  Canon cn;
  switch (ip.kind) {
    case ImportPlan::Kind::kLower: {
      COMPONO_ASSIGN(uint32_t f, componentFunc(ip));
      cn.kind = Canon::Kind::kLower;
      cn.func = f;
      return canon(cn);
    }
    case ImportPlan::Kind::kResourceDrop: {
      COMPONO_ASSIGN(uint32_t ty, enc(ip.world.model).typeRef(top_, ip.resource));
      cn.kind = Canon::Kind::kResourceDrop;
      cn.type = ty;
      return canon(cn);
    }
    case ImportPlan::Kind::kResourceNew:
    case ImportPlan::Kind::kResourceRep:
    case ImportPlan::Kind::kExportedDrop: {
      auto it = resourceTypes_.find({ip.world.model, ip.resource});
      if (it == resourceTypes_.end())
        return Error(ErrorCode::kInternal, "exported resource not defined");
      cn.kind = ip.kind == ImportPlan::Kind::kResourceNew   ? Canon::Kind::kResourceNew
                : ip.kind == ImportPlan::Kind::kResourceRep ? Canon::Kind::kResourceRep
                                                            : Canon::Kind::kResourceDrop;
      cn.type = it->second;
      return canon(cn);
    }
    case ImportPlan::Kind::kMainExport:
      return coreAlias(Sort::kCoreFunc, mainInst_, ip.name);
    case ImportPlan::Kind::kAdapterExport:
    case ImportPlan::Kind::kMainMemory:
      break;
  }
  return Error(ErrorCode::kInternal,
               "import `" + ip.module + "`.`" + ip.name + "` has no core function");
}

Result<uint32_t> Builder::instantiate(const ModulePlan& mod, uint32_t moduleIndex) {
  CoreInstance inst;
  inst.kind = CoreInstance::Kind::kInstantiate;
  inst.module = moduleIndex;
  for (const std::string& group : mod.groups) {
    CoreInstance exports;
    exports.kind = CoreInstance::Kind::kFromExports;
    for (const ImportPlan& ip : mod.imports) {
      if (ip.module != group) continue;
      if (ip.kind == ImportPlan::Kind::kMainMemory) {
        exports.exports.push_back({ip.name, SortIndex{Sort::kCoreMemory, memory_}});
        continue;
      }
      COMPONO_ASSIGN(uint32_t f, coreFuncFor(ip));
      exports.exports.push_back({ip.name, SortIndex{Sort::kCoreFunc, f}});
    }
    inst.args.push_back({group, c_.add(exports).index});
  }
  return c_.add(inst).index;
}

std::vector<CanonOption> Builder::lowerOptions(const SigInfo& s, Source src) const {
  std::vector<CanonOption> o;
  if (s.lowerNeedsMemory()) o.push_back({CanonOption::Kind::kMemory, memory_});
  if (s.lowerNeedsRealloc()) {
    o.push_back(
        {CanonOption::Kind::kRealloc, src == Source::kMain ? mainRealloc_ : adapterImportRealloc_});
  }
  if (s.strings) o.push_back({CanonOption::Kind::kUtf8, 0});
  return o;
}

std::vector<CanonOption> Builder::liftOptions(const FuncExportPlan& fp, Source src) {
  std::vector<CanonOption> o;
  if (fp.sig.liftNeedsMemory()) o.push_back({CanonOption::Kind::kMemory, memory_});
  if (fp.sig.liftNeedsRealloc()) {
    o.push_back(
        {CanonOption::Kind::kRealloc, src == Source::kMain ? mainRealloc_ : adapterExportRealloc_});
  }
  if (fp.sig.strings) o.push_back({CanonOption::Kind::kUtf8, 0});
  if (fp.postReturn) {
    o.push_back({CanonOption::Kind::kPostReturn,
                 coreAlias(Sort::kCoreFunc, instanceOf(src), "cabi_post_" + fp.coreName)});
  }
  return o;
}

Status Builder::fixup() {
  size_t n = p_.shim.size();
  std::vector<CoreInstantiateArg> args;
  if (n > 0) {
    CoreInstance actual;
    actual.kind = CoreInstance::Kind::kFromExports;
    for (size_t k = 0; k < n; ++k) {
      const ShimEntry& e = p_.shim[k];
      uint32_t f = 0;
      switch (e.kind) {
        case ShimEntry::Kind::kLower: {
          const ImportPlan& ip = module(e.source).imports[e.import];
          COMPONO_ASSIGN(uint32_t cf, componentFunc(ip));
          Canon cn;
          cn.kind = Canon::Kind::kLower;
          cn.func = cf;
          cn.options = lowerOptions(ip.sig, e.source);
          f = canon(cn);
          break;
        }
        case ShimEntry::Kind::kAdapterExport:
          f = coreAlias(Sort::kCoreFunc, adapterInst_, e.exportName);
          break;
        case ShimEntry::Kind::kDtor:
          f = coreAlias(Sort::kCoreFunc, instanceOf(e.source), e.exportName);
          break;
      }
      actual.exports.push_back({std::to_string(k), SortIndex{Sort::kCoreFunc, f}});
    }
    args.push_back({"actual", c_.add(actual).index});
    args.push_back({"shim", shimInst_});
  }
  if (n == 0 && !p_.initialize) return okStatus();
  CoreModuleBuilder b;
  for (size_t k = 0; k < n; ++k)
    b.importFunc("actual", std::to_string(k), b.addType(p_.shim[k].type));
  if (n > 0) {
    engine::TableType table;
    table.element = engine::ValType::kFuncRef;
    table.limits.min = n;
    table.limits.max = n;
    b.importTable("shim", "$imports", table);
    std::vector<uint32_t> funcs;
    for (size_t k = 0; k < n; ++k) funcs.push_back(static_cast<uint32_t>(k));
    b.addElements(0, funcs);
  }
  if (p_.initialize) {
    b.setStart(b.importFunc("main", "_initialize", b.addType(engine::FuncType{})));
    args.push_back({"main", mainInst_});
  }
  uint32_t mod = c_.add(coreModule(b.finish())).index;
  CoreInstance inst;
  inst.kind = CoreInstance::Kind::kInstantiate;
  inst.module = mod;
  inst.args = std::move(args);
  c_.add(inst);
  return okStatus();
}

Status Builder::exportInterface(const ExportPlan& ep, Summary& summary) {
  const wit::Model& m = *ep.world.model;
  TypeEncoder& e = enc(&m);
  const wit::Interface& iface = m.interfaces[ep.item->interface];

  // The interface's types, defined (not exported) at the top level.
  for (wit::TypeId t : iface.types) {
    auto key = std::make_pair(&m, t);
    const wit::TypeDef& td = m.types[t];
    if (std::holds_alternative<wit::ResourceType>(td.kind)) {
      if (!resourceTypes_.count(key)) {
        ResourceType rt;
        auto d = ep.dtors.find(t);
        if (d != ep.dtors.end() && !d->second.empty()) {
          rt.dtor = coreAlias(Sort::kCoreFunc, instanceOf(ep.source), d->second);
        }
        resourceTypes_[key] = top_.defineType(rt);
      }
      top_.types[key] = resourceTypes_[key];
    } else if (const auto* a = std::get_if<wit::AliasType>(&td.kind)) {
      uint32_t idx;
      if (!a->target.isPrimitive() && !m.types[a->target.id].name.empty()) {
        COMPONO_ASSIGN(idx, e.typeRef(top_, a->target.id));
      } else {
        COMPONO_ASSIGN(ValType v, e.valType(top_, a->target));
        idx = v.isPrimitive() ? top_.defineType(v.prim) : v.index;
      }
      top_.types[key] = idx;
    } else {
      COMPONO_ASSIGN(TypeDefKind kind, e.structural(top_, td));
      top_.types[key] = top_.defineType(kind);
    }
  }

  // Lift every function.
  std::vector<uint32_t> lifted;
  for (const FuncExportPlan& fp : ep.funcs) {
    COMPONO_ASSIGN(uint32_t ft, e.funcType(top_, *fp.func));
    Canon cn;
    cn.kind = Canon::Kind::kLift;
    cn.func = coreAlias(Sort::kCoreFunc, instanceOf(ep.source), fp.coreName);
    cn.type = ft;
    cn.options = liftOptions(fp, ep.source);
    lifted.push_back(canon(cn));
  }

  // A nested component that imports the functions and types and exports
  // them under their names, so that the exported instance's functions refer
  // to exported types (Explainer.md: types of exports must be named).
  Component shim;
  Scope ss(&shim);
  TypeEncoder se(m);
  std::vector<InstantiateArg> args;
  std::set<std::string> names;
  auto unique = [&](std::string n) {
    while (!names.insert(n).second) n += "-x";
    return n;
  };
  ss.onMissing = [&](const wit::Model& mm, wit::TypeId id) -> Result<uint32_t> {
    const wit::TypeDef& td = mm.types[id];
    if (const auto* a = std::get_if<wit::AliasType>(&td.kind)) {
      if (!a->target.isPrimitive() && !mm.types[a->target.id].name.empty())
        return se.typeRef(ss, a->target.id);
      COMPONO_ASSIGN(ValType v, se.valType(ss, a->target));
      return v.isPrimitive() ? ss.defineType(v.prim) : v.index;
    }
    std::string n = unique("import-type-" + td.name);
    ExternDesc d;
    d.kind = ExternKind::kType;
    if (std::holds_alternative<wit::ResourceType>(td.kind)) {
      d.bound.kind = TypeBound::Kind::kSubResource;
    } else {
      COMPONO_ASSIGN(TypeDefKind kind, se.structural(ss, td));
      d.bound.kind = TypeBound::Kind::kEq;
      d.bound.index = ss.defineType(kind);
    }
    uint32_t idx = ss.importItem(n, d);
    COMPONO_ASSIGN(uint32_t topIdx, enc(&mm).typeRef(top_, id));
    args.push_back({n, SortIndex{Sort::kType, topIdx}});
    return idx;
  };
  for (wit::TypeId t : iface.types) {
    auto key = std::make_pair(&m, t);
    const wit::TypeDef& td = m.types[t];
    if (const auto* a = std::get_if<wit::AliasType>(&td.kind)) {
      uint32_t idx;
      if (!a->target.isPrimitive() && !m.types[a->target.id].name.empty()) {
        COMPONO_ASSIGN(idx, se.typeRef(ss, a->target.id));
      } else {
        COMPONO_ASSIGN(ValType v, se.valType(ss, a->target));
        idx = v.isPrimitive() ? ss.defineType(v.prim) : v.index;
      }
      ss.types[key] = idx;
      continue;
    }
    std::string n = unique("import-type-" + td.name);
    ExternDesc d;
    d.kind = ExternKind::kType;
    if (std::holds_alternative<wit::ResourceType>(td.kind)) {
      d.bound.kind = TypeBound::Kind::kSubResource;
    } else {
      COMPONO_ASSIGN(TypeDefKind kind, se.structural(ss, td));
      d.bound.kind = TypeBound::Kind::kEq;
      d.bound.index = ss.defineType(kind);
    }
    ss.types[key] = ss.importItem(n, d);
    args.push_back({n, SortIndex{Sort::kType, top_.types.at(key)}});
  }
  std::vector<uint32_t> imported;
  for (size_t i = 0; i < ep.funcs.size(); ++i) {
    COMPONO_ASSIGN(uint32_t ft, se.funcType(ss, *ep.funcs[i].func));
    std::string n = unique("import-func-" + kebab(ep.funcs[i].func->name));
    ExternDesc d;
    d.kind = ExternKind::kFunc;
    d.typeIndex = ft;
    imported.push_back(ss.importItem(n, d));
    args.push_back({n, SortIndex{Sort::kFunc, lifted[i]}});
  }
  for (wit::TypeId t : iface.types) {
    auto key = std::make_pair(&m, t);
    ss.types[key] = ss.exportItem(m.types[t].name, SortIndex{Sort::kType, ss.types.at(key)});
  }
  for (size_t i = 0; i < ep.funcs.size(); ++i) {
    COMPONO_ASSIGN(uint32_t ft, se.funcType(ss, *ep.funcs[i].func));
    ExternDesc d;
    d.kind = ExternKind::kFunc;
    d.typeIndex = ft;
    ss.exportItem(ep.funcs[i].func->name, SortIndex{Sort::kFunc, imported[i]}, d);
  }
  ss.onMissing = nullptr;

  uint32_t comp = c_.add(NestedComponent(std::move(shim))).index;
  Instance inst;
  inst.kind = Instance::Kind::kInstantiate;
  inst.component = comp;
  inst.args = std::move(args);
  uint32_t instIdx = c_.add(std::move(inst)).index;
  uint32_t exported = top_.exportItem(ep.name, SortIndex{Sort::kInstance, instIdx});
  if (!top_.instances.count(ep.name)) top_.instances[ep.name] = exported;
  summary.exports.push_back(ep.name);
  return okStatus();
}

Status Builder::exports(Summary& summary) {
  for (const ExportPlan& ep : p_.exports) {
    if (ep.item->kind == wit::WorldItemKind::kInterface) {
      COMPONO_TRY(exportInterface(ep, summary));
      continue;
    }
    const FuncExportPlan& fp = ep.funcs.at(0);
    COMPONO_ASSIGN(uint32_t ft, enc(ep.world.model).funcType(top_, *fp.func));
    Canon cn;
    cn.kind = Canon::Kind::kLift;
    cn.func = coreAlias(Sort::kCoreFunc, instanceOf(ep.source), fp.coreName);
    cn.type = ft;
    cn.options = liftOptions(fp, ep.source);
    uint32_t f = canon(cn);
    top_.exportItem(ep.name, SortIndex{Sort::kFunc, f});
    summary.exports.push_back(ep.name);
  }
  return okStatus();
}

Result<std::vector<uint8_t>> Builder::run(Summary& summary) {
  COMPONO_TRY(imports(summary));
  uint32_t mainModule = c_.add(coreModule(p_.main.bytes)).index;
  uint32_t adapterModule = 0;
  if (p_.adapter) adapterModule = c_.add(coreModule(p_.adapter->bytes)).index;
  if (!p_.shim.empty()) shimModule();
  COMPONO_TRY(exportedResourceTypes());

  COMPONO_ASSIGN(mainInst_, instantiate(p_.main, mainModule));
  if (p_.mainMemory) memory_ = coreAlias(Sort::kCoreMemory, mainInst_, "memory");
  if (p_.mainRealloc) mainRealloc_ = coreAlias(Sort::kCoreFunc, mainInst_, "cabi_realloc");
  if (p_.adapter) {
    COMPONO_ASSIGN(adapterInst_, instantiate(*p_.adapter, adapterModule));
    if (!p_.adapterImportRealloc.empty()) {
      adapterImportRealloc_ = coreAlias(Sort::kCoreFunc, adapterInst_, p_.adapterImportRealloc);
    }
    if (!p_.adapterExportRealloc.empty()) {
      adapterExportRealloc_ = coreAlias(Sort::kCoreFunc, adapterInst_, p_.adapterExportRealloc);
    }
  }
  COMPONO_TRY(fixup());
  COMPONO_TRY(exports(summary));

  summary.world = worldName(p_.world);
  summary.indirectLowerings = static_cast<uint32_t>(p_.shim.size());
  summary.initialize = p_.initialize;
  summary.adapter = p_.adapter.has_value();
  return encodeComponent(c_);
}

}  // namespace

Result<std::vector<uint8_t>> buildComponent(const Plan& plan, Summary& summary) {
  Builder b(plan);
  return b.run(summary);
}

}  // namespace compono::component::componentize
