// Engine: decode/validate errors, instantiation, host functions, traps with
// backtraces, and every resource limit of the metering pass.
#include <gtest/gtest.h>

#include <chrono>

#include "compono/engine/host.h"
#include "compono/engine/linker.h"
#include "compono/engine/module.h"
#include "compono/engine/store.h"

namespace compono::engine {
namespace {

std::shared_ptr<const Module> mustLoad(const Engine& e, const std::string& wat) {
  auto m = Module::fromText(e, wat, "test.wat");
  EXPECT_TRUE(m.ok()) << (m.ok() ? "" : m.error().message);
  return m.ok() ? *m : nullptr;
}

Instance mustInstantiate(Store& s, const Linker& l, std::shared_ptr<const Module> m) {
  auto i = l.instantiate(s, m);
  if (!i.ok()) {
    ADD_FAILURE() << i.error().message;
    std::abort();
  }
  return std::move(*i);
}

const char* kFib = R"((module $fibmod
  (func $fib (export "fib") (param $n i32) (result i32)
    (if (result i32) (i32.lt_u (local.get $n) (i32.const 2))
      (then (local.get $n))
      (else (i32.add (call $fib (i32.sub (local.get $n) (i32.const 1)))
                     (call $fib (i32.sub (local.get $n) (i32.const 2)))))))
  (func $inner (param i32) (result i32) (i32.div_u (i32.const 7) (local.get 0)))
  (func $outer (export "divide") (param i32) (result i32) (call $inner (local.get 0)))
  (func $rec (export "rec") (param i32) (result i32) (call $rec (i32.add (local.get 0) (i32.const 1))))
  (func (export "spin") (loop $l (br $l)))
  (func (export "early") (param i32) (result i32)
    (block (br_if 0 (local.get 0)) (return (i32.const 10)))
    (i32.const 20))
  (memory (export "memory") 1 100)
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (table $t (export "table") 1 1000 funcref)
  (func (export "tgrow") (param i32) (result i32) (table.grow $t (ref.null func) (local.get 0)))
))";

TEST(Module, DecodeErrorsNameFileAndOffset) {
  Engine e;
  std::vector<uint8_t> junk = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05, 0x01};
  auto m = Module::fromBinary(e, junk, "junk.wasm");
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().code, ErrorCode::kDecode);
  EXPECT_NE(m.error().message.find("junk.wasm: offset 0x"), std::string::npos) << m.error().message;

  auto noMagic = Module::fromBinary(e, std::vector<uint8_t>{1, 2, 3}, "x.wasm");
  ASSERT_FALSE(noMagic.ok());
  EXPECT_NE(noMagic.error().message.find("magic"), std::string::npos);

  std::vector<uint8_t> component = {0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00};
  auto comp = Module::fromBinary(e, component, "c.wasm");
  ASSERT_FALSE(comp.ok());
  EXPECT_NE(comp.error().message.find("component"), std::string::npos);
}

TEST(Module, ValidationErrorIsDistinct) {
  Engine e;
  auto m = Module::fromText(e, "(module (func (result i32) (i64.const 1)))", "bad.wat");
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().code, ErrorCode::kValidate);
  EXPECT_NE(m.error().message.find("bad.wat:1:"), std::string::npos) << m.error().message;
}

TEST(Module, TextSyntaxErrorHasLineAndColumn) {
  Engine e;
  auto m = Module::fromText(e, "(module\n  (func (oops)))", "syntax.wat");
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().code, ErrorCode::kDecode);
  EXPECT_NE(m.error().message.find("syntax.wat:2:"), std::string::npos) << m.error().message;
}

TEST(Module, InfoListsImportsExportsAndNames) {
  Engine e;
  auto m = mustLoad(e, R"((module $named
    (import "env" "f" (func $imp (param i32)))
    (func $local (export "g") (result i64) (i64.const 1))
    (memory 2 3) (global (mut i32) (i32.const 0)))
  )");
  ASSERT_TRUE(m);
  const ModuleInfo& info = m->info();
  ASSERT_EQ(info.imports.size(), 1u);
  EXPECT_EQ(info.imports[0].module, "env");
  EXPECT_EQ(info.imports[0].type.toString(), "func (i32) -> ()");
  ASSERT_EQ(info.exports.size(), 1u);
  EXPECT_EQ(info.exports[0].type.toString(), "func () -> (i64)");
  EXPECT_EQ(info.name, "named");
  EXPECT_EQ(m->funcName(1), "local");
  ASSERT_EQ(info.memories.size(), 1u);
  EXPECT_EQ(info.memories[0].limits.min, 2u);
  EXPECT_EQ(*info.memories[0].limits.max, 3u);
  EXPECT_EQ(info.importedFuncs, 1u);
  EXPECT_EQ(info.definedFuncs, 1u);
  EXPECT_EQ(m->sha256().size(), 64u);
}

TEST(Instance, CallsAndTrapsWithBacktrace) {
  Engine e;
  auto m = mustLoad(e, kFib);
  Store s(e);
  Linker l;
  Instance inst = mustInstantiate(s, l, m);
  auto fib = inst.getFunc("fib");
  ASSERT_TRUE(fib);
  Val arg = Val::makeI32(20);
  auto r = fib->call({&arg, 1});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)[0].i32, 6765u);

  Val zero = Val::makeI32(0);
  auto t = inst.getFunc("divide")->call({&zero, 1});
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().code, ErrorCode::kTrap);
  EXPECT_EQ(t.error().trap, TrapCode::kIntegerDivideByZero);
  ASSERT_GE(t.error().backtrace.size(), 2u);
  EXPECT_EQ(t.error().backtrace[0].funcName, "inner");
  EXPECT_EQ(t.error().backtrace[1].funcName, "outer");
  EXPECT_EQ(t.error().backtrace[0].module, "fibmod");
}

TEST(Instance, ArgumentTypeAndCountAreChecked) {
  Engine e;
  auto m = mustLoad(e, kFib);
  Store s(e);
  Instance inst = mustInstantiate(s, Linker(), m);
  auto r = inst.getFunc("fib")->call({});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kUsage);
  Val wrong = Val::makeI64(1);
  auto r2 = inst.getFunc("fib")->call({&wrong, 1});
  ASSERT_FALSE(r2.ok());
  EXPECT_EQ(r2.error().code, ErrorCode::kUsage);
}

TEST(Limits, FuelIsExactForStraightLineCode) {
  Engine e;
  auto m = mustLoad(e, "(module (func (export \"f\") (result i32) (i32.add (i32.const 1) (i32.const 2))))");
  {
    StoreLimits lim;
    lim.fuel = 3;  // three instructions
    Store s(e, lim);
    Instance inst = mustInstantiate(s, Linker(), m);
    auto r = inst.getFunc("f")->call({});
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ((*r)[0].i32, 3u);
    EXPECT_EQ(s.fuelConsumed(), 3u);
  }
  {
    StoreLimits lim;
    lim.fuel = 2;
    Store s(e, lim);
    Instance inst = mustInstantiate(s, Linker(), m);
    auto r = inst.getFunc("f")->call({});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().trap, TrapCode::kOutOfFuel);
  }
}

TEST(Limits, FuelStopsAnInfiniteLoop) {
  Engine e;
  auto m = mustLoad(e, kFib);
  StoreLimits lim;
  lim.fuel = 100000;
  Store s(e, lim);
  Instance inst = mustInstantiate(s, Linker(), m);
  auto r = inst.getFunc("spin")->call({});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().trap, TrapCode::kOutOfFuel);
  EXPECT_NE(r.error().message.find("--fuel"), std::string::npos);
}

TEST(Limits, MeteringDoesNotChangeResults) {
  Engine e;
  auto m = mustLoad(e, kFib);
  StoreLimits lim;
  lim.fuel = 1'000'000'000;
  lim.maxCallDepth = 1000;
  lim.maxMemoryBytes = 64ull << 20;
  lim.maxTableElements = 100;
  Store s(e, lim);
  Instance inst = mustInstantiate(s, Linker(), m);
  Val n = Val::makeI32(15);
  auto r = inst.getFunc("fib")->call({&n, 1});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ((*r)[0].i32, 610u);
  // `return` and branches to the function label both pass through the
  // depth epilogue: call many times and stay within the depth limit.
  for (int i = 0; i < 5000; ++i) {
    Val a = Val::makeI32(static_cast<uint32_t>(i & 1));
    auto x = inst.getFunc("early")->call({&a, 1});
    ASSERT_TRUE(x.ok()) << x.error().message;
    EXPECT_EQ((*x)[0].i32, (i & 1) ? 20u : 10u);
  }
  EXPECT_GT(s.fuelConsumed(), 0u);
}

TEST(Limits, DeadlineStopsAnInfiniteLoop) {
  Engine e;
  auto m = mustLoad(e, kFib);
  StoreLimits lim;
  lim.timeout = std::chrono::milliseconds(200);
  Store s(e, lim);
  Instance inst = mustInstantiate(s, Linker(), m);
  auto start = std::chrono::steady_clock::now();
  auto r = inst.getFunc("spin")->call({});
  auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().trap, TrapCode::kDeadline);
  EXPECT_LT(took, std::chrono::seconds(10));
}

TEST(Limits, MaxStackCountsWasmFrames) {
  Engine e;
  auto m = mustLoad(e, kFib);
  StoreLimits lim;
  lim.maxCallDepth = 50;
  Store s(e, lim);
  Instance inst = mustInstantiate(s, Linker(), m);
  Val zero = Val::makeI32(0);
  auto r = inst.getFunc("rec")->call({&zero, 1});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().trap, TrapCode::kCallStackExhausted);
  EXPECT_NE(r.error().message.find("50"), std::string::npos);
  // fib(8) needs 9 frames: fine within 50.
  Val eight = Val::makeI32(8);
  auto ok = inst.getFunc("fib")->call({&eight, 1});
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ((*ok)[0].i32, 21u);
}

TEST(Limits, EngineDepthLimitWithoutFlagIsATrap) {
  Engine e;
  auto m = mustLoad(e, kFib);
  Store s(e);
  Instance inst = mustInstantiate(s, Linker(), m);
  Val zero = Val::makeI32(0);
  auto r = inst.getFunc("rec")->call({&zero, 1});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().trap, TrapCode::kCallStackExhausted);
}

TEST(Limits, MemoryGrowBeyondLimitTraps) {
  Engine e;
  auto m = mustLoad(e, kFib);
  StoreLimits lim;
  lim.maxMemoryBytes = 4 * kWasmPageSize;
  Store s(e, lim);
  Instance inst = mustInstantiate(s, Linker(), m);
  Val two = Val::makeI32(2);
  auto ok = inst.getFunc("grow")->call({&two, 1});
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ((*ok)[0].i32, 1u);  // old size
  auto bad = inst.getFunc("grow")->call({&two, 1});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().trap, TrapCode::kMemoryLimit);
  EXPECT_EQ(inst.getMemory("memory")->pages(), 3u);
}

TEST(Limits, MemoryGrowPastDeclaredMaxStillReturnsMinusOne) {
  Engine e;
  auto m = mustLoad(e, kFib);
  Store s(e);
  Instance inst = mustInstantiate(s, Linker(), m);
  Val big = Val::makeI32(1000);
  auto r = inst.getFunc("grow")->call({&big, 1});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)[0].i32, 0xffffffffu);
}

TEST(Limits, InitialMemoryOverLimitFailsInstantiation) {
  Engine e;
  auto m = mustLoad(e, "(module (memory 10))");
  StoreLimits lim;
  lim.maxMemoryBytes = 2 * kWasmPageSize;
  Store s(e, lim);
  auto i = Linker().instantiate(s, m);
  ASSERT_FALSE(i.ok());
  EXPECT_EQ(i.error().trap, TrapCode::kMemoryLimit);
}

TEST(Limits, TableGrowBeyondLimitTraps) {
  Engine e;
  auto m = mustLoad(e, kFib);
  StoreLimits lim;
  lim.maxTableElements = 10;
  Store s(e, lim);
  Instance inst = mustInstantiate(s, Linker(), m);
  Val five = Val::makeI32(5);
  ASSERT_TRUE(inst.getFunc("tgrow")->call({&five, 1}).ok());
  auto bad = inst.getFunc("tgrow")->call({&five, 1});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().trap, TrapCode::kTableLimit);
}

TEST(Linker, UnresolvedImportsAreListedByName) {
  Engine e;
  auto m = mustLoad(e, R"((module
    (import "env" "a" (func (param i32)))
    (import "env" "b" (memory 1))))");
  Store s(e);
  auto i = Linker().instantiate(s, m);
  ASSERT_FALSE(i.ok());
  EXPECT_EQ(i.error().code, ErrorCode::kLink);
  EXPECT_NE(i.error().message.find("\"env\" \"a\""), std::string::npos) << i.error().message;
  EXPECT_NE(i.error().message.find("\"env\" \"b\""), std::string::npos) << i.error().message;
}

TEST(Linker, TypeMismatchShowsBothTypes) {
  Engine e;
  auto m = mustLoad(e, "(module (import \"env\" \"f\" (func (param i32) (result i32))))");
  Linker l;
  l.defineFunc("env", "f", typedHost<void, int64_t>([](Caller&, int64_t) { return okStatus(); }));
  Store s(e);
  auto i = l.instantiate(s, m);
  ASSERT_FALSE(i.ok());
  EXPECT_NE(i.error().message.find("expects func (i32) -> (i32), host gives func (i64) -> ()"),
            std::string::npos)
      << i.error().message;
}

TEST(Linker, ReservedMeterModuleIsRefused) {
  Engine e;
  auto m = mustLoad(e, "(module (import \"__compono_meter\" \"out_of_fuel\" (func)))");
  Store s(e);
  auto i = Linker().instantiate(s, m);
  ASSERT_FALSE(i.ok());
  EXPECT_NE(i.error().message.find("reserved"), std::string::npos);
}

const char* kHostUser = R"((module
  (import "host" "add" (func $add (param i32 i32) (result i32)))
  (import "host" "reenter" (func $reenter (param i32) (result i32)))
  (import "host" "fail" (func $fail))
  (memory (export "memory") 1)
  (data (i32.const 16) "hello")
  (func (export "callAdd") (result i32) (call $add (i32.const 40) (i32.const 2)))
  (func (export "double") (param i32) (result i32) (i32.mul (local.get 0) (i32.const 2)))
  (func (export "viaHost") (param i32) (result i32) (call $reenter (local.get 0)))
  (func $deep (export "callFail") (call $fail))
))";

TEST(Host, TypedFunctionsMemoryAndReentrance) {
  Engine e;
  auto m = mustLoad(e, kHostUser);
  Linker l;
  std::string seen;
  l.defineFunc("host", "add", typedHost<uint32_t, uint32_t, uint32_t>(
                                  [&](Caller& c, uint32_t a, uint32_t b) -> Result<uint32_t> {
                                    auto text = c.memory().string(16, 5);
                                    if (text) seen = std::string(*text);
                                    return a + b;
                                  }));
  l.defineFunc("host", "reenter", typedHost<uint32_t, uint32_t>([](Caller& c, uint32_t x) -> Result<uint32_t> {
                 auto f = c.getExport("double");
                 Val v = Val::makeI32(x);
                 auto r = std::get<Func>(*f).call({&v, 1});
                 if (!r.ok()) return std::move(r).error();
                 return (*r)[0].i32 + 1;
               }));
  l.defineFunc("host", "fail", typedHost<void>([](Caller&) -> Status {
                 return Error(ErrorCode::kWasi, "the host refused");
               }));
  Store s(e);
  Instance inst = mustInstantiate(s, l, m);
  auto r = inst.getFunc("callAdd")->call({});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)[0].i32, 42u);
  EXPECT_EQ(seen, "hello");
  Val v = Val::makeI32(20);
  auto r2 = inst.getFunc("viaHost")->call({&v, 1});
  ASSERT_TRUE(r2.ok()) << r2.error().message;
  EXPECT_EQ((*r2)[0].i32, 41u);
  auto r3 = inst.getFunc("callFail")->call({});
  ASSERT_FALSE(r3.ok());
  EXPECT_EQ(r3.error().code, ErrorCode::kTrap);
  EXPECT_EQ(r3.error().trap, TrapCode::kHostError);
  EXPECT_NE(r3.error().message.find("the host refused"), std::string::npos);
  ASSERT_FALSE(r3.error().backtrace.empty());
  EXPECT_EQ(r3.error().backtrace[0].funcName, "deep");
  // The store stays usable after a trap.
  auto r4 = inst.getFunc("callAdd")->call({});
  ASSERT_TRUE(r4.ok());
}

TEST(Host, ExitPassesStatusThrough) {
  Engine e;
  auto m = mustLoad(e, "(module (import \"host\" \"exit\" (func $x (param i32))) (func (export \"go\") (call $x (i32.const 7)) unreachable))");
  Linker l;
  l.defineFunc("host", "exit", typedHost<void, int32_t>([](Caller&, int32_t code) -> Status {
                 return Error::exit(code);
               }));
  Store s(e);
  Instance inst = mustInstantiate(s, l, m);
  auto r = inst.getFunc("go")->call({});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kExit);
  EXPECT_EQ(r.error().exitStatus, 7);
}

TEST(Host, GuestMemoryIsBoundsChecked) {
  uint8_t buf[16] = {};
  GuestMemory mem(buf, sizeof buf);
  EXPECT_TRUE(mem.bytes(0, 16).has_value());
  EXPECT_FALSE(mem.bytes(1, 16).has_value());
  EXPECT_FALSE(mem.bytes(UINT64_MAX, 2).has_value());
  EXPECT_FALSE(mem.load<uint32_t>(13).has_value());
  EXPECT_TRUE(mem.store<uint32_t>(12, 0xdeadbeef));
  EXPECT_EQ(*mem.load<uint32_t>(12), 0xdeadbeefu);
}

TEST(Instance, StartFunctionTrapFailsInstantiation) {
  Engine e;
  auto m = mustLoad(e, "(module (func $s unreachable) (start $s))");
  Store s(e);
  auto i = Linker().instantiate(s, m);
  ASSERT_FALSE(i.ok());
  EXPECT_EQ(i.error().trap, TrapCode::kUnreachable);
}

TEST(Instance, ExportedGlobalsTablesMemories) {
  Engine e;
  auto m = mustLoad(e, R"((module (global (export "g") (mut i64) (i64.const 5))
    (memory (export "m") 1) (table (export "t") 2 funcref)))");
  Store s(e);
  Instance inst = mustInstantiate(s, Linker(), m);
  auto g = inst.getGlobal("g");
  ASSERT_TRUE(g);
  EXPECT_EQ(g->get().i64, 5u);
  ASSERT_TRUE(g->set(Val::makeI64(9)).ok());
  EXPECT_EQ(g->get().i64, 9u);
  EXPECT_EQ(inst.getMemory("m")->size(), kWasmPageSize);
  EXPECT_EQ(inst.getTable("t")->size(), 2u);
  EXPECT_FALSE(inst.getFunc("g"));
}

}  // namespace
}  // namespace compono::engine
