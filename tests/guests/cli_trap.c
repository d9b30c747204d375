/* Traps in a named function, a few frames deep, for backtrace tests. */
#include <stdio.h>

__attribute__((noinline)) static int divide_by(volatile int d) { return 100 / d; }
__attribute__((noinline)) int compute_ratio(int d) { return divide_by(d) + 1; }

int main(void) {
  printf("about to divide by zero\n");
  fflush(stdout);
  return compute_ratio(0);
}
