// compono — the command line. Thin: parses flags and calls the layers.
#include <cstdio>
#include <string>

#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "compono/engine/engine.h"

using namespace compono::cli;

int main(int argc, char** argv) {
  CLI::App app{"compono — run WebAssembly modules and components in a capability sandbox"};
  app.require_subcommand(0, 1);
  app.set_version_flag("--version", std::string("compono ") + compono::engine::version());
  app.footer(
      "Run `compono COMMAND --help` for the flags of each command.\n"
      "Docs: README.md in the source tree.");

  // run
  RunOptions runOpts;
  std::vector<std::string> runRest;
  auto* run = app.add_subcommand("run", "Run a WASI program (_start), or call one export with --invoke");
  run->add_option("--invoke", runOpts.invoke, "Call this export instead of _start; ARGS are its arguments")
      ->type_name("NAME");
  run->add_option("--dir", runOpts.dirs, "Grant a directory: HOST[::GUEST][:ro] (repeatable)")
      ->type_name("HOST[::GUEST][:ro]");
  run->add_option("--env", runOpts.envs, "Pass an environment variable K=V, or K to copy the host's")
      ->type_name("K=V");
  run->add_flag("--inherit-env", runOpts.inheritEnv, "Pass the whole host environment");
  run->add_option("--tcplisten", runOpts.listens, "Pre-open a listening TCP socket (repeatable)")
      ->type_name("ADDR:PORT");
  addLimitOptions(*run, runOpts, /*perRequest=*/false);
  run->add_option("file", runRest, "The module (.wasm or .wat) followed by its arguments")
      ->required()
      ->type_name("FILE [ARGS...]");
  addPolicyFlags(*run, runOpts.policy);
  run->footer(std::string(kRunFooter) + "\n" + kPolicyFooter);

  // compile
  CompileOptionsCli compileOpts;
  auto* compile = app.add_subcommand("compile", "Compile a module to native code now and cache it");
  compile->add_option("file", compileOpts.file, "The module (.wasm or .wat)")->required();
  compile->add_option("--cache-dir", compileOpts.cacheDir, "Cache directory (default $XDG_CACHE_HOME/compono)")
      ->type_name("DIR");
  compile->add_flag("--fuel", compileOpts.fuel, "Build the variant metered for --fuel");
  compile->add_flag("--timeout", compileOpts.timeout, "Build the variant metered for --timeout");
  compile->add_flag("--max-memory", compileOpts.maxMemory, "Build the variant checked for --max-memory");
  compile->add_flag("--max-table-elements", compileOpts.maxTable, "Build the variant checked for --max-table-elements");
  compile->add_flag("--max-stack", compileOpts.maxStack, "Build the variant metered for --max-stack");
  compile->add_flag("--json", compileOpts.json, "Machine-readable output");
  compile->footer(
      "`compono run` uses the cached artifact when the same limits are set (only which limits\n"
      "are set changes the code, not their values). Set $CC to choose the C compiler.");

  // cache
  CacheOptions cacheOpts;
  auto* cache = app.add_subcommand("cache", "List or clean the cache of native artifacts");
  cache->add_option("action", cacheOpts.action, "ls or clean")->required()->check(CLI::IsMember({"ls", "clean"}));
  cache->add_option("--cache-dir", cacheOpts.cacheDir, "Cache directory (default $XDG_CACHE_HOME/compono)")
      ->type_name("DIR");
  cache->add_flag("--json", cacheOpts.json, "Machine-readable output");

  // validate
  std::string validateFile;
  bool validateJson = false;
  auto* validate = app.add_subcommand("validate", "Decode and validate a module; report the first error");
  validate->add_option("file", validateFile, "The module (.wasm or .wat)")->required();
  validate->add_flag("--json", validateJson, "Machine-readable output");
  validate->footer("Exit code 0 when valid, 1 otherwise. Errors name the byte offset (or line:column).");

  // inspect
  std::string inspectFile;
  bool inspectJson = false;
  auto* inspect = app.add_subcommand(
      "inspect", "Show imports, exports, memories, tables, globals, sections and sizes");
  inspect->add_option("file", inspectFile, "The module (.wasm or .wat)")->required();
  inspect->add_flag("--json", inspectJson, "Machine-readable output");

  // wast
  WastOptions wastOpts;
  auto* wast = app.add_subcommand("wast", "Run WebAssembly spec scripts (.wast) and count assertions");
  wast->add_option("files", wastOpts.files, "Script files")->required();
  wast->add_option("--skip-list", wastOpts.skipLists,
                   "Commands to skip: lines of 'FILE:LINE reason' ('#' comments); repeatable")
      ->type_name("FILE");
  wast->add_option("--tier", wastOpts.tier,
                   "Run on the interpreter (default) or native code (modules the native tier "
                   "cannot translate are counted as not runnable)")
      ->type_name("interp|aot")
      ->check(CLI::IsMember({"interp", "aot"}));
  wast->add_flag("--json", wastOpts.json, "Machine-readable totals and failures");
  wast->add_flag("-v,--verbose", wastOpts.verbose, "Log every command");
  wast->footer("Exit code 0 when every assertion passes (skips excepted), 1 otherwise.");

  // wit
  WitOptions witOpts;
  auto* witCmd = app.add_subcommand("wit", "Check a WIT package (directory or .wit file) and print it");
  witCmd->add_option("path", witOpts.path, "A directory, a .wit file, or a component .wasm")->required();
  witCmd->add_option("--world", witOpts.world, "Print only this world (NAME or ns:pkg/NAME)")
      ->type_name("NAME");
  witCmd->add_flag("--json", witOpts.json, "Dump the resolved model as JSON");
  witCmd->add_flag("--deps", witOpts.withDeps, "Also print dependency packages as nested blocks");
  witCmd->add_flag("--allow-missing", witOpts.allowMissing,
                   "Accept imports of packages that are not available (printed `jco wit` output)");
  witCmd->footer(kWitFooter);

  // bindgen c
  BindgenCOptions bindgenOpts;
  auto* bindgen = app.add_subcommand("bindgen", "Generate guest bindings for a WIT world");
  bindgen->require_subcommand(1);
  auto* bindgenC = bindgen->add_subcommand("c", "C headers and canonical ABI glue for a guest");
  bindgenC->add_option("wit", bindgenOpts.wit, "WIT directory or .wit file")->required();
  bindgenC->add_option("--world", bindgenOpts.world, "The world (NAME or ns:pkg/NAME)")
      ->type_name("NAME");
  bindgenC->add_option("-o,--out-dir", bindgenOpts.outDir, "Where to write the files (default: .)")
      ->type_name("DIR");
  bindgenC->add_option("--prefix", bindgenOpts.prefix,
                       "C prefix of world-wide names (default: the world)")
      ->type_name("IDENT");
  bindgenC->add_flag("--no-component-type", bindgenOpts.noComponentType,
                     "Do not embed the component-type section (then componentize needs --wit)");
  bindgenC->footer(kBindgenCFooter);

  // componentize
  ComponentizeOptions czOpts;
  auto* componentize = app.add_subcommand("componentize", "Wrap a core module into a component");
  componentize->add_option("file", czOpts.file, "The core module (.wasm)")->required();
  componentize->add_option("-o,--output", czOpts.output, "The component to write")
      ->required()
      ->type_name("FILE");
  componentize->add_option("--wit", czOpts.wit, "WIT directory or .wit file of the world")
      ->type_name("DIR");
  componentize->add_option("--world", czOpts.world, "The world (NAME or ns:pkg/NAME)")
      ->type_name("NAME");
  componentize->add_option("--adapter", czOpts.adapter, "A wasi_snapshot_preview1 adapter module")
      ->type_name("FILE");
  componentize->add_flag("-v,--verbose", czOpts.verbose, "Print the component's imports and exports");
  componentize->footer(kComponentizeFooter);

  // keys, sign, claims (capability layer)
  KeysOptions keysOpts;
  auto* keys = addKeysCommand(app, keysOpts);
  SignOptions signOpts;
  auto* sign = addSignCommand(app, signOpts);
  ClaimsOptions claimsOpts;
  auto* claims = addClaimsCommand(app, claimsOpts);
  CallOptions callOpts;
  auto* call = addCallCommand(app, callOpts);
  ServeOptions serveOpts;
  auto* serve = addServeCommand(app, serveOpts);
  UpOptions upOpts;
  auto* up = addUpCommand(app, upOpts);

  // `compono run [OPTIONS] FILE [ARGS...]`: everything after FILE belongs to
  // the guest, even when it looks like an option ("-v", "--flag"); so split
  // the command line at FILE before CLI11 sees it. "--" also ends the options.
  std::vector<std::string> guestArgs;
  if (argc > 1 && std::string(argv[1]) == "run") {
    for (int i = 2; i < argc; ++i) {
      std::string a = argv[i];
      if (a == "--") {
        if (i + 1 < argc) {
          guestArgs.assign(argv + i + 2, argv + argc);
          argv[i] = argv[i + 1];  // FILE takes the place of "--"
          argc = i + 1;
        }
        break;
      }
      if (a.size() > 1 && a[0] == '-') {
        if (a.find('=') != std::string::npos) continue;
        const CLI::Option* opt = run->get_option_no_throw(a);
        if (opt && opt->get_items_expected_max() > 0) ++i;  // skip the option's value
        continue;
      }
      guestArgs.assign(argv + i + 1, argv + argc);
      argc = i + 1;
      break;
    }
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::Success& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "compono: error: %s\n", e.what());
    std::fprintf(stderr, "Run with --help for usage.\n");
    return kExitUsage;
  }

  if (*run) {
    runOpts.file = runRest.front();
    runOpts.args.assign(runRest.begin() + 1, runRest.end());
    runOpts.args.insert(runOpts.args.end(), guestArgs.begin(), guestArgs.end());
    return runCommand(runOpts);
  }
  if (*compile) return compileCommand(compileOpts);
  if (*cache) return cacheCommand(cacheOpts);
  if (*validate) return validateCommand(validateFile, validateJson);
  if (*inspect) return inspectCommand(inspectFile, inspectJson);
  if (*wast) return wastCommand(wastOpts);
  if (*witCmd) return witCommand(witOpts);
  if (*bindgenC) return bindgenCCommand(bindgenOpts);
  if (*componentize) return componentizeCommand(czOpts);
  if (*call) return callCommand(callOpts);
  if (*serve) return serveCommand(serveOpts);
  if (*up) return upCommand(upOpts);
  if (*keys) return keysCommand(keysOpts);
  if (*sign) return signCommand(signOpts);
  if (*claims) return claimsCommand(claimsOpts);
  std::printf("%s", app.help().c_str());
  return kExitUsage;
}
