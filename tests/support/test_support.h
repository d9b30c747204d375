// Helpers shared by the test suites: guest paths, temporary directories and
// running the real `compono` binary as a subprocess.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace compono::test {

// Path of a guest built from tests/guests/NAME.c.
std::string guestPath(const std::string& name);
// Path under ../shared (fixtures, testsuites, bench).
std::string sharedPath(const std::string& rel);
// The compono binary under test.
std::string componoBinary();

// A fresh directory removed (recursively) on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string file(const std::string& rel) const { return path_ + "/" + rel; }
  // Writes a file (creating parent directories).
  void write(const std::string& rel, const std::string& content) const;
  std::string read(const std::string& rel) const;

 private:
  std::string path_;
};

struct RunResult {
  int exitCode = -1;  // exit status, or 128+signal when killed by a signal
  std::string out;
  std::string err;
  bool timedOut = false;
};

// Runs argv[0] with arguments, feeding `stdinData`, with a timeout.
RunResult runProcess(const std::vector<std::string>& argv, const std::string& stdinData = "",
                     int timeoutSeconds = 120, const std::string& cwd = "");
// Runs `compono ARGS...`.
RunResult runCompono(const std::vector<std::string>& args, const std::string& stdinData = "",
                     int timeoutSeconds = 120);

// The number of '\n' in `s`.
int countLines(const std::string& s);
// A failed `compono` run: exit code `code`, not timed out, and exactly one
// "compono: error: " line on stderr that contains `mustContain` (GoogleTest
// expectations).
void expectOneLineError(const RunResult& r, int code, const std::string& mustContain);

// `compono ARGS...` running in the background, a server (`serve`, `up`):
// its stdin and stdout on /dev/null, its stderr in a file (so a long access
// log never blocks it). Killed with SIGKILL on destruction when still running.
class ComponoProcess {
 public:
  ComponoProcess() = default;
  ~ComponoProcess();
  ComponoProcess(const ComponoProcess&) = delete;
  ComponoProcess& operator=(const ComponoProcess&) = delete;

  // Starts it and waits up to `timeoutSeconds` for the first "http://HOST:PORT"
  // on its stderr (what a server prints once it listens). False when the
  // process ends first or time runs out; log() tells why.
  bool start(const std::vector<std::string>& args, int timeoutSeconds = 60);
  const std::string& address() const { return address_; }  // HOST:PORT
  uint16_t port() const;
  int pid() const { return pid_; }
  // Sends `sig`, then waits as wait() does.
  int stop(int sig);
  // Waits up to `timeoutSeconds` for the exit: the exit status, 128 + the
  // signal that ended it, or -1 when it is still running (then killed).
  int wait(int timeoutSeconds = 60);
  // What it wrote to stderr so far.
  std::string log() const;

 private:
  TempDir dir_;
  int pid_ = -1;
  std::string address_;
};

// GET `url` with curl: "BODY STATUS" (the status after one space).
std::string curlGet(const std::string& url);

std::string readFile(const std::string& path);
void writeFile(const std::string& path, const std::string& content);

}  // namespace compono::test
