// compono/wasi/wasi.h — WASI preview 1 (wasi_snapshot_preview1) on explicit capabilities.
//
// A WasiCtx holds exactly what a guest was granted: its arguments, the
// environment variables passed to it, the directories pre-opened for it (each
// a sandbox root it cannot leave), pre-opened TCP listeners, and its stdio.
// Nothing else on the host is reachable through it (default deny).
//
// Guest fds: 0, 1, 2 are the stdio fds given (absent when -1); preopens
// follow from 3 in order, then the listeners. Every other number is EBADF
// until the guest opens or accepts something.
//
// Sandbox: a guest path is resolved component by component below the
// preopen's directory fd, never through the host's namespace. Absolute
// paths, absolute symlink targets and `..` above a preopen root fail with
// ENOTCAPABLE (76); a read-only preopen refuses every mutation with
// ENOTCAPABLE. docs/wasi.md lists every function and its status.
//
// Errors: a guest mistake (bad pointer, bad fd, missing right, escape) is a
// WASI errno returned to the guest, never a trap. proc_exit(n) ends the call
// with Error::exit(n). A call blocked in the host (fd_read on a pipe or
// socket, sock_accept, poll_oneoff) ends with the Store's kDeadline trap
// when its --timeout passes.
//
// Ownership: the WasiCtx owns its file descriptors (stdio fds are
// duplicated; the caller keeps its own). It must outlive every Store whose
// instances were linked against it. Not thread safe: one guest thread at a
// time, like the Store.
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

  // Defines every function of "wasi_snapshot_preview1" in the linker, bound
  // to this context, and the same functions under the legacy "wasi_unstable"
  // name where that snapshot's ABI is identical (all but fd_seek,
  // fd_filestat_get, path_filestat_get, poll_oneoff and sock_accept).
  // The linker must not outlive this context.
  void addToLinker(engine::Linker& linker);

  // The bound address of listener i ("127.0.0.1:41234", "[::1]:8080"; useful
  // with port 0), or "" when there is no listener i.
  std::string listenerAddress(size_t i) const;

  // Internal state (src/wasi/p1_ctx.h); not part of the stable API.
  struct Impl;
  Impl& impl() { return *impl_; }

 private:
  explicit WasiCtx(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace compono::wasi
