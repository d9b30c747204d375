// File access through ordinary wasi-libc calls (open, stdio, dirent, stat,
// rename, unlink, mkdir) on the preopen "/sandbox", to show the host works
// with the guest libc's own preopen handling. Prints one line per step.
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int cmp(const void* a, const void* b) {
  return strcmp(*(const char* const*)a, *(const char* const*)b);
}

int main(void) {
  FILE* f = fopen("/sandbox/hello.txt", "w");
  printf("fopen_w %s\n", f ? "ok" : strerror(errno));
  if (f) {
    fprintf(f, "hello from wasm\n");
    fclose(f);
  }
  f = fopen("/sandbox/hello.txt", "a");
  if (f) {
    fprintf(f, "appended\n");
    fclose(f);
  }
  char line[128] = {0};
  f = fopen("/sandbox/hello.txt", "r");
  if (f) {
    size_t n = fread(line, 1, sizeof line - 1, f);
    line[n] = 0;
    fclose(f);
  }
  for (char* p = line; *p; ++p) if (*p == '\n') *p = '|';
  printf("content %s\n", line);

  printf("mkdir %d\n", mkdir("/sandbox/newdir", 0755));
  printf("mkdir_again %s\n", mkdir("/sandbox/newdir", 0755) == 0 ? "ok" : strerror(errno));
  printf("rename %d\n", rename("/sandbox/hello.txt", "/sandbox/newdir/moved.txt"));
  struct stat st;
  printf("stat %d size=%lld isreg=%d\n", stat("/sandbox/newdir/moved.txt", &st),
         (long long)st.st_size, S_ISREG(st.st_mode));
  printf("stat_old %s\n", stat("/sandbox/hello.txt", &st) == 0 ? "exists" : strerror(errno));

  DIR* d = opendir("/sandbox");
  char* names[64];
  int count = 0;
  if (d) {
    struct dirent* e;
    while ((e = readdir(d)) && count < 64) names[count++] = strdup(e->d_name);
    closedir(d);
  }
  qsort(names, (size_t)count, sizeof names[0], cmp);
  printf("ls");
  for (int i = 0; i < count; ++i) printf(" %s", names[i]);
  printf("\n");

  printf("escape_open %s\n", open("/sandbox/../etc/passwd", O_RDONLY) >= 0 ? "OPENED" : strerror(errno));
  printf("outside_open %s\n", open("/etc/passwd", O_RDONLY) >= 0 ? "OPENED" : strerror(errno));
  printf("unlink %d\n", unlink("/sandbox/newdir/moved.txt"));
  printf("rmdir %d\n", rmdir("/sandbox/newdir"));
  return 0;
}
