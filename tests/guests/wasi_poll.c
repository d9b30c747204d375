// poll_oneoff scenarios, one per argument:
//   rel MS        relative monotonic clock; prints elapsed milliseconds
//   abs MS        absolute realtime clock MS from now
//   absmono MS    absolute monotonic clock MS from now
//   two           two clocks (50 ms, 5 s): only the first fires
//   past          an absolute deadline in the past fires at once
//   stdin MS      fd_read on stdin plus a clock of MS: which fired, nbytes, hangup
//   stdout        fd_write on stdout is ready
//   badfd         fd_read on fd 77: event error EBADF
//   cputime       clock on the process cputime clock: event error
//   zero          nsubscriptions = 0 -> EINVAL
//   fault         subscriptions outside memory -> EFAULT
//   sleep MS      libc nanosleep
//   block         fd_read on stdin with no timeout (ended only by the host deadline)
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wasi/api.h>

static uint64_t now(__wasi_clockid_t id) {
  __wasi_timestamp_t t = 0;
  (void)__wasi_clock_time_get(id, 1, &t);
  return t;
}

static void clockSub(__wasi_subscription_t* s, uint64_t ud, __wasi_clockid_t id, uint64_t timeout,
                     int abs) {
  memset(s, 0, sizeof *s);
  s->userdata = ud;
  s->u.tag = __WASI_EVENTTYPE_CLOCK;
  s->u.u.clock.id = id;
  s->u.u.clock.timeout = timeout;
  s->u.u.clock.flags = abs ? __WASI_SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME : 0;
}

static void fdSub(__wasi_subscription_t* s, uint64_t ud, __wasi_eventtype_t type, uint32_t fd) {
  memset(s, 0, sizeof *s);
  s->userdata = ud;
  s->u.tag = type;
  s->u.u.fd_read.file_descriptor = fd;
}

static void report(const char* name, int e, __wasi_event_t* ev, __wasi_size_t n, uint64_t t0) {
  printf("%s %d n=%u elapsed_ms=%llu", name, e, (unsigned)n,
         (unsigned long long)((now(__WASI_CLOCKID_MONOTONIC) - t0) / 1000000ull));
  for (__wasi_size_t i = 0; i < n; ++i) {
    printf(" [ud=%llu type=%d err=%d nbytes=%llu flags=%d]", (unsigned long long)ev[i].userdata,
           ev[i].type, ev[i].error, (unsigned long long)ev[i].fd_readwrite.nbytes,
           ev[i].fd_readwrite.flags);
  }
  printf("\n");
  fflush(stdout);
}

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const char* cmd = argv[i];
    uint64_t ms = (i + 1 < argc) ? strtoull(argv[i + 1], NULL, 10) : 0;
    __wasi_subscription_t s[2];
    __wasi_event_t ev[2];
    __wasi_size_t n = 0;
    int e;
    uint64_t t0 = now(__WASI_CLOCKID_MONOTONIC);
    if (!strcmp(cmd, "rel")) {
      clockSub(&s[0], 1, __WASI_CLOCKID_MONOTONIC, ms * 1000000ull, 0);
      e = __wasi_poll_oneoff(s, ev, 1, &n);
      report(cmd, e, ev, n, t0);
      ++i;
    } else if (!strcmp(cmd, "abs")) {
      clockSub(&s[0], 2, __WASI_CLOCKID_REALTIME, now(__WASI_CLOCKID_REALTIME) + ms * 1000000ull, 1);
      e = __wasi_poll_oneoff(s, ev, 1, &n);
      report(cmd, e, ev, n, t0);
      ++i;
    } else if (!strcmp(cmd, "absmono")) {
      clockSub(&s[0], 3, __WASI_CLOCKID_MONOTONIC, t0 + ms * 1000000ull, 1);
      e = __wasi_poll_oneoff(s, ev, 1, &n);
      report(cmd, e, ev, n, t0);
      ++i;
    } else if (!strcmp(cmd, "two")) {
      clockSub(&s[0], 10, __WASI_CLOCKID_MONOTONIC, 5000000000ull, 0);
      clockSub(&s[1], 11, __WASI_CLOCKID_MONOTONIC, 50000000ull, 0);
      e = __wasi_poll_oneoff(s, ev, 2, &n);
      report(cmd, e, ev, n, t0);
    } else if (!strcmp(cmd, "past")) {
      clockSub(&s[0], 4, __WASI_CLOCKID_REALTIME, 1000, 1);
      e = __wasi_poll_oneoff(s, ev, 1, &n);
      report(cmd, e, ev, n, t0);
    } else if (!strcmp(cmd, "stdin")) {
      fdSub(&s[0], 20, __WASI_EVENTTYPE_FD_READ, 0);
      clockSub(&s[1], 21, __WASI_CLOCKID_MONOTONIC, ms * 1000000ull, 0);
      e = __wasi_poll_oneoff(s, ev, 2, &n);
      report(cmd, e, ev, n, t0);
      if (e == 0 && n > 0 && ev[0].userdata == 20 && ev[0].fd_readwrite.nbytes > 0) {
        char buf[64];
        __wasi_iovec_t iov = {(uint8_t*)buf, sizeof buf};
        __wasi_size_t got = 0;
        (void)__wasi_fd_read(0, &iov, 1, &got);
        printf("stdin_read %.*s\n", (int)got, buf);
      }
      ++i;
    } else if (!strcmp(cmd, "stdout")) {
      fdSub(&s[0], 30, __WASI_EVENTTYPE_FD_WRITE, 1);
      e = __wasi_poll_oneoff(s, ev, 1, &n);
      report(cmd, e, ev, n, t0);
    } else if (!strcmp(cmd, "badfd")) {
      fdSub(&s[0], 40, __WASI_EVENTTYPE_FD_READ, 77);
      e = __wasi_poll_oneoff(s, ev, 1, &n);
      report(cmd, e, ev, n, t0);
    } else if (!strcmp(cmd, "cputime")) {
      clockSub(&s[0], 50, __WASI_CLOCKID_PROCESS_CPUTIME_ID, 1000, 0);
      e = __wasi_poll_oneoff(s, ev, 1, &n);
      report(cmd, e, ev, n, t0);
    } else if (!strcmp(cmd, "zero")) {
      e = __wasi_poll_oneoff(s, ev, 0, &n);
      printf("zero %d\n", e);
    } else if (!strcmp(cmd, "fault")) {
      e = __wasi_poll_oneoff((const __wasi_subscription_t*)0xffffff00u, ev, 4, &n);
      printf("fault %d\n", e);
    } else if (!strcmp(cmd, "sleep")) {
      struct timespec ts = {(time_t)(ms / 1000), (long)((ms % 1000) * 1000000)};
      int r = nanosleep(&ts, NULL);
      printf("sleep %d elapsed_ms=%llu\n", r,
             (unsigned long long)((now(__WASI_CLOCKID_MONOTONIC) - t0) / 1000000ull));
      ++i;
    } else if (!strcmp(cmd, "block")) {
      fdSub(&s[0], 60, __WASI_EVENTTYPE_FD_READ, 0);
      printf("blocking\n");
      fflush(stdout);
      e = __wasi_poll_oneoff(s, ev, 1, &n);
      report(cmd, e, ev, n, t0);
    }
    fflush(stdout);
  }
  return 0;
}
