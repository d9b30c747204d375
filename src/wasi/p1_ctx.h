// Internal: the state behind a WasiCtx and one member function per
// wasi_snapshot_preview1 import. The functions are split by group:
//   p1_ctx.cpp   context setup, linker binding, args, environ, clocks,
//                random, proc_exit, proc_raise, sched_yield
//   p1_fd.cpp    fd_* (descriptors: read, write, seek, stat, readdir, ...)
//   p1_path.cpp  path_* (everything that names a path, through SandboxDir)
//   p1_poll.cpp  poll_oneoff
//   p1_sock.cpp  TCP listeners and sock_*
//
// Contract of every import: guest mistakes (bad pointers, bad fds, missing
// rights, escapes) come back as a preview 1 errno in the result, never as a
// trap. Only two things end the guest from here: proc_exit (Error::exit) and
// the Store's --timeout deadline passing while blocked in the host (the
// Store's kDeadline trap).
//
// Not thread safe (one guest thread per WasiCtx at a time).
#pragma once

#include <sys/uio.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "compono/engine/host.h"
#include "compono/wasi/wasi.h"
#include "wasi/fd_table.h"
#include "wasi/p1_abi.h"

namespace compono::wasi {

using p1::Errno;
using ErrnoResult = Result<Errno>;

struct WasiCtx::Impl {
  std::vector<std::string> args;
  std::vector<std::string> env;  // "KEY=VALUE"
  p1::FdTable fds;
  std::vector<uint32_t> listenerFds;           // guest fd of listener i
  std::vector<std::string> listenerAddresses;  // bound address of listener i
  uint32_t setupNext = 3;                      // the fd the next preopen or listener gets at setup

  // Setup (p1_ctx.cpp, p1_sock.cpp).
  Status addStdio(uint32_t guestFd, int hostFd, bool output);
  Status addPreopen(const Preopen& p);
  Status addListener(const TcpListener& l);

  // args / environ
  ErrnoResult argsGet(engine::Caller& c, uint32_t argv, uint32_t buf);
  ErrnoResult argsSizesGet(engine::Caller& c, uint32_t countOut, uint32_t sizeOut);
  ErrnoResult environGet(engine::Caller& c, uint32_t environ, uint32_t buf);
  ErrnoResult environSizesGet(engine::Caller& c, uint32_t countOut, uint32_t sizeOut);
  // clocks, random, scheduling, process
  ErrnoResult clockResGet(engine::Caller& c, uint32_t id, uint32_t out);
  ErrnoResult clockTimeGet(engine::Caller& c, uint32_t id, uint64_t precision, uint32_t out);
  ErrnoResult randomGet(engine::Caller& c, uint32_t buf, uint32_t len);
  ErrnoResult schedYield(engine::Caller& c);
  ErrnoResult procRaise(engine::Caller& c, uint32_t sig);

  // fd_*
  ErrnoResult fdAdvise(engine::Caller& c, uint32_t fd, uint64_t offset, uint64_t len,
                       uint32_t advice);
  ErrnoResult fdAllocate(engine::Caller& c, uint32_t fd, uint64_t offset, uint64_t len);
  ErrnoResult fdClose(engine::Caller& c, uint32_t fd);
  ErrnoResult fdDatasync(engine::Caller& c, uint32_t fd);
  ErrnoResult fdFdstatGet(engine::Caller& c, uint32_t fd, uint32_t out);
  ErrnoResult fdFdstatSetFlags(engine::Caller& c, uint32_t fd, uint32_t flags);
  ErrnoResult fdFdstatSetRights(engine::Caller& c, uint32_t fd, uint64_t base, uint64_t inheriting);
  ErrnoResult fdFilestatGet(engine::Caller& c, uint32_t fd, uint32_t out);
  ErrnoResult fdFilestatSetSize(engine::Caller& c, uint32_t fd, uint64_t size);
  ErrnoResult fdFilestatSetTimes(engine::Caller& c, uint32_t fd, uint64_t atim, uint64_t mtim,
                                 uint32_t fstFlags);
  ErrnoResult fdPread(engine::Caller& c, uint32_t fd, uint32_t iovs, uint32_t iovsLen,
                      uint64_t offset, uint32_t nreadOut);
  ErrnoResult fdPrestatGet(engine::Caller& c, uint32_t fd, uint32_t out);
  ErrnoResult fdPrestatDirName(engine::Caller& c, uint32_t fd, uint32_t path, uint32_t len);
  ErrnoResult fdPwrite(engine::Caller& c, uint32_t fd, uint32_t iovs, uint32_t iovsLen,
                       uint64_t offset, uint32_t nwrittenOut);
  ErrnoResult fdRead(engine::Caller& c, uint32_t fd, uint32_t iovs, uint32_t iovsLen,
                     uint32_t nreadOut);
  ErrnoResult fdReaddir(engine::Caller& c, uint32_t fd, uint32_t buf, uint32_t bufLen,
                        uint64_t cookie, uint32_t bufusedOut);
  ErrnoResult fdRenumber(engine::Caller& c, uint32_t from, uint32_t to);
  ErrnoResult fdSeek(engine::Caller& c, uint32_t fd, int64_t offset, uint32_t whence,
                     uint32_t newOffsetOut);
  ErrnoResult fdSync(engine::Caller& c, uint32_t fd);
  ErrnoResult fdTell(engine::Caller& c, uint32_t fd, uint32_t out);
  ErrnoResult fdWrite(engine::Caller& c, uint32_t fd, uint32_t iovs, uint32_t iovsLen,
                      uint32_t nwrittenOut);

  // path_*
  ErrnoResult pathCreateDirectory(engine::Caller& c, uint32_t fd, uint32_t path, uint32_t len);
  ErrnoResult pathFilestatGet(engine::Caller& c, uint32_t fd, uint32_t flags, uint32_t path,
                              uint32_t len, uint32_t out);
  ErrnoResult pathFilestatSetTimes(engine::Caller& c, uint32_t fd, uint32_t flags, uint32_t path,
                                   uint32_t len, uint64_t atim, uint64_t mtim, uint32_t fstFlags);
  ErrnoResult pathLink(engine::Caller& c, uint32_t oldFd, uint32_t oldFlags, uint32_t oldPath,
                       uint32_t oldLen, uint32_t newFd, uint32_t newPath, uint32_t newLen);
  ErrnoResult pathOpen(engine::Caller& c, uint32_t fd, uint32_t dirflags, uint32_t path,
                       uint32_t len, uint32_t oflags, uint64_t base, uint64_t inheriting,
                       uint32_t fdflags, uint32_t fdOut);
  ErrnoResult pathReadlink(engine::Caller& c, uint32_t fd, uint32_t path, uint32_t len,
                           uint32_t buf, uint32_t bufLen, uint32_t bufusedOut);
  ErrnoResult pathRemoveDirectory(engine::Caller& c, uint32_t fd, uint32_t path, uint32_t len);
  ErrnoResult pathRename(engine::Caller& c, uint32_t fd, uint32_t oldPath, uint32_t oldLen,
                         uint32_t newFd, uint32_t newPath, uint32_t newLen);
  ErrnoResult pathSymlink(engine::Caller& c, uint32_t oldPath, uint32_t oldLen, uint32_t fd,
                          uint32_t newPath, uint32_t newLen);
  ErrnoResult pathUnlinkFile(engine::Caller& c, uint32_t fd, uint32_t path, uint32_t len);

  // poll_oneoff
  ErrnoResult pollOneoff(engine::Caller& c, uint32_t in, uint32_t out, uint32_t nsubscriptions,
                         uint32_t neventsOut);

  // sock_*
  ErrnoResult sockAccept(engine::Caller& c, uint32_t fd, uint32_t flags, uint32_t fdOut);
  ErrnoResult sockRecv(engine::Caller& c, uint32_t fd, uint32_t riData, uint32_t riDataLen,
                       uint32_t riFlags, uint32_t datalenOut, uint32_t roflagsOut);
  ErrnoResult sockSend(engine::Caller& c, uint32_t fd, uint32_t siData, uint32_t siDataLen,
                       uint32_t siFlags, uint32_t datalenOut);
  ErrnoResult sockShutdown(engine::Caller& c, uint32_t fd, uint32_t how);

  // Shared helpers (p1_fd.cpp).
  // Reads or writes through `e`, honouring NONBLOCK and the Store's deadline.
  Result<OsResult<size_t>> streamRead(engine::Store& store, p1::FdEntry& e,
                                      std::vector<struct iovec>& iov, int recvFlags);
  Result<OsResult<size_t>> streamWrite(engine::Store& store, p1::FdEntry& e,
                                       std::vector<struct iovec>& iov);
};

namespace p1 {

// Guest-memory helpers: every failure means EFAULT.
// Collects an iovec array into host iovecs pointing into guest memory. At
// most IOV_MAX buffers and UINT32_MAX bytes in total are used (a short
// transfer, as readv/writev allow); every listed buffer must be in bounds.
bool collectIovecs(const engine::GuestMemory& mem, uint32_t ptr, uint32_t count,
                   std::vector<struct iovec>& out);
std::optional<std::string_view> guestPath(const engine::GuestMemory& mem, uint32_t ptr,
                                          uint32_t len);
// Fills a preview 1 filestat at `out` from a host stat.
bool storeFilestat(const engine::GuestMemory& mem, uint32_t out, const struct stat& st);
FileType fileTypeFromMode(mode_t mode);
// Converts fstflags and times to futimens/utimensat times; false (EINVAL)
// when the flags are unknown or contradictory (X and X_NOW together).
bool timesFromFlags(uint64_t atim, uint64_t mtim, uint32_t flags, struct timespec out[2]);

}  // namespace p1

}  // namespace compono::wasi
