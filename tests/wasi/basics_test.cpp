// WASI preview 1: args, environ, clocks, random, stdio, proc_exit,
// proc_raise, sched_yield, context creation errors and linker registration.
#include <gtest/gtest.h>

#include "wasi/wasi_harness.h"

namespace compono::test {
namespace {

bool has(const std::string& out, const std::string& line) {
  for (const auto& l : lines(out)) {
    if (l == line) return true;
  }
  return false;
}

TEST(WasiBasics, ArgsEnvClocksRandomAndStdio) {
  wasi::WasiConfig config;
  config.args = {"basics", "one", "two words", ""};
  config.env = {{"GREETING", "hello"}, {"EMPTY", ""}};
  GuestResult r = runGuest("wasi_basics", config, "some input\n");
  ASSERT_TRUE(r.ok) << describe(r);
  EXPECT_EQ(r.exitCode, 0);
  EXPECT_TRUE(has(r.out, "argc 4")) << r.out;
  EXPECT_TRUE(has(r.out, "arg 0 basics"));
  EXPECT_TRUE(has(r.out, "arg 2 two words"));
  EXPECT_TRUE(has(r.out, "arg 3 "));
  // Only the variables granted: the host's own environment (HOME, PATH) is not visible.
  EXPECT_TRUE(has(r.out, "env GREETING=hello"));
  EXPECT_TRUE(has(r.out, "env EMPTY="));
  EXPECT_TRUE(has(r.out, "envcount 2"));
  EXPECT_TRUE(has(r.out, "HOME (unset)"));
  for (const char* clock : {"realtime", "monotonic", "process", "thread"}) {
    EXPECT_TRUE(has(r.out, std::string("clock ") + clock + " 0 0 0 res_ok=1 nonzero=1 monotone=1"))
        << clock << "\n"
        << r.out;
  }
  EXPECT_TRUE(has(r.out, "clock_bad 28 28"));
  // Realtime is the real wall clock (within a minute of the host's).
  auto hostNow = std::chrono::duration_cast<std::chrono::seconds>(
                     std::chrono::system_clock::now().time_since_epoch())
                     .count();
  bool realtimeClose = false;
  for (const auto& l : lines(r.out)) {
    if (l.rfind("realtime_s ", 0) == 0) {
      realtimeClose = std::llabs(std::stoll(l.substr(11)) - hostNow) < 60;
    }
  }
  EXPECT_TRUE(realtimeClose) << r.out;
  EXPECT_TRUE(has(r.out, "random 0 0 differ=1 mostly_nonzero=1"));
  EXPECT_TRUE(has(r.out, "random_bad 21"));  // EFAULT, not a trap
  EXPECT_TRUE(has(r.out, "sched_yield 0"));
  EXPECT_TRUE(has(r.out, "proc_raise 52"));  // ENOSYS by design
  EXPECT_NE(r.out.find("SOME INPUT\n"), std::string::npos);
  EXPECT_TRUE(has(r.out, "stdin_bytes 11"));
  EXPECT_EQ(r.err, "to stderr\n");
}

TEST(WasiBasics, StdioToFilesAndClosedStdin) {
  TempDir dir;
  writeFile(dir.file("in.txt"), "abc");
  int in = ::open(dir.file("in.txt").c_str(), O_RDONLY | O_CLOEXEC);
  int out = ::open(dir.file("out.txt").c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  wasi::WasiConfig config;
  config.args = {"basics"};
  config.stdinFd = in;
  config.stdoutFd = out;
  config.stderrFd = -1;  // closed: writes to fd 2 fail, nothing crashes
  GuestRun run("wasi_basics", config, {}, /*pipeStdio=*/false);
  ::close(in);
  ::close(out);
  GuestResult r = run.wait();
  ASSERT_TRUE(r.ok) << describe(r);
  std::string written = readFile(dir.file("out.txt"));
  EXPECT_NE(written.find("ABC\nstdin_bytes 3"), std::string::npos) << written;

  // stdin closed too: reading fd 0 fails with EBADF, which libc reports as EOF.
  wasi::WasiConfig closed;
  closed.args = {"basics"};
  closed.stdinFd = -1;
  GuestResult r2 = runGuest("wasi_basics", closed);
  ASSERT_TRUE(r2.ok) << describe(r2);
  EXPECT_TRUE(has(r2.out, "stdin_bytes 0"));
}

TEST(WasiBasics, ExitStatusFromMainAndProcExit) {
  for (int code : {0, 1, 3, 42, 255}) {
    wasi::WasiConfig config;
    config.args = {"exit", std::to_string(code)};
    GuestResult r = runGuest("wasi_exit", config);
    ASSERT_TRUE(r.ok) << describe(r);
    EXPECT_EQ(r.exitCode, code);
    EXPECT_EQ(r.out, "exiting " + std::to_string(code) + "\n");
  }
  wasi::WasiConfig config;
  config.args = {"exit", "7", "proc"};
  GuestResult r = runGuest("wasi_exit", config);
  ASSERT_TRUE(r.ok) << describe(r);
  EXPECT_EQ(r.exitCode, 7);
  EXPECT_EQ(r.out, "exiting 7\n");
}

TEST(WasiBasics, ProcExitIsAnExitErrorNotATrap) {
  auto ctx = wasi::WasiCtx::create({});
  ASSERT_TRUE(ctx.ok());
  engine::Engine engine;
  auto module = engine::Module::fromText(engine, R"((module
    (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
    (memory (export "memory") 1)
    (func (export "_start") (call $exit (i32.const 9)) unreachable)))",
                                         "exit.wat");
  ASSERT_TRUE(module.ok()) << module.error().message;
  engine::Store store(engine);
  engine::Linker linker;
  (*ctx)->addToLinker(linker);
  auto inst = linker.instantiate(store, *module);
  ASSERT_TRUE(inst.ok()) << inst.error().message;
  auto r = inst->getFunc("_start")->call({});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kExit);
  EXPECT_EQ(r.error().exitStatus, 9);
}

TEST(WasiBasics, BadPointersAreEfaultNeverTraps) {
  TempDir dir;
  GuestResult r = runProbe({{dir.path(), "/d", false}}, {"badptr"});
  ASSERT_TRUE(r.ok) << describe(r);
  EXPECT_EQ(lines(r.out)[0], "badptr 21 21 21 21");
}

TEST(WasiBasics, GuestWithoutMemoryGetsEfault) {
  auto ctx = wasi::WasiCtx::create({});
  ASSERT_TRUE(ctx.ok());
  engine::Engine engine;
  auto module = engine::Module::fromText(engine, R"((module
    (import "wasi_snapshot_preview1" "args_sizes_get" (func $f (param i32 i32) (result i32)))
    (func (export "run") (result i32) (call $f (i32.const 0) (i32.const 4)))))",
                                         "nomem.wat");
  ASSERT_TRUE(module.ok()) << module.error().message;
  engine::Store store(engine);
  engine::Linker linker;
  (*ctx)->addToLinker(linker);
  auto inst = linker.instantiate(store, *module);
  ASSERT_TRUE(inst.ok());
  auto r = inst->getFunc("run")->call({});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ((*r)[0].i32, 21u);
}

TEST(WasiBasics, CreateRejectsBadGrants) {
  wasi::WasiConfig missing;
  missing.preopens = {{"/nonexistent/compono/dir", "/x", false}};
  auto r1 = wasi::WasiCtx::create(missing);
  ASSERT_FALSE(r1.ok());
  EXPECT_EQ(r1.error().code, ErrorCode::kIo);
  EXPECT_NE(r1.error().message.find("/nonexistent/compono/dir"), std::string::npos);

  TempDir dir;
  wasi::WasiConfig noGuestPath;
  noGuestPath.preopens = {{dir.path(), "", false}};
  EXPECT_FALSE(wasi::WasiCtx::create(noGuestPath).ok());

  wasi::WasiConfig badEnv;
  badEnv.env = {{"A=B", "c"}};
  auto r2 = wasi::WasiCtx::create(badEnv);
  ASSERT_FALSE(r2.ok());
  EXPECT_EQ(r2.error().code, ErrorCode::kUsage);

  wasi::WasiConfig nulArg;
  nulArg.args = {std::string("a\0b", 3)};
  EXPECT_FALSE(wasi::WasiCtx::create(nulArg).ok());

  wasi::WasiConfig badListener;
  badListener.listeners = {{"no-port-here"}};
  auto r3 = wasi::WasiCtx::create(badListener);
  ASSERT_FALSE(r3.ok());
  EXPECT_NE(r3.error().message.find("no-port-here"), std::string::npos);
}

TEST(WasiBasics, LinkerRegistersBothModuleNamesWhereAbiMatches) {
  auto ctx = wasi::WasiCtx::create({});
  ASSERT_TRUE(ctx.ok());
  engine::Linker linker;
  (*ctx)->addToLinker(linker);
  const char* all[] = {"args_get",
                       "args_sizes_get",
                       "environ_get",
                       "environ_sizes_get",
                       "clock_res_get",
                       "clock_time_get",
                       "fd_advise",
                       "fd_allocate",
                       "fd_close",
                       "fd_datasync",
                       "fd_fdstat_get",
                       "fd_fdstat_set_flags",
                       "fd_fdstat_set_rights",
                       "fd_filestat_get",
                       "fd_filestat_set_size",
                       "fd_filestat_set_times",
                       "fd_pread",
                       "fd_prestat_get",
                       "fd_prestat_dir_name",
                       "fd_pwrite",
                       "fd_read",
                       "fd_readdir",
                       "fd_renumber",
                       "fd_seek",
                       "fd_sync",
                       "fd_tell",
                       "fd_write",
                       "path_create_directory",
                       "path_filestat_get",
                       "path_filestat_set_times",
                       "path_link",
                       "path_open",
                       "path_readlink",
                       "path_remove_directory",
                       "path_rename",
                       "path_symlink",
                       "path_unlink_file",
                       "poll_oneoff",
                       "proc_exit",
                       "proc_raise",
                       "random_get",
                       "sched_yield",
                       "sock_accept",
                       "sock_recv",
                       "sock_send",
                       "sock_shutdown"};
  for (const char* name : all) {
    EXPECT_TRUE(linker.has("wasi_snapshot_preview1", name)) << name;
  }
  for (const char* differs :
       {"fd_seek", "fd_filestat_get", "path_filestat_get", "poll_oneoff", "sock_accept"}) {
    EXPECT_FALSE(linker.has("wasi_unstable", differs)) << differs;
  }
  for (const char* same : {"fd_write", "fd_read", "path_open", "args_get", "proc_exit"}) {
    EXPECT_TRUE(linker.has("wasi_unstable", same)) << same;
  }
}

TEST(WasiBasics, BlockingStdinReadHonoursTheDeadline) {
  wasi::WasiConfig config;
  config.args = {"probe", "waitstdin"};
  engine::StoreLimits limits;
  limits.timeout = std::chrono::milliseconds(300);
  auto t0 = std::chrono::steady_clock::now();
  GuestRun run("wasi_probe", config, limits);
  // stdin stays open and empty: only the deadline can end the read.
  GuestResult r = run.wait(/*closeStdinFirst=*/false);
  auto elapsed = std::chrono::steady_clock::now() - t0;
  EXPECT_LT(elapsed, std::chrono::seconds(10));
  ASSERT_FALSE(r.ok) << describe(r);
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->trap, TrapCode::kDeadline) << r.error->message;
}

TEST(WasiBasics, LargeWritesToAPipeArriveWhole) {
  wasi::WasiConfig config;
  config.args = {"probe", "flood 1000000"};
  GuestResult r = runGuest("wasi_probe", config);
  ASSERT_TRUE(r.ok) << describe(r);
  ASSERT_EQ(r.out.size(), 1000000u + std::string("flood 0 calls=1\n").size());
  EXPECT_EQ(r.out.find_first_not_of('x'), 1000000u);
}

TEST(WasiBasics, WriteToAStalledPipeHonoursTheDeadline) {
  int out[2];
  ASSERT_EQ(::pipe2(out, O_CLOEXEC), 0);  // nobody ever reads out[0]
  wasi::WasiConfig config;
  config.args = {"probe", "flood 10000000"};
  config.stdinFd = -1;
  config.stdoutFd = out[1];
  config.stderrFd = -1;
  engine::StoreLimits limits;
  limits.timeout = std::chrono::milliseconds(300);
  auto t0 = std::chrono::steady_clock::now();
  GuestRun run("wasi_probe", config, limits, /*pipeStdio=*/false);
  GuestResult r = run.wait();
  ::close(out[0]);
  ::close(out[1]);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(10));
  ASSERT_FALSE(r.ok) << describe(r);
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->trap, TrapCode::kDeadline) << r.error->message;
}

TEST(WasiBasics, WriteToAClosedPipeIsEpipeNotSigpipe) {
  int out[2];
  ASSERT_EQ(::pipe2(out, O_CLOEXEC), 0);
  ::close(out[0]);  // the reader is gone: a plain write would raise SIGPIPE
  wasi::WasiConfig config;
  config.args = {"probe", "flood 100"};
  config.stdinFd = -1;
  config.stdoutFd = out[1];
  config.stderrFd = -1;
  GuestRun run("wasi_probe", config, {}, /*pipeStdio=*/false);
  GuestResult r = run.wait();
  ::close(out[1]);
  // Still alive: the guest saw EPIPE (its printf of the result fails too).
  ASSERT_TRUE(r.ok) << describe(r);
}

}  // namespace
}  // namespace compono::test
