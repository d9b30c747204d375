// Runs spec scripts (.wast) with Compono's runner and reports totals.
//
//   wast_conformance [--skip-list FILE]... [--verbose] [--timeout-ms N] [--tier interp|aot] [--draft-skips] FILE.wast...
//
// Prints every unexpected failure and stale skip entry, one line per file with
// its totals, and the overall totals. Exits 1 when any command failed
// unexpectedly or any skip entry is stale, 2 on a usage or I/O error.
// --draft-skips prints each unexpected failure as a skip-list line whose
// reason still has to be written (a drafting aid, never a list to commit
// unread).
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "compono/engine/engine.h"
#include "compono/engine/wast.h"

namespace wast = compono::engine::wast;

int main(int argc, char** argv) {
  compono::engine::Tier tier = compono::engine::Tier::kInterp;
  wast::WastOptions options;
  std::vector<std::string> files;
  bool draft = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--skip-list" && i + 1 < argc) {
      auto skips = wast::loadSkipList(argv[++i]);
      if (!skips.ok()) {
        std::fprintf(stderr, "%s\n", skips.error().message.c_str());
        return 2;
      }
      // Repeatable: a tier's own list adds to the common one.
      options.skips.insert(options.skips.end(), skips->begin(), skips->end());
    } else if (a == "--verbose") {
      options.verbose = true;
    } else if (a == "--timeout-ms" && i + 1 < argc) {
      long ms = std::strtol(argv[++i], nullptr, 10);
      if (ms > 0) {
        options.commandTimeout = std::chrono::milliseconds(ms);
      } else {
        options.commandTimeout.reset();
      }
    } else if (a == "--tier" && i + 1 < argc) {
      std::string t = argv[++i];
      if (t != "interp" && t != "aot") {
        std::fprintf(stderr, "--tier must be interp or aot\n");
        return 2;
      }
      tier = t == "aot" ? compono::engine::Tier::kAot : compono::engine::Tier::kInterp;
    } else if (a == "--draft-skips") {
      draft = true;
    } else if (!a.empty() && a[0] == '-') {
      std::fprintf(stderr, "unknown option %s\n", a.c_str());
      return 2;
    } else {
      files.push_back(a);
    }
  }
  if (files.empty()) {
    std::fprintf(stderr,
                 "usage: wast_conformance [--skip-list FILE] [--verbose] [--timeout-ms N] "
                 "[--tier interp|aot] [--draft-skips] FILE.wast...\n");
    return 2;
  }
  options.log = [draft](const std::string& line) {
    if (!draft) std::printf("%s\n", line.c_str());
  };

  compono::engine::EngineConfig config;
  config.tier = tier;
  compono::engine::Engine engine(config);
  wast::WastTotals overall;
  bool ioError = false;
  for (const std::string& file : files) {
    auto totals = wast::runWastFile(engine, file, options);
    if (!totals.ok()) {
      std::fprintf(stderr, "%s\n", totals.error().message.c_str());
      ioError = true;
      continue;
    }
    if (draft) {
      for (const auto& f : totals->failures) {
        std::printf("%s:%u TODO  # %s: %s\n", f.file.c_str(), f.line, f.command.c_str(),
                    f.message.substr(0, 300).c_str());
      }
    } else {
      std::printf("%s: %s\n", file.c_str(), wast::formatTotals(*totals).c_str());
    }
    wast::addTotals(overall, *totals);
    std::fflush(stdout);
  }
  if (!draft && files.size() > 1) std::printf("total: %s\n", wast::formatTotals(overall).c_str());
  if (ioError) return 2;
  return overall.failed == 0 && overall.staleSkips == 0 ? 0 : 1;
}
