// WIT lexer (WIT.md "Lexical structure"). Internal to the component layer.
//
// Turns one file's UTF-8 text into tokens. Whitespace and comments are
// dropped, except doc comments (`///`, `/** */`), whose text is attached to
// the next token. Every token records where it starts (line, column in
// Unicode scalar values) and whether whitespace or a comment came before it
// (the parser needs that to tell `import a:b/c;` from `import a: b;`).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "compono/result.h"

namespace compono::component::wit {

enum class Tok : uint8_t {
  kEof,
  kId,          // kebab-case identifier (value: the name, without a '%')
  kNumber,      // digits, possibly a version: 1, 0.2.12, 1.0.0-rc.1+b5
  kString,      // "..." (value: the decoded string)
  kEquals,      // =
  kComma,       // ,
  kColon,       // :
  kSemi,        // ;
  kLParen,      // (
  kRParen,      // )
  kLBrace,      // {
  kRBrace,      // }
  kLt,          // <
  kGt,          // >
  kStar,        // *
  kArrow,       // ->
  kSlash,       // /
  kDot,         // .
  kAt,          // @
  kUnderscore,  // _
  // Keywords (WIT.md "Keywords", plus error-context).
  kAs,
  kAsync,
  kBool,
  kBorrow,
  kChar,
  kConstructor,
  kEnum,
  kErrorContext,
  kExport,
  kF32,
  kF64,
  kFlags,
  kFrom,
  kFunc,
  kFuture,
  kImport,
  kInclude,
  kInterface,
  kList,
  kMap,
  kOption,
  kOwn,
  kPackage,
  kRecord,
  kResource,
  kResult,
  kS16,
  kS32,
  kS64,
  kS8,
  kStatic,
  kStream,
  kString_,  // the keyword `string`
  kTuple,
  kType,
  kU16,
  kU32,
  kU64,
  kU8,
  kUse,
  kVariant,
  kWith,
  kWorld,
};

// How a token is shown in "expected X, found Y" messages: "`;`", "keyword
// `record`", "identifier", "end of file".
std::string tokDescription(Tok kind);
// The keyword for a name ("record" -> kRecord), or kId when not a keyword.
Tok keywordKind(std::string_view name);
bool isKeyword(Tok kind);

struct Token {
  Tok kind = Tok::kEof;
  std::string value;    // kId: the name; kNumber: the digits; kString: decoded text
  std::string docs;     // doc comments right before this token, joined with '\n'
  uint32_t offset = 0;  // byte offset
  uint32_t line = 1;
  uint32_t column = 1;
  uint32_t endOffset = 0;
  bool spaceBefore = false;  // whitespace or a comment separates it from the previous token
  bool explicitId = false;   // kId written with a leading '%'
};

// Lexes a whole file. The error (kDecode) is "path:line:column: message".
// Rejects invalid UTF-8, control characters other than \t \n \r, and the
// bidirectional override characters; identifiers must be kebab-case labels
// (Explainer.md "Import and Export Definitions").
Result<std::vector<Token>> lexWit(std::string_view path, std::string_view text);

// Whether `name` is a valid kebab-case label: words separated by single '-',
// each word a letter followed by letters/digits, all lowercase or all
// uppercase. On failure, `why` says what is wrong.
bool isKebabLabel(std::string_view name, std::string* why = nullptr);

}  // namespace compono::component::wit
