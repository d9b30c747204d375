// Internal: the WebAssembly feature set Compono enables in wabt, shared by the
// decoder, validator, text parser, metering pass and every tier.
#pragma once

#include "wabt/feature.h"

namespace compono::engine::internal {

// The proposals standardised in WebAssembly 2.0 (wabt's defaults: mutable
// globals, saturating conversions, sign extension, SIMD, multi-value, bulk
// memory, reference types) plus extended constant expressions and
// multi-memory, which wabt 1.0.32 implements in both its interpreter and its
// wasm2c writer.
//
// Custom annotations `(@name ...)` stay off: with them on, wabt 1.0.32's text
// lexer spins without end on some inputs (spec test annotations.wast) and
// still rejects most annotated modules.
//
// Tail calls stay off: wabt 1.0.32's interpreter miscompiles `return_call` to
// a defined function in a module that also imports functions (it transfers
// control to the wrong place: wrong results, "call stack exhausted", or an
// assertion that aborts the process — spec test return_call.wast, and
// wasm-interp itself shows it). A module using tail calls is rejected at
// decode time instead.
inline wabt::Features wabtFeatures() {
  wabt::Features f;
  f.enable_extended_const();
  f.enable_multi_memory();
  return f;
}

}  // namespace compono::engine::internal
