// Internal: the S-expression reader of the spec-script (.wast) runner.
//
// Splits a script into a tree of lists, atoms and strings, following the
// lexical rules of the WebAssembly text format (spec section 6.2): `;;` line
// comments, nested `(; ... ;)` block comments, strings with the escapes
// \t \n \r \" \' \\ \hh and \u{hex}, and `$"..."` quoted identifiers. It does
// not interpret keywords: the runner does. Every node records the line of its
// first character and its byte range in the source, so that a text module can
// be handed to the text parser as written.
//
// Pure functions over values; thread safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "compono/result.h"

namespace compono::engine::wast {

struct SExpr {
  enum class Kind : uint8_t { kList, kAtom, kString };

  Kind kind = Kind::kAtom;
  // kAtom: the token as written. kString: the decoded bytes (escapes resolved).
  std::string text;
  std::vector<SExpr> items;  // kList only
  uint32_t line = 0;         // 1-based line of the first character
  size_t begin = 0;          // byte range [begin, end) in the source
  size_t end = 0;

  bool isList() const { return kind == Kind::kList; }
  bool isAtom() const { return kind == Kind::kAtom; }
  bool isString() const { return kind == Kind::kString; }
  bool isAtom(std::string_view t) const { return kind == Kind::kAtom && text == t; }
  // The keyword a list starts with ("module", "assert_return", ...), or "".
  std::string_view head() const {
    if (kind != Kind::kList || items.empty() || !items[0].isAtom()) return {};
    return items[0].text;
  }
  size_t size() const { return items.size(); }
};

// Deepest list nesting readSExprs accepts. The tree is destroyed and copied
// recursively, so the bound keeps hostile input from exhausting the C++
// stack; the spec test suite nests at most 43 levels.
inline constexpr size_t kMaxNesting = 10000;

// Reads every top-level S-expression of `source`. Errors name `name`, the
// line and what is wrong (unbalanced parenthesis, unterminated string or
// comment, bad escape, nesting beyond kMaxNesting); a script with such an
// error cannot be split.
Result<std::vector<SExpr>> readSExprs(std::string_view source, const std::string& name);

}  // namespace compono::engine::wast
