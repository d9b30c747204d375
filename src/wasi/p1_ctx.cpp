// WasiCtx setup, binding into a Linker, and the preview 1 functions that
// touch no descriptor: args, environ, clocks, random, sched_yield, proc_*.
#include "wasi/p1_ctx.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace compono::wasi {

using p1::FdEntry;
using p1::FdKind;
using p1::FileType;
namespace rights = p1::rights;

namespace {

constexpr const char* kModule = "wasi_snapshot_preview1";
constexpr const char* kLegacyModule = "wasi_unstable";

// Adapts an Impl member function to a tier-neutral HostFunc returning the
// errno as an i32.
template <typename... Args>
engine::HostFunc bind(WasiCtx::Impl* impl,
                      ErrnoResult (WasiCtx::Impl::*method)(engine::Caller&, Args...)) {
  return engine::typedHost<uint32_t, Args...>(
      [impl, method](engine::Caller& c, Args... a) -> Result<uint32_t> {
        ErrnoResult r = (impl->*method)(c, a...);
        if (!r.ok()) return std::move(r).error();
        return static_cast<uint32_t>(*r);
      });
}

std::optional<clockid_t> hostClock(uint32_t id) {
  switch (id) {
    case p1::kClockRealtime:
      return CLOCK_REALTIME;
    case p1::kClockMonotonic:
      return CLOCK_MONOTONIC;
    case p1::kClockProcessCputime:
      return CLOCK_PROCESS_CPUTIME_ID;
    case p1::kClockThreadCputime:
      return CLOCK_THREAD_CPUTIME_ID;
    default:
      return std::nullopt;
  }
}

uint64_t toNanos(const struct timespec& ts) {
  return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000ull + static_cast<uint64_t>(ts.tv_nsec);
}

// Writes a NUL-separated string list (argv / environ layout): pointers at
// `ptrs`, bytes at `buf`.
Errno storeStringList(const engine::GuestMemory& mem, const std::vector<std::string>& list,
                      uint32_t ptrs, uint32_t buf) {
  uint64_t offset = buf;
  for (size_t i = 0; i < list.size(); ++i) {
    const std::string& s = list[i];
    auto bytes = mem.bytes(offset, s.size() + 1);
    if (!bytes || offset > UINT32_MAX ||
        !mem.store<uint32_t>(uint64_t{ptrs} + 4 * i, static_cast<uint32_t>(offset))) {
      return Errno::kFault;
    }
    std::memcpy(bytes->data(), s.data(), s.size());
    (*bytes)[s.size()] = 0;
    offset += s.size() + 1;
  }
  return Errno::kSuccess;
}

Errno storeListSizes(const engine::GuestMemory& mem, const std::vector<std::string>& list,
                     uint32_t countOut, uint32_t sizeOut) {
  uint64_t size = 0;
  for (const std::string& s : list) size += s.size() + 1;
  if (!mem.store<uint32_t>(countOut, static_cast<uint32_t>(list.size())) ||
      !mem.store<uint32_t>(sizeOut, static_cast<uint32_t>(size))) {
    return Errno::kFault;
  }
  return Errno::kSuccess;
}

bool hasNul(const std::string& s) { return s.find('\0') != std::string::npos; }

}  // namespace

namespace p1 {

Errno errnoFromHost(int e) {
  switch (e) {
    case 0:
      return Errno::kSuccess;
    case kErrNotCapable:
      return Errno::kNotCapable;
    case E2BIG:
      return Errno::k2Big;
    case EACCES:
      return Errno::kAcces;
    case EADDRINUSE:
      return Errno::kAddrInUse;
    case EADDRNOTAVAIL:
      return Errno::kAddrNotAvail;
    case EAFNOSUPPORT:
      return Errno::kAfNoSupport;
    case EAGAIN:
      return Errno::kAgain;
    case EALREADY:
      return Errno::kAlready;
    case EBADF:
      return Errno::kBadf;
    case EBADMSG:
      return Errno::kBadMsg;
    case EBUSY:
      return Errno::kBusy;
    case ECANCELED:
      return Errno::kCanceled;
    case ECHILD:
      return Errno::kChild;
    case ECONNABORTED:
      return Errno::kConnAborted;
    case ECONNREFUSED:
      return Errno::kConnRefused;
    case ECONNRESET:
      return Errno::kConnReset;
    case EDEADLK:
      return Errno::kDeadlk;
    case EDESTADDRREQ:
      return Errno::kDestAddrReq;
    case EDOM:
      return Errno::kDom;
    case EDQUOT:
      return Errno::kDquot;
    case EEXIST:
      return Errno::kExist;
    case EFAULT:
      return Errno::kFault;
    case EFBIG:
      return Errno::kFbig;
    case EHOSTUNREACH:
      return Errno::kHostUnreach;
    case EIDRM:
      return Errno::kIdrm;
    case EILSEQ:
      return Errno::kIlseq;
    case EINPROGRESS:
      return Errno::kInProgress;
    case EINTR:
      return Errno::kIntr;
    case EINVAL:
      return Errno::kInval;
    case EIO:
      return Errno::kIo;
    case EISCONN:
      return Errno::kIsConn;
    case EISDIR:
      return Errno::kIsDir;
    case ELOOP:
      return Errno::kLoop;
    case EMFILE:
      return Errno::kMfile;
    case EMLINK:
      return Errno::kMlink;
    case EMSGSIZE:
      return Errno::kMsgSize;
    case EMULTIHOP:
      return Errno::kMultihop;
    case ENAMETOOLONG:
      return Errno::kNameTooLong;
    case ENETDOWN:
      return Errno::kNetDown;
    case ENETRESET:
      return Errno::kNetReset;
    case ENETUNREACH:
      return Errno::kNetUnreach;
    case ENFILE:
      return Errno::kNfile;
    case ENOBUFS:
      return Errno::kNoBufs;
    case ENODEV:
      return Errno::kNoDev;
    case ENOENT:
      return Errno::kNoEnt;
    case ENOEXEC:
      return Errno::kNoExec;
    case ENOLCK:
      return Errno::kNoLck;
    case ENOLINK:
      return Errno::kNoLink;
    case ENOMEM:
      return Errno::kNoMem;
    case ENOMSG:
      return Errno::kNoMsg;
    case ENOPROTOOPT:
      return Errno::kNoProtoOpt;
    case ENOSPC:
      return Errno::kNoSpc;
    case ENOSYS:
      return Errno::kNoSys;
    case ENOTCONN:
      return Errno::kNotConn;
    case ENOTDIR:
      return Errno::kNotDir;
    case ENOTEMPTY:
      return Errno::kNotEmpty;
    case ENOTRECOVERABLE:
      return Errno::kNotRecoverable;
    case ENOTSOCK:
      return Errno::kNotSock;
    case ENOTSUP:
      return Errno::kNotSup;  // == EOPNOTSUPP on Linux
    case ENOTTY:
      return Errno::kNotTy;
    case ENXIO:
      return Errno::kNxio;
    case EOVERFLOW:
      return Errno::kOverflow;
    case EOWNERDEAD:
      return Errno::kOwnerDead;
    case EPERM:
      return Errno::kPerm;
    case EPIPE:
      return Errno::kPipe;
    case EPROTO:
      return Errno::kProto;
    case EPROTONOSUPPORT:
      return Errno::kProtoNoSupport;
    case EPROTOTYPE:
      return Errno::kProtoType;
    case ERANGE:
      return Errno::kRange;
    case EROFS:
      return Errno::kRofs;
    case ESPIPE:
      return Errno::kSpipe;
    case ESRCH:
      return Errno::kSrch;
    case ESTALE:
      return Errno::kStale;
    case ETIMEDOUT:
      return Errno::kTimedOut;
    case ETXTBSY:
      return Errno::kTxtBsy;
    case EXDEV:
      return Errno::kXdev;
    default:
      return Errno::kIo;
  }
}

}  // namespace p1

// ---------------------------------------------------------------------------
// Setup

Status WasiCtx::Impl::addStdio(uint32_t guestFd, int hostFd, bool output) {
  if (hostFd < 0) return okStatus();  // closed: the guest fd stays empty (EBADF)
  int dup = ::fcntl(hostFd, F_DUPFD_CLOEXEC, 0);
  if (dup < 0) {
    return Error(ErrorCode::kIo, "wasi: stdio fd " + std::to_string(guestFd) + " (host fd " +
                                     std::to_string(hostFd) + "): " + std::strerror(errno));
  }
  auto e = std::make_unique<FdEntry>();
  e->fd = OwnedFd(dup);
  e->kind = FdKind::kStream;
  e->sharedDescription = true;
  struct stat st;
  e->filetype = ::fstat(dup, &st) == 0 ? p1::fileTypeFromMode(st.st_mode) : FileType::kUnknown;
  e->rightsBase = (output ? rights::kFdWrite : rights::kFdRead) | rights::kFdFdstatSetFlags |
                  rights::kFdFilestatGet | rights::kPollFdReadwrite;
  if (e->filetype == FileType::kRegularFile) {
    e->rightsBase |= rights::kFdSeek | rights::kFdTell | rights::kFdAdvise | rights::kFdSync |
                     rights::kFdDatasync;
  }
  int fl = ::fcntl(dup, F_GETFL);
  if (fl >= 0 && (fl & O_APPEND)) e->fdflags |= p1::kFdflagAppend;
  fds.insertAt(guestFd, std::move(e));
  return okStatus();
}

Status WasiCtx::Impl::addPreopen(const Preopen& p) {
  if (p.guestPath.empty()) {
    return Error(ErrorCode::kUsage, "wasi: preopen \"" + p.hostPath +
                                        "\" needs a guest path (e.g. \"/data\" or \".\")");
  }
  if (hasNul(p.guestPath) || hasNul(p.hostPath)) {
    return Error(ErrorCode::kUsage, "wasi: preopen path contains a NUL byte");
  }
  COMPONO_ASSIGN(SandboxDir root, SandboxDir::openRoot(p.hostPath, p.readOnly));
  auto e = std::make_unique<FdEntry>();
  e->kind = FdKind::kDirectory;
  e->filetype = FileType::kDirectory;
  e->dir = std::move(root);
  e->preopenPath = p.guestPath;
  e->rightsBase = rights::kDirAll;
  e->rightsInheriting = rights::kDirAll | rights::kFileAll;
  if (p.readOnly) {
    e->readOnly = true;
    e->rightsBase &= ~rights::kMutating;
    e->rightsInheriting &= ~rights::kMutating;
  }
  fds.insertAt(setupNext++, std::move(e));
  return okStatus();
}

Result<std::unique_ptr<WasiCtx>> WasiCtx::create(WasiConfig config) {
  auto impl = std::make_unique<Impl>();
  for (size_t i = 0; i < config.args.size(); ++i) {
    if (hasNul(config.args[i])) {
      return Error(ErrorCode::kUsage,
                   "wasi: argument " + std::to_string(i) + " contains a NUL byte");
    }
  }
  impl->args = config.args;
  for (const auto& [key, value] : config.env) {
    if (key.empty() || key.find('=') != std::string::npos || hasNul(key) || hasNul(value)) {
      return Error(ErrorCode::kUsage, "wasi: environment variable \"" + key +
                                          "\" is invalid (empty name, '=' in the name, or a "
                                          "NUL byte)");
    }
    impl->env.push_back(key + "=" + value);
  }
  COMPONO_TRY(impl->addStdio(0, config.stdinFd, false));
  COMPONO_TRY(impl->addStdio(1, config.stdoutFd, true));
  COMPONO_TRY(impl->addStdio(2, config.stderrFd, true));
  // Preopens take fds 3, 4, ... in order, then the listeners (wasi-libc
  // discovers preopens by probing from fd 3 up to the first EBADF).
  for (const Preopen& p : config.preopens) COMPONO_TRY(impl->addPreopen(p));
  for (const TcpListener& l : config.listeners) COMPONO_TRY(impl->addListener(l));
  return std::unique_ptr<WasiCtx>(new WasiCtx(std::move(impl)));
}

WasiCtx::WasiCtx(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
WasiCtx::~WasiCtx() = default;

std::string WasiCtx::listenerAddress(size_t i) const {
  return i < impl_->listenerAddresses.size() ? impl_->listenerAddresses[i] : std::string();
}

void WasiCtx::addToLinker(engine::Linker& linker) {
  Impl* impl = impl_.get();
  // `legacy`: also define under "wasi_unstable" (snapshot 0). Only functions
  // whose ABI is identical in both snapshots are: the others differ in
  // layout or meaning and are left undefined there, so a snapshot-0 module
  // that needs them fails to link instead of misbehaving:
  //   fd_seek            whence values differ (snapshot 0: CUR=0, END=1, SET=2)
  //   fd_filestat_get,
  //   path_filestat_get  filestat differs (snapshot 0: nlink is u32, so
  //                      size/atim/mtim/ctim sit at other offsets)
  //   poll_oneoff        the clock subscription has an extra `identifier`
  //                      field (subscription is 56 bytes, not 48)
  //   sock_accept        does not exist in snapshot 0
  auto def = [&](const char* name, engine::HostFunc f, bool legacy) {
    if (legacy) linker.defineFunc(kLegacyModule, name, f);
    linker.defineFunc(kModule, name, std::move(f));
  };
  using I = Impl;
  def("args_get", bind(impl, &I::argsGet), true);
  def("args_sizes_get", bind(impl, &I::argsSizesGet), true);
  def("environ_get", bind(impl, &I::environGet), true);
  def("environ_sizes_get", bind(impl, &I::environSizesGet), true);
  def("clock_res_get", bind(impl, &I::clockResGet), true);
  def("clock_time_get", bind(impl, &I::clockTimeGet), true);
  def("random_get", bind(impl, &I::randomGet), true);
  def("sched_yield", bind(impl, &I::schedYield), true);
  def("proc_raise", bind(impl, &I::procRaise), true);
  def("proc_exit", engine::typedHost<void, uint32_t>([](engine::Caller&, uint32_t code) -> Status {
        return Error::exit(static_cast<int>(code));
      }),
      true);

  def("fd_advise", bind(impl, &I::fdAdvise), true);
  def("fd_allocate", bind(impl, &I::fdAllocate), true);
  def("fd_close", bind(impl, &I::fdClose), true);
  def("fd_datasync", bind(impl, &I::fdDatasync), true);
  def("fd_fdstat_get", bind(impl, &I::fdFdstatGet), true);
  def("fd_fdstat_set_flags", bind(impl, &I::fdFdstatSetFlags), true);
  def("fd_fdstat_set_rights", bind(impl, &I::fdFdstatSetRights), true);
  def("fd_filestat_get", bind(impl, &I::fdFilestatGet), false);
  def("fd_filestat_set_size", bind(impl, &I::fdFilestatSetSize), true);
  def("fd_filestat_set_times", bind(impl, &I::fdFilestatSetTimes), true);
  def("fd_pread", bind(impl, &I::fdPread), true);
  def("fd_prestat_get", bind(impl, &I::fdPrestatGet), true);
  def("fd_prestat_dir_name", bind(impl, &I::fdPrestatDirName), true);
  def("fd_pwrite", bind(impl, &I::fdPwrite), true);
  def("fd_read", bind(impl, &I::fdRead), true);
  def("fd_readdir", bind(impl, &I::fdReaddir), true);
  def("fd_renumber", bind(impl, &I::fdRenumber), true);
  def("fd_seek", bind(impl, &I::fdSeek), false);
  def("fd_sync", bind(impl, &I::fdSync), true);
  def("fd_tell", bind(impl, &I::fdTell), true);
  def("fd_write", bind(impl, &I::fdWrite), true);

  def("path_create_directory", bind(impl, &I::pathCreateDirectory), true);
  def("path_filestat_get", bind(impl, &I::pathFilestatGet), false);
  def("path_filestat_set_times", bind(impl, &I::pathFilestatSetTimes), true);
  def("path_link", bind(impl, &I::pathLink), true);
  def("path_open", bind(impl, &I::pathOpen), true);
  def("path_readlink", bind(impl, &I::pathReadlink), true);
  def("path_remove_directory", bind(impl, &I::pathRemoveDirectory), true);
  def("path_rename", bind(impl, &I::pathRename), true);
  def("path_symlink", bind(impl, &I::pathSymlink), true);
  def("path_unlink_file", bind(impl, &I::pathUnlinkFile), true);

  def("poll_oneoff", bind(impl, &I::pollOneoff), false);

  def("sock_accept", bind(impl, &I::sockAccept), false);
  def("sock_recv", bind(impl, &I::sockRecv), true);
  def("sock_send", bind(impl, &I::sockSend), true);
  def("sock_shutdown", bind(impl, &I::sockShutdown), true);
}

// ---------------------------------------------------------------------------
// args, environ

ErrnoResult WasiCtx::Impl::argsGet(engine::Caller& c, uint32_t argv, uint32_t buf) {
  return storeStringList(c.memory(), args, argv, buf);
}

ErrnoResult WasiCtx::Impl::argsSizesGet(engine::Caller& c, uint32_t countOut, uint32_t sizeOut) {
  return storeListSizes(c.memory(), args, countOut, sizeOut);
}

ErrnoResult WasiCtx::Impl::environGet(engine::Caller& c, uint32_t environ, uint32_t buf) {
  return storeStringList(c.memory(), env, environ, buf);
}

ErrnoResult WasiCtx::Impl::environSizesGet(engine::Caller& c, uint32_t countOut, uint32_t sizeOut) {
  return storeListSizes(c.memory(), env, countOut, sizeOut);
}

// ---------------------------------------------------------------------------
// clocks, random, scheduling, process

ErrnoResult WasiCtx::Impl::clockResGet(engine::Caller& c, uint32_t id, uint32_t out) {
  std::optional<clockid_t> clock = hostClock(id);
  if (!clock) return Errno::kInval;
  struct timespec ts;
  if (::clock_getres(*clock, &ts) != 0) return p1::errnoFromHost(errno);
  if (!c.memory().store<uint64_t>(out, toNanos(ts))) return Errno::kFault;
  return Errno::kSuccess;
}

ErrnoResult WasiCtx::Impl::clockTimeGet(engine::Caller& c, uint32_t id, uint64_t precision,
                                        uint32_t out) {
  (void)precision;  // a hint; the host clock is read at its own resolution
  std::optional<clockid_t> clock = hostClock(id);
  if (!clock) return Errno::kInval;
  struct timespec ts;
  if (::clock_gettime(*clock, &ts) != 0) return p1::errnoFromHost(errno);
  if (!c.memory().store<uint64_t>(out, toNanos(ts))) return Errno::kFault;
  return Errno::kSuccess;
}

ErrnoResult WasiCtx::Impl::randomGet(engine::Caller& c, uint32_t buf, uint32_t len) {
  auto bytes = c.memory().bytes(buf, len);
  if (!bytes) return Errno::kFault;
  size_t done = 0;
  while (done < bytes->size()) {
    ssize_t n = ::getrandom(bytes->data() + done, bytes->size() - done, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return p1::errnoFromHost(errno);
    }
    done += static_cast<size_t>(n);
  }
  return Errno::kSuccess;
}

ErrnoResult WasiCtx::Impl::schedYield(engine::Caller&) {
  ::sched_yield();
  return Errno::kSuccess;
}

ErrnoResult WasiCtx::Impl::procRaise(engine::Caller&, uint32_t) {
  // Unsupported by design: a signal would act on the host process, which the
  // guest shares with the embedder and other guests. Preview 1 itself
  // deprecates proc_raise (it is gone from WASI 0.2).
  return Errno::kNoSys;
}

}  // namespace compono::wasi
