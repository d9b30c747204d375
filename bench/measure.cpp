// measure: runs one command and reports its wall time, CPU time and peak
// memory as one JSON line on stdout.
//
//   measure [--stdout FILE] [--stderr FILE] -- COMMAND [ARGS...]
//
// The command's stdout/stderr go to the given files (default: /dev/null),
// so the caller can check a workload's checksum. Peak memory is the largest
// resident set of the command and of any descendant it waited for (wait4's
// ru_maxrss on Linux). Exit status: 0 when the measurement itself worked
// (the command's own status is in the JSON), 2 on a usage or spawn error.
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

namespace {

double seconds(const timeval& tv) { return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) * 1e-6; }

double now() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

int usage() {
  std::fprintf(stderr, "usage: measure [--stdout FILE] [--stderr FILE] -- COMMAND [ARGS...]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string outPath = "/dev/null", errPath = "/dev/null";
  int i = 1;
  for (; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--") {
      ++i;
      break;
    }
    if ((a == "--stdout" || a == "--stderr") && i + 1 < argc) {
      (a == "--stdout" ? outPath : errPath) = argv[++i];
      continue;
    }
    return usage();
  }
  if (i >= argc) return usage();

  int outFd = open(outPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  int errFd = open(errPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (outFd < 0 || errFd < 0) {
    std::fprintf(stderr, "measure: cannot open output files: %s\n", std::strerror(errno));
    return 2;
  }
  int execPipe[2];  // reports an exec failure to the parent
  if (pipe2(execPipe, O_CLOEXEC) != 0) return 2;

  double start = now();
  pid_t pid = fork();
  if (pid < 0) {
    std::fprintf(stderr, "measure: fork: %s\n", std::strerror(errno));
    return 2;
  }
  if (pid == 0) {
    dup2(outFd, 1);
    dup2(errFd, 2);
    execvp(argv[i], argv + i);
    int e = errno;
    if (write(execPipe[1], &e, sizeof e) < 0) {
    }
    _exit(127);
  }
  close(execPipe[1]);
  int status = 0;
  rusage ru{};
  while (wait4(pid, &status, 0, &ru) < 0) {
    if (errno != EINTR) {
      std::fprintf(stderr, "measure: wait4: %s\n", std::strerror(errno));
      return 2;
    }
  }
  double wall = now() - start;
  int execErr = 0;
  if (read(execPipe[0], &execErr, sizeof execErr) == static_cast<ssize_t>(sizeof execErr)) {
    std::fprintf(stderr, "measure: cannot run %s: %s\n", argv[i], std::strerror(execErr));
    return 2;
  }
  int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  std::printf("{\"wall\": %.6f, \"user\": %.6f, \"sys\": %.6f, \"maxrssKiB\": %ld, \"status\": %d}\n", wall,
              seconds(ru.ru_utime), seconds(ru.ru_stime), ru.ru_maxrss, code);
  return 0;
}
