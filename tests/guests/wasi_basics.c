// Exercises the WASI functions that need no capability: args, environ,
// clocks, random, sched_yield, proc_raise, and stdio (echoes stdin to stdout
// upper-cased, writes a line to stderr). Output is one "key value" per line.
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wasi/api.h>

extern char** environ;

// This wasi-libc no longer declares proc_raise (deprecated), so import it directly.
__attribute__((import_module("wasi_snapshot_preview1"), import_name("proc_raise"))) uint16_t
rawProcRaise(uint32_t sig);
static volatile uint64_t sink;

int main(int argc, char** argv) {
  printf("argc %d\n", argc);
  for (int i = 0; i < argc; ++i) printf("arg %d %s\n", i, argv[i]);
  int envCount = 0;
  for (char** e = environ; e && *e; ++e) {
    printf("env %s\n", *e);
    ++envCount;
  }
  printf("envcount %d\n", envCount);
  const char* home = getenv("HOME");
  printf("HOME %s\n", home ? home : "(unset)");

  static const char* kClocks[] = {"realtime", "monotonic", "process", "thread"};
  for (uint32_t id = 0; id < 4; ++id) {
    __wasi_timestamp_t res = 0, t1 = 0, t2 = 0;
    int e1 = __wasi_clock_res_get(id, &res);
    int e2 = __wasi_clock_time_get(id, 1, &t1);
    // burn a little time so cputime clocks move too
    for (int i = 0; i < 20000; ++i) sink += (uint64_t)i * 7;
    int e3 = __wasi_clock_time_get(id, 1, &t2);
    printf("clock %s %d %d %d res_ok=%d nonzero=%d monotone=%d\n", kClocks[id], e1, e2, e3,
           res > 0 && res <= 1000000000ull, t1 > 0, t2 >= t1);
  }
  __wasi_timestamp_t dummy;
  printf("clock_bad %d %d\n", __wasi_clock_time_get(99, 1, &dummy), __wasi_clock_res_get(4, &dummy));
  __wasi_timestamp_t rt = 0;
  (void)__wasi_clock_time_get(__WASI_CLOCKID_REALTIME, 1, &rt);
  printf("realtime_s %llu\n", (unsigned long long)(rt / 1000000000ull));

  uint8_t a[64], b[64];
  memset(a, 0, sizeof a);
  memset(b, 0, sizeof b);
  int r1 = __wasi_random_get(a, sizeof a);
  int r2 = __wasi_random_get(b, sizeof b);
  int zeros = 0;
  for (size_t i = 0; i < sizeof a; ++i) zeros += a[i] == 0;
  printf("random %d %d differ=%d mostly_nonzero=%d\n", r1, r2, memcmp(a, b, sizeof a) != 0,
         zeros < 16);
  printf("random_bad %d\n", __wasi_random_get((uint8_t*)0xfffffff0u, 64));
  printf("sched_yield %d\n", __wasi_sched_yield());
  printf("proc_raise %d\n", rawProcRaise(15 /* TERM */));

  // stdio: echo stdin upper-cased.
  char buf[256];
  size_t total = 0;
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, stdin)) > 0) {
    for (size_t i = 0; i < n; ++i) buf[i] = (char)toupper((unsigned char)buf[i]);
    fwrite(buf, 1, n, stdout);
    total += n;
  }
  printf("\nstdin_bytes %zu\n", total);
  fprintf(stderr, "to stderr\n");
  return 0;
}
