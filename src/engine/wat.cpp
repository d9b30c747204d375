// The wasm text format, parsed by libwabt's text parser in a child process.
//
// wabt 1.0.32's text parser asserts (aborts the process) on some inputs, so it
// never runs inside the caller's process: we fork, the child parses, resolves
// names, validates and writes the binary into a pipe, and the parent turns a
// crash, a hang or an error into an Error value.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>

#include "compono/engine/module.h"
#include "engine/wabt_features.h"
#include "wabt/binary-writer.h"
#include "wabt/ir.h"
#include "wabt/resolve-names.h"
#include "wabt/stream.h"
#include "wabt/validator.h"
#include "wabt/wast-lexer.h"
#include "wabt/wast-parser.h"

namespace compono::engine {

namespace {

enum : uint8_t { kOk = 0, kParseError = 1, kInvalid = 2 };

constexpr int kParseTimeoutSeconds = 120;

std::string formatError(const wabt::Error& e, const std::string& name) {
  std::string s = name;
  if (e.loc.line > 0) {
    s += ":" + std::to_string(e.loc.line) + ":" + std::to_string(e.loc.first_column);
  }
  return s + ": " + e.message;
}

bool writeAll(int fd, const void* data, size_t n) {
  const char* p = static_cast<const char*>(data);
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    p += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

// Runs in the child. Never returns.
[[noreturn]] void childParse(int fd, std::string_view text, const std::string& name) {
  struct rlimit cpu = {kParseTimeoutSeconds, kParseTimeoutSeconds + 1};
  setrlimit(RLIMIT_CPU, &cpu);
  wabt::Errors errors;
  auto lexer = wabt::WastLexer::CreateBufferLexer(name, text.data(), text.size(), &errors);
  wabt::WastParseOptions options(internal::wabtFeatures());
  std::unique_ptr<wabt::Module> module;
  uint8_t status = kOk;
  std::string payload;
  if (wabt::Failed(wabt::ParseWatModule(lexer.get(), &module, &errors, &options)) ||
      wabt::Failed(wabt::ResolveNamesModule(module.get(), &errors))) {
    status = kParseError;
  } else {
    wabt::ValidateOptions vopts(internal::wabtFeatures());
    if (wabt::Failed(wabt::ValidateModule(module.get(), &errors, vopts))) {
      status = kInvalid;
    } else {
      wabt::MemoryStream stream;
      wabt::WriteBinaryOptions wopts(internal::wabtFeatures(), true, false, true);
      if (wabt::Failed(wabt::WriteBinaryModule(&stream, module.get(), wopts))) {
        status = kInvalid;
        payload = name + ": could not encode the module";
      } else {
        auto& data = stream.output_buffer().data;
        payload.assign(reinterpret_cast<const char*>(data.data()), data.size());
      }
    }
  }
  if (status != kOk && payload.empty()) {
    payload = errors.empty() ? name + ": invalid module" : formatError(errors.front(), name);
  }
  uint64_t len = payload.size();
  bool ok = writeAll(fd, &status, 1) && writeAll(fd, &len, sizeof len) &&
            writeAll(fd, payload.data(), payload.size());
  _exit(ok ? 0 : 3);
}

}  // namespace

Result<std::vector<uint8_t>> watToBinary(std::string_view text, const std::string& name) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    return Error(ErrorCode::kIo, name + ": cannot create a pipe for the text parser: " + strerror(errno));
  }
  pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    return Error(ErrorCode::kIo, name + ": cannot start the text parser: " + strerror(errno));
  }
  if (pid == 0) {
    close(fds[0]);
    childParse(fds[1], text, name);
  }
  close(fds[1]);

  std::string out;
  char buf[65536];
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(kParseTimeoutSeconds);
  bool timedOut = false;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    deadline - std::chrono::steady_clock::now())
                    .count();
    if (left <= 0) {
      timedOut = true;
      break;
    }
    struct pollfd p = {fds[0], POLLIN, 0};
    int r = poll(&p, 1, static_cast<int>(left));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) {
      timedOut = r == 0;
      break;
    }
    ssize_t n = read(fds[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  close(fds[0]);
  if (timedOut) kill(pid, SIGKILL);
  int wstatus = 0;
  while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {
  }
  if (timedOut) {
    return Error(ErrorCode::kDecode, name + ": the text parser did not finish within " +
                                         std::to_string(kParseTimeoutSeconds) + " s");
  }
  if (WIFSIGNALED(wstatus)) {
    int sig = WTERMSIG(wstatus);
    return Error(ErrorCode::kDecode,
                 name + ": the wasm text parser (libwabt 1.0.32) crashed on this input (" +
                     strsignal(sig) +
                     "); it is probably malformed or uses syntax wabt does not know — "
                     "convert it to binary with another tool");
  }
  if (out.size() < 9) {
    return Error(ErrorCode::kInternal, name + ": the text parser ended without an answer");
  }
  uint8_t status = static_cast<uint8_t>(out[0]);
  uint64_t len;
  std::memcpy(&len, out.data() + 1, sizeof len);
  if (len != out.size() - 9) {
    return Error(ErrorCode::kInternal, name + ": truncated answer from the text parser");
  }
  std::string payload = out.substr(9);
  if (status == kOk) return std::vector<uint8_t>(payload.begin(), payload.end());
  return Error(status == kParseError ? ErrorCode::kDecode : ErrorCode::kValidate, payload);
}

}  // namespace compono::engine
