// component::Linker: host functions and resources by interface name,
// composition with other instances, semver-compatible matching, stubs, and
// instantiation (the root's imports; the walk does the rest).
#include "compono/component/linker.h"

#include <map>
#include <mutex>

#include "component/runtime/runtime.h"
#include "compono/component/wave.h"

namespace compono::component {

namespace internal {

struct InterfaceDef {
  std::string name;  // as the host wrote it
  std::map<std::string, std::shared_ptr<const rt::HostFuncDef>, std::less<>> funcs;
  std::map<std::string, rt::ResourcePtr, std::less<>> resources;
};

// An export of another instance, linked by name.
struct LinkedDef {
  std::string name;
  const ComponentInstance* instance = nullptr;
  std::string exportName;
  rt::Item item;
  rt::EnvPtr env;
};

struct LinkerState {
  std::map<std::string, InterfaceDef> interfaces;  // by semverKey
  std::map<std::string, LinkedDef> linked;         // by semverKey
  StubMode stub = StubMode::kOff;
  std::function<void(const std::string&)> notice;
};

}  // namespace internal

using internal::InterfaceDef;
using internal::LinkedDef;
using internal::LinkerState;

std::string semverKey(std::string_view name) {
  size_t at = name.rfind('@');
  if (at == std::string_view::npos) return std::string(name);
  auto v = wit::Version::parse(name.substr(at + 1));
  if (!v.ok() || !v->prerelease.empty()) return std::string(name);
  std::string base(name.substr(0, at + 1));
  if (v->major > 0) return base + std::to_string(v->major);
  if (v->minor > 0) return base + "0." + std::to_string(v->minor);
  return std::string(name);
}

Linker::Linker() : state_(std::make_shared<LinkerState>()) {}
Linker::~Linker() = default;
Linker::Linker(const Linker&) = default;
Linker& Linker::operator=(const Linker&) = default;

void Linker::detach() {
  if (state_.use_count() > 1) state_ = std::make_shared<LinkerState>(*state_);
}

namespace {

InterfaceDef& interfaceDef(LinkerState& st, std::string_view interface) {
  InterfaceDef& d = st.interfaces[semverKey(interface)];
  d.name = std::string(interface);
  return d;
}

}  // namespace

void Linker::defineFunc(std::string_view interface, std::string_view func, HostCallback callback) {
  detach();
  auto def = std::make_shared<rt::HostFuncDef>();
  def->interface = std::string(interface);
  def->name = std::string(func);
  def->callback = std::move(callback);
  interfaceDef(*state_, interface).funcs[def->name] = std::move(def);
}

Status Linker::defineFunc(std::string_view interface, std::shared_ptr<const wit::Model> model,
                          const wit::Function& function, HostCallback callback) {
  if (!model) return Error(ErrorCode::kUsage, "defineFunc: no WIT model given");
  bool found = false;
  for (const wit::Interface& i : model->interfaces) {
    for (const wit::Function& f : i.functions) found = found || &f == &function;
  }
  for (const wit::World& w : model->worlds) {
    for (const wit::WorldItem& wi : w.imports) found = found || &wi.function == &function;
    for (const wit::WorldItem& wi : w.exports) found = found || &wi.function == &function;
  }
  if (!found) {
    return Error(ErrorCode::kUsage,
                 "defineFunc: function " + function.name + " is not a function of the given model");
  }
  detach();
  auto def = std::make_shared<rt::HostFuncDef>();
  def->interface = std::string(interface);
  def->name = function.name;
  def->callback = std::move(callback);
  def->model = std::move(model);
  rt::FuncSig sig;
  sig.params = function.params;
  sig.result = function.result;
  def->sig = std::move(sig);
  interfaceDef(*state_, interface).funcs[def->name] = std::move(def);
  return okStatus();
}

void Linker::defineResource(std::string_view interface, std::string_view resource,
                            std::function<void(uint32_t rep)> drop) {
  detach();
  auto rt = std::make_shared<rt::ResourceRt>();
  rt->name = std::string(resource);
  rt->host = true;
  rt->hostDrop = std::move(drop);
  interfaceDef(*state_, interface).resources[rt->name] = std::move(rt);
}

Status Linker::defineInstance(std::string_view name, const ComponentInstance& instance,
                              std::string_view exportName) {
  const internal::InstanceState& is = instance.state();
  const rt::Item* item = is.root->exports->find(exportName);
  if (!item) {
    return Error(ErrorCode::kUsage, is.component->name() + " exports nothing named \"" +
                                        std::string(exportName) + "\"");
  }
  if (!std::holds_alternative<rt::BagPtr>(*item) && !std::holds_alternative<rt::FuncPtr>(*item)) {
    return Error(ErrorCode::kUsage, is.component->name() + " export \"" + std::string(exportName) +
                                        "\" is neither an instance nor a function");
  }
  detach();
  LinkedDef d;
  d.name = std::string(name);
  d.instance = &instance;
  d.exportName = std::string(exportName);
  d.item = *item;
  d.env = is.env;
  state_->linked[semverKey(name)] = std::move(d);
  return okStatus();
}

Status Linker::defineExports(const ComponentInstance& instance) {
  for (const auto& [name, item] : instance.state().root->exports->items) {
    if (std::holds_alternative<rt::BagPtr>(item) || std::holds_alternative<rt::FuncPtr>(item)) {
      COMPONO_TRY(defineInstance(name, instance, name));
    }
  }
  return okStatus();
}

void Linker::stubUnresolved(StubMode mode, std::function<void(const std::string&)> notice) {
  detach();
  state_->stub = mode;
  state_->notice = std::move(notice);
}

namespace {

// What provides one root import.
struct Provider {
  const InterfaceDef* host = nullptr;
  const LinkedDef* linked = nullptr;
};

Provider providerFor(const LinkerState& st, const std::string& importName) {
  Provider p;
  std::string key = semverKey(importName);
  auto l = st.linked.find(key);
  if (l != st.linked.end()) p.linked = &l->second;
  auto h = st.interfaces.find(key);
  if (h != st.interfaces.end()) p.host = &h->second;
  return p;
}

const InterfaceDef* plainFuncs(const LinkerState& st) {
  auto h = st.interfaces.find("");
  return h == st.interfaces.end() ? nullptr : &h->second;
}

const rt::BagPtr* linkedBag(const LinkedDef* l) {
  return l ? std::get_if<rt::BagPtr>(&l->item) : nullptr;
}

std::string linkedWho(const LinkedDef& l) {
  return "instance " + l.instance->component().name() + " (its export \"" + l.exportName + "\")";
}

// Checks one function import against what provides it; "" when fine, else
// the problem. `missing` is set when nothing provides it.
std::string checkFunc(const LinkerState& st, const LoadedComponent& c, const ExternInfo& imp,
                      const FuncInfo& f, bool& missing) {
  missing = false;
  Provider p = providerFor(st, imp.kind == ExternInfo::Kind::kFunc ? "" : imp.name);
  rt::FuncSig want{f.params, f.result};
  auto mismatch = [&](const wit::Model& m, const rt::FuncSig& have, const std::string& who) {
    FuncInfo hf{"", f.name, have.params, have.result};
    return c.name() + ": import \"" + imp.name + "\" expects func " + f.signature(c.model()) +
           ", " + who + " gives " + hf.signature(m);
  };
  if (imp.kind == ExternInfo::Kind::kFunc) {
    auto l = st.linked.find(semverKey(imp.name));
    if (l != st.linked.end()) {
      if (const auto* fp = std::get_if<rt::FuncPtr>(&l->second.item)) {
        if (!rt::sameSig(c.model(), want, l->second.env->model, (*fp)->sig)) {
          return mismatch(l->second.env->model, (*fp)->sig, linkedWho(l->second));
        }
        return "";
      }
    }
    const InterfaceDef* plain = plainFuncs(st);
    if (!plain || plain->funcs.find(imp.name) == plain->funcs.end()) {
      missing = true;
      return imp.name;
    }
    auto it = plain->funcs.find(imp.name);
    if (it->second->sig && !rt::sameSig(c.model(), want, *it->second->model, *it->second->sig)) {
      return mismatch(*it->second->model, *it->second->sig, "the host");
    }
    return "";
  }
  if (const rt::BagPtr* bag = linkedBag(p.linked)) {
    const rt::Item* it = (*bag)->find(f.name);
    if (it && std::holds_alternative<rt::FuncPtr>(*it)) {
      const rt::ComponentFunc& have = *std::get<rt::FuncPtr>(*it);
      if (!rt::sameSig(c.model(), want, p.linked->env->model, have.sig)) {
        return mismatch(p.linked->env->model, have.sig, linkedWho(*p.linked));
      }
      return "";
    }
  }
  if (p.host) {
    auto it = p.host->funcs.find(f.name);
    if (it != p.host->funcs.end()) {
      if (it->second->sig && !rt::sameSig(c.model(), want, *it->second->model, *it->second->sig)) {
        return mismatch(*it->second->model, *it->second->sig, "the host");
      }
      return "";
    }
  }
  missing = true;
  return f.qualifiedName();
}

bool resourceProvided(const LinkerState& st, const ExternInfo& imp, const std::string& r) {
  Provider p = providerFor(st, imp.name);
  if (const rt::BagPtr* bag = linkedBag(p.linked)) {
    if (const rt::Item* it = (*bag)->find(r); it && std::holds_alternative<rt::TypeItem>(*it)) {
      return true;
    }
  }
  return p.host && p.host->resources.count(r) > 0;
}

struct LinkReport {
  std::vector<std::string> missing;     // unresolved names
  std::vector<std::string> mismatches;  // full messages
};

LinkReport check(const LinkerState& st, const LoadedComponent& c) {
  LinkReport r;
  for (const ExternInfo& imp : c.imports()) {
    switch (imp.kind) {
      case ExternInfo::Kind::kInstance: {
        std::vector<std::string> missing;
        size_t total = imp.funcs.size() + imp.resources.size();
        for (const std::string& res : imp.resources) {
          if (!resourceProvided(st, imp, res)) missing.push_back(imp.name + "#" + res);
        }
        for (const FuncInfo& f : imp.funcs) {
          bool isMissing = false;
          std::string problem = checkFunc(st, c, imp, f, isMissing);
          if (isMissing) missing.push_back(problem);
          else if (!problem.empty()) r.mismatches.push_back(problem);
        }
        if (!missing.empty() && missing.size() == total) {
          r.missing.push_back(imp.name);
        } else {
          r.missing.insert(r.missing.end(), missing.begin(), missing.end());
        }
        break;
      }
      case ExternInfo::Kind::kFunc: {
        bool isMissing = false;
        std::string problem = checkFunc(st, c, imp, imp.funcs[0], isMissing);
        if (isMissing) r.missing.push_back(imp.name);
        else if (!problem.empty()) r.mismatches.push_back(problem);
        break;
      }
      default: break;  // types: bound by their declaration
    }
  }
  return r;
}

// Binds the root's imports to the Linker's definitions during the walk.
class LinkerResolver final : public rt::ImportResolver {
 public:
  LinkerResolver(const LinkerState& st, rt::Walk& walk) : st_(st), walk_(walk) {}

  Result<rt::Item> resolve(rt::Frame& frame, const Import& imp) override {
    const std::string& name = imp.name.name;
    const ExternDesc& d = imp.desc;
    switch (d.kind) {
      case ExternKind::kInstance: {
        if (d.typeIndex >= frame.types.size()) {
          return Error(ErrorCode::kComponent, "import " + name + ": type index out of range");
        }
        Provider p = providerFor(st_, name);
        rt::InstanceTypeBinder binder;
        binder.resource = [&](const std::string& inst, const std::string& r) -> Result<wit::TypeId> {
          return bindResource(p, inst, r);
        };
        binder.func = [&](const std::string& inst, const std::string& fname,
                          const rt::FuncSig& sig) -> Result<rt::FuncPtr> {
          return bindFunc(p, inst, fname, sig);
        };
        COMPONO_ASSIGN(rt::BagPtr bag,
                       rt::evalInstanceType(walk_, frame.types[d.typeIndex], binder, name));
        return rt::Item(bag);
      }
      case ExternKind::kFunc: {
        if (d.typeIndex >= frame.types.size()) {
          return Error(ErrorCode::kComponent, "import " + name + ": type index out of range");
        }
        COMPONO_ASSIGN(rt::FuncSig sig, rt::funcSigOf(frame.types[d.typeIndex]));
        auto l = st_.linked.find(semverKey(name));
        if (l != st_.linked.end() && std::holds_alternative<rt::FuncPtr>(l->second.item)) {
          return rt::Item(forward(name, sig, std::get<rt::FuncPtr>(l->second.item)));
        }
        Provider p;
        p.host = plainFuncs(st_);
        COMPONO_ASSIGN(rt::FuncPtr f, bindFunc(p, "", name, sig));
        return rt::Item(f);
      }
      case ExternKind::kType: {
        if (d.bound.kind == TypeBound::Kind::kEq && d.bound.index < frame.types.size()) {
          rt::TypeItem t = frame.types[d.bound.index];
          if (t.kind == rt::TypeItem::Kind::kValue) t.value = rt::nameType(*walk_.env, t.value, name);
          return rt::Item(t);
        }
        Provider p;
        p.host = plainFuncs(st_);
        COMPONO_ASSIGN(wit::TypeId id, bindResource(p, "", name));
        rt::TypeItem t;
        t.value = rt::nameType(*walk_.env, wit::Type::def(id), name);
        return rt::Item(t);
      }
      default:
        return Error(ErrorCode::kLink, "import \"" + name + "\" of a " + externKindName(d.kind) +
                                           " cannot be provided by a Linker");
    }
  }

 private:
  wit::TypeId newResource(const rt::ResourcePtr& rt) {
    wit::TypeDef def;
    def.kind = wit::ResourceType{};
    wit::TypeId id = walk_.env->model.addType(std::move(def));
    walk_.env->resources[id] = rt;
    if (walk_.recording()) walk_.memo->importResources[id] = rt;
    return id;
  }

  Result<wit::TypeId> bindResource(const Provider& p, const std::string& inst,
                                   const std::string& r) {
    if (const rt::BagPtr* bag = linkedBag(p.linked)) {
      if (const rt::Item* it = (*bag)->find(r)) {
        if (const auto* t = std::get_if<rt::TypeItem>(it); t && !t->value.isPrimitive()) {
          wit::TypeId rid = p.linked->env->model.resourceOf(t->value.id);
          auto found = p.linked->env->resources.find(rid);
          if (found != p.linked->env->resources.end()) return newResource(found->second);
        }
      }
    }
    if (p.host) {
      auto it = p.host->resources.find(r);
      if (it != p.host->resources.end()) return newResource(it->second);
    }
    if (st_.stub != StubMode::kOff) {
      auto stub = std::make_shared<rt::ResourceRt>();
      stub->name = r;
      stub->host = true;
      return newResource(stub);
    }
    return Error(ErrorCode::kLink, walk_.component->name() + ": import \"" + inst +
                                       "\": resource type " + r + " is not provided");
  }

  rt::FuncPtr forward(const std::string& debugName, const rt::FuncSig& sig, rt::FuncPtr target) {
    auto f = std::make_shared<rt::ComponentFunc>();
    f->kind = rt::ComponentFunc::Kind::kForward;
    f->env = walk_.env;
    f->sig = sig;
    f->debugName = debugName;
    f->target = std::move(target);
    return f;
  }

  Result<rt::FuncPtr> bindFunc(const Provider& p, const std::string& inst, const std::string& name,
                               const rt::FuncSig& sig) {
    std::string qualified = inst.empty() ? name : inst + "#" + name;
    if (const rt::BagPtr* bag = linkedBag(p.linked)) {
      if (const rt::Item* it = (*bag)->find(name)) {
        if (const auto* fp = std::get_if<rt::FuncPtr>(it)) return forward(qualified, sig, *fp);
      }
    }
    auto f = std::make_shared<rt::ComponentFunc>();
    f->kind = rt::ComponentFunc::Kind::kHost;
    f->env = walk_.env;
    f->sig = sig;
    f->debugName = qualified;
    f->importInterface = inst;
    if (p.host) {
      auto it = p.host->funcs.find(name);
      if (it != p.host->funcs.end()) {
        f->host = it->second;
        return f;
      }
    }
    if (st_.stub == StubMode::kOff) {
      return Error(ErrorCode::kLink,
                   walk_.component->name() + ": import " + qualified + " is not provided");
    }
    f->host = stub(qualified, sig);
    return f;
  }

  std::shared_ptr<const rt::HostFuncDef> stub(const std::string& qualified, const rt::FuncSig& sig) {
    auto def = std::make_shared<rt::HostFuncDef>();
    def->name = qualified.substr(qualified.rfind('#') + 1);
    StubMode mode = st_.stub;
    auto notice = st_.notice;
    rt::EnvPtr env = walk_.env;
    auto nextRep = std::make_shared<uint32_t>(1);
    def->callback = [mode, notice, env, qualified, sig, nextRep](
                        HostCall&, std::span<const Value> args,
                        std::vector<Value>& results) -> Status {
      if (notice) {
        std::string line = "stub: " + qualified + "(";
        for (size_t i = 0; i < args.size() && i < sig.params.size(); ++i) {
          if (i) line += ", ";
          line += wave::print(env->model, sig.params[i].type, args[i]);
        }
        notice(line + ")");
      }
      if (mode == StubMode::kTrap) {
        return Error::trapError(TrapCode::kHostError,
                                "stub: " + qualified + " is not provided (--stub-imports=trap)");
      }
      if (!sig.result) return okStatus();
      rt::HandleDefault handle = [&](wit::HandleKind kind, wit::TypeId r) -> Result<Value> {
        rt::ResourceRt* res = env->resource(r);
        if (kind == wit::HandleKind::kOwn && res && res->host) return Value::own((*nextRep)++);
        return Error::trapError(TrapCode::kHostError,
                                "stub: " + qualified + " cannot make up a resource handle");
      };
      COMPONO_ASSIGN(Value v, rt::defaultValue(*env, *sig.result, handle));
      results.push_back(std::move(v));
      return okStatus();
    };
    return def;
  }

  const LinkerState& st_;
  rt::Walk& walk_;
};

}  // namespace

std::vector<std::string> Linker::unresolvedImports(const LoadedComponent& component) const {
  return check(*state_, component).missing;
}

namespace {

// One instantiation: the first from an InstancePre records its WalkMemo
// (memo->replay false), the later ones replay it into `model`.
Result<std::unique_ptr<ComponentInstance>> instantiateWith(
    const LinkerState& st, engine::Store& store,
    const std::shared_ptr<const LoadedComponent>& component, rt::WalkMemo* memo,
    std::shared_ptr<wit::Model> model, std::shared_ptr<const abi::TypeView::Cache> cache) {
  auto state = std::make_unique<internal::InstanceState>();
  state->component = component;
  state->store = &store;
  state->env = model ? std::make_shared<rt::TypeEnv>(std::move(model), std::move(cache))
                     : std::make_shared<rt::TypeEnv>();
  bool replay = memo && memo->replay;
  if (replay) state->env->resources = memo->importResources;
  state->poisoned = std::make_shared<std::string>();
  rt::Walk walk;
  walk.component = component.get();
  walk.env = state->env;
  walk.store = &store;
  walk.arena = &state->arena;
  walk.poisoned = state->poisoned;
  walk.memo = memo;
  LinkerResolver resolver(st, walk);
  COMPONO_ASSIGN(state->root, rt::instantiate(walk, component->ast(), nullptr, nullptr, &resolver,
                                              component->name()));
  if (replay) {
    state->exports = memo->exports;
  } else {
    state->exports = rt::describe(*state->env, state->root->exports->items);
    if (memo) memo->exports = state->exports;
  }
  for (const ExternInfo& e : state->exports) {
    for (const FuncInfo& f : e.funcs) {
      rt::FuncPtr fp = rt::exportedFunc(state->root->exports->items, f);
      // An exported import is shared by the instances of an InstancePre:
      // written once, by the recording walk.
      if (fp && fp->debugName != f.qualifiedName()) fp->debugName = f.qualifiedName();
    }
  }
  return std::make_unique<ComponentInstance>(std::move(state));
}

}  // namespace

namespace internal {

struct PreState {
  std::shared_ptr<const LinkerState> linker;
  std::shared_ptr<const LoadedComponent> component;
  std::mutex mu;
  bool recorded = false;  // guarded by mu; memo and model are read-only once set
  rt::WalkMemo memo;
  std::shared_ptr<wit::Model> model;
  std::shared_ptr<const abi::TypeView::Cache> typeCache;  // layouts and flattenings
};

}  // namespace internal

InstancePre::InstancePre(std::shared_ptr<internal::PreState> state) : state_(std::move(state)) {}

const LoadedComponent& InstancePre::component() const { return *state_->component; }

Result<std::unique_ptr<ComponentInstance>> InstancePre::instantiate(engine::Store& store) const {
  internal::PreState& pre = *state_;
  {
    std::lock_guard<std::mutex> lock(pre.mu);
    if (!pre.recorded) {
      rt::WalkMemo memo;
      COMPONO_ASSIGN(std::unique_ptr<ComponentInstance> inst,
                     instantiateWith(*pre.linker, store, pre.component, &memo, nullptr, nullptr));
      memo.replay = true;
      pre.memo = std::move(memo);
      pre.model = inst->state().env->modelOwner;
      pre.typeCache = inst->state().env->view.freeze();
      pre.recorded = true;
      return inst;
    }
  }
  return instantiateWith(*pre.linker, store, pre.component, &pre.memo, pre.model, pre.typeCache);
}

namespace {

// Every import resolved and type-checked: one error listing all problems.
Status linkCheck(const LinkerState& st, const LoadedComponent& component) {
  const std::string& name = component.name();
  LinkReport report = check(st, component);
  if (st.stub != StubMode::kOff) report.missing.clear();
  if (!report.mismatches.empty()) {
    std::string msg = report.mismatches[0];
    for (size_t i = 1; i < report.mismatches.size(); ++i) msg += "; " + report.mismatches[i];
    return Error(ErrorCode::kLink, msg);
  }
  if (!report.missing.empty()) {
    std::string list;
    for (const std::string& m : report.missing) list += (list.empty() ? "" : ", ") + m;
    return Error(ErrorCode::kLink, name + ": unresolved import" +
                                       (report.missing.size() > 1 ? "s" : "") + " " + list +
                                       " (nothing provides " +
                                       (report.missing.size() > 1 ? "them" : "it") +
                                       "; define them in the Linker, or stub them)");
  }
  return okStatus();
}

}  // namespace

Result<InstancePre> Linker::instantiatePre(std::shared_ptr<const LoadedComponent> component) const {
  COMPONO_TRY(linkCheck(*state_, *component));
  auto pre = std::make_shared<internal::PreState>();
  pre->linker = state_;
  pre->component = std::move(component);
  return InstancePre(std::move(pre));
}

Result<std::unique_ptr<ComponentInstance>> Linker::instantiate(
    engine::Store& store, std::shared_ptr<const LoadedComponent> component) const {
  COMPONO_TRY(linkCheck(*state_, *component));
  return instantiateWith(*state_, store, component, nullptr, nullptr, nullptr);
}

}  // namespace compono::component
