// compono/engine/engine.h — shared configuration for every Module and Store.
//
// An Engine is immutable after construction and safe to share between threads
// (hold it by reference or shared_ptr for as long as any Module or Store made
// from it lives).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace compono::engine {

// Which execution tier runs guest code.
//   kInterp: wabt's interpreter; instant start, portable, slow.
//   kAot:    native code (wasm2c + the system C compiler), cached by content hash.
//   kAuto:   native when available (cached, or compiled now), else the interpreter.
enum class Tier : uint8_t { kInterp, kAot, kAuto };

const char* tierName(Tier t);

struct EngineConfig {
  Tier tier = Tier::kInterp;
  // Where native artifacts are cached (empty: $XDG_CACHE_HOME/compono or ~/.cache/compono).
  std::string cacheDir;
  // Interpreter call-stack depth when no --max-stack limit is set (frames).
  uint32_t defaultCallDepth = 20000;
  // kAuto compiles modules up to this size while the caller waits; larger
  // ones start on the interpreter while a background process compiles them.
  uint64_t aotSyncLimitBytes = 1ull << 20;
  // One-line notices for the user (tier fallbacks, background compiles).
  // Default: none.
  std::function<void(const std::string&)> notice;
};

class Engine {
 public:
  explicit Engine(EngineConfig config = {});
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  const EngineConfig& config() const { return config_; }

 private:
  EngineConfig config_;
};

// The Compono version string, e.g. "0.1.0".
const char* version();

}  // namespace compono::engine
