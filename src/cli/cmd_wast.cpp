// `compono wast`: run WebAssembly spec scripts and report assertion totals.
#include <cstdio>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "compono/engine/module.h"
#include "compono/engine/wast.h"

namespace compono::cli {

using namespace compono::engine;

int wastCommand(const WastOptions& o) {
  wast::WastOptions wo;
  wo.verbose = o.verbose;
  for (const std::string& list : o.skipLists) {
    auto skips = wast::loadSkipList(list);
    if (!skips.ok()) return printError(skips.error()), kExitUserError;
    wo.skips.insert(wo.skips.end(), skips->begin(), skips->end());
  }
  if (!o.json) wo.log = [](const std::string& line) { std::fprintf(stderr, "%s\n", line.c_str()); };

  EngineConfig ec;
  ec.tier = o.tier == "aot" ? Tier::kAot : Tier::kInterp;
  Engine engine(ec);
  wast::WastTotals all;
  nlohmann::json files = nlohmann::json::array();
  bool hadError = false;
  for (const std::string& f : o.files) {
    auto t = wast::runWastFile(engine, f, wo);
    if (!t.ok()) {
      printError(t.error());
      hadError = true;
      files.push_back({{"file", f}, {"error", t.error().oneLine()}});
      continue;
    }
    all.passed += t->passed;
    all.failed += t->failed;
    all.skipped += t->skipped;
    all.staleSkips += t->staleSkips;
    nlohmann::json fj = {{"file", f}, {"passed", t->passed}, {"failed", t->failed},
                         {"skipped", t->skipped}, {"staleSkips", t->staleSkips}};
    nlohmann::json fails = nlohmann::json::array();
    for (auto& c : t->failures) {
      fails.push_back({{"line", c.line}, {"command", c.command}, {"message", c.message}});
      if (!o.json) {
        std::fprintf(stderr, "FAIL %s:%u %s: %s\n", c.file.c_str(), c.line, c.command.c_str(),
                     c.message.c_str());
      }
    }
    for (auto& s : t->staleSkipEntries) {
      if (!o.json) std::fprintf(stderr, "STALE SKIP %s\n", s.c_str());
    }
    fj["failures"] = fails;
    files.push_back(fj);
    if (!o.json) {
      std::printf("%s: %llu passed, %llu failed, %llu skipped\n", f.c_str(),
                  static_cast<unsigned long long>(t->passed), static_cast<unsigned long long>(t->failed),
                  static_cast<unsigned long long>(t->skipped));
    }
  }
  if (o.json) {
    nlohmann::json j = {{"passed", all.passed}, {"failed", all.failed}, {"skipped", all.skipped},
                        {"staleSkips", all.staleSkips}, {"files", files}};
    std::printf("%s\n", j.dump(2).c_str());
  } else if (o.files.size() > 1) {
    std::printf("total: %llu passed, %llu failed, %llu skipped (%zu files)\n",
                static_cast<unsigned long long>(all.passed), static_cast<unsigned long long>(all.failed),
                static_cast<unsigned long long>(all.skipped), o.files.size());
  }
  return (hadError || all.failed || all.staleSkips) ? kExitUserError : kExitOk;
}

}  // namespace compono::cli
