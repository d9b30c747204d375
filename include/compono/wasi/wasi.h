// compono/wasi/wasi.h — WASI preview 1 (wasi_snapshot_preview1) on explicit capabilities.
//
// A WasiCtx holds exactly what a guest was granted: its arguments, the
// environment variables passed to it, the directories pre-opened for it (each
// a sandbox root it cannot leave), pre-opened TCP listeners, and its stdio.
// Nothing else on the host is reachable through it (default deny).
//
// Ownership: the WasiCtx owns its file descriptors. It must outlive every
// Store whose instances were linked against it. Not thread safe: one guest
// thread at a time, like the Store.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "compono/engine/linker.h"
#include "compono/result.h"

namespace compono::wasi {

struct Preopen {
  std::string hostPath;   // directory on the host
  std::string guestPath;  // the name the guest sees (e.g. "/data" or ".")
  bool readOnly = false;  // refuse every write, create, rename, unlink, ...
};

struct TcpListener {
  std::string address;  // "127.0.0.1:8080", "[::1]:0", "0.0.0.0:80"
};

struct WasiConfig {
  std::vector<std::string> args;  // argv, args[0] is the program name
  std::vector<std::pair<std::string, std::string>> env;
  std::vector<Preopen> preopens;
  std::vector<TcpListener> listeners;  // become fds after the preopens
  // Host file descriptors for the guest's fds 0, 1, 2 (duplicated; -1 = closed).
  int stdinFd = 0;
  int stdoutFd = 1;
  int stderrFd = 2;
};

class WasiCtx {
 public:
  // Opens every preopen and listener now, so that a bad grant fails before the
  // guest runs, with an error naming the path or address.
  static Result<std::unique_ptr<WasiCtx>> create(WasiConfig config);
  ~WasiCtx();
  WasiCtx(const WasiCtx&) = delete;
  WasiCtx& operator=(const WasiCtx&) = delete;

  // Defines every function of "wasi_snapshot_preview1" (and the legacy
  // "wasi_unstable" name) in the linker, bound to this context.
  void addToLinker(engine::Linker& linker);

  // The bound address of listener i (useful with port 0).
  std::string listenerAddress(size_t i) const;

  struct Impl;
  Impl& impl() { return *impl_; }

 private:
  explicit WasiCtx(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace compono::wasi
