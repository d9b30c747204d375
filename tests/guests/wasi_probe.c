// A scriptable WASI preview 1 client for the host's tests. Each argument
// after argv[0] is one command; every command prints one line
// "<name> <errno>[ <details>]" to stdout, using the raw __wasi_* calls so the
// test sees the exact errno the host returned (no libc path translation).
//
// Registers A..Z hold fds returned by `open` and `accept`; any FD argument may
// be a number or a register letter.
//
//   open R DIRFD PATH FLAGS       FLAGS: letters r w c x t d f(ollow) a(ppend) n(onblock) -
//   read FD N                      -> data=<text>
//   pread FD N OFF                 -> data=<text>
//   write FD TEXT                  -> n=<written>
//   pwrite FD TEXT OFF             -> n=<written>
//   seek FD OFF WHENCE(s|c|e)      -> pos=<offset>
//   tell FD                        -> pos=<offset>
//   close FD
//   mkdir DIRFD PATH | rmdir DIRFD PATH | unlink DIRFD PATH
//   rename DIRFD OLD DIRFD2 NEW
//   link DIRFD OLD DIRFD2 NEW [f]
//   symlink TARGET DIRFD PATH
//   readlink DIRFD PATH N          -> target=<text>
//   stat DIRFD PATH [f]            -> type=<t> size=<n> nlink=<n> mtim=<ns>
//   fstat FD                       -> type=<t> size=<n>
//   utimes DIRFD PATH MTIM_NS [f]  (path_filestat_set_times, mtime only)
//   futimes FD MTIM_NS
//   truncate FD SIZE | allocate FD OFF LEN | advise FD | sync FD | datasync FD
//   fdstat FD                      -> type=<t> flags=<f> base=<hex> inh=<hex>
//   setflags FD FLAGS(a|n|-)       | setrights FD BASE_HEX INH_HEX
//   renumber FROM TO
//   prestat FD                     -> name=<preopen name>
//   readdir FD BUFSIZE             -> lists every entry via cookies, small buffer
//   readdirraw FD BUFSIZE COOKIE   -> used=<n> then the parsed entries
//   readdirfrom FD N               -> names after entry N, read again from entry N's d_next
//   waitstdin                      -> blocks in fd_read(0) until a line arrives
//   scan FROM TO                   -> fds in [FROM, TO) that answer fd_fdstat_get
//   badptr                         -> fd_write/fd_read/path_open with out-of-bounds pointers
//   pollfile DIRFD PATH            -> polls (fd_read subscription, 5 s clock) until PATH exists
//   catfile DIRFD PATH             -> content=<whole file>
//   flood N                        -> writes N bytes of 'x' to fd 1 in 64 KiB fd_write calls
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wasi/api.h>

static uint32_t regs[26];

// The libc wrapper takes a C string (and would strlen() a bad pointer in the
// guest), so the bad-pointer test calls the import directly.
__attribute__((import_module("wasi_snapshot_preview1"), import_name("path_open"))) uint16_t
rawPathOpen(uint32_t fd, uint32_t dirflags, uint32_t path, uint32_t len, uint32_t oflags,
            uint64_t base, uint64_t inheriting, uint32_t fdflags, uint32_t fdOut);

static uint32_t fdArg(const char* s) {
  if (s[0] >= 'A' && s[0] <= 'Z' && s[1] == 0) return regs[s[0] - 'A'];
  return (uint32_t)strtoul(s, NULL, 10);
}

static int split(char* line, char** tok, int max) {
  int n = 0;
  char* save = NULL;
  for (char* t = strtok_r(line, " ", &save); t && n < max; t = strtok_r(NULL, " ", &save)) {
    tok[n++] = t;
  }
  return n;
}

static int hasFlag(const char* flags, char c) { return flags && strchr(flags, c) != NULL; }

static void printData(const char* label, const uint8_t* buf, size_t n) {
  printf(" %s=", label);
  for (size_t i = 0; i < n; ++i) putchar(buf[i] >= 32 && buf[i] < 127 ? buf[i] : '.');
}

static int pathOpen(uint32_t dirfd, const char* path, const char* flags, __wasi_fd_t* out) {
  __wasi_oflags_t oflags = 0;
  if (hasFlag(flags, 'c')) oflags |= __WASI_OFLAGS_CREAT;
  if (hasFlag(flags, 'x')) oflags |= __WASI_OFLAGS_EXCL;
  if (hasFlag(flags, 't')) oflags |= __WASI_OFLAGS_TRUNC;
  if (hasFlag(flags, 'd')) oflags |= __WASI_OFLAGS_DIRECTORY;
  __wasi_rights_t base = __WASI_RIGHTS_FD_SEEK | __WASI_RIGHTS_FD_TELL |
                         __WASI_RIGHTS_FD_FILESTAT_GET | __WASI_RIGHTS_FD_FDSTAT_SET_FLAGS |
                         __WASI_RIGHTS_POLL_FD_READWRITE | __WASI_RIGHTS_FD_SYNC |
                         __WASI_RIGHTS_FD_DATASYNC | __WASI_RIGHTS_FD_ADVISE;
  if (hasFlag(flags, 'r')) base |= __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_READDIR;
  if (hasFlag(flags, 'w')) {
    base |= __WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_FD_ALLOCATE |
            __WASI_RIGHTS_FD_FILESTAT_SET_SIZE | __WASI_RIGHTS_FD_FILESTAT_SET_TIMES;
  }
  // Directories hand everything down (what the host allows).
  base |= hasFlag(flags, 'd') ? (__wasi_rights_t)0x3fffffff : 0;
  __wasi_rights_t inheriting = (__wasi_rights_t)0x3fffffff;
  __wasi_fdflags_t fdflags = 0;
  if (hasFlag(flags, 'a')) fdflags |= __WASI_FDFLAGS_APPEND;
  if (hasFlag(flags, 'n')) fdflags |= __WASI_FDFLAGS_NONBLOCK;
  __wasi_lookupflags_t lookup = hasFlag(flags, 'f') ? __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW : 0;
  return __wasi_path_open(dirfd, lookup, path, oflags, base, inheriting, fdflags, out);
}

static void listDir(uint32_t fd, size_t bufSize) {
  uint8_t* buf = malloc(bufSize);
  __wasi_dircookie_t cookie = 0;
  int count = 0;
  for (int rounds = 0; rounds < 10000; ++rounds) {
    __wasi_size_t used = 0;
    int e = __wasi_fd_readdir(fd, buf, bufSize, cookie, &used);
    if (e) {
      printf(" error=%d", e);
      break;
    }
    size_t off = 0;
    int progressed = 0;
    while (off + sizeof(__wasi_dirent_t) <= used) {
      __wasi_dirent_t d;
      memcpy(&d, buf + off, sizeof d);
      if (off + sizeof d + d.d_namlen > used) break;  // truncated: ask again from cookie
      printf(" %.*s:%d", (int)d.d_namlen, (const char*)(buf + off + sizeof d), d.d_type);
      cookie = d.d_next;
      off += sizeof d + d.d_namlen;
      progressed = 1;
      ++count;
    }
    if (used < bufSize) break;  // end of directory
    if (!progressed) {
      printf(" buffer-too-small");
      break;
    }
  }
  printf(" count=%d", count);
  free(buf);
}

static void run(char** t, int n) {
  const char* cmd = t[0];
  int e = 0;
  if (!strcmp(cmd, "open") && n >= 4) {
    __wasi_fd_t fd = 0;
    e = pathOpen(fdArg(t[2]), t[3], n > 4 ? t[4] : "", &fd);
    printf("open %d", e);
    if (!e) {
      regs[t[1][0] - 'A'] = (uint32_t)fd;
      printf(" fd=%d", fd);
    }
  } else if ((!strcmp(cmd, "read") || !strcmp(cmd, "pread")) && n >= 3) {
    size_t len = strtoul(t[2], NULL, 10);
    uint8_t* buf = malloc(len + 1);
    __wasi_iovec_t iov = {buf, len};
    __wasi_size_t got = 0;
    if (cmd[0] == 'p') {
      e = __wasi_fd_pread(fdArg(t[1]), &iov, 1, n > 3 ? strtoull(t[3], NULL, 10) : 0, &got);
    } else {
      e = __wasi_fd_read(fdArg(t[1]), &iov, 1, &got);
    }
    printf("%s %d", cmd, e);
    if (!e) printData("data", buf, got);
    free(buf);
  } else if ((!strcmp(cmd, "write") || !strcmp(cmd, "pwrite")) && n >= 3) {
    __wasi_ciovec_t iov = {(const uint8_t*)t[2], strlen(t[2])};
    __wasi_size_t put = 0;
    if (cmd[0] == 'p') {
      e = __wasi_fd_pwrite(fdArg(t[1]), &iov, 1, n > 3 ? strtoull(t[3], NULL, 10) : 0, &put);
    } else {
      e = __wasi_fd_write(fdArg(t[1]), &iov, 1, &put);
    }
    printf("%s %d", cmd, e);
    if (!e) printf(" n=%u", (unsigned)put);
  } else if (!strcmp(cmd, "seek") && n >= 4) {
    __wasi_whence_t w = t[3][0] == 's' ? __WASI_WHENCE_SET
                        : t[3][0] == 'c' ? __WASI_WHENCE_CUR
                                         : __WASI_WHENCE_END;
    __wasi_filesize_t pos = 0;
    e = __wasi_fd_seek(fdArg(t[1]), strtoll(t[2], NULL, 10), w, &pos);
    printf("seek %d", e);
    if (!e) printf(" pos=%llu", (unsigned long long)pos);
  } else if (!strcmp(cmd, "tell") && n >= 2) {
    __wasi_filesize_t pos = 0;
    e = __wasi_fd_tell(fdArg(t[1]), &pos);
    printf("tell %d", e);
    if (!e) printf(" pos=%llu", (unsigned long long)pos);
  } else if (!strcmp(cmd, "close") && n >= 2) {
    printf("close %d", __wasi_fd_close(fdArg(t[1])));
  } else if (!strcmp(cmd, "mkdir") && n >= 3) {
    printf("mkdir %d", __wasi_path_create_directory(fdArg(t[1]), t[2]));
  } else if (!strcmp(cmd, "rmdir") && n >= 3) {
    printf("rmdir %d", __wasi_path_remove_directory(fdArg(t[1]), t[2]));
  } else if (!strcmp(cmd, "unlink") && n >= 3) {
    printf("unlink %d", __wasi_path_unlink_file(fdArg(t[1]), t[2]));
  } else if (!strcmp(cmd, "rename") && n >= 5) {
    printf("rename %d", __wasi_path_rename(fdArg(t[1]), t[2], fdArg(t[3]), t[4]));
  } else if (!strcmp(cmd, "link") && n >= 5) {
    __wasi_lookupflags_t lf = n > 5 && hasFlag(t[5], 'f') ? __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW : 0;
    printf("link %d", __wasi_path_link(fdArg(t[1]), lf, t[2], fdArg(t[3]), t[4]));
  } else if (!strcmp(cmd, "symlink") && n >= 4) {
    printf("symlink %d", __wasi_path_symlink(t[1], fdArg(t[2]), t[3]));
  } else if (!strcmp(cmd, "readlink") && n >= 4) {
    size_t len = strtoul(t[3], NULL, 10);
    uint8_t* buf = malloc(len + 1);
    __wasi_size_t used = 0;
    e = __wasi_path_readlink(fdArg(t[1]), t[2], buf, len, &used);
    printf("readlink %d", e);
    if (!e) printData("target", buf, used);
    free(buf);
  } else if (!strcmp(cmd, "stat") && n >= 3) {
    __wasi_filestat_t st;
    __wasi_lookupflags_t lf = n > 3 && hasFlag(t[3], 'f') ? __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW : 0;
    e = __wasi_path_filestat_get(fdArg(t[1]), lf, t[2], &st);
    printf("stat %d", e);
    if (!e) {
      printf(" type=%d size=%llu nlink=%llu mtim=%llu", st.filetype, (unsigned long long)st.size,
             (unsigned long long)st.nlink, (unsigned long long)st.mtim);
    }
  } else if (!strcmp(cmd, "fstat") && n >= 2) {
    __wasi_filestat_t st;
    e = __wasi_fd_filestat_get(fdArg(t[1]), &st);
    printf("fstat %d", e);
    if (!e) {
      printf(" type=%d size=%llu mtim=%llu", st.filetype, (unsigned long long)st.size,
             (unsigned long long)st.mtim);
    }
  } else if (!strcmp(cmd, "utimes") && n >= 4) {
    __wasi_lookupflags_t lf = n > 4 && hasFlag(t[4], 'f') ? __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW : 0;
    printf("utimes %d", __wasi_path_filestat_set_times(fdArg(t[1]), lf, t[2], 0,
                                                       strtoull(t[3], NULL, 10),
                                                       __WASI_FSTFLAGS_MTIM));
  } else if (!strcmp(cmd, "futimes") && n >= 3) {
    printf("futimes %d", __wasi_fd_filestat_set_times(fdArg(t[1]), 0, strtoull(t[2], NULL, 10),
                                                      __WASI_FSTFLAGS_MTIM));
  } else if (!strcmp(cmd, "truncate") && n >= 3) {
    printf("truncate %d", __wasi_fd_filestat_set_size(fdArg(t[1]), strtoull(t[2], NULL, 10)));
  } else if (!strcmp(cmd, "allocate") && n >= 4) {
    printf("allocate %d", __wasi_fd_allocate(fdArg(t[1]), strtoull(t[2], NULL, 10),
                                             strtoull(t[3], NULL, 10)));
  } else if (!strcmp(cmd, "advise") && n >= 2) {
    printf("advise %d", __wasi_fd_advise(fdArg(t[1]), 0, 0, __WASI_ADVICE_SEQUENTIAL));
  } else if (!strcmp(cmd, "sync") && n >= 2) {
    printf("sync %d", __wasi_fd_sync(fdArg(t[1])));
  } else if (!strcmp(cmd, "datasync") && n >= 2) {
    printf("datasync %d", __wasi_fd_datasync(fdArg(t[1])));
  } else if (!strcmp(cmd, "fdstat") && n >= 2) {
    __wasi_fdstat_t st;
    e = __wasi_fd_fdstat_get(fdArg(t[1]), &st);
    printf("fdstat %d", e);
    if (!e) {
      printf(" type=%d flags=%d base=%llx inh=%llx", st.fs_filetype, st.fs_flags,
             (unsigned long long)st.fs_rights_base, (unsigned long long)st.fs_rights_inheriting);
    }
  } else if (!strcmp(cmd, "setflags") && n >= 3) {
    __wasi_fdflags_t f = 0;
    if (hasFlag(t[2], 'a')) f |= __WASI_FDFLAGS_APPEND;
    if (hasFlag(t[2], 'n')) f |= __WASI_FDFLAGS_NONBLOCK;
    printf("setflags %d", __wasi_fd_fdstat_set_flags(fdArg(t[1]), f));
  } else if (!strcmp(cmd, "setrights") && n >= 4) {
    printf("setrights %d", __wasi_fd_fdstat_set_rights(fdArg(t[1]), strtoull(t[2], NULL, 16),
                                                       strtoull(t[3], NULL, 16)));
  } else if (!strcmp(cmd, "renumber") && n >= 3) {
    printf("renumber %d", __wasi_fd_renumber(fdArg(t[1]), fdArg(t[2])));
  } else if (!strcmp(cmd, "prestat") && n >= 2) {
    __wasi_prestat_t ps;
    e = __wasi_fd_prestat_get(fdArg(t[1]), &ps);
    printf("prestat %d", e);
    if (!e) {
      char name[256] = {0};
      size_t len = ps.u.dir.pr_name_len < 255 ? ps.u.dir.pr_name_len : 255;
      e = __wasi_fd_prestat_dir_name(fdArg(t[1]), (uint8_t*)name, len);
      printf(" %d name=%s", e, name);
    }
  } else if (!strcmp(cmd, "readdir") && n >= 3) {
    printf("readdir");
    listDir(fdArg(t[1]), strtoul(t[2], NULL, 10));
  } else if (!strcmp(cmd, "readdirraw") && n >= 4) {
    size_t len = strtoul(t[2], NULL, 10);
    uint8_t* buf = malloc(len + 1);
    __wasi_size_t used = 0;
    e = __wasi_fd_readdir(fdArg(t[1]), buf, len, strtoull(t[3], NULL, 10), &used);
    printf("readdirraw %d used=%u", e, (unsigned)used);
    size_t off = 0;
    while (!e && off + sizeof(__wasi_dirent_t) <= used) {
      __wasi_dirent_t d;
      memcpy(&d, buf + off, sizeof d);
      size_t have = used - off - sizeof d;
      size_t show = d.d_namlen < have ? d.d_namlen : have;
      printf(" [%.*s namlen=%u next=%llu]", (int)show, (const char*)(buf + off + sizeof d),
             d.d_namlen, (unsigned long long)d.d_next);
      off += sizeof d + d.d_namlen;
    }
    free(buf);
  } else if (!strcmp(cmd, "readdirfrom") && n >= 3) {
    // List everything from the start, then list again from the d_next of
    // entry N: the second listing must be exactly the tail of the first.
    static uint8_t buf[65536];
    __wasi_size_t used = 0;
    e = __wasi_fd_readdir(fdArg(t[1]), buf, sizeof buf, 0, &used);
    size_t skip = strtoul(t[2], NULL, 10);
    size_t off = 0, index = 0;
    __wasi_dircookie_t cookie = 0;
    printf("readdirfrom %d all:", e);
    while (!e && off + sizeof(__wasi_dirent_t) <= used) {
      __wasi_dirent_t d;
      memcpy(&d, buf + off, sizeof d);
      printf(" %.*s", (int)d.d_namlen, (const char*)(buf + off + sizeof d));
      if (index++ == skip) cookie = d.d_next;
      off += sizeof d + d.d_namlen;
    }
    e = __wasi_fd_readdir(fdArg(t[1]), buf, sizeof buf, cookie, &used);
    printf(" | %d tail:", e);
    off = 0;
    while (!e && off + sizeof(__wasi_dirent_t) <= used) {
      __wasi_dirent_t d;
      memcpy(&d, buf + off, sizeof d);
      printf(" %.*s", (int)d.d_namlen, (const char*)(buf + off + sizeof d));
      off += sizeof d + d.d_namlen;
    }
  } else if (!strcmp(cmd, "waitstdin")) {
    char line[64];
    __wasi_iovec_t iov = {(uint8_t*)line, sizeof line};
    __wasi_size_t got = 0;
    e = __wasi_fd_read(0, &iov, 1, &got);
    printf("waitstdin %d got=%u", e, (unsigned)got);
  } else if (!strcmp(cmd, "scan") && n >= 3) {
    printf("scan");
    for (uint32_t fd = fdArg(t[1]); fd < fdArg(t[2]); ++fd) {
      __wasi_fdstat_t st;
      if (__wasi_fd_fdstat_get(fd, &st) == 0) printf(" %u", fd);
    }
  } else if (!strcmp(cmd, "badptr")) {
    __wasi_ciovec_t iov = {(const uint8_t*)0xfffffff0u, 64};
    __wasi_size_t put = 0;
    int w = __wasi_fd_write(1, &iov, 1, &put);
    int w2 = __wasi_fd_write(1, (const __wasi_ciovec_t*)0xfffffff8u, 4, &put);
    __wasi_iovec_t riov = {(uint8_t*)0xffffff00u, 1024};
    int r = __wasi_fd_read(0, &riov, 1, &put);
    int o = rawPathOpen(3, 0, 0xfffffff0u, 64, 0, 0, 0, 0, (uint32_t)(uintptr_t)&regs[0]);
    printf("badptr %d %d %d %d", w, w2, r, o);
  } else if (!strcmp(cmd, "pollfile") && n >= 3) {
    // Waits (sleeping 10 ms per round, up to 5 s) until PATH exists.
    int found = 0;
    for (int i = 0; i < 500 && !found; ++i) {
      __wasi_filestat_t st;
      if (__wasi_path_filestat_get(fdArg(t[1]), 0, t[2], &st) == 0) {
        found = 1;
        break;
      }
      __wasi_subscription_t sub;
      memset(&sub, 0, sizeof sub);
      sub.u.tag = __WASI_EVENTTYPE_CLOCK;
      sub.u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
      sub.u.u.clock.timeout = 10000000;
      __wasi_event_t ev;
      __wasi_size_t nev;
      (void)__wasi_poll_oneoff(&sub, &ev, 1, &nev);
    }
    printf("pollfile %d", found ? 0 : 1);
  } else if (!strcmp(cmd, "flood") && n >= 2) {
    static uint8_t chunk[65536];
    memset(chunk, 'x', sizeof chunk);
    size_t left = strtoul(t[1], NULL, 10);
    int calls = 0;
    while (left > 0 && !e) {
      // The first call writes 100 bytes, so that later full-size writes find
      // a pipe that is writable but cannot take a whole chunk.
      size_t want = calls == 0 && left > 100 ? 100 : sizeof chunk;
      __wasi_ciovec_t iov = {chunk, left < want ? left : want};
      __wasi_size_t put = 0;
      e = __wasi_fd_write(1, &iov, 1, &put);
      left -= put;
      ++calls;
    }
    printf("flood %d calls=%d", e, calls > 0);
  } else if (!strcmp(cmd, "catfile") && n >= 3) {
    __wasi_fd_t fd;
    e = pathOpen(fdArg(t[1]), t[2], "r", &fd);
    printf("catfile %d", e);
    if (!e) {
      uint8_t buf[256];
      __wasi_iovec_t iov = {buf, sizeof buf};
      __wasi_size_t got = 0;
      e = __wasi_fd_read(fd, &iov, 1, &got);
      if (!e) printData("content", buf, got);
      (void)__wasi_fd_close(fd);
    }
  } else {
    printf("%s unknown-command", cmd);
  }
  printf("\n");
  fflush(stdout);
}

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    char* line = strdup(argv[i]);
    char* tok[16];
    int n = split(line, tok, 16);
    if (n > 0) run(tok, n);
    free(line);
  }
  return 0;
}
