/* sandbox_demo.c — what a guest can and cannot reach.
 *
 * Granted: the directory the host pre-opened as /data (read-only in the demo).
 * Not granted: everything else. The program lists /data, reads a file from it,
 * and then tries four ways out; each must be refused by the sandbox. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

static int tryOpen(const char* what, const char* path) {
  FILE* f = fopen(path, "r");
  if (f) {
    printf("  LEAK: %s (%s) was readable!\n", what, path);
    fclose(f);
    return 1;
  }
  printf("  refused: %-34s %-28s (%s)\n", what, path, strerror(errno));
  return 0;
}

int main(void) {
  printf("granted directory /data contains:\n");
  DIR* d = opendir("/data");
  if (!d) {
    printf("  cannot open /data: %s\n", strerror(errno));
    return 1;
  }
  struct dirent* e;
  while ((e = readdir(d)) != NULL) {
    if (e->d_name[0] != '.') printf("  %s\n", e->d_name);
  }
  closedir(d);

  FILE* f = fopen("/data/hello.txt", "r");
  if (!f) {
    printf("cannot read /data/hello.txt: %s\n", strerror(errno));
    return 1;
  }
  char line[256];
  if (fgets(line, sizeof line, f)) printf("read /data/hello.txt: %s", line);
  fclose(f);

  FILE* w = fopen("/data/new.txt", "w");
  printf("write into the read-only grant: %s\n", w ? "LEAK: allowed!" : strerror(errno));
  if (w) fclose(w);

  printf("trying to leave the sandbox:\n");
  int leaks = 0;
  leaks += tryOpen("an absolute host path", "/etc/passwd");
  leaks += tryOpen("climbing out with ..", "/data/../../etc/passwd");
  leaks += tryOpen("a symlink pointing outside", "/data/escape-link");
  leaks += tryOpen("the current directory", "./secret.txt");
  printf(leaks ? "SANDBOX LEAKED\n" : "all refused: the guest reaches only what it was granted\n");
  return leaks ? 1 : 0;
}
