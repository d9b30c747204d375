// The subcommands of `compono`. Each returns the process exit code.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "cli/cli_util.h"

namespace compono::cli {

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
};
extern const char* kRunFooter;
int runCommand(const RunOptions& options);

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

}  // namespace compono::cli
