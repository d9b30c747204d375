// WIT resolver, one package: names, `use`, type definitions, functions and
// worlds (WIT.md "WIT Packages and `use`", "Name resolution", "Union of
// Worlds with `include`", "Transitive imports and worlds", "Feature Gates").
#include <algorithm>
#include <map>
#include <set>
#include <type_traits>

#include "component/wit/resolve_internal.h"

namespace compono::component::wit {
namespace {

// The names one interface or world defines, for lookups and the
// case-insensitive uniqueness rule.
struct Scope {
  TypeOwner owner;
  std::map<std::string, TypeId> types;        // exact name -> type
  std::set<std::string> functions;            // exact names of functions
  std::map<std::string, ast::Span> declared;  // lowercase name -> first definition
};

// A type definition of the scope awaiting its body.
struct LocalType {
  const ast::TypeDef* def;
  TypeId id;
};

bool isMapKey(const ast::Type& t) {
  if (t.kind != ast::TypeKind::kPrimitive) return false;
  switch (t.primitive) {
    case Primitive::kF32:
    case Primitive::kF64:
    case Primitive::kErrorContext:
      return false;
    default:
      return true;
  }
}

class PackageResolver {
 public:
  PackageResolver(ResolveContext& ctx, const PackageSource& src)
      : ctx_(ctx), m_(ctx.model), src_(src) {}

  Result<PackageId> run() {
    Package pkg;
    pkg.name = src_.name;
    pkg.meta.docs = src_.docs;
    pkg.meta.span = span(src_.span);
    pkg_ = m_.addPackage(std::move(pkg));

    // Names of interfaces and worlds (one namespace per package).
    for (size_t p = 0; p < src_.parts.size(); ++p) {
      for (const ast::PackageItem& item : *src_.parts[p].items) {
        if (const auto* iface = std::get_if<ast::Interface>(&item)) {
          COMPONO_TRY(declarePackageName(iface->name));
          Interface i;
          i.name = iface->name.name;
          i.package = pkg_;
          InterfaceId id = m_.addInterface(std::move(i));
          m_.packages[pkg_].interfaces.push_back(id);
          ifaceIndex_[iface->name.name] = ifaces_.size();
          ifaces_.push_back({iface, p, id});
        } else if (const auto* world = std::get_if<ast::World>(&item)) {
          COMPONO_TRY(declarePackageName(world->name));
          World w;
          w.name = world->name.name;
          w.package = pkg_;
          WorldId id = m_.addWorld(std::move(w));
          m_.packages[pkg_].worlds.push_back(id);
          worldIndex_[world->name.name] = worlds_.size();
          worlds_.push_back({world, p, id});
        }
      }
    }
    // File-scoped `use path [as name];`.
    fileUses_.resize(src_.parts.size());
    for (size_t p = 0; p < src_.parts.size(); ++p) {
      std::map<std::string, ast::Span> seen;
      for (const ast::PackageItem& item : *src_.parts[p].items) {
        const auto* use = std::get_if<ast::TopUse>(&item);
        if (!use) continue;
        COMPONO_TRY(noExternalId(use->attrs, "a `use`"));
        COMPONO_TRY(noGates(use->attrs, "a top-level `use`"));
        const ast::Ident& name = use->as ? *use->as : use->path.name;
        std::string key = lowerAscii(name.name);
        if (auto it = seen.find(key); it != seen.end()) return duplicate(name, it->second);
        if (auto it = packageNames_.find(key); it != packageNames_.end()) {
          return duplicate(name, it->second);
        }
        seen.emplace(key, name.span);
        COMPONO_ASSIGN(InterfaceId target, interfacePath(use->path, p, /*topLevel=*/true));
        fileUses_[p][name.name] = target;
      }
    }

    // Interfaces in `use` order.
    std::vector<std::vector<Edge>> edges(ifaces_.size());
    for (size_t i = 0; i < ifaces_.size(); ++i) {
      for (const ast::InterfaceItem& item : ifaces_[i].ast->items) {
        const auto* use = std::get_if<ast::Use>(&item);
        if (!use) continue;
        COMPONO_ASSIGN(InterfaceId target, interfacePath(use->path, ifaces_[i].part));
        if (auto local = localInterfaceIndex(target)) {
          edges[i].push_back(Edge{static_cast<uint32_t>(*local), use->path.span});
        }
      }
    }
    std::vector<uint32_t> order;
    if (auto cycle = topoSort(edges, order)) {
      std::string path;
      for (uint32_t n : cycle->path)
        path += (path.empty() ? "" : " -> ") + ifaces_[n].ast->name.name;
      return ctx_.error(cycle->span, "cycle in `use`: " + path);
    }
    for (uint32_t i : order) {
      COMPONO_TRY(resolveInterface(ifaces_[i].id, *ifaces_[i].ast, ifaces_[i].part, true));
    }

    // Worlds in `include` order.
    edges.assign(worlds_.size(), {});
    for (size_t w = 0; w < worlds_.size(); ++w) {
      for (const ast::WorldItem& item : worlds_[w].ast->items) {
        const auto* inc = std::get_if<ast::Include>(&item);
        if (!inc) continue;
        COMPONO_ASSIGN(WorldId target, worldPath(inc->path));
        for (size_t k = 0; k < worlds_.size(); ++k) {
          if (worlds_[k].id == target)
            edges[w].push_back(Edge{static_cast<uint32_t>(k), inc->path.span});
        }
      }
    }
    if (auto cycle = topoSort(edges, order)) {
      std::string path;
      for (uint32_t n : cycle->path)
        path += (path.empty() ? "" : " -> ") + worlds_[n].ast->name.name;
      return ctx_.error(cycle->span, "cycle in `include`: " + path);
    }
    for (uint32_t w : order) {
      COMPONO_TRY(resolveWorld(worlds_[w].id, *worlds_[w].ast, worlds_[w].part));
    }
    return pkg_;
  }

 private:
  struct LocalInterface {
    const ast::Interface* ast;
    size_t part;
    InterfaceId id;
  };
  struct LocalWorld {
    const ast::World* ast;
    size_t part;
    WorldId id;
  };

  // --- helpers ------------------------------------------------------------

  SourceSpan span(const ast::Span& s) const { return SourceSpan{s.file, s.line, s.column}; }

  Error duplicate(const ast::Ident& name, const ast::Span& previous) const {
    return ctx_.error(name.span, "duplicate name `" + name.name + "` (previous definition at " +
                                     ctx_.where(previous) + ")");
  }

  Status declarePackageName(const ast::Ident& name) {
    std::string key = lowerAscii(name.name);
    if (auto it = packageNames_.find(key); it != packageNames_.end()) {
      return duplicate(name, it->second);
    }
    packageNames_.emplace(key, name.span);
    return okStatus();
  }

  Status declare(std::map<std::string, ast::Span>& names, const ast::Ident& name) {
    std::string key = lowerAscii(name.name);
    if (auto it = names.find(key); it != names.end()) return duplicate(name, it->second);
    names.emplace(key, name.span);
    return okStatus();
  }

  Status noExternalId(const ast::Attrs& attrs, const char* what) const {
    if (!attrs.externalId) return okStatus();
    return ctx_.error(attrs.externalIdSpan,
                      std::string("`@external-id` is not allowed on ") + what);
  }
  Status noGates(const ast::Attrs& attrs, const char* what) const {
    if (attrs.gates.empty()) return okStatus();
    return ctx_.error(attrs.gates[0].span, std::string(what) + " cannot be gated");
  }

  // WIT.md "Feature gate syntax" and "Rules for feature gate usage".
  Result<ItemMeta> meta(const ast::Attrs& attrs, const ast::Span& where) const {
    ItemMeta out;
    out.docs = attrs.docs;
    out.externalId = attrs.externalId;
    out.span = span(where);
    for (const ast::Gate& gate : attrs.gates) {
      if (!m_.packages[pkg_].name.version) {
        return ctx_.error(gate.span, "feature gates need a versioned package (`package " +
                                         m_.packages[pkg_].name.toString() + "@x.y.z;`)");
      }
      switch (gate.kind) {
        case ast::GateKind::kSince:
        case ast::GateKind::kDeprecated: {
          bool since = gate.kind == ast::GateKind::kSince;
          std::optional<Version>& slot = since ? out.stability.since : out.stability.deprecated;
          if (slot)
            return ctx_.error(gate.span,
                              std::string("duplicate `@") + (since ? "since" : "deprecated") + "`");
          auto v = Version::parse(gate.value);
          if (!v.ok()) return ctx_.error(gate.valueSpan, v.error().message);
          slot = *v;
          break;
        }
        case ast::GateKind::kUnstable:
          if (out.stability.unstableFeature) return ctx_.error(gate.span, "duplicate `@unstable`");
          out.stability.unstableFeature = gate.value;
          break;
      }
      if (out.stability.since && out.stability.unstableFeature) {
        return ctx_.error(gate.span, "an item is either `@since` or `@unstable`, not both");
      }
    }
    if (out.stability.deprecated && !out.stability.since && !out.stability.unstableFeature) {
      const ast::Gate& g = attrs.gates.back();
      return ctx_.error(g.span, "`@deprecated` needs a `@since` or `@unstable` gate too");
    }
    return out;
  }

  std::optional<size_t> localInterfaceIndex(InterfaceId id) const {
    for (size_t i = 0; i < ifaces_.size(); ++i) {
      if (ifaces_[i].id == id) return i;
    }
    return std::nullopt;
  }

  // use-path -> interface. A bare name is a file-scoped `use` name or an
  // interface of this package.
  Result<InterfaceId> interfacePath(const ast::UsePath& path, size_t part, bool topLevel = false) {
    const std::string& name = path.name.name;
    if (path.package) {
      COMPONO_ASSIGN(PackageName pname, ctx_.packageName(*path.package));
      if (pname == m_.packages[pkg_].name) {
        if (auto it = ifaceIndex_.find(name); it != ifaceIndex_.end())
          return ifaces_[it->second].id;
        return ctx_.error(path.name.span,
                          "package `" + pname.toString() + "` has no interface `" + name + "`");
      }
      COMPONO_ASSIGN(PackageId pid, ctx_.findPackage(*path.package));
      if (m_.packages[pid].stub) return ctx_.stubInterface(pid, name);
      if (auto id = m_.findInterface(pid, name)) return *id;
      std::string what = m_.findWorld(pid, name)
                             ? "`" + name + "` is a world, not an interface, of package `"
                             : "no interface `" + name + "` in package `";
      return ctx_.error(path.name.span, what + m_.packages[pid].name.toString() + "`");
    }
    if (!topLevel) {
      if (auto it = fileUses_[part].find(name); it != fileUses_[part].end()) return it->second;
    }
    if (auto it = ifaceIndex_.find(name); it != ifaceIndex_.end()) return ifaces_[it->second].id;
    if (worldIndex_.count(name)) {
      return ctx_.error(path.name.span, "`" + name + "` is a world, not an interface");
    }
    return ctx_.error(path.name.span, "unknown interface `" + name + "`");
  }

  Result<WorldId> worldPath(const ast::UsePath& path) {
    const std::string& name = path.name.name;
    if (path.package) {
      COMPONO_ASSIGN(PackageName pname, ctx_.packageName(*path.package));
      if (pname == m_.packages[pkg_].name) {
        if (auto it = worldIndex_.find(name); it != worldIndex_.end())
          return worlds_[it->second].id;
        return ctx_.error(path.name.span,
                          "package `" + pname.toString() + "` has no world `" + name + "`");
      }
      COMPONO_ASSIGN(PackageId pid, ctx_.findPackage(*path.package));
      if (m_.packages[pid].stub) {
        return ctx_.error(path.span, "cannot include world `" + name + "`: package `" +
                                         pname.toString() + "` is not available");
      }
      if (auto id = m_.findWorld(pid, name)) return *id;
      return ctx_.error(path.name.span, "no world `" + name + "` in package `" +
                                            m_.packages[pid].name.toString() + "`");
    }
    if (auto it = worldIndex_.find(name); it != worldIndex_.end()) return worlds_[it->second].id;
    if (ifaceIndex_.count(name)) {
      return ctx_.error(path.name.span, "`" + name + "` is an interface, not a world");
    }
    return ctx_.error(path.name.span, "unknown world `" + name + "`");
  }

  std::string interfaceLabel(InterfaceId id) const {
    const Interface& i = m_.interfaces[id];
    if (i.name.empty()) return "inline interface";
    if (i.package == pkg_) return i.name;
    return *m_.interfaceName(id);
  }

  // --- `use` and type definitions -----------------------------------------

  // Creates the aliases of a `use` item in `scope`; returns the target.
  Result<InterfaceId> declareUse(Scope& scope, const ast::Use& use, size_t part,
                                 std::vector<TypeId>& aliases) {
    COMPONO_TRY(noExternalId(use.attrs, "a `use`"));
    COMPONO_ASSIGN(ItemMeta useMeta, meta(use.attrs, use.span));
    COMPONO_ASSIGN(InterfaceId target, interfacePath(use.path, part));
    const Interface& t = m_.interfaces[target];
    if (t.stub) {
      return ctx_.error(use.path.span, "cannot use types of `" + interfaceLabel(target) +
                                           "`: its package is not available");
    }
    if (scope.owner.kind == OwnerKind::kInterface && target == scope.owner.id) {
      return ctx_.error(use.path.span, "an interface cannot `use` itself");
    }
    for (const ast::UseName& n : use.names) {
      auto tid = m_.findType(target, n.name.name);
      if (!tid) {
        if (m_.findFunction(target, n.name.name)) {
          return ctx_.error(n.name.span, "`" + n.name.name + "` is a function of `" +
                                             interfaceLabel(target) + "`, not a type");
        }
        return ctx_.error(n.name.span, "no type `" + n.name.name + "` in interface `" +
                                           interfaceLabel(target) + "`");
      }
      const ast::Ident& local = n.as ? *n.as : n.name;
      COMPONO_TRY(declare(scope.declared, local));
      TypeDef def;
      def.name = local.name;
      def.kind = AliasType{Type::def(*tid)};
      def.owner = scope.owner;
      def.meta = useMeta;
      def.meta.docs.clear();
      def.meta.span = span(local.span);
      TypeId id = m_.addType(std::move(def));
      scope.types[local.name] = id;
      aliases.push_back(id);
    }
    return target;
  }

  Status declareTypeDef(Scope& scope, const ast::TypeDef& def, std::vector<LocalType>& locals) {
    COMPONO_TRY(declare(scope.declared, def.name));
    TypeDef t;
    t.name = def.name.name;
    t.owner = scope.owner;
    COMPONO_ASSIGN(t.meta, meta(def.attrs, def.name.span));
    if (def.kind == ast::TypeDefKind::kResource) {
      t.kind = ResourceType{};
    } else {
      t.kind = AliasType{Type::prim(Primitive::kBool)};  // placeholder until resolved
    }
    TypeId id = m_.addType(std::move(t));
    scope.types[def.name.name] = id;
    locals.push_back({&def, id});
    return okStatus();
  }

  static void collectRefs(const ast::Type& t, std::vector<const ast::Ident*>& out) {
    if (t.kind == ast::TypeKind::kNamed || t.kind == ast::TypeKind::kBorrow ||
        t.kind == ast::TypeKind::kOwn) {
      out.push_back(&t.name);
    }
    for (const ast::Type& a : t.args) collectRefs(a, out);
  }

  // Orders the scope's own definitions so that each follows what it refers
  // to, rejects recursive types, and resolves their bodies in that order.
  Status resolveTypeDefs(Scope& scope, const std::vector<LocalType>& locals,
                         std::vector<TypeId>& ordered) {
    std::map<TypeId, uint32_t> index;
    for (uint32_t i = 0; i < locals.size(); ++i) index[locals[i].id] = i;
    std::vector<std::vector<Edge>> edges(locals.size());
    for (uint32_t i = 0; i < locals.size(); ++i) {
      std::vector<const ast::Ident*> refs;
      const ast::TypeDef& d = *locals[i].def;
      for (const ast::Field& f : d.fields) collectRefs(f.type, refs);
      for (const ast::Case& c : d.cases) {
        if (c.type) collectRefs(*c.type, refs);
      }
      if (d.target) collectRefs(*d.target, refs);
      for (const ast::Ident* r : refs) {
        auto it = scope.types.find(r->name);
        if (it == scope.types.end()) continue;  // reported when resolving the body
        if (auto j = index.find(it->second); j != index.end())
          edges[i].push_back(Edge{j->second, r->span});
      }
    }
    std::vector<uint32_t> order;
    if (auto cycle = topoSort(edges, order)) {
      if (cycle->path.size() == 2) {
        return ctx_.error(cycle->span,
                          "type `" + locals[cycle->path[0]].def->name.name + "` refers to itself");
      }
      std::string path;
      for (uint32_t n : cycle->path)
        path += (path.empty() ? "" : " -> ") + locals[n].def->name.name;
      return ctx_.error(cycle->span, "recursive types: " + path);
    }
    for (uint32_t i : order) {
      COMPONO_TRY(resolveTypeDefBody(scope, *locals[i].def, locals[i].id));
      ordered.push_back(locals[i].id);
    }
    return okStatus();
  }

  Status resolveTypeDefBody(const Scope& scope, const ast::TypeDef& def, TypeId id) {
    TypeDefKind kind;
    std::map<std::string, ast::Span> names;
    switch (def.kind) {
      case ast::TypeDefKind::kResource:
        return okStatus();
      case ast::TypeDefKind::kAlias: {
        COMPONO_ASSIGN(Type target, convert(scope, *def.target, /*value=*/false));
        kind = AliasType{target};
        break;
      }
      case ast::TypeDefKind::kRecord: {
        RecordType r;
        for (const ast::Field& f : def.fields) {
          COMPONO_TRY(declare(names, f.name));
          COMPONO_ASSIGN(Type t, convert(scope, f.type, true));
          r.fields.push_back(Field{f.name.name, t, f.attrs.docs});
        }
        kind = std::move(r);
        break;
      }
      case ast::TypeDefKind::kVariant: {
        VariantType v;
        for (const ast::Case& c : def.cases) {
          COMPONO_TRY(declare(names, c.name));
          Case out{c.name.name, std::nullopt, c.attrs.docs};
          if (c.type) {
            COMPONO_ASSIGN(Type t, convert(scope, *c.type, true));
            out.type = t;
          }
          v.cases.push_back(std::move(out));
        }
        kind = std::move(v);
        break;
      }
      case ast::TypeDefKind::kEnum:
      case ast::TypeDefKind::kFlags: {
        std::vector<Label> labels;
        for (const ast::Case& c : def.cases) {
          COMPONO_TRY(declare(names, c.name));
          labels.push_back(Label{c.name.name, c.attrs.docs});
        }
        if (def.kind == ast::TypeDefKind::kEnum) {
          kind = EnumType{std::move(labels)};
        } else {
          kind = FlagsType{std::move(labels)};
        }
        break;
      }
    }
    m_.types[id].kind = std::move(kind);
    return okStatus();
  }

  TypeId anon(TypeDefKind kind) {
    TypeDef t;
    t.kind = std::move(kind);
    return m_.addType(std::move(t));
  }

  Result<TypeId> lookupType(const Scope& scope, const ast::Ident& name) const {
    auto it = scope.types.find(name.name);
    if (it != scope.types.end()) return it->second;
    if (scope.functions.count(name.name)) {
      return ctx_.error(name.span, "`" + name.name + "` is a function, not a type");
    }
    return ctx_.error(name.span, "unknown type `" + name.name + "`");
  }

  bool isResource(TypeId id) const {
    return std::holds_alternative<ResourceType>(m_.types[m_.dealias(id)].kind);
  }

  // A syntax type -> model type. In a value position a resource name means
  // an owned handle; as the target of `type x = r` it means the resource.
  Result<Type> convert(const Scope& scope, const ast::Type& t, bool value) {
    auto arg = [&](size_t i) { return convert(scope, t.args[i], true); };
    switch (t.kind) {
      case ast::TypeKind::kPrimitive:
        return Type::prim(t.primitive);
      case ast::TypeKind::kNamed: {
        COMPONO_ASSIGN(TypeId id, lookupType(scope, t.name));
        if (value && isResource(id)) return Type::def(anon(HandleType{HandleKind::kOwn, id}));
        return Type::def(id);
      }
      case ast::TypeKind::kBorrow:
      case ast::TypeKind::kOwn: {
        COMPONO_ASSIGN(TypeId id, lookupType(scope, t.name));
        const char* what = t.kind == ast::TypeKind::kBorrow ? "borrow" : "own";
        if (!isResource(id)) {
          return ctx_.error(t.name.span, std::string("`") + what + "<" + t.name.name +
                                             ">` needs a resource, and `" + t.name.name + "` is " +
                                             describe(m_.dealias(id)));
        }
        HandleKind k = t.kind == ast::TypeKind::kBorrow ? HandleKind::kBorrow : HandleKind::kOwn;
        // `type x = own<r>` is `type x = r`: an alias of the resource.
        if (k == HandleKind::kOwn && !value) return Type::def(id);
        return Type::def(anon(HandleType{k, id}));
      }
      case ast::TypeKind::kList: {
        COMPONO_ASSIGN(Type e, arg(0));
        return Type::def(anon(ListType{e, t.length}));
      }
      case ast::TypeKind::kMap: {
        if (!isMapKey(t.args[0])) {
          return ctx_.error(t.args[0].span,
                            "map keys must be bool, char, string or an integer type");
        }
        COMPONO_ASSIGN(Type k, arg(0));
        COMPONO_ASSIGN(Type v, arg(1));
        return Type::def(anon(MapType{k, v}));
      }
      case ast::TypeKind::kOption: {
        COMPONO_ASSIGN(Type e, arg(0));
        return Type::def(anon(OptionType{e}));
      }
      case ast::TypeKind::kResult: {
        ResultType r;
        size_t i = 0;
        if (t.hasOk) {
          COMPONO_ASSIGN(Type ok, arg(i++));
          r.ok = ok;
        }
        if (t.hasErr) {
          COMPONO_ASSIGN(Type err, arg(i++));
          r.err = err;
        }
        return Type::def(anon(std::move(r)));
      }
      case ast::TypeKind::kTuple: {
        TupleType tup;
        for (size_t i = 0; i < t.args.size(); ++i) {
          COMPONO_ASSIGN(Type e, arg(i));
          tup.types.push_back(e);
        }
        return Type::def(anon(std::move(tup)));
      }
      case ast::TypeKind::kFuture:
      case ast::TypeKind::kStream: {
        std::optional<Type> payload;
        if (!t.args.empty()) {
          COMPONO_ASSIGN(Type e, arg(0));
          payload = e;
        }
        if (t.kind == ast::TypeKind::kFuture) return Type::def(anon(FutureType{payload}));
        return Type::def(anon(StreamType{payload}));
      }
    }
    return ctx_.error(t.span, "unsupported type");
  }

  std::string describe(TypeId id) const {
    const TypeDef& d = m_.types[id];
    if (const auto* a = std::get_if<AliasType>(&d.kind); a && a->target.isPrimitive()) {
      return std::string("`") + primitiveName(a->target.primitive) + "`";
    }
    std::string kind = typeDefKindName(d.kind);
    return (kind[0] == 'a' || kind[0] == 'e' || kind[0] == 'o' ? "an " : "a ") + kind;
  }

  // Whether a type holds a borrowed handle anywhere (named types included).
  bool containsBorrow(const Type& root) const {
    std::vector<Type> work{root};
    std::set<TypeId> seen;
    bool found = false;
    auto push = [&](const std::optional<Type>& t) {
      if (t) work.push_back(*t);
    };
    while (!work.empty() && !found) {
      Type t = work.back();
      work.pop_back();
      if (t.isPrimitive() || t.id >= m_.types.size() || !seen.insert(t.id).second) continue;
      std::visit(
          [&](const auto& k) {
            using K = std::decay_t<decltype(k)>;
            if constexpr (std::is_same_v<K, HandleType>) {
              found = k.kind == HandleKind::kBorrow;
            } else if constexpr (std::is_same_v<K, RecordType>) {
              for (const Field& f : k.fields) work.push_back(f.type);
            } else if constexpr (std::is_same_v<K, VariantType>) {
              for (const Case& c : k.cases) push(c.type);
            } else if constexpr (std::is_same_v<K, TupleType>) {
              for (const Type& e : k.types) work.push_back(e);
            } else if constexpr (std::is_same_v<K, OptionType>) {
              work.push_back(k.type);
            } else if constexpr (std::is_same_v<K, ResultType>) {
              push(k.ok), push(k.err);
            } else if constexpr (std::is_same_v<K, ListType>) {
              work.push_back(k.element);
            } else if constexpr (std::is_same_v<K, MapType>) {
              work.push_back(k.key), work.push_back(k.value);
            } else if constexpr (std::is_same_v<K, FutureType> || std::is_same_v<K, StreamType>) {
              push(k.type);
            } else if constexpr (std::is_same_v<K, AliasType>) {
              work.push_back(k.target);
            }
          },
          m_.types[t.id].kind);
    }
    return found;
  }

  // --- functions ----------------------------------------------------------

  Result<Function> function(const Scope& scope, FunctionKind kind, const ast::Ident& name,
                            const ast::FuncSig& sig, const ast::Attrs& attrs,
                            TypeId resource = kNoId) {
    Function f;
    f.kind = kind;
    f.resource = resource;
    f.isAsync = sig.isAsync;
    COMPONO_ASSIGN(f.meta, meta(attrs, name.span));
    const std::string resName = resource == kNoId ? "" : m_.types[resource].name;
    switch (kind) {
      case FunctionKind::kFreestanding:
        f.name = name.name;
        break;
      case FunctionKind::kConstructor:
        f.name = "[constructor]" + resName;
        break;
      case FunctionKind::kMethod:
        f.name = "[method]" + resName + "." + name.name;
        break;
      case FunctionKind::kStatic:
        f.name = "[static]" + resName + "." + name.name;
        break;
    }
    std::map<std::string, ast::Span> params;
    if (kind == FunctionKind::kMethod) {
      params.emplace("self", name.span);
      f.params.push_back(Param{"self", Type::def(anon(HandleType{HandleKind::kBorrow, resource}))});
    }
    for (const ast::Param& p : sig.params) {
      std::string key = lowerAscii(p.name.name);
      if (kind == FunctionKind::kMethod && key == "self") {
        return ctx_.error(p.name.span, "a method's `self` parameter is implicit");
      }
      COMPONO_TRY(declare(params, p.name));
      COMPONO_ASSIGN(Type t, convert(scope, p.type, true));
      f.params.push_back(Param{p.name.name, t});
    }
    if (kind == FunctionKind::kConstructor) {
      if (!sig.result) {
        f.result = Type::def(anon(HandleType{HandleKind::kOwn, resource}));
      } else {
        // WIT.md "Item: resource": a fallible constructor returns result<r, ...>.
        const ast::Type& r = *sig.result;
        bool okShape =
            r.kind == ast::TypeKind::kResult && r.hasOk && r.args[0].kind == ast::TypeKind::kNamed;
        if (okShape) {
          auto it = scope.types.find(r.args[0].name.name);
          okShape = it != scope.types.end() && m_.dealias(it->second) == resource;
        }
        if (!okShape) {
          return ctx_.error(r.span, "a constructor returns nothing or `result<" + resName +
                                        ", E>`, where `" + resName + "` is its resource");
        }
        COMPONO_ASSIGN(Type t, convert(scope, r, true));
        f.result = t;
      }
    } else if (sig.result) {
      COMPONO_ASSIGN(Type t, convert(scope, *sig.result, true));
      if (containsBorrow(t)) {
        return ctx_.error(
            sig.result->span,
            "function `" + name.name + "` returns a `borrow` handle; only parameters can borrow");
      }
      f.result = t;
    }
    return f;
  }

  Status resourceFunctions(const Scope& scope, const ast::TypeDef& def, TypeId resource,
                           std::vector<Function>& out) {
    std::map<std::string, ast::Span> names;
    bool haveCtor = false;
    for (const ast::ResourceFunc& rf : def.funcs) {
      FunctionKind kind = FunctionKind::kMethod;
      if (rf.kind == ast::ResourceFuncKind::kConstructor) {
        if (haveCtor) return ctx_.error(rf.name.span, "a resource has at most one constructor");
        haveCtor = true;
        kind = FunctionKind::kConstructor;
      } else {
        COMPONO_TRY(declare(names, rf.name));
        if (rf.kind == ast::ResourceFuncKind::kStatic) kind = FunctionKind::kStatic;
      }
      COMPONO_ASSIGN(Function f, function(scope, kind, rf.name, rf.sig, rf.attrs, resource));
      out.push_back(std::move(f));
    }
    return okStatus();
  }

  // --- interfaces -----------------------------------------------------------

  Status resolveInterface(InterfaceId id, const ast::Interface& ast, size_t part, bool named) {
    if (named) {
      COMPONO_TRY(noExternalId(ast.attrs, "an interface"));
      COMPONO_ASSIGN(m_.interfaces[id].meta, meta(ast.attrs, ast.name.span));
    } else {
      m_.interfaces[id].meta.span = span(ast.span);
    }
    Scope scope;
    scope.owner = TypeOwner{OwnerKind::kInterface, id};
    std::vector<TypeId> uses;
    std::vector<LocalType> locals;
    for (const ast::InterfaceItem& item : ast.items) {
      if (const auto* use = std::get_if<ast::Use>(&item)) {
        auto target = declareUse(scope, *use, part, uses);
        if (!target.ok()) return std::move(target).error();
      } else if (const auto* def = std::get_if<ast::TypeDef>(&item)) {
        COMPONO_TRY(declareTypeDef(scope, *def, locals));
      } else if (const auto* func = std::get_if<ast::Func>(&item)) {
        COMPONO_TRY(declare(scope.declared, func->name));
        scope.functions.insert(func->name.name);
      }
    }
    std::vector<TypeId> ordered = uses;
    COMPONO_TRY(resolveTypeDefs(scope, locals, ordered));
    m_.interfaces[id].types = ordered;

    std::vector<Function> functions;
    size_t local = 0;
    for (const ast::InterfaceItem& item : ast.items) {
      if (const auto* def = std::get_if<ast::TypeDef>(&item)) {
        TypeId tid = locals[local++].id;
        if (def->kind == ast::TypeDefKind::kResource) {
          COMPONO_TRY(resourceFunctions(scope, *def, tid, functions));
        }
      } else if (const auto* func = std::get_if<ast::Func>(&item)) {
        COMPONO_ASSIGN(Function f, function(scope, FunctionKind::kFreestanding, func->name,
                                            func->sig, func->attrs));
        functions.push_back(std::move(f));
      }
    }
    m_.interfaces[id].functions = std::move(functions);
    return okStatus();
  }

  // --- worlds ---------------------------------------------------------------

  // The interfaces an interface's `use`s refer to, directly.
  std::vector<InterfaceId> directDeps(InterfaceId id) const {
    std::vector<InterfaceId> out;
    for (TypeId t : m_.interfaces[id].types) {
      const auto* alias = std::get_if<AliasType>(&m_.types[t].kind);
      if (!alias || alias->target.isPrimitive()) continue;
      const TypeOwner& owner = m_.types[alias->target.id].owner;
      if (owner.kind != OwnerKind::kInterface || owner.id == id) continue;
      if (std::find(out.begin(), out.end(), owner.id) == out.end()) out.push_back(owner.id);
    }
    return out;
  }

  // Every interface `id` depends on through `use`, dependencies first,
  // without `id` itself.
  std::vector<InterfaceId> transitiveDeps(InterfaceId id) const {
    std::vector<InterfaceId> order;
    std::set<InterfaceId> seen{id};
    struct Frame {
      InterfaceId node;
      std::vector<InterfaceId> deps;
      size_t next;
    };
    std::vector<Frame> stack;
    stack.push_back({id, directDeps(id), 0});
    while (!stack.empty()) {
      Frame& f = stack.back();
      if (f.next == f.deps.size()) {
        if (f.node != id) order.push_back(f.node);
        stack.pop_back();
        continue;
      }
      InterfaceId d = f.deps[f.next++];
      if (!seen.insert(d).second) continue;
      stack.push_back({d, directDeps(d), 0});
    }
    return order;
  }

  struct WorldBuilder {
    WorldId id;
    std::vector<WorldItem> imports;
    std::vector<WorldItem> exports;
    std::map<InterfaceId, std::pair<size_t, bool>> importedInterfaces;  // -> index, explicit
    std::map<InterfaceId, size_t> exportedInterfaces;
    std::map<std::string, ast::Span> importNames;  // lowercase plain names
    std::map<std::string, ast::Span> exportNames;
    std::vector<std::pair<InterfaceId, ast::Span>> exportChecks;  // exported interface, where
    std::vector<std::pair<InterfaceId, ast::Span>> useTargets;    // world-level `use`
  };

  Status importInterface(WorldBuilder& b, InterfaceId iface, bool isExplicit, const ItemMeta& m,
                         const ast::Span& where) {
    for (InterfaceId dep : transitiveDeps(iface)) {
      if (b.importedInterfaces.count(dep)) continue;
      WorldItem item;
      item.kind = WorldItemKind::kInterface;
      item.interface = dep;
      item.meta.span = m.span;
      b.importedInterfaces[dep] = {b.imports.size(), false};
      b.imports.push_back(std::move(item));
    }
    auto it = b.importedInterfaces.find(iface);
    if (it != b.importedInterfaces.end()) {
      if (isExplicit && it->second.second) {
        return ctx_.error(where, "interface `" + interfaceLabel(iface) + "` is imported twice");
      }
      if (isExplicit) {
        it->second.second = true;
        b.imports[it->second.first].meta = m;
      }
      return okStatus();
    }
    WorldItem item;
    item.kind = WorldItemKind::kInterface;
    item.interface = iface;
    item.meta = m;
    b.importedInterfaces[iface] = {b.imports.size(), isExplicit};
    b.imports.push_back(std::move(item));
    return okStatus();
  }

  Status resolveWorld(WorldId wid, const ast::World& ast, size_t part) {
    COMPONO_TRY(noExternalId(ast.attrs, "a world"));
    COMPONO_ASSIGN(m_.worlds[wid].meta, meta(ast.attrs, ast.name.span));
    WorldBuilder b;
    b.id = wid;
    Scope scope;
    scope.owner = TypeOwner{OwnerKind::kWorld, wid};

    // World-level types first: `use`s (with the interfaces they imply), then
    // definitions in dependency order. They are imports by their names.
    std::vector<LocalType> locals;
    std::vector<std::pair<InterfaceId, std::vector<TypeId>>> useGroups;
    std::vector<const ast::Use*> useAsts;
    for (const ast::WorldItem& item : ast.items) {
      if (const auto* use = std::get_if<ast::Use>(&item)) {
        std::vector<TypeId> aliases;
        COMPONO_ASSIGN(InterfaceId target, declareUse(scope, *use, part, aliases));
        useGroups.emplace_back(target, std::move(aliases));
        useAsts.push_back(use);
      } else if (const auto* def = std::get_if<ast::TypeDef>(&item)) {
        COMPONO_TRY(declareTypeDef(scope, *def, locals));
      }
    }
    std::vector<TypeId> ordered;
    COMPONO_TRY(resolveTypeDefs(scope, locals, ordered));
    b.importNames = scope.declared;
    for (size_t u = 0; u < useGroups.size(); ++u) {
      const ast::Use& use = *useAsts[u];
      ItemMeta m;
      m.span = span(use.span);
      COMPONO_TRY(importInterface(b, useGroups[u].first, false, m, use.span));
      b.useTargets.emplace_back(useGroups[u].first, use.path.span);
      for (TypeId alias : useGroups[u].second) b.imports.push_back(typeItem(alias));
    }
    for (TypeId t : ordered) b.imports.push_back(typeItem(t));
    for (const LocalType& l : locals) {
      if (l.def->kind == ast::TypeDefKind::kResource && !l.def->funcs.empty()) {
        return ctx_.error(l.def->funcs[0].name.span,
                          "resources in worlds cannot have functions; define the resource in an "
                          "interface");
      }
    }

    for (const ast::WorldItem& item : ast.items) {
      if (const auto* ext = std::get_if<ast::Extern>(&item)) {
        COMPONO_TRY(resolveExtern(b, scope, *ext, part));
      } else if (const auto* inc = std::get_if<ast::Include>(&item)) {
        COMPONO_TRY(include(b, *inc));
      }
    }

    // WIT.md "Transitive imports and worlds": what an exported interface
    // uses must be imported or exported by the world.
    for (auto& [iface, where] : b.exportChecks) {
      for (InterfaceId dep : transitiveDeps(iface)) {
        if (b.importedInterfaces.count(dep) || b.exportedInterfaces.count(dep)) continue;
        return ctx_.error(where, "the export `" + interfaceLabel(iface) + "` uses types of `" +
                                     interfaceLabel(dep) + "`, which world `" + ast.name.name +
                                     "` neither imports nor exports");
      }
    }
    for (auto& [iface, where] : b.useTargets) {
      if (b.exportedInterfaces.count(iface)) {
        return ctx_.error(where, "`use` of `" + interfaceLabel(iface) + "` is ambiguous: world `" +
                                     ast.name.name + "` both imports and exports it");
      }
    }
    World& w = m_.worlds[wid];
    w.imports = std::move(b.imports);
    w.exports = std::move(b.exports);
    return okStatus();
  }

  WorldItem typeItem(TypeId t) const {
    WorldItem item;
    item.name = m_.types[t].name;
    item.kind = WorldItemKind::kType;
    item.type = t;
    item.meta = m_.types[t].meta;
    return item;
  }

  Status resolveExtern(WorldBuilder& b, Scope& scope, const ast::Extern& ext, size_t part) {
    using K = ast::Extern::Kind;
    if (ext.kind == K::kPath)
      COMPONO_TRY(noExternalId(ext.attrs, "an interface-named import or export"));
    const ast::Span& where = ext.kind == K::kPath ? ext.path.span : ext.name.span;
    COMPONO_ASSIGN(ItemMeta m, meta(ext.attrs, where));
    WorldItem item;
    item.meta = m;
    if (ext.kind != K::kPath) {
      COMPONO_TRY(declare(ext.isExport ? b.exportNames : b.importNames, ext.name));
      item.name = ext.name.name;
    }
    switch (ext.kind) {
      case K::kPath:
      case K::kNamedPath: {
        COMPONO_ASSIGN(InterfaceId iface, interfacePath(ext.path, part));
        item.kind = WorldItemKind::kInterface;
        item.interface = iface;
        break;
      }
      case K::kInterface: {
        Interface inline_;
        inline_.package = pkg_;
        inline_.world = b.id;
        InterfaceId iface = m_.addInterface(std::move(inline_));
        COMPONO_TRY(resolveInterface(iface, *ext.interface, part, false));
        item.kind = WorldItemKind::kInterface;
        item.interface = iface;
        break;
      }
      case K::kFunc: {
        COMPONO_ASSIGN(Function f,
                       function(scope, FunctionKind::kFreestanding, ext.name, ext.sig, ext.attrs));
        item.kind = WorldItemKind::kFunction;
        item.function = std::move(f);
        break;
      }
    }
    if (!ext.isExport) {
      if (ext.kind == K::kPath) return importInterface(b, item.interface, true, m, where);
      if (item.kind == WorldItemKind::kInterface) {
        for (InterfaceId dep : transitiveDeps(item.interface)) {
          if (!b.importedInterfaces.count(dep))
            COMPONO_TRY(importInterface(b, dep, false, m, where));
        }
      }
      b.imports.push_back(std::move(item));
      return okStatus();
    }
    if (item.kind == WorldItemKind::kInterface) {
      b.exportChecks.emplace_back(item.interface, where);
      if (ext.kind == K::kPath) {
        if (b.exportedInterfaces.count(item.interface)) {
          return ctx_.error(where,
                            "interface `" + interfaceLabel(item.interface) + "` is exported twice");
        }
        b.exportedInterfaces[item.interface] = b.exports.size();
      }
    }
    b.exports.push_back(std::move(item));
    return okStatus();
  }

  // --- include --------------------------------------------------------------

  Type cloneType(const Type& t, const std::map<TypeId, TypeId>& remap) {
    if (t.isPrimitive()) return t;
    if (auto it = remap.find(t.id); it != remap.end()) return Type::def(it->second);
    if (!m_.types[t.id].name.empty()) return t;
    TypeDefKind kind = cloneKind(m_.types[t.id].kind, remap);
    return Type::def(anon(std::move(kind)));
  }

  std::optional<Type> cloneOpt(const std::optional<Type>& t,
                               const std::map<TypeId, TypeId>& remap) {
    if (!t) return std::nullopt;
    return cloneType(*t, remap);
  }

  TypeDefKind cloneKind(TypeDefKind kind, const std::map<TypeId, TypeId>& remap) {
    std::visit(
        [&](auto& k) {
          using K = std::decay_t<decltype(k)>;
          if constexpr (std::is_same_v<K, HandleType>) {
            if (auto it = remap.find(k.resource); it != remap.end()) k.resource = it->second;
          } else if constexpr (std::is_same_v<K, RecordType>) {
            for (Field& f : k.fields) f.type = cloneType(f.type, remap);
          } else if constexpr (std::is_same_v<K, VariantType>) {
            for (Case& c : k.cases) c.type = cloneOpt(c.type, remap);
          } else if constexpr (std::is_same_v<K, TupleType>) {
            for (Type& e : k.types) e = cloneType(e, remap);
          } else if constexpr (std::is_same_v<K, OptionType>) {
            k.type = cloneType(k.type, remap);
          } else if constexpr (std::is_same_v<K, ResultType>) {
            k.ok = cloneOpt(k.ok, remap);
            k.err = cloneOpt(k.err, remap);
          } else if constexpr (std::is_same_v<K, ListType>) {
            k.element = cloneType(k.element, remap);
          } else if constexpr (std::is_same_v<K, MapType>) {
            k.key = cloneType(k.key, remap);
            k.value = cloneType(k.value, remap);
          } else if constexpr (std::is_same_v<K, FutureType> || std::is_same_v<K, StreamType>) {
            k.type = cloneOpt(k.type, remap);
          } else if constexpr (std::is_same_v<K, AliasType>) {
            k.target = cloneType(k.target, remap);
          }
        },
        kind);
    return kind;
  }

  // WIT.md "Union of Worlds with `include`": interface-named items are
  // de-duplicated; plain names must not clash unless renamed with `with`.
  Status include(WorldBuilder& b, const ast::Include& inc) {
    COMPONO_TRY(noExternalId(inc.attrs, "an `include`"));
    COMPONO_ASSIGN(ItemMeta incMeta, meta(inc.attrs, inc.span));
    COMPONO_ASSIGN(WorldId source, worldPath(inc.path));
    if (source == b.id) return ctx_.error(inc.path.span, "a world cannot include itself");
    World src = m_.worlds[source];
    std::map<std::string, const ast::Ident*> renames;
    std::map<std::string, ast::Span> renameSeen;
    for (const auto& [from, to] : inc.with) {
      COMPONO_TRY(declare(renameSeen, from));
      renames[from.name] = &to;
    }
    std::set<std::string> used;
    auto newName = [&](const std::string& name) {
      auto it = renames.find(name);
      if (it == renames.end()) return name;
      used.insert(name);
      return it->second->name;
    };
    auto conflict = [&](const std::string& name, const std::string& renamed, bool isExport) {
      return ctx_.error(inc.path.span,
                        std::string("including `") + src.name +
                            "`: " + (isExport ? "export `" : "import `") + renamed +
                            "` clashes with an existing " + (isExport ? "export" : "import") +
                            " of that name (rename it: `with { " + name + " as NEW-NAME }`)");
    };

    // World-level types of the included world become this world's.
    std::map<TypeId, TypeId> remap;
    for (const WorldItem& item : src.imports) {
      if (item.kind != WorldItemKind::kType) continue;
      TypeDef copy = m_.types[item.type];
      copy.name = newName(item.name);
      copy.owner = TypeOwner{OwnerKind::kWorld, b.id};
      remap[item.type] = m_.addType(std::move(copy));
    }
    for (auto& [from, to] : remap) m_.types[to].kind = cloneKind(m_.types[from].kind, remap);

    for (const WorldItem& item : src.imports) {
      if (item.keyedByInterface()) {
        if (!b.importedInterfaces.count(item.interface)) {
          b.importedInterfaces[item.interface] = {b.imports.size(), false};
          b.imports.push_back(item);
        }
        continue;
      }
      WorldItem copy = item;
      copy.name = newName(item.name);
      std::string key = lowerAscii(copy.name);
      if (b.importNames.count(key)) return conflict(item.name, copy.name, false);
      b.importNames.emplace(key, inc.path.span);
      if (copy.kind == WorldItemKind::kType) copy.type = remap[item.type];
      if (copy.kind == WorldItemKind::kFunction) cloneFunction(copy, remap);
      b.imports.push_back(std::move(copy));
    }
    for (const WorldItem& item : src.exports) {
      if (item.keyedByInterface()) {
        if (!b.exportedInterfaces.count(item.interface)) {
          b.exportedInterfaces[item.interface] = b.exports.size();
          b.exports.push_back(item);
        }
        continue;
      }
      WorldItem copy = item;
      copy.name = newName(item.name);
      std::string key = lowerAscii(copy.name);
      if (b.exportNames.count(key)) return conflict(item.name, copy.name, true);
      b.exportNames.emplace(key, inc.path.span);
      if (copy.kind == WorldItemKind::kFunction) cloneFunction(copy, remap);
      b.exports.push_back(std::move(copy));
    }
    for (const auto& [from, to] : inc.with) {
      if (!used.count(from.name)) {
        return ctx_.error(from.span, "world `" + src.name +
                                         "` has no plain-named import or export `" + from.name +
                                         "` (interface names cannot be renamed)");
      }
    }
    WorldInclude record;
    record.world = source;
    for (const auto& [from, to] : inc.with) record.renames.emplace_back(from.name, to.name);
    record.meta = incMeta;
    m_.worlds[b.id].includes.push_back(std::move(record));
    return okStatus();
  }

  void cloneFunction(WorldItem& item, const std::map<TypeId, TypeId>& remap) {
    item.function.name = item.name;
    for (Param& p : item.function.params) p.type = cloneType(p.type, remap);
    item.function.result = cloneOpt(item.function.result, remap);
  }

  ResolveContext& ctx_;
  Model& m_;
  const PackageSource& src_;
  PackageId pkg_ = kNoId;
  std::vector<LocalInterface> ifaces_;
  std::vector<LocalWorld> worlds_;
  std::map<std::string, size_t> ifaceIndex_;
  std::map<std::string, size_t> worldIndex_;
  std::map<std::string, ast::Span> packageNames_;  // lowercase
  std::vector<std::map<std::string, InterfaceId>> fileUses_;
};

}  // namespace

Result<PackageId> resolvePackage(ResolveContext& ctx, const PackageSource& source) {
  return PackageResolver(ctx, source).run();
}

}  // namespace compono::component::wit
