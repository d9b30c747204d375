// Exits with a status: "wasi_exit N" returns N from main; "wasi_exit N proc"
// calls proc_exit(N) directly, with output still buffered before it.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wasi/api.h>

int main(int argc, char** argv) {
  int code = argc > 1 ? atoi(argv[1]) : 0;
  printf("exiting %d\n", code);
  fflush(stdout);
  if (argc > 2 && strcmp(argv[2], "proc") == 0) __wasi_proc_exit((__wasi_exitcode_t)code);
  return code;
}
