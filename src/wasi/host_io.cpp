#include "wasi/host_io.h"

#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdint>

namespace compono::wasi {

Result<short> waitReady(const engine::Store& store, int fd, short events) {
  for (;;) {
    int64_t ms = store.millisUntilDeadline();
    int timeout = ms < 0 ? -1 : static_cast<int>(ms > INT_MAX ? INT_MAX : ms);
    struct pollfd p = {fd, events, 0};
    int r = ::poll(&p, 1, timeout);
    if (r > 0) return p.revents;
    if (r < 0 && errno != EINTR) return static_cast<short>(POLLERR);
    COMPONO_TRY(store.checkDeadline());
  }
}

bool readyNow(int fd, short events) {
  struct pollfd p = {fd, events, 0};
  int r;
  do {
    r = ::poll(&p, 1, 0);
  } while (r < 0 && errno == EINTR);
  return r > 0;
}

ssize_t writevNoSigpipe(int fd, const struct iovec* iov, int count, bool isSocket) {
  if (isSocket) {
    struct msghdr msg = {};
    msg.msg_iov = const_cast<struct iovec*>(iov);
    msg.msg_iovlen = static_cast<size_t>(count);
    return ::sendmsg(fd, &msg, MSG_NOSIGNAL);
  }
  sigset_t pipeSet, oldSet, pending;
  sigemptyset(&pipeSet);
  sigaddset(&pipeSet, SIGPIPE);
  sigemptyset(&pending);
  ::sigpending(&pending);
  bool alreadyPending = sigismember(&pending, SIGPIPE) == 1;
  ::pthread_sigmask(SIG_BLOCK, &pipeSet, &oldSet);
  ssize_t n = ::writev(fd, iov, count);
  int err = errno;
  if (n < 0 && err == EPIPE && !alreadyPending) {
    struct timespec zero = {0, 0};
    while (::sigtimedwait(&pipeSet, nullptr, &zero) < 0 && errno == EINTR) {
    }
  }
  ::pthread_sigmask(SIG_SETMASK, &oldSet, nullptr);
  errno = err;
  return n;
}

int maxIovecs() {
  long n = ::sysconf(_SC_IOV_MAX);
  return n > 0 ? static_cast<int>(n) : 1024;
}

}  // namespace compono::wasi
