// Helpers shared by the test suites: guest paths, temporary directories and
// running the real `compono` binary as a subprocess.
#pragma once

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

std::string readFile(const std::string& path);
void writeFile(const std::string& path, const std::string& content);

}  // namespace compono::test
