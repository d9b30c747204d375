#include "component/binary/names.h"

#include "compono/component/wit.h"

namespace compono::component::binary {

namespace {

bool isLower(char c) { return c >= 'a' && c <= 'z'; }
bool isUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool isDigit(char c) { return c >= '0' && c <= '9'; }

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (isUpper(c)) c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool kebabError(std::string_view s, std::string& why) {
  why = "`" + std::string(s) + "` is not in kebab case";
  return false;
}

// A package path part: lowercase kebab (wasm-tools: "character `A` is not
// lowercase in package name/namespace").
bool packagePart(std::string_view s, std::string& why) {
  for (char c : s) {
    if (isUpper(c)) {
      why = std::string("character `") + c + "` is not lowercase in package name/namespace";
      return false;
    }
  }
  if (!isKebab(s)) return kebabError(s, why);
  return true;
}

bool semver(std::string_view v, std::string& why) {
  auto parsed = wit::Version::parse(v);
  if (!parsed.ok()) {
    why = "`" + std::string(v) + "` is not a valid semver";
    return false;
  }
  return true;
}

// "ns:pkg/iface[@version]" (`projections` false: "ns:pkg[@version]").
bool interfaceName(std::string_view s, bool projections, std::string& why) {
  size_t colon = s.find(':');
  if (colon == std::string_view::npos) {
    why = "expected `:` in `" + std::string(s) + "`";
    return false;
  }
  std::string_view ns = s.substr(0, colon);
  std::string_view rest = s.substr(colon + 1);
  if (!packagePart(ns, why)) return false;
  std::string_view version;
  if (size_t at = rest.find('@'); at != std::string_view::npos) {
    version = rest.substr(at + 1);
    rest = rest.substr(0, at);
    if (!semver(version, why)) return false;
  }
  if (rest.find(':') != std::string_view::npos) {
    why = "nested namespaces in `" + std::string(s) + "` (post-0.2)";
    return false;
  }
  size_t slash = rest.find('/');
  std::string_view pkg = rest.substr(0, slash);
  if (!packagePart(pkg, why)) return false;
  if (!projections) {
    if (slash != std::string_view::npos) {
      why = "unexpected `/` in package name `" + std::string(s) + "`";
      return false;
    }
    return true;
  }
  if (slash == std::string_view::npos) {
    why = "expected `/` after package name in `" + std::string(s) + "`";
    return false;
  }
  std::string_view iface = rest.substr(slash + 1);
  if (iface.find('/') != std::string_view::npos) {
    why = "nested interface projections in `" + std::string(s) + "` (post-0.2)";
    return false;
  }
  if (!isKebab(iface)) return kebabError(iface, why);
  return true;
}

// "<...>" content after a prefix; returns false when malformed.
bool bracketed(std::string_view& s, std::string_view& content) {
  if (s.empty() || s[0] != '<') return false;
  size_t close = s.find('>');
  if (close == std::string_view::npos) return false;
  content = s.substr(1, close - 1);
  if (content.find('<') != std::string_view::npos) return false;
  s = s.substr(close + 1);
  return true;
}

bool startsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

bool isBase64Char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
         c == '/';
}

// `integrity-metadata` (Explainer.md, after the Subresource Integrity
// spec): space-separated `alg-base64` hashes with sha256/384/512, each
// optionally followed by `?options`.
bool integrityMetadata(std::string_view content, std::string& why) {
  bool any = false;
  size_t i = 0;
  while (i < content.size()) {
    if (content[i] == ' ') {
      ++i;
      continue;
    }
    size_t end = content.find(' ', i);
    std::string_view h = content.substr(i, end == std::string_view::npos ? std::string_view::npos
                                                                          : end - i);
    i = end == std::string_view::npos ? content.size() : end;
    any = true;
    size_t dash = h.find('-');
    if (dash == std::string_view::npos) {
      why = "expected `-` after hash algorithm: " + std::string(h);
      return false;
    }
    std::string_view alg = h.substr(0, dash);
    if (alg != "sha256" && alg != "sha384" && alg != "sha512") {
      why = "unrecognized hash algorithm: `" + std::string(alg) + "`";
      return false;
    }
    std::string_view b64 = h.substr(dash + 1);
    if (size_t q = b64.find('?'); q != std::string_view::npos) b64 = b64.substr(0, q);
    size_t chars = 0;
    while (chars < b64.size() && isBase64Char(b64[chars])) ++chars;
    size_t pad = b64.size() - chars;
    bool ok = chars > 0 && pad <= 2 && b64.find_first_not_of('=', chars) == std::string_view::npos;
    if (!ok) {
      why = "`" + std::string(b64) + "` is not valid base64";
      return false;
    }
  }
  if (!any) {
    why = "integrity hash cannot be empty";
    return false;
  }
  return true;
}

bool optionalIntegrity(std::string_view rest, const std::string& name, std::string& why) {
  if (rest.empty()) return true;
  std::string_view content;
  if (startsWith(rest, ",integrity=")) {
    rest.remove_prefix(11);
    if (bracketed(rest, content) && rest.empty()) return integrityMetadata(content, why);
  }
  why = "`" + name + "` is not a valid extern name";
  return false;
}

}  // namespace

bool isKebab(std::string_view s) {
  if (s.empty()) return false;
  if (!isLower(s[0]) && !isUpper(s[0])) return false;
  size_t i = 0;
  while (i <= s.size()) {
    size_t end = s.find('-', i);
    if (end == std::string_view::npos) end = s.size();
    std::string_view word = s.substr(i, end - i);
    if (word.empty()) return false;
    bool lowerWord = false, upperWord = false;
    for (char c : word) {
      if (isLower(c)) {
        lowerWord = true;
      } else if (isUpper(c)) {
        upperWord = true;
      } else if (!isDigit(c)) {
        return false;
      }
    }
    if (lowerWord && upperWord) return false;
    if (end == s.size()) break;
    i = end + 1;
  }
  return true;
}

bool parseExternName(std::string_view name, bool import, ParsedName& out, std::string& why) {
  std::string n(name);
  out = ParsedName{};
  if (name.empty()) return kebabError(name, why);
  if (startsWith(name, "[constructor]")) {
    std::string_view r = name.substr(13);
    if (!isKebab(r)) return kebabError(r, why);
    out.kind = ParsedName::Kind::kConstructor;
    out.resource = r;
    out.key = "[constructor]" + lower(r);
    return true;
  }
  bool method = startsWith(name, "[method]");
  if (method || startsWith(name, "[static]")) {
    std::string_view rest = name.substr(8);
    size_t dot = rest.find('.');
    if (dot == std::string_view::npos) {
      why = "failed to find `.` character in `" + n + "`";
      return false;
    }
    std::string_view r = rest.substr(0, dot);
    std::string_view f = rest.substr(dot + 1);
    if (!isKebab(r)) return kebabError(r, why);
    if (!isKebab(f)) return kebabError(f, why);
    out.kind = method ? ParsedName::Kind::kMethod : ParsedName::Kind::kStatic;
    out.resource = r;
    out.field = f;
    out.fieldIsResource = lower(r) == lower(f);
    out.key = lower(r) + "." + lower(f);
    return true;
  }
  if (name[0] == '[') {
    why = "`" + n + "` is not a valid extern name (unknown annotation)";
    return false;
  }
  if (name.find(':') != std::string_view::npos && name.find('=') == std::string_view::npos) {
    if (!interfaceName(name, true, why)) return false;
    out.kind = ParsedName::Kind::kInterface;
    out.key = lower(name);
    return true;
  }
  if (name.find('=') != std::string_view::npos) {
    if (!import) {
      why = "`" + n +
            "` is not a valid export name (dependency, URL and hash names are "
            "import-only)";
      return false;
    }
    std::string_view rest = name;
    std::string_view content;
    out.key = n;
    if (startsWith(rest, "unlocked-dep=")) {
      rest.remove_prefix(13);
      // The whole rest is `<...>`: a version range contains `>=`.
      if (rest.size() < 2 || rest.front() != '<' || rest.back() != '>') {
        why = "`" + n + "` is not a valid extern name (expected `<` ... `>`)";
        return false;
      }
      content = rest.substr(1, rest.size() - 2);
      if (content.find('<') != std::string_view::npos &&
          content.find('{') == std::string_view::npos) {
        why = "`" + n + "` is not a valid extern name";
        return false;
      }
      // pkgpath verrange?
      std::string_view path = content;
      std::string_view range;
      if (size_t at = content.find('@'); at != std::string_view::npos) {
        path = content.substr(0, at);
        range = content.substr(at + 1);
      }
      if (!interfaceName(path, false, why)) return false;
      if (content.find('@') != std::string_view::npos && range.empty()) {
        why = "expected `{` at `>` in `" + n + "`";
        return false;
      }
      if (!range.empty() && range != "*") {
        if (range.size() < 2 || range.front() != '{' || range.back() != '}') {
          why = "`" + std::string(range) + "` is not a valid version range";
          return false;
        }
        std::string_view inner = range.substr(1, range.size() - 2);
        size_t space = inner.find(' ');
        auto bound = [&](std::string_view b) {
          if (startsWith(b, ">=")) return semver(b.substr(2), why);
          if (startsWith(b, "<")) return semver(b.substr(1), why);
          why = "`" + std::string(b) + "` is not a valid version bound";
          return false;
        };
        if (space == std::string_view::npos) {
          if (!bound(inner)) return false;
        } else if (!startsWith(inner, ">=") || !startsWith(inner.substr(space + 1), "<") ||
                   !bound(inner.substr(0, space)) || !bound(inner.substr(space + 1))) {
          if (why.empty()) why = "`" + std::string(range) + "` is not a valid version range";
          return false;
        }
      }
      out.kind = ParsedName::Kind::kDependency;
      return true;
    }
    if (startsWith(rest, "locked-dep=")) {
      rest.remove_prefix(11);
      if (!bracketed(rest, content)) {
        why = "`" + n + "` is not a valid extern name";
        return false;
      }
      if (!interfaceName(content, false, why)) return false;
      out.kind = ParsedName::Kind::kDependency;
      return optionalIntegrity(rest, n, why);
    }
    if (startsWith(rest, "url=")) {
      rest.remove_prefix(4);
      if (!bracketed(rest, content)) {
        why = "`" + n + "` is not a valid extern name";
        return false;
      }
      out.kind = ParsedName::Kind::kUrl;
      return optionalIntegrity(rest, n, why);
    }
    if (startsWith(rest, "integrity=")) {
      rest.remove_prefix(10);
      if (!bracketed(rest, content) || !rest.empty()) {
        why = "`" + n + "` is not a valid extern name";
        return false;
      }
      if (!integrityMetadata(content, why)) return false;
      out.kind = ParsedName::Kind::kHash;
      return true;
    }
    why = "`" + n + "` is not a valid extern name";
    return false;
  }
  if (!isKebab(name)) return kebabError(name, why);
  out.kind = ParsedName::Kind::kLabel;
  out.field = n;
  out.key = lower(name);
  return true;
}

}  // namespace compono::component::binary
