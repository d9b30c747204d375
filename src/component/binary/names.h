// Import and export names (Explainer.md "Import and Export Definitions"):
// parsing and the uniqueness key (internal).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace compono::component::binary {

// `label ::= word ('-' word)*`, `word ::= [a-z][0-9a-z]* | [A-Z][0-9A-Z]*`
// (wasm-tools also accepts words after the first that start with a digit,
// e.g. "a-1-c"; so do we).
bool isKebab(std::string_view s);

struct ParsedName {
  enum class Kind : uint8_t {
    kLabel,        // "f"
    kConstructor,  // "[constructor]r"
    kMethod,       // "[method]r.f"
    kStatic,       // "[static]r.f"
    kInterface,    // "ns:pkg/iface@1.2.3"
    kDependency,   // "unlocked-dep=<...>", "locked-dep=<...>"
    kUrl,          // "url=<...>" ("relative-url=" was removed by component-model#263)
    kHash,         // "integrity=<...>"
  };
  Kind kind = Kind::kLabel;
  std::string resource;  // kConstructor, kMethod, kStatic
  std::string field;     // kMethod, kStatic; the label for kLabel
  // The key two names must not share (case-insensitive for labels).
  std::string key;
  // kMethod/kStatic: the field equals the resource name (a conflict with it).
  bool fieldIsResource = false;
};

// Parses an import (`import` true) or export name. On failure returns false
// and sets `why` ("`Foo` is not in kebab case").
bool parseExternName(std::string_view name, bool import, ParsedName& out, std::string& why);

}  // namespace compono::component::binary
