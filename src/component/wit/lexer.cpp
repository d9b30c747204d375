// WIT lexer. See lexer.h.
#include "component/wit/lexer.h"

#include <array>
#include <cstring>
#include <utility>

#include "compono/engine/text_string.h"

namespace compono::component::wit {
namespace {

struct KeywordEntry {
  const char* text;
  Tok kind;
};

constexpr std::array<KeywordEntry, 43> kKeywords = {{
    {"as", Tok::kAs},
    {"async", Tok::kAsync},
    {"bool", Tok::kBool},
    {"borrow", Tok::kBorrow},
    {"char", Tok::kChar},
    {"constructor", Tok::kConstructor},
    {"enum", Tok::kEnum},
    {"error-context", Tok::kErrorContext},
    {"export", Tok::kExport},
    {"f32", Tok::kF32},
    {"f64", Tok::kF64},
    {"flags", Tok::kFlags},
    {"from", Tok::kFrom},
    {"func", Tok::kFunc},
    {"future", Tok::kFuture},
    {"import", Tok::kImport},
    {"include", Tok::kInclude},
    {"interface", Tok::kInterface},
    {"list", Tok::kList},
    {"map", Tok::kMap},
    {"option", Tok::kOption},
    {"own", Tok::kOwn},
    {"package", Tok::kPackage},
    {"record", Tok::kRecord},
    {"resource", Tok::kResource},
    {"result", Tok::kResult},
    {"s16", Tok::kS16},
    {"s32", Tok::kS32},
    {"s64", Tok::kS64},
    {"s8", Tok::kS8},
    {"static", Tok::kStatic},
    {"stream", Tok::kStream},
    {"string", Tok::kString_},
    {"tuple", Tok::kTuple},
    {"type", Tok::kType},
    {"u16", Tok::kU16},
    {"u32", Tok::kU32},
    {"u64", Tok::kU64},
    {"u8", Tok::kU8},
    {"use", Tok::kUse},
    {"variant", Tok::kVariant},
    {"with", Tok::kWith},
    {"world", Tok::kWorld},
}};

bool isAsciiAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool isAsciiDigit(char c) { return c >= '0' && c <= '9'; }
bool isAsciiAlnum(char c) { return isAsciiAlpha(c) || isAsciiDigit(c); }
bool isIdChar(char c) { return isAsciiAlnum(c) || c == '-'; }

// Decodes one UTF-8 scalar at text[i]; returns its length or 0 when invalid.
size_t decodeUtf8(std::string_view text, size_t i, uint32_t* cp) {
  auto b0 = static_cast<unsigned char>(text[i]);
  if (b0 < 0x80) {
    *cp = b0;
    return 1;
  }
  size_t len;
  uint32_t min;
  if ((b0 & 0xE0) == 0xC0) {
    len = 2, *cp = b0 & 0x1F, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3, *cp = b0 & 0x0F, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4, *cp = b0 & 0x07, min = 0x10000;
  } else {
    return 0;
  }
  if (i + len > text.size()) return 0;
  for (size_t k = 1; k < len; ++k) {
    auto b = static_cast<unsigned char>(text[i + k]);
    if ((b & 0xC0) != 0x80) return 0;
    *cp = (*cp << 6) | (b & 0x3F);
  }
  if (*cp < min || *cp > 0x10FFFF || (*cp >= 0xD800 && *cp <= 0xDFFF)) return 0;
  return len;
}

// Bidirectional overrides and isolates: text that can display differently
// from how it parses (WIT.md "Lexical structure").
bool isBidiControl(uint32_t cp) {
  return (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200E ||
         cp == 0x200F || cp == 0x061C;
}

class Lexer {
 public:
  Lexer(std::string_view path, std::string_view text) : path_(path), text_(text) {}

  Result<std::vector<Token>> run() {
    COMPONO_TRY(checkText());
    std::vector<Token> tokens;
    if (text_.substr(0, 3) == "\xEF\xBB\xBF") advanceBytes(3), column_ = 1;
    while (true) {
      std::string docs;
      bool space = false;
      COMPONO_TRY(skipTrivia(docs, space));
      Token t;
      t.offset = static_cast<uint32_t>(pos_);
      t.line = line_;
      t.column = column_;
      t.docs = std::move(docs);
      t.spaceBefore = space || tokens.empty();
      if (pos_ >= text_.size()) {
        t.kind = Tok::kEof;
        t.endOffset = t.offset;
        tokens.push_back(std::move(t));
        return tokens;
      }
      COMPONO_TRY(lexToken(t));
      t.endOffset = static_cast<uint32_t>(pos_);
      tokens.push_back(std::move(t));
    }
  }

 private:
  Error errorAt(uint32_t line, uint32_t column, const std::string& message) const {
    return Error(ErrorCode::kDecode, std::string(path_) + ":" + std::to_string(line) + ":" +
                                         std::to_string(column) + ": " + message);
  }
  Error errorHere(const std::string& message) const { return errorAt(line_, column_, message); }

  // One pass over the whole text: valid UTF-8, no forbidden characters.
  Status checkText() {
    uint32_t line = 1, column = 1;
    for (size_t i = 0; i < text_.size();) {
      uint32_t cp = 0;
      size_t len = decodeUtf8(text_, i, &cp);
      if (len == 0) return errorAt(line, column, "invalid UTF-8");
      if ((cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') || cp == 0x7F ||
          (cp >= 0x80 && cp < 0xA0)) {
        char buf[16];
        std::snprintf(buf, sizeof buf, "U+%04X", cp);
        return errorAt(line, column, std::string("control character ") + buf + " is not allowed");
      }
      if (isBidiControl(cp)) {
        char buf[16];
        std::snprintf(buf, sizeof buf, "U+%04X", cp);
        return errorAt(
            line, column,
            std::string("bidirectional formatting character ") + buf + " is not allowed");
      }
      if (cp == '\n') {
        ++line, column = 1;
      } else {
        ++column;
      }
      i += len;
    }
    return okStatus();
  }

  char peek(size_t ahead = 0) const {
    return pos_ + ahead < text_.size() ? text_[pos_ + ahead] : '\0';
  }

  // Advances over raw bytes, keeping line and column (text is valid UTF-8).
  void advanceBytes(size_t n) {
    for (size_t k = 0; k < n && pos_ < text_.size(); ++k) {
      char c = text_[pos_++];
      if (c == '\n') {
        ++line_;
        column_ = 1;
      } else if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) {
        ++column_;
      }
    }
  }

  // One doc line: without carriage returns (a lone '\r' is not a line break
  // in WIT, and keeping it would not survive printing) and without the one
  // space that usually follows the comment marker.
  static void addDocLine(std::string& docs, std::string_view line) {
    std::string text;
    for (char c : line) {
      if (c != '\r') text += c;
    }
    if (!text.empty() && text.front() == ' ') text.erase(0, 1);
    if (!docs.empty()) docs += '\n';
    docs += text;
  }

  // Skips whitespace and comments; collects doc comments into `docs`.
  Status skipTrivia(std::string& docs, bool& space) {
    while (pos_ < text_.size()) {
      char c = peek();
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        advanceBytes(1);
        space = true;
        continue;
      }
      if (c == '/' && peek(1) == '/') {
        size_t start = pos_;
        size_t end = text_.find('\n', pos_);
        if (end == std::string_view::npos) end = text_.size();
        std::string_view body = text_.substr(start, end - start);
        if (body.size() >= 3 && body[2] == '/' && (body.size() == 3 || body[3] != '/')) {
          addDocLine(docs, body.substr(3));
        }
        advanceBytes(end - start);
        space = true;
        continue;
      }
      if (c == '/' && peek(1) == '*') {
        uint32_t line = line_, column = column_;
        size_t start = pos_;
        bool isDoc = peek(2) == '*' && peek(3) != '*' && peek(3) != '/';
        advanceBytes(2);
        int depth = 1;
        while (depth > 0) {
          if (pos_ >= text_.size()) return errorAt(line, column, "unterminated block comment");
          if (peek() == '/' && peek(1) == '*') {
            ++depth;
            advanceBytes(2);
          } else if (peek() == '*' && peek(1) == '/') {
            --depth;
            advanceBytes(2);
          } else {
            advanceBytes(1);
          }
        }
        if (isDoc) {
          std::string_view body = text_.substr(start + 3, pos_ - start - 5);
          addBlockDocs(docs, body);
        }
        space = true;
        continue;
      }
      break;
    }
    return okStatus();
  }

  // `/** ... */`: each line without surrounding blank lines, leading
  // whitespace and a leading "* " decoration.
  static void addBlockDocs(std::string& docs, std::string_view body) {
    std::vector<std::string_view> lines;
    size_t i = 0;
    while (i <= body.size()) {
      size_t nl = body.find('\n', i);
      if (nl == std::string_view::npos) nl = body.size();
      std::string_view l = body.substr(i, nl - i);
      while (!l.empty() && (l.front() == ' ' || l.front() == '\t')) l.remove_prefix(1);
      while (!l.empty() && (l.back() == ' ' || l.back() == '\t' || l.back() == '\r')) {
        l.remove_suffix(1);
      }
      if (!l.empty() && l.front() == '*') {
        l.remove_prefix(1);
      }
      lines.push_back(l);
      i = nl + 1;
    }
    while (!lines.empty() && lines.front().empty()) lines.erase(lines.begin());
    while (!lines.empty() && lines.back().empty()) lines.pop_back();
    for (std::string_view l : lines) addDocLine(docs, l);
  }

  Status lexToken(Token& t) {
    char c = peek();
    auto single = [&](Tok kind) {
      t.kind = kind;
      advanceBytes(1);
      return okStatus();
    };
    switch (c) {
      case '=':
        return single(Tok::kEquals);
      case ',':
        return single(Tok::kComma);
      case ':':
        return single(Tok::kColon);
      case ';':
        return single(Tok::kSemi);
      case '(':
        return single(Tok::kLParen);
      case ')':
        return single(Tok::kRParen);
      case '{':
        return single(Tok::kLBrace);
      case '}':
        return single(Tok::kRBrace);
      case '<':
        return single(Tok::kLt);
      case '>':
        return single(Tok::kGt);
      case '*':
        return single(Tok::kStar);
      case '/':
        return single(Tok::kSlash);
      case '.':
        return single(Tok::kDot);
      case '@':
        return single(Tok::kAt);
      case '-':
        if (peek(1) == '>') {
          t.kind = Tok::kArrow;
          advanceBytes(2);
          return okStatus();
        }
        return errorHere("unexpected character `-`");
      case '_':
        if (isIdChar(peek(1))) return errorHere("identifiers cannot start with `_`");
        return single(Tok::kUnderscore);
      case '"':
        return lexString(t);
      case '%': {
        advanceBytes(1);
        if (!isAsciiAlpha(peek())) return errorHere("expected an identifier after `%`");
        COMPONO_TRY(lexIdentifier(t));
        t.kind = Tok::kId;
        t.explicitId = true;
        return okStatus();
      }
      default:
        break;
    }
    if (isAsciiDigit(c)) return lexNumber(t);
    if (isAsciiAlpha(c)) {
      COMPONO_TRY(lexIdentifier(t));
      t.kind = keywordKind(t.value);
      if (t.kind != Tok::kId) t.value.clear();
      return okStatus();
    }
    uint32_t cp = 0;
    decodeUtf8(text_, pos_, &cp);
    char buf[16];
    if (cp >= 0x21 && cp < 0x7F) {
      std::snprintf(buf, sizeof buf, "`%c`", static_cast<char>(cp));
    } else {
      std::snprintf(buf, sizeof buf, "U+%04X", cp);
    }
    return errorHere(std::string("unexpected character ") + buf);
  }

  Status lexIdentifier(Token& t) {
    uint32_t line = line_, column = column_;
    size_t start = pos_;
    while (isIdChar(peek()) && !(peek() == '-' && peek(1) == '>')) advanceBytes(1);
    std::string_view name = text_.substr(start, pos_ - start);
    std::string why;
    if (!isKebabLabel(name, &why)) {
      return errorAt(line, column, "invalid identifier `" + std::string(name) + "`: " + why);
    }
    t.value = std::string(name);
    return okStatus();
  }

  // [0-9]+ ('.' [0-9]+)* ('-' ids)? ('+' ids)?, where ids are dot-separated
  // [0-9A-Za-z-]+ and a '.' continues only when an id character follows it
  // (so `@1.0.0.{x}` stops before `.{`). The parser validates versions.
  Status lexNumber(Token& t) {
    size_t start = pos_;
    while (isAsciiDigit(peek())) advanceBytes(1);
    while (peek() == '.' && isAsciiDigit(peek(1))) {
      advanceBytes(1);
      while (isAsciiDigit(peek())) advanceBytes(1);
    }
    auto idents = [&] {
      while (true) {
        while (isIdChar(peek())) advanceBytes(1);
        if (peek() == '.' && isIdChar(peek(1))) {
          advanceBytes(1);
          continue;
        }
        break;
      }
    };
    if (peek() == '-' && isIdChar(peek(1))) {
      advanceBytes(1);
      idents();
    }
    if (peek() == '+' && isIdChar(peek(1))) {
      advanceBytes(1);
      idents();
    }
    t.kind = Tok::kNumber;
    t.value = std::string(text_.substr(start, pos_ - start));
    return okStatus();
  }

  // The core text format's `name` string: escapes \t \n \r \" \' \\ \hh
  // (bytes) and \u{hex}; the result must be valid UTF-8.
  Status lexString(Token& t) {
    uint32_t line = line_, column = column_;
    advanceBytes(1);
    std::string out;
    while (true) {
      if (pos_ >= text_.size() || peek() == '\n') {
        return errorAt(line, column, "unterminated string literal");
      }
      char c = peek();
      if (c == '"') {
        advanceBytes(1);
        break;
      }
      if (c != '\\') {
        out += c;
        advanceBytes(1);
        continue;
      }
      uint32_t escLine = line_, escColumn = column_;
      advanceBytes(1);
      char e = peek();
      auto hexVal = [](char h) -> int {
        if (h >= '0' && h <= '9') return h - '0';
        if (h >= 'a' && h <= 'f') return h - 'a' + 10;
        if (h >= 'A' && h <= 'F') return h - 'A' + 10;
        return -1;
      };
      switch (e) {
        case 't':
          out += '\t', advanceBytes(1);
          break;
        case 'n':
          out += '\n', advanceBytes(1);
          break;
        case 'r':
          out += '\r', advanceBytes(1);
          break;
        case '"':
          out += '"', advanceBytes(1);
          break;
        case '\'':
          out += '\'', advanceBytes(1);
          break;
        case '\\':
          out += '\\', advanceBytes(1);
          break;
        case 'u': {
          advanceBytes(1);
          if (peek() != '{') return errorAt(escLine, escColumn, "expected `{` after `\\u`");
          advanceBytes(1);
          uint32_t cp = 0;
          int digits = 0;
          while (hexVal(peek()) >= 0) {
            cp = cp * 16 + static_cast<uint32_t>(hexVal(peek()));
            if (cp > 0x10FFFF) return errorAt(escLine, escColumn, "invalid Unicode escape");
            ++digits;
            advanceBytes(1);
          }
          if (digits == 0 || peek() != '}' || (cp >= 0xD800 && cp <= 0xDFFF)) {
            return errorAt(escLine, escColumn, "invalid Unicode escape");
          }
          advanceBytes(1);
          engine::appendUtf8(out, cp);
          break;
        }
        default: {
          int h1 = hexVal(e), h2 = hexVal(peek(1));
          if (h1 < 0 || h2 < 0) return errorAt(escLine, escColumn, "invalid escape in string");
          out += static_cast<char>(h1 * 16 + h2);
          advanceBytes(2);
        }
      }
    }
    for (size_t i = 0; i < out.size();) {
      uint32_t cp = 0;
      size_t len = decodeUtf8(out, i, &cp);
      if (len == 0) return errorAt(line, column, "string literal is not valid UTF-8");
      i += len;
    }
    t.kind = Tok::kString;
    t.value = std::move(out);
    return okStatus();
  }

  std::string_view path_;
  std::string_view text_;
  size_t pos_ = 0;
  uint32_t line_ = 1;
  uint32_t column_ = 1;
};

}  // namespace

Tok keywordKind(std::string_view name) {
  for (const KeywordEntry& k : kKeywords) {
    if (name == k.text) return k.kind;
  }
  return Tok::kId;
}

bool isKeyword(Tok kind) { return kind >= Tok::kAs; }

std::string tokDescription(Tok kind) {
  switch (kind) {
    case Tok::kEof:
      return "end of file";
    case Tok::kId:
      return "an identifier";
    case Tok::kNumber:
      return "a number";
    case Tok::kString:
      return "a string";
    case Tok::kEquals:
      return "`=`";
    case Tok::kComma:
      return "`,`";
    case Tok::kColon:
      return "`:`";
    case Tok::kSemi:
      return "`;`";
    case Tok::kLParen:
      return "`(`";
    case Tok::kRParen:
      return "`)`";
    case Tok::kLBrace:
      return "`{`";
    case Tok::kRBrace:
      return "`}`";
    case Tok::kLt:
      return "`<`";
    case Tok::kGt:
      return "`>`";
    case Tok::kStar:
      return "`*`";
    case Tok::kArrow:
      return "`->`";
    case Tok::kSlash:
      return "`/`";
    case Tok::kDot:
      return "`.`";
    case Tok::kAt:
      return "`@`";
    case Tok::kUnderscore:
      return "`_`";
    default:
      break;
  }
  for (const KeywordEntry& k : kKeywords) {
    if (k.kind == kind) return std::string("keyword `") + k.text + "`";
  }
  return "a keyword";
}

bool isKebabLabel(std::string_view name, std::string* why) {
  auto fail = [&](const char* reason) {
    if (why) *why = reason;
    return false;
  };
  if (name.empty()) return fail("empty name");
  size_t i = 0;
  while (true) {
    size_t end = name.find('-', i);
    if (end == std::string_view::npos) end = name.size();
    std::string_view word = name.substr(i, end - i);
    if (word.empty()) {
      return fail("words are separated by single `-` and cannot be empty");
    }
    if (!isAsciiAlpha(word[0])) return fail("each word must start with a letter");
    bool lower = false, upper = false;
    for (char c : word) {
      if (c >= 'a' && c <= 'z') lower = true;
      if (c >= 'A' && c <= 'Z') upper = true;
      if (!isAsciiAlnum(c)) return fail("only letters, digits and `-` are allowed");
    }
    if (lower && upper) return fail("each word must be all lowercase or all uppercase");
    if (end == name.size()) return true;
    i = end + 1;
  }
}

Result<std::vector<Token>> lexWit(std::string_view path, std::string_view text) {
  if (text.size() > UINT32_MAX / 2) {
    return Error(ErrorCode::kDecode, std::string(path) + ": file too large");
  }
  return Lexer(path, text).run();
}

}  // namespace compono::component::wit
