#include "wasi/sandbox.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <deque>
#include <vector>

namespace compono::wasi {

namespace {

OsError lastError() { return OsError{errno != 0 ? errno : EIO}; }

// A single component that may be handed to the host: not empty, no '/',
// not "..". "." is allowed (it names the directory fd itself).
bool isPlainComponent(const std::string& name) {
  return !name.empty() && name.find('/') == std::string::npos && name != "..";
}

// Splits a relative path into components, dropping empty ones and ".".
std::vector<std::string> splitPath(std::string_view path) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    std::string_view comp = path.substr(i, j - i);
    if (!comp.empty() && comp != ".") out.emplace_back(comp);
    i = j + 1;
  }
  return out;
}

// The content of the symlink `name` in `dirfd`, or nullopt with *err set
// (EINVAL when `name` is not a symlink).
std::optional<std::string> readLinkAt(int dirfd, const std::string& name, int* err) {
  std::string buf(256, '\0');
  for (;;) {
    ssize_t n = ::readlinkat(dirfd, name.c_str(), buf.data(), buf.size());
    if (n < 0) {
      *err = errno;
      return std::nullopt;
    }
    if (static_cast<size_t>(n) < buf.size()) {
      buf.resize(static_cast<size_t>(n));
      return buf;
    }
    if (buf.size() >= PATH_MAX) {
      *err = ENAMETOOLONG;
      return std::nullopt;
    }
    buf.resize(buf.size() * 2);
  }
}

OsStatus checkMustBeDir(const SandboxDir::Resolved& r) {
  if (!r.mustBeDir) return {};
  struct stat st;
  if (::fstatat(r.dir->fd.get(), r.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
    return lastError();
  }
  if (!S_ISDIR(st.st_mode)) return OsError{ENOTDIR};
  return {};
}

bool hasNul(std::string_view s) { return s.find('\0') != std::string_view::npos; }

}  // namespace

int openBeneath(int dirfd, const std::string& name, int flags, mode_t mode) {
  if (!isPlainComponent(name)) {
    errno = EINVAL;  // a broken caller invariant; never reach the host with it
    return -1;
  }
  flags |= O_NOFOLLOW | O_CLOEXEC;
#ifdef SYS_openat2
  struct open_how how;
  std::memset(&how, 0, sizeof how);
  how.flags = static_cast<uint64_t>(static_cast<unsigned>(flags));
  how.mode = (flags & O_CREAT) ? mode : 0;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
  long fd = ::syscall(SYS_openat2, dirfd, name.c_str(), &how, sizeof how);
  if (fd >= 0) return static_cast<int>(fd);
  // Kernels (or seccomp filters) without openat2 say ENOSYS or EPERM; old
  // kernels may not know a flag (EINVAL, E2BIG); EAGAIN means a concurrent
  // rename raced the kernel's own check. The plain openat below is the
  // primary defence anyway (single component, O_NOFOLLOW), so fall back.
  if (errno != ENOSYS && errno != EPERM && errno != EINVAL && errno != E2BIG && errno != EAGAIN) {
    return -1;
  }
#endif
  return ::openat(dirfd, name.c_str(), flags, mode);
}

// ---------------------------------------------------------------------------
// SandboxDir

Result<SandboxDir> SandboxDir::openRoot(const std::string& hostPath, bool readOnly) {
  int fd = ::open(hostPath.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    int e = errno;
    return Error(ErrorCode::kIo,
                 "preopen \"" + hostPath + "\": cannot open directory: " + std::strerror(e));
  }
  auto node = std::make_shared<DirNode>();
  node->fd = OwnedFd(fd);
  node->readOnly = readOnly;
  return SandboxDir(std::move(node));
}

int SandboxDir::fd() const { return node_->fd.get(); }
bool SandboxDir::readOnly() const { return node_->readOnly; }
uint32_t SandboxDir::depth() const { return node_->depth; }
bool SandboxDir::isRoot() const { return node_->parent == nullptr; }

OsResult<SandboxDir::Resolved> SandboxDir::resolve(std::string_view path, bool followFinal) const {
  if (path.empty()) return OsError{ENOENT};
  if (path.size() >= PATH_MAX) return OsError{ENAMETOOLONG};  // bounds the work of a walk
  if (hasNul(path)) return OsError{EINVAL};
  if (path.front() == '/') return OsError{kErrNotCapable};

  std::vector<std::string> first = splitPath(path);
  std::deque<std::string> todo(first.begin(), first.end());
  bool mustBeDir = path.back() == '/';
  std::shared_ptr<const DirNode> cur = node_;
  int symlinks = 0;

  // Splices a symlink's target in front of what is left to walk.
  auto expand = [&](const std::string& target, bool wasLast) -> OsStatus {
    if (++symlinks > kMaxSymlinks) return OsError{ELOOP};
    if (target.empty()) return OsError{ENOENT};
    if (target.front() == '/') return OsError{kErrNotCapable};
    std::vector<std::string> comps = splitPath(target);
    todo.insert(todo.begin(), comps.begin(), comps.end());
    if (wasLast && target.back() == '/') mustBeDir = true;
    return {};
  };

  while (!todo.empty()) {
    std::string comp = std::move(todo.front());
    todo.pop_front();
    bool last = todo.empty();

    if (comp == "..") {
      // Never the host's "..": our own parent, which we opened on the way down.
      if (!cur->parent) return OsError{kErrNotCapable};
      cur = cur->parent;
      continue;
    }

    if (last) {
      if (followFinal || mustBeDir) {
        int err = 0;
        std::optional<std::string> target = readLinkAt(cur->fd.get(), comp, &err);
        if (target) {
          OsStatus s = expand(*target, true);
          if (!s.ok()) return OsError{s.error()};
          continue;
        }
      }
      return Resolved{cur, std::move(comp), mustBeDir};
    }

    int fd = openBeneath(cur->fd.get(), comp, O_PATH | O_DIRECTORY, 0);
    if (fd < 0) {
      int err = errno;
      if (err == ELOOP || err == ENOTDIR) {
        int linkErr = 0;
        std::optional<std::string> target = readLinkAt(cur->fd.get(), comp, &linkErr);
        if (target) {
          OsStatus s = expand(*target, false);
          if (!s.ok()) return OsError{s.error()};
          continue;
        }
      }
      return OsError{err};
    }
    OwnedFd owned(fd);
    if (cur->depth + 1 > kMaxDepth) return OsError{ENAMETOOLONG};
    auto next = std::make_shared<DirNode>();
    next->fd = std::move(owned);
    next->parent = cur;
    next->readOnly = cur->readOnly;
    next->depth = cur->depth + 1;
    cur = std::move(next);
  }
  // The path named the directory reached by "." and ".." components alone.
  return Resolved{cur, ".", mustBeDir};
}

OsResult<SandboxDir::Opened> SandboxDir::open(std::string_view path, bool followFinal, int flags,
                                              mode_t mode) const {
  int access = flags & O_ACCMODE;
  if (readOnly() && (access != O_RDONLY || (flags & (O_CREAT | O_TRUNC)) != 0)) {
    return OsError{kErrNotCapable};
  }
  bool exclusive = (flags & O_CREAT) && (flags & O_EXCL);
  OsResult<Resolved> r = resolve(path, followFinal && !exclusive);
  if (!r.ok()) return OsError{r.error()};

  int hostFlags = flags | O_NONBLOCK | O_NOCTTY;
  if (r->mustBeDir) hostFlags |= O_DIRECTORY;
  int fd = openBeneath(r->dir->fd.get(), r->name, hostFlags, mode);
  if (fd < 0) return lastError();
  OwnedFd owned(fd);

  Opened out;
  if (::fstat(fd, &out.st) != 0) return lastError();
  if (!(flags & O_NONBLOCK)) {
    int fl = ::fcntl(fd, F_GETFL);
    if (fl < 0 || ::fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) != 0) return lastError();
  }
  if (S_ISDIR(out.st.st_mode)) {
    // "." names r->dir itself: the new handle takes r->dir's place in the chain.
    std::shared_ptr<const DirNode> parent = r->name == "." ? r->dir->parent : r->dir;
    auto node = std::make_shared<DirNode>();
    node->depth = parent ? parent->depth + 1 : 0;
    if (node->depth > kMaxDepth) return OsError{ENAMETOOLONG};
    node->fd = std::move(owned);
    node->parent = std::move(parent);
    node->readOnly = r->dir->readOnly;
    out.dir = SandboxDir(std::move(node));
  } else {
    out.file = std::move(owned);
  }
  return out;
}

OsStatus SandboxDir::createDirectory(std::string_view path) const {
  if (readOnly()) return OsError{kErrNotCapable};
  OsResult<Resolved> r = resolve(path, false);
  if (!r.ok()) return OsError{r.error()};
  if (r->name == ".") return OsError{EEXIST};
  if (::mkdirat(r->dir->fd.get(), r->name.c_str(), 0777) != 0) return lastError();
  return {};
}

OsStatus SandboxDir::removeDirectory(std::string_view path) const {
  if (readOnly()) return OsError{kErrNotCapable};
  OsResult<Resolved> r = resolve(path, false);
  if (!r.ok()) return OsError{r.error()};
  if (r->name == ".") return OsError{EINVAL};
  if (::unlinkat(r->dir->fd.get(), r->name.c_str(), AT_REMOVEDIR) != 0) return lastError();
  return {};
}

OsStatus SandboxDir::unlinkFile(std::string_view path) const {
  if (readOnly()) return OsError{kErrNotCapable};
  OsResult<Resolved> r = resolve(path, false);
  if (!r.ok()) return OsError{r.error()};
  if (r->name == ".") return OsError{EISDIR};
  if (r->mustBeDir) {
    OsStatus s = checkMustBeDir(*r);
    return OsError{s.ok() ? EISDIR : s.error()};
  }
  if (::unlinkat(r->dir->fd.get(), r->name.c_str(), 0) != 0) return lastError();
  return {};
}

OsResult<std::string> SandboxDir::readLink(std::string_view path) const {
  OsResult<Resolved> r = resolve(path, false);
  if (!r.ok()) return OsError{r.error()};
  if (r->name == ".") return OsError{EINVAL};
  int err = 0;
  std::optional<std::string> target = readLinkAt(r->dir->fd.get(), r->name, &err);
  if (!target) return OsError{err};
  return std::move(*target);
}

OsResult<struct stat> SandboxDir::stat(std::string_view path, bool followFinal) const {
  OsResult<Resolved> r = resolve(path, followFinal);
  if (!r.ok()) return OsError{r.error()};
  struct stat st;
  if (::fstatat(r->dir->fd.get(), r->name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
    return lastError();
  }
  if (r->mustBeDir && !S_ISDIR(st.st_mode)) return OsError{ENOTDIR};
  return st;
}

OsStatus SandboxDir::setTimes(std::string_view path, bool followFinal,
                              const struct timespec times[2]) const {
  if (readOnly()) return OsError{kErrNotCapable};
  OsResult<Resolved> r = resolve(path, followFinal);
  if (!r.ok()) return OsError{r.error()};
  OsStatus s = checkMustBeDir(*r);
  if (!s.ok()) return s;
  if (::utimensat(r->dir->fd.get(), r->name.c_str(), times, AT_SYMLINK_NOFOLLOW) != 0) {
    return lastError();
  }
  return {};
}

OsStatus SandboxDir::symlink(std::string_view target, std::string_view path) const {
  if (readOnly()) return OsError{kErrNotCapable};
  if (target.empty()) return OsError{ENOENT};
  if (hasNul(target)) return OsError{EINVAL};
  if (target.front() == '/') return OsError{kErrNotCapable};
  OsResult<Resolved> r = resolve(path, false);
  if (!r.ok()) return OsError{r.error()};
  if (r->name == ".") return OsError{EEXIST};
  // Lexical check: from the link's directory, the target must stay at or
  // below the sandbox root at every step.
  int64_t level = r->dir->depth;
  size_t i = 0;
  while (i <= target.size()) {
    size_t j = target.find('/', i);
    if (j == std::string_view::npos) j = target.size();
    std::string_view comp = target.substr(i, j - i);
    if (comp == "..") {
      if (--level < 0) return OsError{kErrNotCapable};
    } else if (!comp.empty() && comp != ".") {
      ++level;
    }
    i = j + 1;
  }
  std::string t(target);
  if (::symlinkat(t.c_str(), r->dir->fd.get(), r->name.c_str()) != 0) return lastError();
  return {};
}

OsStatus SandboxDir::link(const SandboxDir& fromDir, std::string_view from, bool followFrom,
                          const SandboxDir& toDir, std::string_view to) {
  if (fromDir.readOnly() || toDir.readOnly()) return OsError{kErrNotCapable};
  OsResult<Resolved> a = fromDir.resolve(from, followFrom);
  if (!a.ok()) return OsError{a.error()};
  OsResult<Resolved> b = toDir.resolve(to, false);
  if (!b.ok()) return OsError{b.error()};
  if (a->name == "." || b->name == ".") return OsError{a->name == "." ? EPERM : EEXIST};
  OsStatus s = checkMustBeDir(*a);
  if (!s.ok()) return s;
  // Flags 0: never AT_SYMLINK_FOLLOW; a wanted final symlink was expanded above.
  if (::linkat(a->dir->fd.get(), a->name.c_str(), b->dir->fd.get(), b->name.c_str(), 0) != 0) {
    return lastError();
  }
  return {};
}

OsStatus SandboxDir::rename(const SandboxDir& fromDir, std::string_view from,
                            const SandboxDir& toDir, std::string_view to) {
  if (fromDir.readOnly() || toDir.readOnly()) return OsError{kErrNotCapable};
  OsResult<Resolved> a = fromDir.resolve(from, false);
  if (!a.ok()) return OsError{a.error()};
  OsResult<Resolved> b = toDir.resolve(to, false);
  if (!b.ok()) return OsError{b.error()};
  if (a->name == "." || b->name == ".") return OsError{EBUSY};
  OsStatus s = checkMustBeDir(*a);
  if (!s.ok()) return s;
  if (::renameat(a->dir->fd.get(), a->name.c_str(), b->dir->fd.get(), b->name.c_str()) != 0) {
    return lastError();
  }
  return {};
}

// ---------------------------------------------------------------------------
// DirStream

OsResult<std::unique_ptr<DirStream>> DirStream::open(const SandboxDir& dir) {
  int fd = ::openat(dir.fd(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return lastError();
  DIR* d = ::fdopendir(fd);
  if (!d) {
    OsError e = lastError();
    ::close(fd);
    return e;
  }
  return std::unique_ptr<DirStream>(new DirStream(d, dir));
}

DirStream::~DirStream() { ::closedir(dir_); }

void DirStream::seek(uint64_t cookie) {
  if (cookie == 0) {
    ::rewinddir(dir_);
  } else {
    ::seekdir(dir_, static_cast<long>(cookie));
  }
}

OsResult<std::optional<DirStream::Entry>> DirStream::next() {
  errno = 0;
  struct dirent* d = ::readdir(dir_);
  if (!d) {
    if (errno != 0) return lastError();
    return std::optional<Entry>();
  }
  Entry e;
  e.name = d->d_name;
  e.ino = d->d_ino;
  e.type = d->d_type;
  long pos = ::telldir(dir_);
  e.next = static_cast<uint64_t>(pos);
  if (e.name == "..") {
    // The host's ".." of a sandbox root lies outside the sandbox: report the
    // directory we consider its parent (the root is its own parent).
    const DirNode& self = *owner_.node_;
    int pfd = self.parent ? self.parent->fd.get() : self.fd.get();
    struct stat st;
    if (::fstat(pfd, &st) == 0) e.ino = st.st_ino;
    e.type = DT_DIR;
  } else if (e.type == DT_UNKNOWN) {
    struct stat st;
    if (::fstatat(::dirfd(dir_), d->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
      e.type = IFTODT(st.st_mode);
    }
  }
  return std::optional<Entry>(std::move(e));
}

}  // namespace compono::wasi
