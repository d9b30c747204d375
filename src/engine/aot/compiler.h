// Internal: the AOT build — wasm (already metered) -> C (cgen) -> the system C
// compiler, one process per translation unit, at most `jobs` at a time, each
// with a memory ceiling -> one shared object.
//
// Thread safety: compile() may run concurrently in several threads/processes
// (each uses its own scratch directory).
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>

#include "compono/result.h"

namespace compono::engine::aot {

struct CompilerInfo {
  std::string path;      // resolved compiler (from $CC, default "cc")
  std::string identity;  // first line of `cc --version` + path: part of cache keys
};

// Finds the C compiler named by $CC (default "cc") on PATH and identifies it.
// The identity is memoised in `cacheDir` keyed by the binary's path, size and
// mtime, so that repeated runs do not spawn `cc --version`.
Result<CompilerInfo> findCompiler(const std::string& cacheDir);

// Flags for every translation unit (part of the cache key). Frame pointers
// make backtraces possible; no sibling-call optimisation keeps wasm's call
// depth observable (a recursive tail call must exhaust the stack, not loop);
// signaling NaNs stop the compiler from folding `x - 0.0` or `x * 1.0` to
// `x`, which wasm forbids for NaN inputs (the result must be a quiet NaN);
// stack-clash protection probes every page of a large frame, so a function
// with many locals cannot jump over the stack guard page.
inline constexpr const char* kCompileFlags[] = {"-fPIC", "-fno-omit-frame-pointer",
                                                "-fno-optimize-sibling-calls", "-fsignaling-nans",
                                                "-fstack-clash-protection",
                                                "-fvisibility=hidden", "-w", "-DNDEBUG"};

struct CompileOptions {
  std::string optLevel = "-O2";
  unsigned jobs = 0;                 // 0: one per CPU, bounded by memory
  uint64_t partBytes = 2ull << 20;   // target C bytes per translation unit
  uint64_t unityBytes = 1ull << 20;  // below this much C: one unit, one process
  uint64_t memoryLimitBytes = 0;     // per compiler process (0: 4 GiB)
  std::function<void(size_t done, size_t total)> progress;
};

struct CompileStats {
  double seconds = 0;
  uint64_t peakRssKiB = 0;  // the largest compiler process
  size_t units = 0;
  uint64_t cBytes = 0;
  uint64_t wasmBytes = 0;
};

// Builds `outPath` (a shared object) from module bytes. `scratchDir` must
// exist; build files go into a fresh directory inside it and are removed.
Result<CompileStats> compileModule(std::span<const uint8_t> bytes, const std::string& name,
                                   const CompilerInfo& cc, const CompileOptions& options,
                                   const std::string& scratchDir, const std::string& outPath);

}  // namespace compono::engine::aot
