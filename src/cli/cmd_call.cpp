// `compono call`: instantiate a component and call its exports with WAVE
// arguments; `compono run` of a component exporting wasi:cli/run.
#include <fcntl.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <functional>
#include <memory>

#include "cli/commands.h"
#include "compono/component/binary.h"
#include "compono/component/component.h"
#include "compono/component/instance.h"
#include "compono/component/linker.h"
#include "compono/component/wave.h"
#include "compono/engine/engine.h"
#include "compono/engine/module.h"
#include "compono/engine/store.h"
#include "compono/wasi/wasi.h"
#include "compono/wasi/wasi_p2.h"

namespace compono::cli {

using component::ComponentInstance;
using component::FuncInfo;
using component::LoadedComponent;
using component::Value;

const char* kCallFooter = R"(Calls:
  Each CALL is FUNC(ARGS) with the arguments in WAVE, the WebAssembly Value
  Encoding (quote each CALL for the shell). Several calls run in order on ONE
  instance, so state (and resource handles) carry over. Each result prints on
  its own line, in WAVE; a function without a result prints nothing.
  FUNC is the function's name when no other export has the same one (add,
  [constructor]accumulator, [method]accumulator.add), or qualified by its
  interface: example:calc/calc@0.1.0#add (any semver-compatible version works).

WAVE:
  bool true false          integers 42 -7          floats 1.5 -0.25 nan inf -inf
  char 'x' '\n' '\u{1F600}' string "hi\n"          list [1, 2, 3]
  tuple (1, "a")           record {x: 1, y: -2}   (option fields may be left out)
  variant circle(2.0) empty   enum red             flags {read, write}   {}
  option some(3) none      result ok(5) err("no") ok err
  handles (Compono's extension): a call returning a resource prints
  accumulator#1; pass it on as accumulator#1 (own or borrow, as the function
  takes). Handles still held after the last call are dropped (destructors run).

Imports (default deny):
  Imports nothing provides fail instantiation, listing each one. WASI 0.2
  interfaces come from Compono's WASI (same capability flags as `compono run`);
  wasi:keyvalue, wasi:config and wasi:logging from the capability providers
  (--kv, --config: see below); the others have no provider on the command line:
  --stub-imports            each unresolved function prints `stub: IFACE#FUNC(ARGS)`
                            on stderr and returns a default value (0, "", [], none,
                            the first case, ok(...), a fresh handle)
  --stub-imports=trap       each unresolved function traps when called

Limits and tiers: as for `compono run` (--fuel, --timeout, --max-memory,
--max-table-elements, --max-stack, --tier, --cache-dir); see `compono run --help`.

Exit codes: 0 every call returned; 1 bad input (unreadable or invalid component,
unresolved import, unknown function, bad argument); 2 bad command line; 3 a
trap; 4-8 a limit (as for `compono run`).

Examples:
  compono call basic.wasm 'add(2, 3)' 'upper("hello")'
  compono call --stub-imports calc.wasm 'apply(div, 7, 0)'
  compono call --stub-imports calc.wasm '[constructor]accumulator(10)' \
      '[method]accumulator.add(accumulator#1, 5)' 'example:calc/calc@0.1.0#get(accumulator#1)'
)";

void addLimitOptions(CLI::App& cmd, RunOptions& o, bool perRequest) {
  cmd.add_option("--fuel", o.fuel, perRequest ? "Instruction budget per request" : "Instruction budget")
      ->type_name("N");
  cmd.add_option("--timeout", o.timeout,
                 perRequest ? "Deadline per request (500ms, 2s)" : "Wall-clock deadline (500ms, 2s, 1m)")
      ->type_name("DURATION");
  cmd.add_option("--max-memory", o.maxMemory, "Maximum bytes per linear memory (64KiB, 16MiB)")
      ->type_name("BYTES");
  cmd.add_option("--max-table-elements", o.maxTable, "Maximum elements per table")->type_name("N");
  cmd.add_option("--max-stack", o.maxStack, "Maximum call depth (wasm frames)")->type_name("N");
  cmd.add_option("--tier", o.tier,
                 "Execution tier: auto (native code when available; the default), aot, interp")
      ->type_name("auto|aot|interp")
      ->check(CLI::IsMember({"auto", "aot", "interp"}));
  cmd.add_option("--cache-dir", o.cacheDir, "Where native artifacts are cached")->type_name("DIR");
}

CLI::App* addCallCommand(CLI::App& app, CallOptions& o) {
  auto* call = app.add_subcommand("call", "Call exports of a component; arguments and results in WAVE");
  call->add_option("--dir", o.run.dirs, "Grant a directory to WASI: HOST[::GUEST][:ro] (repeatable)")
      ->type_name("HOST[::GUEST][:ro]");
  call->add_option("--env", o.run.envs, "Pass an environment variable K=V, or K to copy the host's")
      ->type_name("K=V");
  call->add_flag("--inherit-env", o.run.inheritEnv, "Pass the whole host environment");
  // A flag (with an optional =VALUE) rather than an option with an optional
  // value: `--stub-imports FILE` must not take FILE for the mode.
  call->add_flag("--stub-imports{default}", o.stubImports,
                 "Stub unresolved imports: return defaults (--stub-imports) or trap "
                 "(--stub-imports=trap)")
      ->check(CLI::IsMember({"default", "trap"}));
  addLimitOptions(*call, o.run, /*perRequest=*/false);
  addProviderFlags(*call, o.providers);
  call->add_option("file", o.run.file, "The component (.wasm)")->required();
  call->add_option("calls", o.calls, "Calls FUNC(ARGS), in WAVE")->required()->type_name("CALL...");
  addPolicyFlags(*call, o.run.policy);
  call->footer(std::string(kCallFooter) + "\n" + kProviderFooter + "\n" + kPolicyFooter);
  return call;
}

bool isComponentFile(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  uint8_t head[8] = {};
  ssize_t n = read(fd, head, sizeof head);
  close(fd);
  return n == 8 && component::isComponentBinary(std::span<const uint8_t>(head, 8));
}

namespace {

std::string joined(const std::vector<std::string>& xs) {
  std::string out;
  for (const std::string& x : xs) out += (out.empty() ? "" : ", ") + x;
  return out;
}

// Reports unresolved imports: the providers' interfaces (with the flag that
// links them), other WASI 0.2 interfaces and the rest apart. Returns false
// when there are any.
bool reportUnresolved(const LoadedComponent& c, const component::Linker& linker, bool callHint) {
  std::vector<std::string> missing = linker.unresolvedImports(c);
  if (missing.empty()) return true;
  std::vector<std::string> kv, config, wasi, other;
  for (const std::string& m : missing) {
    if (m.rfind("wasi:keyvalue/", 0) == 0) {
      kv.push_back(m);
    } else if (m.rfind("wasi:config/", 0) == 0) {
      config.push_back(m);
    } else {
      (m.rfind("wasi:", 0) == 0 ? wasi : other).push_back(m);
    }
  }
  const char* who = callHint ? "" : "`compono call` ";
  if (!kv.empty()) {
    printError(c.name() + ": unresolved import" + (kv.size() > 1 ? "s " : " ") + joined(kv) +
               " (default deny: " + who + "--kv BUCKET=FILE grants a bucket)");
  }
  if (!config.empty()) {
    printError(c.name() + ": unresolved import" + (config.size() > 1 ? "s " : " ") +
               joined(config) + " (default deny: " + who + "--config KEY=VALUE grants values)");
  }
  if (!other.empty()) {
    printError(c.name() + ": unresolved import" + (other.size() > 1 ? "s " : " ") + joined(other) +
               " (default deny: nothing on the command line provides " +
               (other.size() > 1 ? "them" : "it") + ")");
  }
  if (!wasi.empty()) {
    printError(c.name() + " imports WASI 0.2 interface" + (wasi.size() > 1 ? "s" : "") +
               " that Compono does not provide yet: " + joined(wasi));
  }
  if (other.empty() && wasi.empty()) return false;
  if (callHint) {
    std::fprintf(stderr, "  use --stub-imports to run it with stubs that report every call\n");
  } else {
    std::fprintf(stderr,
                 "  `compono call --stub-imports %s 'FUNC(ARGS)'` runs its exports with stubs\n",
                 c.name().c_str());
  }
  return false;
}

int fail(const Error& e) {
  printError(e);
  return e.code == ErrorCode::kUsage ? kExitUserError : exitCodeFor(e);
}

struct Parsed {
  FuncInfo func;
  std::vector<Value> args;
};

// Parses one call against the function's types in `model`.
Result<Parsed> parseCall(const std::string& text, const component::wit::Model& model,
                         const std::function<Result<FuncInfo>(std::string_view)>& find) {
  COMPONO_ASSIGN(component::wave::CallText ct, component::wave::splitCall(text));
  Parsed p;
  COMPONO_ASSIGN(p.func, find(ct.func));
  if (ct.args.size() != p.func.params.size()) {
    return Error(ErrorCode::kUsage, "'" + text + "': " + p.func.qualifiedName() + " takes " +
                                        std::to_string(p.func.params.size()) + " argument" +
                                        (p.func.params.size() == 1 ? "" : "s") + " (" +
                                        p.func.signature(model) + "), got " +
                                        std::to_string(ct.args.size()));
  }
  for (size_t i = 0; i < ct.args.size(); ++i) {
    auto v = component::wave::parse(model, p.func.params[i].type, ct.args[i]);
    if (!v.ok()) {
      return Error(ErrorCode::kUsage, "'" + text + "': argument " + p.func.params[i].name + ": " +
                                          v.error().message);
    }
    p.args.push_back(std::move(*v));
  }
  return p;
}

}  // namespace

int callCommand(const CallOptions& o) {
  engine::StoreLimits limits;
  if (!storeLimitsFrom(o.run, limits)) return kExitUsage;
  if (!isComponentFile(o.run.file)) {
    if (access(o.run.file.c_str(), R_OK) != 0) {
      return printError(o.run.file + ": cannot read the file"), kExitUserError;
    }
    return printError(o.run.file +
                      ": not a component binary (call a core module's export with `compono run "
                      "--invoke NAME`)"),
           kExitUserError;
  }
  auto wc = wasiConfigFrom(o.run, {o.run.file});
  if (!wc.ok()) return printError(wc.error()), kExitUsage;
  auto providers = openProviders(o.providers);
  if (!providers.ok()) {
    printError(providers.error());
    return providers.error().code == ErrorCode::kUsage ? kExitUsage : kExitUserError;
  }
  if (int bad = checkTrustFlags(o.run.policy)) return bad;  // a command-line error: first
  engine::Engine engine(engineConfigFrom(o.run));
  auto bytes = engine::readFileBytes(o.run.file);  // read once: the policy checks these bytes
  if (!bytes.ok()) return fail(bytes.error());
  auto loaded = LoadedComponent::fromBinary(engine, *bytes, baseName(o.run.file));
  if (!loaded.ok()) return fail(loaded.error());
  const LoadedComponent& comp = **loaded;

  // Every call must name a function and parse before anything runs.
  for (const std::string& text : o.calls) {
    auto p = parseCall(text, comp.model(),
                       [&](std::string_view n) { return comp.findExport(n); });
    if (!p.ok()) return fail(p.error());
  }

  auto ctx = wasi::WasiCtx::create(std::move(*wc));
  if (!ctx.ok()) return printError(ctx.error()), kExitUserError;
  component::Linker linker;
  Status ws = wasi::addWasiP2ToLinker(linker, **ctx);
  if (!ws.ok()) return fail(ws.error());
  Status ps = linkProviders(*providers, linker, componentNameOf(o.run.file));
  if (!ps.ok()) return fail(ps.error());
  if (int refused = checkLinkPolicy(o.run.policy, o.run.file, *bytes, comp, linker,
                                    /*stubbed=*/!o.stubImports.empty())) {
    return refused;
  }
  if (o.stubImports.empty()) {
    if (!reportUnresolved(comp, linker, /*callHint=*/true)) return kExitUserError;
  } else {
    linker.stubUnresolved(o.stubImports == "trap" ? component::StubMode::kTrap
                                                  : component::StubMode::kDefault,
                          [](const std::string& line) {
                            std::fflush(stdout);
                            std::fprintf(stderr, "%s\n", line.c_str());
                          });
  }

  engine::Store store(engine, limits);
  auto inst = linker.instantiate(store, *loaded);
  if (!inst.ok()) return fail(inst.error());
  ComponentInstance& ci = **inst;
  int status = kExitOk;
  for (const std::string& text : o.calls) {
    auto p = parseCall(text, ci.model(), [&](std::string_view n) { return ci.func(n); });
    if (!p.ok()) {
      status = fail(p.error());
      break;
    }
    auto r = ci.call(p->func, p->args);
    if (!r.ok()) {
      std::fflush(stdout);
      status = fail(r.error());
      break;
    }
    for (const Value& v : *r) {
      std::printf("%s\n", component::wave::print(ci.model(), *p->func.result, v).c_str());
    }
    std::fflush(stdout);
  }
  for (const auto& [name, handle] : ci.liveHandles()) {
    Status s = ci.dropHandle(handle);
    if (!s.ok() && status == kExitOk) status = fail(s.error());
  }
  return status;
}

int runComponent(const RunOptions& o, const engine::StoreLimits& limits) {
  if (o.invoke) {
    return printError(o.file + " is a component: call its exports with `compono call " + o.file +
                      " '" + *o.invoke + "(ARGS)'`"),
           kExitUserError;
  }
  if (int bad = checkTrustFlags(o.policy)) return bad;  // a command-line error: first
  engine::Engine engine(engineConfigFrom(o));
  auto bytes = engine::readFileBytes(o.file);  // read once: the policy checks these bytes
  if (!bytes.ok()) return fail(bytes.error());
  auto loaded = LoadedComponent::fromBinary(engine, *bytes, baseName(o.file));
  if (!loaded.ok()) return fail(loaded.error());
  const LoadedComponent& comp = **loaded;
  std::optional<FuncInfo> run;
  for (const component::ExternInfo& e : comp.exports()) {
    if (component::semverKey(e.name) != component::semverKey("wasi:cli/run@0.2.0")) continue;
    for (const FuncInfo& f : e.funcs) {
      if (f.name == "run") run = f;
    }
  }
  if (!run) {
    std::vector<std::string> names;
    for (const component::ExternInfo& e : comp.exports()) names.push_back(e.name);
    return printError(o.file + " is a component that does not export wasi:cli/run@0.2 (its exports: " +
                      (names.empty() ? std::string("none") : joined(names)) +
                      "); call its functions with `compono call " + o.file + " 'FUNC(ARGS)'`"),
           kExitUserError;
  }
  std::vector<std::string> args = {o.file};
  args.insert(args.end(), o.args.begin(), o.args.end());
  auto wc = wasiConfigFrom(o, std::move(args));
  if (!wc.ok()) return printError(wc.error()), kExitUsage;
  auto ctx = wasi::WasiCtx::create(std::move(*wc));
  if (!ctx.ok()) return printError(ctx.error()), kExitUserError;
  component::Linker linker;
  Status ws = wasi::addWasiP2ToLinker(linker, **ctx);
  if (!ws.ok()) return fail(ws.error());
  if (int refused = checkLinkPolicy(o.policy, o.file, *bytes, comp, linker, /*stubbed=*/false)) {
    return refused;
  }
  if (!reportUnresolved(comp, linker, /*callHint=*/false)) return kExitUserError;
  engine::Store store(engine, limits);
  auto inst = linker.instantiate(store, *loaded);
  if (!inst.ok()) return fail(inst.error());
  auto r = (*inst)->call(*run, {});
  std::fflush(stdout);
  if (!r.ok()) {
    if (r.error().code == ErrorCode::kExit) return r.error().exitStatus;
    return fail(r.error());
  }
  // `run: func() -> result`: err means failure (exit status 1).
  return !r->empty() && (*r)[0].kind == component::ValueKind::kResult && (*r)[0].discriminant != 0
             ? kExitUserError
             : kExitOk;
}

}  // namespace compono::cli
