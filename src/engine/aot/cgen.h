// Internal: wasm -> C for the AOT tier, through wabt's wasm2c writer
// (wabt::WriteC in libwabt.a), split into translation units that compile in
// parallel with bounded memory, plus the glue that binds the generated code
// to Compono's host interface.
//
// The glue ABI (what aot_tier.cpp expects from a loaded artifact):
//   uint32_t compono_abi_version;            // kGlueAbiVersion
//   size_t   compono_instance_size;
//   void     compono_instantiate(void* inst, Slot* s);   // s[0].ptr = compono_env*
//   void     compono_free(void* inst);
//   const compono_export_t compono_exports[]; uint32_t compono_export_count;
//   int compono_export_funcref(void* inst, uint32_t export_index, wasm_rt_funcref_t* out);
// Every defined function i is the (hidden) C function w2c_f<i>; backtraces
// find them through the shared object's symbol table.
// and for every import of the module a C definition that forwards to
// compono_env::host_call (functions) or returns compono_env::objects[i].
//
// Thread safety: pure functions of their inputs.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "compono/result.h"

namespace compono::engine::aot {

inline constexpr uint32_t kGlueAbiVersion = 3;
// Bumped whenever the generated code changes for the same input, so that
// cached artifacts from an older Compono are never reused (part of the key).
inline constexpr uint32_t kCodegenRevision = 3;

// Export kinds in compono_exports[].kind.
enum GlueExportKind : uint32_t { kGlueFunc = 0, kGlueTable = 1, kGlueMemory = 2, kGlueGlobal = 3 };

// The name under which the (removed) start function is exported.
inline constexpr const char* kStartExport = "__compono_start";

struct GeneratedC {
  std::string header;              // m.h (wasm2c's header)
  std::string common;              // common.h: prelude + declarations shared by every part
  std::vector<std::string> parts;  // part0.c holds module init/exports; others hold functions
  std::string glue;                // glue.c
  uint64_t cBytes = 0;             // total size of the generated C
};

// Checks that wasm2c 1.0.32 can translate the module (no SIMD, one memory,
// no exceptions, atomics, tail calls, extended constants or multi-value
// reference results). Returns an error naming the first unsupported feature.
Status checkAotSupport(std::span<const uint8_t> bytes, const std::string& name);

// Translates a validated (and possibly metered) module. `partBytes` is the
// target size of each function translation unit.
Result<GeneratedC> generateC(std::span<const uint8_t> bytes, const std::string& name,
                             uint64_t partBytes);

// wasm2c's identifier mangling (c-writer.cc MangleName): "Z_" followed by the
// name with every byte other than [A-Za-z0-9_] (and 'Z') written as Z + 2 hex digits.
std::string mangleName(std::string_view name);

}  // namespace compono::engine::aot
