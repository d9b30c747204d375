// `compono bindgen c WIT`: C headers and glue for a guest that implements a
// WIT world.
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "cli/commands.h"
#include "compono/component/bindgen.h"
#include "compono/component/wit_load.h"

namespace compono::cli {

namespace wit = compono::component::wit;

const char* kBindgenCFooter =
    "Writes DIR/<world>.h (types, the functions you implement for the world's exports,\n"
    "the functions you can call for its imports; the naming and ownership rules are at\n"
    "its top) and DIR/<world>.c (the canonical ABI glue, cabi_realloc and the\n"
    "`component-type` custom section naming the world).\n"
    "\n"
    "Build a component from C, without other tools:\n"
    "  compono bindgen c --world basic-world wit/ -o gen/\n"
    "  clang --target=wasm32-wasi -mexec-model=reactor -O2 -Igen guest.c gen/basic_world.c \\\n"
    "        -o guest.core.wasm\n"
    "  compono componentize guest.core.wasm -o guest.wasm\n"
    "\n"
    "WIT is a directory (with deps/) or a .wit file. --world takes NAME or ns:pkg/NAME\n"
    "(optional when the package has one world).";

static Status writeFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  if (!out) return Error(ErrorCode::kIo, path + ": cannot open for writing");
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  out.close();
  if (!out) return Error(ErrorCode::kIo, path + ": write failed");
  return okStatus();
}

int bindgenCCommand(const BindgenCOptions& options) {
  auto loaded = wit::loadWitPath(options.wit);
  if (!loaded.ok()) return printError(loaded.error()), exitCodeFor(loaded.error());
  auto world = wit::selectWorld(loaded->model, loaded->root, options.world);
  if (!world.ok()) {
    printError(options.wit + ": " + world.error().message);
    return kExitUserError;
  }
  component::bindgen::COptions copts;
  copts.prefix = options.prefix;
  copts.componentType = !options.noComponentType;
  auto out = component::bindgen::generateC(loaded->model, *world, copts);
  if (!out.ok()) return printError(out.error()), exitCodeFor(out.error());
  std::string dir = options.outDir.empty() ? "." : options.outDir;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);  // like `-o gen/` of other generators
  if (ec) {
    printError(dir + ": cannot create the output directory: " + ec.message());
    return kExitUserError;
  }
  for (const auto& [name, text] :
       {std::pair{out->headerName, out->header}, {out->sourceName, out->source}}) {
    std::string path = dir + "/" + name;
    Status st = writeFile(path, text);
    if (!st.ok()) return printError(st.error()), exitCodeFor(st.error());
    std::printf("%s\n", path.c_str());
  }
  return kExitOk;
}

}  // namespace compono::cli
