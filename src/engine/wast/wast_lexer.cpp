// The S-expression reader of the .wast runner (see wast_lexer.h).
#include "engine/wast/wast_lexer.h"

#include "compono/engine/text_string.h"

namespace compono::engine::wast {

namespace {

bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// A token ends at white space, a parenthesis, a quote or a line comment. A
// single ';' is part of a token (a "reserved" token of the text format, as in
// annotations).
bool endsToken(std::string_view s, size_t p) {
  char c = s[p];
  return isSpace(c) || c == '(' || c == ')' || c == '"' ||
         (c == ';' && p + 1 < s.size() && s[p + 1] == ';');
}

class Reader {
 public:
  Reader(std::string_view src, const std::string& name) : src_(src), name_(name) {}

  Result<std::vector<SExpr>> readAll() {
    std::vector<SExpr> top;
    // Open lists, innermost last; an explicit stack keeps deep nesting off
    // the C++ call stack.
    std::vector<SExpr> open;
    for (;;) {
      COMPONO_TRY(skipSpaceAndComments());
      if (pos_ >= src_.size()) break;
      char c = src_[pos_];
      if (c == '(') {
        SExpr list;
        list.kind = SExpr::Kind::kList;
        list.line = line_;
        list.begin = pos_;
        ++pos_;
        if (open.size() >= kMaxNesting) {
          return fail(line_, "lists nested deeper than " + std::to_string(kMaxNesting) + " levels");
        }
        open.push_back(std::move(list));
        continue;
      }
      if (c == ')') {
        if (open.empty()) return fail(line_, "unbalanced ')'");
        ++pos_;
        SExpr done = std::move(open.back());
        open.pop_back();
        done.end = pos_;
        (open.empty() ? top : open.back().items).push_back(std::move(done));
        continue;
      }
      SExpr token;
      if (c == '"') {
        COMPONO_ASSIGN(token, readString());
      } else {
        COMPONO_ASSIGN(token, readAtom());
      }
      if (open.empty()) {
        return fail(token.line, "unexpected token outside of any command: " + token.text);
      }
      open.back().items.push_back(std::move(token));
    }
    if (!open.empty()) {
      return fail(open.back().line, "unbalanced '(': the list opened here is never closed");
    }
    return top;
  }

 private:
  Error fail(uint32_t line, const std::string& what) const {
    return Error(ErrorCode::kDecode, name_ + ":" + std::to_string(line) + ": " + what);
  }

  void advance() {
    if (src_[pos_] == '\n') ++line_;
    ++pos_;
  }

  Status skipSpaceAndComments() {
    while (pos_ < src_.size()) {
      char c = src_[pos_];
      if (isSpace(c)) {
        advance();
      } else if (c == ';' && peek(1) == ';') {
        while (pos_ < src_.size() && src_[pos_] != '\n') ++pos_;
      } else if (c == '(' && peek(1) == ';') {
        COMPONO_TRY(skipBlockComment());
      } else {
        break;
      }
    }
    return okStatus();
  }

  // Block comments nest (spec 6.2.4).
  Status skipBlockComment() {
    uint32_t startLine = line_;
    int depth = 0;
    while (pos_ < src_.size()) {
      if (src_[pos_] == '(' && peek(1) == ';') {
        ++depth;
        pos_ += 2;
      } else if (src_[pos_] == ';' && peek(1) == ')') {
        pos_ += 2;
        if (--depth == 0) return okStatus();
      } else {
        advance();
      }
    }
    return fail(startLine, "unterminated block comment '(;'");
  }

  char peek(size_t ahead) const { return pos_ + ahead < src_.size() ? src_[pos_ + ahead] : '\0'; }

  // Finds the closing quote of the string starting at src_[from] == '"' and
  // returns the index just past it.
  Result<size_t> scanString(size_t from) {
    size_t end = textStringEnd(src_, from);
    if (end == std::string_view::npos) return fail(line_, "unterminated string");
    return end;
  }

  Result<SExpr> readString() {
    SExpr s;
    s.kind = SExpr::Kind::kString;
    s.line = line_;
    s.begin = pos_;
    COMPONO_ASSIGN(size_t end, scanString(pos_));
    auto body = decodeTextString(src_.substr(pos_ + 1, end - pos_ - 2));
    if (!body.ok()) return fail(line_, body.error().message);
    s.text = std::move(body).value();
    pos_ = end;
    s.end = pos_;
    return s;
  }

  Result<SExpr> readAtom() {
    SExpr a;
    a.kind = SExpr::Kind::kAtom;
    a.line = line_;
    a.begin = pos_;
    while (pos_ < src_.size() && !endsToken(src_, pos_)) ++pos_;
    a.text = std::string(src_.substr(a.begin, pos_ - a.begin));
    if (a.text == "$" && pos_ < src_.size() && src_[pos_] == '"') {
      // A quoted identifier $"..." (equal to $name when the string is name).
      COMPONO_ASSIGN(size_t end, scanString(pos_));
      auto body = decodeTextString(src_.substr(pos_ + 1, end - pos_ - 2));
      if (!body.ok()) return fail(line_, body.error().message);
      a.text = "$" + *body;
      pos_ = end;
    }
    a.end = pos_;
    return a;
  }

  std::string_view src_;
  const std::string& name_;
  size_t pos_ = 0;
  uint32_t line_ = 1;
};

}  // namespace

Result<std::vector<SExpr>> readSExprs(std::string_view source, const std::string& name) {
  return Reader(source, name).readAll();
}

}  // namespace compono::engine::wast
