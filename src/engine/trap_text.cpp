#include "engine/tier.h"

namespace compono::engine::internal {

std::string trapMessage(TrapCode code, const std::string& detail) {
  switch (code) {
    case TrapCode::kUnreachable: return "wasm trap: unreachable executed";
    case TrapCode::kMemoryOutOfBounds: return "wasm trap: out of bounds memory access";
    case TrapCode::kTableOutOfBounds: return "wasm trap: out of bounds table access";
    case TrapCode::kIndirectCallNull: return "wasm trap: uninitialized element (null function in indirect call)";
    case TrapCode::kIndirectCallTypeMismatch: return "wasm trap: indirect call type mismatch";
    case TrapCode::kIntegerDivideByZero: return "wasm trap: integer divide by zero";
    case TrapCode::kIntegerOverflow: return "wasm trap: integer overflow";
    case TrapCode::kInvalidConversion: return "wasm trap: invalid conversion to integer";
    case TrapCode::kNullReference: return "wasm trap: null reference";
    case TrapCode::kCallStackExhausted: return "wasm trap: call stack exhausted";
    case TrapCode::kUncaughtException: return "wasm trap: uncaught exception";
    default: return "wasm trap: " + detail;
  }
}

}  // namespace compono::engine::internal
