// WIT resolver: syntax trees of a root package and its dependencies -> the
// resolved Model (compono/component/wit.h). Internal to the component layer.
#pragma once

#include <string>
#include <vector>

#include "component/wit/ast.h"
#include "compono/component/wit_load.h"

namespace compono::component::wit {

// The files of one package source: the root package, or one dependency
// (deps/NAME.wit or deps/NAME/). Indices into the `files` given to resolveWit.
struct FileGroup {
  std::vector<uint32_t> files;
};

// Resolves `groups` (groups[0] is the root package) into a Model. `paths`
// are the file names (for spans and messages), `files` their syntax trees,
// both indexed by ast::Span::file. Errors are "path:line:column: message".
Result<LoadedPackage> resolveWit(std::vector<std::string> paths,
                                 const std::vector<ast::File>& files,
                                 const std::vector<FileGroup>& groups, const LoadOptions& options);

}  // namespace compono::component::wit
