// compono/engine/store.h — the unit of isolation.
//
// A Store owns every instance, memory, table, global and host function made in
// it, and the resource limits that bound them. Instances in different Stores
// share nothing. A Store is used by one thread at a time (not thread safe);
// it may move between threads between calls. Handles (Func, Memory, ...) and
// Instances made in a Store are valid until the Store is destroyed.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>

#include "compono/engine/engine.h"
#include "compono/result.h"

namespace compono::engine {

// Resource limits. Unset means unlimited (within the tier's own bounds).
// Limits that need code instrumentation (fuel, timeout, call depth, memory and
// table growth) are applied by a metering pass when a module is instantiated,
// identically on every tier.
struct StoreLimits {
  std::optional<uint64_t> fuel;                      // instruction budget
  std::optional<std::chrono::nanoseconds> timeout;   // wall clock, from Store::startClock()
  std::optional<uint64_t> maxMemoryBytes;            // per memory
  std::optional<uint64_t> maxTableElements;          // per table
  std::optional<uint32_t> maxCallDepth;              // wasm frames

  bool needsFuelMetering() const { return fuel.has_value() || timeout.has_value(); }
};

class Module;

namespace internal {
class TierStore;
struct StoreState;
}  // namespace internal

class Store {
 public:
  Store(const Engine& engine, StoreLimits limits = {});
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  const Engine& engine() const { return *engine_; }
  const StoreLimits& limits() const;

  // Starts the --timeout clock now (it also starts at construction).
  void startClock();
  // Instructions charged so far (only counted when fuel or timeout is set).
  uint64_t fuelConsumed() const;
  // For host functions that block (poll, accept, read): an error once the
  // --timeout deadline has passed, and the milliseconds left (-1 = no deadline).
  Status checkDeadline() const;
  int64_t millisUntilDeadline() const;

  // Embedder data: one pointer the host functions can reach via Caller.
  void setData(void* data) { data_ = data; }
  void* data() const { return data_; }

  // The tier this Store runs on: chosen by the first instantiation (see
  // EngineConfig::tier) and fixed afterwards; kAuto until then.
  Tier activeTier() const;

  internal::TierStore& tier();
  // The tier for instantiating `module` (chooses it on first use).
  Result<internal::TierStore*> tierFor(const Module& module);
  internal::StoreState& state();

 private:
  void useTier(Tier t);
  const Engine* engine_;
  void* data_ = nullptr;
  std::unique_ptr<internal::StoreState> state_;
};

}  // namespace compono::engine
