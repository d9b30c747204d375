// compono/component/wast.h — a runner for component-model .wast scripts
// (the WebAssembly/component-model and wasm-tools test suites).
//
// Commands and what passing means:
//  - `(component ...)`, `(component definition ...)`, `(component binary ...)`,
//    `(component quote ...)`: the text is read (text.h), encoded, decoded
//    again (binary.h) and validated (validate.h, core modules included);
//  - `(module ...)` (core): parsed and validated by the engine;
//  - `(assert_invalid X "msg")`: X is read, then rejected by the decoder or
//    the validator. A failure to read the text is a failure of the command
//    (the reader could not tell), not a pass. A rejection because X uses a
//    feature beyond 0.2 passes only when "msg" says a feature is not
//    enabled (the missing-features scripts);
//  - `(assert_malformed X "msg")`: X is rejected at any stage;
//  - `(assert_return (invoke "f" args...) results...)`: the last top-level
//    component is instantiated (without imports) and `f` called; args and
//    results are the `(T.const v)` forms of the suite (bool, integers,
//    floats, char, string);
//  - anything else (assert_trap, register, ...) fails as unsupported.
// Message texts of assert_invalid/assert_malformed are wasm-tools' wording;
// they are compared for information only (WastTotals::messageMatches).
//
// Skip list: one entry per line, "PATH:LINE reason" for one command or
// "PATH reason" for a whole script, PATH relative to the suite root. A
// command covered by an entry that fails counts as skipped; a line entry
// whose command passes, or a file entry whose commands all pass, is stale
// (counted in staleSkips; callers treat it as a failure).
//
// Thread safety: reentrant; every run has its own state.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "compono/result.h"

namespace compono::component::wast {

struct SkipEntry {
  std::string path;    // relative to the suite root, e.g. "component-model/async/abi.wast"
  uint32_t line = 0;   // 0: the whole script
  std::string reason;  // required
};

Result<std::vector<SkipEntry>> parseSkipList(const std::string& text, const std::string& name);
Result<std::vector<SkipEntry>> loadSkipList(const std::string& path);

struct WastOptions {
  std::vector<SkipEntry> skips;
  bool verbose = false;  // log every command and every skipped failure
  std::function<void(const std::string&)> log;
};

struct WastTotals {
  uint64_t passed = 0;
  uint64_t failed = 0;
  uint64_t skipped = 0;
  uint64_t staleSkips = 0;
  uint64_t messageMatches = 0;  // assert_invalid/malformed whose message contains the expected text
  uint64_t messageChecks = 0;
};

// Runs the script at `path`; `key` is its path relative to the suite root
// (what skip entries name). An unreadable file or a script that is not
// S-expressions is an error.
Result<WastTotals> runComponentWastFile(const std::string& path, const std::string& key,
                                        const WastOptions& options);

}  // namespace compono::component::wast
