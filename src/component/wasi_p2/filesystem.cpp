// wasi:filesystem/types and wasi:filesystem/preopens @0.2.0 over the same
// SandboxDir preopens as preview 1: every path is resolved by SandboxDir
// (never by the host's namespace), so `..` above a preopen, absolute paths
// and symlinks leading out fail with not-permitted; a descriptor without
// mutate-directory (every descriptor under a :ro preopen) refuses mutations
// with read-only (the WIT's rule for descriptor-flags.mutate-directory).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "component/wasi_p2/p2.h"
#include "wasi/p1_ctx.h"

namespace compono::wasi::p2 {

namespace {

using Args = std::span<const Value>;
using Res = std::vector<Value>;

// error-code cases, in WIT declaration order.
enum Code : uint32_t {
  kAccess, kWouldBlock, kAlready, kBadDescriptor, kBusy, kDeadlock, kQuota, kExist,
  kFileTooLarge, kIllegalByteSequence, kInProgress, kInterrupted, kInvalid, kIo, kIsDirectory,
  kLoop, kTooManyLinks, kMessageSize, kNameTooLong, kNoDevice, kNoEntry, kNoLock,
  kInsufficientMemory, kInsufficientSpace, kNotDirectory, kNotEmpty, kNotRecoverable,
  kUnsupported, kNoTty, kNoSuchDevice, kOverflow, kNotPermitted, kPipe, kReadOnly, kInvalidSeek,
  kTextFileBusy, kCrossDevice,
};

// A host errno (or kErrNotCapable: a sandbox escape) as an error-code.
uint32_t codeOf(int e) {
  switch (e) {
    case kErrNotCapable: return kNotPermitted;
    case EACCES: return kAccess;
    case EAGAIN: return kWouldBlock;
    case EALREADY: return kAlready;
    case EBADF: return kBadDescriptor;
    case EBUSY: return kBusy;
    case EDEADLK: return kDeadlock;
    case EDQUOT: return kQuota;
    case EEXIST: return kExist;
    case EFBIG: return kFileTooLarge;
    case EILSEQ: return kIllegalByteSequence;
    case EINPROGRESS: return kInProgress;
    case EINTR: return kInterrupted;
    case EINVAL: return kInvalid;
    case EISDIR: return kIsDirectory;
    case ELOOP: return kLoop;
    case EMLINK: return kTooManyLinks;
    case EMSGSIZE: return kMessageSize;
    case ENAMETOOLONG: return kNameTooLong;
    case ENODEV: return kNoDevice;
    case ENOENT: return kNoEntry;
    case ENOLCK: return kNoLock;
    case ENOMEM: return kInsufficientMemory;
    case ENOSPC: return kInsufficientSpace;
    case ENOTDIR: return kNotDirectory;
    case ENOTEMPTY: return kNotEmpty;
    case ENOTRECOVERABLE: return kNotRecoverable;
    case ENOTSUP: return kUnsupported;  // == EOPNOTSUPP on Linux
    case ENOSYS: return kUnsupported;
    case ENOTTY: return kNoTty;
    case ENXIO: return kNoSuchDevice;
    case EOVERFLOW: return kOverflow;
    case EPERM: return kNotPermitted;
    case EPIPE: return kPipe;
    case EROFS: return kReadOnly;
    case ESPIPE: return kInvalidSeek;
    case ETXTBSY: return kTextFileBusy;
    case EXDEV: return kCrossDevice;
    default: return kIo;
  }
}

Value errOf(int e) { return errCode(codeOf(e)); }
Value fromStatus(const OsStatus& s) { return s.ok() ? Value::ok() : errOf(s.error()); }

// descriptor-type of a host mode.
uint32_t typeOfMode(mode_t m) {
  if (S_ISBLK(m)) return 1;
  if (S_ISCHR(m)) return 2;
  if (S_ISDIR(m)) return 3;
  if (S_ISFIFO(m)) return 4;
  if (S_ISLNK(m)) return 5;
  if (S_ISREG(m)) return 6;
  if (S_ISSOCK(m)) return 7;
  return 0;
}

uint32_t typeOfDirent(unsigned char t) {
  switch (t) {
    case DT_BLK: return 1;
    case DT_CHR: return 2;
    case DT_DIR: return 3;
    case DT_FIFO: return 4;
    case DT_LNK: return 5;
    case DT_REG: return 6;
    case DT_SOCK: return 7;
    default: return 0;
  }
}

Value datetimeOf(const struct timespec& ts) {
  uint64_t s = ts.tv_sec < 0 ? 0 : static_cast<uint64_t>(ts.tv_sec);
  return Value::some(Value::record({Value::u64(s), Value::u32(static_cast<uint32_t>(ts.tv_nsec))}));
}

// descriptor-stat
Value statValue(const struct stat& st) {
  return Value::record({Value::enumCase(typeOfMode(st.st_mode)), Value::u64(st.st_nlink),
                        Value::u64(static_cast<uint64_t>(st.st_size)), datetimeOf(st.st_atim),
                        datetimeOf(st.st_mtim), datetimeOf(st.st_ctim)});
}

// new-timestamp { no-change, now, timestamp(datetime) } -> utimensat time.
struct timespec timeOf(const Value& v) {
  switch (v.discriminant) {
    case 0: return {0, UTIME_OMIT};
    case 1: return {0, UTIME_NOW};
    default: {
      const Value& dt = v.items[0];
      return {static_cast<time_t>(dt.items[0].u), static_cast<long>(dt.items[1].u)};
    }
  }
}

uint64_t mix(uint64_t x) {  // splitmix64 finaliser
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

// metadata-hash-value of a stat: a keyed mix of the identity (device,
// inode) and of what changes with the contents (size, mtime, ctime), so the
// same unmodified object hashes the same within one run, a modified or
// replaced one (usually) differently, and the inputs cannot be read back.
Value hashValue(const State& st, const struct stat& s) {
  uint64_t parts[] = {static_cast<uint64_t>(s.st_dev), static_cast<uint64_t>(s.st_ino),
                      static_cast<uint64_t>(s.st_size), static_cast<uint64_t>(s.st_mtim.tv_sec),
                      static_cast<uint64_t>(s.st_mtim.tv_nsec),
                      static_cast<uint64_t>(s.st_ctim.tv_sec),
                      static_cast<uint64_t>(s.st_ctim.tv_nsec)};
  uint64_t lo = st.hashKey[0], hi = st.hashKey[1];
  for (uint64_t p : parts) {
    lo = mix(lo ^ p);
    hi = mix(hi ^ p ^ lo);
  }
  return Value::record({Value::u64(lo), Value::u64(hi)});
}

}  // namespace

void defineFilesystem(Linker& linker, const std::shared_ptr<State>& st) {
  const char* types = "wasi:filesystem/types";
  std::shared_ptr<wp2::IoTable> io = st->io;
  defResource(linker, types, "descriptor", [st](uint32_t rep) { st->descriptors.erase(rep); });
  defResource(linker, types, "directory-entry-stream",
              [st](uint32_t rep) { st->dirStreams.erase(rep); });

  auto ownDescriptor = [st](std::shared_ptr<Descriptor> d) {
    uint32_t rep = st->newRep();
    st->descriptors[rep] = std::move(d);
    return Value::own(rep);
  };
  auto descOf = [st](HostCall& c, const Value& h) -> Result<std::shared_ptr<Descriptor>> {
    auto it = st->descriptors.find(h.handle);
    if (it == st->descriptors.end()) {
      return refuse(c, "descriptor handle " + std::to_string(h.handle) + " is not live");
    }
    return it->second;
  };
  // Registers a method of descriptor: `body` gets the descriptor and the
  // remaining arguments and returns the result value.
  auto method = [&linker, types, descOf](const char* name, auto body) {
    std::string fn = std::string("[method]descriptor.") + name;
    def(linker, types, fn.c_str(),
        [descOf, body](HostCall& c, Args a, Res& r) -> Status {
          COMPONO_ASSIGN(std::shared_ptr<Descriptor> d, descOf(c, a[0]));
          COMPONO_ASSIGN(Value v, body(c, *d, a.subspan(1)));
          r.push_back(std::move(v));
          return okStatus();
        });
  };
  using R = Result<Value>;
  // A directory operation: fails with not-directory on a file and, when it
  // mutates, with read-only unless the descriptor may mutate its directory.
  auto dirOp = [](const Descriptor& d, bool mutates) -> std::optional<Value> {
    if (!d.isDir()) return errCode(kNotDirectory);
    if (mutates && (d.readOnly || !d.can(kFlagMutateDir))) return errCode(kReadOnly);
    return std::nullopt;
  };
  auto fileOp = [](const Descriptor& d, int needFlag) -> std::optional<Value> {
    if (d.isDir()) return errCode(kIsDirectory);
    if (needFlag == kFlagWrite && d.readOnly) return errCode(kReadOnly);
    if (needFlag >= 0 && !d.can(needFlag)) return errCode(kBadDescriptor);
    return std::nullopt;
  };

  // --- streams
  method("read-via-stream", [io, fileOp](HostCall&, Descriptor& d, Args a) -> R {
    if (auto e = fileOp(d, kFlagRead)) return *e;
    int fd = ::fcntl(d.fd(), F_DUPFD_CLOEXEC, 0);
    if (fd < 0) return errOf(errno);
    return okOf(io->own(wp2::fdInputStream(fd, true, a[0].u)));
  });
  method("write-via-stream", [io, fileOp](HostCall&, Descriptor& d, Args a) -> R {
    if (auto e = fileOp(d, kFlagWrite)) return *e;
    int fd = ::fcntl(d.fd(), F_DUPFD_CLOEXEC, 0);
    if (fd < 0) return errOf(errno);
    return okOf(io->own(wp2::fdOutputStream(fd, true, a[0].u)));
  });
  method("append-via-stream", [io, fileOp](HostCall&, Descriptor& d, Args) -> R {
    if (auto e = fileOp(d, kFlagWrite)) return *e;
    int fd = ::fcntl(d.fd(), F_DUPFD_CLOEXEC, 0);
    if (fd < 0) return errOf(errno);
    return okOf(io->own(wp2::fdOutputStream(fd, true, std::nullopt, true)));
  });

  // --- the descriptor itself
  method("advise", [fileOp](HostCall&, Descriptor& d, Args a) -> R {
    if (auto e = fileOp(d, -1)) return *e;
    static const int kAdvice[] = {POSIX_FADV_NORMAL,   POSIX_FADV_SEQUENTIAL, POSIX_FADV_RANDOM,
                                  POSIX_FADV_WILLNEED, POSIX_FADV_DONTNEED,  POSIX_FADV_NOREUSE};
    int rc = ::posix_fadvise(d.fd(), static_cast<off_t>(a[0].u), static_cast<off_t>(a[1].u),
                             kAdvice[a[2].discriminant % 6]);
    return rc == 0 ? Value::ok() : errOf(rc);
  });
  method("sync-data", [](HostCall&, Descriptor& d, Args) -> R {
    return ::fdatasync(d.fd()) == 0 ? Value::ok() : errOf(errno);
  });
  method("sync", [](HostCall&, Descriptor& d, Args) -> R {
    return ::fsync(d.fd()) == 0 ? Value::ok() : errOf(errno);
  });
  method("get-flags", [](HostCall&, Descriptor& d, Args) -> R {
    return okOf(Value::flagSet(d.flags));
  });
  method("get-type", [](HostCall&, Descriptor& d, Args) -> R {
    struct stat s;
    if (::fstat(d.fd(), &s) != 0) return errOf(errno);
    return okOf(Value::enumCase(typeOfMode(s.st_mode)));
  });
  method("stat", [](HostCall&, Descriptor& d, Args) -> R {
    struct stat s;
    if (::fstat(d.fd(), &s) != 0) return errOf(errno);
    return okOf(statValue(s));
  });
  method("set-size", [fileOp](HostCall&, Descriptor& d, Args a) -> R {
    if (auto e = fileOp(d, kFlagWrite)) return *e;
    if (a[0].u > static_cast<uint64_t>(INT64_MAX)) return errCode(kFileTooLarge);
    return ::ftruncate(d.fd(), static_cast<off_t>(a[0].u)) == 0 ? Value::ok() : errOf(errno);
  });
  method("set-times", [](HostCall&, Descriptor& d, Args a) -> R {
    if (d.readOnly) return errCode(kReadOnly);
    struct timespec times[2] = {timeOf(a[0]), timeOf(a[1])};
    return ::futimens(d.fd(), times) == 0 ? Value::ok() : errOf(errno);
  });
  method("read", [fileOp](HostCall& c, Descriptor& d, Args a) -> R {
    if (auto e = fileOp(d, kFlagRead)) return *e;
    if (a[0].u > kMaxBytes) return refuse(c, "reads more than 64 MiB at once");
    std::vector<uint8_t> buf(a[0].u);
    ssize_t n;
    do {
      n = ::pread(d.fd(), buf.data(), buf.size(), static_cast<off_t>(a[1].u));
    } while (n < 0 && errno == EINTR);
    if (n < 0) return errOf(errno);
    buf.resize(static_cast<size_t>(n));
    bool eof = static_cast<uint64_t>(n) < a[0].u;
    return okOf(Value::tuple({bytesValue(buf), Value::boolean(eof)}));
  });
  method("write", [fileOp](HostCall&, Descriptor& d, Args a) -> R {
    if (auto e = fileOp(d, kFlagWrite)) return *e;
    std::vector<uint8_t> buf = bytesOf(a[0]);
    ssize_t n;
    do {
      n = ::pwrite(d.fd(), buf.data(), buf.size(), static_cast<off_t>(a[1].u));
    } while (n < 0 && errno == EINTR);
    if (n < 0) return errOf(errno);
    return okOf(Value::u64(static_cast<uint64_t>(n)));
  });
  method("is-same-object", [descOf](HostCall& c, Descriptor& d, Args a) -> R {
    COMPONO_ASSIGN(std::shared_ptr<Descriptor> other, descOf(c, a[0]));
    struct stat x, y;
    bool same = ::fstat(d.fd(), &x) == 0 && ::fstat(other->fd(), &y) == 0 &&
                x.st_dev == y.st_dev && x.st_ino == y.st_ino;
    return Value::boolean(same);
  });
  method("metadata-hash", [st](HostCall&, Descriptor& d, Args) -> R {
    struct stat s;
    if (::fstat(d.fd(), &s) != 0) return errOf(errno);
    return okOf(hashValue(*st, s));
  });

  // --- directory operations (paths through SandboxDir)
  method("read-directory", [st, dirOp](HostCall&, Descriptor& d, Args) -> R {
    if (auto e = dirOp(d, false)) return *e;
    OsResult<std::unique_ptr<DirStream>> s = DirStream::open(d.dir);
    if (!s.ok()) return errOf(s.error());
    uint32_t rep = st->newRep();
    st->dirStreams[rep] = std::shared_ptr<DirStream>(std::move(*s));
    return okOf(Value::own(rep));
  });
  method("create-directory-at", [dirOp](HostCall&, Descriptor& d, Args a) -> R {
    if (auto e = dirOp(d, true)) return *e;
    return fromStatus(d.dir.createDirectory(a[0].str));
  });
  method("stat-at", [dirOp](HostCall&, Descriptor& d, Args a) -> R {
    if (auto e = dirOp(d, false)) return *e;
    OsResult<struct stat> s = d.dir.stat(a[1].str, a[0].flags[0]);
    if (!s.ok()) return errOf(s.error());
    return okOf(statValue(*s));
  });
  method("metadata-hash-at", [st, dirOp](HostCall&, Descriptor& d, Args a) -> R {
    if (auto e = dirOp(d, false)) return *e;
    OsResult<struct stat> s = d.dir.stat(a[1].str, a[0].flags[0]);
    if (!s.ok()) return errOf(s.error());
    return okOf(hashValue(*st, *s));
  });
  method("set-times-at", [dirOp](HostCall&, Descriptor& d, Args a) -> R {
    if (auto e = dirOp(d, true)) return *e;
    struct timespec times[2] = {timeOf(a[2]), timeOf(a[3])};
    return fromStatus(d.dir.setTimes(a[1].str, a[0].flags[0], times));
  });
  method("link-at", [descOf, dirOp](HostCall& c, Descriptor& d, Args a) -> R {
    COMPONO_ASSIGN(std::shared_ptr<Descriptor> to, descOf(c, a[2]));
    if (auto e = dirOp(d, true)) return *e;
    if (auto e = dirOp(*to, true)) return *e;
    return fromStatus(SandboxDir::link(d.dir, a[1].str, a[0].flags[0], to->dir, a[3].str));
  });
  method("open-at", [dirOp, ownDescriptor](HostCall&, Descriptor& d, Args a) -> R {
    const std::vector<bool>& of = a[2].flags;  // create, directory, exclusive, truncate
    const std::vector<bool>& fl = a[3].flags;  // read, write, *-sync, mutate-directory
    bool create = of[0], directory = of[1], exclusive = of[2], truncate = of[3];
    bool read = fl[0], write = fl[1], mutate = fl[5];
    if (auto e = dirOp(d, create || truncate || write || mutate)) return *e;
    int flags = write ? (read ? O_RDWR : O_WRONLY) : O_RDONLY;
    if (create) flags |= O_CREAT;
    if (directory) flags |= O_DIRECTORY;
    if (exclusive) flags |= O_EXCL;
    if (truncate) flags |= O_TRUNC;
    if (fl[2]) flags |= O_SYNC;
    if (fl[3]) flags |= O_DSYNC;
    if (fl[4]) flags |= O_RSYNC;
    OsResult<SandboxDir::Opened> o = d.dir.open(a[1].str, a[0].flags[0], flags, 0666);
    if (!o.ok()) return errOf(o.error());
    auto nd = std::make_shared<Descriptor>();
    nd->readOnly = d.readOnly;
    if (o->isDir()) {
      if (write) return errCode(kIsDirectory);
      nd->dir = o->dir;
      nd->flags[kFlagRead] = true;
      // A directory inherits its parent's right to mutate (as preview 1's
      // inheriting rights do): the command adapters never ask for it.
      nd->flags[kFlagMutateDir] = d.can(kFlagMutateDir) && !d.readOnly;
    } else {
      if (directory) return errCode(kNotDirectory);
      nd->file = std::move(o->file);
      nd->flags[kFlagRead] = read;
      nd->flags[kFlagWrite] = write;
      for (int i = 2; i <= 4; ++i) nd->flags[static_cast<size_t>(i)] = fl[static_cast<size_t>(i)];
    }
    return okOf(ownDescriptor(std::move(nd)));
  });
  method("readlink-at", [dirOp](HostCall&, Descriptor& d, Args a) -> R {
    if (auto e = dirOp(d, false)) return *e;
    OsResult<std::string> s = d.dir.readLink(a[0].str);
    if (!s.ok()) return errOf(s.error());
    return okOf(Value::string(*s));
  });
  method("remove-directory-at", [dirOp](HostCall&, Descriptor& d, Args a) -> R {
    if (auto e = dirOp(d, true)) return *e;
    return fromStatus(d.dir.removeDirectory(a[0].str));
  });
  method("unlink-file-at", [dirOp](HostCall&, Descriptor& d, Args a) -> R {
    if (auto e = dirOp(d, true)) return *e;
    return fromStatus(d.dir.unlinkFile(a[0].str));
  });
  method("rename-at", [descOf, dirOp](HostCall& c, Descriptor& d, Args a) -> R {
    COMPONO_ASSIGN(std::shared_ptr<Descriptor> to, descOf(c, a[1]));
    if (auto e = dirOp(d, true)) return *e;
    if (auto e = dirOp(*to, true)) return *e;
    return fromStatus(SandboxDir::rename(d.dir, a[0].str, to->dir, a[2].str));
  });
  method("symlink-at", [dirOp](HostCall&, Descriptor& d, Args a) -> R {
    if (auto e = dirOp(d, true)) return *e;
    return fromStatus(d.dir.symlink(a[0].str, a[1].str));
  });

  def(linker, types, "[method]directory-entry-stream.read-directory-entry",
      [st](HostCall& c, Args a, Res& r) -> Status {
        auto it = st->dirStreams.find(a[0].handle);
        if (it == st->dirStreams.end()) return refuse(c, "directory-entry-stream is not live");
        for (;;) {
          OsResult<std::optional<DirStream::Entry>> e = it->second->next();
          if (!e.ok()) {
            r.push_back(errOf(e.error()));
            return okStatus();
          }
          if (!*e) {
            r.push_back(okOf(Value::none()));
            return okStatus();
          }
          const DirStream::Entry& en = **e;
          if (en.name == "." || en.name == "..") continue;  // WASI 0.2 lists neither
          r.push_back(okOf(Value::some(
              Value::record({Value::enumCase(typeOfDirent(en.type)), Value::string(en.name)}))));
          return okStatus();
        }
      });
  // Errors of file streams are plain wasi:io errors (their debug string
  // names the host error); none carries a filesystem error-code.
  def(linker, types, "filesystem-error-code", [](HostCall&, Args, Res& r) -> Status {
    r.push_back(Value::none());
    return okStatus();
  });

  // --- preopens: one new descriptor per granted directory, per call.
  def(linker, "wasi:filesystem/preopens", "get-directories",
      [st, ownDescriptor](HostCall&, Args, Res& r) -> Status {
        std::vector<Value> dirs;
        for (uint32_t fd = 3; fd < st->ctx->setupNext; ++fd) {
          p1::FdEntry* e = st->ctx->fds.find(fd);
          if (!e || !e->isPreopen() || e->kind != p1::FdKind::kDirectory) continue;
          auto d = std::make_shared<Descriptor>();
          d->dir = e->dir;
          d->readOnly = e->readOnly;
          d->flags[kFlagRead] = true;
          d->flags[kFlagMutateDir] = !e->readOnly;
          dirs.push_back(Value::tuple({ownDescriptor(std::move(d)), Value::string(e->preopenPath)}));
        }
        r.push_back(Value::list(std::move(dirs)));
        return okStatus();
      });
}

}  // namespace compono::wasi::p2
