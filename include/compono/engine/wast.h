// compono/engine/wast.h — the WebAssembly spec-script (.wast) runner.
//
// Runs every command of a script — module (text, binary, quote, definition
// and instance), register, invoke, get, and every assert_* — in one Store, and
// counts commands: each command is one assertion (a `module` command asserts
// that the module loads and instantiates). Text modules are parsed in an
// isolated child process (engine::watToBinary), so a script can never crash
// the runner; a guest that does not finish is stopped by a per-command
// deadline (WastOptions::commandTimeout).
//
// Skip list. Commands listed in a skip list, one `FILE:LINE reason` entry per
// command, are still run; when one fails, it counts as skipped instead of
// failed. An entry is stale — reported in WastTotals::staleSkipEntries and
// counted in staleSkips, which callers treat as a failure — when no command
// starts at FILE:LINE, when its command now passes, or when its command was
// already skipped as a dependent (below).
//
// Dependent commands. A module whose command failed is unavailable. When that
// command is in the skip list, every later command that needs the module is
// counted as skipped without an entry of its own: invoke/get/assert_* on it,
// `register` of it, `module instance` of it, and any module that imports from
// a name it was registered under (such a module is in turn unavailable, with
// the same rule). When the failed command is not in the skip list, the
// commands that need the module count as failed.
//
// Thread safety: each runWastFile call makes its own Store and shares only the
// immutable Engine; the runner keeps no global state.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "compono/engine/engine.h"
#include "compono/result.h"

namespace compono::engine::wast {

struct SkipEntry {
  std::string file;    // basename, e.g. "br_table.wast"
  uint32_t line = 0;   // line of the command's opening parenthesis
  std::string reason;  // why it cannot pass (e.g. "GC proposal: wabt 1.0.32 cannot decode")
};

// Parses a skip list: one "FILE:LINE reason..." per line. Blank lines and
// lines whose first non-blank character is '#' are ignored. Every entry must
// have a reason; an entry given twice is an error. Errors name `name` and the
// line of the list.
Result<std::vector<SkipEntry>> parseSkipList(const std::string& text, const std::string& name);
// Reads and parses a skip-list file.
Result<std::vector<SkipEntry>> loadSkipList(const std::string& path);

struct WastOptions {
  // Entries for any file; runWastFile uses those whose `file` is the
  // basename of the script it runs.
  std::vector<SkipEntry> skips;
  bool verbose = false;  // log every command, and every skipped failure with its reason
  // Receives failure lines, stale skip entries and (verbose) progress.
  std::function<void(const std::string&)> log;
  // Wall-clock bound for each command that runs guest code (instantiation
  // with its start function, invoke, get). Unset: unbounded. Setting it makes
  // the Store meter fuel (StoreLimits::timeout), which slows guests slightly.
  std::optional<std::chrono::milliseconds> commandTimeout = std::chrono::seconds(60);
};

struct CommandFailure {
  std::string file;
  uint32_t line = 0;
  std::string command;  // "assert_return", "module", ...
  std::string message;  // what was expected and what happened
};

struct WastTotals {
  uint64_t passed = 0;
  uint64_t failed = 0;
  uint64_t skipped = 0;
  uint64_t staleSkips = 0;  // skip-list entries whose command did not exist or now passes
  // Of `skipped`: commands whose module the Store's tier cannot run (the
  // native tier lacks a feature the module uses), and their dependents.
  uint64_t notOnThisTier = 0;
  std::vector<CommandFailure> failures;
  std::vector<std::string> staleSkipEntries;  // "FILE:LINE: why the entry is stale"
};

// Adds `from` into `into` (counts and lists).
void addTotals(WastTotals& into, const WastTotals& from);
// "1234 passed, 0 failed, 56 skipped, 0 stale skip entries"
std::string formatTotals(const WastTotals& totals);
// "FILE:LINE: COMMAND: MESSAGE"
std::string formatFailure(const CommandFailure& failure);

// Runs one script file. Errors only for problems outside the script's
// assertions (file unreadable, unbalanced parentheses, unterminated string);
// assertion failures are counted in the totals.
Result<WastTotals> runWastFile(const Engine& engine, const std::string& path,
                               const WastOptions& options);

}  // namespace compono::engine::wast
