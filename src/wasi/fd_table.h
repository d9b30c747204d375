// Internal: the preview 1 file descriptor table of one WasiCtx.
//
// Every guest fd maps to one FdEntry that owns its host resource (a file fd,
// a SandboxDir handle, a socket) and carries the rights the guest holds on it.
// A guest fd that is not in the table reaches nothing (EBADF): there is no
// fallback to host fds.
//
// Not thread safe: owned by one WasiCtx, used by one guest thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "wasi/os.h"
#include "wasi/p1_abi.h"
#include "wasi/sandbox.h"

namespace compono::wasi::p1 {

enum class FdKind : uint8_t {
  kStream,     // a regular file, pipe, tty or character device (incl. stdio)
  kDirectory,  // a directory inside a sandbox (preopen or opened from one)
  kListener,   // a pre-opened TCP listening socket
  kSocket,     // an accepted TCP connection
};

struct FdEntry {
  FdKind kind = FdKind::kStream;
  FileType filetype = FileType::kUnknown;
  uint64_t rightsBase = 0;
  uint64_t rightsInheriting = 0;
  // APPEND / DSYNC / RSYNC / SYNC as requested at open; NONBLOCK as emulated
  // here (the host description may be shared, so its O_NONBLOCK is never
  // changed for the guest's sake).
  uint16_t fdflags = 0;
  OwnedFd fd;               // every kind except kDirectory
  SandboxDir dir;           // kDirectory
  std::string preopenPath;  // the guest-visible name of a preopen, else empty
  // The host description is shared with the embedder (stdio): its status
  // flags are never changed.
  bool sharedDescription = false;
  // Opened under a read-only preopen: every mutating right is refused by
  // FdTable::get whatever rightsBase says (a second layer under the rights).
  bool readOnly = false;
  // The host fd is non-blocking (sockets we own); blocking is emulated with poll.
  bool hostNonblocking = false;
  std::unique_ptr<DirStream> dirStream;  // lazily made by fd_readdir

  int hostFd() const { return kind == FdKind::kDirectory ? dir.fd() : fd.get(); }
  bool isPreopen() const { return !preopenPath.empty(); }
  bool nonblocking() const { return (fdflags & kFdflagNonblock) != 0; }
  // Reads and writes may block (not a regular file or directory).
  bool isStreamLike() const {
    return filetype != FileType::kRegularFile && filetype != FileType::kDirectory;
  }
};

class FdTable {
 public:
  // Guest fd numbers stay below this (EMFILE beyond).
  static constexpr uint32_t kMaxFds = 4096;

  // The entry for `fd`, or nullptr.
  FdEntry* find(uint32_t fd);
  // The entry for `fd` holding every right in `required`. EBADF when absent,
  // ENOTCAPABLE when a right is missing or a mutating right is asked of a
  // read-only entry.
  OsResult<FdEntry*> get(uint32_t fd, uint64_t required);

  // Puts `entry` at the lowest free number.
  OsResult<uint32_t> insert(std::unique_ptr<FdEntry> entry);
  // Puts `entry` at exactly `fd` (setup only; replaces what was there).
  void insertAt(uint32_t fd, std::unique_ptr<FdEntry> entry);
  // The next number insert() would use.
  uint32_t nextFree() const;

  Errno close(uint32_t fd);
  // fd_renumber: moves `from` onto `to`, closing what `to` held. Both must be
  // open. Preopens are fixed capability roots: renumbering from or onto one
  // is refused with ENOTSUP (a file could otherwise take a preopen's number,
  // and a preopen's number is how the guest's libc finds its roots).
  Errno renumber(uint32_t from, uint32_t to);

 private:
  std::vector<std::unique_ptr<FdEntry>> entries_;
};

}  // namespace compono::wasi::p1
