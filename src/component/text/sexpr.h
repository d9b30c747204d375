// S-expressions of the WebAssembly text format (internal): the token
// grammar of the core spec's text format ("Lexical Format") read into a
// tree. Used by the component text reader (text.h) and its .wast runner.
//
// Strings are decoded (escapes resolved) but not checked for UTF-8: a string
// may be a byte string (`binary` modules) or a name (checked where used).
// Every node keeps its source span, so that a core module can be cut out of
// the text and handed to the core text parser.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "compono/result.h"

namespace compono::component::text {

struct SExpr {
  enum class Kind : uint8_t { kList, kAtom, kString };
  Kind kind = Kind::kAtom;
  std::string text;  // kAtom: as written; kString: the decoded bytes
  std::vector<SExpr> items;
  size_t begin = 0;  // byte offsets of the node in the source ([begin, end))
  size_t end = 0;
  uint32_t line = 0;
  uint32_t column = 0;

  bool isList() const { return kind == Kind::kList; }
  bool isAtom() const { return kind == Kind::kAtom; }
  bool isString() const { return kind == Kind::kString; }
  bool isId() const { return kind == Kind::kAtom && !text.empty() && text[0] == '$'; }
  bool isAtom(std::string_view word) const { return kind == Kind::kAtom && text == word; }
  // A list whose first item is the atom `head`.
  bool is(std::string_view head) const {
    return kind == Kind::kList && !items.empty() && items[0].isAtom(head);
  }
  // The list's first item when it is an atom ("" otherwise).
  std::string_view head() const {
    return kind == Kind::kList && !items.empty() && items[0].isAtom()
               ? std::string_view(items[0].text)
               : std::string_view();
  }
};

// Reads every top-level S-expression of `source`. `name` is used in
// messages: "NAME:LINE:COL: unexpected `)`". `maxDepth` bounds nesting.
Result<std::vector<SExpr>> readSExprs(std::string_view source, const std::string& name,
                                      uint32_t maxDepth = 1000);

}  // namespace compono::component::text
