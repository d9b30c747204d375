#include "wasi/fd_table.h"

#include <cerrno>

namespace compono::wasi::p1 {

FdEntry* FdTable::find(uint32_t fd) {
  if (fd >= entries_.size()) return nullptr;
  return entries_[fd].get();
}

OsResult<FdEntry*> FdTable::get(uint32_t fd, uint64_t required) {
  FdEntry* e = find(fd);
  if (!e) return OsError{EBADF};
  if ((e->rightsBase & required) != required) return OsError{kErrNotCapable};
  if (e->readOnly && (required & rights::kMutating)) return OsError{kErrNotCapable};
  return e;
}

uint32_t FdTable::nextFree() const {
  for (uint32_t i = 0; i < entries_.size(); ++i) {
    if (!entries_[i]) return i;
  }
  return static_cast<uint32_t>(entries_.size());
}

OsResult<uint32_t> FdTable::insert(std::unique_ptr<FdEntry> entry) {
  uint32_t fd = nextFree();
  if (fd >= kMaxFds) return OsError{EMFILE};
  insertAt(fd, std::move(entry));
  return fd;
}

void FdTable::insertAt(uint32_t fd, std::unique_ptr<FdEntry> entry) {
  if (fd >= entries_.size()) entries_.resize(fd + 1);
  entries_[fd] = std::move(entry);
}

Errno FdTable::close(uint32_t fd) {
  if (!find(fd)) return Errno::kBadf;
  entries_[fd].reset();
  while (!entries_.empty() && !entries_.back()) entries_.pop_back();
  return Errno::kSuccess;
}

Errno FdTable::renumber(uint32_t from, uint32_t to) {
  FdEntry* a = find(from);
  FdEntry* b = find(to);
  if (!a || !b) return Errno::kBadf;
  if (from == to) return Errno::kSuccess;
  if (a->isPreopen() || b->isPreopen()) return Errno::kNotSup;
  entries_[to] = std::move(entries_[from]);  // destroys what `to` held
  while (!entries_.empty() && !entries_.back()) entries_.pop_back();
  return Errno::kSuccess;
}

}  // namespace compono::wasi::p1
