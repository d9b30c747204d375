#include "engine/aot/compiler.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include <signal.h>

#include "engine/aot/cgen.h"

namespace compono::engine::aot {

namespace fs = std::filesystem;

namespace {

std::string which(const std::string& name) {
  if (name.find('/') != std::string::npos) return access(name.c_str(), X_OK) == 0 ? name : "";
  const char* path = std::getenv("PATH");
  std::stringstream ss(path ? path : "/usr/bin:/bin");
  std::string dir;
  while (std::getline(ss, dir, ':')) {
    std::string p = (dir.empty() ? "." : dir) + "/" + name;
    if (access(p.c_str(), X_OK) == 0) return p;
  }
  return "";
}

// Runs argv, stdout+stderr to `logPath`; returns the exit status and the
// child's peak RSS. `memLimit` caps the child's address space.
struct Child {
  pid_t pid = -1;
};

Child spawn(const std::vector<std::string>& argv, const std::string& logPath, uint64_t memLimit) {
  Child c;
  c.pid = fork();
  if (c.pid == 0) {
    int fd = open(logPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
    }
    if (memLimit) {
      struct rlimit rl = {memLimit, memLimit};
      setrlimit(RLIMIT_AS, &rl);
    }
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  return c;
}

std::string readTail(const std::string& path, size_t maxBytes) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  if (s.size() > maxBytes) s = s.substr(0, maxBytes) + "...";
  for (char& c : s) {
    if (c == '\n') c = ' ';
  }
  return s;
}

uint64_t availableMemory() {
  std::ifstream in("/proc/meminfo");
  std::string key;
  uint64_t value;
  std::string unit;
  while (in >> key >> value >> unit) {
    if (key == "MemAvailable:") return value * 1024;
  }
  return 4ull << 30;
}

bool writeFile(const fs::path& p, const std::string& data) {
  std::ofstream out(p, std::ios::binary);
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
  return static_cast<bool>(out);
}

}  // namespace

Result<CompilerInfo> findCompiler(const std::string& cacheDir) {
  const char* env = std::getenv("CC");
  std::string name = env && *env ? env : "cc";
  std::string path = which(name);
  if (path.empty()) {
    return Error(ErrorCode::kIo, "no C compiler found (looked for '" + name +
                                        "' on PATH; set $CC or install gcc/clang)");
  }
  CompilerInfo info;
  info.path = path;
  struct stat st;
  std::error_code ec;
  fs::path real = fs::canonical(path, ec);
  if (stat(real.c_str(), &st) != 0) return Error(ErrorCode::kIo, "cannot stat compiler " + path);
  std::string stamp = real.string() + ":" + std::to_string(st.st_size) + ":" + std::to_string(st.st_mtime);
  fs::path memo = fs::path(cacheDir) / "compilers";
  std::hash<std::string> h;
  fs::path memoFile = memo / (std::to_string(h(stamp)) + ".id");
  {
    std::ifstream in(memoFile);
    std::string line1, line2;
    if (std::getline(in, line1) && std::getline(in, line2) && line1 == stamp) {
      info.identity = line2;
      return info;
    }
  }
  fs::create_directories(memo, ec);
  std::string tmp = (memo / ("probe." + std::to_string(getpid()))).string();
  Child c = spawn({path, "--version"}, tmp, 0);
  int status = 0;
  waitpid(c.pid, &status, 0);
  std::ifstream in(tmp);
  std::string first;
  std::getline(in, first);
  fs::remove(tmp, ec);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || first.empty()) {
    return Error(ErrorCode::kIo, "C compiler " + path + " does not answer --version");
  }
  info.identity = first + " @ " + real.string();
  std::string memoTmp = memoFile.string() + ".tmp." + std::to_string(getpid());
  if (writeFile(memoTmp, stamp + "\n" + info.identity + "\n")) fs::rename(memoTmp, memoFile, ec);
  return info;
}

namespace {

Result<CompileStats> compileInProcess(std::span<const uint8_t> bytes, const std::string& name,
                                      const CompilerInfo& cc, const CompileOptions& opts,
                                      const std::string& scratchDir, const std::string& outPath) {
  auto start = std::chrono::steady_clock::now();
  COMPONO_ASSIGN(GeneratedC gen, generateC(bytes, name, opts.partBytes));
  CompileStats stats;
  stats.cBytes = gen.cBytes;
  stats.wasmBytes = bytes.size();

  char tmpl[4096];
  snprintf(tmpl, sizeof tmpl, "%s/build-XXXXXX", scratchDir.c_str());
  if (!mkdtemp(tmpl)) {
    return Error(ErrorCode::kIo, "cannot create a build directory in " + scratchDir + ": " + strerror(errno));
  }
  fs::path dir = tmpl;
  struct Cleanup {
    fs::path d;
    ~Cleanup() {
      std::error_code ec;
      fs::remove_all(d, ec);
    }
  } cleanup{dir};

  std::vector<std::string> units;
  bool ok = writeFile(dir / "m.h", gen.header) && writeFile(dir / "common.h", gen.common) &&
            writeFile(dir / "glue.c", gen.glue);
  units.push_back("glue.c");
  for (size_t i = 0; i < gen.parts.size(); ++i) {
    std::string f = "part" + std::to_string(i) + ".c";
    ok = ok && writeFile(dir / f, gen.parts[i]);
    units.push_back(f);
  }
  uint64_t cBytes = gen.cBytes;
  gen = GeneratedC();  // free the text before the compilers run
  if (!ok) return Error(ErrorCode::kIo, "cannot write generated C into " + dir.string());

  uint64_t memLimit0 = opts.memoryLimitBytes ? opts.memoryLimitBytes : (4ull << 30);
  if (cBytes <= opts.unityBytes) {
    // Small module: one compiler process compiles and links everything, which
    // costs far less than starting one per unit.
    std::string unity;
    for (const std::string& u : units) unity += "#include \"" + u + "\"\n";
    if (!writeFile(dir / "unity.c", unity)) return Error(ErrorCode::kIo, "cannot write " + dir.string());
    std::vector<std::string> argv = {cc.path, opts.optLevel};
    for (const char* f : kCompileFlags) argv.push_back(f);
    argv.insert(argv.end(), {"-shared", "-o", outPath, (dir / "unity.c").string(), "-lm"});
    std::string log = (dir / "unity.log").string();
    Child c = spawn(argv, log, memLimit0);
    int status = 0;
    struct rusage ru;
    wait4(c.pid, &status, 0, &ru);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      return Error(ErrorCode::kInternal, name + ": native compilation failed: " + cc.path +
                                             (WIFSIGNALED(status) ? " was killed (perhaps the memory limit)" : "") +
                                             ": " + readTail(log, 400));
    }
    stats.units = 1;
    stats.peakRssKiB = static_cast<uint64_t>(ru.ru_maxrss);
    stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (opts.progress) opts.progress(1, 1);
    return stats;
  }

  uint64_t memLimit = opts.memoryLimitBytes ? opts.memoryLimitBytes : (4ull << 30);
  unsigned jobs = opts.jobs ? opts.jobs : std::max(1u, std::thread::hardware_concurrency());
  // Never plan more parallel compilers than available memory can hold.
  uint64_t byMemory = std::max<uint64_t>(1, availableMemory() / std::min<uint64_t>(memLimit, 2ull << 30));
  jobs = static_cast<unsigned>(std::min<uint64_t>(jobs, byMemory));

  std::map<pid_t, std::string> running;
  size_t next = 0, done = 0;
  std::string failure;
  while ((next < units.size() || !running.empty())) {
    while (failure.empty() && next < units.size() && running.size() < jobs) {
      const std::string& u = units[next++];
      std::vector<std::string> argv = {cc.path, opts.optLevel};
      for (const char* f : kCompileFlags) argv.push_back(f);
      argv.insert(argv.end(), {"-c", u, "-o", u + ".o"});
      std::string log = (dir / (u + ".log")).string();
      // Compile inside the build directory so that includes resolve.
      pid_t pid = fork();
      if (pid == 0) {
        if (chdir(dir.c_str()) != 0) _exit(126);
        int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd >= 0) {
          dup2(fd, 1);
          dup2(fd, 2);
        }
        struct rlimit rl = {memLimit, memLimit};
        setrlimit(RLIMIT_AS, &rl);
        std::vector<char*> args;
        for (auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
        args.push_back(nullptr);
        execv(args[0], args.data());
        _exit(127);
      }
      if (pid < 0) {
        failure = "cannot start the C compiler: " + std::string(strerror(errno));
        break;
      }
      running[pid] = u;
    }
    if (running.empty()) break;
    int status = 0;
    struct rusage ru;
    pid_t pid = wait4(-1, &status, 0, &ru);
    if (pid < 0) {
      if (errno == EINTR) continue;
      break;
    }
    auto it = running.find(pid);
    if (it == running.end()) continue;
    stats.peakRssKiB = std::max<uint64_t>(stats.peakRssKiB, static_cast<uint64_t>(ru.ru_maxrss));
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      if (failure.empty()) {
        failure = it->second + ": " + cc.path + " failed" +
                  (WIFSIGNALED(status) ? " (killed by signal " + std::to_string(WTERMSIG(status)) +
                                             ", perhaps the memory limit)"
                                       : "") +
                  ": " + readTail((dir / (it->second + ".log")).string(), 400);
      }
    }
    running.erase(it);
    ++done;
    if (opts.progress) opts.progress(done, units.size() + 1);
  }
  if (!failure.empty()) return Error(ErrorCode::kInternal, name + ": native compilation failed: " + failure);

  std::vector<std::string> link = {cc.path, "-shared", "-o", outPath};
  for (auto& u : units) link.push_back((dir / (u + ".o")).string());
  link.push_back("-lm");
  std::string linkLog = (dir / "link.log").string();
  Child l = spawn(link, linkLog, memLimit);
  int status = 0;
  struct rusage ru;
  wait4(l.pid, &status, 0, &ru);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return Error(ErrorCode::kInternal, name + ": linking the native module failed: " + readTail(linkLog, 400));
  }
  stats.units = units.size();
  stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (opts.progress) opts.progress(units.size() + 1, units.size() + 1);
  return stats;
}

}  // namespace

// The translation runs in a child process: wabt's C writer asserts (aborts)
// on modules it cannot handle, and it needs several times the module's size
// in memory, which the parent gets back at once.
Result<CompileStats> compileModule(std::span<const uint8_t> bytes, const std::string& name,
                                   const CompilerInfo& cc, const CompileOptions& opts,
                                   const std::string& scratchDir, const std::string& outPath) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return Error(ErrorCode::kIo, std::string("pipe: ") + strerror(errno));
  pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    return Error(ErrorCode::kIo, std::string("fork: ") + strerror(errno));
  }
  if (pid == 0) {
    close(fds[0]);
    // wabt's writer prints warnings to stderr; results travel in the pipe.
    int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (devnull >= 0) dup2(devnull, 2);
    CompileOptions childOpts = opts;
    int progressFd = fds[1];
    childOpts.progress = [progressFd](size_t done, size_t total) {
      std::string line = "P " + std::to_string(done) + " " + std::to_string(total) + "\n";
      if (write(progressFd, line.data(), line.size()) < 0) {
      }
    };
    Result<CompileStats> r = compileInProcess(bytes, name, cc, childOpts, scratchDir, outPath);
    std::string msg;
    if (r.ok()) {
      char buf[256];
      snprintf(buf, sizeof buf, "OK %.6f %llu %zu %llu %llu\n", r->seconds,
               static_cast<unsigned long long>(r->peakRssKiB), r->units,
               static_cast<unsigned long long>(r->cBytes), static_cast<unsigned long long>(r->wasmBytes));
      msg = buf;
    } else {
      msg = "ERR " + std::to_string(static_cast<int>(r.error().code)) + " " + r.error().oneLine() + "\n";
    }
    bool ok = write(fds[1], msg.data(), msg.size()) == static_cast<ssize_t>(msg.size());
    _exit(ok ? 0 : 1);
  }
  close(fds[1]);
  std::string buf, last;
  char chunk[4096];
  for (;;) {
    ssize_t n = read(fds[0], chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    buf.append(chunk, static_cast<size_t>(n));
    size_t nl;
    while ((nl = buf.find('\n')) != std::string::npos) {
      std::string line = buf.substr(0, nl);
      buf.erase(0, nl + 1);
      if (line.rfind("P ", 0) == 0) {
        size_t done = 0, total = 0;
        if (sscanf(line.c_str(), "P %zu %zu", &done, &total) == 2 && opts.progress) opts.progress(done, total);
      } else {
        last = line;
      }
    }
  }
  close(fds[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (last.rfind("OK ", 0) == 0) {
    CompileStats st;
    unsigned long long rss = 0, cBytes = 0, wasmBytes = 0;
    size_t units = 0;
    sscanf(last.c_str(), "OK %lf %llu %zu %llu %llu", &st.seconds, &rss, &units, &cBytes, &wasmBytes);
    st.peakRssKiB = rss;
    st.units = units;
    st.cBytes = cBytes;
    st.wasmBytes = wasmBytes;
    return st;
  }
  if (last.rfind("ERR ", 0) == 0) {
    int code = std::atoi(last.c_str() + 4);
    size_t sp = last.find(' ', 4);
    return Error(static_cast<ErrorCode>(code), sp == std::string::npos ? last : last.substr(sp + 1));
  }
  std::string why = WIFSIGNALED(status) ? std::string("the translator crashed (") + strsignal(WTERMSIG(status)) + ")"
                                        : "the translator ended without an answer";
  return Error(ErrorCode::kInternal, name + ": native compilation failed: " + why);
}

}  // namespace compono::engine::aot
