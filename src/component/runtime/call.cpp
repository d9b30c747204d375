// Calls across component boundaries (CanonicalABI.md, synchronous 0.2):
// canon lift (invoke), canon lower (makeLowered), resource.new/drop/rep,
// handle tables, and the AbiContext that binds lifting and lowering to one
// component instance's memory, realloc and handle tables.
#include <utility>

#include "component/runtime/runtime.h"

namespace compono::component::rt {

using engine::Val;
using engine::ValType;

namespace {

Error trap(const std::string& what) { return Error::trapError(TrapCode::kOther, what); }

// Sets a flag for a scope and restores its previous value.
class FlagGuard {
 public:
  FlagGuard(bool& flag, bool value, bool active = true) : flag_(flag), old_(flag), active_(active) {
    if (active_) flag_ = value;
  }
  ~FlagGuard() {
    if (active_) flag_ = old_;
  }
  FlagGuard(const FlagGuard&) = delete;
  FlagGuard& operator=(const FlagGuard&) = delete;

 private:
  bool& flag_;
  bool old_;
  bool active_;
};

using Lenders = std::vector<std::pair<HandleTable*, uint32_t>>;

void releaseLenders(Lenders& lenders) {
  for (auto& [table, index] : lenders) {
    auto h = table->get(index);
    if (h.ok() && (*h)->lendCount > 0) --(*h)->lendCount;
  }
  lenders.clear();
}

std::string resourceName(const ResourceRt* rt) {
  return rt && !rt->name.empty() ? rt->name : "resource";
}

// The instance side of one lift or lower.
class CallContext final : public abi::AbiContext {
 public:
  CallContext(RtInstance& inst, const CanonOpts& opts, const TypeEnv& env,
              std::shared_ptr<BorrowScope> task, Lenders* lenders)
      : inst_(inst), opts_(opts), env_(env), task_(std::move(task)), lenders_(lenders) {}

  engine::GuestMemory memory() override {
    if (!opts_.memory) return {};
    return engine::GuestMemory(opts_.memory->data(), opts_.memory->size());
  }

  Result<uint32_t> realloc(uint32_t oldPtr, uint32_t oldSize, uint32_t align,
                           uint32_t newSize) override {
    if (!opts_.realloc) {
      return Error(ErrorCode::kComponent,
                   inst_.name + ": a value needs memory but the canon definition has no realloc");
    }
    Val args[] = {Val::makeI32(oldPtr), Val::makeI32(oldSize), Val::makeI32(align),
                  Val::makeI32(newSize)};
    COMPONO_ASSIGN(std::vector<Val> r, callCore(*opts_.realloc, args));
    if (r.size() != 1 || r[0].type != ValType::kI32) {
      return Error(ErrorCode::kComponent, inst_.name + ": realloc does not return one i32");
    }
    return r[0].i32;
  }

  abi::StringEncoding encoding() const override { return opts_.encoding; }

  Result<uint32_t> lowerOwn(wit::TypeId resource, uint32_t rep) override {
    COMPONO_ASSIGN(ResourceRt * rt, rtOf(resource));
    HandleEntry h;
    h.rep = rep;
    h.own = true;
    return inst_.table(rt).add(std::move(h));
  }

  Result<uint32_t> lowerBorrow(wit::TypeId resource, uint32_t rep) override {
    COMPONO_ASSIGN(ResourceRt * rt, rtOf(resource));
    if (rt->impl == &inst_) return rep;
    if (!task_) return trap("canonical ABI: a borrow handle cannot be lowered here");
    HandleEntry h;
    h.rep = rep;
    h.scope = task_;
    ++task_->borrowCount;
    return inst_.table(rt).add(std::move(h));
  }

  Result<uint32_t> liftOwn(wit::TypeId resource, uint32_t index) override {
    COMPONO_ASSIGN(ResourceRt * rt, rtOf(resource));
    HandleTable& table = inst_.table(rt);
    COMPONO_ASSIGN(HandleEntry * h, table.get(index));
    if (!h->own) {
      return trap("canonical ABI: handle " + std::to_string(index) + " of " + resourceName(rt) +
                  " is a borrow handle where an own handle is expected");
    }
    if (h->lendCount != 0) {
      return trap("canonical ABI: own handle " + std::to_string(index) + " of " +
                  resourceName(rt) + " is still lent out (borrowed by a call in progress)");
    }
    COMPONO_ASSIGN(HandleEntry removed, table.remove(index));
    return removed.rep;
  }

  Result<uint32_t> liftBorrow(wit::TypeId resource, uint32_t index) override {
    COMPONO_ASSIGN(ResourceRt * rt, rtOf(resource));
    HandleTable& table = inst_.table(rt);
    COMPONO_ASSIGN(HandleEntry * h, table.get(index));
    if (h->own && lenders_) {
      ++h->lendCount;
      lenders_->emplace_back(&table, index);
    }
    return h->rep;
  }

 private:
  Result<ResourceRt*> rtOf(wit::TypeId resource) {
    ResourceRt* rt = env_.resource(resource);
    if (!rt) {
      return Error(ErrorCode::kInternal, inst_.name + ": resource type " +
                                             std::to_string(resource) + " is not bound");
    }
    return rt;
  }

  RtInstance& inst_;
  const CanonOpts& opts_;
  const TypeEnv& env_;
  std::shared_ptr<BorrowScope> task_;
  Lenders* lenders_;
};

// Follows forwarding imports to the function that runs.
const ComponentFunc& finalFunc(const ComponentFunc& f) {
  const ComponentFunc* cur = &f;
  for (int i = 0; i < 1000 && cur->kind == ComponentFunc::Kind::kForward && cur->target; ++i) {
    cur = cur->target.get();
  }
  return *cur;
}

Error poison(RtInstance& inst, Error e) {
  if (e.code == ErrorCode::kTrap && inst.poisoned && inst.poisoned->empty()) {
    *inst.poisoned = e.message;
  }
  return e;
}

Result<std::vector<Value>> callLifted(const ComponentFunc& f, std::span<const Value> args) {
  RtInstance& inst = *f.inst;
  if (inst.poisoned && !inst.poisoned->empty()) {
    return Error(ErrorCode::kComponent, inst.name + ": cannot call " + f.debugName +
                                            ": the component instance trapped earlier (" +
                                            *inst.poisoned + ")");
  }
  // CanonicalABI.md canon_lift: no reentrance while the instance is calling out.
  if (!inst.mayEnter) return enterTrap(inst.name);
  const TypeEnv& env = *f.env;
  auto task = std::make_shared<BorrowScope>();
  CallContext cx(inst, f.opts, env, task, nullptr);
  std::vector<Val> flat;
  {
    FlagGuard leave(inst.mayLeave, false);
    auto lowered = abi::lowerValues(cx, env.view, f.sig.paramTypes(), args, abi::kMaxFlatParams);
    if (!lowered.ok()) return poison(inst, std::move(lowered).error());
    flat = std::move(*lowered);
  }
  auto out = callCore(f.core, flat);
  if (!out.ok()) return poison(inst, std::move(out).error());
  auto results = abi::liftValues(cx, env.view, f.sig.resultTypes(), *out, abi::kMaxFlatResults);
  if (!results.ok()) return poison(inst, std::move(results).error());
  if (f.opts.postReturn) {
    auto post = callCore(*f.opts.postReturn, *out);
    if (!post.ok()) return poison(inst, std::move(post).error());
  }
  if (task->borrowCount != 0) {
    return poison(inst, trap("canonical ABI: borrow handles still remain at the end of the call "
                             "to " + f.debugName + " (" + std::to_string(task->borrowCount) +
                             " not dropped)"));
  }
  return results;
}

Result<std::vector<Value>> callHost(const ComponentFunc& f, engine::Store& store,
                                    std::span<const Value> args) {
  std::vector<Value> results;
  HostCall call(store, f.importInterface, f.host->name);
  Status st = f.host->callback(call, args, results);
  if (!st.ok()) {
    Error e = std::move(st).error();
    if (e.code != ErrorCode::kExit) e.context("host function " + f.debugName);
    return e;
  }
  if (results.size() != f.sig.resultTypes().size()) {
    return Error::trapError(TrapCode::kHostError,
                            "host function " + f.debugName + " returned " +
                                std::to_string(results.size()) + " values, its type has " +
                                std::to_string(f.sig.resultTypes().size()));
  }
  if (f.sig.result) {
    Status ok = abi::typeCheck(f.env->view, *f.sig.result, results[0],
                               "host function " + f.debugName + " result");
    if (!ok.ok()) return Error::trapError(TrapCode::kHostError, ok.error().message);
  }
  return results;
}

}  // namespace

Error enterTrap(const std::string& inst) {
  return trap("cannot enter component instance " + inst +
              ": it is already on the call stack (a host function or an import called back into "
              "it)");
}

// ---- core calls -------------------------------------------------------------

Result<std::vector<Val>> callCore(const CoreItem& f, std::span<const Val> args) {
  if (f.ext) {
    const auto* func = std::get_if<engine::Func>(&*f.ext);
    if (!func) return Error(ErrorCode::kComponent, "a core item used as a function is not one");
    return func->call(args);
  }
  if (f.host) {
    std::vector<Val> results;
    for (ValType t : f.host->type.results) results.push_back(Val::zero(t));
    engine::Caller caller(nullptr);  // canon-made functions never use their Caller
    COMPONO_TRY(f.host->callback(caller, args, results));
    return results;
  }
  return Error(ErrorCode::kInternal, "call of an unbound core function");
}

engine::FuncType coreFuncType(const CoreItem& f) {
  if (f.ext) {
    if (const auto* func = std::get_if<engine::Func>(&*f.ext)) return func->type();
  }
  if (f.host) return f.host->type;
  return {};
}

// ---- handle tables ------------------------------------------------------------

Result<uint32_t> HandleTable::add(HandleEntry e) {
  e.live = true;
  if (!free_.empty()) {
    uint32_t i = free_.back();
    free_.pop_back();
    slots_[i] = std::move(e);
    return i;
  }
  if (slots_.size() > kMaxLength) return trap("canonical ABI: handle table is full");
  slots_.push_back(std::move(e));
  return static_cast<uint32_t>(slots_.size() - 1);
}

Result<HandleEntry*> HandleTable::get(uint32_t i) {
  if (i == 0 || i >= slots_.size() || !slots_[i].live) {
    return trap("canonical ABI: unknown handle index " + std::to_string(i));
  }
  return &slots_[i];
}

Result<HandleEntry> HandleTable::remove(uint32_t i) {
  COMPONO_ASSIGN(HandleEntry * h, get(i));
  HandleEntry out = std::move(*h);
  *h = HandleEntry();
  free_.push_back(i);
  return out;
}

size_t HandleTable::liveCount() const {
  size_t n = 0;
  for (const HandleEntry& h : slots_) n += h.live ? 1 : 0;
  return n;
}

// ---- calls --------------------------------------------------------------------

Result<std::vector<Value>> invoke(const ComponentFunc& f, engine::Store& store,
                                  std::span<const Value> args) {
  switch (f.kind) {
    case ComponentFunc::Kind::kForward:
      if (!f.target) break;
      return invoke(*f.target, store, args);
    case ComponentFunc::Kind::kLifted: return callLifted(f, args);
    case ComponentFunc::Kind::kHost: return callHost(f, store, args);
    case ComponentFunc::Kind::kUnbound: break;
  }
  return Error(ErrorCode::kLink, "function " + f.debugName + " is not linked to anything");
}

engine::HostFuncPtr makeLowered(InstPtr inst, FuncPtr callee, CanonOpts opts) {
  auto hf = std::make_shared<engine::HostFunc>();
  const TypeEnv& env = *callee->env;
  std::vector<wit::Type> pts = callee->sig.paramTypes(), rts = callee->sig.resultTypes();
  hf->type = env.view.coreSignature(pts, rts, /*lower=*/true);
  hf->debugName = callee->debugName;
  bool spilled = env.view.flatten(rts).size() > abi::kMaxFlatResults;
  std::weak_ptr<RtInstance> weak = inst;
  hf->callback = [weak, callee, opts = std::move(opts), pts = std::move(pts), rts = std::move(rts),
                  spilled](engine::Caller&, std::span<const Val> args,
                           std::span<Val> results) -> Status {
    InstPtr inst = weak.lock();
    if (!inst) return Error(ErrorCode::kInternal, "call into a destroyed component instance");
    // CanonicalABI.md canon_lower: no calls out while lifting or lowering.
    if (!inst->mayLeave) {
      return trap("cannot leave component instance " + inst->name +
                  " while it lifts or lowers values (a realloc called an import)");
    }
    const ComponentFunc& target = finalFunc(*callee);
    bool callingImport = !(target.kind == ComponentFunc::Kind::kLifted && target.inst == inst);
    FlagGuard enter(inst->mayEnter, false, callingImport);
    const TypeEnv& env = *callee->env;
    std::span<const Val> flatArgs = args;
    std::optional<uint32_t> outPtr;
    if (spilled) {
      outPtr = args.back().i32;
      flatArgs = args.first(args.size() - 1);
    }
    Lenders lenders;
    CallContext cx(*inst, opts, env, nullptr, &lenders);
    auto vals = abi::liftValues(cx, env.view, pts, flatArgs, abi::kMaxFlatParams);
    if (!vals.ok()) {
      releaseLenders(lenders);
      return std::move(vals).error();
    }
    auto res = invoke(*callee, *inst->store, *vals);
    if (!res.ok()) {
      releaseLenders(lenders);
      return std::move(res).error();
    }
    Result<std::vector<Val>> flat = std::vector<Val>();
    {
      FlagGuard leave(inst->mayLeave, false);
      flat = abi::lowerValues(cx, env.view, rts, *res, abi::kMaxFlatResults, outPtr);
    }
    releaseLenders(lenders);
    if (!flat.ok()) return std::move(flat).error();
    if (flat->size() != results.size()) {
      return Error(ErrorCode::kInternal, "canon lower: result count mismatch");
    }
    for (size_t i = 0; i < results.size(); ++i) results[i] = (*flat)[i];
    return okStatus();
  };
  return hf;
}

// ---- resources ----------------------------------------------------------------

Status dropRemoved(const RtInstance* dropper, const ResourcePtr& rt, const HandleEntry& h) {
  if (!h.own) {
    if (h.scope && h.scope->borrowCount > 0) --h.scope->borrowCount;
    return okStatus();
  }
  if (rt->host) {
    if (rt->hostDrop) rt->hostDrop(h.rep);
    return okStatus();
  }
  if (rt->impl != dropper) {
    InstPtr impl = rt->implAlive.lock();
    if (impl && !impl->mayEnter) return enterTrap(impl->name);
  }
  if (rt->dtor) {
    Val arg = Val::makeI32(h.rep);
    COMPONO_ASSIGN(std::vector<Val> r, callCore(*rt->dtor, std::span<const Val>(&arg, 1)));
    (void)r;
  }
  return okStatus();
}

namespace {

engine::HostFuncPtr resourceFunc(const char* what, const ResourcePtr& rt, engine::FuncType type,
                                 engine::HostCallback cb) {
  auto hf = std::make_shared<engine::HostFunc>();
  hf->type = std::move(type);
  hf->debugName = std::string("[") + what + "]" + rt->name;
  hf->callback = std::move(cb);
  return hf;
}

}  // namespace

engine::HostFuncPtr makeResourceNew(InstPtr inst, ResourcePtr rt) {
  std::weak_ptr<RtInstance> weak = inst;
  engine::FuncType t{{ValType::kI32}, {ValType::kI32}};
  return resourceFunc("resource-new", rt, t,
                      [weak, rt](engine::Caller&, std::span<const Val> args,
                                 std::span<Val> results) -> Status {
                        InstPtr inst = weak.lock();
                        if (!inst) return Error(ErrorCode::kInternal, "instance destroyed");
                        HandleEntry h;
                        h.rep = args[0].i32;
                        h.own = true;
                        COMPONO_ASSIGN(uint32_t i, inst->table(rt.get()).add(std::move(h)));
                        results[0] = Val::makeI32(i);
                        return okStatus();
                      });
}

engine::HostFuncPtr makeResourceRep(InstPtr inst, ResourcePtr rt) {
  std::weak_ptr<RtInstance> weak = inst;
  engine::FuncType t{{ValType::kI32}, {ValType::kI32}};
  return resourceFunc("resource-rep", rt, t,
                      [weak, rt](engine::Caller&, std::span<const Val> args,
                                 std::span<Val> results) -> Status {
                        InstPtr inst = weak.lock();
                        if (!inst) return Error(ErrorCode::kInternal, "instance destroyed");
                        COMPONO_ASSIGN(HandleEntry * h, inst->table(rt.get()).get(args[0].i32));
                        results[0] = Val::makeI32(h->rep);
                        return okStatus();
                      });
}

engine::HostFuncPtr makeResourceDrop(InstPtr inst, ResourcePtr rt) {
  std::weak_ptr<RtInstance> weak = inst;
  engine::FuncType t{{ValType::kI32}, {}};
  return resourceFunc(
      "resource-drop", rt, t,
      [weak, rt](engine::Caller&, std::span<const Val> args, std::span<Val>) -> Status {
        InstPtr inst = weak.lock();
        if (!inst) return Error(ErrorCode::kInternal, "instance destroyed");
        HandleTable& table = inst->table(rt.get());
        COMPONO_ASSIGN(HandleEntry * h, table.get(args[0].i32));
        if (h->own && h->lendCount != 0) {
          return trap("canonical ABI: resource.drop of own handle " +
                      std::to_string(args[0].i32) + " of " + resourceName(rt.get()) +
                      " while it is lent out");
        }
        COMPONO_ASSIGN(HandleEntry removed, table.remove(args[0].i32));
        return dropRemoved(inst.get(), rt, removed);
      });
}

}  // namespace compono::component::rt
