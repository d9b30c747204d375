// Internal: small POSIX building blocks shared by every WASI version —
// an owning file descriptor and an errno-valued result.
//
// Not part of the public API. Value types; no thread-safety concerns of
// their own (an OwnedFd is owned by exactly one object).
#pragma once

#include <unistd.h>

#include <utility>
#include <variant>

namespace compono::wasi {

// An error that is not a host errno: the operation would reach something the
// sandbox does not grant (a path above a preopen root, an absolute path, a
// mutation under a read-only preopen). Each WASI version maps it to its own
// code (preview 1: ENOTCAPABLE; 0.2: not-permitted).
inline constexpr int kErrNotCapable = -1;

// Owns one host file descriptor; closes it on destruction. Move-only.
class OwnedFd {
 public:
  OwnedFd() = default;
  explicit OwnedFd(int fd) : fd_(fd) {}
  ~OwnedFd() { reset(); }
  OwnedFd(OwnedFd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  OwnedFd& operator=(OwnedFd&& o) noexcept {
    if (this != &o) {
      reset();
      fd_ = std::exchange(o.fd_, -1);
    }
    return *this;
  }
  OwnedFd(const OwnedFd&) = delete;
  OwnedFd& operator=(const OwnedFd&) = delete;

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int release() { return std::exchange(fd_, -1); }
  void reset(int fd = -1) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

// The failure of a host operation: a POSIX errno, or kErrNotCapable.
struct OsError {
  int code = 0;
};

// Either a T or an OsError. Cheap; used inside the WASI layer where errors
// are guest-visible errno values rather than compono::Error.
template <typename T>
class [[nodiscard]] OsResult {
 public:
  OsResult(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit
  OsResult(OsError e) : v_(std::in_place_index<1>, e) {}               // NOLINT: implicit

  bool ok() const { return v_.index() == 0; }
  T& value() & { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  T* operator->() { return &value(); }
  int error() const { return std::get<1>(v_).code; }

 private:
  std::variant<T, OsError> v_;
};

template <>
class [[nodiscard]] OsResult<void> {
 public:
  OsResult() = default;
  OsResult(OsError e) : error_(e.code) {}  // NOLINT: implicit
  bool ok() const { return error_ == 0; }
  int error() const { return error_; }

 private:
  int error_ = 0;
};

using OsStatus = OsResult<void>;

}  // namespace compono::wasi
