// The native tier: modules translated by wasm2c, compiled by the system C
// compiler, cached by content hash and loaded with dlopen. Host functions are
// the same HostFunc definitions the interpreter uses; generated glue forwards
// every import to AotStore::hostCall.
#include <dlfcn.h>
#include <elf.h>
#include <link.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>

#include "compono/engine/module.h"
#include "compono/engine/native.h"
#include "engine/aot/aot_runtime.h"
#include "engine/aot/cache.h"
#include "engine/aot/cgen.h"
#include "engine/aot/compiler.h"
#include "engine/meter.h"
#include "engine/tier.h"
#include "wasm-rt.h"

namespace compono::engine::internal {

namespace {

using aot::Slot;

constexpr int kHostTrap = 100;
constexpr int kTableOob = 101;
constexpr int kUndefinedElement = 102;
constexpr int kUninitializedElement = 103;
// Native stack a host function may use when called from guest code.
constexpr size_t kHostStackReserve = 256 * 1024;

struct GlueExport {
  const char* name;
  uint32_t nameLen;
  uint32_t kind;
  void* fn;
  uint32_t funcIndex;  // for function exports: the wasm function index
};

// Must match compono_env in the generated glue (cgen.cpp).
struct GlueEnv {
  int (*hostCall)(void* ctx, uint32_t importIndex, Slot* slots);
  void* ctx;
  void** objects;
};

class AotModule : public TierModule {
 public:
  ~AotModule() override {
    if (dl) dlclose(dl);
  }
  void* dl = nullptr;
  size_t instanceSize = 0;
  const GlueExport* exports = nullptr;
  uint32_t exportCount = 0;
  // For each glue export, the index of the module export it is (-1: not an
  // export of the module, e.g. the start function's invoker).
  std::vector<int32_t> exportIndex;
  void (*instantiateFn)(void*, Slot*) = nullptr;
  void (*freeFn)(void*) = nullptr;
  int (*exportFuncref)(void*, uint32_t, wasm_rt_funcref_t*) = nullptr;
  MeteredModule meter;
  // Address ranges of the wasm functions (sorted by start), for backtraces.
  struct FuncRange {
    uintptr_t start, end;
    uint32_t index;  // in the (metered) module's function index space
    bool wrapper;    // an export wrapper/invoker standing for function `index`
  };
  std::vector<FuncRange> funcs;
  std::string path;
};

template <typename T>
Result<T> sym(void* dl, const char* name, const std::string& path) {
  void* p = dlsym(dl, name);
  if (!p) return Error(ErrorCode::kInternal, path + ": native artifact lacks " + name);
  return reinterpret_cast<T>(p);
}

// Reads the ELF symbol table of the loaded artifact: every w2c_f<N> (hidden,
// so not in the dynamic symbol table) with its address range.
Status readFunctionSymbols(AotModule& m) {
  std::ifstream in(m.path, std::ios::binary);
  std::vector<char> file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto bad = [&]() { return Error(ErrorCode::kInternal, m.path + ": unreadable ELF symbol table"); };
  if (file.size() < sizeof(Elf64_Ehdr)) return bad();
  Elf64_Ehdr eh;
  std::memcpy(&eh, file.data(), sizeof eh);
  if (std::memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 || eh.e_ident[EI_CLASS] != ELFCLASS64) return bad();
  if (eh.e_shoff == 0 || eh.e_shentsize != sizeof(Elf64_Shdr) ||
      eh.e_shoff + static_cast<uint64_t>(eh.e_shnum) * sizeof(Elf64_Shdr) > file.size()) {
    return bad();
  }
  std::vector<Elf64_Shdr> sh(eh.e_shnum);
  std::memcpy(sh.data(), file.data() + eh.e_shoff, eh.e_shnum * sizeof(Elf64_Shdr));
  // The load base: where the first function we can name really is.
  Dl_info info;
  void* any = dlsym(m.dl, "compono_instantiate");
  if (!any || !dladdr(any, &info)) return bad();
  uintptr_t base = reinterpret_cast<uintptr_t>(info.dli_fbase);
  std::map<std::string, uint32_t> exportSyms;
  for (uint32_t k = 0; k < m.exportCount; ++k) {
    const GlueExport& g = m.exports[k];
    if (g.kind == aot::kGlueFunc && g.funcIndex != UINT32_MAX) {
      // wasm2c's export wrapper and our glue's invoker: code inlined into
      // them belongs to the exported function as far as a backtrace can tell.
      exportSyms["Z_m" + aot::mangleName(std::string_view(g.name, g.nameLen))] = g.funcIndex;
      exportSyms["compono_x" + std::to_string(k)] = g.funcIndex;
    }
  }
  for (const Elf64_Shdr& s : sh) {
    if (s.sh_type != SHT_SYMTAB || s.sh_link >= sh.size()) continue;
    const Elf64_Shdr& strtab = sh[s.sh_link];
    if (s.sh_offset + s.sh_size > file.size() || strtab.sh_offset + strtab.sh_size > file.size()) return bad();
    size_t count = s.sh_size / sizeof(Elf64_Sym);
    for (size_t i = 0; i < count; ++i) {
      Elf64_Sym sym;
      std::memcpy(&sym, file.data() + s.sh_offset + i * sizeof(Elf64_Sym), sizeof sym);
      if (ELF64_ST_TYPE(sym.st_info) != STT_FUNC || sym.st_name >= strtab.sh_size || !sym.st_value) continue;
      const char* name = file.data() + strtab.sh_offset + sym.st_name;
      size_t maxLen = strtab.sh_size - sym.st_name;
      if (strnlen(name, maxLen) == maxLen) continue;
      uint32_t idx = UINT32_MAX;
      bool wrapper = false;
      if (std::strncmp(name, "w2c_f", 5) == 0) {
        char* end = nullptr;
        unsigned long n = std::strtoul(name + 5, &end, 10);
        if (end != name + 5 && !*end) idx = static_cast<uint32_t>(n);
      } else if (auto it = exportSyms.find(name); it != exportSyms.end()) {
        // An export's wrapper: wasm functions inlined into it show up here.
        idx = it->second;
        wrapper = true;
      }
      if (idx == UINT32_MAX) continue;
      m.funcs.push_back({base + sym.st_value, base + sym.st_value + sym.st_size, idx, wrapper});
    }
  }
  std::sort(m.funcs.begin(), m.funcs.end(), [](const auto& a, const auto& b) { return a.start < b.start; });
  return okStatus();
}

Result<std::shared_ptr<const AotModule>> openArtifact(const std::string& path, MeteredModule meter,
                                                      const Module& module) {
  aot::initRuntime();
  void* dl = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!dl) return Error(ErrorCode::kInternal, "cannot load native artifact: " + std::string(dlerror()));
  auto m = std::make_shared<AotModule>();
  m->dl = dl;
  m->path = path;
  m->meter = std::move(meter);
  COMPONO_ASSIGN(auto abi, sym<const uint32_t*>(dl, "compono_abi_version", path));
  if (*abi != aot::kGlueAbiVersion) return Error(ErrorCode::kInternal, path + ": glue ABI mismatch");
  COMPONO_ASSIGN(auto size, sym<const size_t*>(dl, "compono_instance_size", path));
  m->instanceSize = *size;
  COMPONO_ASSIGN(m->exports, sym<const GlueExport*>(dl, "compono_exports", path));
  COMPONO_ASSIGN(auto count, sym<const uint32_t*>(dl, "compono_export_count", path));
  m->exportCount = *count;
  const std::vector<ExportType>& moduleExports = module.info().exports;
  for (uint32_t k = 0; k < m->exportCount; ++k) {
    std::string_view name(m->exports[k].name, m->exports[k].nameLen);
    int32_t index = -1;
    for (size_t e = 0; e < moduleExports.size() && index < 0; ++e) {
      if (moduleExports[e].name == name) index = static_cast<int32_t>(e);
    }
    m->exportIndex.push_back(index);
  }
  COMPONO_ASSIGN(m->instantiateFn, sym<void (*)(void*, Slot*)>(dl, "compono_instantiate", path));
  COMPONO_ASSIGN(m->freeFn, sym<void (*)(void*)>(dl, "compono_free", path));
  COMPONO_ASSIGN(m->exportFuncref, (sym<int (*)(void*, uint32_t, wasm_rt_funcref_t*)>(dl, "compono_export_funcref", path)));
  COMPONO_TRY(readFunctionSymbols(*m));
  return std::shared_ptr<const AotModule>(std::move(m));
}

bool isTty() { return isatty(2); }

}  // namespace

Status aotSupported(const Module& module, const MeterConfig& meter) {
  (void)meter;  // metering adds only supported instructions
  return aot::checkAotSupport(module.bytes(), module.name());
}

// Returns the module's native artifact: from the in-memory cache, from the
// disk cache, or (when mayCompile) compiled now.
Result<std::shared_ptr<const AotModule>> aotArtifact(const Module& module, const MeterConfig& meter,
                                                     bool mayCompile) {
  COMPONO_ASSIGN(auto tm, module.compiled().getOrCreate(
                              kTierAot, meter, [&]() -> Result<std::shared_ptr<const TierModule>> {
                                MeteredModule mm;
                                std::span<const uint8_t> bytes = module.bytes();
                                if (meter.any()) {
                                  COMPONO_ASSIGN(mm, meterModule(module.bytes(), meter, module.name()));
                                  bytes = mm.bytes;
                                } else {
                                  mm.originalFuncImports = module.info().importedFuncs;
                                }
                                aot::ArtifactCache cache(module.engine().config().cacheDir);
                                COMPONO_ASSIGN(aot::CompilerInfo cc, aot::findCompiler(cache.root()));
                                aot::CompileOptions opts;
                                std::string key = cache.keyFor(bytes, meter.key(), cc, opts);
                                std::optional<std::string> path = cache.lookup(key);
                                if (!path) {
                                  if (!mayCompile) {
                                    return Error(ErrorCode::kUsage, module.name() + ": not compiled natively yet");
                                  }
                                  COMPONO_TRY(aot::checkAotSupport(bytes, module.name()));
                                  auto started = std::chrono::steady_clock::now();
                                  bool shown = false;
                                  if (isTty()) {
                                    opts.progress = [&](size_t done, size_t total) {
                                      auto s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
                                      if (s < 1.0 && done < total) return;
                                      shown = true;
                                      fprintf(stderr, "\rcompono: compiling %s natively: %zu/%zu units, %.1fs",
                                              module.name().c_str(), done, total, s);
                                    };
                                  }
                                  Result<std::string> built = cache.build(key, bytes, module.name(), cc, opts, nullptr);
                                  if (shown) fprintf(stderr, "\n");
                                  if (!built.ok()) return std::move(built).error();
                                  path = *built;
                                }
                                mm.bytes.clear();
                                COMPONO_ASSIGN(auto art, openArtifact(*path, std::move(mm), module));
                                return std::static_pointer_cast<const TierModule>(art);
                              }));
  return std::static_pointer_cast<const AotModule>(tm);
}

bool aotArtifactCached(const Module& module, const MeterConfig& meter) {
  return aotArtifact(module, meter, /*mayCompile=*/false).ok();
}

namespace {

class AotStore;

struct ImportBinding {
  enum Kind { kHost, kStoreFunc, kFuelHook, kStackHook, kMemGrowHook, kTableGrowHook, kData } kind = kData;
  HostFuncPtr host;
  Handle func = 0;
  FuncType type;
};

struct AotInstance {
  AotStore* store = nullptr;
  std::shared_ptr<const Module> module;
  std::shared_ptr<const AotModule> art;
  void* mem = nullptr;  // the wasm2c instance struct
  GlueEnv env{};
  std::vector<void*> objects;
  std::vector<ImportBinding> imports;
  std::vector<ExportEntry> exports;
  bool instantiated = false;
};

struct Obj {
  ExternKind kind = ExternKind::kFunc;
  // Functions.
  enum FuncKind { kExportFunc, kHostFunc, kRawFunc } fkind = kRawFunc;
  FuncType type;
  AotInstance* inst = nullptr;
  aot::Invoker invoker = nullptr;
  HostFuncPtr host;
  wasm_rt_funcref_t raw{};
  // Memories, tables, globals: the wasm2c object.
  void* ptr = nullptr;
  bool owned = false;
  MemoryType memType;
  TableType tableType;
  GlobalType globalType;
};

class AotCaller : public CallerImpl {
 public:
  AotCaller(AotStore& s, AotInstance* inst) : s_(s), inst_(inst) {}
  Store& store() override;
  GuestMemory memory() override;
  std::optional<Extern> getExport(std::string_view name) override;

 private:
  AotStore& s_;
  AotInstance* inst_;
};

class AotStore : public TierStore {
 public:
  explicit AotStore(Store& owner) : owner_(owner), state_(owner.state()) {}

  ~AotStore() override {
    for (auto it = insts_.rbegin(); it != insts_.rend(); ++it) {
      if ((*it)->instantiated) (*it)->art->freeFn((*it)->mem);
      std::free((*it)->mem);
    }
    for (Obj& o : objs_) {
      if (!o.owned) continue;
      if (o.kind == ExternKind::kMemory) {
        wasm_rt_free_memory(static_cast<wasm_rt_memory_t*>(o.ptr));
        delete static_cast<wasm_rt_memory_t*>(o.ptr);
      } else if (o.kind == ExternKind::kTable) {
        if (o.tableType.element == ValType::kFuncRef) {
          wasm_rt_free_funcref_table(static_cast<wasm_rt_funcref_table_t*>(o.ptr));
          delete static_cast<wasm_rt_funcref_table_t*>(o.ptr);
        } else {
          wasm_rt_free_externref_table(static_cast<wasm_rt_externref_table_t*>(o.ptr));
          delete static_cast<wasm_rt_externref_table_t*>(o.ptr);
        }
      } else if (o.kind == ExternKind::kGlobal) {
        delete[] static_cast<uint8_t*>(o.ptr);
      }
    }
  }

  Store& owner() { return owner_; }
  Obj& obj(Handle h) { return objs_[h - 1]; }

  Handle add(Obj o) {
    objs_.push_back(std::move(o));
    return objs_.size();
  }

  // ---- instantiation ------------------------------------------------------

  Result<Handle> instantiate(std::shared_ptr<const Module> module,
                             std::span<const ResolvedImport> imports) override {
    COMPONO_ASSIGN(auto art, aotArtifact(*module, state_.meter, /*mayCompile=*/true));
    COMPONO_TRY(checkInitialLimits(*module));
    auto inst = std::make_unique<AotInstance>();
    AotInstance* ip = inst.get();
    ip->store = this;
    ip->module = module;
    ip->art = art;
    const MeteredModule& mm = art->meter;
    size_t importCount = imports.size();
    std::vector<int> hookAt = {mm.importFuel, mm.importOutOfFuel, mm.importDepth, mm.importStackExhausted,
                               mm.importMemoryGrow, mm.importTableGrow};
    for (int h : hookAt) {
      if (h >= 0) importCount = std::max(importCount, static_cast<size_t>(h) + 1);
    }
    ip->objects.assign(importCount, nullptr);
    ip->imports.resize(importCount);
    for (size_t i = 0; i < imports.size(); ++i) {
      const ResolvedImport& r = imports[i];
      const ImportType& it = module->imports()[i];
      ImportBinding& b = ip->imports[i];
      if (r.host) {
        b.kind = ImportBinding::kHost;
        b.host = r.host;
        b.type = r.host->type;
        continue;
      }
      Handle h = std::visit([](const auto& e) { return e.handle(); }, *r.ext);
      Obj& o = obj(h);
      if (it.type.kind == ExternKind::kFunc) {
        b.kind = ImportBinding::kStoreFunc;
        b.func = h;
        b.type = o.type;
      } else {
        b.kind = ImportBinding::kData;
        ip->objects[i] = o.ptr;
      }
    }
    if (mm.importFuel >= 0) ip->objects[mm.importFuel] = &fuelCell_;
    if (mm.importDepth >= 0) ip->objects[mm.importDepth] = &depthCell_;
    if (mm.importOutOfFuel >= 0) ip->imports[mm.importOutOfFuel].kind = ImportBinding::kFuelHook;
    if (mm.importStackExhausted >= 0) ip->imports[mm.importStackExhausted].kind = ImportBinding::kStackHook;
    if (mm.importMemoryGrow >= 0) ip->imports[mm.importMemoryGrow].kind = ImportBinding::kMemGrowHook;
    if (mm.importTableGrow >= 0) ip->imports[mm.importTableGrow].kind = ImportBinding::kTableGrowHook;

    ip->env.hostCall = &AotStore::hostCall;
    ip->env.ctx = ip;
    ip->env.objects = ip->objects.data();
    ip->mem = std::calloc(1, art->instanceSize ? art->instanceSize : 1);
    if (!ip->mem) return Error(ErrorCode::kInstantiate, module->name() + ": out of memory");
    insts_.push_back(std::move(inst));

    Slot slots[1];
    slots[0].ptr = &ip->env;
    int code = aot::invoke(reinterpret_cast<aot::Invoker>(art->instantiateFn), ip->mem, slots);
    ip->instantiated = true;  // wasm2c allocated what it could; free() releases it
    if (code) {
      Error e = trapToError(code);
      Error out(ErrorCode::kInstantiate, module->name() + ": instantiation failed: " + e.message);
      out.trap = e.trap;
      return out;
    }
    // Exports.
    Handle startFunc = 0;
    const std::vector<ExportType>& moduleExports = module->info().exports;
    for (uint32_t k = 0; k < art->exportCount; ++k) {
      const GlueExport& g = art->exports[k];
      std::string_view name(g.name, g.nameLen);
      const ExportType* et =
          art->exportIndex[k] >= 0 ? &moduleExports[static_cast<size_t>(art->exportIndex[k])] : nullptr;
      if (name == aot::kStartExport && !et) {
        Obj o;
        o.kind = ExternKind::kFunc;
        o.fkind = Obj::kExportFunc;
        o.inst = ip;
        o.invoker = reinterpret_cast<aot::Invoker>(g.fn);
        startFunc = add(std::move(o));
        continue;
      }
      if (!et) continue;
      ExportEntry e;
      e.name = std::string(name);
      e.kind = et->type.kind;
      e.handle = exportObject(ip, k, g, *et);
      ip->exports.push_back(std::move(e));
    }
    if (startFunc) {
      COMPONO_TRY(state_.enterGuest());
      std::vector<Val> none;
      Status s = call(startFunc, {}, none);
      state_.leaveGuest();
      if (!s.ok()) return std::move(s).error();
    }
    return reinterpret_cast<Handle>(ip);
  }

  Handle exportObject(AotInstance* ip, uint32_t k, const GlueExport& g, const ExportType& et) {
    Obj o;
    o.kind = et.type.kind;
    switch (et.type.kind) {
      case ExternKind::kFunc: {
        o.fkind = Obj::kExportFunc;
        o.type = et.type.func;
        o.inst = ip;
        o.invoker = reinterpret_cast<aot::Invoker>(g.fn);
        ip->art->exportFuncref(ip->mem, k, &o.raw);
        Handle h = add(std::move(o));
        rawIndex_[{reinterpret_cast<uintptr_t>(obj(h).raw.func), reinterpret_cast<uintptr_t>(obj(h).raw.module_instance)}] = h;
        return h;
      }
      case ExternKind::kMemory: {
        auto* p = reinterpret_cast<wasm_rt_memory_t* (*)(void*)>(g.fn)(ip->mem);
        if (auto it = ptrIndex_.find(p); it != ptrIndex_.end()) return it->second;
        o.ptr = p;
        o.memType = et.type.memory;
        break;
      }
      case ExternKind::kTable: {
        void* p = reinterpret_cast<void* (*)(void*)>(g.fn)(ip->mem);
        if (auto it = ptrIndex_.find(p); it != ptrIndex_.end()) return it->second;
        o.ptr = p;
        o.tableType = et.type.table;
        break;
      }
      case ExternKind::kGlobal: {
        void* p = reinterpret_cast<void* (*)(void*)>(g.fn)(ip->mem);
        if (auto it = ptrIndex_.find(p); it != ptrIndex_.end()) return it->second;
        o.ptr = p;
        o.globalType = et.type.global;
        break;
      }
      default: break;
    }
    void* p = o.ptr;
    Handle h = add(std::move(o));
    ptrIndex_[p] = h;
    return h;
  }

  Status checkInitialLimits(const Module& module) {
    const ModuleInfo& info = module.info();
    if (state_.limits.maxMemoryBytes) {
      for (const MemoryType& m : info.memories) {
        if (m.limits.min > *state_.limits.maxMemoryBytes / kWasmPageSize) {
          return Error::trapError(TrapCode::kMemoryLimit,
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
                                      std::to_string(t.limits.min) + " elements, over --max-table-elements " +
                                      std::to_string(*state_.limits.maxTableElements));
        }
      }
    }
    return okStatus();
  }

  std::vector<ExportEntry> instanceExports(Handle instance) override {
    return reinterpret_cast<AotInstance*>(instance)->exports;
  }

  // ---- calls ----------------------------------------------------------------

  static void toSlot(const Val& v, Slot& s, AotStore& st) {
    switch (v.type) {
      case ValType::kI32: s.i32 = v.i32; break;
      case ValType::kI64: s.i64 = v.i64; break;
      case ValType::kF32: s.f32 = v.f32; break;
      case ValType::kF64: s.f64 = v.f64; break;
      case ValType::kV128: std::memcpy(s.v128, v.v128.bytes, 16); break;
      case ValType::kExternRef:
        s.ptr = v.ref.null ? nullptr : reinterpret_cast<void*>(static_cast<uintptr_t>(v.ref.bits + 1));
        break;
      case ValType::kFuncRef: {
        wasm_rt_funcref_t r = wasm_rt_funcref_null_value;
        if (!v.ref.null && v.ref.bits && v.ref.bits <= st.objs_.size()) r = st.obj(v.ref.bits).raw;
        std::memcpy(s.bytes, &r, sizeof r);
        break;
      }
    }
  }

  static Val fromSlot(ValType t, const Slot& s, AotStore& st) {
    switch (t) {
      case ValType::kI32: return Val::makeI32(s.i32);
      case ValType::kI64: return Val::makeI64(s.i64);
      case ValType::kF32: return Val::makeF32(s.f32);
      case ValType::kF64: return Val::makeF64(s.f64);
      case ValType::kV128: {
        V128 x;
        std::memcpy(x.bytes, s.v128, 16);
        return Val::makeV128(x);
      }
      case ValType::kExternRef: {
        auto bits = reinterpret_cast<uintptr_t>(s.ptr);
        return Val::makeRef(t, bits ? RefVal{false, bits - 1} : RefVal{});
      }
      case ValType::kFuncRef: {
        wasm_rt_funcref_t r;
        std::memcpy(&r, s.bytes, sizeof r);
        if (!r.func) return Val::makeRef(t, RefVal{});
        return Val::makeRef(t, RefVal{false, st.internFuncref(r)});
      }
    }
    return Val();
  }

  Handle internFuncref(const wasm_rt_funcref_t& r) {
    auto key = std::make_pair(reinterpret_cast<uintptr_t>(r.func), reinterpret_cast<uintptr_t>(r.module_instance));
    if (auto it = rawIndex_.find(key); it != rawIndex_.end()) return it->second;
    Obj o;
    o.kind = ExternKind::kFunc;
    o.fkind = Obj::kRawFunc;
    o.raw = r;
    Handle h = add(std::move(o));
    rawIndex_[key] = h;
    return h;
  }

  Status call(Handle func, std::span<const Val> args, std::vector<Val>& results) override {
    Obj& o = obj(func);
    results.clear();
    if (o.fkind == Obj::kHostFunc) {
      // A host function called from the host (e.g. through a table).
      std::vector<Val> res;
      for (ValType t : o.host->type.results) res.push_back(Val::zero(t));
      AotCaller impl(*this, nullptr);
      Caller caller(&impl);
      COMPONO_TRY(o.host->callback(caller, args, res));
      results = std::move(res);
      return okStatus();
    }
    if (o.fkind == Obj::kRawFunc) {
      return Error(ErrorCode::kUsage,
                   "calling a function reference taken from a table is not supported from the host on the native tier");
    }
    FuncType ft = o.type;
    size_t n = std::max<size_t>({ft.params.size(), ft.results.size(), 1});
    std::vector<Slot> slots(n);
    for (size_t i = 0; i < args.size(); ++i) toSlot(args[i], slots[i], *this);
    int code = aot::invoke(o.invoker, o.inst->mem, slots.data());
    if (code) return trapToError(code);
    for (size_t i = 0; i < ft.results.size(); ++i) results.push_back(fromSlot(ft.results[i], slots[i], *this));
    return okStatus();
  }

  Error trapToError(int code) {
    std::vector<uintptr_t> trace = aot::takeTrace();
    if (code == kHostTrap || state_.pendingError) {
      if (state_.pendingError) {
        Error e = std::move(*state_.pendingError);
        state_.pendingError.reset();
        return e;
      }
    }
    TrapCode t;
    switch (code) {
      case WASM_RT_TRAP_OOB: t = TrapCode::kMemoryOutOfBounds; break;
      case WASM_RT_TRAP_INT_OVERFLOW: t = TrapCode::kIntegerOverflow; break;
      case WASM_RT_TRAP_DIV_BY_ZERO: t = TrapCode::kIntegerDivideByZero; break;
      case WASM_RT_TRAP_INVALID_CONVERSION: t = TrapCode::kInvalidConversion; break;
      case WASM_RT_TRAP_UNREACHABLE: t = TrapCode::kUnreachable; break;
      case WASM_RT_TRAP_CALL_INDIRECT: t = TrapCode::kIndirectCallTypeMismatch; break;
      case WASM_RT_TRAP_UNCAUGHT_EXCEPTION: t = TrapCode::kUncaughtException; break;
      case WASM_RT_TRAP_EXHAUSTION: t = TrapCode::kCallStackExhausted; break;
      case kTableOob: t = TrapCode::kTableOutOfBounds; break;
      case kUndefinedElement: t = TrapCode::kTableOutOfBounds; break;
      case kUninitializedElement: t = TrapCode::kIndirectCallNull; break;
      default: t = TrapCode::kOther; break;
    }
    Error e = Error::trapError(t, trapMessage(t, "trap code " + std::to_string(code)));
    e.backtrace = backtrace(trace);
    return e;
  }

  std::vector<Frame> backtrace(const std::vector<uintptr_t>& pcs) {
    std::vector<Frame> out;
    for (uintptr_t pc : pcs) {
      for (auto& ip : insts_) {
        const auto& funcs = ip->art->funcs;
        auto it = std::upper_bound(funcs.begin(), funcs.end(), pc,
                                   [](uintptr_t p, const AotModule::FuncRange& r) { return p < r.start; });
        if (it == funcs.begin()) continue;
        --it;
        if (pc >= it->end) continue;  // glue or runtime code, not a wasm function
        uint32_t idx = originalFuncIndex(ip->art->meter, it->index);
        if (idx == UINT32_MAX) break;
        Frame f;
        f.module = ip->module->info().name.empty() ? ip->module->name() : ip->module->info().name;
        f.funcIndex = idx;
        f.funcName = ip->module->funcName(idx);
        // An export's wrapper and invoker map to the exported function too:
        // one frame, not three.
        bool repeat = it->wrapper && !out.empty() && out.back().funcIndex == idx && out.back().module == f.module;
        if (!repeat) out.push_back(std::move(f));
        break;
      }
    }
    return out;
  }

  // Called by generated glue for every import.
  static int hostCall(void* ctx, uint32_t index, Slot* s) {
    auto* ip = static_cast<AotInstance*>(ctx);
    AotStore& st = *ip->store;
    if (aot::stackRemaining() < kHostStackReserve) {
      // The guest recursed to the edge of the native stack: trap here rather
      // than let host code overflow it.
      if (!st.state_.pendingError) {
        Error e = Error::trapError(TrapCode::kCallStackExhausted, trapMessage(TrapCode::kCallStackExhausted, ""));
        st.state_.pendingError = std::move(e);
      }
      return kHostTrap;
    }
    const ImportBinding& b = ip->imports[index];
    Status status;
    {
      aot::HostScope scope;
      switch (b.kind) {
        case ImportBinding::kFuelHook: status = st.state_.onOutOfFuel(); break;
        case ImportBinding::kStackHook: status = st.state_.onStackExhausted(); break;
        case ImportBinding::kMemGrowHook: status = st.state_.onMemoryGrow(s[0].i64, s[1].i64); break;
        case ImportBinding::kTableGrowHook: status = st.state_.onTableGrow(s[0].i32, s[1].i32); break;
        case ImportBinding::kHost: {
          const HostFunc& hf = *b.host;
          std::vector<Val> args;
          args.reserve(hf.type.params.size());
          for (size_t i = 0; i < hf.type.params.size(); ++i) args.push_back(fromSlot(hf.type.params[i], s[i], st));
          std::vector<Val> res;
          for (ValType t : hf.type.results) res.push_back(Val::zero(t));
          AotCaller impl(st, ip);
          Caller caller(&impl);
          status = hf.callback(caller, args, res);
          if (status.ok()) {
            for (size_t i = 0; i < res.size(); ++i) toSlot(res[i], s[i], st);
          }
          break;
        }
        case ImportBinding::kStoreFunc: {
          std::vector<Val> args;
          for (size_t i = 0; i < b.type.params.size(); ++i) args.push_back(fromSlot(b.type.params[i], s[i], st));
          std::vector<Val> res;
          status = st.call(b.func, args, res);
          if (status.ok()) {
            for (size_t i = 0; i < res.size(); ++i) toSlot(res[i], s[i], st);
          }
          break;
        }
        case ImportBinding::kData: break;
      }
      if (!status.ok()) {
        Error e = std::move(status).error();
        if (e.code != ErrorCode::kTrap && e.code != ErrorCode::kExit) {
          e.code = ErrorCode::kTrap;
          e.trap = TrapCode::kHostError;
        }
        if (e.backtrace.empty() && e.code == ErrorCode::kTrap) e.backtrace = st.backtrace(aot::captureTrace());
        if (!st.state_.pendingError) st.state_.pendingError = std::move(e);
        return kHostTrap;
      }
    }
    return 0;
  }

  FuncType funcType(Handle func) override {
    Obj& o = obj(func);
    return o.fkind == Obj::kHostFunc ? o.host->type : o.type;
  }

  Result<Handle> newHostFunc(HostFuncPtr hf) override {
    Obj o;
    o.kind = ExternKind::kFunc;
    o.fkind = Obj::kHostFunc;
    o.type = hf->type;
    o.host = std::move(hf);
    return add(std::move(o));
  }

  // ---- memories, tables, globals -------------------------------------------

  MemoryType memoryType(Handle h) override {
    Obj& o = obj(h);
    MemoryType t = o.memType;
    t.limits.min = static_cast<wasm_rt_memory_t*>(o.ptr)->pages;
    return t;
  }
  uint8_t* memoryData(Handle h) override { return static_cast<wasm_rt_memory_t*>(obj(h).ptr)->data; }
  uint64_t memorySize(Handle h) override {
    return static_cast<uint64_t>(static_cast<wasm_rt_memory_t*>(obj(h).ptr)->pages) * kWasmPageSize;
  }
  Result<uint64_t> memoryGrow(Handle h, uint64_t delta) override {
    auto* m = static_cast<wasm_rt_memory_t*>(obj(h).ptr);
    uint64_t old = m->pages;
    if (state_.limits.maxMemoryBytes) COMPONO_TRY(state_.onMemoryGrow(old, delta));
    if (delta > UINT32_MAX || wasm_rt_grow_memory(m, static_cast<uint32_t>(delta)) == UINT32_MAX) {
      return Error(ErrorCode::kUsage, "memory.grow by " + std::to_string(delta) + " pages fails: over the memory's maximum");
    }
    return old;
  }

  TableType tableType(Handle h) override {
    Obj& o = obj(h);
    TableType t = o.tableType;
    t.limits.min = tableSize(h);
    return t;
  }
  uint64_t tableSize(Handle h) override {
    Obj& o = obj(h);
    return o.tableType.element == ValType::kFuncRef ? static_cast<wasm_rt_funcref_table_t*>(o.ptr)->size
                                                    : static_cast<wasm_rt_externref_table_t*>(o.ptr)->size;
  }
  Result<Val> tableGet(Handle h, uint64_t index) override {
    Obj& o = obj(h);
    if (index >= tableSize(h)) return Error::trapError(TrapCode::kTableOutOfBounds, "table index out of bounds");
    Slot s;
    if (o.tableType.element == ValType::kFuncRef) {
      std::memcpy(s.bytes, &static_cast<wasm_rt_funcref_table_t*>(o.ptr)->data[index], sizeof(wasm_rt_funcref_t));
    } else {
      s.ptr = static_cast<wasm_rt_externref_table_t*>(o.ptr)->data[index];
    }
    return fromSlot(o.tableType.element, s, *this);
  }
  Status tableSet(Handle h, uint64_t index, const Val& v) override {
    Obj& o = obj(h);
    if (v.type != o.tableType.element) return Error(ErrorCode::kUsage, "table.set: wrong value type");
    if (index >= tableSize(h)) return Error::trapError(TrapCode::kTableOutOfBounds, "table index out of bounds");
    Slot s;
    toSlot(v, s, *this);
    if (o.tableType.element == ValType::kFuncRef) {
      std::memcpy(&static_cast<wasm_rt_funcref_table_t*>(o.ptr)->data[index], s.bytes, sizeof(wasm_rt_funcref_t));
    } else {
      static_cast<wasm_rt_externref_table_t*>(o.ptr)->data[index] = s.ptr;
    }
    return okStatus();
  }
  Result<uint64_t> tableGrow(Handle h, uint64_t delta, const Val& init) override {
    Obj& o = obj(h);
    uint64_t old = tableSize(h);
    if (state_.limits.maxTableElements) COMPONO_TRY(state_.onTableGrow(old, delta));
    if (init.type != o.tableType.element) return Error(ErrorCode::kUsage, "table.grow: wrong value type");
    Slot s;
    toSlot(init, s, *this);
    uint32_t r;
    if (delta > UINT32_MAX) return Error(ErrorCode::kUsage, "table.grow fails: over the table's maximum");
    if (o.tableType.element == ValType::kFuncRef) {
      wasm_rt_funcref_t f;
      std::memcpy(&f, s.bytes, sizeof f);
      r = wasm_rt_grow_funcref_table(static_cast<wasm_rt_funcref_table_t*>(o.ptr), static_cast<uint32_t>(delta), f);
    } else {
      r = wasm_rt_grow_externref_table(static_cast<wasm_rt_externref_table_t*>(o.ptr), static_cast<uint32_t>(delta), s.ptr);
    }
    if (r == UINT32_MAX) return Error(ErrorCode::kUsage, "table.grow fails: over the table's maximum");
    return old;
  }

  GlobalType globalType(Handle h) override { return obj(h).globalType; }
  Val globalGet(Handle h) override {
    Obj& o = obj(h);
    Slot s;
    size_t size = o.globalType.type == ValType::kFuncRef ? sizeof(wasm_rt_funcref_t)
                  : (o.globalType.type == ValType::kI64 || o.globalType.type == ValType::kF64 ||
                     o.globalType.type == ValType::kExternRef)
                      ? 8
                      : 4;
    std::memcpy(s.bytes, o.ptr, size);
    return fromSlot(o.globalType.type, s, *this);
  }
  Status globalSet(Handle h, const Val& v) override {
    Obj& o = obj(h);
    if (!o.globalType.mutable_) return Error(ErrorCode::kUsage, "global is immutable");
    if (v.type != o.globalType.type) return Error(ErrorCode::kUsage, "global.set: wrong value type");
    writeGlobal(o, v);
    return okStatus();
  }
  void writeGlobal(Obj& o, const Val& v) {
    Slot s;
    toSlot(v, s, *this);
    size_t size = v.type == ValType::kFuncRef ? sizeof(wasm_rt_funcref_t)
                  : (v.type == ValType::kI64 || v.type == ValType::kF64 || v.type == ValType::kExternRef) ? 8
                                                                                                          : 4;
    std::memcpy(o.ptr, s.bytes, size);
  }

  Result<Handle> newMemory(const MemoryType& type) override {
    if (type.limits.is64 || type.limits.shared) {
      return Error(ErrorCode::kUsage, "the native tier supports only 32-bit unshared memories");
    }
    auto* m = new wasm_rt_memory_t();
    Slot s[1];
    s[0].ptr = m;
    uint32_t min = static_cast<uint32_t>(std::min<uint64_t>(type.limits.min, 65536));
    uint32_t max = type.limits.max ? static_cast<uint32_t>(std::min<uint64_t>(*type.limits.max, 65536)) : 65536;
    struct Args {
      wasm_rt_memory_t* m;
      uint32_t min, max;
    } args{m, min, max};
    int code = aot::invoke(
        [](void* a, Slot*) {
          auto* x = static_cast<Args*>(a);
          wasm_rt_allocate_memory(x->m, x->min, x->max);
        },
        &args, s);
    if (code) {
      delete m;
      return Error(ErrorCode::kInstantiate, "cannot allocate a linear memory");
    }
    Obj o;
    o.kind = ExternKind::kMemory;
    o.ptr = m;
    o.owned = true;
    o.memType = type;
    Handle h = add(std::move(o));
    ptrIndex_[m] = h;
    return h;
  }

  Result<Handle> newTable(const TableType& type, const Val& init) override {
    uint32_t min = static_cast<uint32_t>(std::min<uint64_t>(type.limits.min, UINT32_MAX));
    uint32_t max = type.limits.max ? static_cast<uint32_t>(std::min<uint64_t>(*type.limits.max, UINT32_MAX)) : UINT32_MAX;
    Obj o;
    o.kind = ExternKind::kTable;
    o.owned = true;
    o.tableType = type;
    if (type.element == ValType::kFuncRef) {
      auto* t = new wasm_rt_funcref_table_t();
      t->data = static_cast<wasm_rt_funcref_t*>(std::calloc(min ? min : 1, sizeof(wasm_rt_funcref_t)));
      t->size = min;
      t->max_size = max;
      o.ptr = t;
    } else {
      auto* t = new wasm_rt_externref_table_t();
      t->data = static_cast<wasm_rt_externref_t*>(std::calloc(min ? min : 1, sizeof(wasm_rt_externref_t)));
      t->size = min;
      t->max_size = max;
      o.ptr = t;
    }
    void* p = o.ptr;
    Handle h = add(std::move(o));
    ptrIndex_[p] = h;
    if (!init.ref.null) {
      for (uint64_t i = 0; i < min; ++i) COMPONO_TRY(tableSet(h, i, init));
    }
    return h;
  }

  Result<Handle> newGlobal(const GlobalType& type, const Val& init) override {
    Obj o;
    o.kind = ExternKind::kGlobal;
    o.owned = true;
    o.globalType = type;
    o.ptr = new uint8_t[32]();
    writeGlobal(o, init);
    void* p = o.ptr;
    Handle h = add(std::move(o));
    ptrIndex_[p] = h;
    return h;
  }

  int64_t fuelCounter() override { return static_cast<int64_t>(fuelCell_); }
  void setFuelCounter(int64_t v) override { fuelCell_ = static_cast<uint64_t>(v); }
  void setDepthCounter(int32_t v) override { depthCell_ = static_cast<uint32_t>(v); }

  std::optional<Extern> exportOf(AotInstance* ip, std::string_view name) {
    for (auto& e : ip->exports) {
      if (e.name != name) continue;
      Store* st = &owner_;
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

 private:
  friend class AotCaller;
  Store& owner_;
  StoreState& state_;
  std::vector<Obj> objs_;
  std::vector<std::unique_ptr<AotInstance>> insts_;
  std::map<void*, Handle> ptrIndex_;
  std::map<std::pair<uintptr_t, uintptr_t>, Handle> rawIndex_;
  uint64_t fuelCell_ = 0;
  uint32_t depthCell_ = 0;
};

Store& AotCaller::store() { return s_.owner(); }

GuestMemory AotCaller::memory() {
  if (!inst_) return GuestMemory();
  for (auto& e : inst_->exports) {
    if (e.name == "memory" && e.kind == ExternKind::kMemory) {
      auto* m = static_cast<wasm_rt_memory_t*>(s_.obj(e.handle).ptr);
      return GuestMemory(m->data, static_cast<uint64_t>(m->pages) * kWasmPageSize);
    }
  }
  return GuestMemory();
}

std::optional<Extern> AotCaller::getExport(std::string_view name) {
  if (!inst_) return std::nullopt;
  return s_.exportOf(inst_, name);
}

}  // namespace

std::unique_ptr<TierStore> newAotStore(Store& store) { return std::make_unique<AotStore>(store); }

}  // namespace compono::engine::internal

namespace compono::engine::internal {

Status aotPrepare(const Module& module, const MeterConfig& meter) {
  COMPONO_ASSIGN(auto art, aotArtifact(module, meter, /*mayCompile=*/true));
  (void)art;
  return okStatus();
}

Status aotCompileInBackground(const Module& module, const MeterConfig& meter) {
  aot::ArtifactCache cache(module.engine().config().cacheDir);
  COMPONO_ASSIGN(aot::CompilerInfo cc, aot::findCompiler(cache.root()));
  (void)cc;
  std::error_code ec;
  std::filesystem::create_directories(cache.entriesDir(), ec);
  std::string lock = cache.entriesDir() + "/.building-" + module.sha256().substr(0, 24) + "-" + meter.key();
  int fd = ::open(lock.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) {
    struct stat st;
    // A build younger than an hour is still running; an older lock is stale.
    if (errno == EEXIST && ::stat(lock.c_str(), &st) == 0 && time(nullptr) - st.st_mtime < 3600) {
      return okStatus();
    }
    ::unlink(lock.c_str());
    fd = ::open(lock.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) return Error(ErrorCode::kIo, "cannot create " + lock + ": " + strerror(errno));
  }
  ::close(fd);
  pid_t pid = fork();
  if (pid < 0) {
    ::unlink(lock.c_str());
    return Error(ErrorCode::kIo, std::string("cannot start a background compile: ") + strerror(errno));
  }
  if (pid == 0) {
    // Detach (new session, reparented to init) and stay out of the way.
    setsid();
    if (fork() != 0) _exit(0);
    int devnull = ::open("/dev/null", O_RDWR);
    if (devnull >= 0) {
      dup2(devnull, 0);
      dup2(devnull, 1);
      dup2(devnull, 2);
    }
    if (nice(10) < 0) {
      // Best effort only.
    }
    Result<std::shared_ptr<const AotModule>> r = aotArtifact(module, meter, /*mayCompile=*/true);
    ::unlink(lock.c_str());
    _exit(r.ok() ? 0 : 1);
  }
  int status;
  waitpid(pid, &status, 0);
  return okStatus();
}

}  // namespace compono::engine::internal

namespace compono::engine {

Result<NativeArtifact> compileNative(const Module& module, const StoreLimits& limits) {
  internal::MeterConfig meter = internal::meterConfigFor(limits);
  internal::MeteredModule mm;
  std::span<const uint8_t> bytes = module.bytes();
  if (meter.any()) {
    COMPONO_ASSIGN(mm, internal::meterModule(module.bytes(), meter, module.name()));
    bytes = mm.bytes;
  }
  aot::ArtifactCache cache(module.engine().config().cacheDir);
  COMPONO_ASSIGN(aot::CompilerInfo cc, aot::findCompiler(cache.root()));
  aot::CompileOptions opts;
  NativeArtifact out;
  out.key = cache.keyFor(bytes, meter.key(), cc, opts);
  if (auto path = cache.lookup(out.key)) {
    out.wasCached = true;
    out.path = *path;
  } else {
    COMPONO_TRY(aot::checkAotSupport(bytes, module.name()));
    if (isatty(2)) {
      auto started = std::chrono::steady_clock::now();
      opts.progress = [started, name = module.name()](size_t done, size_t total) {
        double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        fprintf(stderr, "\rcompono: compiling %s natively: %zu/%zu units, %.1fs%s", name.c_str(), done, total, s,
                done == total ? "\n" : "");
      };
    }
    aot::CompileStats stats;
    COMPONO_ASSIGN(out.path, cache.build(out.key, bytes, module.name(), cc, opts, &stats));
    out.compileSeconds = stats.seconds;
    out.peakRssKiB = stats.peakRssKiB;
    out.units = stats.units;
    out.cBytes = stats.cBytes;
  }
  std::error_code ec;
  out.soBytes = std::filesystem::file_size(out.path, ec);
  if (out.wasCached) {
    auto entries = cache.list();
    if (entries.ok()) {
      for (const aot::CacheEntry& e : *entries) {
        if (e.key != out.key) continue;
        out.compileSeconds = e.compileSeconds;
        out.peakRssKiB = e.peakRssKiB;
        out.units = e.units;
        out.cBytes = e.cBytes;
      }
    }
  }
  return out;
}

Status checkNativeSupport(const Module& module) { return aot::checkAotSupport(module.bytes(), module.name()); }

std::string nativeCacheDir(const Engine& engine) {
  return aot::ArtifactCache(engine.config().cacheDir).root();
}

Result<std::vector<NativeCacheEntry>> listNativeCache(const Engine& engine) {
  aot::ArtifactCache cache(engine.config().cacheDir);
  COMPONO_ASSIGN(auto entries, cache.list());
  std::vector<NativeCacheEntry> out;
  for (const aot::CacheEntry& e : entries) {
    NativeCacheEntry n;
    n.key = e.key;
    n.module = e.module;
    n.wasmBytes = e.wasmBytes;
    n.cBytes = e.cBytes;
    n.soBytes = e.soBytes;
    n.compileSeconds = e.compileSeconds;
    n.peakRssKiB = e.peakRssKiB;
    n.units = e.units;
    n.created = e.created;
    out.push_back(std::move(n));
  }
  return out;
}

Result<size_t> cleanNativeCache(const Engine& engine) {
  return aot::ArtifactCache(engine.config().cacheDir).clean();
}

}  // namespace compono::engine
