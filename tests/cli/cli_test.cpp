// The `compono` command end to end: the real binary as a subprocess.
#include <gtest/gtest.h>

#include <unistd.h>

#include <random>

#include "support/test_support.h"

namespace compono::test {
namespace {

const char* kMath = R"((module $math
  (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  (func (export "addf") (param f64 f64) (result f64) (f64.add (local.get 0) (local.get 1)))
  (func $spin (export "spin") (loop $l (br $l)))
  (func $rec (export "rec") (param i32) (result i32) (call $rec (local.get 0)))
  (memory (export "memory") 1)
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (table $t 1 funcref)
  (func (export "tgrow") (param i32) (result i32) (table.grow $t (ref.null func) (local.get 0)))
  (func (export "boom") unreachable)
))";

class Cli : public ::testing::Test {
 protected:
  void SetUp() override { dir_.write("math.wat", kMath); }
  std::string math() { return dir_.file("math.wat"); }
  TempDir dir_;
};

TEST_F(Cli, HelpTeachesCommandsAndExitCodes) {
  auto r = runCompono({"--help"});
  EXPECT_EQ(r.exitCode, 0);
  for (const char* cmd : {"run", "validate", "inspect", "wast"}) {
    EXPECT_NE(r.out.find(cmd), std::string::npos) << cmd;
  }
  auto run = runCompono({"run", "--help"});
  EXPECT_EQ(run.exitCode, 0);
  for (const char* s : {"--dir", "--fuel", "--timeout", "--max-memory", "--max-table-elements",
                        "--max-stack", "Exit codes", "fuel exhausted", "Examples"}) {
    EXPECT_NE(run.out.find(s), std::string::npos) << s;
  }
  // run, call, serve and up declare their limit flags in one place: same help line.
  const std::string tierHelp = "Execution tier: auto (native code when available; the default)";
  for (const char* cmd : {"run", "call", "serve", "up"}) {
    auto help = runCompono({cmd, "--help"});
    EXPECT_NE(help.out.find(tierHelp), std::string::npos) << cmd;
    EXPECT_NE(help.out.find("Maximum call depth (wasm frames)"), std::string::npos) << cmd;
  }
  auto version = runCompono({"--version"});
  EXPECT_EQ(version.exitCode, 0);
  EXPECT_NE(version.out.find("compono 0."), std::string::npos);
}

TEST_F(Cli, BadFlagsAreUsageErrors) {
  auto r = runCompono({"run", "--fuel", "lots", math()});
  expectOneLineError(r, 2, "--fuel");
  auto r2 = runCompono({"run", "--timeout", "soon", math()});
  expectOneLineError(r2, 2, "--timeout");
  auto r3 = runCompono({"run", "--max-memory", "12 parsecs", math()});
  expectOneLineError(r3, 2, "--max-memory");
  auto r4 = runCompono({"frobnicate"});
  EXPECT_EQ(r4.exitCode, 2);
  auto r5 = runCompono({"run", "--dir", "::x", math()});
  expectOneLineError(r5, 2, "--dir");
}

TEST_F(Cli, InvokeCallsAnExport) {
  auto r = runCompono({"run", "--invoke", "add", math(), "40", "2"});
  EXPECT_EQ(r.exitCode, 0) << r.err;
  EXPECT_EQ(r.out, "42\n");
  auto f = runCompono({"run", "--invoke", "addf", math(), "1.5", "0.25"});
  EXPECT_EQ(f.exitCode, 0) << f.err;
  EXPECT_EQ(f.out, "1.75\n");
  auto neg = runCompono({"run", "--invoke", "add", math(), "-1", "-2"});
  EXPECT_EQ(neg.out, "-3\n");
}

TEST_F(Cli, InvokeWrongArgumentsIsAUserError) {
  expectOneLineError(runCompono({"run", "--invoke", "add", math(), "1"}), 1, "takes 2 argument(s)");
  expectOneLineError(runCompono({"run", "--invoke", "add", math(), "1", "x"}), 1, "not a valid i32");
  expectOneLineError(runCompono({"run", "--invoke", "nope", math()}), 1, "exported functions: add");
}

TEST_F(Cli, MissingStartIsAUserError) {
  expectOneLineError(runCompono({"run", math()}), 1, "no exported function \"_start\"");
}

TEST_F(Cli, UnknownImportNamesTheImport) {
  dir_.write("imp.wat", "(module (import \"acme\" \"rocket\" (func)) (func (export \"_start\")))");
  expectOneLineError(runCompono({"run", dir_.file("imp.wat")}), 1, "\"acme\" \"rocket\"");
}

TEST_F(Cli, MalformedInputsGiveOneLineWithOffsetOrLine) {
  dir_.write("trunc.wasm", std::string("\0asm\1\0\0\0\1\x10\1", 11));
  expectOneLineError(runCompono({"validate", dir_.file("trunc.wasm")}), 1, "trunc.wasm: offset 0x");
  dir_.write("random.bin", "\x13\x37garbage\xff\xfe");
  expectOneLineError(runCompono({"run", dir_.file("random.bin")}), 1, "not a WebAssembly module");
  dir_.write("syntax.wat", "(module\n  (func (result i32)\n    (i32.const)))\n");
  expectOneLineError(runCompono({"run", dir_.file("syntax.wat")}), 1, "syntax.wat:3:");
  dir_.write("invalid.wat", "(module (func (result i32) (f32.const 1)))");
  expectOneLineError(runCompono({"validate", dir_.file("invalid.wat")}), 1, "invalid.wat:1:");
  dir_.write("empty.wasm", "");
  expectOneLineError(runCompono({"run", dir_.file("empty.wasm")}), 1, "empty file");
  expectOneLineError(runCompono({"run", dir_.file("missing.wasm")}), 1, "cannot open");
}

TEST_F(Cli, MutatedModulesNeverCrashOrHang) {
  auto base = readFile(guestPath("cli_echo_args"));
  ASSERT_FALSE(base.empty());
  std::mt19937 rng(12345);
  for (int i = 0; i < 60; ++i) {
    std::string m = base;
    int flips = 1 + static_cast<int>(rng() % 8);
    for (int k = 0; k < flips; ++k) m[rng() % m.size()] = static_cast<char>(rng());
    if (i % 5 == 0) m.resize(rng() % m.size());
    dir_.write("mut.wasm", m);
    auto r = runCompono({"run", "--fuel", "50000000", dir_.file("mut.wasm")}, "", 60);
    EXPECT_FALSE(r.timedOut);
    EXPECT_LT(r.exitCode, 64) << "crash on mutation " << i << ": " << r.err;
  }
}

TEST_F(Cli, LimitsHaveTheirOwnExitCodes) {
  auto fuel = runCompono({"run", "--fuel", "10000", "--invoke", "spin", math()});
  EXPECT_EQ(fuel.exitCode, 4) << fuel.err;
  EXPECT_NE(fuel.err.find("out of fuel"), std::string::npos);

  auto timeout = runCompono({"run", "--timeout", "300ms", "--invoke", "spin", math()});
  EXPECT_EQ(timeout.exitCode, 5) << timeout.err;
  EXPECT_NE(timeout.err.find("deadline exceeded"), std::string::npos);

  auto mem = runCompono({"run", "--max-memory", "128KiB", "--invoke", "grow", math(), "5"});
  EXPECT_EQ(mem.exitCode, 6) << mem.err;
  EXPECT_NE(mem.err.find("--max-memory 128 KiB"), std::string::npos) << mem.err;

  auto table = runCompono({"run", "--max-table-elements", "4", "--invoke", "tgrow", math(), "10"});
  EXPECT_EQ(table.exitCode, 7) << table.err;

  auto stack = runCompono({"run", "--max-stack", "100", "--invoke", "rec", math(), "0"});
  EXPECT_EQ(stack.exitCode, 8) << stack.err;
  EXPECT_NE(stack.err.find("100 nested calls"), std::string::npos);

  auto trap = runCompono({"run", "--invoke", "boom", math()});
  EXPECT_EQ(trap.exitCode, 3);
  EXPECT_NE(trap.err.find("unreachable"), std::string::npos);
}

TEST_F(Cli, TrapPrintsBacktraceWithFunctionNames) {
  // The interpreter keeps every frame; native code may inline some (see
  // TiersAgreeOnTrapsAndExitCodes for what both tiers share).
  auto r = runCompono({"run", "--tier", "interp", guestPath("cli_trap")});
  EXPECT_EQ(r.exitCode, 3) << r.err;
  EXPECT_EQ(r.out, "about to divide by zero\n");
  EXPECT_NE(r.err.find("integer divide by zero"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("wasm backtrace:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("compute_ratio"), std::string::npos) << r.err;
}

TEST_F(Cli, GuestArgsAndExitStatusPassThrough) {
  auto r = runCompono({"run", "--env", "EXIT_WITH=42", guestPath("cli_echo_args"), "-v", "--flag", "x y"});
  EXPECT_EQ(r.exitCode, 42) << r.err;
  EXPECT_EQ(r.out, "arg1=-v\narg2=--flag\narg3=x y\n");
}

TEST_F(Cli, EnvironmentIsOnlyWhatIsGranted) {
  // Without --env the guest sees no EXIT_WITH even if the host has it.
  std::vector<std::string> argv = {"/usr/bin/env", "EXIT_WITH=9", componoBinary(), "run",
                                   guestPath("cli_echo_args")};
  auto r = runProcess(argv);
  EXPECT_EQ(r.exitCode, 0) << r.err;
  argv.insert(argv.begin() + 4, "--inherit-env");
  auto r2 = runProcess(argv);
  EXPECT_EQ(r2.exitCode, 9) << r2.err;
}

TEST_F(Cli, MemoryLimitStopsAGreedyGuest) {
  auto ok = runCompono({"run", guestPath("cli_greedy"), "4"});
  EXPECT_EQ(ok.exitCode, 0) << ok.err;
  EXPECT_NE(ok.out.find("allocated 4 MiB"), std::string::npos) << ok.out;
  auto limited = runCompono({"run", "--max-memory", "2MiB", guestPath("cli_greedy"), "8"});
  EXPECT_EQ(limited.exitCode, 6) << limited.err;
  EXPECT_NE(limited.err.find("memory limit exceeded"), std::string::npos);
}

TEST_F(Cli, InspectShowsStructureAndJson) {
  auto r = runCompono({"inspect", guestPath("cli_echo_args")});
  EXPECT_EQ(r.exitCode, 0) << r.err;
  for (const char* s : {"core module", "sha256", "imports (", "wasi_snapshot_preview1.fd_write",
                        "exports (", "_start: func () -> ()", "memory 0:", "sections:", "code"}) {
    EXPECT_NE(r.out.find(s), std::string::npos) << s << "\n" << r.out;
  }
  auto j = runCompono({"inspect", "--json", math()});
  EXPECT_EQ(j.exitCode, 0);
  for (const char* s : {"\"kind\": \"core-module\"", "\"exports\"", "\"name\": \"add\"",
                        "\"customSections\"", "\"name\": \"name\""}) {
    EXPECT_NE(j.out.find(s), std::string::npos) << s << "\n" << j.out;
  }
  auto v = runCompono({"validate", "--json", math()});
  EXPECT_EQ(v.exitCode, 0);
  EXPECT_NE(v.out.find("\"valid\": true"), std::string::npos);
}

// `compono run` prints the same checksum as the native build of each
// benchmark workload, on both tiers (scaled down: the interpreter is slow).
struct Workload {
  const char* name;
  const char* arg;
  const char* tier;
};

class Workloads : public ::testing::TestWithParam<Workload> {};

TEST_P(Workloads, SameChecksumAsNative) {
  const Workload& w = GetParam();
  auto native = runProcess({std::string(COMPONO_NATIVE_DIR) + "/native_" + w.name, w.arg});
  ASSERT_EQ(native.exitCode, 0);
  ASSERT_FALSE(native.out.empty());
  auto wasm = runCompono({"run", "--tier", w.tier, guestPath(std::string("workload_") + w.name), w.arg}, "", 600);
  EXPECT_EQ(wasm.exitCode, 0) << wasm.err;
  EXPECT_EQ(wasm.out, native.out);
}

INSTANTIATE_TEST_SUITE_P(
    Bench, Workloads,
    ::testing::Values(Workload{"fib", "4", "interp"}, Workload{"sha256", "2", "interp"},
                      Workload{"nbody", "100000", "interp"}, Workload{"hashmap", "1", "interp"},
                      Workload{"fib", "60", "aot"}, Workload{"sha256", "30", "aot"},
                      Workload{"nbody", "1500000", "aot"}, Workload{"hashmap", "2", "aot"}),
    [](const auto& info) { return std::string(info.param.name) + "_" + info.param.tier; });

TEST_F(Cli, TiersAgreeOnTrapsAndExitCodes) {
  for (const char* tier : {"interp", "aot"}) {
    auto trap = runCompono({"run", "--tier", tier, guestPath("cli_trap")});
    EXPECT_EQ(trap.exitCode, 3) << tier << ": " << trap.err;
    EXPECT_EQ(trap.err.substr(0, trap.err.find('\n')), "compono: error: wasm trap: integer divide by zero") << tier;
    auto fuel = runCompono({"run", "--tier", tier, "--fuel", "10000", "--invoke", "spin", math()});
    EXPECT_EQ(fuel.exitCode, 4) << tier << ": " << fuel.err;
    auto mem = runCompono({"run", "--tier", tier, "--max-memory", "2MiB", guestPath("cli_greedy"), "8"});
    EXPECT_EQ(mem.exitCode, 6) << tier << ": " << mem.err;
    auto stack = runCompono({"run", "--tier", tier, "--max-stack", "100", "--invoke", "rec", math(), "0"});
    EXPECT_EQ(stack.exitCode, 8) << tier << ": " << stack.err;
    auto deep = runCompono({"run", "--tier", tier, "--invoke", "rec", math(), "0"});
    EXPECT_EQ(deep.exitCode, 8) << tier << ": " << deep.err;
    EXPECT_NE(deep.err.find("wasm trap: call stack exhausted"), std::string::npos) << tier << ": " << deep.err;
    auto exit = runCompono({"run", "--tier", tier, "--env", "EXIT_WITH=7", guestPath("cli_echo_args")});
    EXPECT_EQ(exit.exitCode, 7) << tier;
  }
}

TEST_F(Cli, CompileAndCacheCommands) {
  TempDir cache;
  auto first = runCompono({"compile", "--cache-dir", cache.path(), "--json", guestPath("cli_trap")});
  ASSERT_EQ(first.exitCode, 0) << first.err;
  EXPECT_NE(first.out.find("\"cached\": false"), std::string::npos) << first.out;
  auto second = runCompono({"compile", "--cache-dir", cache.path(), guestPath("cli_trap")});
  EXPECT_EQ(second.exitCode, 0);
  EXPECT_NE(second.out.find("already compiled"), std::string::npos) << second.out;
  auto ls = runCompono({"cache", "ls", "--cache-dir", cache.path()});
  EXPECT_EQ(ls.exitCode, 0);
  EXPECT_NE(ls.out.find("1 artifact(s)"), std::string::npos) << ls.out;
  EXPECT_NE(ls.out.find("cli_trap.wasm"), std::string::npos) << ls.out;
  // A run with the same (no) limits uses the cached artifact on --tier aot.
  auto run = runCompono({"run", "--tier", "aot", "--cache-dir", cache.path(), guestPath("cli_echo_args"), "x"});
  EXPECT_EQ(run.out, "arg1=x\n");
  auto clean = runCompono({"cache", "clean", "--cache-dir", cache.path()});
  EXPECT_EQ(clean.exitCode, 0);
  EXPECT_NE(clean.out.find("removed 2"), std::string::npos) << clean.out;
  auto empty = runCompono({"cache", "ls", "--cache-dir", cache.path()});
  EXPECT_NE(empty.out.find("0 artifact(s)"), std::string::npos);
}

TEST_F(Cli, AutoTierFallsBackWithANotice) {
  dir_.write("simd.wat",
             "(module (func (export \"f\") (param i32) (result i32) (i32x4.extract_lane 0 (i32x4.splat (local.get 0)))))");
  auto r = runCompono({"run", "--invoke", "f", dir_.file("simd.wat"), "5"});
  EXPECT_EQ(r.exitCode, 0) << r.err;
  EXPECT_EQ(r.out, "5\n");
  EXPECT_NE(r.err.find("compono: note:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("SIMD"), std::string::npos) << r.err;
  auto strict = runCompono({"run", "--tier", "aot", "--invoke", "f", dir_.file("simd.wat"), "5"});
  EXPECT_EQ(strict.exitCode, 1);
  EXPECT_NE(strict.err.find("does not support SIMD"), std::string::npos) << strict.err;
}

TEST_F(Cli, AutoTierCompilesLargeModulesInTheBackground) {
  TempDir cache;
  // COMPONO_AOT_SYNC_LIMIT lowers the size above which `auto` does not wait.
  std::vector<std::string> argv = {"/usr/bin/env", "COMPONO_AOT_SYNC_LIMIT=1000", componoBinary(), "run",
                                   "--cache-dir", cache.path(), guestPath("cli_echo_args"), "bg"};
  auto first = runProcess(argv);
  EXPECT_EQ(first.exitCode, 0) << first.err;
  EXPECT_EQ(first.out, "arg1=bg\n");
  EXPECT_NE(first.err.find("compiling natively in the background"), std::string::npos) << first.err;
  // The background compile lands in the cache; then runs use it silently.
  bool cached = false;
  for (int i = 0; i < 600 && !cached; ++i) {
    auto ls = runCompono({"cache", "ls", "--cache-dir", cache.path()});
    cached = ls.out.find("1 artifact(s)") != std::string::npos;
    if (!cached) usleep(100 * 1000);
  }
  ASSERT_TRUE(cached);
  auto later = runProcess(argv);
  EXPECT_EQ(later.exitCode, 0);
  EXPECT_EQ(later.err, "");
}

}  // namespace
}  // namespace compono::test
