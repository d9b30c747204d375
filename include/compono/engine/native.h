// compono/engine/native.h — the native (AOT) tier's artifacts and their cache.
//
// Native artifacts are shared objects compiled from a module (and the
// metering its limits need) and cached on disk by content hash; see
// EngineConfig::cacheDir. These functions are safe to call from several
// processes at once.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "compono/engine/module.h"
#include "compono/engine/store.h"
#include "compono/result.h"

namespace compono::engine {

struct NativeArtifact {
  bool wasCached = false;    // found in the cache (no compile happened)
  std::string key;           // cache key (hex SHA-256)
  std::string path;          // the shared object
  double compileSeconds = 0;
  uint64_t peakRssKiB = 0;   // largest compiler process
  uint64_t units = 0;        // translation units compiled in parallel
  uint64_t cBytes = 0;       // generated C
  uint64_t soBytes = 0;
};

// Whether the native tier can translate the module at all (wasm2c 1.0.32
// lacks SIMD, multiple memories, exceptions, atomics, tail calls, ...); the
// error names the first missing feature.
Status checkNativeSupport(const Module& module);

// Compiles `module` for a Store with `limits` (only which limits are set
// matters), or finds it in the cache.
Result<NativeArtifact> compileNative(const Module& module, const StoreLimits& limits = {});

struct NativeCacheEntry {
  std::string key;
  std::string module;
  uint64_t wasmBytes = 0;
  uint64_t cBytes = 0;
  uint64_t soBytes = 0;
  double compileSeconds = 0;
  uint64_t peakRssKiB = 0;
  uint64_t units = 0;
  int64_t created = 0;  // unix seconds
};

// The cache directory an Engine uses.
std::string nativeCacheDir(const Engine& engine);
Result<std::vector<NativeCacheEntry>> listNativeCache(const Engine& engine);
// Removes every cached artifact; returns how many.
Result<size_t> cleanNativeCache(const Engine& engine);

}  // namespace compono::engine
