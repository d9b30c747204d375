// Preview 1 descriptor functions (fd_*), and the guest-memory helpers they
// share with the other groups.
#include <fcntl.h>
#include <limits.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "wasi/host_io.h"
#include "wasi/p1_ctx.h"

namespace compono::wasi {

using p1::FdEntry;
using p1::FdKind;
using p1::FileType;
namespace rights = p1::rights;
namespace layout = p1::layout;

namespace p1 {

bool collectIovecs(const engine::GuestMemory& mem, uint32_t ptr, uint32_t count,
                   std::vector<struct iovec>& out) {
  out.clear();
  if (!mem.inBounds(ptr, uint64_t{count} * layout::kIovecSize)) return false;
  const size_t maxCount = static_cast<size_t>(maxIovecs());
  uint64_t total = 0;
  for (uint32_t i = 0; i < count; ++i) {
    uint64_t at = uint64_t{ptr} + uint64_t{i} * layout::kIovecSize;
    uint32_t buf = *mem.load<uint32_t>(at);
    uint32_t len = *mem.load<uint32_t>(at + 4);
    auto bytes = mem.bytes(buf, len);
    if (!bytes) return false;
    if (out.size() >= maxCount || total >= UINT32_MAX) continue;  // still bounds-check the rest
    uint64_t take = std::min<uint64_t>(len, UINT32_MAX - total);
    out.push_back(iovec{bytes->data(), static_cast<size_t>(take)});
    total += take;
  }
  return true;
}

std::optional<std::string_view> guestPath(const engine::GuestMemory& mem, uint32_t ptr,
                                          uint32_t len) {
  return mem.string(ptr, len);
}

FileType fileTypeFromMode(mode_t mode) {
  switch (mode & S_IFMT) {
    case S_IFREG:
      return FileType::kRegularFile;
    case S_IFDIR:
      return FileType::kDirectory;
    case S_IFLNK:
      return FileType::kSymbolicLink;
    case S_IFCHR:
      return FileType::kCharacterDevice;
    case S_IFBLK:
      return FileType::kBlockDevice;
    case S_IFSOCK:
      return FileType::kSocketStream;
    default:
      return FileType::kUnknown;  // FIFOs have no preview 1 type
  }
}

static uint64_t timespecNanos(const struct timespec& ts) {
  return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000ull + static_cast<uint64_t>(ts.tv_nsec);
}

bool storeFilestat(const engine::GuestMemory& mem, uint32_t out, const struct stat& st) {
  auto bytes = mem.bytes(out, layout::kFilestatSize);
  if (!bytes) return false;
  std::memset(bytes->data(), 0, bytes->size());
  mem.store<uint64_t>(uint64_t{out} + layout::kFilestatDev, st.st_dev);
  mem.store<uint64_t>(uint64_t{out} + layout::kFilestatIno, st.st_ino);
  mem.store<uint8_t>(uint64_t{out} + layout::kFilestatFiletype,
                     static_cast<uint8_t>(fileTypeFromMode(st.st_mode)));
  mem.store<uint64_t>(uint64_t{out} + layout::kFilestatNlink, st.st_nlink);
  mem.store<uint64_t>(uint64_t{out} + layout::kFilestatFileSize, static_cast<uint64_t>(st.st_size));
  mem.store<uint64_t>(uint64_t{out} + layout::kFilestatAtim, timespecNanos(st.st_atim));
  mem.store<uint64_t>(uint64_t{out} + layout::kFilestatMtim, timespecNanos(st.st_mtim));
  mem.store<uint64_t>(uint64_t{out} + layout::kFilestatCtim, timespecNanos(st.st_ctim));
  return true;
}

// Converts fstflags and times to the times argument of futimens/utimensat.
// False when the flags are contradictory or unknown (EINVAL).
bool timesFromFlags(uint64_t atim, uint64_t mtim, uint32_t flags, struct timespec out[2]) {
  if (flags & ~uint32_t{kFstAtim | kFstAtimNow | kFstMtim | kFstMtimNow}) return false;
  if ((flags & kFstAtim) && (flags & kFstAtimNow)) return false;
  if ((flags & kFstMtim) && (flags & kFstMtimNow)) return false;
  auto one = [](uint64_t ns, bool set, bool now, struct timespec& ts) {
    if (now) {
      ts = {0, UTIME_NOW};
    } else if (set) {
      ts.tv_sec = static_cast<time_t>(ns / 1'000'000'000ull);
      ts.tv_nsec = static_cast<long>(ns % 1'000'000'000ull);
    } else {
      ts = {0, UTIME_OMIT};
    }
  };
  one(atim, flags & kFstAtim, flags & kFstAtimNow, out[0]);
  one(mtim, flags & kFstMtim, flags & kFstMtimNow, out[1]);
  return true;
}

}  // namespace p1

namespace {

Errno fromHost(int e) { return p1::errnoFromHost(e); }
Errno lastErrno() { return p1::errnoFromHost(errno); }

uint8_t direntType(unsigned char t) {
  switch (t) {
    case DT_BLK:
      return static_cast<uint8_t>(FileType::kBlockDevice);
    case DT_CHR:
      return static_cast<uint8_t>(FileType::kCharacterDevice);
    case DT_DIR:
      return static_cast<uint8_t>(FileType::kDirectory);
    case DT_REG:
      return static_cast<uint8_t>(FileType::kRegularFile);
    case DT_SOCK:
      return static_cast<uint8_t>(FileType::kSocketStream);
    case DT_LNK:
      return static_cast<uint8_t>(FileType::kSymbolicLink);
    default:
      return static_cast<uint8_t>(FileType::kUnknown);
  }
}

size_t totalLength(const std::vector<struct iovec>& iov) {
  size_t n = 0;
  for (const struct iovec& v : iov) n += v.iov_len;
  return n;
}

// Shortens `iov` so that it holds at most `limit` bytes.
void trimIovecs(std::vector<struct iovec>& iov, size_t limit) {
  size_t total = 0;
  for (size_t i = 0; i < iov.size(); ++i) {
    if (total + iov[i].iov_len >= limit) {
      iov[i].iov_len = limit - total;
      iov.resize(i + 1);
      return;
    }
    total += iov[i].iov_len;
  }
}

}  // namespace

// ---------------------------------------------------------------------------
// Blocking stream I/O

Result<OsResult<size_t>> WasiCtx::Impl::streamRead(engine::Store& store, FdEntry& e,
                                                   std::vector<struct iovec>& iov, int recvFlags) {
  const int fd = e.hostFd();
  const bool socket = e.kind == FdKind::kSocket;
  auto once = [&]() -> ssize_t {
    if (socket) {
      struct msghdr msg = {};
      msg.msg_iov = iov.data();
      msg.msg_iovlen = iov.size();
      return ::recvmsg(fd, &msg, recvFlags);
    }
    return ::readv(fd, iov.data(), static_cast<int>(iov.size()));
  };
  if (!e.isStreamLike() || totalLength(iov) == 0) {
    ssize_t n = once();
    if (n < 0) return OsResult<size_t>(OsError{errno});
    return OsResult<size_t>(static_cast<size_t>(n));
  }
  for (;;) {
    if (e.nonblocking()) {
      if (!readyNow(fd, POLLIN)) return OsResult<size_t>(OsError{EAGAIN});
    } else {
      COMPONO_ASSIGN(short revents, waitReady(store, fd, POLLIN));
      (void)revents;
    }
    ssize_t n = once();
    if (n >= 0) return OsResult<size_t>(static_cast<size_t>(n));
    if (errno == EINTR) continue;
    if ((errno == EAGAIN || errno == EWOULDBLOCK) && !e.nonblocking()) continue;
    return OsResult<size_t>(OsError{errno});
  }
}

Result<OsResult<size_t>> WasiCtx::Impl::streamWrite(engine::Store& store, FdEntry& e,
                                                    std::vector<struct iovec>& iov) {
  const int fd = e.hostFd();
  const bool socket = e.kind == FdKind::kSocket || e.filetype == FileType::kSocketStream;
  auto once = [&]() -> ssize_t {
    return writevNoSigpipe(fd, iov.data(), static_cast<int>(iov.size()), socket);
  };
  if (!e.isStreamLike() || totalLength(iov) == 0) {
    ssize_t n = once();
    if (n < 0) return OsResult<size_t>(OsError{errno});
    return OsResult<size_t>(static_cast<size_t>(n));
  }
  // A blocking host pipe or terminal that polls writable takes PIPE_BUF bytes
  // without blocking; a larger write could block past the deadline while the
  // reader stalls. fd_write may write less than asked, so write at most that.
  if (!socket && !e.hostNonblocking) trimIovecs(iov, PIPE_BUF);
  for (;;) {
    if (e.nonblocking()) {
      if (!readyNow(fd, POLLOUT)) return OsResult<size_t>(OsError{EAGAIN});
    } else {
      COMPONO_ASSIGN(short revents, waitReady(store, fd, POLLOUT));
      (void)revents;
    }
    ssize_t n = once();
    if (n >= 0) return OsResult<size_t>(static_cast<size_t>(n));
    if (errno == EINTR) continue;
    if ((errno == EAGAIN || errno == EWOULDBLOCK) && !e.nonblocking()) continue;
    return OsResult<size_t>(OsError{errno});
  }
}

// ---------------------------------------------------------------------------
// fd_*

ErrnoResult WasiCtx::Impl::fdAdvise(engine::Caller&, uint32_t fd, uint64_t offset, uint64_t len,
                                    uint32_t advice) {
  OsResult<FdEntry*> e = fds.get(fd, rights::kFdAdvise);
  if (!e.ok()) return fromHost(e.error());
  if (advice > p1::kAdviceNoReuse || offset > INT64_MAX || len > INT64_MAX) return Errno::kInval;
  static constexpr int kHostAdvice[] = {POSIX_FADV_NORMAL,   POSIX_FADV_SEQUENTIAL,
                                        POSIX_FADV_RANDOM,   POSIX_FADV_WILLNEED,
                                        POSIX_FADV_DONTNEED, POSIX_FADV_NOREUSE};
  int r = ::posix_fadvise((*e)->hostFd(), static_cast<off_t>(offset), static_cast<off_t>(len),
                          kHostAdvice[advice]);
  return fromHost(r);
}

ErrnoResult WasiCtx::Impl::fdAllocate(engine::Caller&, uint32_t fd, uint64_t offset, uint64_t len) {
  OsResult<FdEntry*> e = fds.get(fd, rights::kFdAllocate);
  if (!e.ok()) return fromHost(e.error());
  if (offset > INT64_MAX || len > INT64_MAX) return Errno::kInval;
  int r = ::posix_fallocate((*e)->hostFd(), static_cast<off_t>(offset), static_cast<off_t>(len));
  return fromHost(r);
}

ErrnoResult WasiCtx::Impl::fdClose(engine::Caller&, uint32_t fd) { return fds.close(fd); }

ErrnoResult WasiCtx::Impl::fdDatasync(engine::Caller&, uint32_t fd) {
  OsResult<FdEntry*> e = fds.get(fd, rights::kFdDatasync);
  if (!e.ok()) return fromHost(e.error());
  if (::fdatasync((*e)->hostFd()) != 0) return lastErrno();
  return Errno::kSuccess;
}

ErrnoResult WasiCtx::Impl::fdFdstatGet(engine::Caller& c, uint32_t fd, uint32_t out) {
  FdEntry* e = fds.find(fd);
  if (!e) return Errno::kBadf;
  engine::GuestMemory mem = c.memory();
  auto bytes = mem.bytes(out, layout::kFdstatSize);
  if (!bytes) return Errno::kFault;
  std::memset(bytes->data(), 0, bytes->size());
  mem.store<uint8_t>(uint64_t{out} + layout::kFdstatFiletype, static_cast<uint8_t>(e->filetype));
  mem.store<uint16_t>(uint64_t{out} + layout::kFdstatFlags, e->fdflags);
  mem.store<uint64_t>(uint64_t{out} + layout::kFdstatRightsBase, e->rightsBase);
  mem.store<uint64_t>(uint64_t{out} + layout::kFdstatRightsInheriting, e->rightsInheriting);
  return Errno::kSuccess;
}

ErrnoResult WasiCtx::Impl::fdFdstatSetFlags(engine::Caller&, uint32_t fd, uint32_t flags) {
  OsResult<FdEntry*> r = fds.get(fd, rights::kFdFdstatSetFlags);
  if (!r.ok()) return fromHost(r.error());
  FdEntry& e = **r;
  constexpr uint32_t kKnown = p1::kFdflagAppend | p1::kFdflagDsync | p1::kFdflagNonblock |
                              p1::kFdflagRsync | p1::kFdflagSync;
  constexpr uint16_t kSyncFlags = p1::kFdflagDsync | p1::kFdflagRsync | p1::kFdflagSync;
  if (flags & ~kKnown) return Errno::kInval;
  uint16_t want = static_cast<uint16_t>(flags);
  // The host cannot change O_DSYNC / O_SYNC on an open description.
  if ((want & kSyncFlags) != (e.fdflags & kSyncFlags)) return Errno::kNotSup;
  bool appendChange = (want & p1::kFdflagAppend) != (e.fdflags & p1::kFdflagAppend);
  if (appendChange) {
    // Only regular files and streams we opened ourselves: stdio descriptions
    // belong to the embedder too.
    if (e.kind != FdKind::kStream || e.sharedDescription) return Errno::kNotSup;
    int fl = ::fcntl(e.hostFd(), F_GETFL);
    if (fl < 0) return lastErrno();
    fl = (want & p1::kFdflagAppend) ? (fl | O_APPEND) : (fl & ~O_APPEND);
    if (::fcntl(e.hostFd(), F_SETFL, fl) != 0) return lastErrno();
  }
  e.fdflags = want;  // NONBLOCK is emulated (see FdEntry::fdflags)
  return Errno::kSuccess;
}

ErrnoResult WasiCtx::Impl::fdFdstatSetRights(engine::Caller&, uint32_t fd, uint64_t base,
                                             uint64_t inheriting) {
  FdEntry* e = fds.find(fd);
  if (!e) return Errno::kBadf;
  // Rights can only be dropped, never gained.
  if ((base & ~e->rightsBase) || (inheriting & ~e->rightsInheriting)) return Errno::kNotCapable;
  e->rightsBase = base;
  e->rightsInheriting = inheriting;
  return Errno::kSuccess;
}

ErrnoResult WasiCtx::Impl::fdFilestatGet(engine::Caller& c, uint32_t fd, uint32_t out) {
  OsResult<FdEntry*> e = fds.get(fd, rights::kFdFilestatGet);
  if (!e.ok()) return fromHost(e.error());
  struct stat st;
  if (::fstat((*e)->hostFd(), &st) != 0) return lastErrno();
  if (!p1::storeFilestat(c.memory(), out, st)) return Errno::kFault;
  return Errno::kSuccess;
}

ErrnoResult WasiCtx::Impl::fdFilestatSetSize(engine::Caller&, uint32_t fd, uint64_t size) {
  OsResult<FdEntry*> e = fds.get(fd, rights::kFdFilestatSetSize);
  if (!e.ok()) return fromHost(e.error());
  if (size > INT64_MAX) return Errno::kInval;
  if (::ftruncate((*e)->hostFd(), static_cast<off_t>(size)) != 0) return lastErrno();
  return Errno::kSuccess;
}

ErrnoResult WasiCtx::Impl::fdFilestatSetTimes(engine::Caller&, uint32_t fd, uint64_t atim,
                                              uint64_t mtim, uint32_t fstFlags) {
  OsResult<FdEntry*> e = fds.get(fd, rights::kFdFilestatSetTimes);
  if (!e.ok()) return fromHost(e.error());
  struct timespec times[2];
  if (!p1::timesFromFlags(atim, mtim, fstFlags, times)) return Errno::kInval;
  if (::futimens((*e)->hostFd(), times) != 0) return lastErrno();
  return Errno::kSuccess;
}

ErrnoResult WasiCtx::Impl::fdPread(engine::Caller& c, uint32_t fd, uint32_t iovs, uint32_t iovsLen,
                                   uint64_t offset, uint32_t nreadOut) {
  OsResult<FdEntry*> e = fds.get(fd, rights::kFdRead | rights::kFdSeek);
  if (!e.ok()) return fromHost(e.error());
  if (offset > INT64_MAX) return Errno::kInval;
  engine::GuestMemory mem = c.memory();
  std::vector<struct iovec> iov;
  if (!p1::collectIovecs(mem, iovs, iovsLen, iov) || !mem.inBounds(nreadOut, 4)) {
    return Errno::kFault;
  }
  ssize_t n = ::preadv((*e)->hostFd(), iov.data(), static_cast<int>(iov.size()),
                       static_cast<off_t>(offset));
  if (n < 0) return lastErrno();
  mem.store<uint32_t>(nreadOut, static_cast<uint32_t>(n));
  return Errno::kSuccess;
}

ErrnoResult WasiCtx::Impl::fdPrestatGet(engine::Caller& c, uint32_t fd, uint32_t out) {
  FdEntry* e = fds.find(fd);
  if (!e || !e->isPreopen()) return Errno::kBadf;
  engine::GuestMemory mem = c.memory();
  auto bytes = mem.bytes(out, layout::kPrestatSize);
  if (!bytes) return Errno::kFault;
  std::memset(bytes->data(), 0, bytes->size());
  mem.store<uint8_t>(uint64_t{out} + layout::kPrestatTag, p1::kPreopenDir);
  mem.store<uint32_t>(uint64_t{out} + layout::kPrestatNameLen,
                      static_cast<uint32_t>(e->preopenPath.size()));
  return Errno::kSuccess;
}

ErrnoResult WasiCtx::Impl::fdPrestatDirName(engine::Caller& c, uint32_t fd, uint32_t path,
                                            uint32_t len) {
  FdEntry* e = fds.find(fd);
  if (!e || !e->isPreopen()) return Errno::kBadf;
  if (len < e->preopenPath.size()) return Errno::kNameTooLong;
  auto bytes = c.memory().bytes(path, e->preopenPath.size());
  if (!bytes) return Errno::kFault;
  std::memcpy(bytes->data(), e->preopenPath.data(), e->preopenPath.size());
  return Errno::kSuccess;
}

ErrnoResult WasiCtx::Impl::fdPwrite(engine::Caller& c, uint32_t fd, uint32_t iovs, uint32_t iovsLen,
                                    uint64_t offset, uint32_t nwrittenOut) {
  OsResult<FdEntry*> e = fds.get(fd, rights::kFdWrite | rights::kFdSeek);
  if (!e.ok()) return fromHost(e.error());
  if (offset > INT64_MAX) return Errno::kInval;
  engine::GuestMemory mem = c.memory();
  std::vector<struct iovec> iov;
  if (!p1::collectIovecs(mem, iovs, iovsLen, iov) || !mem.inBounds(nwrittenOut, 4)) {
    return Errno::kFault;
  }
  ssize_t n = ::pwritev((*e)->hostFd(), iov.data(), static_cast<int>(iov.size()),
                        static_cast<off_t>(offset));
  if (n < 0) return lastErrno();
  mem.store<uint32_t>(nwrittenOut, static_cast<uint32_t>(n));
  return Errno::kSuccess;
}

ErrnoResult WasiCtx::Impl::fdRead(engine::Caller& c, uint32_t fd, uint32_t iovs, uint32_t iovsLen,
                                  uint32_t nreadOut) {
  OsResult<FdEntry*> e = fds.get(fd, rights::kFdRead);
  if (!e.ok()) return fromHost(e.error());
  engine::GuestMemory mem = c.memory();
  std::vector<struct iovec> iov;
  if (!p1::collectIovecs(mem, iovs, iovsLen, iov) || !mem.inBounds(nreadOut, 4)) {
    return Errno::kFault;
  }
  COMPONO_ASSIGN(OsResult<size_t> n, streamRead(c.store(), **e, iov, 0));
  if (!n.ok()) return fromHost(n.error());
  // Nothing can call into the guest while we block, so `mem` is still valid.
  mem.store<uint32_t>(nreadOut, static_cast<uint32_t>(*n));
  return Errno::kSuccess;
}

ErrnoResult WasiCtx::Impl::fdReaddir(engine::Caller& c, uint32_t fd, uint32_t buf, uint32_t bufLen,
                                     uint64_t cookie, uint32_t bufusedOut) {
  OsResult<FdEntry*> r = fds.get(fd, rights::kFdReaddir);
  if (!r.ok()) return fromHost(r.error());
  FdEntry& e = **r;
  if (e.kind != FdKind::kDirectory) return Errno::kNotDir;
  engine::GuestMemory mem = c.memory();
  auto out = mem.bytes(buf, bufLen);
  if (!out || !mem.inBounds(bufusedOut, 4)) return Errno::kFault;
  if (!e.dirStream) {
    OsResult<std::unique_ptr<DirStream>> s = DirStream::open(e.dir);
    if (!s.ok()) return fromHost(s.error());
    e.dirStream = std::move(*s);
  }
  e.dirStream->seek(cookie);
  // Entries are packed back to back; the last one is cut off where the buffer
  // ends (bufused == buf_len tells the guest to ask again from the last whole
  // entry's d_next).
  size_t used = 0;
  while (used < out->size()) {
    OsResult<std::optional<DirStream::Entry>> next = e.dirStream->next();
    if (!next.ok()) return fromHost(next.error());
    if (!*next) break;
    const DirStream::Entry& ent = **next;
    uint8_t header[layout::kDirentSize] = {};
    uint32_t namlen = static_cast<uint32_t>(ent.name.size());
    uint8_t type = direntType(ent.type);
    std::memcpy(header + layout::kDirentNext, &ent.next, 8);
    std::memcpy(header + layout::kDirentIno, &ent.ino, 8);
    std::memcpy(header + layout::kDirentNamlen, &namlen, 4);
    std::memcpy(header + layout::kDirentType, &type, 1);
    size_t n = std::min(sizeof header, out->size() - used);
    std::memcpy(out->data() + used, header, n);
    used += n;
    n = std::min(ent.name.size(), out->size() - used);
    std::memcpy(out->data() + used, ent.name.data(), n);
    used += n;
  }
  mem.store<uint32_t>(bufusedOut, static_cast<uint32_t>(used));
  return Errno::kSuccess;
}

ErrnoResult WasiCtx::Impl::fdRenumber(engine::Caller&, uint32_t from, uint32_t to) {
  return fds.renumber(from, to);
}

ErrnoResult WasiCtx::Impl::fdSeek(engine::Caller& c, uint32_t fd, int64_t offset, uint32_t whence,
                                  uint32_t newOffsetOut) {
  FdEntry* e = fds.find(fd);
  if (!e) return Errno::kBadf;
  // Spec: fd_seek needs FD_SEEK, except that a pure position query
  // (offset 0 from the current position) needs only FD_TELL.
  bool query = offset == 0 && whence == p1::kWhenceCur;
  if (!(e->rightsBase & rights::kFdSeek) && !(query && (e->rightsBase & rights::kFdTell))) {
    return Errno::kNotCapable;
  }
  int hostWhence;
  switch (whence) {
    case p1::kWhenceSet:
      hostWhence = SEEK_SET;
      break;
    case p1::kWhenceCur:
      hostWhence = SEEK_CUR;
      break;
    case p1::kWhenceEnd:
      hostWhence = SEEK_END;
      break;
    default:
      return Errno::kInval;
  }
  engine::GuestMemory mem = c.memory();
  if (!mem.inBounds(newOffsetOut, 8)) return Errno::kFault;
  off_t pos = ::lseek(e->hostFd(), static_cast<off_t>(offset), hostWhence);
  if (pos < 0) return lastErrno();
  mem.store<uint64_t>(newOffsetOut, static_cast<uint64_t>(pos));
  return Errno::kSuccess;
}

ErrnoResult WasiCtx::Impl::fdSync(engine::Caller&, uint32_t fd) {
  OsResult<FdEntry*> e = fds.get(fd, rights::kFdSync);
  if (!e.ok()) return fromHost(e.error());
  if (::fsync((*e)->hostFd()) != 0) return lastErrno();
  return Errno::kSuccess;
}

ErrnoResult WasiCtx::Impl::fdTell(engine::Caller& c, uint32_t fd, uint32_t out) {
  OsResult<FdEntry*> e = fds.get(fd, rights::kFdTell);
  if (!e.ok()) return fromHost(e.error());
  engine::GuestMemory mem = c.memory();
  if (!mem.inBounds(out, 8)) return Errno::kFault;
  off_t pos = ::lseek((*e)->hostFd(), 0, SEEK_CUR);
  if (pos < 0) return lastErrno();
  mem.store<uint64_t>(out, static_cast<uint64_t>(pos));
  return Errno::kSuccess;
}

ErrnoResult WasiCtx::Impl::fdWrite(engine::Caller& c, uint32_t fd, uint32_t iovs, uint32_t iovsLen,
                                   uint32_t nwrittenOut) {
  OsResult<FdEntry*> e = fds.get(fd, rights::kFdWrite);
  if (!e.ok()) return fromHost(e.error());
  engine::GuestMemory mem = c.memory();
  std::vector<struct iovec> iov;
  if (!p1::collectIovecs(mem, iovs, iovsLen, iov) || !mem.inBounds(nwrittenOut, 4)) {
    return Errno::kFault;
  }
  COMPONO_ASSIGN(OsResult<size_t> n, streamWrite(c.store(), **e, iov));
  if (!n.ok()) return fromHost(n.error());
  mem.store<uint32_t>(nwrittenOut, static_cast<uint32_t>(*n));
  return Errno::kSuccess;
}

}  // namespace compono::wasi
