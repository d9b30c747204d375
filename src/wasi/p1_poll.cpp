// Preview 1 poll_oneoff: clock subscriptions (relative and absolute, on the
// realtime and monotonic clocks) and fd_read / fd_write subscriptions on real
// host fds (stdio, pipes, sockets, listeners). Regular files are always
// ready, as in POSIX.
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <optional>

#include "wasi/p1_ctx.h"

namespace compono::wasi {

using p1::FdEntry;
namespace layout = p1::layout;
namespace rights = p1::rights;

namespace {

int64_t nowNanos(clockid_t clock) {
  struct timespec ts;
  ::clock_gettime(clock, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

int64_t saturatingAdd(int64_t a, uint64_t b) {
  if (b > static_cast<uint64_t>(INT64_MAX - a)) return INT64_MAX;
  return a + static_cast<int64_t>(b);
}

struct Event {
  uint64_t userdata = 0;
  Errno error = Errno::kSuccess;
  uint8_t type = 0;
  uint64_t nbytes = 0;
  uint16_t flags = 0;
};

struct Subscription {
  uint64_t userdata = 0;
  uint8_t type = 0;
  int64_t deadline = 0;  // clock: CLOCK_MONOTONIC nanoseconds
  int pollIndex = -1;    // fd: index into the pollfd array
  std::optional<Event> event;
};

}  // namespace

ErrnoResult WasiCtx::Impl::pollOneoff(engine::Caller& c, uint32_t in, uint32_t out,
                                      uint32_t nsubscriptions, uint32_t neventsOut) {
  engine::GuestMemory mem = c.memory();
  if (nsubscriptions == 0) return Errno::kInval;
  if (!mem.inBounds(in, uint64_t{nsubscriptions} * layout::kSubscriptionSize) ||
      !mem.inBounds(out, uint64_t{nsubscriptions} * layout::kEventSize) ||
      !mem.inBounds(neventsOut, 4)) {
    return Errno::kFault;
  }

  std::vector<Subscription> subs(nsubscriptions);
  std::vector<struct pollfd> pfds;
  const int64_t monoStart = nowNanos(CLOCK_MONOTONIC);
  bool immediate = false;

  for (uint32_t i = 0; i < nsubscriptions; ++i) {
    uint64_t at = uint64_t{in} + uint64_t{i} * layout::kSubscriptionSize;
    Subscription& s = subs[i];
    s.userdata = *mem.load<uint64_t>(at + layout::kSubUserdata);
    s.type = *mem.load<uint8_t>(at + layout::kSubTag);
    auto fail = [&](Errno e) {
      s.event = Event{s.userdata, e, s.type, 0, 0};
      immediate = true;
    };
    if (s.type == p1::kEventClock) {
      uint32_t id = *mem.load<uint32_t>(at + layout::kSubClockId);
      uint64_t timeout = *mem.load<uint64_t>(at + layout::kSubClockTimeout);
      uint16_t flags = *mem.load<uint16_t>(at + layout::kSubClockFlags);
      if (flags & ~p1::kSubclockAbstime) {
        fail(Errno::kInval);
        continue;
      }
      clockid_t clock;
      if (id == p1::kClockRealtime) {
        clock = CLOCK_REALTIME;
      } else if (id == p1::kClockMonotonic) {
        clock = CLOCK_MONOTONIC;
      } else if (id == p1::kClockProcessCputime || id == p1::kClockThreadCputime) {
        // Waiting for CPU time to pass while blocked makes no sense.
        fail(Errno::kNotSup);
        continue;
      } else {
        fail(Errno::kInval);
        continue;
      }
      uint64_t remaining = timeout;
      if (flags & p1::kSubclockAbstime) {
        int64_t now = nowNanos(clock);
        remaining = timeout > static_cast<uint64_t>(now) ? timeout - static_cast<uint64_t>(now) : 0;
      }
      s.deadline = saturatingAdd(monoStart, remaining);
    } else if (s.type == p1::kEventFdRead || s.type == p1::kEventFdWrite) {
      uint32_t fd = *mem.load<uint32_t>(at + layout::kSubFd);
      OsResult<FdEntry*> e = fds.get(fd, rights::kPollFdReadwrite);
      if (!e.ok()) {
        fail(p1::errnoFromHost(e.error()));
        continue;
      }
      FdEntry& entry = **e;
      if (!entry.isStreamLike()) {
        // A regular file is always ready; for reading, report what is left.
        Event ev{s.userdata, Errno::kSuccess, s.type, 0, 0};
        if (s.type == p1::kEventFdRead) {
          struct stat st;
          off_t pos = ::lseek(entry.hostFd(), 0, SEEK_CUR);
          if (::fstat(entry.hostFd(), &st) == 0 && pos >= 0 && st.st_size > pos) {
            ev.nbytes = static_cast<uint64_t>(st.st_size - pos);
          }
        }
        s.event = ev;
        immediate = true;
        continue;
      }
      s.pollIndex = static_cast<int>(pfds.size());
      short events = s.type == p1::kEventFdRead ? POLLIN : POLLOUT;
      pfds.push_back(pollfd{entry.hostFd(), events, 0});
    } else {
      return Errno::kInval;
    }
  }

  engine::Store& store = c.store();
  for (;;) {
    const int64_t now = nowNanos(CLOCK_MONOTONIC);
    int64_t timeoutNs = -1;  // forever
    if (immediate) {
      timeoutNs = 0;
    } else {
      for (const Subscription& s : subs) {
        if (s.type != p1::kEventClock || s.event) continue;
        int64_t left = std::max<int64_t>(s.deadline - now, 0);
        timeoutNs = timeoutNs < 0 ? left : std::min(timeoutNs, left);
      }
    }
    // Never block past the Store's --timeout deadline.
    bool cappedByDeadline = false;
    int64_t storeMs = store.millisUntilDeadline();
    if (storeMs >= 0) {
      int64_t storeNs = storeMs > INT64_MAX / 1'000'000 ? INT64_MAX : storeMs * 1'000'000;
      if (timeoutNs < 0 || timeoutNs > storeNs) {
        timeoutNs = storeNs;
        cappedByDeadline = true;
      }
    }
    struct timespec ts;
    if (timeoutNs >= 0) {
      ts.tv_sec = static_cast<time_t>(timeoutNs / 1'000'000'000);
      ts.tv_nsec = static_cast<long>(timeoutNs % 1'000'000'000);
    }
    int r = ::ppoll(pfds.data(), pfds.size(), timeoutNs >= 0 ? &ts : nullptr, nullptr);
    if (r < 0) {
      if (errno == EINTR) continue;
      return p1::errnoFromHost(errno);
    }

    bool any = immediate;
    if (r > 0) {
      for (Subscription& s : subs) {
        if (s.pollIndex < 0 || s.event) continue;
        const pollfd& p = pfds[static_cast<size_t>(s.pollIndex)];
        if (p.revents == 0) continue;
        Event ev{s.userdata, Errno::kSuccess, s.type, 0, 0};
        if (p.revents & POLLNVAL) {
          ev.error = Errno::kBadf;
        } else if ((p.revents & POLLERR) && !(p.revents & (POLLIN | POLLOUT | POLLHUP))) {
          ev.error = Errno::kIo;
        } else {
          if (p.revents & POLLHUP) ev.flags |= p1::kEventRwHangup;
          int avail = 0;
          if (s.type == p1::kEventFdRead && ::ioctl(p.fd, FIONREAD, &avail) == 0 && avail > 0) {
            ev.nbytes = static_cast<uint64_t>(avail);
          }
        }
        s.event = ev;
        any = true;
      }
    }
    const int64_t after = nowNanos(CLOCK_MONOTONIC);
    for (Subscription& s : subs) {
      if (s.type == p1::kEventClock && !s.event && s.deadline <= after) {
        s.event = Event{s.userdata, Errno::kSuccess, s.type, 0, 0};
        any = true;
      }
    }
    if (any) break;
    if (cappedByDeadline) COMPONO_TRY(store.checkDeadline());
  }

  // Events go out in subscription order.
  uint32_t n = 0;
  for (const Subscription& s : subs) {
    if (!s.event) continue;
    uint64_t at = uint64_t{out} + uint64_t{n} * layout::kEventSize;
    auto bytes = mem.bytes(at, layout::kEventSize);
    std::fill(bytes->begin(), bytes->end(), uint8_t{0});
    mem.store<uint64_t>(at + layout::kEventUserdata, s.event->userdata);
    mem.store<uint16_t>(at + layout::kEventError, static_cast<uint16_t>(s.event->error));
    mem.store<uint8_t>(at + layout::kEventType, s.event->type);
    mem.store<uint64_t>(at + layout::kEventNbytes, s.event->nbytes);
    mem.store<uint16_t>(at + layout::kEventFlags, s.event->flags);
    ++n;
  }
  mem.store<uint32_t>(neventsOut, n);
  return Errno::kSuccess;
}

}  // namespace compono::wasi
