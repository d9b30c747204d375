// WIT parser: tokens of one file -> ast::File (WIT.md grammar). Internal.
#pragma once

#include <string_view>

#include "component/wit/ast.h"
#include "compono/result.h"

namespace compono::component::wit {

// Parses one file. `fileIndex` is stored in every span. Errors (kDecode) are
// "path:line:column: message". Nesting of types and block comments is
// bounded (kMaxTypeDepth) so that no input can exhaust the stack.
Result<ast::File> parseWitFile(std::string_view path, std::string_view text, uint32_t fileIndex);

inline constexpr int kMaxTypeDepth = 100;

}  // namespace compono::component::wit
