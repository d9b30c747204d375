#include "compono/engine/engine.h"

namespace compono::engine {

const char* tierName(Tier t) {
  switch (t) {
    case Tier::kInterp: return "interp";
    case Tier::kAot: return "aot";
    case Tier::kAuto: return "auto";
  }
  return "?";
}

Engine::Engine(EngineConfig config) : config_(std::move(config)) {}
Engine::~Engine() = default;

const char* version() { return "0.1.0"; }

}  // namespace compono::engine
