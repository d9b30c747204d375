// The S-expression reader (sexpr.h).
#include "component/text/sexpr.h"

#include <optional>

#include "component/binary/reader.h"

namespace compono::component::text {

namespace {

bool isIdChar(unsigned char c) {
  if (c <= 0x20 || c >= 0x7f) return false;
  switch (c) {
    case '"':
    case ',':
    case ';':
    case '(':
    case ')':
    case '[':
    case ']':
    case '{':
    case '}':
      return false;
    default:
      return true;
  }
}

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

class Lexer {
 public:
  Lexer(std::string_view src, const std::string& name, uint32_t maxDepth)
      : src_(src), name_(name), maxDepth_(maxDepth) {}

  Result<std::vector<SExpr>> run() {
    std::vector<SExpr> out;
    for (;;) {
      if (!skipSpace()) return error();
      if (pos_ >= src_.size()) break;
      SExpr e;
      if (!node(e, 0)) return error();
      out.push_back(std::move(e));
    }
    return out;
  }

 private:
  Error error() { return Error(ErrorCode::kDecode, *message_); }

  bool fail(size_t at, const std::string& what) {
    if (!message_) {
      uint32_t line = 1, col = 1;
      for (size_t i = 0; i < at && i < src_.size(); ++i) {
        if (src_[i] == '\n') {
          ++line;
          col = 1;
        } else {
          ++col;
        }
      }
      message_ = name_ + ":" + std::to_string(line) + ":" + std::to_string(col) + ": " + what;
    }
    return false;
  }

  void position(size_t at, SExpr& e) {
    // Line and column by incremental scan (positions only grow).
    while (scanPos_ < at) {
      if (src_[scanPos_] == '\n') {
        ++line_;
        col_ = 1;
      } else {
        ++col_;
      }
      ++scanPos_;
    }
    e.line = line_;
    e.column = col_;
  }

  bool skipSpace() {
    while (pos_ < src_.size()) {
      char c = src_[pos_];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        ++pos_;
      } else if (c == ';' && pos_ + 1 < src_.size() && src_[pos_ + 1] == ';') {
        while (pos_ < src_.size() && src_[pos_] != '\n') ++pos_;
      } else if (c == '(' && pos_ + 1 < src_.size() && src_[pos_ + 1] == ';') {
        size_t start = pos_;
        pos_ += 2;
        int depth = 1;
        while (depth > 0) {
          if (pos_ + 1 >= src_.size()) return fail(start, "unterminated block comment");
          if (src_[pos_] == '(' && src_[pos_ + 1] == ';') {
            ++depth;
            pos_ += 2;
          } else if (src_[pos_] == ';' && src_[pos_ + 1] == ')') {
            --depth;
            pos_ += 2;
          } else {
            ++pos_;
          }
        }
      } else {
        break;
      }
    }
    return true;
  }

  bool string(std::string& out) {
    size_t start = pos_;
    ++pos_;  // opening quote
    for (;;) {
      if (pos_ >= src_.size()) return fail(start, "unterminated string");
      unsigned char c = static_cast<unsigned char>(src_[pos_]);
      if (c == '"') {
        ++pos_;
        return true;
      }
      if (c < 0x20 || c == 0x7f) return fail(pos_, "control character in a string");
      if (c != '\\') {
        out += static_cast<char>(c);
        ++pos_;
        continue;
      }
      if (pos_ + 1 >= src_.size()) return fail(start, "unterminated string");
      char e = src_[pos_ + 1];
      pos_ += 2;
      switch (e) {
        case 't':
          out += '\t';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case '"':
          out += '"';
          break;
        case '\'':
          out += '\'';
          break;
        case '\\':
          out += '\\';
          break;
        case 'u': {
          if (pos_ >= src_.size() || src_[pos_] != '{') return fail(pos_, "malformed \\u escape");
          ++pos_;
          uint32_t cp = 0;
          size_t digits = 0;
          while (pos_ < src_.size() && hexValue(src_[pos_]) >= 0) {
            cp = cp * 16 + static_cast<uint32_t>(hexValue(src_[pos_]));
            if (cp > 0x10ffff) return fail(pos_, "\\u escape out of range");
            ++pos_;
            ++digits;
          }
          if (digits == 0 || pos_ >= src_.size() || src_[pos_] != '}') {
            return fail(pos_, "malformed \\u escape");
          }
          ++pos_;
          if (cp >= 0xd800 && cp < 0xe000) return fail(pos_, "\\u escape of a surrogate");
          binary::appendUtf8(out, cp);
          break;
        }
        default: {
          int hi = hexValue(e);
          int lo = pos_ < src_.size() ? hexValue(src_[pos_]) : -1;
          if (hi < 0 || lo < 0) return fail(pos_ - 2, "unknown escape in a string");
          ++pos_;
          out += static_cast<char>(hi * 16 + lo);
          break;
        }
      }
    }
  }

  bool node(SExpr& e, uint32_t depth) {
    e.begin = pos_;
    position(pos_, e);
    char c = src_[pos_];
    if (c == '(') {
      if (depth >= maxDepth_) return fail(pos_, "nesting too deep");
      e.kind = SExpr::Kind::kList;
      ++pos_;
      for (;;) {
        if (!skipSpace()) return false;
        if (pos_ >= src_.size()) return fail(e.begin, "unclosed `(`");
        if (src_[pos_] == ')') {
          ++pos_;
          e.end = pos_;
          return true;
        }
        SExpr child;
        if (!node(child, depth + 1)) return false;
        e.items.push_back(std::move(child));
      }
    }
    if (c == ')') return fail(pos_, "unexpected `)`");
    if (c == '"') {
      e.kind = SExpr::Kind::kString;
      if (!string(e.text)) return false;
      e.end = pos_;
      return true;
    }
    if (c == '$' && pos_ + 1 < src_.size() && src_[pos_ + 1] == '"') {
      // $"quoted identifier"
      ++pos_;
      std::string s;
      if (!string(s)) return false;
      if (s.empty()) return fail(e.begin, "empty identifier");
      e.kind = SExpr::Kind::kAtom;
      e.text = "$" + s;
      e.end = pos_;
      return true;
    }
    size_t start = pos_;
    while (pos_ < src_.size() && isIdChar(static_cast<unsigned char>(src_[pos_]))) ++pos_;
    if (pos_ == start) return fail(pos_, "unexpected character");
    if (pos_ < src_.size() && src_[pos_] == '"') return fail(pos_, "unexpected token");
    e.kind = SExpr::Kind::kAtom;
    e.text = std::string(src_.substr(start, pos_ - start));
    e.end = pos_;
    if (e.text == "$") return fail(start, "empty identifier");
    return true;
  }

  std::string_view src_;
  const std::string& name_;
  uint32_t maxDepth_;
  size_t pos_ = 0;
  size_t scanPos_ = 0;
  uint32_t line_ = 1;
  uint32_t col_ = 1;
  std::optional<std::string> message_;
};

}  // namespace

Result<std::vector<SExpr>> readSExprs(std::string_view source, const std::string& name,
                                      uint32_t maxDepth) {
  Lexer l(source, name, maxDepth);
  return l.run();
}

}  // namespace compono::component::text
