// Internal: the contract every execution tier implements, and the per-Store
// state the tiers share (limits, fuel accounting, pending host errors).
//
// Not part of the public API. One TierStore per Store; single-threaded.
#pragma once

#include <chrono>
#include <compare>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "compono/engine/host.h"
#include "compono/engine/instance.h"
#include "compono/engine/module.h"
#include "compono/engine/store.h"
#include "compono/result.h"

namespace compono::engine::internal {

// What the metering pass instruments. Only presence matters for the compiled
// code: the limit values live in the Store and are read at run time.
struct MeterConfig {
  bool fuel = false;         // charge instructions; hook when the budget runs out
  bool depth = false;        // count call depth; hook when it passes the limit
  bool memoryGrow = false;   // hook before memory.grow (for --max-memory)
  bool tableGrow = false;    // hook before table.grow (for --max-table-elements)
  auto operator<=>(const MeterConfig&) const = default;
  bool any() const { return fuel || depth || memoryGrow || tableGrow; }
  std::string key() const;  // "f1d0m1t0": part of cache keys
};

MeterConfig meterConfigFor(const StoreLimits& limits);

// The module name of the imports the metering pass adds. Reserved: the
// linker refuses user modules that import from it.
inline constexpr const char* kMeterModule = "__compono_meter";

// A tier's compiled form of one module under one MeterConfig. Immutable.
class TierModule {
 public:
  virtual ~TierModule() = default;
};

// Per-Module cache of compiled artifacts, keyed by tier and metering.
class CompiledCache {
 public:
  template <typename F>
  Result<std::shared_ptr<const TierModule>> getOrCreate(int tier, const MeterConfig& meter, F make) {
    std::lock_guard<std::mutex> lock(mu_);
    auto key = std::make_pair(tier, meter);
    auto it = entries_.find(key);
    if (it != entries_.end()) return it->second;
    Result<std::shared_ptr<const TierModule>> made = make();
    if (made.ok()) entries_.emplace(key, *made);
    return made;
  }

 private:
  std::mutex mu_;
  std::map<std::pair<int, MeterConfig>, std::shared_ptr<const TierModule>> entries_;
};

// A resolved import, in the module's import order.
struct ResolvedImport {
  HostFuncPtr host;            // a host function, or
  std::optional<Extern> ext;   // a store object
};

// Implemented per tier to give host functions what Caller promises.
class CallerImpl {
 public:
  virtual ~CallerImpl() = default;
  virtual Store& store() = 0;
  virtual GuestMemory memory() = 0;
  virtual std::optional<Extern> getExport(std::string_view name) = 0;
};

struct ExportEntry {
  std::string name;
  ExternKind kind;
  Handle handle;
};

class TierStore {
 public:
  virtual ~TierStore() = default;

  virtual Result<Handle> instantiate(std::shared_ptr<const Module> module,
                                     std::span<const ResolvedImport> imports) = 0;
  virtual std::vector<ExportEntry> instanceExports(Handle instance) = 0;

  // Calls a function. Precondition: args match the type (checked by Func::call).
  virtual Status call(Handle func, std::span<const Val> args, std::vector<Val>& results) = 0;
  virtual FuncType funcType(Handle func) = 0;

  virtual MemoryType memoryType(Handle mem) = 0;
  virtual uint8_t* memoryData(Handle mem) = 0;
  virtual uint64_t memorySize(Handle mem) = 0;
  virtual Result<uint64_t> memoryGrow(Handle mem, uint64_t delta) = 0;

  virtual TableType tableType(Handle table) = 0;
  virtual uint64_t tableSize(Handle table) = 0;
  virtual Result<Val> tableGet(Handle table, uint64_t index) = 0;
  virtual Status tableSet(Handle table, uint64_t index, const Val& v) = 0;
  virtual Result<uint64_t> tableGrow(Handle table, uint64_t delta, const Val& init) = 0;

  virtual GlobalType globalType(Handle global) = 0;
  virtual Val globalGet(Handle global) = 0;
  virtual Status globalSet(Handle global, const Val& v) = 0;

  virtual Result<Handle> newMemory(const MemoryType& type) = 0;
  virtual Result<Handle> newTable(const TableType& type, const Val& init) = 0;
  virtual Result<Handle> newGlobal(const GlobalType& type, const Val& init) = 0;
  virtual Result<Handle> newHostFunc(HostFuncPtr func) = 0;

  // The shared metering globals (valid when the Store's MeterConfig needs them).
  virtual int64_t fuelCounter() = 0;
  virtual void setFuelCounter(int64_t v) = 0;
  virtual void setDepthCounter(int32_t v) = 0;
};

std::unique_ptr<TierStore> newInterpStore(Store& store);
std::unique_ptr<TierStore> newAotStore(Store& store);

// Native-tier queries (aot/aot_tier.cpp).
Status aotSupported(const Module& module, const MeterConfig& meter);
bool aotArtifactCached(const Module& module, const MeterConfig& meter);
// Compiles in a detached background process into the disk cache; returns
// at once. Several callers for the same module start one compile.
Status aotCompileInBackground(const Module& module, const MeterConfig& meter);
// Compiles now (or finds the artifact in the cache).
Status aotPrepare(const Module& module, const MeterConfig& meter);

// The one-line text of a trap, identical on every tier.
std::string trapMessage(TrapCode code, const std::string& detail);

inline constexpr int kTierInterp = 0;
inline constexpr int kTierAot = 1;

// Decodes and validates a module with wabt's interpreter loader. Fills the
// type information of `info` when given, and returns the unmetered artifact.
Result<std::shared_ptr<const TierModule>> interpLoad(const Module& module, ModuleInfo* info);

// Limits, fuel and deadline bookkeeping shared by all tiers of one Store.
struct StoreState {
  StoreLimits limits;
  MeterConfig meter;
  // The call-depth limit in wasm frames: limits.maxCallDepth, else the
  // Engine's defaultCallDepth. Always enforced by the metering pass (see
  // Store::Store for why).
  uint32_t callDepthLimit = 0;
  std::unique_ptr<TierStore> tier;
  Tier tierKind = Tier::kAuto;  // kAuto until the first instantiation chooses

  // Fuel accounting (see meter.cpp for the protocol).
  uint64_t fuelConsumed = 0;
  int64_t fuelLoaded = 0;  // value last written to the fuel counter
  int64_t fuelSlice = 0;   // max fuel handed to the guest between hook calls
  std::optional<std::chrono::steady_clock::time_point> deadline;

  int callNesting = 0;  // > 0 while guest code runs (host->guest calls nest)

  // A host function's error, kept intact while the tier unwinds as a trap.
  std::optional<Error> pendingError;

  // Hooks called by instrumented code (through the tier).
  Status onOutOfFuel();
  Status onStackExhausted();
  Status onMemoryGrow(uint64_t currentPages, uint64_t deltaPages);
  Status onTableGrow(uint64_t currentSize, uint64_t delta);

  // Called around every host->guest call.
  Status enterGuest();
  void leaveGuest();
  // Checks the deadline (also used by blocking host calls).
  Status checkDeadline() const;
  // Milliseconds left before the deadline, or -1 when there is none.
  int64_t millisUntilDeadline() const;
};

}  // namespace compono::engine::internal
