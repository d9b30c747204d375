// libFuzzer target: decode + validate + instantiate + call, on arbitrary bytes.
//
// Every import is satisfied with a stub of the right type so instantiation
// proceeds as far as the module allows; the store is bounded (fuel, memory,
// tables, call depth) so that no input can hang or exhaust the fuzzer.
#include <cstddef>
#include <cstdint>
#include <span>

#include "compono/engine/linker.h"
#include "compono/engine/module.h"
#include "compono/engine/store.h"

using namespace compono;
using namespace compono::engine;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Engine engine;
  auto module = Module::fromBinary(engine, std::span<const uint8_t>(data, size), "fuzz.wasm");
  if (!module.ok()) return 0;

  StoreLimits limits;
  limits.fuel = 200'000;
  limits.maxMemoryBytes = 16ull << 20;
  limits.maxTableElements = 10'000;
  limits.maxCallDepth = 200;
  Store store(engine, limits);
  Linker linker;
  for (const ImportType& imp : (*module)->imports()) {
    switch (imp.type.kind) {
      case ExternKind::kFunc: {
        HostFunc h;
        h.type = imp.type.func;
        h.callback = [](Caller&, std::span<const Val>, std::span<Val>) { return okStatus(); };
        linker.defineFunc(imp.module, imp.name, std::move(h));
        break;
      }
      case ExternKind::kMemory: {
        if (imp.type.memory.limits.min > 256) return 0;
        auto m = newMemory(store, imp.type.memory);
        if (m.ok()) linker.define(imp.module, imp.name, *m);
        break;
      }
      case ExternKind::kTable: {
        if (imp.type.table.limits.min > 10'000) return 0;
        auto t = newTable(store, imp.type.table, Val::makeRef(imp.type.table.element, RefVal{}));
        if (t.ok()) linker.define(imp.module, imp.name, *t);
        break;
      }
      case ExternKind::kGlobal: {
        auto g = newGlobal(store, imp.type.global, Val::zero(imp.type.global.type));
        if (g.ok()) linker.define(imp.module, imp.name, *g);
        break;
      }
      case ExternKind::kTag: return 0;
    }
  }
  auto instance = linker.instantiate(store, *module);
  if (!instance.ok()) return 0;
  for (auto& [name, ext] : instance->exports()) {
    if (auto* f = std::get_if<Func>(&ext)) {
      FuncType t = f->type();
      std::vector<Val> args;
      for (ValType p : t.params) args.push_back(Val::zero(p));
      (void)f->call(args);
    }
  }
  return 0;
}
