// libFuzzer target: the WIT lexer, parser, resolver and printer.
//
// The input is split at NUL bytes into files: the first two are the root
// package's files, the rest are deps/ packages (one file each). Missing
// packages become stubs so resolution goes as deep as the input allows.
// Whatever loads must print, load again to an equal model (comparePackages),
// and print to the same text: a violation aborts, which libFuzzer reports.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "compono/component/wit.h"
#include "compono/component/wit_load.h"
#include "compono/component/wit_print.h"

using namespace compono::component::wit;

static void fail(const std::string& what, const std::string& text) {
  std::fprintf(stderr, "fuzz_wit: %s\n--- printed:\n%s\n", what.c_str(), text.c_str());
  std::abort();
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string input(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> parts;
  size_t start = 0;
  while (parts.size() < 5) {
    size_t nul = input.find('\0', start);
    parts.push_back(
        input.substr(start, nul == std::string::npos ? std::string::npos : nul - start));
    if (nul == std::string::npos) break;
    start = nul + 1;
  }
  std::vector<SourceFile> root;
  std::vector<std::vector<SourceFile>> deps;
  for (size_t i = 0; i < parts.size(); ++i) {
    SourceFile f{"f" + std::to_string(i) + ".wit", parts[i]};
    if (i < 2) {
      root.push_back(std::move(f));
    } else {
      deps.push_back({std::move(f)});
    }
  }
  LoadOptions options;
  options.allowMissingPackages = true;
  auto loaded = loadWitSources(std::move(root), std::move(deps), options);
  if (!loaded.ok()) {
    const std::string& m = loaded.error().message;
    if (m.empty() || m.find('\n') != std::string::npos) fail("error is not one line: " + m, "");
    return 0;
  }
  const Model& model = loaded->model;
  (void)printJson(model, loaded->root);
  (void)unsupportedFeatures(model, loaded->root);
  for (WorldId w = 0; w < model.worlds.size(); ++w) (void)printWorld(model, w);

  PrintOptions print;
  print.withDependencies = true;
  std::string text = printPackage(model, loaded->root, print);
  auto again = loadWitText("printed.wit", text, options);
  if (!again.ok()) fail("printed text does not load: " + again.error().message, text);
  for (PackageId id = 0; id < model.packages.size(); ++id) {
    const Package& pkg = model.packages[id];
    if (pkg.stub) continue;
    auto other = again->model.findPackage(pkg.name);
    if (!other) fail("package lost in printing: " + pkg.name.toString(), text);
    auto same = comparePackages(model, id, again->model, *other);
    if (!same.ok()) fail("round trip changed the model: " + same.error().message, text);
  }
  std::string text2 = printPackage(again->model, again->root, print);
  if (text2 != text) fail("printing is not idempotent:\n" + text2, text);
  return 0;
}
