// `compono wit PATH`: check a WIT package (a directory with deps/, or one
// .wit file) and print it in canonical form, one world of it, or JSON.
#include <cstdio>

#include "cli/commands.h"
#include "compono/component/binary.h"
#include "compono/component/component_wit.h"
#include "compono/component/wit_load.h"
#include "compono/component/wit_print.h"
#include "compono/engine/module.h"

namespace compono::cli {

namespace wit = compono::component::wit;

const char* kWitFooter =
    "PATH is a directory (every *.wit in it is the package; dependencies in\n"
    "PATH/deps/NAME.wit or PATH/deps/NAME/*.wit) or one .wit file (dependencies\n"
    "in `package ns:name@v { ... }` blocks). Errors are one line:\n"
    "file:line:column: message. Exit code 0 when the package is valid, 1 otherwise.\n"
    "Uses of post-0.2 features (async, future, stream, map, ...) are reported as\n"
    "warnings on stderr.\n"
    "PATH may also be a component (.wasm): its world is printed as `jco wit` does;\n"
    "--deps adds the packages of the interfaces it imports and exports.";

static bool endsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// `compono wit COMPONENT.wasm`: the component's world (what `jco wit`
// prints); --deps adds the interfaces it imports and exports, --json the model.
static int componentWit(const WitOptions& options) {
  auto bytes = engine::readFileBytes(options.path);
  if (!bytes.ok()) return printError(bytes.error()), exitCodeFor(bytes.error());
  if (!component::isComponentBinary(*bytes)) {
    printError(options.path +
               ": not a component (a core module has no WIT world; "
               "`compono inspect` shows its imports and exports)");
    return kExitUserError;
  }
  auto c = component::decodeComponent(*bytes, options.path);
  if (!c.ok()) return printError(c.error()), exitCodeFor(c.error());
  auto w = component::componentWorld(*c, options.path);
  if (!w.ok()) return printError(w.error()), exitCodeFor(w.error());
  std::string out;
  if (options.json) {
    out = wit::printJson(w->model, w->package, w->world);
  } else if (options.withDeps) {
    wit::PrintOptions print;
    print.withDependencies = true;
    out = wit::printPackage(w->model, w->package, print);
  } else {
    out = wit::printWorld(w->model, w->world);
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  return kExitOk;
}

int witCommand(const WitOptions& options) {
  if (endsWith(options.path, ".wasm")) return componentWit(options);
  wit::LoadOptions load;
  load.allowMissingPackages = options.allowMissing;
  auto loaded = wit::loadWitPath(options.path, load);
  if (!loaded.ok()) return printError(loaded.error()), exitCodeFor(loaded.error());
  const wit::Model& model = loaded->model;

  for (const wit::FeatureUse& use : wit::unsupportedFeatures(model, loaded->root)) {
    std::string where = model.location(use.span);
    std::fprintf(stderr, "compono: warning: %s%s%s: not supported by Compono yet\n", where.c_str(),
                 where.empty() ? "" : ": ", use.what.c_str());
  }

  wit::WorldId world = wit::kNoId;
  if (!options.world.empty()) {
    auto selected = wit::selectWorld(model, loaded->root, options.world);
    if (!selected.ok()) return printError(selected.error()), kExitUserError;
    world = *selected;
  }
  std::string out;
  if (options.json) {
    out = wit::printJson(model, loaded->root, world);
  } else if (world != wit::kNoId) {
    out = wit::printWorld(model, world);
  } else {
    wit::PrintOptions print;
    print.withDependencies = options.withDeps;
    out = wit::printPackage(model, loaded->root, print);
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  return kExitOk;
}

}  // namespace compono::cli
