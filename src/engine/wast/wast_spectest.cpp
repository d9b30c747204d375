// The `spectest` host module (see wast_spectest.h).
#include "engine/wast/wast_spectest.h"

#include "compono/engine/host.h"
#include "compono/engine/instance.h"

namespace compono::engine::wast {

namespace {

constexpr const char* kModule = "spectest";

template <typename... Args>
void definePrint(Linker& linker, const char* name) {
  linker.defineFunc(kModule, name, typedHost<void, Args...>([](Caller&, Args...) -> Status {
                      return okStatus();
                    }));
}

}  // namespace

Status defineSpectest(Linker& linker, Store& store) {
  definePrint<>(linker, "print");
  definePrint<int32_t>(linker, "print_i32");
  definePrint<int64_t>(linker, "print_i64");
  definePrint<float>(linker, "print_f32");
  definePrint<double>(linker, "print_f64");
  definePrint<int32_t, float>(linker, "print_i32_f32");
  definePrint<double, double>(linker, "print_f64_f64");

  struct GlobalDef {
    const char* name;
    Val value;
  };
  const GlobalDef globals[] = {
      {"global_i32", Val::makeI32(666)},
      {"global_i64", Val::makeI64(666)},
      {"global_f32", Val::makeF32(666.6f)},
      {"global_f64", Val::makeF64(666.6)},
  };
  for (const GlobalDef& g : globals) {
    COMPONO_ASSIGN(Global global, newGlobal(store, GlobalType{g.value.type, false}, g.value));
    linker.define(kModule, g.name, global);
  }

  TableType table;
  table.element = ValType::kFuncRef;
  table.limits.min = 10;
  table.limits.max = 20;
  COMPONO_ASSIGN(Table t, newTable(store, table, Val::makeRef(ValType::kFuncRef, RefVal{})));
  linker.define(kModule, "table", t);

  MemoryType memory;
  memory.limits.min = 1;
  memory.limits.max = 2;
  COMPONO_ASSIGN(Memory m, newMemory(store, memory));
  linker.define(kModule, "memory", m);
  return okStatus();
}

}  // namespace compono::engine::wast
