// The component text reader's entry points on S-expressions (internal):
// used by text.h's functions and by the .wast runner, which has already read
// the script into S-expressions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "component/text/sexpr.h"
#include "compono/component/ast.h"
#include "compono/result.h"

namespace compono::component::text {

// Reads the fields list.items[first..] of a `(component ...)` form into a
// Component. `source` is the text the S-expressions were read from (core
// modules are cut out of it); `name` names it in messages.
Result<Component> readComponentFields(const SExpr& list, size_t first, std::string_view source,
                                      const std::string& name);

// The bytes of the strings list.items[first..] concatenated (for `binary`
// and `quote` forms); an error when an item is not a string.
Result<std::string> concatStrings(const SExpr& list, size_t first, const std::string& name);

// "NAME:LINE:COL: what" for the node `at`.
std::string located(const std::string& name, const SExpr& at, const std::string& what);

}  // namespace compono::component::text
