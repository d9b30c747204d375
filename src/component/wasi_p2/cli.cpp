// wasi:cli (environment, exit, stdin/stdout/stderr, terminal-*), wasi:clocks
// (monotonic-clock, wall-clock) and wasi:random (random, insecure,
// insecure-seed) @0.2.0, from the WasiCtx's grants.
#include <sys/random.h>
#include <time.h>

#include <cerrno>
#include <cstring>

#include "component/wasi_p2/p2.h"
#include "wasi/p1_ctx.h"

namespace compono::wasi::p2 {

namespace {

// A stream over a stdio fd the embedder did not grant (-1): reads end at
// once, writes report the stream closed.
class AbsentInput final : public wp2::InputStream {
 public:
  wp2::StreamResult<wp2::Bytes> read(uint64_t) override { return wp2::StreamError::closed(); }
  std::shared_ptr<wp2::Pollable> subscribe() override { return wp2::readyPollable(); }
};
class AbsentOutput final : public wp2::OutputStream {
 public:
  wp2::StreamResult<uint64_t> checkWrite() override { return wp2::StreamError::closed(); }
  wp2::StreamStatus write(std::span<const uint8_t>) override { return wp2::StreamError::closed(); }
  std::shared_ptr<wp2::Pollable> subscribe() override { return wp2::readyPollable(); }
};

// The host fd behind guest stdio fd `n` (owned by the WasiCtx), or -1.
int stdioFd(const State& st, uint32_t n) {
  p1::FdEntry* e = st.ctx->fds.find(n);
  return e ? e->hostFd() : -1;
}

uint64_t nowNs(clockid_t clock) {
  struct timespec ts;
  ::clock_gettime(clock, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000ull + static_cast<uint64_t>(ts.tv_nsec);
}

uint64_t resolutionNs(clockid_t clock) {
  struct timespec ts;
  if (::clock_getres(clock, &ts) != 0) return 1;
  uint64_t ns = static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000ull + static_cast<uint64_t>(ts.tv_nsec);
  return ns == 0 ? 1 : ns;
}

// wasi:clocks/wall-clock datetime {seconds: u64, nanoseconds: u32}.
Value datetime(uint64_t seconds, uint32_t nanos) {
  return Value::record({Value::u64(seconds), Value::u32(nanos)});
}

Status fillRandom(HostCall& c, uint8_t* p, size_t n) {
  size_t done = 0;
  while (done < n) {
    ssize_t got = ::getrandom(p + done, n - done, 0);
    if (got < 0) {
      if (errno == EINTR) continue;
      return refuse(c, std::string("the host's random source failed: ") + std::strerror(errno));
    }
    done += static_cast<size_t>(got);
  }
  return okStatus();
}

}  // namespace

void defineCli(Linker& linker, const std::shared_ptr<State>& st) {
  using Args = std::span<const Value>;
  using Res = std::vector<Value>;

  // --- environment: exactly the granted arguments and variables; no cwd.
  def(linker, "wasi:cli/environment", "get-environment", [st](HostCall&, Args, Res& r) -> Status {
    std::vector<Value> vars;
    for (const std::string& kv : st->ctx->env) {
      size_t eq = kv.find('=');
      vars.push_back(Value::tuple({Value::string(kv.substr(0, eq)), Value::string(kv.substr(eq + 1))}));
    }
    r.push_back(Value::list(std::move(vars)));
    return okStatus();
  });
  def(linker, "wasi:cli/environment", "get-arguments", [st](HostCall&, Args, Res& r) -> Status {
    std::vector<Value> args;
    for (const std::string& a : st->ctx->args) args.push_back(Value::string(a));
    r.push_back(Value::list(std::move(args)));
    return okStatus();
  });
  def(linker, "wasi:cli/environment", "initial-cwd", [](HostCall&, Args, Res& r) -> Status {
    r.push_back(Value::none());
    return okStatus();
  });

  // --- exit: ends the run with Error::exit (result ok -> 0, err -> 1).
  def(linker, "wasi:cli/exit", "exit", [](HostCall&, Args a, Res&) -> Status {
    return Error::exit(a[0].discriminant == 0 ? 0 : 1);
  });
  def(linker, "wasi:cli/exit", "exit-with-code", [](HostCall&, Args a, Res&) -> Status {
    return Error::exit(static_cast<int>(a[0].u));
  });

  // --- stdin / stdout / stderr: a new stream over the granted fd each call.
  std::shared_ptr<wp2::IoTable> io = st->io;
  def(linker, "wasi:cli/stdin", "get-stdin", [st, io](HostCall&, Args, Res& r) -> Status {
    int fd = stdioFd(*st, 0);
    if (fd < 0) r.push_back(io->own(std::shared_ptr<wp2::InputStream>(std::make_shared<AbsentInput>())));
    else r.push_back(io->own(wp2::fdInputStream(fd, false)));
    return okStatus();
  });
  auto output = [st, io](uint32_t n) {
    return [st, io, n](HostCall&, Args, Res& r) -> Status {
      int fd = stdioFd(*st, n);
      if (fd < 0) {
        r.push_back(io->own(std::shared_ptr<wp2::OutputStream>(std::make_shared<AbsentOutput>())));
      } else {
        r.push_back(io->own(wp2::fdOutputStream(fd, false)));
      }
      return okStatus();
    };
  };
  def(linker, "wasi:cli/stdout", "get-stdout", output(1));
  def(linker, "wasi:cli/stderr", "get-stderr", output(2));

  // --- terminal-*: no terminal is granted to a guest (its stdio is never
  // presented as one), so every get-terminal-* returns none.
  defResource(linker, "wasi:cli/terminal-input", "terminal-input", nullptr);
  defResource(linker, "wasi:cli/terminal-output", "terminal-output", nullptr);
  auto noTerminal = [](HostCall&, Args, Res& r) -> Status {
    r.push_back(Value::none());
    return okStatus();
  };
  def(linker, "wasi:cli/terminal-stdin", "get-terminal-stdin", noTerminal);
  def(linker, "wasi:cli/terminal-stdout", "get-terminal-stdout", noTerminal);
  def(linker, "wasi:cli/terminal-stderr", "get-terminal-stderr", noTerminal);
}

void defineClocksRandom(Linker& linker, const std::shared_ptr<State>& st) {
  using Args = std::span<const Value>;
  using Res = std::vector<Value>;
  std::shared_ptr<wp2::IoTable> io = st->io;

  // --- monotonic-clock: instant and duration are u64 nanoseconds.
  const char* mono = "wasi:clocks/monotonic-clock";
  def(linker, mono, "now", [](HostCall&, Args, Res& r) -> Status {
    r.push_back(Value::u64(nowNs(CLOCK_MONOTONIC)));
    return okStatus();
  });
  def(linker, mono, "resolution", [](HostCall&, Args, Res& r) -> Status {
    r.push_back(Value::u64(resolutionNs(CLOCK_MONOTONIC)));
    return okStatus();
  });
  def(linker, mono, "subscribe-instant", [io](HostCall&, Args a, Res& r) -> Status {
    r.push_back(io->own(wp2::deadlinePollable(a[0].u)));
    return okStatus();
  });
  def(linker, mono, "subscribe-duration", [io](HostCall&, Args a, Res& r) -> Status {
    uint64_t now = nowNs(CLOCK_MONOTONIC);
    uint64_t at = a[0].u > UINT64_MAX - now ? UINT64_MAX : now + a[0].u;
    r.push_back(io->own(wp2::deadlinePollable(at)));
    return okStatus();
  });

  // --- wall-clock
  def(linker, "wasi:clocks/wall-clock", "now", [](HostCall&, Args, Res& r) -> Status {
    struct timespec ts;
    ::clock_gettime(CLOCK_REALTIME, &ts);
    // Before 1970 cannot be a u64 of seconds: clamp to the epoch.
    if (ts.tv_sec < 0) ts = {0, 0};
    r.push_back(datetime(static_cast<uint64_t>(ts.tv_sec), static_cast<uint32_t>(ts.tv_nsec)));
    return okStatus();
  });
  def(linker, "wasi:clocks/wall-clock", "resolution", [](HostCall&, Args, Res& r) -> Status {
    uint64_t ns = resolutionNs(CLOCK_REALTIME);
    r.push_back(datetime(ns / 1'000'000'000ull, static_cast<uint32_t>(ns % 1'000'000'000ull)));
    return okStatus();
  });

  // --- random: the host CSPRNG (getrandom) for all three interfaces; the
  // insecure ones are allowed to be secure.
  auto bytes = [](HostCall& c, Args a, Res& r) -> Status {
    if (a[0].u > kMaxBytes) {
      return refuse(c, "asks for " + std::to_string(a[0].u) + " random bytes (at most 64 MiB)");
    }
    std::vector<uint8_t> buf(a[0].u);
    COMPONO_TRY(fillRandom(c, buf.data(), buf.size()));
    r.push_back(bytesValue(buf));
    return okStatus();
  };
  auto u64 = [](HostCall& c, Args, Res& r) -> Status {
    uint64_t x = 0;
    COMPONO_TRY(fillRandom(c, reinterpret_cast<uint8_t*>(&x), sizeof x));
    r.push_back(Value::u64(x));
    return okStatus();
  };
  def(linker, "wasi:random/random", "get-random-bytes", bytes);
  def(linker, "wasi:random/random", "get-random-u64", u64);
  def(linker, "wasi:random/insecure", "get-insecure-random-bytes", bytes);
  def(linker, "wasi:random/insecure", "get-insecure-random-u64", u64);
  def(linker, "wasi:random/insecure-seed", "insecure-seed", [](HostCall& c, Args, Res& r) -> Status {
    uint64_t x[2] = {0, 0};
    COMPONO_TRY(fillRandom(c, reinterpret_cast<uint8_t*>(x), sizeof x));
    r.push_back(Value::tuple({Value::u64(x[0]), Value::u64(x[1])}));
    return okStatus();
  });
}

}  // namespace compono::wasi::p2
