// libFuzzer target: the spec-script reader (S-expressions, strings, comments)
// and the numeric literal parsers of the .wast runner, on arbitrary text.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "compono/engine/text_string.h"
#include "engine/wast/wast_lexer.h"
#include "engine/wast/wast_literal.h"

using namespace compono::engine::wast;

namespace {
void visit(const SExpr& e) {
  if (e.isAtom()) {
    (void)parseI32(e.text);
    (void)parseI64(e.text);
    (void)parseF32(e.text);
    (void)parseF64(e.text);
    if (!e.text.empty() && e.text.front() == '"' && e.text.size() >= 2) {
      (void)compono::engine::decodeTextString(std::string_view(e.text).substr(1, e.text.size() - 2));
    }
    return;
  }
  for (const SExpr& item : e.items) visit(item);
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto exprs = readSExprs(text, "fuzz.wast");
  if (exprs.ok()) {
    for (const SExpr& e : *exprs) visit(e);
  }
  return 0;
}
