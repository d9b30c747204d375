#include <cstdio>
#include "compono/engine/module.h"
#include "compono/engine/linker.h"
#include "compono/engine/store.h"
using namespace compono::engine;
int main(int argc, char** argv) {
  Engine engine;
  auto m = Module::fromFile(engine, argv[1]);
  if (!m.ok()) { fprintf(stderr, "%s\n", m.error().message.c_str()); return 1; }
  StoreLimits lim;
  if (argc > 3) lim.fuel = atoll(argv[3]);
  if (argc > 4) lim.maxCallDepth = atoi(argv[4]);
  Store store(engine, lim);
  Linker linker;
  auto inst = linker.instantiate(store, *m);
  if (!inst.ok()) { fprintf(stderr, "%s\n", inst.error().withBacktrace().c_str()); return 1; }
  auto f = inst->getFunc(argv[2]);
  std::vector<Val> args;
  for (auto t : f->type().params) { (void)t; args.push_back(Val::makeI32(getenv("N")?atoi(getenv("N")):30)); }
  auto r = f->call(args);
  if (!r.ok()) { fprintf(stderr, "%s\n", r.error().withBacktrace().c_str()); return 3; }
  for (auto& v : *r) printf("%s\n", v.toString().c_str());
  printf("fuel %llu\n", (unsigned long long)store.fuelConsumed());
}
