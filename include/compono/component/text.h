// compono/component/text.h — the component text format (Explainer.md, the
// `(component ...)` s-expressions of component-model .wast scripts) read into
// the AST (ast.h), and from there encoded to a binary (binary.h).
//
// What is read: core modules (their text is handed to the core text parser,
// engine::watToBinary, which runs in an isolated child process), core
// instances, core types (function and module types), nested components,
// instances, aliases (with the inline alias sugar `(func $i "name")` and
// implicit outer aliases of types, core types, modules and components named
// from an enclosing scope), types (every defined value type, functions,
// component and instance types, resources; inline value types are hoisted into
// fresh type definitions), canon lift/lower and resource.new/drop/rep, start,
// imports and exports with their inline forms (`(func (export "f") ...)`,
// `(func (import "f") ...)`), `(component binary "...")`.
//
// Not read (errors that name the feature): async, stream/future/error-context,
// threads, fixed-length lists, maps, values, GC core types, `implements`.
//
// Errors are one line, code kDecode: "NAME:LINE:COL: unknown type: failed to
// find name `$t`". The reader does not validate (validate.h does).
//
// Thread safety: reentrant; no shared state.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "compono/component/ast.h"
#include "compono/result.h"

namespace compono::component {

// Parses `text`, which holds exactly one `(component ...)` form. `name` is
// used in messages.
Result<Component> parseComponentText(std::string_view text, const std::string& name);

// parseComponentText, then encodeComponent.
Result<std::vector<uint8_t>> componentTextToBinary(std::string_view text, const std::string& name);

}  // namespace compono::component
