// WIT resolver, package level: gathers package sources from files and
// package blocks, orders packages by dependency, makes stubs for missing
// packages (when allowed), resolves each package, and checks that a package
// defined twice has the same contents (WIT.md "Filesystem structure").
#include "component/wit/resolver.h"

#include <algorithm>
#include <map>

#include "component/wit/resolve_internal.h"

namespace compono::component::wit {

std::string lowerAscii(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::optional<Cycle> topoSort(const std::vector<std::vector<Edge>>& edges,
                              std::vector<uint32_t>& order) {
  enum : uint8_t { kWhite, kGray, kBlack };
  std::vector<uint8_t> color(edges.size(), kWhite);
  struct Frame {
    uint32_t node;
    size_t next;
  };
  std::vector<Frame> stack;
  order.clear();
  for (uint32_t start = 0; start < edges.size(); ++start) {
    if (color[start] != kWhite) continue;
    stack.push_back({start, 0});
    color[start] = kGray;
    while (!stack.empty()) {
      Frame& f = stack.back();
      if (f.next == edges[f.node].size()) {
        color[f.node] = kBlack;
        order.push_back(f.node);
        stack.pop_back();
        continue;
      }
      const Edge& e = edges[f.node][f.next++];
      if (color[e.to] == kBlack) continue;
      if (color[e.to] == kGray) {
        Cycle c;
        c.span = e.span;
        size_t i = stack.size();
        while (i > 0 && stack[i - 1].node != e.to) --i;
        for (size_t k = i > 0 ? i - 1 : 0; k < stack.size(); ++k) c.path.push_back(stack[k].node);
        c.path.push_back(e.to);
        return c;
      }
      color[e.to] = kGray;
      stack.push_back({e.to, 0});
    }
  }
  return std::nullopt;
}

std::string ResolveContext::where(const ast::Span& span) const {
  std::string path = span.file < paths.size() ? paths[span.file] : std::string("?");
  return path + ":" + std::to_string(span.line) + ":" + std::to_string(span.column);
}

Error ResolveContext::error(const ast::Span& span, const std::string& message) const {
  return Error(ErrorCode::kComponent, where(span) + ": " + message);
}

Result<PackageName> ResolveContext::packageName(const ast::PackageName& name) const {
  PackageName out;
  out.ns = name.ns.name;
  out.name = name.name.name;
  if (name.version) {
    auto v = Version::parse(*name.version);
    if (!v.ok()) return error(name.versionSpan, v.error().message);
    out.version = *v;
  }
  return out;
}

Result<PackageId> ResolveContext::findPackage(const ast::PackageName& ref) const {
  COMPONO_ASSIGN(PackageName name, packageName(ref));
  if (auto id = model.findPackage(name)) return *id;
  std::optional<PackageId> found;
  std::string versions;
  for (PackageId p = 0; p < model.packages.size(); ++p) {
    const Package& pkg = model.packages[p];
    if (pkg.name.ns != name.ns || pkg.name.name != name.name) continue;
    versions += (versions.empty() ? "" : ", ") + pkg.name.toString();
    if (!name.version && !pkg.stub) {
      if (found) {
        return error(ref.span, "package `" + name.toString() +
                                   "` is ambiguous (loaded: " + versions + "); add a version");
      }
      found = p;
    }
  }
  if (found) return *found;
  std::string msg = "unknown package `" + name.toString() + "`";
  if (!versions.empty()) msg += " (loaded: " + versions + ")";
  return error(ref.span, msg);
}

InterfaceId ResolveContext::stubInterface(PackageId package, const std::string& name) {
  if (auto id = model.findInterface(package, name)) return *id;
  Interface iface;
  iface.name = name;
  iface.package = package;
  iface.stub = true;
  InterfaceId id = model.addInterface(std::move(iface));
  model.packages[package].interfaces.push_back(id);
  return id;
}

namespace {

void collectInterfaceRefs(const ast::Interface& iface, std::vector<const ast::PackageName*>& out) {
  for (const ast::InterfaceItem& item : iface.items) {
    if (const auto* use = std::get_if<ast::Use>(&item)) {
      if (use->path.package) out.push_back(&*use->path.package);
    }
  }
}

// Every package-qualified path in a package's items.
std::vector<const ast::PackageName*> collectRefs(const PackageSource& src) {
  std::vector<const ast::PackageName*> out;
  auto path = [&](const ast::UsePath& p) {
    if (p.package) out.push_back(&*p.package);
  };
  for (const PackageSource::Part& part : src.parts) {
    for (const ast::PackageItem& item : *part.items) {
      if (const auto* use = std::get_if<ast::TopUse>(&item)) {
        path(use->path);
      } else if (const auto* iface = std::get_if<ast::Interface>(&item)) {
        collectInterfaceRefs(*iface, out);
      } else if (const auto* world = std::get_if<ast::World>(&item)) {
        for (const ast::WorldItem& wi : world->items) {
          if (const auto* ext = std::get_if<ast::Extern>(&wi)) {
            if (ext->kind == ast::Extern::Kind::kPath ||
                ext->kind == ast::Extern::Kind::kNamedPath) {
              path(ext->path);
            } else if (ext->kind == ast::Extern::Kind::kInterface) {
              collectInterfaceRefs(*ext->interface, out);
            }
          } else if (const auto* use = std::get_if<ast::Use>(&wi)) {
            path(use->path);
          } else if (const auto* inc = std::get_if<ast::Include>(&wi)) {
            path(inc->path);
          }
        }
      }
    }
  }
  return out;
}

class Loader {
 public:
  Loader(std::vector<std::string> paths, const std::vector<ast::File>& files,
         const std::vector<FileGroup>& groups, const LoadOptions& options)
      : paths_(std::move(paths)), files_(files), groups_(groups), ctx_(model_, paths_, options) {}

  Result<LoadedPackage> run() {
    COMPONO_TRY(gatherSources());
    model_.files = paths_;
    // Canonical source per package name (the first), in load order but
    // with the root last, so that it comes after every package it does not
    // feed (a dependency that refers back to the root is a cycle anyway).
    std::vector<size_t> canonical;
    std::map<std::string, size_t> byName;  // full name -> index into canonical
    std::vector<size_t> canonicalOf(sources_.size());
    for (size_t k = 1; k <= sources_.size(); ++k) {
      size_t i = k % sources_.size();
      std::string key = sources_[i].name.toString();
      auto it = byName.find(key);
      if (it == byName.end()) {
        it = byName.emplace(key, canonical.size()).first;
        canonical.push_back(i);
      }
      canonicalOf[i] = it->second;
    }

    // Dependency edges between canonical sources; missing packages.
    std::vector<std::vector<Edge>> edges(canonical.size());
    std::vector<PackageName> missing;
    for (size_t i = 0; i < sources_.size(); ++i) {
      const PackageSource& src = sources_[i];
      for (const ast::PackageName* ref : collectRefs(src)) {
        COMPONO_ASSIGN(PackageName name, ctx_.packageName(*ref));
        if (name == src.name) continue;
        std::optional<size_t> target;
        auto exact = byName.find(name.toString());
        if (exact != byName.end()) {
          target = exact->second;
        } else if (!name.version) {
          for (size_t c = 0; c < canonical.size(); ++c) {
            const PackageName& n = sources_[canonical[c]].name;
            if (n.ns != name.ns || n.name != name.name) continue;
            if (target) {
              return ctx_.error(ref->span, "package `" + name.toString() +
                                               "` is ambiguous (several versions are loaded); "
                                               "add a version");
            }
            target = c;
          }
        }
        if (target) {
          edges[canonicalOf[i]].push_back(Edge{static_cast<uint32_t>(*target), ref->span});
          continue;
        }
        if (!ctx_.options.allowMissingPackages) {
          return ctx_.error(ref->span, "unknown package `" + name.toString() +
                                           "` (define it in a `package " + name.toString() +
                                           " { ... }` block or under deps/)");
        }
        if (std::find(missing.begin(), missing.end(), name) == missing.end()) {
          missing.push_back(name);
        }
      }
    }
    std::vector<uint32_t> order;
    if (auto cycle = topoSort(edges, order)) {
      std::string path;
      for (uint32_t n : cycle->path) {
        path += (path.empty() ? "" : " -> ") + sources_[canonical[n]].name.toString();
      }
      return ctx_.error(cycle->span, "cycle in package dependencies: " + path);
    }

    for (const PackageName& name : missing) {
      Package stub;
      stub.name = name;
      stub.stub = true;
      model_.addPackage(std::move(stub));
    }
    LoadedPackage out;
    for (uint32_t c : order) {
      COMPONO_TRY(resolvePackage(ctx_, sources_[canonical[c]]));
    }
    out.root = *model_.findPackage(sources_[0].name);
    // Duplicates: resolved into a scratch copy, compared with the first.
    for (size_t i = 0; i < sources_.size(); ++i) {
      if (canonical[canonicalOf[i]] == i) continue;
      Model scratch = model_;
      ResolveContext scratchCtx(scratch, paths_, ctx_.options);
      COMPONO_ASSIGN(PackageId dup, resolvePackage(scratchCtx, sources_[i]));
      const PackageSource& first = sources_[canonical[canonicalOf[i]]];
      PackageId firstId = *model_.findPackage(first.name);
      Status same = comparePackages(model_, firstId, scratch, dup);
      if (!same.ok()) {
        return ctx_.error(sources_[i].span,
                          "package `" + first.name.toString() +
                              "` is defined twice with different contents (first at " +
                              ctx_.where(first.span) + "): " + same.error().message);
      }
    }
    out.model = std::move(model_);
    return out;
  }

 private:
  // Root group first, then its nested blocks in file order, then each deps
  // group and its nested blocks.
  Status gatherSources() {
    for (size_t g = 0; g < groups_.size(); ++g) {
      const FileGroup& group = groups_[g];
      PackageSource main;
      const ast::PackageDecl* decl = nullptr;
      const ast::PackageItem* firstItem = nullptr;
      uint32_t firstItemFile = 0;
      for (uint32_t f : group.files) {
        const ast::File& file = files_[f];
        if (file.decl) {
          COMPONO_TRY(plainDecl(*file.decl));
          COMPONO_ASSIGN(PackageName name, ctx_.packageName(file.decl->name));
          if (!decl) {
            decl = &*file.decl;
            main.name = name;
            main.span = file.decl->span;
          } else if (!(name == main.name)) {
            return ctx_.error(file.decl->span, "package `" + name.toString() + "` differs from `" +
                                                   main.name.toString() + "` declared at " +
                                                   ctx_.where(decl->span) +
                                                   " (the files of one package share one name)");
          }
          if (!file.decl->attrs.docs.empty()) {
            main.docs += (main.docs.empty() ? "" : "\n") + file.decl->attrs.docs;
          }
        }
        if (!file.items.empty() && !firstItem) {
          firstItem = &file.items[0];
          firstItemFile = f;
        }
        main.parts.push_back({f, &file.items});
      }
      if (!decl) {
        if (g == 0) {
          std::string where =
              group.files.empty() ? std::string("?") : paths_[group.files[0]] + ":1:1";
          return Error(ErrorCode::kComponent,
                       where +
                           ": no package declaration (the root package needs a file that "
                           "starts with `package namespace:name;`)");
        }
        if (firstItem) {
          ast::Span span = std::visit([](const auto& i) { return i.span; }, *firstItem);
          (void)firstItemFile;
          return ctx_.error(span,
                            "items outside a `package ... { }` block need a package declaration "
                            "(`package namespace:name;` at the top of the file)");
        }
      } else {
        sources_.push_back(std::move(main));
      }
      for (uint32_t f : group.files) {
        for (const ast::NestedPackage& nested : files_[f].nested) {
          COMPONO_TRY(plainDecl(nested.decl));
          PackageSource src;
          COMPONO_ASSIGN(src.name, ctx_.packageName(nested.decl.name));
          src.span = nested.decl.span;
          src.docs = nested.decl.attrs.docs;
          src.parts.push_back({f, &nested.items});
          sources_.push_back(std::move(src));
        }
      }
    }
    return okStatus();
  }

  // A package declaration carries docs only.
  Status plainDecl(const ast::PackageDecl& decl) const {
    if (!decl.attrs.gates.empty()) {
      return ctx_.error(decl.attrs.gates[0].span, "a package declaration cannot be gated");
    }
    if (decl.attrs.externalId) {
      return ctx_.error(decl.attrs.externalIdSpan,
                        "`@external-id` is not allowed on a package declaration");
    }
    return okStatus();
  }

  std::vector<std::string> paths_;
  const std::vector<ast::File>& files_;
  const std::vector<FileGroup>& groups_;
  Model model_;
  ResolveContext ctx_;
  std::vector<PackageSource> sources_;
};

}  // namespace

Result<LoadedPackage> resolveWit(std::vector<std::string> paths,
                                 const std::vector<ast::File>& files,
                                 const std::vector<FileGroup>& groups, const LoadOptions& options) {
  return Loader(std::move(paths), files, groups, options).run();
}

}  // namespace compono::component::wit
