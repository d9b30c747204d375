// A one-connection TCP server on the listener the host pre-opened at fd
// argv[1]. Prints one line per step; the test drives a real client.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wasi/api.h>

int main(int argc, char** argv) {
  uint32_t lfd = argc > 1 ? (uint32_t)atoi(argv[1]) : 3;
  __wasi_fdstat_t st;
  int e = __wasi_fd_fdstat_get(lfd, &st);
  printf("listener_fdstat %d type=%d\n", e, st.fs_filetype);
  __wasi_prestat_t ps;
  printf("listener_prestat %d\n", __wasi_fd_prestat_get(lfd, &ps));

  // Whether accept blocks is the listener's own NONBLOCK flag (the flags
  // argument of sock_accept are the new connection's).
  __wasi_fd_t conn = 0;
  printf("set_nonblock %d\n", __wasi_fd_fdstat_set_flags(lfd, __WASI_FDFLAGS_NONBLOCK));
  printf("accept_nonblock %d\n", __wasi_sock_accept(lfd, 0, &conn));
  printf("set_blocking %d\n", __wasi_fd_fdstat_set_flags(lfd, 0));
  printf("ready\n");
  fflush(stdout);

  // Wait for the client with poll_oneoff (fd_read on the listener).
  __wasi_subscription_t s[2];
  memset(s, 0, sizeof s);
  s[0].userdata = 1;
  s[0].u.tag = __WASI_EVENTTYPE_FD_READ;
  s[0].u.u.fd_read.file_descriptor = lfd;
  s[1].userdata = 2;
  s[1].u.tag = __WASI_EVENTTYPE_CLOCK;
  s[1].u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
  s[1].u.u.clock.timeout = 20000000000ull;
  __wasi_event_t ev[2];
  __wasi_size_t n = 0;
  e = __wasi_poll_oneoff(s, ev, 2, &n);
  printf("poll_listener %d n=%u ud=%llu\n", e, (unsigned)n, (unsigned long long)ev[0].userdata);

  e = __wasi_sock_accept(lfd, 0, &conn);
  printf("accept %d\n", e);
  if (e) return 1;
  e = __wasi_fd_fdstat_get(conn, &st);
  printf("conn_fdstat %d type=%d flags=%d\n", e, st.fs_filetype, st.fs_flags);

  char peek[4];
  __wasi_iovec_t piov = {(uint8_t*)peek, sizeof peek};
  __wasi_size_t got = 0;
  __wasi_roflags_t ro = 0;
  e = __wasi_sock_recv(conn, &piov, 1, __WASI_RIFLAGS_RECV_PEEK, &got, &ro);
  printf("peek %d %.*s\n", e, (int)got, peek);

  char buf[64];
  __wasi_iovec_t iov[2] = {{(uint8_t*)buf, 5}, {(uint8_t*)buf + 5, 6}};
  e = __wasi_sock_recv(conn, iov, 2, __WASI_RIFLAGS_RECV_WAITALL, &got, &ro);
  printf("recv_waitall %d got=%u ro=%d %.*s\n", e, (unsigned)got, ro, (int)got, buf);

  char reply[80];
  int len = snprintf(reply, sizeof reply, "echo:%.*s\n", (int)got, buf);
  __wasi_ciovec_t out = {(const uint8_t*)reply, (size_t)len};
  __wasi_size_t sent = 0;
  e = __wasi_sock_send(conn, &out, 1, 0, &sent);
  printf("send %d n=%u\n", e, (unsigned)sent);
  __wasi_ciovec_t out2 = {(const uint8_t*)"via-fd-write\n", 13};
  e = __wasi_fd_write(conn, &out2, 1, &sent);
  printf("fd_write %d n=%u\n", e, (unsigned)sent);
  printf("shutdown_wr %d\n", __wasi_sock_shutdown(conn, __WASI_SDFLAGS_WR));
  printf("shutdown_bad %d\n", __wasi_sock_shutdown(conn, 0));

  // Read the client's last words until EOF.
  char tail[64];
  size_t have = 0;
  for (;;) {
    __wasi_iovec_t tiov = {(uint8_t*)tail + have, sizeof tail - have};
    e = __wasi_fd_read(conn, &tiov, 1, &got);
    if (e || got == 0) break;
    have += got;
  }
  printf("tail %d %.*s\n", e, (int)have, tail);

  printf("recv_on_file %d\n", __wasi_sock_recv(1, &piov, 1, 0, &got, &ro));
  printf("shutdown_listener %d\n", __wasi_sock_shutdown(lfd, __WASI_SDFLAGS_RD));
  printf("accept_on_conn %d\n", __wasi_sock_accept((uint32_t)conn, 0, &conn));
  printf("close %d\n", __wasi_fd_close(conn));
  return 0;
}
