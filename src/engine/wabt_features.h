// Internal: the WebAssembly feature set Compono enables in wabt, shared by the
// decoder, validator, text parser, metering pass and every tier.
#pragma once

#include "wabt/feature.h"

namespace compono::engine::internal {

// The proposals standardised in WebAssembly 2.0 (wabt's defaults: mutable
// globals, saturating conversions, sign extension, SIMD, multi-value, bulk
// memory, reference types) plus tail calls, extended constant expressions
// and multi-memory, which wabt 1.0.32 implements in both its interpreter and
// its wasm2c writer.

inline wabt::Features wabtFeatures() {
  wabt::Features f;
  f.enable_tail_call();
  f.enable_extended_const();
  f.enable_multi_memory();
  return f;
}

}  // namespace compono::engine::internal
