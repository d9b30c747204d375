// Pieces shared by resolver.cpp (packages, dependency order, deps/) and
// resolve_package.cpp (one package: interfaces, types, functions, worlds).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "component/wit/ast.h"
#include "compono/component/wit_load.h"

namespace compono::component::wit {

// One package's definition: the top-level items of the files of a group, or
// one `package x { ... }` block.
struct PackageSource {
  PackageName name;
  ast::Span span;  // of the package declaration
  std::string docs;
  struct Part {
    uint32_t file = 0;
    const std::vector<ast::PackageItem>* items = nullptr;
  };
  std::vector<Part> parts;
};

class ResolveContext {
 public:
  ResolveContext(Model& model, const std::vector<std::string>& paths, const LoadOptions& options)
      : model(model), paths(paths), options(options) {}

  Model& model;
  const std::vector<std::string>& paths;
  const LoadOptions& options;

  // "path:line:column"
  std::string where(const ast::Span& span) const;
  // kComponent error "path:line:column: message".
  Error error(const ast::Span& span, const std::string& message) const;
  // The name with its version checked (error at the version).
  Result<PackageName> packageName(const ast::PackageName& name) const;
  // A package already in the model: an exact match, else (for a reference
  // without version) the only non-stub package of that namespace and name.
  Result<PackageId> findPackage(const ast::PackageName& ref) const;
  // The interface `name` of a stub package, created on first use.
  InterfaceId stubInterface(PackageId package, const std::string& name);
};

// Resolves one package into ctx.model; its dependencies must be there already.
Result<PackageId> resolvePackage(ResolveContext& ctx, const PackageSource& source);

// Dependency edges for topoSort: `to` must come before the node that has the
// edge; `span` is where the reference is written.
struct Edge {
  uint32_t to = 0;
  ast::Span span;
};
struct Cycle {
  std::vector<uint32_t> path;  // a, b, ..., a
  ast::Span span;              // of the edge that closes the cycle
};
// Depth-first post-order over nodes 0..n-1 (started in index order, edges in
// order): every node after the nodes it has edges to. Iterative (no
// recursion). Returns the first cycle found instead, if any.
std::optional<Cycle> topoSort(const std::vector<std::vector<Edge>>& edges,
                              std::vector<uint32_t>& order);

std::string lowerAscii(std::string_view s);

}  // namespace compono::component::wit
