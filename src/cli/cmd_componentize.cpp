// `compono componentize CORE.wasm -o COMP.wasm`: wraps a core module that
// implements a WIT world into a component.
#include <cstdio>
#include <fstream>

#include "cli/commands.h"
#include "compono/component/componentize.h"
#include "compono/component/wit_load.h"
#include "compono/engine/module.h"

namespace compono::cli {

namespace wit = compono::component::wit;
namespace cz = compono::component::componentize;

const char* kComponentizeFooter =
    "The world comes from the module's `component-type` custom section (the glue that\n"
    "`compono bindgen c` generates embeds it), or from --wit DIR --world NAME.\n"
    "\n"
    "The module follows the canonical ABI conventions: it exports `<iface>#<func>` (and\n"
    "`<func>` for world-level functions), optionally `cabi_post_<export>`, `cabi_realloc`,\n"
    "`memory` and `_initialize` (called when the component starts); it imports `<func>`\n"
    "from module `<iface>` (`$root` for world-level functions). Every function the world\n"
    "exports must be there with the core type the canonical ABI gives it; every import\n"
    "must be in the world.\n"
    "\n"
    "A module built against wasi-libc imports `wasi_snapshot_preview1`: give an adapter,\n"
    "e.g. lib/wasi_snapshot_preview1.reactor.wasm of the npm package @bytecodealliance/jco\n"
    "(the .command.wasm one for a `main` program). The component then imports the WASI 0.2\n"
    "interfaces the adapter uses.\n"
    "\n"
    "Example:\n"
    "  compono componentize guest.core.wasm -o guest.wasm\n"
    "  compono componentize guest.core.wasm --wit wit/ --world basic-world \\\n"
    "        --adapter wasi_snapshot_preview1.reactor.wasm -o guest.wasm";

int componentizeCommand(const ComponentizeOptions& options) {
  auto core = engine::readFileBytes(options.file);
  if (!core.ok()) return printError(core.error()), exitCodeFor(core.error());

  cz::Options copts;
  copts.moduleName = options.file;
  std::optional<wit::LoadedPackage> loaded;
  if (!options.wit.empty()) {
    auto l = wit::loadWitPath(options.wit);
    if (!l.ok()) return printError(l.error()), exitCodeFor(l.error());
    loaded = std::move(*l);
    auto world = wit::selectWorld(loaded->model, loaded->root, options.world);
    if (!world.ok()) {
      printError(options.wit + ": " + world.error().message);
      return kExitUserError;
    }
    copts.model = &loaded->model;
    copts.world = *world;
  } else {
    copts.worldName = options.world;
  }
  if (!options.adapter.empty()) {
    auto a = engine::readFileBytes(options.adapter);
    if (!a.ok()) return printError(a.error()), exitCodeFor(a.error());
    copts.adapter = std::move(*a);
    copts.adapterName = options.adapter;
  }

  auto out = cz::componentize(*core, copts);
  if (!out.ok()) return printError(out.error()), exitCodeFor(out.error());

  std::ofstream f(options.output, std::ios::binary);
  if (f)
    f.write(reinterpret_cast<const char*>(out->component.data()),
            static_cast<std::streamsize>(out->component.size()));
  f.close();
  if (!f) {
    printError(options.output + ": cannot write");
    return kExitUserError;
  }
  if (options.verbose) {
    const cz::Summary& s = out->summary;
    std::fprintf(stderr, "world %s\n", s.world.c_str());
    for (const auto& i : s.imports) std::fprintf(stderr, "  import %s\n", i.c_str());
    for (const auto& e : s.exports) std::fprintf(stderr, "  export %s\n", e.c_str());
    std::fprintf(stderr, "%u lowered import(s) through the shim table%s%s; %zu bytes\n",
                 s.indirectLowerings, s.initialize ? ", _initialize called at start" : "",
                 s.adapter ? ", with adapter" : "", out->component.size());
  }
  return kExitOk;
}

}  // namespace compono::cli
