// Preview 1 path functions (path_*). Every path goes through SandboxDir:
// nothing here ever passes a guest path to the host's namespace.
#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstring>

#include "wasi/p1_ctx.h"

namespace compono::wasi {

using p1::FdEntry;
using p1::FdKind;
using p1::FileType;
namespace rights = p1::rights;

namespace {

Errno fromHost(int e) { return p1::errnoFromHost(e); }

// The directory entry `fd` holding `required` rights: EBADF when there is no
// such fd, ENOTDIR when it is not a directory, ENOTCAPABLE when a right is
// missing.
OsResult<FdEntry*> dirEntry(p1::FdTable& fds, uint32_t fd, uint64_t required) {
  FdEntry* e = fds.find(fd);
  if (!e) return OsError{EBADF};
  if (e->kind != FdKind::kDirectory) return OsError{ENOTDIR};
  return fds.get(fd, required);
}

}  // namespace

ErrnoResult WasiCtx::Impl::pathCreateDirectory(engine::Caller& c, uint32_t fd, uint32_t path,
                                               uint32_t len) {
  OsResult<FdEntry*> e = dirEntry(fds, fd, rights::kPathCreateDirectory);
  if (!e.ok()) return fromHost(e.error());
  auto p = p1::guestPath(c.memory(), path, len);
  if (!p) return Errno::kFault;
  return fromHost((*e)->dir.createDirectory(*p).error());
}

ErrnoResult WasiCtx::Impl::pathFilestatGet(engine::Caller& c, uint32_t fd, uint32_t flags,
                                           uint32_t path, uint32_t len, uint32_t out) {
  OsResult<FdEntry*> e = dirEntry(fds, fd, rights::kPathFilestatGet);
  if (!e.ok()) return fromHost(e.error());
  engine::GuestMemory mem = c.memory();
  auto p = p1::guestPath(mem, path, len);
  if (!p || !mem.inBounds(out, p1::layout::kFilestatSize)) return Errno::kFault;
  OsResult<struct stat> st = (*e)->dir.stat(*p, flags & p1::kLookupSymlinkFollow);
  if (!st.ok()) return fromHost(st.error());
  p1::storeFilestat(mem, out, *st);
  return Errno::kSuccess;
}

ErrnoResult WasiCtx::Impl::pathFilestatSetTimes(engine::Caller& c, uint32_t fd, uint32_t flags,
                                                uint32_t path, uint32_t len, uint64_t atim,
                                                uint64_t mtim, uint32_t fstFlags) {
  OsResult<FdEntry*> e = dirEntry(fds, fd, rights::kPathFilestatSetTimes);
  if (!e.ok()) return fromHost(e.error());
  auto p = p1::guestPath(c.memory(), path, len);
  if (!p) return Errno::kFault;
  struct timespec times[2];
  if (!p1::timesFromFlags(atim, mtim, fstFlags, times)) return Errno::kInval;
  return fromHost((*e)->dir.setTimes(*p, flags & p1::kLookupSymlinkFollow, times).error());
}

ErrnoResult WasiCtx::Impl::pathLink(engine::Caller& c, uint32_t oldFd, uint32_t oldFlags,
                                    uint32_t oldPath, uint32_t oldLen, uint32_t newFd,
                                    uint32_t newPath, uint32_t newLen) {
  OsResult<FdEntry*> from = dirEntry(fds, oldFd, rights::kPathLinkSource);
  if (!from.ok()) return fromHost(from.error());
  OsResult<FdEntry*> to = dirEntry(fds, newFd, rights::kPathLinkTarget);
  if (!to.ok()) return fromHost(to.error());
  engine::GuestMemory mem = c.memory();
  auto a = p1::guestPath(mem, oldPath, oldLen);
  auto b = p1::guestPath(mem, newPath, newLen);
  if (!a || !b) return Errno::kFault;
  return fromHost(
      SandboxDir::link((*from)->dir, *a, oldFlags & p1::kLookupSymlinkFollow, (*to)->dir, *b)
          .error());
}

ErrnoResult WasiCtx::Impl::pathOpen(engine::Caller& c, uint32_t fd, uint32_t dirflags,
                                    uint32_t path, uint32_t len, uint32_t oflags, uint64_t base,
                                    uint64_t inheriting, uint32_t fdflags, uint32_t fdOut) {
  constexpr uint32_t kKnownOflags =
      p1::kOflagCreat | p1::kOflagDirectory | p1::kOflagExcl | p1::kOflagTrunc;
  constexpr uint32_t kKnownFdflags = p1::kFdflagAppend | p1::kFdflagDsync | p1::kFdflagNonblock |
                                     p1::kFdflagRsync | p1::kFdflagSync;
  uint64_t need = rights::kPathOpen;
  if (oflags & p1::kOflagCreat) need |= rights::kPathCreateFile;
  if (oflags & p1::kOflagTrunc) need |= rights::kPathFilestatSetSize;
  OsResult<FdEntry*> r = dirEntry(fds, fd, need);
  if (!r.ok()) return fromHost(r.error());
  FdEntry& dir = **r;
  if ((oflags & ~kKnownOflags) || (fdflags & ~kKnownFdflags)) return Errno::kInval;
  engine::GuestMemory mem = c.memory();
  auto p = p1::guestPath(mem, path, len);
  if (!p || !mem.inBounds(fdOut, 4)) return Errno::kFault;

  // Rights: a new fd gets at most what the directory may hand down. Like
  // other runtimes (and as the guest's libc expects) rights that cannot be
  // granted are dropped silently, except write access: asking to write where
  // writing is not inheritable (a read-only preopen) fails at once.
  // (O_DIRECTORY asks for a directory, which is only ever opened read-only,
  // so write rights in such a request are simply not applicable.)
  const bool wantDir = (oflags & p1::kOflagDirectory) != 0;
  uint64_t grantBase = base & dir.rightsInheriting;
  uint64_t grantInheriting = inheriting & dir.rightsInheriting;
  if (!wantDir) {
    if ((base & rights::kFdWrite) && !(grantBase & rights::kFdWrite)) return Errno::kNotCapable;
    if ((fdflags & p1::kFdflagAppend) && !(dir.rightsInheriting & rights::kFdWrite)) {
      return Errno::kNotCapable;
    }
  }

  // The host access mode follows the granted rights.
  constexpr uint64_t kReadRights = rights::kFdRead | rights::kFdReaddir;
  constexpr uint64_t kWriteRights =
      rights::kFdWrite | rights::kFdAllocate | rights::kFdFilestatSetSize;
  bool read = (grantBase & kReadRights) != 0;
  bool write = !wantDir && (grantBase & kWriteRights) != 0;
  int flags = write ? (read ? O_RDWR : O_WRONLY) : O_RDONLY;
  if (oflags & p1::kOflagCreat) flags |= O_CREAT;
  if (oflags & p1::kOflagExcl) flags |= O_EXCL;
  if (oflags & p1::kOflagTrunc) flags |= O_TRUNC;
  if (oflags & p1::kOflagDirectory) flags |= O_DIRECTORY;
  if (fdflags & p1::kFdflagAppend) flags |= O_APPEND;
  if (fdflags & p1::kFdflagDsync) flags |= O_DSYNC;
  if (fdflags & p1::kFdflagSync) flags |= O_SYNC;
  if (fdflags & p1::kFdflagRsync) flags |= O_RSYNC;
  // NONBLOCK is emulated per fd (see FdEntry::fdflags), not set on the host.

  OsResult<SandboxDir::Opened> opened =
      dir.dir.open(*p, dirflags & p1::kLookupSymlinkFollow, flags, 0666);
  if (!opened.ok()) return fromHost(opened.error());

  auto e = std::make_unique<FdEntry>();
  e->fdflags = static_cast<uint16_t>(fdflags);
  e->readOnly = dir.readOnly;
  if (opened->isDir()) {
    e->kind = FdKind::kDirectory;
    e->filetype = FileType::kDirectory;
    e->dir = std::move(opened->dir);
    e->rightsBase = grantBase & rights::kDirAll;
    e->rightsInheriting = grantInheriting;
  } else {
    e->kind = FdKind::kStream;
    e->filetype = p1::fileTypeFromMode(opened->st.st_mode);
    e->fd = std::move(opened->file);
    e->rightsBase = grantBase & rights::kFileAll;
    // The host description is what it is: no reading through a write-only
    // fd, no writing through a read-only one.
    if (!read) e->rightsBase &= ~rights::kFdRead;
    if (!write) e->rightsBase &= ~kWriteRights;
    e->rightsInheriting = 0;
  }
  if (e->readOnly) {
    e->rightsBase &= ~rights::kMutating;
    e->rightsInheriting &= ~rights::kMutating;
  }
  OsResult<uint32_t> newFd = fds.insert(std::move(e));
  if (!newFd.ok()) return fromHost(newFd.error());
  mem.store<uint32_t>(fdOut, *newFd);
  return Errno::kSuccess;
}

ErrnoResult WasiCtx::Impl::pathReadlink(engine::Caller& c, uint32_t fd, uint32_t path, uint32_t len,
                                        uint32_t buf, uint32_t bufLen, uint32_t bufusedOut) {
  OsResult<FdEntry*> e = dirEntry(fds, fd, rights::kPathReadlink);
  if (!e.ok()) return fromHost(e.error());
  engine::GuestMemory mem = c.memory();
  auto p = p1::guestPath(mem, path, len);
  auto out = mem.bytes(buf, bufLen);
  if (!p || !out || !mem.inBounds(bufusedOut, 4)) return Errno::kFault;
  OsResult<std::string> target = (*e)->dir.readLink(*p);
  if (!target.ok()) return fromHost(target.error());
  // A target longer than the buffer is truncated, as readlink(2) does.
  size_t n = std::min(target->size(), out->size());
  std::memcpy(out->data(), target->data(), n);
  mem.store<uint32_t>(bufusedOut, static_cast<uint32_t>(n));
  return Errno::kSuccess;
}

ErrnoResult WasiCtx::Impl::pathRemoveDirectory(engine::Caller& c, uint32_t fd, uint32_t path,
                                               uint32_t len) {
  OsResult<FdEntry*> e = dirEntry(fds, fd, rights::kPathRemoveDirectory);
  if (!e.ok()) return fromHost(e.error());
  auto p = p1::guestPath(c.memory(), path, len);
  if (!p) return Errno::kFault;
  return fromHost((*e)->dir.removeDirectory(*p).error());
}

ErrnoResult WasiCtx::Impl::pathRename(engine::Caller& c, uint32_t fd, uint32_t oldPath,
                                      uint32_t oldLen, uint32_t newFd, uint32_t newPath,
                                      uint32_t newLen) {
  OsResult<FdEntry*> from = dirEntry(fds, fd, rights::kPathRenameSource);
  if (!from.ok()) return fromHost(from.error());
  OsResult<FdEntry*> to = dirEntry(fds, newFd, rights::kPathRenameTarget);
  if (!to.ok()) return fromHost(to.error());
  engine::GuestMemory mem = c.memory();
  auto a = p1::guestPath(mem, oldPath, oldLen);
  auto b = p1::guestPath(mem, newPath, newLen);
  if (!a || !b) return Errno::kFault;
  return fromHost(SandboxDir::rename((*from)->dir, *a, (*to)->dir, *b).error());
}

ErrnoResult WasiCtx::Impl::pathSymlink(engine::Caller& c, uint32_t oldPath, uint32_t oldLen,
                                       uint32_t fd, uint32_t newPath, uint32_t newLen) {
  OsResult<FdEntry*> e = dirEntry(fds, fd, rights::kPathSymlink);
  if (!e.ok()) return fromHost(e.error());
  engine::GuestMemory mem = c.memory();
  auto target = p1::guestPath(mem, oldPath, oldLen);
  auto p = p1::guestPath(mem, newPath, newLen);
  if (!target || !p) return Errno::kFault;
  return fromHost((*e)->dir.symlink(*target, *p).error());
}

ErrnoResult WasiCtx::Impl::pathUnlinkFile(engine::Caller& c, uint32_t fd, uint32_t path,
                                          uint32_t len) {
  OsResult<FdEntry*> e = dirEntry(fds, fd, rights::kPathUnlinkFile);
  if (!e.ok()) return fromHost(e.error());
  auto p = p1::guestPath(c.memory(), path, len);
  if (!p) return Errno::kFault;
  return fromHost((*e)->dir.unlinkFile(*p).error());
}

}  // namespace compono::wasi
