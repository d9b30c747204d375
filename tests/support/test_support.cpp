#include "support/test_support.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <gtest/gtest.h>

namespace compono::test {

std::string guestPath(const std::string& name) { return std::string(COMPONO_GUEST_DIR) + "/" + name + ".wasm"; }
std::string sharedPath(const std::string& rel) { return std::string(COMPONO_SHARED_DIR) + "/" + rel; }
std::string componoBinary() { return COMPONO_BINARY; }

TempDir::TempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "compono-test-XXXXXX").string();
  if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
  path_ = std::filesystem::canonical(tmpl).string();
}

TempDir::~TempDir() {
  std::error_code ec;
  // Tests may leave read-only directories behind; make them writable first.
  for (auto it = std::filesystem::recursive_directory_iterator(
           path_, std::filesystem::directory_options::skip_permission_denied, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_directory(ec) && !it->is_symlink(ec)) {
      std::filesystem::permissions(it->path(), std::filesystem::perms::owner_all,
                                   std::filesystem::perm_options::add, ec);
    }
  }
  std::filesystem::remove_all(path_, ec);
}

void TempDir::write(const std::string& rel, const std::string& content) const {
  std::filesystem::path p = std::filesystem::path(path_) / rel;
  std::filesystem::create_directories(p.parent_path());
  writeFile(p.string(), content);
}

std::string TempDir::read(const std::string& rel) const { return readFile(file(rel)); }

int countLines(const std::string& s) {
  int n = 0;
  for (char c : s) n += c == '\n';
  return n;
}

void expectOneLineError(const RunResult& r, int code, const std::string& mustContain) {
  EXPECT_EQ(r.exitCode, code) << r.err;
  EXPECT_FALSE(r.timedOut);
  EXPECT_EQ(countLines(r.err), 1) << r.err;
  EXPECT_EQ(r.err.rfind("compono: error: ", 0), 0u) << r.err;
  EXPECT_NE(r.err.find(mustContain), std::string::npos)
      << "missing '" << mustContain << "' in: " << r.err;
}

ComponoProcess::~ComponoProcess() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
}

bool ComponoProcess::start(const std::vector<std::string>& args, int timeoutSeconds) {
  std::string logPath = dir_.file("stderr.log");
  pid_ = fork();
  if (pid_ == 0) {
    int fd = ::open(logPath.c_str(), O_CREAT | O_WRONLY | O_TRUNC, 0600);
    int devnull = ::open("/dev/null", O_RDWR);
    if (fd < 0 || devnull < 0) _exit(126);
    dup2(devnull, 0);
    dup2(devnull, 1);
    dup2(fd, 2);
    std::vector<std::string> argv = {componoBinary()};
    argv.insert(argv.end(), args.begin(), args.end());
    std::vector<char*> cargs;
    for (auto& a : argv) cargs.push_back(a.data());
    cargs.push_back(nullptr);
    execv(cargs[0], cargs.data());
    _exit(127);
  }
  if (pid_ < 0) return false;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeoutSeconds);
  while (std::chrono::steady_clock::now() < deadline) {
    std::string text = log();
    size_t at = text.find("http://");
    if (at != std::string::npos) {
      size_t begin = at + 7, end = begin;
      while (end < text.size() && (std::isalnum(static_cast<unsigned char>(text[end])) ||
                                   text[end] == '.' || text[end] == ':' || text[end] == '[' ||
                                   text[end] == ']' || text[end] == '-')) {
        ++end;
      }
      // The whole address has been written once something follows it.
      if (end < text.size()) {
        address_ = text.substr(begin, end - begin);
        return true;
      }
    }
    int status;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

uint16_t ComponoProcess::port() const {
  size_t colon = address_.rfind(':');
  return colon == std::string::npos ? 0 : static_cast<uint16_t>(std::stoi(address_.substr(colon + 1)));
}

int ComponoProcess::stop(int sig) {
  if (pid_ > 0) kill(pid_, sig);
  return wait();
}

int ComponoProcess::wait(int timeoutSeconds) {
  if (pid_ <= 0) return -1;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeoutSeconds);
  while (std::chrono::steady_clock::now() < deadline) {
    int status;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return -1;  // the destructor kills it
}

std::string ComponoProcess::log() const { return readFile(dir_.file("stderr.log")); }

std::string curlGet(const std::string& url) {
  RunResult r = runProcess(
      {"/usr/bin/curl", "-s", "-S", "--max-time", "20", "-w", " %{http_code}", url}, "", 30);
  EXPECT_EQ(r.exitCode, 0) << r.err;
  return r.out;
}

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void writeFile(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary);
  out << content;
}

RunResult runProcess(const std::vector<std::string>& argv, const std::string& stdinData,
                     int timeoutSeconds, const std::string& cwd) {
  int in[2], out[2], err[2];
  if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC)) {
    throw std::runtime_error("pipe failed");
  }
  pid_t pid = fork();
  if (pid == 0) {
    dup2(in[0], 0);
    dup2(out[1], 1);
    dup2(err[1], 2);
    if (!cwd.empty() && chdir(cwd.c_str()) != 0) _exit(126);
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  close(in[0]);
  close(out[1]);
  close(err[1]);
  RunResult r;
  size_t written = 0;
  int inFd = in[1];
  if (stdinData.empty()) {
    close(inFd);
    inFd = -1;
  } else {
    fcntl(inFd, F_SETFL, O_NONBLOCK);
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeoutSeconds);
  bool outOpen = true, errOpen = true;
  char buf[65536];
  while (outOpen || errOpen) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
    if (left <= 0) {
      r.timedOut = true;
      kill(pid, SIGKILL);
      break;
    }
    pollfd fds[3];
    int n = 0;
    if (outOpen) fds[n++] = {out[0], POLLIN, 0};
    if (errOpen) fds[n++] = {err[0], POLLIN, 0};
    if (inFd >= 0) fds[n++] = {inFd, POLLOUT, 0};
    if (poll(fds, n, static_cast<int>(left)) < 0) continue;
    for (int i = 0; i < n; ++i) {
      if (!fds[i].revents) continue;
      if (fds[i].fd == inFd) {
        ssize_t w = write(inFd, stdinData.data() + written, stdinData.size() - written);
        if (w > 0) written += static_cast<size_t>(w);
        if (w < 0 || written == stdinData.size()) {
          close(inFd);
          inFd = -1;
        }
        continue;
      }
      ssize_t k = read(fds[i].fd, buf, sizeof buf);
      if (k <= 0) {
        if (fds[i].fd == out[0]) outOpen = false; else errOpen = false;
      } else {
        (fds[i].fd == out[0] ? r.out : r.err).append(buf, static_cast<size_t>(k));
      }
    }
  }
  if (inFd >= 0) close(inFd);
  close(out[0]);
  close(err[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (WIFEXITED(status)) r.exitCode = WEXITSTATUS(status);
  else if (WIFSIGNALED(status)) r.exitCode = 128 + WTERMSIG(status);
  return r;
}

RunResult runCompono(const std::vector<std::string>& args, const std::string& stdinData, int timeoutSeconds) {
  std::vector<std::string> argv = {componoBinary()};
  argv.insert(argv.end(), args.begin(), args.end());
  return runProcess(argv, stdinData, timeoutSeconds);
}

}  // namespace compono::test
