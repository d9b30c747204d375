#include "compono/component/wave.h"

#include "component/runtime/abi.h"

#include <charconv>
#include <cmath>
#include <cstring>
#include <set>
#include <type_traits>

#include "compono/engine/text_string.h"

namespace compono::component::wave {

using wit::Primitive;
using wit::Type;

namespace {

// User text inside a one-line error: control characters escaped, long text cut.
std::string shownText(std::string_view text) {
  std::string out;
  for (unsigned char c : text.substr(0, 80)) {
    if (c < 0x20 || c == 0x7f) {
      static const char* hex = "0123456789abcdef";
      out += c == '\n' ? std::string("\\n") : std::string("\\x") + hex[c >> 4] + hex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  if (text.size() > 80) out += "...";
  return out;
}


const std::set<std::string_view>& keywords() {
  static const std::set<std::string_view> k = {"true", "false", "some", "none", "ok", "err", "inf", "nan"};
  return k;
}

const wit::TypeDef* defOf(const wit::Model& m, Type t) {
  if (t.isPrimitive()) return nullptr;
  return &m.types[m.dealias(t.id)];
}

class Parser {
 public:
  Parser(const wit::Model& m, std::string_view text) : m_(m), s_(text) {}

  Result<Value> top(Type t) {
    COMPONO_ASSIGN(Value v, value(t));
    ws();
    if (i_ != s_.size()) return fail("unexpected text after the value");
    return v;
  }

 private:
  Error fail(const std::string& what) const {
    return Error(ErrorCode::kUsage, "WAVE: column " + std::to_string(i_ + 1) + ": " + what);
  }
  void ws() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r')) ++i_;
  }
  bool eat(char c) {
    ws();
    if (i_ < s_.size() && s_[i_] == c) {
      ++i_;
      return true;
    }
    return false;
  }
  bool peek(char c) {
    ws();
    return i_ < s_.size() && s_[i_] == c;
  }
  // A label: [a-zA-Z0-9-]+, optionally escaped with a leading '%'.
  std::optional<std::string> label() {
    ws();
    size_t start = i_;
    bool escaped = i_ < s_.size() && s_[i_] == '%';
    if (escaped) ++i_;
    size_t b = i_;
    while (i_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[i_])) || s_[i_] == '-')) ++i_;
    if (i_ == b) {
      i_ = start;
      return std::nullopt;
    }
    return std::string(s_.substr(b, i_ - b));
  }
  std::string word() {
    ws();
    size_t b = i_;
    while (i_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[i_])) || s_[i_] == '-' ||
                              s_[i_] == '+' || s_[i_] == '.' || s_[i_] == '_')) {
      ++i_;
    }
    return std::string(s_.substr(b, i_ - b));
  }

  Result<char32_t> escape() {
    if (i_ >= s_.size()) return fail("unterminated escape");
    char c = s_[i_++];
    switch (c) {
      case 'n': return U'\n';
      case 't': return U'\t';
      case 'r': return U'\r';
      case '\\': return U'\\';
      case '"': return U'"';
      case '\'': return U'\'';
      case 'u': {
        if (i_ >= s_.size() || s_[i_] != '{') return fail("expected { after \\u");
        ++i_;
        uint32_t cp = 0;
        size_t digits = 0;
        while (i_ < s_.size() && s_[i_] != '}') {
          char h = s_[i_++];
          int d = std::isdigit(static_cast<unsigned char>(h)) ? h - '0'
                  : (h >= 'a' && h <= 'f')                     ? h - 'a' + 10
                  : (h >= 'A' && h <= 'F')                     ? h - 'A' + 10
                                                               : -1;
          if (d < 0 || ++digits > 6) return fail("bad \\u{...} escape");
          cp = cp * 16 + static_cast<uint32_t>(d);
        }
        if (i_ >= s_.size() || digits == 0) return fail("unterminated \\u{...} escape");
        ++i_;
        if (cp >= 0x110000 || (cp >= 0xd800 && cp <= 0xdfff)) return fail("\\u{...} is not a Unicode scalar value");
        return static_cast<char32_t>(cp);
      }
      default: return fail("unknown escape \\" + shownText(std::string_view(&c, 1)));
    }
  }

  // One UTF-8 encoded scalar from the text.
  Result<char32_t> scalar() {
    unsigned char c = static_cast<unsigned char>(s_[i_]);
    int n = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 0;
    if (n == 0 || i_ + n > s_.size()) return fail("invalid UTF-8 in the text");
    char32_t cp = n == 1 ? c : n == 2 ? (c & 0x1f) : n == 3 ? (c & 0x0f) : (c & 0x07);
    for (int k = 1; k < n; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s_[i_ + k]) & 0x3f);
    i_ += n;
    return cp;
  }

  Result<Value> integer(Primitive p) {
    std::string w = word();
    if (w.empty()) return fail(std::string("expected ") + wit::primitiveName(p));
    bool neg = w[0] == '-';
    bool isSigned = p == Primitive::kS8 || p == Primitive::kS16 || p == Primitive::kS32 || p == Primitive::kS64;
    int bits = (p == Primitive::kS8 || p == Primitive::kU8)     ? 8
               : (p == Primitive::kS16 || p == Primitive::kU16) ? 16
               : (p == Primitive::kS32 || p == Primitive::kU32) ? 32
                                                                 : 64;
    if (isSigned) {
      int64_t v;
      auto [ptr, ec] = std::from_chars(w.data(), w.data() + w.size(), v);
      if (ec != std::errc() || ptr != w.data() + w.size()) return fail("'" + shownText(w) + "' is not a " + wit::primitiveName(p));
      int64_t lo = bits == 64 ? INT64_MIN : -(int64_t{1} << (bits - 1));
      int64_t hi = bits == 64 ? INT64_MAX : (int64_t{1} << (bits - 1)) - 1;
      if (v < lo || v > hi) return fail("'" + shownText(w) + "' is out of range for " + wit::primitiveName(p));
      Value out;
      out.kind = static_cast<ValueKind>(static_cast<int>(ValueKind::kBool) + static_cast<int>(p));
      out.s = v;
      return out;
    }
    if (neg) return fail("'" + shownText(w) + "' is negative, " + wit::primitiveName(p) + " is unsigned");
    uint64_t v;
    auto [ptr, ec] = std::from_chars(w.data(), w.data() + w.size(), v);
    if (ec != std::errc() || ptr != w.data() + w.size()) return fail("'" + shownText(w) + "' is not a " + wit::primitiveName(p));
    if (bits < 64 && v >= (uint64_t{1} << bits)) return fail("'" + shownText(w) + "' is out of range for " + wit::primitiveName(p));
    Value out;
    out.kind = static_cast<ValueKind>(static_cast<int>(ValueKind::kBool) + static_cast<int>(p));
    out.u = v;
    return out;
  }

  Result<double> floating(const char* what) {
    std::string w = word();
    if (w == "nan") return std::nan("");
    if (w == "inf") return INFINITY;
    if (w == "-inf") return -INFINITY;
    double v;
    auto [ptr, ec] = std::from_chars(w.data(), w.data() + w.size(), v);
    if (w.empty() || ec != std::errc() || ptr != w.data() + w.size()) {
      return fail("'" + shownText(w) + "' is not a " + std::string(what));
    }
    return v;
  }

  Result<Value> prim(Primitive p) {
    ws();
    switch (p) {
      case Primitive::kBool: {
        std::string w = word();
        if (w == "true") return Value::boolean(true);
        if (w == "false") return Value::boolean(false);
        return fail("expected true or false");
      }
      case Primitive::kF32: {
        COMPONO_ASSIGN(double d, floating("f32"));
        return Value::float32(static_cast<float>(d));
      }
      case Primitive::kF64: {
        COMPONO_ASSIGN(double d, floating("f64"));
        return Value::float64(d);
      }
      case Primitive::kChar: {
        if (!eat('\'')) return fail("expected a char in single quotes");
        if (i_ >= s_.size()) return fail("unterminated char");
        char32_t c;
        if (s_[i_] == '\\') {
          ++i_;
          COMPONO_ASSIGN(c, escape());
        } else {
          COMPONO_ASSIGN(c, scalar());
        }
        if (i_ >= s_.size() || s_[i_] != '\'') return fail("a char holds exactly one character");
        ++i_;
        return Value::character(c);
      }
      case Primitive::kString: {
        if (!eat('"')) return fail("expected a string in double quotes");
        std::string out;
        while (true) {
          if (i_ >= s_.size()) return fail("unterminated string");
          char c = s_[i_];
          if (c == '"') {
            ++i_;
            break;
          }
          if (c == '\\') {
            ++i_;
            COMPONO_ASSIGN(char32_t cp, escape());
            engine::appendUtf8(out, cp);
          } else {
            COMPONO_ASSIGN(char32_t cp, scalar());
            engine::appendUtf8(out, cp);
          }
        }
        return Value::string(std::move(out));
      }
      case Primitive::kErrorContext: return fail("error-context values cannot be written");
      default: return integer(p);
    }
  }

  Result<std::vector<Value>> sequence(char close, const std::vector<Type>& types, bool homogeneous) {
    std::vector<Value> items;
    if (eat(close)) return items;
    while (true) {
      Type t = homogeneous ? types[0] : (items.size() < types.size() ? types[items.size()] : Type());
      if (!homogeneous && items.size() >= types.size()) return fail("too many elements");
      COMPONO_ASSIGN(Value v, value(t));
      items.push_back(std::move(v));
      if (eat(close)) break;
      if (!eat(',')) return fail(std::string("expected ',' or '") + close + "'");
      if (eat(close)) break;  // trailing comma
    }
    if (!homogeneous && items.size() != types.size()) {
      return fail("expected " + std::to_string(types.size()) + " elements, got " + std::to_string(items.size()));
    }
    return items;
  }

  Result<std::optional<Value>> payload(const std::optional<Type>& t, const std::string& name) {
    if (eat('(')) {
      if (!t) return fail("case " + name + " has no payload");
      COMPONO_ASSIGN(Value v, value(*t));
      if (!eat(')')) return fail("expected ')'");
      return std::optional<Value>(std::move(v));
    }
    if (t) return fail("case " + name + " needs a payload: " + name + "(...)");
    return std::optional<Value>();
  }

  Result<Value> value(Type t) {
    t = abi::resolveAlias(m_, t);
    if (t.isPrimitive()) return prim(t.primitive);
    const wit::TypeDef* d = defOf(m_, t);
    return std::visit(
        [&](const auto& k) -> Result<Value> {
          using K = std::decay_t<decltype(k)>;
          if constexpr (std::is_same_v<K, wit::ListType>) {
            if (!eat('[')) return fail("expected a list [...]");
            COMPONO_ASSIGN(auto items, sequence(']', {k.element}, true));
            return Value::list(std::move(items));
          } else if constexpr (std::is_same_v<K, wit::TupleType>) {
            if (!eat('(')) return fail("expected a tuple (...)");
            COMPONO_ASSIGN(auto items, sequence(')', k.types, false));
            return Value::tuple(std::move(items));
          } else if constexpr (std::is_same_v<K, wit::RecordType>) {
            if (!eat('{')) return fail("expected a record {field: value, ...}");
            std::vector<std::optional<Value>> fields(k.fields.size());
            if (!eat('}')) {
              while (true) {
                auto name = label();
                if (!name) return fail("expected a field name");
                size_t idx = k.fields.size();
                for (size_t f = 0; f < k.fields.size(); ++f) {
                  if (k.fields[f].name == *name) idx = f;
                }
                if (idx == k.fields.size()) return fail("no field '" + *name + "' in " + d->name);
                if (fields[idx]) return fail("field '" + *name + "' given twice");
                if (!eat(':')) return fail("expected ':' after field '" + *name + "'");
                COMPONO_ASSIGN(Value v, value(k.fields[idx].type));
                fields[idx] = std::move(v);
                if (eat('}')) break;
                if (!eat(',')) return fail("expected ',' or '}'");
                if (eat('}')) break;
              }
            }
            std::vector<Value> items;
            for (size_t f = 0; f < k.fields.size(); ++f) {
              if (fields[f]) {
                items.push_back(std::move(*fields[f]));
                continue;
              }
              const wit::TypeDef* fd = defOf(m_, k.fields[f].type);
              if (fd && std::holds_alternative<wit::OptionType>(fd->kind)) {
                items.push_back(Value::none());
              } else {
                return fail("missing field '" + k.fields[f].name + "'");
              }
            }
            return Value::record(std::move(items));
          } else if constexpr (std::is_same_v<K, wit::FlagsType>) {
            if (!eat('{')) return fail("expected flags {name, ...}");
            std::vector<bool> set(k.flags.size());
            if (!eat('}')) {
              while (true) {
                auto name = label();
                if (!name) return fail("expected a flag name");
                size_t idx = k.flags.size();
                for (size_t f = 0; f < k.flags.size(); ++f) {
                  if (k.flags[f].name == *name) idx = f;
                }
                if (idx == k.flags.size()) return fail("no flag '" + *name + "'");
                set[idx] = true;
                if (eat('}')) break;
                if (!eat(',')) return fail("expected ',' or '}'");
                if (eat('}')) break;
              }
            }
            return Value::flagSet(std::move(set));
          } else if constexpr (std::is_same_v<K, wit::EnumType>) {
            auto name = label();
            for (size_t c = 0; name && c < k.cases.size(); ++c) {
              if (k.cases[c].name == *name) return Value::enumCase(static_cast<uint32_t>(c));
            }
            return fail("expected a case of enum " + d->name);
          } else if constexpr (std::is_same_v<K, wit::VariantType>) {
            auto name = label();
            for (size_t c = 0; name && c < k.cases.size(); ++c) {
              if (k.cases[c].name != *name) continue;
              COMPONO_ASSIGN(auto p, payload(k.cases[c].type, *name));
              std::vector<Value> items;
              if (p) items.push_back(std::move(*p));
              return Value::variant(static_cast<uint32_t>(c), std::move(items));
            }
            return fail("expected a case of variant " + d->name);
          } else if constexpr (std::is_same_v<K, wit::OptionType>) {
            auto name = label();
            if (name == "none") return Value::none();
            if (name == "some") {
              if (!eat('(')) return fail("expected some(...)");
              COMPONO_ASSIGN(Value v, value(k.type));
              if (!eat(')')) return fail("expected ')'");
              return Value::some(std::move(v));
            }
            return fail("expected some(...) or none");
          } else if constexpr (std::is_same_v<K, wit::ResultType>) {
            auto name = label();
            if (name == "ok" || name == "err") {
              COMPONO_ASSIGN(auto p, payload(name == "ok" ? k.ok : k.err, *name));
              std::vector<Value> items;
              if (p) items.push_back(std::move(*p));
              return name == "ok" ? Value::ok(std::move(items)) : Value::err(std::move(items));
            }
            return fail("expected ok, ok(...), err or err(...)");
          } else if constexpr (std::is_same_v<K, wit::HandleType>) {
            // Compono extension: a handle the host holds, `NAME#N` or `#N`.
            ws();
            size_t start = i_;
            auto name = label();
            std::string rname = resourceName(k.resource);
            if (name && *name != rname) {
              i_ = start;
              return fail("expected a " + rname + " handle (" + rname + "#N), got '" + shownText(*name) + "'");
            }
            if (i_ >= s_.size() || s_[i_] != '#') {
              return fail("expected a " + rname + " handle, written " + rname + "#N");
            }
            ++i_;
            std::string digits = word();
            uint32_t n = 0;
            auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
            if (digits.empty() || ec != std::errc() || ptr != digits.data() + digits.size()) {
              return fail("expected a handle number after '#'");
            }
            return k.kind == wit::HandleKind::kOwn ? Value::own(n) : Value::borrow(n);
          } else {
            return fail(std::string("values of ") + wit::typeDefKindName(d->kind) + " types cannot be written");
          }
        },
        d->kind);
  }

  std::string resourceName(wit::TypeId id) const {
    wit::TypeId r = m_.resourceOf(id);
    return r == wit::kNoId || m_.types[r].name.empty() ? "resource" : m_.types[r].name;
  }

  const wit::Model& m_;
  std::string_view s_;
  size_t i_ = 0;
};

std::string printLabel(const std::string& name) {
  return keywords().count(name) ? "%" + name : name;
}

void printChar(std::string& out, char32_t c, char quote) {
  switch (c) {
    case '\n': out += "\\n"; return;
    case '\t': out += "\\t"; return;
    case '\r': out += "\\r"; return;
    case '\\': out += "\\\\"; return;
    default: break;
  }
  if (static_cast<char32_t>(quote) == c) {
    out += '\\';
    out += quote;
    return;
  }
  if (c < 0x20 || c == 0x7f) {
    char buf[16];
    snprintf(buf, sizeof buf, "\\u{%x}", static_cast<unsigned>(c));
    out += buf;
    return;
  }
  engine::appendUtf8(out, c);
}

template <typename F>
std::string printFloat(F f) {
  if (std::isnan(f)) return "nan";
  if (std::isinf(f)) return f > 0 ? "inf" : "-inf";
  char buf[64];
  auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, f);
  (void)ec;
  return std::string(buf, ptr);
}

void printValue(std::string& out, const wit::Model& m, Type t, const Value& v);

void printSeq(std::string& out, const wit::Model& m, const std::vector<Type>& types, const std::vector<Value>& items,
              bool homogeneous, const char* open, const char* close) {
  out += open;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += ", ";
    printValue(out, m, homogeneous ? types[0] : types[i], items[i]);
  }
  out += close;
}

void printValue(std::string& out, const wit::Model& m, Type t, const Value& v) {
  t = abi::resolveAlias(m, t);
  switch (v.kind) {
    case ValueKind::kBool: out += v.u ? "true" : "false"; return;
    case ValueKind::kS8:
    case ValueKind::kS16:
    case ValueKind::kS32:
    case ValueKind::kS64: out += std::to_string(v.s); return;
    case ValueKind::kU8:
    case ValueKind::kU16:
    case ValueKind::kU32:
    case ValueKind::kU64: out += std::to_string(v.u); return;
    case ValueKind::kF32: out += printFloat(v.f32); return;
    case ValueKind::kF64: out += printFloat(v.f64); return;
    case ValueKind::kChar:
      out += '\'';
      printChar(out, static_cast<char32_t>(v.u), '\'');
      out += '\'';
      return;
    case ValueKind::kString: {
      out += '"';
      // Decode UTF-8 to escape per scalar.
      const std::string& s = v.str;
      for (size_t i = 0; i < s.size();) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        int n = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : 4;
        char32_t cp = n == 1 ? c : n == 2 ? (c & 0x1f) : n == 3 ? (c & 0x0f) : (c & 0x07);
        for (int k = 1; k < n && i + k < s.size(); ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3f);
        printChar(out, cp, '"');
        i += n;
      }
      out += '"';
      return;
    }
    case ValueKind::kOwn:
    case ValueKind::kBorrow: {
      wit::TypeId r = t.isPrimitive() ? wit::kNoId : m.resourceOf(t.id);
      out += (r == wit::kNoId || m.types[r].name.empty() ? "resource" : m.types[r].name) + "#" +
             std::to_string(v.handle);
      return;
    }
    default: break;
  }
  const wit::TypeDef* d = defOf(m, t);
  if (!d) {
    out += "?";
    return;
  }
  std::visit(
      [&](const auto& k) {
        using K = std::decay_t<decltype(k)>;
        if constexpr (std::is_same_v<K, wit::ListType>) {
          printSeq(out, m, {k.element}, v.items, true, "[", "]");
        } else if constexpr (std::is_same_v<K, wit::TupleType>) {
          printSeq(out, m, k.types, v.items, false, "(", ")");
        } else if constexpr (std::is_same_v<K, wit::RecordType>) {
          out += "{";
          for (size_t i = 0; i < k.fields.size() && i < v.items.size(); ++i) {
            if (i) out += ", ";
            out += printLabel(k.fields[i].name) + ": ";
            printValue(out, m, k.fields[i].type, v.items[i]);
          }
          out += "}";
        } else if constexpr (std::is_same_v<K, wit::FlagsType>) {
          out += "{";
          bool first = true;
          for (size_t i = 0; i < k.flags.size() && i < v.flags.size(); ++i) {
            if (!v.flags[i]) continue;
            if (!first) out += ", ";
            first = false;
            out += printLabel(k.flags[i].name);
          }
          out += "}";
        } else if constexpr (std::is_same_v<K, wit::EnumType>) {
          out += v.discriminant < k.cases.size() ? printLabel(k.cases[v.discriminant].name) : "?";
        } else if constexpr (std::is_same_v<K, wit::VariantType>) {
          if (v.discriminant >= k.cases.size()) {
            out += "?";
            return;
          }
          const auto& c = k.cases[v.discriminant];
          out += printLabel(c.name);
          if (c.type && !v.items.empty()) {
            out += "(";
            printValue(out, m, *c.type, v.items[0]);
            out += ")";
          }
        } else if constexpr (std::is_same_v<K, wit::OptionType>) {
          if (v.discriminant == 0 || v.items.empty()) {
            out += "none";
          } else {
            out += "some(";
            printValue(out, m, k.type, v.items[0]);
            out += ")";
          }
        } else if constexpr (std::is_same_v<K, wit::ResultType>) {
          const auto& pt = v.discriminant == 0 ? k.ok : k.err;
          out += v.discriminant == 0 ? "ok" : "err";
          if (pt && !v.items.empty()) {
            out += "(";
            printValue(out, m, *pt, v.items[0]);
            out += ")";
          }
        } else {
          out += "?";
        }
      },
      d->kind);
}

}  // namespace

Result<Value> parse(const wit::Model& model, Type t, std::string_view text) {
  return Parser(model, text).top(t);
}

std::string print(const wit::Model& model, Type t, const Value& v) {
  std::string out;
  printValue(out, model, t, v);
  return out;
}

// An argument's text without the blanks around it.
static std::string trimmed(std::string_view s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  size_t e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

Result<CallText> splitCall(std::string_view text) {
  CallText out;
  size_t open = text.find('(');
  if (open == std::string_view::npos || text.empty() || text.back() != ')') {
    return Error(ErrorCode::kUsage, "expected a call NAME(ARGS...), got '" + shownText(text) + "'");
  }
  std::string_view name = text.substr(0, open);
  while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
  while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
  if (name.empty()) return Error(ErrorCode::kUsage, "a call needs a function name before '('");
  out.func = std::string(name);
  std::string_view body = text.substr(open + 1, text.size() - open - 2);
  int depth = 0;
  bool inString = false, inChar = false;
  size_t start = 0;
  for (size_t i = 0; i < body.size(); ++i) {
    char c = body[i];
    if (inString || inChar) {
      if (c == '\\') {
        ++i;
      } else if ((inString && c == '"') || (inChar && c == '\'')) {
        inString = inChar = false;
      }
      continue;
    }
    if (c == '"') inString = true;
    else if (c == '\'') inChar = true;
    else if (c == '(' || c == '[' || c == '{') ++depth;
    else if (c == ')' || c == ']' || c == '}') {
      if (--depth < 0) return Error(ErrorCode::kUsage, "unbalanced brackets in the call arguments");
    } else if (c == ',' && depth == 0) {
      out.args.emplace_back(trimmed(body.substr(start, i - start)));
      start = i + 1;
    }
  }
  if (depth != 0 || inString || inChar) return Error(ErrorCode::kUsage, "unbalanced brackets or quotes in the call");
  std::string last = trimmed(body.substr(start));
  if (!last.empty() || !out.args.empty()) out.args.push_back(last);
  return out;
}

}  // namespace compono::component::wave
