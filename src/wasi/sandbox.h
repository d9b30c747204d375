// Internal: capability-confined path resolution for every WASI version.
//
// A SandboxDir is a handle to a directory inside a sandbox whose root is a
// pre-opened host directory. Guest paths are never handed to the host's
// ambient namespace: they are walked one component at a time with
// openat(O_NOFOLLOW | O_DIRECTORY) relative to directory fds held here, and
// the last component is operated on with *at() calls that do not follow
// symlinks. Rules (one policy for every operation; docs/wasi.md lists them):
//
//   * An absolute guest path is refused (kErrNotCapable); a path of PATH_MAX
//     bytes or more is ENAMETOOLONG (this bounds the work one call can cause).
//   * `..` pops to the directory fd we opened one level up; `..` at the
//     sandbox root is refused (kErrNotCapable). The host's own `..` entry is
//     never used, so a directory moved elsewhere while the guest holds it
//     cannot be used to climb anywhere the guest was not already given.
//   * Symlinks are read with readlinkat() and expanded here, at most
//     kMaxSymlinks per resolution (ELOOP beyond). An absolute target is
//     refused (kErrNotCapable); a relative one continues the same walk, so
//     its `..` obeys the rule above.
//   * Under a read-only sandbox every mutation is refused (kErrNotCapable).
//   * Where the kernel has openat2(), each single-component open also passes
//     RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS: a second
//     layer, never the only one.
//
// Errors are POSIX errno values or kErrNotCapable (see os.h).
//
// Ownership and thread safety: a SandboxDir is a cheap copyable handle; the
// directory fds it needs (its own and its ancestors' up to the root) are
// shared and closed when the last handle goes. Handles are immutable and may
// be used from several threads; the host file system may change underneath at
// any time, which the rules above make safe.
#pragma once

#include <dirent.h>
#include <sys/stat.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "compono/result.h"
#include "wasi/os.h"

namespace compono::wasi {

struct DirNode;
struct SandboxOpened;

class SandboxDir {
 public:
  // At most this many symlinks are expanded in one resolution (ELOOP beyond).
  static constexpr int kMaxSymlinks = 40;
  // Directories may nest at most this deep below the sandbox root
  // (ENAMETOOLONG beyond): each level holds one fd while a path is walked.
  static constexpr uint32_t kMaxDepth = 256;

  // Opens `hostPath` (resolved by the host, once, as configuration) as the
  // root of a new sandbox. The error names the path and the OS reason.
  static Result<SandboxDir> openRoot(const std::string& hostPath, bool readOnly);

  SandboxDir() = default;

  bool valid() const { return node_ != nullptr; }
  // The directory's own fd (opened O_RDONLY | O_DIRECTORY; usable for fstat,
  // fsync, futimens and as the dirfd of *at calls). Owned by the handle.
  int fd() const;
  bool readOnly() const;
  // Levels below the sandbox root (the root is 0).
  uint32_t depth() const;
  // True if this handle has no parent, i.e. `..` from here is refused.
  bool isRoot() const;

  // The result of walking all but the last component of a path.
  struct Resolved {
    std::shared_ptr<const DirNode> dir;  // the directory holding `name`
    std::string name;                    // one component, or "." for dir itself
    bool mustBeDir = false;              // the path ended in '/'
  };
  // Resolves `path` relative to this directory. With followFinal, a final
  // symlink is expanded too (a trailing '/' always follows, as in POSIX).
  OsResult<Resolved> resolve(std::string_view path, bool followFinal) const;

  using Opened = struct SandboxOpened;
  // Opens `path` with host open(2) flags (access mode, O_CREAT, O_EXCL,
  // O_TRUNC, O_DIRECTORY, O_APPEND, O_NONBLOCK, O_*SYNC); O_NOFOLLOW and
  // O_CLOEXEC are always added and O_CREAT|O_EXCL never follows. Opening never
  // blocks (FIFOs are opened non-blocking, then switched back unless
  // O_NONBLOCK was asked). Directories are always opened read-only. Under a
  // read-only sandbox any write access, O_CREAT or O_TRUNC is refused.
  OsResult<Opened> open(std::string_view path, bool followFinal, int flags, mode_t mode) const;

  OsStatus createDirectory(std::string_view path) const;
  OsStatus removeDirectory(std::string_view path) const;
  OsStatus unlinkFile(std::string_view path) const;
  OsResult<std::string> readLink(std::string_view path) const;
  OsResult<struct stat> stat(std::string_view path, bool followFinal) const;
  // times[0] = access, times[1] = modification (UTIME_NOW / UTIME_OMIT allowed).
  OsStatus setTimes(std::string_view path, bool followFinal, const struct timespec times[2]) const;
  // Creates a symlink at `path` whose content is `target`. Refused
  // (kErrNotCapable) when `target` is absolute or would lead above the
  // sandbox root from where the link lives: such a link could never be
  // followed by the guest, and must not become a trap for the host either.
  OsStatus symlink(std::string_view target, std::string_view path) const;
  // Hard link; a final symlink of `from` is expanded only with followFrom.
  // Refused when either side is read-only.
  static OsStatus link(const SandboxDir& fromDir, std::string_view from, bool followFrom,
                       const SandboxDir& toDir, std::string_view to);
  static OsStatus rename(const SandboxDir& fromDir, std::string_view from, const SandboxDir& toDir,
                         std::string_view to);

 private:
  friend class DirStream;
  explicit SandboxDir(std::shared_ptr<const DirNode> node) : node_(std::move(node)) {}
  std::shared_ptr<const DirNode> node_;
};

// What SandboxDir::open() produced: a file fd, or a directory handle (then
// `file` is invalid and `dir` owns the fd).
struct SandboxOpened {
  OwnedFd file;
  SandboxDir dir;
  struct stat st {};
  bool isDir() const { return dir.valid(); }
};

// One node of a sandbox's directory chain. Owned through shared_ptr by the
// handles and resolutions that reach it; immutable. Nodes made while walking
// a path hold O_PATH fds (enough for *at lookups, also through directories
// the guest may search but not list); nodes behind a SandboxDir handle hold
// O_RDONLY fds.
struct DirNode {
  OwnedFd fd;
  std::shared_ptr<const DirNode> parent;  // null at the sandbox root
  bool readOnly = false;
  uint32_t depth = 0;
};

// Reads a sandboxed directory's entries with stable cookies (the host's
// telldir() positions; 0 is the start). Owns its own open file description,
// so it never disturbs other users of the directory's fd.
class DirStream {
 public:
  struct Entry {
    std::string name;
    uint64_t ino = 0;
    unsigned char type = DT_UNKNOWN;  // DT_* (filled in with fstatat when the host says DT_UNKNOWN)
    uint64_t next = 0;                // cookie of the entry after this one
  };
  static OsResult<std::unique_ptr<DirStream>> open(const SandboxDir& dir);
  ~DirStream();
  DirStream(const DirStream&) = delete;
  DirStream& operator=(const DirStream&) = delete;

  // Positions the stream so that next() returns the entry after `cookie`.
  void seek(uint64_t cookie);
  // The next entry, nullopt at the end, or an errno.
  OsResult<std::optional<Entry>> next();

 private:
  DirStream(DIR* d, SandboxDir dir) : dir_(d), owner_(std::move(dir)) {}
  DIR* dir_;
  SandboxDir owner_;
};

// Opens a single path component `name` (no '/', never "..") relative to
// `dirfd`: openat2() with RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
// RESOLVE_NO_MAGICLINKS where the kernel has it, else openat(). Returns the fd
// or -1 with errno set. O_NOFOLLOW | O_CLOEXEC are always added.
int openBeneath(int dirfd, const std::string& name, int flags, mode_t mode);

}  // namespace compono::wasi
