#include "compono/result.h"

namespace compono {

const char* errorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kDecode: return "decode";
    case ErrorCode::kValidate: return "validate";
    case ErrorCode::kLink: return "link";
    case ErrorCode::kInstantiate: return "instantiate";
    case ErrorCode::kTrap: return "trap";
    case ErrorCode::kExit: return "exit";
    case ErrorCode::kWasi: return "wasi";
    case ErrorCode::kComponent: return "component";
    case ErrorCode::kCapability: return "capability";
    case ErrorCode::kRegistry: return "registry";
    case ErrorCode::kIo: return "io";
    case ErrorCode::kUsage: return "usage";
    case ErrorCode::kInternal: return "internal";
  }
  return "unknown";
}

const char* trapCodeName(TrapCode code) {
  switch (code) {
    case TrapCode::kNone: return "none";
    case TrapCode::kUnreachable: return "unreachable";
    case TrapCode::kMemoryOutOfBounds: return "memory out of bounds";
    case TrapCode::kTableOutOfBounds: return "table out of bounds";
    case TrapCode::kIndirectCallNull: return "uninitialized element";
    case TrapCode::kIndirectCallTypeMismatch: return "indirect call type mismatch";
    case TrapCode::kIntegerDivideByZero: return "integer divide by zero";
    case TrapCode::kIntegerOverflow: return "integer overflow";
    case TrapCode::kInvalidConversion: return "invalid conversion to integer";
    case TrapCode::kNullReference: return "null reference";
    case TrapCode::kCallStackExhausted: return "call stack exhausted";
    case TrapCode::kOutOfFuel: return "out of fuel";
    case TrapCode::kDeadline: return "deadline exceeded";
    case TrapCode::kMemoryLimit: return "memory limit exceeded";
    case TrapCode::kTableLimit: return "table limit exceeded";
    case TrapCode::kHostError: return "host error";
    case TrapCode::kUncaughtException: return "uncaught exception";
    case TrapCode::kOther: return "trap";
  }
  return "unknown";
}

std::string Error::oneLine() const {
  std::string out;
  for (char c : message) out += (c == '\n') ? ' ' : c;
  return out;
}

static std::string frameText(const Frame& f) {
  std::string out;
  if (!f.module.empty()) out += f.module + "!";
  out += f.funcName.empty() ? "<func " + std::to_string(f.funcIndex) + ">" : f.funcName;
  if (f.codeOffset) {
    char buf[32];
    snprintf(buf, sizeof buf, " @ 0x%x", f.codeOffset);
    out += buf;
  }
  return out;
}

std::string Error::withBacktrace() const {
  std::string out = oneLine();
  if (backtrace.empty()) return out;
  out += "\nwasm backtrace:";
  // Consecutive identical frames (deep recursion) print once with a count.
  size_t i = 0;
  int line = 0;
  while (i < backtrace.size()) {
    size_t j = i + 1;
    while (j < backtrace.size() && backtrace[j].module == backtrace[i].module &&
           backtrace[j].funcIndex == backtrace[i].funcIndex) {
      ++j;
    }
    out += "\n  " + std::to_string(line++) + ": " + frameText(backtrace[i]);
    if (j - i > 1) out += "  (" + std::to_string(j - i) + " times)";
    i = j;
  }
  return out;
}

}  // namespace compono
