// Internal: the content-addressed cache of native artifacts.
//
// Layout: <dir>/aot-v1/<key>/{module.so, meta}. The key is the SHA-256 of
// everything that changes the output: the module bytes, the metering
// configuration, the compiler's identity and flags, the glue ABI and the
// Compono version. An entry is published by renaming a complete directory
// into place, so readers never see a partial entry and two processes that
// build the same key at once both succeed (one rename wins, the other uses
// the winner's). Every lookup verifies the shared object's size and SHA-256
// against `meta`; a corrupted or truncated entry is removed and rebuilt.
//
// Thread/process safety: all operations are safe to run concurrently.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "compono/result.h"
#include "engine/aot/compiler.h"

namespace compono::engine::aot {

struct CacheEntry {
  std::string key;
  std::string module;  // the module's name when it was built
  uint64_t soBytes = 0;
  uint64_t wasmBytes = 0;
  uint64_t cBytes = 0;
  double compileSeconds = 0;
  uint64_t peakRssKiB = 0;
  uint64_t units = 0;
  int64_t created = 0;  // unix seconds
};

class ArtifactCache {
 public:
  // `dir` empty: $XDG_CACHE_HOME/compono, else $HOME/.cache/compono.
  explicit ArtifactCache(const std::string& dir);

  static std::string defaultDir();
  const std::string& root() const { return root_; }  // <dir>
  std::string entriesDir() const { return root_ + "/aot-v1"; }

  std::string keyFor(std::span<const uint8_t> bytes, const std::string& meterKey,
                     const CompilerInfo& cc, const CompileOptions& opts) const;

  // The verified shared object of `key`, if present.
  std::optional<std::string> lookup(const std::string& key) const;

  // Compiles and publishes `key`; returns the shared object's path.
  Result<std::string> build(const std::string& key, std::span<const uint8_t> bytes,
                            const std::string& name, const CompilerInfo& cc,
                            const CompileOptions& opts, CompileStats* stats) const;

  Result<std::vector<CacheEntry>> list() const;
  // Removes every entry; returns how many.
  Result<size_t> clean() const;

 private:
  std::string root_;
};

}  // namespace compono::engine::aot
