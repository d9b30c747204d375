/* Allocates memory until told to stop: argv[1] MiB in 1 MiB steps. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char** argv) {
  int mib = argc > 1 ? atoi(argv[1]) : 64;
  for (int i = 0; i < mib; i++) {
    char* p = malloc(1 << 20);
    if (!p) {
      printf("malloc failed after %d MiB\n", i);
      return 10;
    }
    memset(p, 1, 1 << 20);
  }
  printf("allocated %d MiB\n", mib);
  return 0;
}
