// The wasi:io contract (compono/component/wasi_p2_io.h): the IoTable of
// handle reps, blocking on pollables under the Store's deadline, and the
// stock pollables and streams (fd-backed, in-memory).
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>

#include "compono/component/wasi_p2_io.h"
#include "wasi/host_io.h"

namespace compono::component::wasi_p2 {

namespace {

uint64_t monotonicNow() {
  struct timespec ts;
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000ull + static_cast<uint64_t>(ts.tv_nsec);
}

// Bytes one non-blocking read or write moves at most (bounds the memory one
// guest call can make the host allocate).
constexpr uint64_t kMaxChunk = 1 << 20;

}  // namespace

// ---------------------------------------------------------------------------
// IoTable

uint32_t IoTable::insert(Object o) {
  std::lock_guard lock(mu_);
  while (next_ == 0 || objects_.count(next_) > 0) ++next_;
  uint32_t rep = next_++;
  objects_.emplace(rep, std::move(o));
  return rep;
}

template <typename T>
std::shared_ptr<T> IoTable::find(uint32_t rep) const {
  std::lock_guard lock(mu_);
  auto it = objects_.find(rep);
  if (it == objects_.end()) return nullptr;
  if (auto* p = std::get_if<std::shared_ptr<T>>(&it->second)) return *p;
  return nullptr;
}

Value IoTable::own(std::shared_ptr<Pollable> p) { return Value::own(insert(std::move(p))); }
Value IoTable::own(std::shared_ptr<InputStream> s) { return Value::own(insert(std::move(s))); }
Value IoTable::own(std::shared_ptr<OutputStream> s) { return Value::own(insert(std::move(s))); }
Value IoTable::ownError(std::string message) { return Value::own(insert(std::move(message))); }

Value IoTable::streamError(const StreamError& e) {
  // variant stream-error { last-operation-failed(own<error>), closed }
  if (e.kind == StreamError::Kind::kClosed) return Value::variant(1);
  return Value::variant(0, {ownError(e.message)});
}

std::shared_ptr<Pollable> IoTable::pollable(const Value& h) const { return find<Pollable>(h.handle); }
std::shared_ptr<InputStream> IoTable::inputStream(const Value& h) const {
  return find<InputStream>(h.handle);
}
std::shared_ptr<OutputStream> IoTable::outputStream(const Value& h) const {
  return find<OutputStream>(h.handle);
}
std::optional<std::string> IoTable::errorMessage(const Value& h) const {
  std::lock_guard lock(mu_);
  auto it = objects_.find(h.handle);
  if (it == objects_.end()) return std::nullopt;
  if (auto* s = std::get_if<std::string>(&it->second)) return *s;
  return std::nullopt;
}

void IoTable::drop(uint32_t rep) {
  Object gone;  // destroyed outside the lock (a destructor may use the table)
  {
    std::lock_guard lock(mu_);
    auto it = objects_.find(rep);
    if (it == objects_.end()) return;
    gone = std::move(it->second);
    objects_.erase(it);
  }
}

size_t IoTable::size() const {
  std::lock_guard lock(mu_);
  return objects_.size();
}

// ---------------------------------------------------------------------------
// Blocking

Result<std::vector<uint32_t>> pollReady(const engine::Store& store,
                                        std::span<Pollable* const> pollables) {
  if (pollables.empty()) {
    return Error(ErrorCode::kUsage, "wasi:io/poll.poll: the list of pollables is empty");
  }
  for (;;) {
    std::vector<uint32_t> ready;
    for (size_t i = 0; i < pollables.size(); ++i) {
      if (pollables[i]->ready()) ready.push_back(static_cast<uint32_t>(i));
    }
    if (!ready.empty()) return ready;
    COMPONO_TRY(store.checkDeadline());

    // Wait for any fd, the earliest deadline, or 1 ms when some pollable
    // offers neither; never beyond the Store's deadline.
    std::vector<struct pollfd> fds;
    std::optional<uint64_t> wakeAt;
    bool recheck = false;
    for (Pollable* p : pollables) {
      Pollable::Wait w = p->waitOn();
      if (w.fd >= 0) fds.push_back({w.fd, w.events, 0});
      if (w.deadlineNs) wakeAt = wakeAt ? std::min(*wakeAt, *w.deadlineNs) : *w.deadlineNs;
      if (w.fd < 0 && !w.deadlineNs) recheck = true;
    }
    int64_t timeoutMs = -1;
    if (wakeAt) {
      uint64_t now = monotonicNow();
      uint64_t ns = *wakeAt > now ? *wakeAt - now : 0;
      timeoutMs = static_cast<int64_t>((ns + 999'999) / 1'000'000);
    }
    if (recheck) timeoutMs = timeoutMs < 0 ? 1 : std::min<int64_t>(timeoutMs, 1);
    int64_t left = store.millisUntilDeadline();
    if (left >= 0) timeoutMs = timeoutMs < 0 ? left : std::min(timeoutMs, left);
    int t = timeoutMs < 0 ? -1 : static_cast<int>(std::min<int64_t>(timeoutMs, INT_MAX));
    int r = ::poll(fds.data(), fds.size(), t);
    if (r < 0 && errno != EINTR) {
      return Error(ErrorCode::kWasi,
                   std::string("wasi:io/poll: host poll failed: ") + std::strerror(errno));
    }
  }
}

Status blockOn(const engine::Store& store, Pollable& p) {
  Pollable* one[] = {&p};
  COMPONO_TRY(pollReady(store, one));
  return okStatus();
}

// ---------------------------------------------------------------------------
// Stock pollables

namespace {

class ReadyPollable final : public Pollable {
 public:
  bool ready() override { return true; }
};

class DeadlinePollable final : public Pollable {
 public:
  explicit DeadlinePollable(uint64_t at) : at_(at) {}
  bool ready() override { return monotonicNow() >= at_; }
  Wait waitOn() override { return {-1, 0, at_}; }

 private:
  uint64_t at_;
};

class FdPollable final : public Pollable {
 public:
  FdPollable(int fd, short events) : fd_(fd), events_(events) {}
  bool ready() override {
    if (done_) return true;
    struct pollfd p = {fd_, events_, 0};
    int r;
    do {
      r = ::poll(&p, 1, 0);
    } while (r < 0 && errno == EINTR);
    done_ = r != 0;  // ready, or an error: either way the guest finds out by reading
    return done_;
  }
  Wait waitOn() override { return {fd_, events_, std::nullopt}; }

 private:
  int fd_;
  short events_;
  bool done_ = false;
};

bool isRegularFile(int fd) {
  struct stat st;
  return ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
}

bool isSocket(int fd) {
  struct stat st;
  return ::fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode);
}

std::string hostError(const char* what, int e) {
  return std::string(what) + ": " + std::strerror(e);
}

// Owns or borrows a host fd shared by a stream and its pollables.
struct FdHolder {
  FdHolder(int f, bool o) : fd(f), owned(o) {}
  FdHolder(const FdHolder&) = delete;
  FdHolder& operator=(const FdHolder&) = delete;
  int fd;
  bool owned;
  ~FdHolder() {
    if (owned && fd >= 0) ::close(fd);
  }
};

// An FdPollable that keeps its stream's fd open as long as it lives.
class HeldFdPollable final : public Pollable {
 public:
  HeldFdPollable(std::shared_ptr<FdHolder> h, short events)
      : h_(std::move(h)), p_(h_->fd, events) {}
  bool ready() override { return p_.ready(); }
  Wait waitOn() override { return p_.waitOn(); }

 private:
  std::shared_ptr<FdHolder> h_;
  FdPollable p_;
};

class FdInputStream final : public InputStream {
 public:
  FdInputStream(std::shared_ptr<FdHolder> h, std::optional<uint64_t> pos)
      : h_(std::move(h)), pos_(pos), regular_(isRegularFile(h_->fd)) {
    if (!regular_) pos_.reset();  // pipes and sockets have no position
  }

  StreamResult<Bytes> read(uint64_t max) override {
    if (closed_) return StreamError::closed();
    max = std::min(max, kMaxChunk);
    if (max == 0) return Bytes{};
    // A regular file never blocks; anything else is read only when ready.
    if (!regular_ && !wasi::readyNow(h_->fd, POLLIN)) return Bytes{};
    Bytes buf(max);
    ssize_t n;
    do {
      n = pos_ ? ::pread(h_->fd, buf.data(), buf.size(), static_cast<off_t>(*pos_))
               : ::read(h_->fd, buf.data(), buf.size());
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) return Bytes{};
      return StreamError::failed(hostError("read", errno));
    }
    if (n == 0) {
      closed_ = true;
      return StreamError::closed();
    }
    if (pos_) *pos_ += static_cast<uint64_t>(n);
    buf.resize(static_cast<size_t>(n));
    return buf;
  }

  std::shared_ptr<Pollable> subscribe() override {
    if (regular_ || closed_) return readyPollable();
    return std::make_shared<HeldFdPollable>(h_, POLLIN);
  }

 private:
  std::shared_ptr<FdHolder> h_;
  std::optional<uint64_t> pos_;
  bool regular_;
  bool closed_ = false;
};

class FdOutputStream final : public OutputStream {
 public:
  FdOutputStream(std::shared_ptr<FdHolder> h, std::optional<uint64_t> pos, bool append)
      : h_(std::move(h)), pos_(pos), append_(append), regular_(isRegularFile(h_->fd)),
        socket_(isSocket(h_->fd)) {
    if (!regular_) pos_.reset();
  }

  // Bytes a non-blocking fd did not take yet are kept in pending_ and pushed
  // by later calls; checkWrite() is 0 until they are gone, so write() never
  // waits.
  StreamResult<uint64_t> checkWrite() override {
    if (auto e = push()) return *e;
    if (!pending_.empty()) return uint64_t{0};
    if (regular_ || wasi::readyNow(h_->fd, POLLOUT)) return kMaxChunk;
    return uint64_t{0};
  }

  StreamStatus write(std::span<const uint8_t> bytes) override {
    if (failed_) return StreamError::closed();
    pending_.insert(pending_.end(), bytes.begin(), bytes.end());
    if (auto e = push()) return *e;
    return std::monostate{};
  }

  StreamStatus flush() override {
    if (auto e = push()) return *e;
    return std::monostate{};
  }

  std::shared_ptr<Pollable> subscribe() override {
    if (regular_ || failed_) return readyPollable();
    return std::make_shared<HeldFdPollable>(h_, POLLOUT);
  }

 private:
  std::shared_ptr<FdHolder> h_;
  std::optional<uint64_t> pos_;
  bool append_;
  bool regular_;
  bool socket_;
  bool failed_ = false;
  Bytes pending_;

  // Writes as much of pending_ as the fd takes now; the error that ends the
  // stream, if one happens (reported once, then `closed`).
  std::optional<StreamError> push() {
    if (failed_) return StreamError::closed();
    size_t done = 0;
    while (done < pending_.size()) {
      ssize_t n;
      if (pos_ && !append_) {
        n = ::pwrite(h_->fd, pending_.data() + done, pending_.size() - done,
                     static_cast<off_t>(*pos_));
      } else {
        // Append: every write goes to the current end of the file.
        if (append_ && regular_) ::lseek(h_->fd, 0, SEEK_END);
        struct iovec iov = {pending_.data() + done, pending_.size() - done};
        n = wasi::writevNoSigpipe(h_->fd, &iov, 1, socket_);
      }
      if (n < 0) {
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) break;
        failed_ = true;
        pending_.clear();
        if (errno == EPIPE) return StreamError::closed();
        return StreamError::failed(hostError("write", errno));
      }
      done += static_cast<size_t>(n);
      if (pos_ && !append_) *pos_ += static_cast<uint64_t>(n);
    }
    pending_.erase(pending_.begin(), pending_.begin() + static_cast<ptrdiff_t>(done));
    return std::nullopt;
  }
};

class BytesInputStream final : public InputStream {
 public:
  explicit BytesInputStream(Bytes b) : bytes_(std::move(b)) {}
  StreamResult<Bytes> read(uint64_t max) override {
    if (at_ >= bytes_.size()) return StreamError::closed();
    size_t n = static_cast<size_t>(std::min<uint64_t>({max, bytes_.size() - at_, kMaxChunk}));
    Bytes out(bytes_.begin() + static_cast<ptrdiff_t>(at_),
              bytes_.begin() + static_cast<ptrdiff_t>(at_ + n));
    at_ += n;
    return out;
  }
  std::shared_ptr<Pollable> subscribe() override { return readyPollable(); }

 private:
  Bytes bytes_;
  size_t at_ = 0;
};

}  // namespace

StreamResult<uint64_t> InputStream::skip(uint64_t max) {
  StreamResult<Bytes> r = read(max);
  if (auto* e = std::get_if<StreamError>(&r)) return *e;
  return static_cast<uint64_t>(std::get<Bytes>(r).size());
}

std::shared_ptr<Pollable> readyPollable() { return std::make_shared<ReadyPollable>(); }
std::shared_ptr<Pollable> deadlinePollable(uint64_t deadlineNs) {
  return std::make_shared<DeadlinePollable>(deadlineNs);
}
std::shared_ptr<Pollable> fdPollable(int fd, short events) {
  return std::make_shared<FdPollable>(fd, events);
}
std::shared_ptr<InputStream> fdInputStream(int fd, bool owned, std::optional<uint64_t> position) {
  return std::make_shared<FdInputStream>(std::make_shared<FdHolder>(fd, owned),
                                         position);
}
std::shared_ptr<OutputStream> fdOutputStream(int fd, bool owned, std::optional<uint64_t> position,
                                             bool append) {
  return std::make_shared<FdOutputStream>(std::make_shared<FdHolder>(fd, owned),
                                          position, append);
}
std::shared_ptr<InputStream> bytesInputStream(Bytes bytes) {
  return std::make_shared<BytesInputStream>(std::move(bytes));
}

}  // namespace compono::component::wasi_p2
