// libFuzzer target: the component binary decoder, encoder, validator and the
// WIT view of a component (componentWorld, printWorld).
//
// Invariants checked (a violation aborts, which libFuzzer reports):
//  - a decode error is one located line;
//  - whatever decodes encodes to bytes that decode to an equal AST;
//  - validation and componentWorld return values (no crash, no sanitizer
//    report) and their errors are one line.
// Core module bodies are not validated here (fuzz_module covers the engine):
// ValidateOptions::validateCoreModules is off, their imports and exports are
// still read.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string>

#include "compono/component/binary.h"
#include "compono/component/component_wit.h"
#include "compono/component/validate.h"
#include "compono/component/wit_print.h"

using namespace compono::component;

static void fail(const std::string& what) {
  std::fprintf(stderr, "fuzz_component: %s\n", what.c_str());
  std::abort();
}

static void checkOneLine(const compono::Error& e, const char* stage) {
  std::string line = e.oneLine();
  if (line.empty() || line.find('\n') != std::string::npos) {
    fail(std::string(stage) + " error is not one line: " + line);
  }
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto c = decodeComponent(std::span<const uint8_t>(data, size), "fuzz.wasm");
  if (!c.ok()) {
    checkOneLine(c.error(), "decode");
    return 0;
  }
  std::vector<uint8_t> bytes = encodeComponent(*c);
  auto again = decodeComponent(bytes, "reencoded.wasm");
  if (!again.ok()) fail("re-encoded component does not decode: " + again.error().oneLine());
  if (!(*again == *c)) fail("re-encoded component decodes to a different AST");

  ValidateOptions options;
  options.validateCoreModules = false;
  compono::Status s = validateComponent(*c, "fuzz.wasm", options);
  if (!s.ok()) {
    checkOneLine(s.error(), "validate");
    return 0;
  }
  auto world = componentWorld(*c, "fuzz.wasm");
  if (!world.ok()) {
    checkOneLine(world.error(), "componentWorld");
    return 0;
  }
  std::string text = wit::printWorld(world->model, world->world);
  if (text.empty()) fail("empty world text");
  return 0;
}
