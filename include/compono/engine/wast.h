// compono/engine/wast.h — the WebAssembly spec-script (.wast) runner.
//
// Runs every command of a script — module (text, binary, quote), register,
// invoke, get, and every assert_* — in one Store, and counts assertions.
// Commands listed in a skip list (with the reason beside each entry) are
// counted as skipped, not run. Text modules are parsed in an isolated child
// process, so a script can never crash the runner.
#pragma once

#include <cstdint>
#include <functional>
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

// Parses a skip list: one "FILE:LINE reason..." per line; '#' starts a comment.
// Every entry must have a reason.
Result<std::vector<SkipEntry>> parseSkipList(const std::string& text, const std::string& name);

struct WastOptions {
  std::vector<SkipEntry> skips;
  bool verbose = false;  // log every command
  // Receives progress and failure lines (default: none).
  std::function<void(const std::string&)> log;
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
  std::vector<CommandFailure> failures;
  std::vector<std::string> staleSkipEntries;
};

// Runs one script file. Errors only for problems outside the script's
// assertions (file unreadable, unbalanced parentheses); assertion failures are
// counted in the totals.
Result<WastTotals> runWastFile(const Engine& engine, const std::string& path,
                               const WastOptions& options);

}  // namespace compono::engine::wast
