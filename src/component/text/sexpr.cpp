// The S-expression reader (sexpr.h).
#include "component/text/sexpr.h"

#include <optional>

#include "compono/engine/text_string.h"

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

  // A string literal: the text format's lexical rules, shared with the
  // core text format.
  bool string(std::string& out) {
    size_t end = engine::textStringEnd(src_, pos_);
    if (end == std::string_view::npos) return fail(pos_, "unterminated string");
    size_t at = 0;
    auto body = engine::decodeTextString(src_.substr(pos_ + 1, end - pos_ - 2), &at);
    if (!body.ok()) return fail(pos_ + 1 + at, body.error().message);
    out = std::move(body).value();
    pos_ = end;
    return true;
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
