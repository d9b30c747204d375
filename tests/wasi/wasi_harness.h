// Test helper: runs a guest from tests/guests through the library API
// (Engine, Module::fromFile, Store, Linker, WasiCtx, "_start") on its own
// thread, with pipes for stdio that the test controls while it runs.
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "compono/engine/engine.h"
#include "compono/engine/linker.h"
#include "compono/engine/module.h"
#include "compono/engine/store.h"
#include "compono/wasi/wasi.h"
#include "support/test_support.h"

namespace compono::test {

struct GuestResult {
  bool ok = false;             // ran to the end or exited through proc_exit
  int exitCode = -1;           // 0 when _start returned, else the proc_exit status
  std::optional<Error> error;  // anything else (a trap, a link error, ...)
  std::string out;
  std::string err;
};

// Reads a pipe into a string on a thread until EOF; waitFor() lets the test
// block until some text has appeared.
class PipeReader {
 public:
  explicit PipeReader(int fd) : fd_(fd), thread_([this] { loop(); }) {}
  ~PipeReader() {
    if (thread_.joinable()) thread_.join();
    ::close(fd_);
  }
  bool waitFor(const std::string& needle, std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, timeout, [&] {
      return data_.find(needle) != std::string::npos || eof_;
    }) && data_.find(needle) != std::string::npos;
  }
  std::string finish() {
    if (thread_.joinable()) thread_.join();
    std::lock_guard<std::mutex> lock(mu_);
    return data_;
  }

 private:
  void loop() {
    char buf[4096];
    for (;;) {
      ssize_t n = ::read(fd_, buf, sizeof buf);
      if (n <= 0) {
        if (n < 0 && errno == EINTR) continue;
        break;
      }
      std::lock_guard<std::mutex> lock(mu_);
      data_.append(buf, static_cast<size_t>(n));
      cv_.notify_all();
    }
    std::lock_guard<std::mutex> lock(mu_);
    eof_ = true;
    cv_.notify_all();
  }
  int fd_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::string data_;
  bool eof_ = false;
  std::thread thread_;
};

// One guest run on its own thread. stdin, stdout and stderr are pipes unless
// the config already names other host fds (then those are used as given).
class GuestRun {
 public:
  // Without a timeout of its own, a run gets one of 60 s: a guest stuck in
  // the host ends with a deadline trap instead of hanging the test binary.
  GuestRun(const std::string& guest, wasi::WasiConfig config, engine::StoreLimits limits = {},
           bool pipeStdio = true) {
    if (!limits.timeout) limits.timeout = std::chrono::seconds(60);
    if (pipeStdio) {
      int in[2], out[2], err[2];
      EXPECT_EQ(::pipe2(in, O_CLOEXEC), 0);
      EXPECT_EQ(::pipe2(out, O_CLOEXEC), 0);
      EXPECT_EQ(::pipe2(err, O_CLOEXEC), 0);
      config.stdinFd = in[0];
      config.stdoutFd = out[1];
      config.stderrFd = err[1];
      stdinWrite_ = in[1];
      out_ = std::make_unique<PipeReader>(out[0]);
      err_ = std::make_unique<PipeReader>(err[0]);
      auto ctx = wasi::WasiCtx::create(std::move(config));
      ::close(in[0]);
      ::close(out[1]);
      ::close(err[1]);
      start(guest, std::move(ctx), limits);
    } else {
      start(guest, wasi::WasiCtx::create(std::move(config)), limits);
    }
  }
  ~GuestRun() {
    closeStdin();
    if (thread_.joinable()) thread_.join();
  }

  void writeStdin(const std::string& s) {
    ASSERT_GE(stdinWrite_, 0);
    ASSERT_EQ(::write(stdinWrite_, s.data(), s.size()), static_cast<ssize_t>(s.size()));
  }
  void closeStdin() {
    if (stdinWrite_ >= 0) ::close(stdinWrite_);
    stdinWrite_ = -1;
  }
  bool waitForOutput(const std::string& needle, int ms = 20000) {
    return out_ && out_->waitFor(needle, std::chrono::milliseconds(ms));
  }
  // Listener addresses, valid once the context was created.
  std::vector<std::string> listenerAddresses() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return created_; });
    return addresses_;
  }
  // Waits for the guest to finish; stdin is closed first unless told not to
  // (to test what happens while a guest is blocked on it).
  GuestResult wait(bool closeStdinFirst = true) {
    if (closeStdinFirst) closeStdin();
    if (thread_.joinable()) thread_.join();
    if (out_) result_.out = out_->finish();
    if (err_) result_.err = err_->finish();
    return result_;
  }

 private:
  void start(const std::string& guest, Result<std::unique_ptr<wasi::WasiCtx>> ctx,
             engine::StoreLimits limits) {
    if (!ctx.ok()) {
      result_.error = ctx.error();
      created_ = true;
      return;
    }
    for (size_t i = 0;; ++i) {
      std::string a = (*ctx)->listenerAddress(i);
      if (a.empty()) break;
      addresses_.push_back(a);
    }
    created_ = true;
    thread_ = std::thread([this, guest, limits, c = std::move(*ctx)]() mutable {
      runGuest(guest, std::move(c), limits);
    });
  }

  void runGuest(const std::string& guest, std::unique_ptr<wasi::WasiCtx> ctx,
                engine::StoreLimits limits) {
    // ctest runs this suite once per tier (COMPONO_TEST_TIER=interp|aot).
    engine::EngineConfig config;
    const char* tier = std::getenv("COMPONO_TEST_TIER");
    config.tier = tier && std::string(tier) == "aot" ? engine::Tier::kAot : engine::Tier::kInterp;
    engine::Engine engine(config);
    auto module = engine::Module::fromFile(engine, guestPath(guest));
    if (!module.ok()) {
      result_.error = module.error();
      return;
    }
    {
      engine::Store store(engine, limits);
      engine::Linker linker;
      ctx->addToLinker(linker);
      auto instance = linker.instantiate(store, *module);
      if (!instance.ok()) {
        result_.error = instance.error();
      } else {
        auto start = instance->getFunc("_start");
        if (!start) {
          result_.error = Error(ErrorCode::kLink, "no _start");
        } else {
          auto r = start->call({});
          if (r.ok()) {
            result_.ok = true;
            result_.exitCode = 0;
          } else if (r.error().code == ErrorCode::kExit) {
            result_.ok = true;
            result_.exitCode = r.error().exitStatus;
          } else {
            result_.error = r.error();
          }
        }
      }
    }
    ctx.reset();  // closes the guest's stdio ends: the readers see EOF
  }

  int stdinWrite_ = -1;
  std::unique_ptr<PipeReader> out_;
  std::unique_ptr<PipeReader> err_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool created_ = false;
  std::vector<std::string> addresses_;
  GuestResult result_;
  std::thread thread_;
};

// Runs a guest to completion, feeding `stdinData`.
inline GuestResult runGuest(const std::string& guest, wasi::WasiConfig config,
                            const std::string& stdinData = "", engine::StoreLimits limits = {}) {
  GuestRun run(guest, std::move(config), limits);
  if (!stdinData.empty()) run.writeStdin(stdinData);
  return run.wait();
}

// Runs wasi_probe with `commands` (one argv entry each) and preopens.
inline GuestResult runProbe(std::vector<wasi::Preopen> preopens,
                            const std::vector<std::string>& commands,
                            const std::string& stdinData = "") {
  wasi::WasiConfig config;
  config.args.push_back("wasi_probe");
  for (const auto& c : commands) config.args.push_back(c);
  config.preopens = std::move(preopens);
  return runGuest("wasi_probe", std::move(config), stdinData);
}

// The output lines of a run, for exact per-command matching.
inline std::vector<std::string> lines(const std::string& s) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < s.size()) {
    size_t j = s.find('\n', i);
    if (j == std::string::npos) j = s.size();
    out.push_back(s.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

inline std::string describe(const GuestResult& r) {
  std::string s = "stdout:\n" + r.out + "\nstderr:\n" + r.err;
  if (r.error) s += "\nerror: " + r.error->withBacktrace();
  return s;
}

// Preview 1 errno values the tests check for.
inline constexpr int kEbadf = 8;
inline constexpr int kEexist = 20;
inline constexpr int kEfault = 21;
inline constexpr int kEinval = 28;
inline constexpr int kEisdir = 31;
inline constexpr int kEloop = 32;
inline constexpr int kEnoent = 44;
inline constexpr int kEnosys = 52;
inline constexpr int kEnotdir = 54;
inline constexpr int kEnotempty = 55;
inline constexpr int kEnotsock = 57;
inline constexpr int kEnotsup = 58;
inline constexpr int kEnotcapable = 76;
inline constexpr int kEagain = 6;
inline constexpr int kEnametoolong = 37;

}  // namespace compono::test
