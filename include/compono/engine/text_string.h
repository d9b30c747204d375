// compono/engine/text_string.h — string literals of the WebAssembly text
// format (core spec 6.3.3 "Strings"), shared by the .wast reader and the
// component text format (which uses the same lexical rules).
//
// A literal is `"` stringchar* `"`: any character but a control character
// (below U+20 or U+7F), `"` or `\`, or an escape: \t \n \r \" \' \\, \hh (one
// byte, two hex digits) or \u{hexnum} (a Unicode scalar value as UTF-8;
// hexnum may contain `_` between digits).
//
// Pure functions; thread safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "compono/result.h"

namespace compono::engine {

// The index just past the closing quote of the literal whose opening quote
// is text[openQuote], or std::string_view::npos when the text (or the line:
// a raw newline cannot be part of a literal) ends first.
size_t textStringEnd(std::string_view text, size_t openQuote);

// Decodes the body of a literal (what lies between the quotes) into its
// bytes. On bad input returns a kDecode Error saying which character or
// escape is wrong and, when `errorAt` is given, stores there the byte offset
// in `body` where that character or escape starts.
Result<std::string> decodeTextString(std::string_view body, size_t* errorAt = nullptr);

// Appends the UTF-8 encoding of the scalar value `cp` (precondition: at most
// U+10FFFF and not a surrogate).
void appendUtf8(std::string& out, uint32_t cp);

}  // namespace compono::engine
