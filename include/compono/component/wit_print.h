// compono/component/wit_print.h — the resolved model (wit.h) back to text:
// canonical WIT, and a JSON dump.
//
// Canonical WIT: two-space indentation; in an interface first the `use`
// statements (grouped by source interface), then types in the model's order,
// resources with their constructor, methods and static functions, then
// functions; worlds elaborated (includes merged, implied imports explicit);
// docs as `///` lines before gates; keywords used as names written `%name`;
// same-package interfaces by bare name, others fully qualified. Printing a
// loaded package and loading the text again gives an equal package
// (comparePackages) and the same text.
//
// Precondition: the Model keeps the invariants of wit.h. Thread safety:
// reentrant, no shared state.
#pragma once

#include <string>

#include "compono/component/wit.h"

namespace compono::component::wit {

struct PrintOptions {
  // Also print every other non-stub package of the Model as a nested
  // `package ns:name@v { ... }` block after the package, in dependency
  // order, which makes the output self-contained.
  bool withDependencies = false;
};

// `package ns:name@v;` followed by the package's interfaces and worlds.
std::string printPackage(const Model& model, PackageId package, const PrintOptions& options = {});

// `package ns:name@v;` followed by one world (what `jco wit` prints for a
// component). Interfaces of the package that the world refers to are not
// printed.
std::string printWorld(const Model& model, WorldId world);

// One type as WIT, as seen from inside its owner: "list<u8>",
// "result<point, string>", "borrow<blob>", a named type's name.
std::string printType(const Model& model, const Type& type);

// "name: func(a: u32, b: u32) -> u32" for freestanding functions; resource
// functions as written inside their resource ("constructor(...)",
// "m: func(...)" without self, "s: static func(...)").
std::string printFunction(const Model& model, const Function& function);

// A structured dump of every package of the Model (or of one world when
// `world` is set) as pretty-printed JSON. Types are objects with a "kind";
// references to types are WIT text (as printType) plus the TypeId.
std::string printJson(const Model& model, PackageId root, WorldId world = kNoId);

}  // namespace compono::component::wit
