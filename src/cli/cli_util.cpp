#include "cli/cli_util.h"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace compono::cli {

int exitCodeFor(const Error& e) {
  switch (e.code) {
    case ErrorCode::kExit: return e.exitStatus;
    case ErrorCode::kTrap:
    case ErrorCode::kInstantiate:
      switch (e.trap) {
        case TrapCode::kOutOfFuel: return kExitFuel;
        case TrapCode::kDeadline: return kExitTimeout;
        case TrapCode::kMemoryLimit: return kExitMemoryLimit;
        case TrapCode::kTableLimit: return kExitTableLimit;
        case TrapCode::kCallStackExhausted: return kExitStackLimit;
        case TrapCode::kNone: return e.code == ErrorCode::kTrap ? kExitTrap : kExitUserError;
        default: return kExitTrap;
      }
    case ErrorCode::kUsage: return kExitUsage;
    case ErrorCode::kInternal: return kExitInternal;
    default: return kExitUserError;
  }
}

void printError(const std::string& message) {
  std::fprintf(stderr, "compono: error: %s\n", message.c_str());
}

void printError(const Error& e) {
  std::string text = e.code == ErrorCode::kTrap ? e.withBacktrace() : e.oneLine();
  std::fprintf(stderr, "compono: error: %s\n", text.c_str());
}

static std::string stripUnderscores(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c != '_') out += c;
  }
  return out;
}

std::optional<uint64_t> parseCount(const std::string& textIn) {
  std::string text = stripUnderscores(textIn);
  if (text.empty()) return std::nullopt;
  int base = 10;
  size_t start = 0;
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    base = 16;
    start = 2;
  }
  uint64_t v = 0;
  for (size_t i = start; i < text.size(); ++i) {
    int d;
    char c = static_cast<char>(std::tolower(static_cast<unsigned char>(text[i])));
    if (c >= '0' && c <= '9') d = c - '0';
    else if (base == 16 && c >= 'a' && c <= 'f') d = c - 'a' + 10;
    else return std::nullopt;
    if (v > (UINT64_MAX - static_cast<uint64_t>(d)) / static_cast<uint64_t>(base)) return std::nullopt;
    v = v * static_cast<uint64_t>(base) + static_cast<uint64_t>(d);
  }
  return v;
}

std::optional<std::chrono::nanoseconds> parseDuration(const std::string& text) {
  size_t i = 0;
  while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) ++i;
  if (i == 0) return std::nullopt;
  std::string num = text.substr(0, i), unit = text.substr(i);
  char* end = nullptr;
  double v = std::strtod(num.c_str(), &end);
  if (!end || *end || !std::isfinite(v) || v < 0) return std::nullopt;
  double ns;
  if (unit.empty() || unit == "s") ns = v * 1e9;
  else if (unit == "ms") ns = v * 1e6;
  else if (unit == "us") ns = v * 1e3;
  else if (unit == "ns") ns = v;
  else if (unit == "m" || unit == "min") ns = v * 60e9;
  else if (unit == "h") ns = v * 3600e9;
  else return std::nullopt;
  if (ns > 9.2e18) return std::nullopt;
  return std::chrono::nanoseconds(static_cast<int64_t>(ns));
}

std::optional<uint64_t> parseByteSize(const std::string& text) {
  size_t i = 0;
  while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '_')) ++i;
  auto n = parseCount(text.substr(0, i));
  if (!n) return std::nullopt;
  std::string unit = text.substr(i);
  uint64_t mult;
  if (unit.empty() || unit == "B") mult = 1;
  else if (unit == "K" || unit == "k" || unit == "KiB" || unit == "KB") mult = 1ull << 10;
  else if (unit == "M" || unit == "m" || unit == "MiB" || unit == "MB") mult = 1ull << 20;
  else if (unit == "G" || unit == "g" || unit == "GiB" || unit == "GB") mult = 1ull << 30;
  else return std::nullopt;
  if (*n > UINT64_MAX / mult) return std::nullopt;
  return *n * mult;
}

std::string baseName(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

}  // namespace compono::cli
