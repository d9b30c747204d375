// The native tier: the same results, traps, limits and host behaviour as the
// interpreter (differential), and the artifact cache's promises.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "compono/engine/host.h"
#include "compono/engine/linker.h"
#include "compono/engine/module.h"
#include "compono/engine/native.h"
#include "compono/engine/store.h"
#include "engine/aot/cgen.h"
#include "engine/aot/compiler.h"
#include "support/test_support.h"

namespace compono::engine {
namespace {

const char* kTraps = R"((module $traps
  (type $i2i (func (param i32) (result i32)))
  (type $v2v (func))
  (memory (export "memory") 1 4)
  (table $t 4 10 funcref)
  (elem (table $t) (i32.const 0) func $double $nop)
  (func $double (type $i2i) (i32.mul (local.get 0) (i32.const 2)))
  (func $nop (type $v2v))
  (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  (func (export "f64mul") (param f64 f64) (result f64) (f64.mul (local.get 0) (local.get 1)))
  (func (export "i64add") (param i64 i64) (result i64) (i64.add (local.get 0) (local.get 1)))
  (func $divide (export "div") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
  (func $inner (param i32) (result i32) (call $divide (i32.const 1) (local.get 0)))
  (func (export "nested") (param i32) (result i32) (call $inner (local.get 0)))
  (func (export "unreachable") unreachable)
  (func (export "load") (param i32) (result i32) (i32.load (local.get 0)))
  (func (export "store") (param i32 i32) (i32.store (local.get 0) (local.get 1)))
  (func (export "trunc") (param f32) (result i32) (i32.trunc_f32_s (local.get 0)))
  (func (export "tget") (param i32) (result funcref) (table.get $t (local.get 0)))
  (func (export "icall") (param i32 i32) (result i32)
    (call_indirect $t (type $i2i) (local.get 1) (local.get 0)))
  (func $rec (export "rec") (param i32) (result i32) (call $rec (i32.add (local.get 0) (i32.const 1))))
  (func (export "spin") (loop $l (br $l)))
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "tgrow") (param i32) (result i32) (table.grow $t (ref.null func) (local.get 0)))
  (func (export "fill") (param i32 i32) (memory.fill (local.get 0) (i32.const 7) (local.get 1)))
  (global $g (export "g") (mut i64) (i64.const 40))
  (func (export "bumpg") (result i64) (global.set $g (i64.add (global.get $g) (i64.const 2))) (global.get $g))
))";

class Tiers : public ::testing::TestWithParam<Tier> {
 protected:
  Tiers() : engine_(config(GetParam(), cache_.path())) {}
  static EngineConfig config(Tier t, const std::string& dir) {
    EngineConfig c;
    c.tier = t;
    c.cacheDir = dir;
    return c;
  }
  std::shared_ptr<const Module> load(const char* wat) {
    auto m = Module::fromText(engine_, wat, "traps.wat");
    EXPECT_TRUE(m.ok()) << (m.ok() ? "" : m.error().message);
    return *m;
  }
  Result<std::vector<Val>> call(Instance& inst, const char* name, std::vector<Val> args) {
    return inst.getFunc(name)->call(args);
  }
  test::TempDir cache_;
  Engine engine_;
};

TEST_P(Tiers, ResultsAndTraps) {
  auto m = load(kTraps);
  Store s(engine_);
  auto inst = Linker().instantiate(s, m);
  ASSERT_TRUE(inst.ok()) << inst.error().message;
  EXPECT_EQ(s.activeTier(), GetParam());

  auto r = call(*inst, "add", {Val::makeI32(40), Val::makeI32(2)});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)[0].i32, 42u);
  r = call(*inst, "f64mul", {Val::makeF64(1.5), Val::makeF64(-4)});
  EXPECT_EQ((*r)[0].f64, -6.0);
  r = call(*inst, "i64add", {Val::makeI64(UINT64_MAX), Val::makeI64(2)});
  EXPECT_EQ((*r)[0].i64, 1u);
  r = call(*inst, "icall", {Val::makeI32(0), Val::makeI32(21)});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ((*r)[0].i32, 42u);
  r = call(*inst, "bumpg", {});
  EXPECT_EQ((*r)[0].i64, 42u);
  EXPECT_EQ(inst->getGlobal("g")->get().i64, 42u);
  ASSERT_TRUE(call(*inst, "store", {Val::makeI32(100), Val::makeI32(0xabcd)}).ok());
  EXPECT_EQ(inst->getMemory("memory")->data()[100], 0xcd);

  struct Case {
    const char* fn;
    std::vector<Val> args;
    TrapCode code;
    const char* text;
  };
  std::vector<Case> cases = {
      {"div", {Val::makeI32(1), Val::makeI32(0)}, TrapCode::kIntegerDivideByZero, "integer divide by zero"},
      {"div", {Val::makeI32(0x80000000), Val::makeI32(-1)}, TrapCode::kIntegerOverflow, "integer overflow"},
      {"unreachable", {}, TrapCode::kUnreachable, "unreachable"},
      {"load", {Val::makeI32(65535)}, TrapCode::kMemoryOutOfBounds, "out of bounds memory access"},
      {"load", {Val::makeI32(0xfffffff0)}, TrapCode::kMemoryOutOfBounds, "out of bounds memory access"},
      {"fill", {Val::makeI32(65530), Val::makeI32(100)}, TrapCode::kMemoryOutOfBounds, "out of bounds memory access"},
      {"trunc", {Val::makeF32(NAN)}, TrapCode::kInvalidConversion, "invalid conversion to integer"},
      {"trunc", {Val::makeF32(3e10f)}, TrapCode::kIntegerOverflow, "integer overflow"},
      {"tget", {Val::makeI32(5)}, TrapCode::kTableOutOfBounds, "out of bounds table access"},
      {"icall", {Val::makeI32(9), Val::makeI32(1)}, TrapCode::kTableOutOfBounds, "out of bounds table access"},
      {"icall", {Val::makeI32(2), Val::makeI32(1)}, TrapCode::kIndirectCallNull, "uninitialized element"},
      {"icall", {Val::makeI32(1), Val::makeI32(1)}, TrapCode::kIndirectCallTypeMismatch, "indirect call type mismatch"},
      {"rec", {Val::makeI32(0)}, TrapCode::kCallStackExhausted, "call stack exhausted"},
  };
  for (const Case& c : cases) {
    auto t = call(*inst, c.fn, c.args);
    ASSERT_FALSE(t.ok()) << c.fn;
    EXPECT_EQ(t.error().code, ErrorCode::kTrap) << c.fn;
    EXPECT_EQ(t.error().trap, c.code) << c.fn << ": " << t.error().message;
    EXPECT_NE(t.error().message.find(c.text), std::string::npos) << t.error().message;
    // The store keeps working after every trap.
    auto ok = call(*inst, "add", {Val::makeI32(1), Val::makeI32(2)});
    ASSERT_TRUE(ok.ok());
  }
  auto bt = call(*inst, "nested", {Val::makeI32(0)});
  ASSERT_FALSE(bt.ok());
  ASSERT_FALSE(bt.error().backtrace.empty());
  EXPECT_EQ(bt.error().backtrace[0].module, "traps");
  if (GetParam() == Tier::kInterp) {
    ASSERT_GE(bt.error().backtrace.size(), 3u);
    EXPECT_EQ(bt.error().backtrace[0].funcName, "divide");
    EXPECT_EQ(bt.error().backtrace[1].funcName, "inner");
    EXPECT_EQ(bt.error().backtrace[2].funcName, "nested");
  } else {
    // The C compiler may inline callees into their caller: the innermost
    // frame is then the outermost function of the inlined chain.
    std::string top = bt.error().backtrace[0].funcName;
    EXPECT_TRUE(top == "divide" || top == "inner" || top == "nested") << top;
  }
}

TEST_P(Tiers, Limits) {
  auto m = load(kTraps);
  StoreLimits lim;
  lim.fuel = 50'000;
  lim.maxMemoryBytes = 2 * kWasmPageSize;
  lim.maxTableElements = 6;
  lim.maxCallDepth = 100;
  Store s(engine_, lim);
  auto inst = Linker().instantiate(s, m);
  ASSERT_TRUE(inst.ok()) << inst.error().message;
  EXPECT_EQ(s.activeTier(), GetParam());
  auto r = call(*inst, "add", {Val::makeI32(1), Val::makeI32(2)});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(s.fuelConsumed(), 3u);
  EXPECT_EQ(call(*inst, "grow", {Val::makeI32(1)}).value()[0].i32, 1u);
  EXPECT_EQ(call(*inst, "grow", {Val::makeI32(1)}).error().trap, TrapCode::kMemoryLimit);
  EXPECT_EQ(call(*inst, "tgrow", {Val::makeI32(2)}).value()[0].i32, 4u);
  EXPECT_EQ(call(*inst, "tgrow", {Val::makeI32(1)}).error().trap, TrapCode::kTableLimit);
  auto deep = call(*inst, "rec", {Val::makeI32(0)});
  EXPECT_EQ(deep.error().trap, TrapCode::kCallStackExhausted);
  EXPECT_NE(deep.error().message.find("more than 100 nested calls"), std::string::npos);
  EXPECT_EQ(call(*inst, "spin", {}).error().trap, TrapCode::kOutOfFuel);
}

// Store after Store on one thread (a server's request loop): every new
// instance's memory is all zeros and exactly its declared size, whatever
// the previous instance wrote or grew (the native tier reuses the freed
// memory's address space).
TEST_P(Tiers, EachStoreGetsFreshMemory) {
  auto m = load(kTraps);
  for (int round = 0; round < 3; ++round) {
    Store s(engine_);
    auto inst = Linker().instantiate(s, m);
    ASSERT_TRUE(inst.ok()) << inst.error().message;
    EXPECT_EQ(call(*inst, "grow", {Val::makeI32(0)}).value()[0].i32, 1u) << "round " << round;
    EXPECT_EQ(call(*inst, "load", {Val::makeI32(100)}).value()[0].i32, 0u) << "round " << round;
    EXPECT_EQ(call(*inst, "load", {Val::makeI32(65532)}).value()[0].i32, 0u) << "round " << round;
    // The previous round grew to 3 pages: here page 2 is out of bounds again.
    EXPECT_EQ(call(*inst, "load", {Val::makeI32(65536 + 8)}).error().trap,
              TrapCode::kMemoryOutOfBounds)
        << "round " << round;
    ASSERT_TRUE(call(*inst, "store", {Val::makeI32(100), Val::makeI32(0x5eed)}).ok());
    ASSERT_TRUE(call(*inst, "store", {Val::makeI32(65532), Val::makeI32(7)}).ok());
    EXPECT_EQ(call(*inst, "grow", {Val::makeI32(2)}).value()[0].i32, 1u);
    EXPECT_EQ(call(*inst, "load", {Val::makeI32(2 * 65536 + 8)}).value()[0].i32, 0u);
    ASSERT_TRUE(call(*inst, "store", {Val::makeI32(2 * 65536 + 8), Val::makeI32(9)}).ok());
  }
}

TEST_P(Tiers, Deadline) {
  auto m = load(kTraps);
  StoreLimits lim;
  lim.timeout = std::chrono::milliseconds(300);
  Store s(engine_, lim);
  auto inst = Linker().instantiate(s, m);
  ASSERT_TRUE(inst.ok()) << inst.error().message;
  auto r = call(*inst, "spin", {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().trap, TrapCode::kDeadline);
}

TEST_P(Tiers, HostFunctionsReentranceAndErrors) {
  auto m = load(R"((module $host
    (import "h" "twice" (func $twice (param i32) (result i32)))
    (import "h" "fail" (func $fail))
    (import "h" "exit" (func $exit (param i32)))
    (memory (export "memory") 1)
    (data (i32.const 8) "hi!")
    (func (export "inc") (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
    (func (export "go") (param i32) (result i32) (call $twice (local.get 0)))
    (func $failer (export "fail") (call $fail))
    (func (export "quit") (call $exit (i32.const 9)) unreachable)))");
  Linker l;
  std::string seen;
  l.defineFunc("h", "twice", typedHost<uint32_t, uint32_t>([&](Caller& c, uint32_t x) -> Result<uint32_t> {
                 seen = std::string(*c.memory().string(8, 3));
                 auto inc = std::get<Func>(*c.getExport("inc"));
                 Val v = Val::makeI32(x);
                 auto r = inc.call({&v, 1});
                 if (!r.ok()) return std::move(r).error();
                 return (*r)[0].i32 * 2;
               }));
  l.defineFunc("h", "fail", typedHost<void>([](Caller&) -> Status { return Error(ErrorCode::kWasi, "nope"); }));
  l.defineFunc("h", "exit", typedHost<void, int32_t>([](Caller&, int32_t c) -> Status { return Error::exit(c); }));
  Store s(engine_);
  auto inst = l.instantiate(s, m);
  ASSERT_TRUE(inst.ok()) << inst.error().message;
  auto r = call(*inst, "go", {Val::makeI32(20)});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ((*r)[0].i32, 42u);
  EXPECT_EQ(seen, "hi!");
  auto f = call(*inst, "fail", {});
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.error().trap, TrapCode::kHostError);
  EXPECT_NE(f.error().message.find("nope"), std::string::npos);
  ASSERT_FALSE(f.error().backtrace.empty());
  EXPECT_EQ(f.error().backtrace[0].funcName, "failer");
  auto q = call(*inst, "quit", {});
  ASSERT_FALSE(q.ok());
  EXPECT_EQ(q.error().code, ErrorCode::kExit);
  EXPECT_EQ(q.error().exitStatus, 9);
}

TEST_P(Tiers, LinkingInstancesTogether) {
  auto a = load(R"((module (memory (export "mem") 1) (global (export "g") (mut i32) (i32.const 5))
    (func (export "get") (param i32) (result i32) (i32.load8_u (local.get 0)))))");
  auto b = load(R"((module (import "a" "mem" (memory 1)) (import "a" "g" (global (mut i32)))
    (import "a" "get" (func $get (param i32) (result i32)))
    (func (export "poke") (param i32 i32) (i32.store8 (local.get 0) (local.get 1)) (global.set 0 (local.get 1)))
    (func (export "peek") (param i32) (result i32) (call $get (local.get 0)))))");
  Store s(engine_);
  Linker l;
  auto ia = l.instantiate(s, a);
  ASSERT_TRUE(ia.ok()) << ia.error().message;
  l.defineInstance("a", *ia);
  auto ib = l.instantiate(s, b);
  ASSERT_TRUE(ib.ok()) << ib.error().message;
  ASSERT_TRUE(call(*ib, "poke", {Val::makeI32(3), Val::makeI32(77)}).ok());
  EXPECT_EQ(call(*ib, "peek", {Val::makeI32(3)}).value()[0].i32, 77u);
  EXPECT_EQ(call(*ia, "get", {Val::makeI32(3)}).value()[0].i32, 77u);
  EXPECT_EQ(ia->getGlobal("g")->get().i32, 77u);
}

INSTANTIATE_TEST_SUITE_P(Engine, Tiers, ::testing::Values(Tier::kInterp, Tier::kAot),
                         [](const auto& info) { return std::string(tierName(info.param)); });

class NativeCache : public ::testing::Test {
 protected:
  EngineConfig cfg() {
    EngineConfig c;
    c.tier = Tier::kAot;
    c.cacheDir = dir_.path();
    return c;
  }
  test::TempDir dir_;
};

const char* kSmall = "(module (func (export \"f\") (result i32) (i32.const 7)))";

TEST_F(NativeCache, CompilesOnceThenHits) {
  Engine e(cfg());
  auto m = Module::fromText(e, kSmall, "small.wat");
  ASSERT_TRUE(m.ok());
  auto first = compileNative(**m);
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_FALSE(first->wasCached);
  EXPECT_EQ(first->units, 1u);  // a small module compiles as one unit
  auto second = compileNative(**m);
  ASSERT_TRUE(second.ok());
  EXPECT_TRUE(second->wasCached);
  EXPECT_EQ(second->key, first->key);
  // Different metering is a different artifact.
  StoreLimits lim;
  lim.fuel = 10;
  auto metered = compileNative(**m, lim);
  ASSERT_TRUE(metered.ok());
  EXPECT_NE(metered->key, first->key);
  auto list = listNativeCache(e);
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->size(), 2u);
  auto n = cleanNativeCache(e);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 2u);
  EXPECT_TRUE(listNativeCache(e)->empty());
}

TEST(NativeCodegen, LargeModulesSplitIntoUnitsThatCompileAndRun) {
  // Many functions, a data segment and a table, split into units of about
  // one function each, compiled by separate compiler processes and linked.
  std::string wat = "(module $split (memory (export \"memory\") 1) (data (i32.const 0) \"\\01\\02\\03\")\n"
                    "(table 2 funcref) (elem (i32.const 0) $f0 $f1)\n";
  for (int i = 0; i < 40; ++i) {
    wat += "(func $f" + std::to_string(i) + " (export \"f" + std::to_string(i) +
           "\") (result i32) (i32.add (i32.load8_u (i32.const 1)) (i32.const " + std::to_string(i) + ")))\n";
  }
  wat += "(func (export \"viaTable\") (param i32) (result i32) (call_indirect (result i32) (local.get 0))))";
  Engine e;
  auto m = Module::fromText(e, wat, "split.wat");
  ASSERT_TRUE(m.ok()) << m.error().message;
  auto gen = aot::generateC((*m)->bytes(), "split.wat", 1);
  ASSERT_TRUE(gen.ok()) << gen.error().message;
  EXPECT_EQ(gen->parts.size(), 1u + 41u);  // init/exports + one unit per function

  test::TempDir dir;
  auto cc = aot::findCompiler(dir.path());
  ASSERT_TRUE(cc.ok()) << cc.error().message;
  aot::CompileOptions opts;
  opts.partBytes = 1;
  opts.unityBytes = 0;
  auto stats = aot::compileModule((*m)->bytes(), "split.wat", *cc, opts, dir.path(), dir.file("split.so"));
  ASSERT_TRUE(stats.ok()) << stats.error().message;
  EXPECT_EQ(stats->units, 43u);  // glue + 42 parts
  EXPECT_GT(stats->peakRssKiB, 0u);
}

TEST_F(NativeCache, CorruptedEntryIsDetectedAndRebuilt) {
  Engine e(cfg());
  auto m = Module::fromText(e, kSmall, "small.wat");
  ASSERT_TRUE(m.ok());
  auto first = compileNative(**m);
  ASSERT_TRUE(first.ok());
  std::filesystem::resize_file(first->path, 100);  // truncate the shared object
  auto again = compileNative(**m);
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_FALSE(again->wasCached);
  // And it runs.
  Engine e2(cfg());
  auto m2 = Module::fromText(e2, kSmall, "small.wat");
  Store s(e2);
  auto inst = Linker().instantiate(s, *m2);
  ASSERT_TRUE(inst.ok()) << inst.error().message;
  EXPECT_EQ(inst->getFunc("f")->call({}).value()[0].i32, 7u);
}

TEST_F(NativeCache, ConcurrentCompilesBothSucceed) {
  Engine e(cfg());
  auto m = Module::fromText(e, kTraps, "traps.wat");
  ASSERT_TRUE(m.ok());
  pid_t kids[2];
  for (pid_t& k : kids) {
    k = fork();
    if (k == 0) {
      auto r = compileNative(**m);
      _exit(r.ok() ? 0 : 1);
    }
  }
  for (pid_t k : kids) {
    int status = 0;
    waitpid(k, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  auto list = listNativeCache(e);
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->size(), 1u);
  auto hit = compileNative(**m);
  ASSERT_TRUE(hit.ok());
  EXPECT_TRUE(hit->wasCached);
}

TEST_F(NativeCache, AutoFallsBackToTheInterpreterForUnsupportedFeatures) {
  EngineConfig c = cfg();
  c.tier = Tier::kAuto;
  std::vector<std::string> notices;
  c.notice = [&](const std::string& n) { notices.push_back(n); };
  Engine e(c);
  auto m = Module::fromText(
      e, "(module (func (export \"f\") (param i32) (result i32) (i32x4.extract_lane 0 (i32x4.splat (local.get 0)))))",
      "simd.wat");
  ASSERT_TRUE(m.ok()) << m.error().message;
  Store s(e);
  auto inst = Linker().instantiate(s, *m);
  ASSERT_TRUE(inst.ok()) << inst.error().message;
  EXPECT_EQ(s.activeTier(), Tier::kInterp);
  ASSERT_EQ(notices.size(), 1u);
  EXPECT_NE(notices[0].find("SIMD"), std::string::npos) << notices[0];
  Val v = Val::makeI32(5);
  EXPECT_EQ(inst->getFunc("f")->call({&v, 1}).value()[0].i32, 5u);

  // An explicit request for the native tier fails with the reason instead.
  EngineConfig strict = cfg();
  Engine e2(strict);
  auto m2 = Module::fromBinary(e2, (*m)->bytes(), "simd.wasm");
  Store s2(e2);
  auto bad = Linker().instantiate(s2, *m2);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("SIMD"), std::string::npos);
}

TEST_F(NativeCache, AutoUsesNativeCodeForSmallModules) {
  EngineConfig c = cfg();
  c.tier = Tier::kAuto;
  Engine e(c);
  auto m = Module::fromText(e, kSmall, "small.wat");
  Store s(e);
  auto inst = Linker().instantiate(s, *m);
  ASSERT_TRUE(inst.ok());
  EXPECT_EQ(s.activeTier(), Tier::kAot);
}

}  // namespace
}  // namespace compono::engine
