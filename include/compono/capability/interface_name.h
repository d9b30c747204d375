// compono/capability/interface_name.h — import names and the patterns that grant them.
//
// An import name is what a component imports (Component Model explainer,
// "Import and export definitions"):
//   interface name  ns:pkg/iface[/nested...][@semver]    e.g. wasi:cli/stdout@0.2.12
//   plain name      a kebab-case label                    e.g. log
// where ns and pkg are lowercase words joined by '-', interface labels are
// words or all-uppercase acronyms joined by '-', and semver is Semantic
// Versioning 2.0 (MAJOR.MINOR.PATCH[-prerelease][+build]).
//
// An interface pattern names a set of import names; it is what claims grant
// and what a deployment provides. Forms and their normalised spelling:
//   wasi:cli/stdout           any version of the interface (also unversioned);
//                             "@*" is the same pattern
//   wasi:cli/stdout@0.2.12    exactly that version (prerelease and build must match too)
//   wasi:cli/stdout@0.2.*     any release 0.2.x; "@0.2" is the same pattern
//   wasi:cli/stdout@1.*       any release 1.x.y; "@1", "@1.*.*" are the same pattern
//   log                       the plain import "log"
// Wildcard versions never match prereleases (0.2.0-rc1 needs an exact
// grant or an unversioned one): a prerelease promises no compatibility.
// Matching is case-sensitive and byte-exact on everything but the version.
//
// Thread safety: values; reentrant.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "compono/result.h"

namespace compono::capability {

struct SemVer {
  uint64_t major = 0, minor = 0, patch = 0;
  std::string prerelease;  // without the '-'; empty when none
  std::string build;       // without the '+'; empty when none
  // Parses a full semver ("0.2.12", "1.0.0-rc.1+abc"); nullopt when invalid.
  static std::optional<SemVer> parse(std::string_view text);
  std::string toString() const;
  friend bool operator==(const SemVer&, const SemVer&) = default;
};

// A parsed import name.
struct ImportName {
  std::string path;               // "wasi:cli/stdout" or the plain name "log"
  std::optional<SemVer> version;  // interface names only
  bool plain = false;

  // kUsage error naming the character or part that is wrong.
  static Result<ImportName> parse(std::string_view text);
  std::string toString() const;
};

class InterfacePattern {
 public:
  enum class VersionMatch : uint8_t {
    kAny,    // no version given (or "@*")
    kExact,  // @MAJOR.MINOR.PATCH[-pre][+build]
    kMajor,  // @MAJOR.*
    kMinor,  // @MAJOR.MINOR.*
  };

  // kUsage error naming what is wrong, e.g.
  //   `"wasi:cli/stdout@0.2.x": version "0.2.x" is not MAJOR[.MINOR[.PATCH]] or ends in .*`
  static Result<InterfacePattern> parse(std::string_view text);

  // True when this pattern covers `name`.
  bool covers(const ImportName& name) const;

  const std::string& path() const { return path_; }
  VersionMatch versionMatch() const { return match_; }
  // The normalised spelling (see the table above); equal patterns have equal spellings.
  const std::string& toString() const { return text_; }

  friend bool operator==(const InterfacePattern& a, const InterfacePattern& b) {
    return a.text_ == b.text_;
  }

 private:
  std::string path_;
  VersionMatch match_ = VersionMatch::kAny;
  SemVer version_;  // kExact: all of it; kMajor: major; kMinor: major and minor
  bool plain_ = false;
  std::string text_;
};

}  // namespace compono::capability
