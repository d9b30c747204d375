// The interpreter tier, on wabt's interpreter (libwabt.a, wabt::interp).
//
// Guest code runs on a wabt::interp::Thread. Host functions are wrapped in
// wabt HostFuncs that convert values and hand the callback a Caller. A host
// error travels through wabt as a trap while the original Error (with its
// code, exit status and backtrace) waits in StoreState::pendingError.
#include <algorithm>
#include <unordered_map>

#include "compono/engine/module.h"
#include "engine/meter.h"
#include "engine/tier.h"
#include "engine/wabt_features.h"
#include "wabt/binary-reader-ir.h"
#include "wabt/binary-reader.h"
#include "wabt/interp/binary-reader-interp.h"
#include "wabt/interp/interp.h"
#include "wabt/ir.h"

namespace wi = wabt::interp;

// wabt keeps a trap's backtrace and a thread's frame stack private, without
// accessors. Naming a private member in an explicit template instantiation is
// allowed ([temp.spec.general]/6), which gives us read access to exactly these
// two members and nothing else.
namespace compono::engine::internal {
namespace {
template <typename Tag, typename Tag::type Member>
struct PrivateMember {
  friend typename Tag::type privateMember(Tag) { return Member; }
};
struct TrapTraceTag {
  using type = std::vector<wi::Frame> wi::Trap::*;
  friend type privateMember(TrapTraceTag);
};
struct ThreadFramesTag {
  using type = std::vector<wi::Frame> wi::Thread::*;
  friend type privateMember(ThreadFramesTag);
};
template struct PrivateMember<TrapTraceTag, &wi::Trap::trace_>;
template struct PrivateMember<ThreadFramesTag, &wi::Thread::frames_>;

std::vector<wi::Frame>& trapTrace(wi::Trap& t) { return t.*privateMember(TrapTraceTag{}); }
std::vector<wi::Frame>& threadFrames(wi::Thread& t) { return t.*privateMember(ThreadFramesTag{}); }
}  // namespace

// ---------------------------------------------------------------------------
// Conversions

static std::optional<ValType> toValType(wabt::Type t) {
  switch (t) {
    case wabt::Type::I32: return ValType::kI32;
    case wabt::Type::I64: return ValType::kI64;
    case wabt::Type::F32: return ValType::kF32;
    case wabt::Type::F64: return ValType::kF64;
    case wabt::Type::V128: return ValType::kV128;
    case wabt::Type::FuncRef: return ValType::kFuncRef;
    case wabt::Type::ExternRef: return ValType::kExternRef;
    default: return std::nullopt;
  }
}

static wabt::Type toWabtType(ValType t) {
  switch (t) {
    case ValType::kI32: return wabt::Type::I32;
    case ValType::kI64: return wabt::Type::I64;
    case ValType::kF32: return wabt::Type::F32;
    case ValType::kF64: return wabt::Type::F64;
    case ValType::kV128: return wabt::Type::V128;
    case ValType::kFuncRef: return wabt::Type::FuncRef;
    case ValType::kExternRef: return wabt::Type::ExternRef;
  }
  return wabt::Type::I32;
}

static Limits toLimits(const wabt::Limits& l) {
  Limits out;
  out.min = l.initial;
  if (l.has_max) out.max = l.max;
  out.shared = l.is_shared;
  out.is64 = l.is_64;
  return out;
}

static wabt::Limits toWabtLimits(const Limits& l) {
  wabt::Limits out(l.min);
  if (l.max) {
    out.max = *l.max;
    out.has_max = true;
  }
  out.is_shared = l.shared;
  out.is_64 = l.is64;
  return out;
}

static FuncType toFuncType(const wi::FuncType& ft) {
  FuncType out;
  for (auto t : ft.params) out.params.push_back(toValType(t).value_or(ValType::kExternRef));
  for (auto t : ft.results) out.results.push_back(toValType(t).value_or(ValType::kExternRef));
  return out;
}

static wi::FuncType toWabtFuncType(const FuncType& ft) {
  wi::ValueTypes params, results;
  for (auto t : ft.params) params.push_back(toWabtType(t));
  for (auto t : ft.results) results.push_back(toWabtType(t));
  return wi::FuncType(params, results);
}

static ExternType toExternType(const wi::ExternType& t) {
  ExternType out;
  switch (t.kind) {
    case wabt::ExternalKind::Func:
      out.kind = ExternKind::kFunc;
      out.func = toFuncType(static_cast<const wi::FuncType&>(t));
      break;
    case wabt::ExternalKind::Table: {
      auto& tt = static_cast<const wi::TableType&>(t);
      out.kind = ExternKind::kTable;
      out.table.element = toValType(tt.element).value_or(ValType::kFuncRef);
      out.table.limits = toLimits(tt.limits);
      break;
    }
    case wabt::ExternalKind::Memory:
      out.kind = ExternKind::kMemory;
      out.memory.limits = toLimits(static_cast<const wi::MemoryType&>(t).limits);
      break;
    case wabt::ExternalKind::Global: {
      auto& gt = static_cast<const wi::GlobalType&>(t);
      out.kind = ExternKind::kGlobal;
      out.global.type = toValType(gt.type).value_or(ValType::kExternRef);
      out.global.mutable_ = gt.mut == wi::Mutability::Var;
      break;
    }
    case wabt::ExternalKind::Tag:
      out.kind = ExternKind::kTag;
      for (auto p : static_cast<const wi::TagType&>(t).signature) {
        out.func.params.push_back(toValType(p).value_or(ValType::kExternRef));
      }
      break;
  }
  return out;
}

// Numbers and vectors; references go through InterpStore::toWabt/fromWabt,
// which map them to objects of the wabt store.
static wi::Value toValue(const Val& v) {
  switch (v.type) {
    case ValType::kI32: return wi::Value::Make(v.i32);
    case ValType::kI64: return wi::Value::Make(v.i64);
    case ValType::kF32: return wi::Value::Make(v.f32);
    case ValType::kF64: return wi::Value::Make(v.f64);
    case ValType::kV128: {
      v128 x;
      std::memcpy(&x, v.v128.bytes, 16);
      return wi::Value::Make(x);
    }
    case ValType::kFuncRef:
    case ValType::kExternRef:
      return wi::Value::Make(v.ref.null ? wi::Ref::Null : wi::Ref(static_cast<size_t>(v.ref.bits)));
  }
  return wi::Value();
}

static Val fromValue(ValType t, const wi::Value& v) {
  switch (t) {
    case ValType::kI32: return Val::makeI32(v.Get<uint32_t>());
    case ValType::kI64: return Val::makeI64(v.Get<uint64_t>());
    case ValType::kF32: return Val::makeF32(v.Get<float>());
    case ValType::kF64: return Val::makeF64(v.Get<double>());
    case ValType::kV128: {
      v128 x = v.Get<v128>();
      V128 out;
      std::memcpy(out.bytes, &x, 16);
      return Val::makeV128(out);
    }
    case ValType::kFuncRef:
    case ValType::kExternRef: {
      wi::Ref r = v.Get<wi::Ref>();
      return Val::makeRef(t, r == wi::Ref::Null ? RefVal{} : RefVal{false, r.index});
    }
  }
  return Val();
}

// ---------------------------------------------------------------------------
// Loading

namespace {

class InterpModule : public TierModule {
 public:
  wi::ModuleDesc desc;
  MeteredModule meter;  // index mapping (identity when not metered)
};

std::string formatWabtError(const wabt::Errors& errors, const std::string& name) {
  if (errors.empty()) return name + ": invalid module";
  const wabt::Error& e = errors.front();
  char buf[48];
  snprintf(buf, sizeof buf, ": offset 0x%zx: ", e.loc.offset);
  return name + buf + e.message;
}

Result<wi::ModuleDesc> decode(std::span<const uint8_t> bytes, const std::string& name) {
  wabt::Errors errors;
  wabt::ReadBinaryOptions options(wabtFeatures(), nullptr, /*read_debug_names=*/false,
                                  /*stop_on_first_error=*/true,
                                  /*fail_on_custom_section_error=*/false);
  wi::ModuleDesc desc;
  if (wabt::Succeeded(wi::ReadBinaryInterp(name, bytes.data(), bytes.size(), options, &errors, &desc))) {
    return desc;
  }
  // Tell malformed from invalid: the IR reader decodes without validating.
  wabt::Module ir;
  wabt::Errors irErrors;
  bool decodes = wabt::Succeeded(
      wabt::ReadBinaryIr(name.c_str(), bytes.data(), bytes.size(), options, &irErrors, &ir));
  if (!decodes) return Error(ErrorCode::kDecode, formatWabtError(irErrors, name));
  return Error(ErrorCode::kValidate, formatWabtError(errors, name));
}

}  // namespace

Result<std::shared_ptr<const TierModule>> interpLoad(const Module& module, ModuleInfo* info) {
  COMPONO_ASSIGN(wi::ModuleDesc desc, decode(module.bytes(), module.name()));
  auto m = std::make_shared<InterpModule>();
  m->desc = std::move(desc);
  for (auto& imp : m->desc.imports) {
    if (imp.type.type->kind == wabt::ExternalKind::Func) m->meter.originalFuncImports++;
  }
  if (info) {
    for (auto& imp : m->desc.imports) {
      ImportType it{imp.type.module, imp.type.name, toExternType(*imp.type.type)};
      info->imports.push_back(std::move(it));
    }
    info->importedFuncs = m->meter.originalFuncImports;
    info->definedFuncs = static_cast<uint32_t>(m->desc.funcs.size());
    for (auto& ex : m->desc.exports) {
      info->exports.push_back(ExportType{ex.type.name, toExternType(*ex.type.type)});
      if (ex.type.type->kind == wabt::ExternalKind::Func && !info->funcNames.count(ex.index)) {
        info->funcNames[ex.index] = ex.type.name;
      }
    }
    for (auto& mem : m->desc.memories) info->memories.push_back(MemoryType{toLimits(mem.type.limits)});
    for (auto& t : m->desc.tables) {
      info->tables.push_back(
          TableType{toValType(t.type.element).value_or(ValType::kFuncRef), toLimits(t.type.limits)});
    }
    for (auto& g : m->desc.globals) {
      info->globals.push_back(GlobalType{toValType(g.type.type).value_or(ValType::kExternRef),
                                         g.type.mut == wi::Mutability::Var});
    }
    info->dataSegments = static_cast<uint32_t>(m->desc.datas.size());
    info->elemSegments = static_cast<uint32_t>(m->desc.elems.size());
    if (!m->desc.starts.empty()) info->startFunc = m->desc.starts.front().func_index;
  }
  return std::shared_ptr<const TierModule>(std::move(m));
}

static Result<std::shared_ptr<const InterpModule>> compiledFor(const Module& module,
                                                               const MeterConfig& meter) {
  COMPONO_ASSIGN(auto tm, module.compiled().getOrCreate(
                              kTierInterp, meter, [&]() -> Result<std::shared_ptr<const TierModule>> {
                                if (!meter.any()) return interpLoad(module, nullptr);
                                COMPONO_ASSIGN(MeteredModule metered,
                                               meterModule(module.bytes(), meter, module.name()));
                                Result<wi::ModuleDesc> desc = decode(metered.bytes, module.name());
                                if (!desc.ok()) {
                                  return Error(ErrorCode::kInternal,
                                               "metering produced an invalid module: " +
                                                   desc.error().message);
                                }
                                auto m = std::make_shared<InterpModule>();
                                m->desc = std::move(*desc);
                                metered.bytes.clear();
                                m->meter = std::move(metered);
                                return std::shared_ptr<const TierModule>(std::move(m));
                              }));
  return std::static_pointer_cast<const InterpModule>(tm);
}

// ---------------------------------------------------------------------------
// The store

namespace {

class InterpStore;

struct InstanceInfo {
  std::shared_ptr<const Module> module;
  std::shared_ptr<const InterpModule> compiled;
};

class InterpCaller : public CallerImpl {
 public:
  InterpCaller(InterpStore& s, wi::Instance* inst) : s_(s), inst_(inst) {}
  Store& store() override;
  GuestMemory memory() override;
  std::optional<Extern> getExport(std::string_view name) override;

 private:
  InterpStore& s_;
  wi::Instance* inst_;
};

TrapCode classifyTrap(const std::string& msg) {
  struct {
    const char* text;
    TrapCode code;
  } static const kTable[] = {
      {"integer divide by zero", TrapCode::kIntegerDivideByZero},
      {"integer overflow", TrapCode::kIntegerOverflow},
      {"invalid conversion", TrapCode::kInvalidConversion},
      {"unreachable", TrapCode::kUnreachable},
      {"call stack exhausted", TrapCode::kCallStackExhausted},
      {"out of bounds memory access", TrapCode::kMemoryOutOfBounds},
      {"out of bounds table access", TrapCode::kTableOutOfBounds},
      {"undefined table index", TrapCode::kTableOutOfBounds},
      {"uninitialized table element", TrapCode::kIndirectCallNull},
      {"null function reference", TrapCode::kIndirectCallNull},
      {"indirect call signature mismatch", TrapCode::kIndirectCallTypeMismatch},
      {"null reference", TrapCode::kNullReference},
      {"uncaught exception", TrapCode::kUncaughtException},
  };
  for (auto& e : kTable) {
    if (msg.find(e.text) != std::string::npos) return e.code;
  }
  return TrapCode::kOther;
}

// The same wording on every tier (the AOT tier maps its trap codes to these).
std::string trapText(TrapCode code, const std::string& detail) {
  switch (code) {
    case TrapCode::kUnreachable: return "wasm trap: unreachable executed";
    case TrapCode::kMemoryOutOfBounds: return "wasm trap: out of bounds memory access";
    case TrapCode::kTableOutOfBounds: return "wasm trap: out of bounds table access";
    case TrapCode::kIndirectCallNull: return "wasm trap: uninitialized element (null function in indirect call)";
    case TrapCode::kIndirectCallTypeMismatch: return "wasm trap: indirect call type mismatch";
    case TrapCode::kIntegerDivideByZero: return "wasm trap: integer divide by zero";
    case TrapCode::kIntegerOverflow: return "wasm trap: integer overflow";
    case TrapCode::kInvalidConversion: return "wasm trap: invalid conversion to integer";
    case TrapCode::kNullReference: return "wasm trap: null reference";
    case TrapCode::kCallStackExhausted: return "wasm trap: call stack exhausted";
    case TrapCode::kUncaughtException: return "wasm trap: uncaught exception";
    default: return "wasm trap: " + detail;
  }
}

class InterpStore : public TierStore {
 public:
  explicit InterpStore(Store& store)
      : owner_(store), state_(store.state()), store_(wabtFeatures()) {}

  Store& owner() { return owner_; }
  wi::Store& wstore() { return store_; }

  // ---- instances -----------------------------------------------------------

  Result<Handle> instantiate(std::shared_ptr<const Module> module,
                             std::span<const ResolvedImport> imports) override {
    COMPONO_ASSIGN(auto compiled, compiledFor(*module, state_.meter));
    COMPONO_TRY(checkInitialLimits(*module));

    wi::ModuleDesc desc = compiled->desc;
    std::optional<uint32_t> start;
    if (!desc.starts.empty()) start = desc.starts.front().func_index;
    desc.starts.clear();  // we run start ourselves, under our limits and thread
    wi::Module::Ptr wmod = wi::Module::New(store_, std::move(desc));

    wi::RefVec refs;
    for (const ResolvedImport& imp : imports) {
      if (imp.host) {
        COMPONO_ASSIGN(Handle h, newHostFunc(imp.host));
        refs.push_back(wi::Ref(h));
      } else {
        refs.push_back(wi::Ref(std::visit([](const auto& e) { return e.handle(); }, *imp.ext)));
      }
    }
    const MeteredModule& mm = compiled->meter;
    if (state_.meter.any()) {
      COMPONO_TRY(ensureMeterObjects());
      // Hooks in the order the metering pass added them.
      std::vector<std::pair<int, wi::Ref>> hooks = {
          {mm.importFuel, fuelGlobal_.ref()},        {mm.importOutOfFuel, outOfFuel_.ref()},
          {mm.importDepth, depthGlobal_.ref()},      {mm.importStackExhausted, stackHook_.ref()},
          {mm.importMemoryGrow, memGrowHook_.ref()}, {mm.importTableGrow, tableGrowHook_.ref()}};
      std::sort(hooks.begin(), hooks.end(), [](auto& a, auto& b) { return a.first < b.first; });
      for (auto& [index, ref] : hooks) {
        if (index >= 0) refs.push_back(ref);
      }
    }

    wi::Trap::Ptr trap;
    wi::Instance::Ptr inst = wi::Instance::Instantiate(store_, wmod.ref(), refs, &trap);
    if (!inst) {
      std::string msg = trap ? trap->message() : std::string("unknown error");
      Error e(ErrorCode::kInstantiate, module->name() + ": instantiation failed: " + msg);
      e.trap = classifyTrap(msg);
      return e;
    }
    instances_[inst.get()] = InstanceInfo{module, compiled};
    Handle h = inst.ref().index;
    if (start) {
      wi::Ref fn = inst->funcs()[*start];
      COMPONO_TRY(state_.enterGuest());
      std::vector<Val> none;
      Status s = call(fn.index, {}, none);
      state_.leaveGuest();
      if (!s.ok()) return std::move(s).error();
    }
    return h;
  }

  Status checkInitialLimits(const Module& module) {
    const ModuleInfo& info = module.info();
    if (state_.limits.maxMemoryBytes) {
      for (const MemoryType& m : info.memories) {
        if (m.limits.min > *state_.limits.maxMemoryBytes / kWasmPageSize) {
          return Error::trapError(
              TrapCode::kMemoryLimit,
              module.name() + ": memory limit exceeded: the module's memory starts at " +
                  std::to_string(m.limits.min) + " pages (" +
                  std::to_string(m.limits.min * kWasmPageSize) + " bytes), over --max-memory " +
                  std::to_string(*state_.limits.maxMemoryBytes) + " bytes");
        }
      }
    }
    if (state_.limits.maxTableElements) {
      for (const TableType& t : info.tables) {
        if (t.limits.min > *state_.limits.maxTableElements) {
          return Error::trapError(TrapCode::kTableLimit,
                                  module.name() + ": table limit exceeded: a table starts at " +
                                      std::to_string(t.limits.min) +
                                      " elements, over --max-table-elements " +
                                      std::to_string(*state_.limits.maxTableElements));
        }
      }
    }
    return okStatus();
  }

  std::vector<ExportEntry> instanceExports(Handle instance) override {
    std::vector<ExportEntry> out;
    auto inst = store_.UnsafeGet<wi::Instance>(wi::Ref(instance));
    auto mod = store_.UnsafeGet<wi::Module>(inst->module());
    const auto& types = mod->export_types();
    for (size_t i = 0; i < types.size(); ++i) {
      ExportEntry e;
      e.name = types[i].name;
      e.kind = toExternType(*types[i].type).kind;
      e.handle = inst->exports()[i].index;
      out.push_back(std::move(e));
    }
    return out;
  }

  // ---- calls ---------------------------------------------------------------

  Status call(Handle func, std::span<const Val> args, std::vector<Val>& results) override {
    wi::Func::Ptr f = store_.UnsafeGet<wi::Func>(wi::Ref(func));
    const wi::FuncType& ft = f->type();
    wi::Values params;
    params.reserve(args.size());
    for (const Val& a : args) {
      COMPONO_ASSIGN(wi::Value v, toWabt(a));
      params.push_back(v);
    }
    wi::Values out;
    wi::Trap::Ptr trap;
    wabt::Result r;
    if (thread_) {
      r = f->Call(*thread_, params, out, &trap);
    } else {
      wi::Thread thread(store_);
      auto& frames = threadFrames(thread);
      // The metering pass enforces the depth limit (StoreState::callDepthLimit);
      // wabt's own frame limit must never be reached, so leave room for host
      // frames above it.
      frames.reserve(static_cast<size_t>(state_.callDepthLimit) * 2 + 64);
      thread_ = &thread;
      r = f->Call(thread, params, out, &trap);
      thread_ = nullptr;
    }
    if (wabt::Failed(r)) return trapToError(trap);
    results.clear();
    for (size_t i = 0; i < ft.results.size(); ++i) {
      results.push_back(fromWabt(toValType(ft.results[i]).value_or(ValType::kExternRef), out[i]));
    }
    return okStatus();
  }

  Error trapToError(const wi::Trap::Ptr& trap) {
    if (state_.pendingError) {
      Error e = std::move(*state_.pendingError);
      state_.pendingError.reset();
      return e;
    }
    std::string msg = trap ? trap->message() : std::string("unknown trap");
    TrapCode code = classifyTrap(msg);
    Error e = Error::trapError(code, trapText(code, msg));
    if (trap) e.backtrace = backtrace(trapTrace(*trap));
    return e;
  }

  std::vector<Frame> backtrace(const std::vector<wi::Frame>& frames) {
    std::vector<Frame> out;
    for (auto it = frames.rbegin(); it != frames.rend(); ++it) {
      if (!it->inst) continue;  // host frame
      auto found = instances_.find(it->inst);
      if (found == instances_.end()) continue;
      const auto& funcs = it->inst->funcs();
      auto pos = std::find(funcs.begin(), funcs.end(), it->func);
      if (pos == funcs.end()) continue;
      uint32_t idx = originalFuncIndex(found->second.compiled->meter,
                                       static_cast<uint32_t>(pos - funcs.begin()));
      if (idx == UINT32_MAX) continue;
      Frame f;
      f.module = found->second.module->info().name.empty() ? found->second.module->name()
                                                           : found->second.module->info().name;
      f.funcIndex = idx;
      f.funcName = found->second.module->funcName(idx);
      out.push_back(std::move(f));
      if (out.size() >= 4096) break;
    }
    return out;
  }

  // Records a host error so it survives wabt's unwinding, with the guest
  // frames that led to it.
  wabt::Result failFromHost(wi::Thread& thread, Error e, wi::Trap::Ptr* out_trap) {
    if (e.code != ErrorCode::kTrap && e.code != ErrorCode::kExit) {
      TrapCode t = TrapCode::kHostError;
      e.code = ErrorCode::kTrap;
      e.trap = t;
    }
    if (e.backtrace.empty() && e.code == ErrorCode::kTrap) e.backtrace = backtrace(threadFrames(thread));
    if (!state_.pendingError) state_.pendingError = e;
    *out_trap = wi::Trap::New(store_, e.message);
    return wabt::Result::Error;
  }

  FuncType funcType(Handle func) override {
    return toFuncType(store_.UnsafeGet<wi::Func>(wi::Ref(func))->type());
  }

  // ---- host functions ------------------------------------------------------

  Result<Handle> newHostFunc(HostFuncPtr hf) override {
    auto it = hostFuncs_.find(hf.get());
    if (it != hostFuncs_.end()) return it->second;
    auto fn = wi::HostFunc::New(
        store_, toWabtFuncType(hf->type),
        [this, hf](wi::Thread& thread, const wi::Values& params, wi::Values& results,
                   wi::Trap::Ptr* out_trap) -> wabt::Result {
          std::vector<Val> args;
          args.reserve(params.size());
          for (size_t i = 0; i < params.size(); ++i) {
            args.push_back(fromWabt(hf->type.params[i], params[i]));
          }
          std::vector<Val> res;
          for (ValType t : hf->type.results) res.push_back(Val::zero(t));
          InterpCaller impl(*this, thread.GetCallerInstance());
          Caller caller(&impl);
          wi::Thread* saved = thread_;
          thread_ = &thread;
          Status s = hf->callback(caller, args, res);
          thread_ = saved;
          if (!s.ok()) return failFromHost(thread, std::move(s).error(), out_trap);
          results.resize(res.size());
          for (size_t i = 0; i < res.size(); ++i) {
            Result<wi::Value> v = toWabt(res[i]);
            if (!v.ok()) return failFromHost(thread, std::move(v).error(), out_trap);
            results[i] = *v;
          }
          return wabt::Result::Ok;
        });
    hostKeep_.push_back(hf);
    hostFuncs_[hf.get()] = fn.ref().index;
    return fn.ref().index;
  }

  // ---- memories, tables, globals ------------------------------------------

  MemoryType memoryType(Handle h) override {
    return MemoryType{toLimits(store_.UnsafeGet<wi::Memory>(wi::Ref(h))->type().limits)};
  }
  uint8_t* memoryData(Handle h) override { return store_.UnsafeGet<wi::Memory>(wi::Ref(h))->UnsafeData(); }
  uint64_t memorySize(Handle h) override { return store_.UnsafeGet<wi::Memory>(wi::Ref(h))->ByteSize(); }
  Result<uint64_t> memoryGrow(Handle h, uint64_t delta) override {
    auto m = store_.UnsafeGet<wi::Memory>(wi::Ref(h));
    uint64_t old = m->PageSize();
    if (state_.limits.maxMemoryBytes) COMPONO_TRY(state_.onMemoryGrow(old, delta));
    if (wabt::Failed(m->Grow(delta))) {
      return Error(ErrorCode::kUsage, "memory.grow by " + std::to_string(delta) +
                                          " pages fails: over the memory's maximum");
    }
    return old;
  }

  TableType tableType(Handle h) override {
    auto& t = store_.UnsafeGet<wi::Table>(wi::Ref(h))->type();
    return TableType{toValType(t.element).value_or(ValType::kFuncRef), toLimits(t.limits)};
  }
  uint64_t tableSize(Handle h) override { return store_.UnsafeGet<wi::Table>(wi::Ref(h))->size(); }
  Result<Val> tableGet(Handle h, uint64_t index) override {
    auto t = store_.UnsafeGet<wi::Table>(wi::Ref(h));
    wi::Ref r;
    if (index > UINT32_MAX || wabt::Failed(t->Get(static_cast<uint32_t>(index), &r))) {
      return Error::trapError(TrapCode::kTableOutOfBounds, "table index out of bounds");
    }
    ValType vt = toValType(t->type().element).value_or(ValType::kFuncRef);
    return fromWabt(vt, wi::Value::Make(r));
  }
  Status tableSet(Handle h, uint64_t index, const Val& v) override {
    auto t = store_.UnsafeGet<wi::Table>(wi::Ref(h));
    ValType element = toValType(t->type().element).value_or(ValType::kFuncRef);
    if (v.type != element) {
      return Error(ErrorCode::kUsage, std::string("table.set: the table holds ") +
                                          valTypeName(element) + ", got " + valTypeName(v.type));
    }
    COMPONO_ASSIGN(wi::Value wv, toWabt(v));
    if (index > UINT32_MAX ||
        wabt::Failed(t->Set(store_, static_cast<uint32_t>(index), wv.Get<wi::Ref>()))) {
      return Error::trapError(TrapCode::kTableOutOfBounds, "table index out of bounds");
    }
    return okStatus();
  }
  Result<uint64_t> tableGrow(Handle h, uint64_t delta, const Val& init) override {
    auto t = store_.UnsafeGet<wi::Table>(wi::Ref(h));
    uint64_t old = t->size();
    if (state_.limits.maxTableElements) COMPONO_TRY(state_.onTableGrow(old, delta));
    COMPONO_ASSIGN(wi::Value wv, toWabt(init));
    if (init.type != toValType(t->type().element)) {
      return Error(ErrorCode::kUsage, "table.grow: the initial value has the wrong type");
    }
    if (delta > UINT32_MAX ||
        wabt::Failed(t->Grow(store_, static_cast<uint32_t>(delta), wv.Get<wi::Ref>()))) {
      return Error(ErrorCode::kUsage, "table.grow fails: over the table's maximum");
    }
    return old;
  }

  GlobalType globalType(Handle h) override {
    auto& t = store_.UnsafeGet<wi::Global>(wi::Ref(h))->type();
    return GlobalType{toValType(t.type).value_or(ValType::kExternRef), t.mut == wi::Mutability::Var};
  }
  Val globalGet(Handle h) override {
    auto g = store_.UnsafeGet<wi::Global>(wi::Ref(h));
    return fromWabt(toValType(g->type().type).value_or(ValType::kExternRef), g->Get());
  }
  Status globalSet(Handle h, const Val& v) override {
    auto g = store_.UnsafeGet<wi::Global>(wi::Ref(h));
    if (g->type().mut != wi::Mutability::Var) return Error(ErrorCode::kUsage, "global is immutable");
    ValType type = toValType(g->type().type).value_or(ValType::kI32);
    if (v.type != type) {
      return Error(ErrorCode::kUsage, std::string("global.set: the global holds ") +
                                          valTypeName(type) + ", got " + valTypeName(v.type));
    }
    COMPONO_ASSIGN(wi::Value wv, toWabt(v));
    g->UnsafeSet(wv);
    return okStatus();
  }

  Result<Handle> newMemory(const MemoryType& type) override {
    return wi::Memory::New(store_, wi::MemoryType(toWabtLimits(type.limits))).ref().index;
  }
  Result<Handle> newTable(const TableType& type, const Val& init) override {
    auto t = wi::Table::New(store_, wi::TableType(toWabtType(type.element), toWabtLimits(type.limits)));
    COMPONO_ASSIGN(wi::Value wv, toWabt(init));
    wi::Ref r = wv.Get<wi::Ref>();
    if (r != wi::Ref::Null) t->Fill(store_, 0, r, t->size());
    return t.ref().index;
  }
  Result<Handle> newGlobal(const GlobalType& type, const Val& init) override {
    if (init.type != type.type) {
      return Error(ErrorCode::kUsage, std::string("global of type ") + valTypeName(type.type) +
                                          " initialised with " + valTypeName(init.type));
    }
    COMPONO_ASSIGN(wi::Value wv, toWabt(init));
    return wi::Global::New(store_,
                           wi::GlobalType(toWabtType(type.type),
                                          type.mutable_ ? wi::Mutability::Var : wi::Mutability::Const),
                           wv)
        .ref()
        .index;
  }

  // ---- metering ------------------------------------------------------------

  int64_t fuelCounter() override { return fuelGlobal_ ? static_cast<int64_t>(fuelGlobal_->Get().Get<uint64_t>()) : 0; }
  void setFuelCounter(int64_t v) override {
    if (fuelGlobal_) fuelGlobal_->UnsafeSet(wi::Value::Make(static_cast<uint64_t>(v)));
  }
  void setDepthCounter(int32_t v) override {
    if (depthGlobal_) depthGlobal_->UnsafeSet(wi::Value::Make(static_cast<uint32_t>(v)));
  }

  Status ensureMeterObjects() {
    if (meterReady_) return okStatus();
    meterReady_ = true;
    fuelGlobal_ = wi::Global::New(store_, wi::GlobalType(wabt::Type::I64, wi::Mutability::Var),
                                  wi::Value::Make(uint64_t{0}));
    depthGlobal_ = wi::Global::New(store_, wi::GlobalType(wabt::Type::I32, wi::Mutability::Var),
                                   wi::Value::Make(uint32_t{0}));
    auto hook = [this](wi::ValueTypes params, auto fn) {
      return wi::HostFunc::New(store_, wi::FuncType(std::move(params), {}),
                               [this, fn](wi::Thread& thread, const wi::Values& args, wi::Values&,
                                          wi::Trap::Ptr* out_trap) -> wabt::Result {
                                 Status s = fn(args);
                                 if (!s.ok()) return failFromHost(thread, std::move(s).error(), out_trap);
                                 return wabt::Result::Ok;
                               });
    };
    outOfFuel_ = hook({}, [this](const wi::Values&) { return state_.onOutOfFuel(); });
    stackHook_ = hook({}, [this](const wi::Values&) { return state_.onStackExhausted(); });
    memGrowHook_ = hook({wabt::Type::I64, wabt::Type::I64, wabt::Type::I32}, [this](const wi::Values& a) {
      return state_.onMemoryGrow(a[0].Get<uint64_t>(), a[1].Get<uint64_t>());
    });
    tableGrowHook_ = hook({wabt::Type::I32, wabt::Type::I32, wabt::Type::I32}, [this](const wi::Values& a) {
      return state_.onTableGrow(a[0].Get<uint32_t>(), a[1].Get<uint32_t>());
    });
    return okStatus();
  }

  // Host values into wabt values. wabt requires every non-null reference to
  // be a live object of its store (Table::Set/Grow/Fill assert it), so an
  // externref payload becomes a Foreign object of this store (one per
  // distinct payload, kept for the store's lifetime), and a funcref must be a
  // function of this store.
  Result<wi::Value> toWabt(const Val& v) {
    if (v.type == ValType::kExternRef && !v.ref.null) {
      auto it = externRefs_.find(v.ref.bits);
      if (it != externRefs_.end()) return wi::Value::Make(it->second);
      wi::Foreign::Ptr f = wi::Foreign::New(store_, nullptr);
      wi::Ref r = f.ref();
      foreigns_.push_back(std::move(f));
      externRefs_.emplace(v.ref.bits, r);
      externPayloads_.emplace(r.index, v.ref.bits);
      return wi::Value::Make(r);
    }
    if (v.type == ValType::kFuncRef && !v.ref.null &&
        !store_.HasValueType(wi::Ref(static_cast<size_t>(v.ref.bits)), wabt::Type::FuncRef)) {
      return Error(ErrorCode::kUsage, "funcref value does not name a function of this store");
    }
    return toValue(v);
  }

  Val fromWabt(ValType t, const wi::Value& v) {
    if (t == ValType::kExternRef) {
      wi::Ref r = v.Get<wi::Ref>();
      if (r == wi::Ref::Null) return Val::makeRef(t, RefVal{});
      auto it = externPayloads_.find(r.index);
      // Only the host makes externrefs (core wasm 2.0 cannot), so the
      // payload is always known.
      return Val::makeRef(t, RefVal{false, it != externPayloads_.end() ? it->second : r.index});
    }
    return fromValue(t, v);
  }

  const InstanceInfo* instanceInfo(wi::Instance* inst) {
    auto it = instances_.find(inst);
    return it == instances_.end() ? nullptr : &it->second;
  }

 private:
  Store& owner_;
  StoreState& state_;
  wi::Store store_;
  wi::Thread* thread_ = nullptr;  // the thread guest code runs on, if any
  std::unordered_map<wi::Instance*, InstanceInfo> instances_;
  std::unordered_map<const HostFunc*, Handle> hostFuncs_;
  std::vector<HostFuncPtr> hostKeep_;
  std::unordered_map<uint64_t, wi::Ref> externRefs_;         // externref payload -> Foreign
  std::unordered_map<size_t, uint64_t> externPayloads_;      // Foreign index -> payload
  std::vector<wi::Foreign::Ptr> foreigns_;                   // keeps them rooted
  bool meterReady_ = false;
  wi::Global::Ptr fuelGlobal_, depthGlobal_;
  wi::HostFunc::Ptr outOfFuel_, stackHook_, memGrowHook_, tableGrowHook_;
};

Store& InterpCaller::store() { return s_.owner(); }

GuestMemory InterpCaller::memory() {
  if (!inst_) return GuestMemory();
  auto e = getExport("memory");
  if (!e || !std::holds_alternative<Memory>(*e)) return GuestMemory();
  const Memory& m = std::get<Memory>(*e);
  return GuestMemory(m.data(), m.size());
}

std::optional<Extern> InterpCaller::getExport(std::string_view name) {
  if (!inst_) return std::nullopt;
  for (auto& e : s_.instanceExports(inst_->self().index)) {
    if (e.name != name) continue;
    Store* st = &s_.owner();
    switch (e.kind) {
      case ExternKind::kFunc: return Func(st, e.handle);
      case ExternKind::kTable: return Table(st, e.handle);
      case ExternKind::kMemory: return Memory(st, e.handle);
      case ExternKind::kGlobal: return Global(st, e.handle);
      default: return std::nullopt;
    }
  }
  return std::nullopt;
}

}  // namespace

std::unique_ptr<TierStore> newInterpStore(Store& store) { return std::make_unique<InterpStore>(store); }

}  // namespace compono::engine::internal

namespace compono::engine {

Store& Caller::store() const { return impl_->store(); }
GuestMemory Caller::memory() const { return impl_->memory(); }
std::optional<Extern> Caller::getExport(std::string_view name) const { return impl_->getExport(name); }
void* Caller::data() const { return impl_->store().data(); }

}  // namespace compono::engine
