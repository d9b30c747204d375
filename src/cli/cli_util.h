// Shared pieces of the `compono` command: exit codes, flag value parsers and
// error printing. Every command reports failures as one line on stderr
// ("compono: error: ...") and returns one of these exit codes.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "compono/result.h"

namespace compono::cli {

// Exit codes (documented in `compono run --help`). A guest's own exit status
// (WASI proc_exit) passes through unchanged.
enum ExitCode : int {
  kExitOk = 0,
  kExitUserError = 1,  // bad input: unreadable/malformed/invalid module, link error, bad arguments
  kExitUsage = 2,      // bad command line
  kExitTrap = 3,       // the guest trapped (unreachable, out of bounds, divide by zero, ...)
  kExitFuel = 4,       // --fuel budget spent
  kExitTimeout = 5,    // --timeout deadline reached
  kExitMemoryLimit = 6,  // memory grew beyond --max-memory
  kExitTableLimit = 7,   // table grew beyond --max-table-elements
  kExitStackLimit = 8,   // call depth beyond --max-stack (or the engine's own limit)
  kExitInternal = 70,    // a bug in Compono
};

// Maps an error to the exit code above (kExit errors give the guest's status).
int exitCodeFor(const Error& e);

// Prints "compono: error: <message>" (and the wasm backtrace for traps) to stderr.
void printError(const Error& e);
void printError(const std::string& message);

// "500ms", "2s", "1.5s", "3m", "1h", "250us", "10ns"; a bare number is seconds.
std::optional<std::chrono::nanoseconds> parseDuration(const std::string& text);
// "65536", "64KiB"/"64K"/"64k", "16MiB"/"16M", "2GiB"/"2G" (powers of 1024).
std::optional<uint64_t> parseByteSize(const std::string& text);
// Decimal or 0x-hex unsigned integer, '_' separators allowed.
std::optional<uint64_t> parseCount(const std::string& text);

// How messages name a file (as LoadedComponent::fromFile does): its last path component.
std::string baseName(const std::string& path);

}  // namespace compono::cli
