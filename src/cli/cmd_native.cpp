// `compono compile` and `compono cache ls|clean`: the native tier's artifacts.
#include <cstdio>
#include <ctime>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "compono/engine/module.h"
#include "compono/engine/native.h"

namespace compono::cli {

using namespace compono::engine;
using nlohmann::json;

static std::string kib(uint64_t bytes) {
  char buf[32];
  if (bytes >= (10ull << 20)) snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(bytes) / (1 << 20));
  else snprintf(buf, sizeof buf, "%.1f KiB", static_cast<double>(bytes) / 1024);
  return buf;
}

int compileCommand(const CompileOptionsCli& o) {
  EngineConfig ec;
  ec.cacheDir = o.cacheDir;
  Engine engine(ec);
  auto module = Module::fromFile(engine, o.file);
  if (!module.ok()) return printError(module.error()), exitCodeFor(module.error());
  StoreLimits limits;
  if (o.fuel) limits.fuel = 1;
  if (o.timeout) limits.timeout = std::chrono::seconds(1);
  if (o.maxMemory) limits.maxMemoryBytes = 1;
  if (o.maxTable) limits.maxTableElements = 1;
  if (o.maxStack) limits.maxCallDepth = 1;
  auto art = compileNative(**module, limits);
  if (!art.ok()) return printError(art.error()), kExitUserError;
  if (o.json) {
    json j = {{"file", o.file},       {"cached", art->wasCached},    {"key", art->key},
              {"path", art->path},    {"compileSeconds", art->compileSeconds},
              {"peakRssKiB", art->peakRssKiB}, {"units", art->units}, {"cBytes", art->cBytes},
              {"soBytes", art->soBytes}, {"wasmBytes", (*module)->bytes().size()}};
    std::printf("%s\n", j.dump(2).c_str());
    return kExitOk;
  }
  if (art->wasCached) {
    std::printf("%s: already compiled (cache key %s)\n", o.file.c_str(), art->key.substr(0, 16).c_str());
  } else {
    std::printf("%s: compiled natively in %.2f s: %s of wasm -> %s of C in %llu units -> %s shared object "
                "(peak compiler memory %s); cache key %s\n",
                o.file.c_str(), art->compileSeconds, kib((*module)->bytes().size()).c_str(),
                kib(art->cBytes).c_str(), static_cast<unsigned long long>(art->units), kib(art->soBytes).c_str(),
                kib(art->peakRssKiB * 1024).c_str(), art->key.substr(0, 16).c_str());
  }
  return kExitOk;
}

int cacheCommand(const CacheOptions& o) {
  EngineConfig ec;
  ec.cacheDir = o.cacheDir;
  Engine engine(ec);
  if (o.action == "clean") {
    auto n = cleanNativeCache(engine);
    if (!n.ok()) return printError(n.error()), kExitUserError;
    if (o.json) std::printf("%s\n", json({{"removed", *n}, {"dir", nativeCacheDir(engine)}}).dump(2).c_str());
    else std::printf("removed %zu cached artifact(s) from %s\n", *n, nativeCacheDir(engine).c_str());
    return kExitOk;
  }
  auto entries = listNativeCache(engine);
  if (!entries.ok()) return printError(entries.error()), kExitUserError;
  if (o.json) {
    json a = json::array();
    for (auto& e : *entries) {
      a.push_back({{"key", e.key}, {"module", e.module}, {"wasmBytes", e.wasmBytes}, {"cBytes", e.cBytes},
                   {"soBytes", e.soBytes}, {"compileSeconds", e.compileSeconds},
                   {"peakRssKiB", e.peakRssKiB}, {"units", e.units}, {"created", e.created}});
    }
    std::printf("%s\n", json({{"dir", nativeCacheDir(engine)}, {"entries", a}}).dump(2).c_str());
    return kExitOk;
  }
  std::printf("%s: %zu artifact(s)\n", nativeCacheDir(engine).c_str(), entries->size());
  if (!entries->empty()) {
    std::printf("%-16s  %10s  %10s  %8s  %-19s  %s\n", "KEY", "WASM", "NATIVE", "COMPILE", "CREATED", "MODULE");
  }
  for (auto& e : *entries) {
    char when[32];
    time_t t = static_cast<time_t>(e.created);
    strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", localtime(&t));
    std::printf("%-16s  %10s  %10s  %7.2fs  %-19s  %s\n", e.key.substr(0, 16).c_str(), kib(e.wasmBytes).c_str(),
                kib(e.soBytes).c_str(), e.compileSeconds, when, e.module.c_str());
  }
  return kExitOk;
}

}  // namespace compono::cli
