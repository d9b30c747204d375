/* A trivial WASI command built with wasi-libc: main returns at once, so a
   run measures process start, module load, instantiation and libc start-up. */
int main(void) { return 0; }
