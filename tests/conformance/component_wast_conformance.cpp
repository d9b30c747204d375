// Runs component-model .wast scripts with Compono's component runner
// (compono/component/wast.h) and reports totals.
//
//   component_wast_conformance --root DIR [--skip-list FILE] [--verbose] FILE.wast...
//
// Scripts are named relative to --root in messages and skip entries. Prints
// every unexpected failure and stale skip entry, one line per file with its
// totals, and the overall totals ("passed N, failed N, skipped N"). Exits 1
// when any command failed unexpectedly or any skip entry is stale, 2 on a
// usage or I/O error.
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "compono/component/wast.h"

namespace wast = compono::component::wast;

int main(int argc, char** argv) {
  wast::WastOptions options;
  std::vector<std::string> files;
  std::string root;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--skip-list" && i + 1 < argc) {
      auto skips = wast::loadSkipList(argv[++i]);
      if (!skips.ok()) {
        std::fprintf(stderr, "%s\n", skips.error().message.c_str());
        return 2;
      }
      options.skips.insert(options.skips.end(), skips->begin(), skips->end());
    } else if (a == "--root" && i + 1 < argc) {
      root = argv[++i];
    } else if (a == "--verbose") {
      options.verbose = true;
    } else if (!a.empty() && a[0] == '-') {
      std::fprintf(stderr, "unknown option %s\n", a.c_str());
      return 2;
    } else {
      files.push_back(a);
    }
  }
  if (files.empty()) {
    std::fprintf(stderr,
                 "usage: component_wast_conformance --root DIR [--skip-list FILE] [--verbose] "
                 "FILE.wast...\n");
    return 2;
  }
  options.log = [](const std::string& line) { std::printf("%s\n", line.c_str()); };
  wast::WastTotals overall;
  bool ioError = false;
  for (const std::string& file : files) {
    std::string key = file;
    if (!root.empty()) {
      key = std::filesystem::path(file).lexically_relative(root).generic_string();
    }
    auto totals = wast::runComponentWastFile(file, key, options);
    if (!totals.ok()) {
      std::fprintf(stderr, "%s\n", totals.error().message.c_str());
      ioError = true;
      continue;
    }
    std::printf("%s: passed %llu, failed %llu, skipped %llu%s\n", key.c_str(),
                static_cast<unsigned long long>(totals->passed),
                static_cast<unsigned long long>(totals->failed),
                static_cast<unsigned long long>(totals->skipped),
                totals->staleSkips ? ", stale skip entries" : "");
    overall.passed += totals->passed;
    overall.failed += totals->failed;
    overall.skipped += totals->skipped;
    overall.staleSkips += totals->staleSkips;
    overall.messageChecks += totals->messageChecks;
    overall.messageMatches += totals->messageMatches;
  }
  std::printf(
      "total: passed %llu, failed %llu, skipped %llu, stale skip entries %llu "
      "(assert_invalid/assert_malformed messages matching wasm-tools' wording: %llu of %llu)\n",
      static_cast<unsigned long long>(overall.passed),
      static_cast<unsigned long long>(overall.failed),
      static_cast<unsigned long long>(overall.skipped),
      static_cast<unsigned long long>(overall.staleSkips),
      static_cast<unsigned long long>(overall.messageMatches),
      static_cast<unsigned long long>(overall.messageChecks));
  if (ioError) return 2;
  return overall.failed == 0 && overall.staleSkips == 0 ? 0 : 1;
}
