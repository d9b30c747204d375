// The subcommands of `compono`. Each returns the process exit code.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "cli/cli_util.h"
#include "compono/capability/keys.h"
#include "compono/engine/engine.h"
#include "compono/engine/store.h"
#include "compono/wasi/wasi.h"

namespace CLI {
class App;
}  // namespace CLI

namespace compono::component {
class LoadedComponent;
class Linker;
}  // namespace compono::component

namespace compono::providers {
class KeyValueStore;
class LogSink;
}  // namespace compono::providers

namespace compono::cli {

// The link-time policy flags of `run` and `call` (cli_policy.cpp).
struct PolicyOptions {
  std::vector<std::string> trust;  // --trust KEY|FILE
  bool allowUnsigned = false;      // --allow-unsigned
  bool enabled() const { return !trust.empty() || allowUnsigned; }
};

struct RunOptions {
  std::string file;
  std::vector<std::string> args;
  std::optional<std::string> invoke;
  std::vector<std::string> dirs;
  std::vector<std::string> envs;
  std::vector<std::string> listens;
  bool inheritEnv = false;
  std::string fuel, timeout, maxMemory, maxTable, maxStack;
  std::string tier = "auto";
  std::string cacheDir;
  PolicyOptions policy;
};
extern const char* kRunFooter;
int runCommand(const RunOptions& options);

// Shared by run and call (cmd_run.cpp): false (after printing) on a bad limit.
bool storeLimitsFrom(const RunOptions& o, engine::StoreLimits& limits);
Result<wasi::WasiConfig> wasiConfigFrom(const RunOptions& o, std::vector<std::string> args);
engine::EngineConfig engineConfigFrom(const RunOptions& o);

// ---- in-host capability providers of `call` and `serve` (cli_providers.cpp) ----
struct ProviderOptions {
  std::vector<std::string> kv;      // --kv BUCKET=FILE: wasi:keyvalue on SQLite
  std::vector<std::string> config;  // --config KEY=VALUE: wasi:config/store
  std::string logFormat = "text";   // --log-format: wasi:logging (always linked)
};
extern const char* kProviderFooter;
void addProviderFlags(CLI::App& cmd, ProviderOptions& options);
// --log-format text|json (also `compono up`'s).
void addLogFormatOption(CLI::App& cmd, std::string& format);
// The providers the flags grant: the SQLite files open, the values parsed.
struct Providers {
  std::shared_ptr<providers::KeyValueStore> store;  // null without --kv
  std::vector<std::string> buckets;
  std::vector<std::pair<std::string, std::string>> config;
  bool configLinked = false;
  std::shared_ptr<providers::LogSink> sink;
};
// kUsage for a malformed flag, kIo for a bucket file SQLite cannot open;
// the message names the flag.
Result<Providers> openProviders(const ProviderOptions& options);
// Defines what `p` grants in `linker`; `name` names the component in log lines.
Status linkProviders(const Providers& p, component::Linker& linker, const std::string& name);
// `e` with the flags that grant the provider interfaces its message names
// ("...; --kv BUCKET=FILE grants wasi:keyvalue") appended.
Error withProviderHint(Error e);
// A component's name for log lines: the file's base name without ".wasm".
std::string componentNameOf(const std::string& path);

// ---- components: call, and run of wasi:cli/run (cmd_call.cpp) ----
struct CallOptions {
  RunOptions run;                  // file, capability flags, limits, tier
  ProviderOptions providers;       // --kv, --config, --log-format
  std::vector<std::string> calls;  // FUNC(ARGS) in WAVE
  std::string stubImports;         // "", "default" or "trap"
};
CLI::App* addCallCommand(CLI::App& app, CallOptions& options);
// --fuel, --timeout, --max-memory, --max-table-elements, --max-stack, --tier,
// --cache-dir on `cmd` (run, call, serve, up); perRequest words fuel/timeout per request.
void addLimitOptions(CLI::App& cmd, RunOptions& options, bool perRequest);
int callCommand(const CallOptions& options);
bool isComponentFile(const std::string& path);
int runComponent(const RunOptions& o, const engine::StoreLimits& limits);

struct CompileOptionsCli {
  std::string file;
  std::string cacheDir;
  bool fuel = false, timeout = false, maxMemory = false, maxTable = false, maxStack = false;
  bool json = false;
};
int compileCommand(const CompileOptionsCli& options);

struct CacheOptions {
  std::string action;  // "ls" or "clean"
  std::string cacheDir;
  bool json = false;
};
int cacheCommand(const CacheOptions& options);

int validateCommand(const std::string& file, bool json);
int inspectCommand(const std::string& file, bool json);

struct WastOptions {
  std::vector<std::string> files;
  std::vector<std::string> skipLists;
  std::string tier = "interp";
  bool json = false;
  bool verbose = false;
};
int wastCommand(const WastOptions& options);

struct WitOptions {
  std::string path;   // a directory, a .wit file (or, later, a component .wasm)
  std::string world;  // --world: print only this world
  bool json = false;
  bool allowMissing = false;  // --allow-missing: unknown packages become stubs
  bool withDeps = false;      // --deps: also print dependency packages as nested blocks
};
extern const char* kWitFooter;
int witCommand(const WitOptions& options);

struct BindgenCOptions {
  std::string wit;     // a directory or .wit file
  std::string world;   // --world (optional when the package has one)
  std::string outDir;  // -o/--out-dir (default: the current directory)
  std::string prefix;  // --prefix for world-wide C names
  bool noComponentType = false;
};
extern const char* kBindgenCFooter;
int bindgenCCommand(const BindgenCOptions& options);

struct ComponentizeOptions {
  std::string file;     // the core module
  std::string output;   // -o
  std::string wit;      // --wit (optional: the module's component-type section names the world)
  std::string world;    // --world
  std::string adapter;  // --adapter wasi_snapshot_preview1 adapter
  bool verbose = false;
};
extern const char* kComponentizeFooter;
int componentizeCommand(const ComponentizeOptions& options);

// ---- link-time policy for components (cli_policy.cpp) ----
extern const char* kPolicyFooter;
void addPolicyFlags(CLI::App& cmd, PolicyOptions& options);
// The issuers named by --trust values (keys or trust files); kUsage errors.
Result<std::vector<capability::PublicKey>> trustedIssuers(const std::vector<std::string>& specs);
// A bad --trust value is a command-line error, reported before anything is
// loaded: kExitOk, or prints the error and returns kExitUsage.
int checkTrustFlags(const PolicyOptions& options);
// Checks `comp` (read from `bytes`) against the policy before anything runs:
// kExitOk when the policy is off or admits it (after printing any warning),
// else prints one error line and returns the exit code. `stubbed`: every
// unresolved import is stubbed, so the host provides every import.
// `alsoProvided`: interface patterns the host provides outside `linker`.
int checkLinkPolicy(const PolicyOptions& options, const std::string& file,
                    std::span<const uint8_t> bytes, const component::LoadedComponent& comp,
                    const component::Linker& linker, bool stubbed,
                    const std::vector<std::string>& alsoProvided = {});

// ---- capability: keys, sign, claims (cmd_keys.cpp, cmd_sign.cpp, cmd_claims.cpp) ----
struct KeysOptions {
  std::string action;                // "gen" or "show"
  std::string output = "compono.key";  // gen: -o
  bool force = false;                // gen: --force
  std::string file;                  // show: the secret key file
};
CLI::App* addKeysCommand(CLI::App& app, KeysOptions& options);
int keysCommand(const KeysOptions& options);

struct SignOptions {
  std::string file, key, output, expires, name;
  std::vector<std::string> grants;
};
CLI::App* addSignCommand(CLI::App& app, SignOptions& options);
int signCommand(const SignOptions& options);

struct ClaimsOptions {
  std::string file, at;
  std::vector<std::string> trust, trustFiles;
  bool json = false;
};
CLI::App* addClaimsCommand(CLI::App& app, ClaimsOptions& options);
int claimsCommand(const ClaimsOptions& options);
// Shared by sign and claims (defined in cmd_claims.cpp). A time: YYYY-MM-DD (UTC midnight),
// YYYY-MM-DDTHH:MM:SS[Z] (UTC), or @UNIX_SECONDS; nullopt when invalid.
std::optional<int64_t> parseTimeArg(const std::string& text);
// The top-level import names of a component binary; empty for core modules or undecodable input.
std::vector<std::string> componentImportNames(const std::vector<uint8_t>& bytes);

// ---- serve (cmd_serve.cpp): a wasi:http/proxy component over HTTP ----
struct ServeOptions {
  RunOptions run;  // file, limits (per request), tier
  ProviderOptions providers;  // --kv, --config, --log-format
  std::string listen = "127.0.0.1:8080";
  std::vector<std::string> allowHosts;
  unsigned threads = 2;
  std::string maxHeaderBytes, maxBodyBytes, idleTimeout;
  bool quiet = false;
};
CLI::App* addServeCommand(CLI::App& app, ServeOptions& options);
int serveCommand(const ServeOptions& options);

// ---- up (cmd_up.cpp): an application manifest on embedded defaults ----
struct UpOptions {
  std::string manifest;
  std::string listen;              // overrides spec.http.listen
  std::string logFormat = "text";  // text | json
  std::vector<std::string> trust;  // more trusted issuers (keys or files)
  bool allowUnsigned = false;
  bool check = false;              // validate and link, then exit
  unsigned threads = 2;
  RunOptions run;                  // per-request limits, tier
};
CLI::App* addUpCommand(CLI::App& app, UpOptions& options);
int upCommand(const UpOptions& options);

}  // namespace compono::cli
