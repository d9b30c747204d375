// Internal: the metering pass. Rewrites a validated module (through wabt's IR)
// so that resource limits hold identically on every tier:
//
//   fuel   — each straight-line segment (function entry, block/loop/if/else
//            bodies, and the code after each nested structure) first subtracts
//            its instruction count from the shared i64 global
//            `__compono_meter.fuel`; when the result is negative it calls
//            `__compono_meter.out_of_fuel()`, which refills the slice, checks
//            the deadline, or traps.
//   depth  — each function decrements the shared i32 global
//            `__compono_meter.depth` on entry (calling
//            `__compono_meter.stack_exhausted()` at zero) and increments it on
//            every exit; bodies are wrapped in a block so that `return` and
//            branches to the function label all pass through the epilogue;
//            tail calls restore it before transferring control.
//   grow   — `memory.grow` and `table.grow` first call
//            `__compono_meter.memory_grow(cur: i64, delta: i64, index: i32)` /
//            `__compono_meter.table_grow(cur: i32, delta: i32, index: i32)`,
//            which trap when the result would pass the Store's limit.
//
// The added imports come after the module's own imports; every function and
// global index of the original module shifts accordingly and is rewritten.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "compono/result.h"
#include "engine/tier.h"

namespace compono::engine::internal {

struct MeteredModule {
  std::vector<uint8_t> bytes;
  // Number of function imports added (original defined function i now has
  // index i + addedFuncImports). Used to map backtraces to original indices.
  uint32_t originalFuncImports = 0;
  uint32_t addedFuncImports = 0;
  // Index, among the instrumented module's imports, of each hook (or -1).
  int importFuel = -1, importOutOfFuel = -1, importDepth = -1, importStackExhausted = -1,
      importMemoryGrow = -1, importTableGrow = -1;
};

Result<MeteredModule> meterModule(std::span<const uint8_t> validatedBytes, const MeterConfig& cfg,
                                  const std::string& name);

// Maps a function index of the instrumented module back to the original one.
inline uint32_t originalFuncIndex(const MeteredModule& m, uint32_t idx) {
  if (idx < m.originalFuncImports) return idx;
  if (idx < m.originalFuncImports + m.addedFuncImports) return UINT32_MAX;  // a hook
  return idx - m.addedFuncImports;
}

}  // namespace compono::engine::internal
