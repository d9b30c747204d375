// Import names and interface patterns (Component Model explainer, "Import and
// export definitions"; Semantic Versioning 2.0.0).
#include "compono/capability/interface_name.h"

#include "capability/crypto.h"

namespace compono::capability {

using internal::quoted;

namespace {

bool isLower(char c) { return c >= 'a' && c <= 'z'; }
bool isUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool isDigit(char c) { return c >= '0' && c <= '9'; }

// words ::= word ('-' word)*; word ::= [a-z][a-z0-9]*   (namespaces and packages)
// label ::= fragment ('-' fragment)*; fragment ::= [a-z][a-z0-9]* | [A-Z][A-Z0-9]*
bool isKebab(std::string_view s, bool allowAcronyms) {
  if (s.empty()) return false;
  size_t i = 0;
  while (true) {
    if (i >= s.size()) return false;
    bool upper = isUpper(s[i]);
    if (!isLower(s[i]) && !(allowAcronyms && upper)) return false;
    ++i;
    while (i < s.size() && s[i] != '-') {
      char c = s[i];
      if (!(isDigit(c) || (upper ? isUpper(c) : isLower(c)))) return false;
      ++i;
    }
    if (i == s.size()) return true;
    ++i;  // '-'
  }
}

// A decimal number without leading zeros that fits in 64 bits.
std::optional<uint64_t> parseNumber(std::string_view s) {
  if (s.empty() || s.size() > 19) return std::nullopt;
  if (s.size() > 1 && s[0] == '0') return std::nullopt;
  uint64_t v = 0;
  for (char c : s) {
    if (!isDigit(c)) return std::nullopt;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  return v;
}

// Dot-separated identifiers of [0-9A-Za-z-]; numeric ones without leading zeros when `strict`.
bool isIdentifierList(std::string_view s, bool numericStrict) {
  if (s.empty()) return false;
  size_t start = 0;
  while (true) {
    size_t dot = s.find('.', start);
    std::string_view id = s.substr(start, dot == std::string_view::npos ? s.npos : dot - start);
    if (id.empty()) return false;
    bool numeric = true;
    for (char c : id) {
      if (!(isDigit(c) || isLower(c) || isUpper(c) || c == '-')) return false;
      numeric = numeric && isDigit(c);
    }
    if (numericStrict && numeric && id.size() > 1 && id[0] == '0') return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

struct Split {
  std::string_view path, version;
  bool hasVersion = false;
};

Split splitVersion(std::string_view text) {
  size_t at = text.find('@');
  if (at == std::string_view::npos) return {text, {}, false};
  return {text.substr(0, at), text.substr(at + 1), true};
}

// Checks "ns:pkg/iface[/nested...]" or a plain label; empty string when valid, else why.
std::string checkPath(std::string_view path, bool& plain) {
  size_t colon = path.find(':');
  if (colon == std::string_view::npos) {
    plain = true;
    if (path.find('/') != std::string_view::npos) {
      return "an interface name needs a namespace: ns:pkg/interface";
    }
    if (!isKebab(path, true)) {
      return "a plain name is kebab-case: lowercase words (or all-uppercase acronyms) joined "
             "by '-'";
    }
    return "";
  }
  plain = false;
  std::string_view ns = path.substr(0, colon), rest = path.substr(colon + 1);
  if (!isKebab(ns, false)) return "namespace " + quoted(ns) + " is not lowercase kebab-case";
  size_t slash = rest.find('/');
  if (slash == std::string_view::npos) {
    return "missing the interface: expected ns:pkg/interface";
  }
  std::string_view pkg = rest.substr(0, slash);
  if (pkg.find(':') != std::string_view::npos) {
    return "nested package namespaces (ns:pkg:sub) are not supported";
  }
  if (!isKebab(pkg, false)) return "package " + quoted(pkg) + " is not lowercase kebab-case";
  std::string_view labels = rest.substr(slash + 1);
  while (true) {
    size_t next = labels.find('/');
    std::string_view label = labels.substr(0, next);
    if (!isKebab(label, true)) {
      return label == "*" ? "a wildcard interface (ns:pkg/*) is not supported; grant each "
                            "interface by name"
                          : "interface " + quoted(label) +
                                " is not kebab-case (lowercase words or all-uppercase acronyms "
                                "joined by '-')";
    }
    if (next == std::string_view::npos) break;
    labels = labels.substr(next + 1);
  }
  return "";
}

}  // namespace

// ---- SemVer ----

std::optional<SemVer> SemVer::parse(std::string_view text) {
  SemVer v;
  size_t plus = text.find('+');
  if (plus != std::string_view::npos) {
    v.build = std::string(text.substr(plus + 1));
    if (!isIdentifierList(v.build, false)) return std::nullopt;
    text = text.substr(0, plus);
  }
  size_t dash = text.find('-');
  if (dash != std::string_view::npos) {
    v.prerelease = std::string(text.substr(dash + 1));
    if (!isIdentifierList(v.prerelease, true)) return std::nullopt;
    text = text.substr(0, dash);
  }
  size_t d1 = text.find('.');
  if (d1 == std::string_view::npos) return std::nullopt;
  size_t d2 = text.find('.', d1 + 1);
  if (d2 == std::string_view::npos) return std::nullopt;
  auto major = parseNumber(text.substr(0, d1));
  auto minor = parseNumber(text.substr(d1 + 1, d2 - d1 - 1));
  auto patch = parseNumber(text.substr(d2 + 1));
  if (!major || !minor || !patch) return std::nullopt;
  v.major = *major;
  v.minor = *minor;
  v.patch = *patch;
  return v;
}

std::string SemVer::toString() const {
  std::string s = std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(patch);
  if (!prerelease.empty()) s += "-" + prerelease;
  if (!build.empty()) s += "+" + build;
  return s;
}

// ---- ImportName ----

Result<ImportName> ImportName::parse(std::string_view text) {
  auto bad = [&](const std::string& why) {
    return Error(ErrorCode::kUsage, "import name " + quoted(text) + ": " + why);
  };
  Split split = splitVersion(text);
  ImportName name;
  std::string why = checkPath(split.path, name.plain);
  if (!why.empty()) return bad(why);
  name.path = std::string(split.path);
  if (split.hasVersion) {
    if (name.plain) return bad("a plain name has no version");
    name.version = SemVer::parse(split.version);
    if (!name.version) {
      return bad("version " + quoted(split.version) + " is not a semantic version (1.2.3)");
    }
  }
  return name;
}

std::string ImportName::toString() const {
  return version ? path + "@" + version->toString() : path;
}

// ---- InterfacePattern ----

Result<InterfacePattern> InterfacePattern::parse(std::string_view text) {
  auto bad = [&](const std::string& why) {
    return Error(ErrorCode::kUsage, quoted(text) + ": " + why);
  };
  if (text.empty()) return bad("empty interface name");
  Split split = splitVersion(text);
  InterfacePattern p;
  std::string why = checkPath(split.path, p.plain_);
  if (!why.empty()) return bad(why);
  p.path_ = std::string(split.path);
  p.text_ = p.path_;
  if (!split.hasVersion || split.version == "*") return p;
  if (p.plain_) return bad("a plain name has no version");

  std::string_view v = split.version;
  auto badVersion = [&] {
    return bad("version " + quoted(v) +
               " is not MAJOR.MINOR.PATCH (exact), MAJOR.MINOR or MAJOR.MINOR.* (any patch), "
               "MAJOR or MAJOR.* (any minor)");
  };
  if (auto exact = SemVer::parse(v)) {
    p.match_ = VersionMatch::kExact;
    p.version_ = *exact;
    p.text_ += "@" + exact->toString();
    return p;
  }
  // Wildcards: "1", "1.*", "1.*.*", "0.2", "0.2.*".
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    size_t dot = v.find('.', start);
    parts.push_back(v.substr(start, dot == std::string_view::npos ? v.npos : dot - start));
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  if (parts.size() > 3) return badVersion();
  auto major = parseNumber(parts[0]);
  if (!major) return badVersion();
  p.version_.major = *major;
  if (parts.size() == 1 || parts[1] == "*") {
    if (parts.size() == 3 && parts[2] != "*") return badVersion();
    p.match_ = VersionMatch::kMajor;
    p.text_ += "@" + std::to_string(*major) + ".*";
    return p;
  }
  auto minor = parseNumber(parts[1]);
  if (!minor) return badVersion();
  if (parts.size() == 3 && parts[2] != "*") return badVersion();
  p.version_.minor = *minor;
  p.match_ = VersionMatch::kMinor;
  p.text_ += "@" + std::to_string(*major) + "." + std::to_string(*minor) + ".*";
  return p;
}

bool InterfacePattern::covers(const ImportName& name) const {
  if (name.path != path_ || name.plain != plain_) return false;
  switch (match_) {
    case VersionMatch::kAny: return true;
    case VersionMatch::kExact: return name.version && *name.version == version_;
    case VersionMatch::kMajor:
      return name.version && name.version->prerelease.empty() &&
             name.version->major == version_.major;
    case VersionMatch::kMinor:
      return name.version && name.version->prerelease.empty() &&
             name.version->major == version_.major && name.version->minor == version_.minor;
  }
  return false;
}

}  // namespace compono::capability
