// `compono run`: run a WASI program (or call one export) in a capability sandbox.
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "cli/commands.h"
#include "compono/engine/linker.h"
#include "compono/engine/module.h"
#include "compono/engine/store.h"
#include "compono/wasi/wasi.h"

extern char** environ;

namespace compono::cli {

using namespace compono::engine;

const char* kRunFooter = R"(Capabilities (default deny: the guest reaches nothing else):
  --dir HOST[::GUEST][:ro]  pre-open a host directory; the guest sees it as GUEST
                            (default: the HOST text). ':ro' refuses every write.
                            Paths can never climb out of it: '..', absolute paths and
                            symlinks pointing outside are refused.
  --env K=V / --env K       pass one variable (K alone copies the host's value)
  --inherit-env             pass the whole host environment
  --tcplisten ADDR          pre-open a listening TCP socket (e.g. 127.0.0.1:8080)

Limits (all enforced identically on every tier by a metering pass):
  --fuel N                  instruction budget
  --timeout DURATION        wall-clock deadline: 500ms, 2s, 1.5m ...
  --max-memory BYTES        per linear memory: 65536, 64KiB, 16MiB, 1GiB ...
  --max-table-elements N    per table
  --max-stack N             call depth in wasm frames

Tiers (--tier):
  auto    (default) native code from the cache; else compile now when the module is
          small and a C compiler ($CC, default cc) exists; larger modules start at once
          on the interpreter while a background process compiles them for later runs
          (threshold: 1 MiB, or $COMPONO_AOT_SYNC_LIMIT); modules using features the
          native tier lacks (SIMD, several memories, ...) run on the interpreter with a note
  aot     native code, compiled now if not cached; an error if it cannot be
  interp  the interpreter: instant start, about 100x slower
  Native artifacts live in $XDG_CACHE_HOME/compono (or --cache-dir); see
  `compono compile` and `compono cache ls|clean`.

Exit codes:
  0    success (or the guest's own status from proc_exit, passed through)
  1    bad input: unreadable, malformed or invalid module, unresolved import,
       missing export, wrong arguments for --invoke
  2    bad command line
  3    the guest trapped (unreachable, out of bounds, divide by zero, ...)
  4    fuel exhausted (--fuel)
  5    deadline reached (--timeout)
  6    memory limit exceeded (--max-memory)
  7    table limit exceeded (--max-table-elements)
  8    call stack exhausted (--max-stack, or the engine's own depth limit)
  70   internal error (a bug in Compono: please report it)

Examples:
  compono run hello.wasm
  compono run --dir ./data::/data:ro app.wasm input.txt
  compono run --fuel 1000000 --timeout 2s untrusted.wasm
  compono run --invoke add math.wat 2 3
)";

static Result<Val> parseArg(ValType t, const std::string& s) {
  auto bad = [&]() {
    return Error(ErrorCode::kUsage, "argument '" + s + "' is not a valid " + valTypeName(t));
  };
  errno = 0;
  char* end = nullptr;
  switch (t) {
    case ValType::kI32: {
      long long v = std::strtoll(s.c_str(), &end, 0);
      if (*end || s.empty() || errno || v < INT32_MIN || v > static_cast<long long>(UINT32_MAX)) return bad();
      return Val::makeI32(static_cast<uint32_t>(v));
    }
    case ValType::kI64: {
      if (!s.empty() && s[0] == '-') {
        long long v = std::strtoll(s.c_str(), &end, 0);
        if (*end || errno) return bad();
        return Val::makeI64(static_cast<uint64_t>(v));
      }
      unsigned long long v = std::strtoull(s.c_str(), &end, 0);
      if (*end || s.empty() || errno) return bad();
      return Val::makeI64(v);
    }
    case ValType::kF32: {
      float v = std::strtof(s.c_str(), &end);
      if (*end || s.empty()) return bad();
      return Val::makeF32(v);
    }
    case ValType::kF64: {
      double v = std::strtod(s.c_str(), &end);
      if (*end || s.empty()) return bad();
      return Val::makeF64(v);
    }
    default:
      return Error(ErrorCode::kUsage, std::string("--invoke cannot pass a ") + valTypeName(t) +
                                          " argument from the command line");
  }
}

static std::string formatResult(const Val& v) {
  char buf[64];
  switch (v.type) {
    case ValType::kI32: snprintf(buf, sizeof buf, "%" PRId32, static_cast<int32_t>(v.i32)); return buf;
    case ValType::kI64: snprintf(buf, sizeof buf, "%" PRId64, static_cast<int64_t>(v.i64)); return buf;
    case ValType::kF32: snprintf(buf, sizeof buf, "%.9g", static_cast<double>(v.f32)); return buf;
    case ValType::kF64: snprintf(buf, sizeof buf, "%.17g", v.f64); return buf;
    default: return v.toString();
  }
}

static Result<wasi::Preopen> parseDir(const std::string& spec) {
  wasi::Preopen p;
  std::string s = spec;
  if (s.size() > 3 && s.compare(s.size() - 3, 3, ":ro") == 0) {
    p.readOnly = true;
    s.resize(s.size() - 3);
  }
  size_t sep = s.find("::");
  if (sep == std::string::npos) {
    p.hostPath = p.guestPath = s;
  } else {
    p.hostPath = s.substr(0, sep);
    p.guestPath = s.substr(sep + 2);
  }
  if (p.hostPath.empty() || p.guestPath.empty()) {
    return Error(ErrorCode::kUsage, "--dir '" + spec + "': expected HOST[::GUEST][:ro]");
  }
  return p;
}

bool storeLimitsFrom(const RunOptions& o, StoreLimits& limits) {
  if (!o.fuel.empty()) {
    auto v = parseCount(o.fuel);
    if (!v) return printError("--fuel '" + o.fuel + "': expected a number of instructions"), false;
    limits.fuel = *v;
  }
  if (!o.timeout.empty()) {
    auto v = parseDuration(o.timeout);
    if (!v) return printError("--timeout '" + o.timeout + "': expected a duration such as 500ms, 2s, 1m"), false;
    limits.timeout = *v;
  }
  if (!o.maxMemory.empty()) {
    auto v = parseByteSize(o.maxMemory);
    if (!v) return printError("--max-memory '" + o.maxMemory + "': expected bytes such as 65536, 64KiB, 16MiB"), false;
    limits.maxMemoryBytes = *v;
  }
  if (!o.maxTable.empty()) {
    auto v = parseCount(o.maxTable);
    if (!v) return printError("--max-table-elements '" + o.maxTable + "': expected a number"), false;
    limits.maxTableElements = *v;
  }
  if (!o.maxStack.empty()) {
    auto v = parseCount(o.maxStack);
    if (!v || *v == 0 || *v > 1'000'000) {
      return printError("--max-stack '" + o.maxStack + "': expected a call depth from 1 to 1000000"), false;
    }
    limits.maxCallDepth = static_cast<uint32_t>(*v);
  }
  return true;
}

Result<wasi::WasiConfig> wasiConfigFrom(const RunOptions& o, std::vector<std::string> args) {
  wasi::WasiConfig wc;
  wc.args = std::move(args);
  if (o.inheritEnv) {
    for (char** e = environ; *e; ++e) {
      std::string kv = *e;
      size_t eq = kv.find('=');
      if (eq != std::string::npos) wc.env.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
    }
  }
  for (const std::string& kv : o.envs) {
    size_t eq = kv.find('=');
    if (eq == 0) return Error(ErrorCode::kUsage, "--env '" + kv + "': expected K=V or K");
    if (eq == std::string::npos) {
      const char* v = std::getenv(kv.c_str());
      if (v) wc.env.emplace_back(kv, v);
    } else {
      wc.env.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
    }
  }
  for (const std::string& d : o.dirs) {
    COMPONO_ASSIGN(wasi::Preopen p, parseDir(d));
    wc.preopens.push_back(std::move(p));
  }
  for (const std::string& l : o.listens) wc.listeners.push_back(wasi::TcpListener{l});
  return wc;
}

EngineConfig engineConfigFrom(const RunOptions& o) {
  EngineConfig ec;
  ec.tier = o.tier == "aot" ? Tier::kAot : o.tier == "interp" ? Tier::kInterp : Tier::kAuto;
  ec.cacheDir = o.cacheDir;
  if (const char* limit = std::getenv("COMPONO_AOT_SYNC_LIMIT")) {
    if (auto v = parseByteSize(limit)) ec.aotSyncLimitBytes = *v;
  }
  ec.notice = [](const std::string& text) { std::fprintf(stderr, "compono: note: %s\n", text.c_str()); };
  return ec;
}

int runCommand(const RunOptions& o) {
  StoreLimits limits;
  if (!storeLimitsFrom(o, limits)) return kExitUsage;
  if (isComponentFile(o.file)) return runComponent(o, limits);
  if (o.policy.enabled()) {  // never silently run without the policy the user asked for
    printError(o.file +
               ": --trust and --allow-unsigned apply to components (the link-time policy "
               "checks their interface imports); a core module cannot be checked");
    return kExitUsage;
  }

  std::vector<std::string> guestArgs = {o.file};
  if (!o.invoke) guestArgs.insert(guestArgs.end(), o.args.begin(), o.args.end());
  auto wcr = wasiConfigFrom(o, std::move(guestArgs));
  if (!wcr.ok()) return printError(wcr.error()), kExitUsage;
  wasi::WasiConfig wc = std::move(*wcr);

  Engine engine(engineConfigFrom(o));
  auto module = Module::fromFile(engine, o.file);
  if (!module.ok()) return printError(module.error()), exitCodeFor(module.error());

  // Find what to call before doing any work.
  std::string entry = o.invoke ? *o.invoke : "_start";
  auto exp = (*module)->exportType(entry);
  if (!exp || exp->type.kind != ExternKind::kFunc) {
    std::string msg = o.file + ": no exported function \"" + entry + "\"";
    if (!o.invoke) {
      msg += (*module)->exportType("_initialize")
                 ? " (it looks like a WASI reactor: call an export with --invoke NAME)"
                 : " (not a WASI command: call an export with --invoke NAME)";
    } else {
      std::string names;
      for (const ExportType& e : (*module)->exports()) {
        if (e.type.kind == ExternKind::kFunc) names += (names.empty() ? "" : ", ") + e.name;
      }
      msg += names.empty() ? " (it exports no functions)" : " (exported functions: " + names + ")";
    }
    printError(msg);
    return kExitUserError;
  }
  std::vector<Val> args;
  if (o.invoke) {
    const FuncType& ft = exp->type.func;
    if (o.args.size() != ft.params.size()) {
      printError(o.file + ": \"" + entry + "\" takes " + std::to_string(ft.params.size()) +
                 " argument(s) " + ft.toString() + ", got " + std::to_string(o.args.size()));
      return kExitUserError;
    }
    for (size_t i = 0; i < ft.params.size(); ++i) {
      auto v = parseArg(ft.params[i], o.args[i]);
      if (!v.ok()) return printError(v.error()), kExitUserError;
      args.push_back(*v);
    }
  }

  auto ctx = wasi::WasiCtx::create(std::move(wc));
  if (!ctx.ok()) return printError(ctx.error()), kExitUserError;
  Linker linker;
  (*ctx)->addToLinker(linker);

  Store store(engine, limits);
  auto instance = linker.instantiate(store, *module);
  if (!instance.ok()) return printError(instance.error()), exitCodeFor(instance.error());

  if (o.invoke) {
    if (auto init = instance->getFunc("_initialize"); init && entry != "_initialize") {
      auto r = init->call({});
      if (!r.ok()) return printError(r.error()), exitCodeFor(r.error());
    }
  }
  auto fn = instance->getFunc(entry);
  auto results = fn->call(args);
  std::fflush(stdout);
  if (!results.ok()) {
    const Error& e = results.error();
    if (e.code == ErrorCode::kExit) return e.exitStatus;
    printError(e);
    return exitCodeFor(e);
  }
  for (const Val& v : *results) std::printf("%s\n", formatResult(v).c_str());
  return kExitOk;
}

}  // namespace compono::cli
