// In-process costs of a module whose native artifact is already cached:
// decode, instantiate, the first instantiation in a fresh process (disk
// cache lookup + dlopen), and one call into the guest, on both tiers.
//
//   instantiate_bench --cache-dir=DIR [--module=PATH]... [benchmark flags]
//
// Each --module is benchmarked under the name of its file. The native
// artifact is built (or found in DIR) before any timing starts, so every
// timed AOT instantiation is of a cached module. Modules are instantiated
// with WASI preview 1 bound (their imports must be WASI's or none).
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "compono/engine/engine.h"
#include "compono/engine/linker.h"
#include "compono/engine/module.h"
#include "compono/engine/store.h"
#include "compono/wasi/wasi.h"

namespace {

using namespace compono;
using namespace compono::engine;

std::string gCacheDir;

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "instantiate_bench: %s\n", what.c_str());
  std::exit(1);
}

template <typename T>
T need(Result<T> r, const std::string& what) {
  if (!r.ok()) die(what + ": " + r.error().oneLine());
  return std::move(*r);
}

std::unique_ptr<Engine> makeEngine(Tier tier) {
  EngineConfig c;
  c.tier = tier;
  c.cacheDir = gCacheDir;
  return std::make_unique<Engine>(c);
}

std::unique_ptr<wasi::WasiCtx> makeWasi(const std::string& name) {
  wasi::WasiConfig wc;
  wc.args = {name};
  wc.stdoutFd = -1;  // guests under test print nothing, and must not print into the report
  return need(wasi::WasiCtx::create(std::move(wc)), "WASI");
}

// One module on one tier, loaded once; its first instantiation (outside any
// timing) compiles or finds the native artifact and loads it.
struct Fixture {
  std::string path, name;
  Tier tier;
  std::vector<uint8_t> bytes;
  std::unique_ptr<Engine> engine;
  std::shared_ptr<const Module> module;
  std::unique_ptr<wasi::WasiCtx> wasi;
  Linker linker;

  Fixture(std::string p, Tier t) : path(std::move(p)), tier(t) {
    name = std::filesystem::path(path).filename().string();
    bytes = need(readFileBytes(path), path);
    engine = makeEngine(tier);
    module = need(Module::fromBinary(*engine, bytes, name), path);
    wasi = makeWasi(name);
    wasi->addToLinker(linker);
    Store warm(*engine);
    need(linker.instantiate(warm, module), path + ": first instantiation");
    if (warm.activeTier() != tier) die(path + ": ran on the " + tierName(warm.activeTier()) + " tier");
  }
};

// Store + instantiate + Store teardown, with WASI host functions already in a
// Linker: what a host pays per request for a module it has loaded.
void instantiate(benchmark::State& state, Fixture* f) {
  for (auto _ : state) {
    Store store(*f->engine);
    auto inst = f->linker.instantiate(store, f->module);
    if (!inst.ok()) {
      state.SkipWithError(inst.error().oneLine().c_str());
      break;
    }
    benchmark::DoNotOptimize(inst->handle());
  }
}

// The same, plus a fresh WASI context and Linker (a per-request sandbox).
void instantiateWithWasi(benchmark::State& state, Fixture* f) {
  for (auto _ : state) {
    auto wasi = makeWasi(f->name);
    Linker linker;
    wasi->addToLinker(linker);
    Store store(*f->engine);
    auto inst = linker.instantiate(store, f->module);
    if (!inst.ok()) {
      state.SkipWithError(inst.error().oneLine().c_str());
      break;
    }
    benchmark::DoNotOptimize(inst->handle());
  }
}

// Decode + validate + SHA-256 of the bytes (no file I/O).
void decode(benchmark::State& state, Fixture* f) {
  for (auto _ : state) {
    auto m = Module::fromBinary(*f->engine, f->bytes, f->name);
    if (!m.ok()) {
      state.SkipWithError(m.error().oneLine().c_str());
      break;
    }
    benchmark::DoNotOptimize(m->get());
  }
}

// What a fresh process pays before the guest runs, minus process start:
// new Engine, decode, then the first instantiation, which finds the artifact
// in the disk cache (verifying it) and dlopens it.
void coldInstantiate(benchmark::State& state, Fixture* f) {
  for (auto _ : state) {
    auto engine = makeEngine(f->tier);
    auto m = Module::fromBinary(*engine, f->bytes, f->name);
    if (!m.ok()) {
      state.SkipWithError(m.error().oneLine().c_str());
      break;
    }
    Store store(*engine);
    auto inst = f->linker.instantiate(store, *m);
    if (!inst.ok()) {
      state.SkipWithError(inst.error().oneLine().c_str());
      break;
    }
    benchmark::DoNotOptimize(inst->handle());
  }
}

// One call of an exported function that takes and returns nothing.
void callNop(benchmark::State& state, Fixture* f, std::string exportName) {
  Store store(*f->engine);
  auto inst = f->linker.instantiate(store, f->module);
  if (!inst.ok()) {
    state.SkipWithError(inst.error().oneLine().c_str());
    return;
  }
  auto fn = inst->getFunc(exportName);
  if (!fn) {
    state.SkipWithError(("no export " + exportName).c_str());
    return;
  }
  for (auto _ : state) {
    auto r = fn->call({});
    if (!r.ok()) {
      state.SkipWithError(r.error().oneLine().c_str());
      break;
    }
    benchmark::DoNotOptimize(r->size());
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> modules;
  std::vector<char*> rest = {argv[0]};
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("--module=", 0) == 0) modules.push_back(a.substr(9));
    else if (a.rfind("--cache-dir=", 0) == 0) gCacheDir = a.substr(12);
    else rest.push_back(argv[i]);
  }
  if (gCacheDir.empty() || modules.empty()) {
    std::fprintf(stderr, "usage: instantiate_bench --cache-dir=DIR --module=PATH... [benchmark flags]\n");
    return 2;
  }
  int restc = static_cast<int>(rest.size());
  benchmark::Initialize(&restc, rest.data());
  if (benchmark::ReportUnrecognizedArguments(restc, rest.data())) return 2;

  std::vector<std::unique_ptr<Fixture>> fixtures;
  for (const std::string& path : modules) {
    for (Tier tier : {Tier::kAot, Tier::kInterp}) {
      fixtures.push_back(std::make_unique<Fixture>(path, tier));
      Fixture* f = fixtures.back().get();
      std::string t = tierName(tier);
      benchmark::RegisterBenchmark(("instantiate/" + t + "/" + f->name).c_str(), instantiate, f);
      benchmark::RegisterBenchmark(("instantiate_with_wasi/" + t + "/" + f->name).c_str(), instantiateWithWasi, f);
      benchmark::RegisterBenchmark(("cold_instantiate/" + t + "/" + f->name).c_str(), coldInstantiate, f);
      if (tier == Tier::kAot) benchmark::RegisterBenchmark(("decode/" + f->name).c_str(), decode, f);
      if (f->module->exportType("nop")) {
        benchmark::RegisterBenchmark(("call_nop/" + t + "/" + f->name).c_str(), callNop, f, std::string("nop"));
      }
    }
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
