#include "compono/engine/store.h"

#include <algorithm>
#include <limits>

#include "engine/tier.h"

namespace compono::engine {

namespace internal {

namespace {
// Fuel handed to the guest between two hook calls when a deadline must be
// checked: about a millisecond of interpreted code.
constexpr int64_t kDeadlineSlice = 100'000;
constexpr int64_t kNoSlice = std::numeric_limits<int64_t>::max() / 4;

std::string bytesText(uint64_t n) {
  if (n % (1024 * 1024) == 0) return std::to_string(n / (1024 * 1024)) + " MiB";
  if (n % 1024 == 0) return std::to_string(n / 1024) + " KiB";
  return std::to_string(n) + " bytes";
}
}  // namespace

Status StoreState::checkDeadline() const {
  if (deadline && std::chrono::steady_clock::now() >= *deadline) {
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(*limits.timeout).count();
    return Error::trapError(TrapCode::kDeadline,
                            "deadline exceeded: the guest ran longer than --timeout " +
                                std::to_string(ms) + "ms");
  }
  return okStatus();
}

int64_t StoreState::millisUntilDeadline() const {
  if (!deadline) return -1;
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                  *deadline - std::chrono::steady_clock::now())
                  .count();
  return std::max<int64_t>(left, 0);
}

static void settle(StoreState& s) {
  int64_t cur = s.tier->fuelCounter();
  s.fuelConsumed += static_cast<uint64_t>(s.fuelLoaded - cur);
  s.fuelLoaded = cur;
}

static Status refill(StoreState& s) {
  int64_t amount = s.fuelSlice;
  if (s.limits.fuel) {
    if (s.fuelConsumed >= *s.limits.fuel) {
      return Error::trapError(TrapCode::kOutOfFuel,
                              "out of fuel: the guest used its whole budget of " +
                                  std::to_string(*s.limits.fuel) + " instructions (--fuel)");
    }
    uint64_t remaining = *s.limits.fuel - s.fuelConsumed;
    amount = static_cast<int64_t>(std::min<uint64_t>(remaining, static_cast<uint64_t>(amount)));
  }
  s.tier->setFuelCounter(amount);
  s.fuelLoaded = amount;
  return okStatus();
}

Status StoreState::onOutOfFuel() {
  settle(*this);
  COMPONO_TRY(checkDeadline());
  return refill(*this);
}

Status StoreState::onStackExhausted() {
  if (!limits.maxCallDepth) {
    // The engine's own limit: the same words as the native tier's stack guard.
    return Error::trapError(TrapCode::kCallStackExhausted, trapMessage(TrapCode::kCallStackExhausted, ""));
  }
  return Error::trapError(TrapCode::kCallStackExhausted,
                          "call stack exhausted: more than " + std::to_string(callDepthLimit) +
                              " nested calls (--max-stack)");
}

Status StoreState::onMemoryGrow(uint64_t currentPages, uint64_t deltaPages) {
  if (!limits.maxMemoryBytes) return okStatus();
  uint64_t limitPages = *limits.maxMemoryBytes / kWasmPageSize;
  if (deltaPages > limitPages || currentPages + deltaPages > limitPages) {
    uint64_t pages = currentPages + deltaPages;
    bool overflow = pages < currentPages || pages > UINT64_MAX / kWasmPageSize;
    std::string wantText =
        overflow ? std::string("more than 2^64 bytes") : bytesText(pages * kWasmPageSize);
    return Error::trapError(TrapCode::kMemoryLimit,
                            "memory limit exceeded: memory.grow to " + wantText +
                                " is over --max-memory " + bytesText(*limits.maxMemoryBytes));
  }
  return okStatus();
}

Status StoreState::onTableGrow(uint64_t currentSize, uint64_t delta) {
  if (!limits.maxTableElements) return okStatus();
  if (delta > *limits.maxTableElements || currentSize + delta > *limits.maxTableElements) {
    return Error::trapError(TrapCode::kTableLimit,
                            "table limit exceeded: table.grow to " +
                                std::to_string(currentSize + delta) +
                                " elements is over --max-table-elements " +
                                std::to_string(*limits.maxTableElements));
  }
  return okStatus();
}

Status StoreState::enterGuest() {
  if (callNesting > 0) {
    ++callNesting;
    return okStatus();
  }
  pendingError.reset();
  if (meter.fuel) {
    COMPONO_TRY(checkDeadline());
    COMPONO_TRY(refill(*this));
  }
  if (meter.depth) tier->setDepthCounter(static_cast<int32_t>(callDepthLimit));
  ++callNesting;
  return okStatus();
}

void StoreState::leaveGuest() {
  if (--callNesting > 0) return;
  if (meter.fuel) settle(*this);
}

}  // namespace internal

Store::Store(const Engine& engine, StoreLimits limits)
    : engine_(&engine), state_(std::make_unique<internal::StoreState>()) {
  state_->limits = limits;
  state_->meter = internal::meterConfigFor(limits);
  state_->callDepthLimit = limits.maxCallDepth.value_or(engine.config().defaultCallDepth);
  state_->fuelSlice = limits.timeout ? internal::kDeadlineSlice : internal::kNoSlice;
  startClock();
}

Store::~Store() = default;

const StoreLimits& Store::limits() const { return state_->limits; }

void Store::startClock() {
  if (state_->limits.timeout) {
    state_->deadline = std::chrono::steady_clock::now() +
                       std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                           *state_->limits.timeout);
  }
}

uint64_t Store::fuelConsumed() const { return state_->fuelConsumed; }

Status Store::checkDeadline() const { return state_->checkDeadline(); }
int64_t Store::millisUntilDeadline() const { return state_->millisUntilDeadline(); }

Tier Store::activeTier() const { return state_->tierKind; }

internal::TierStore& Store::tier() {
  if (!state_->tier) {
    // Objects made before any module (host memories, tables, globals):
    // kAuto means the interpreter unless the engine insists on native code.
    useTier(engine_->config().tier == Tier::kAot ? Tier::kAot : Tier::kInterp);
  }
  return *state_->tier;
}

Result<internal::TierStore*> Store::tierFor(const Module& module) {
  if (state_->tier) return state_->tier.get();
  const EngineConfig& cfg = engine_->config();
  auto notice = [&](const std::string& text) {
    if (cfg.notice) cfg.notice(text);
  };
  Tier t = cfg.tier;
  if (t == Tier::kAuto) {
    const internal::MeterConfig& meter = state_->meter;
    if (internal::aotArtifactCached(module, meter)) {
      t = Tier::kAot;
    } else if (Status s = internal::aotSupported(module, meter); !s.ok()) {
      notice(s.error().message + "; running it on the interpreter");
      t = Tier::kInterp;
    } else if (module.bytes().size() > cfg.aotSyncLimitBytes) {
      Status bg = internal::aotCompileInBackground(module, meter);
      notice(bg.ok() ? module.name() + ": compiling natively in the background (" +
                           std::to_string(module.bytes().size() >> 10) +
                           " KiB); this run uses the interpreter, later runs the native code"
                     : bg.error().message + "; running it on the interpreter");
      t = Tier::kInterp;
    } else if (Status p = internal::aotPrepare(module, meter); !p.ok()) {
      notice(p.error().message + "; running it on the interpreter");
      t = Tier::kInterp;
    } else {
      t = Tier::kAot;
    }
  }
  useTier(t);
  return state_->tier.get();
}

void Store::useTier(Tier t) {
  state_->tierKind = t;
  if (t == Tier::kInterp) {
    // Call depth is always metered on the interpreter: wabt 1.0.32 checks its
    // own frame limit unsoundly (a call_indirect that hits it is skipped and
    // execution goes on with a corrupt value stack), so the metering pass
    // must stop recursion before wabt's limit is ever reached. Native code
    // has a sound stack guard of its own.
    state_->meter.depth = true;
  }
  state_->tier = t == Tier::kAot ? internal::newAotStore(*this) : internal::newInterpStore(*this);
}
internal::StoreState& Store::state() { return *state_; }

}  // namespace compono::engine
