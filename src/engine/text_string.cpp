// String literals of the text format (see compono/engine/text_string.h).
#include "compono/engine/text_string.h"

#include <cstdint>
#include <cstdio>

namespace compono::engine {

namespace {

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Error failAt(size_t* errorAt, size_t at, std::string message) {
  if (errorAt) *errorAt = at;
  return Error(ErrorCode::kDecode, std::move(message));
}

}  // namespace

void appendUtf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

size_t textStringEnd(std::string_view text, size_t openQuote) {
  size_t p = openQuote + 1;
  while (p < text.size()) {
    char c = text[p];
    if (c == '"') return p + 1;
    if (c == '\n') break;  // a raw newline is not a stringchar
    p += c == '\\' ? 2 : 1;
  }
  return std::string_view::npos;
}

Result<std::string> decodeTextString(std::string_view body, size_t* errorAt) {
  std::string out;
  out.reserve(body.size());
  for (size_t i = 0; i < body.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(body[i]);
    if (c < 0x20 || c == 0x7F) {
      char buf[64];
      snprintf(buf, sizeof buf, "control character 0x%02x in a string (write it as \\%02x)", c, c);
      return failAt(errorAt, i, buf);
    }
    if (c != '\\') {
      out += static_cast<char>(c);
      continue;
    }
    size_t escape = i;
    if (++i >= body.size()) return failAt(errorAt, escape, "string ends with a lone '\\'");
    char e = body[i];
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
        if (i + 1 >= body.size() || body[i + 1] != '{') {
          return failAt(errorAt, escape, "bad escape \\u: expected \\u{hex}");
        }
        size_t j = i + 2;
        uint32_t cp = 0;
        size_t digits = 0;
        for (; j < body.size() && body[j] != '}'; ++j) {
          if (body[j] == '_' && digits > 0) continue;
          int h = hexValue(body[j]);
          if (h < 0) return failAt(errorAt, escape, "bad escape \\u{...}: not a hex digit");
          cp = cp * 16 + static_cast<uint32_t>(h);
          if (cp > 0x10FFFF) {
            return failAt(errorAt, escape, "bad escape \\u{...}: beyond U+10FFFF");
          }
          ++digits;
        }
        if (j >= body.size() || digits == 0) {
          return failAt(errorAt, escape, "bad escape \\u{...}: unterminated or empty");
        }
        if (cp >= 0xD800 && cp < 0xE000) {
          return failAt(errorAt, escape, "bad escape \\u{...}: a surrogate is not a scalar value");
        }
        appendUtf8(out, cp);
        i = j;
        break;
      }
      default: {
        int hi = hexValue(e);
        int lo = i + 1 < body.size() ? hexValue(body[i + 1]) : -1;
        if (hi < 0 || lo < 0) {
          return failAt(errorAt, escape, std::string("unknown escape '\\") + e + "'");
        }
        out += static_cast<char>(hi * 16 + lo);
        ++i;
      }
    }
  }
  return out;
}

}  // namespace compono::engine
