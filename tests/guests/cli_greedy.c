/* Allocates argv[1] MiB in 1 MiB steps, touching every block so that the
 * allocations cannot be optimised away, and reports the memory it reached. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char* volatile blocks[4096];

int main(int argc, char** argv) {
  int mib = argc > 1 ? atoi(argv[1]) : 64;
  if (mib > 4096) mib = 4096;
  for (int i = 0; i < mib; i++) {
    char* p = malloc(1 << 20);
    if (!p) {
      printf("malloc failed after %d MiB\n", i);
      return 10;
    }
    memset(p, i & 0xff, 1 << 20);
    blocks[i] = p;
  }
  unsigned sum = 0;
  for (int i = 0; i < mib; i++) sum += (unsigned char)blocks[i][i * 997];
  printf("allocated %d MiB (memory %zu pages, check %u)\n", mib, __builtin_wasm_memory_size(0), sum);
  return 0;
}
