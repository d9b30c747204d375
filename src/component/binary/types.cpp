#include "component/binary/types.h"

#include <algorithm>

namespace compono::component::binary {

namespace {

// Subtyping of named lists (the validator's rules for instance, component
// and module types): every entry of `wanted` needs an entry of `have` that is
// `same` as it and for which `sub(haveEntry, wantedEntry, why)` holds.
// Messages name the entry by `label` and the list by `what` ("import",
// "export"), `where` ("instance export") in the mismatch.
template <typename T, typename Same, typename Label, typename Sub>
bool everyWantedIsMatched(const std::vector<T>& have, const std::vector<T>& wanted, Same same,
                          Label label, const char* what, const char* where, Sub sub,
                          std::string& why) {
  for (const T& want : wanted) {
    auto it = std::find_if(have.begin(), have.end(), [&](const T& e) { return same(e, want); });
    if (it == have.end()) {
      why = std::string("missing expected ") + what + " `" + label(want) + "`";
      return false;
    }
    if (!sub(*it, want, why)) {
      why = std::string("type mismatch in ") + where + " `" + label(want) + "`: " + why;
      return false;
    }
  }
  return true;
}

bool sameName(const NamedEntity& a, const NamedEntity& b) { return a.name == b.name; }
std::string nameOf(const NamedEntity& e) { return e.name; }

}  // namespace

bool isValueKind(TKind k) { return k <= TKind::kBorrow; }

TypeStore::TypeStore() {
  for (int p = 0; p <= static_cast<int>(PrimValType::kString); ++p) {
    TypeNode n;
    n.kind = TKind::kPrimitive;
    n.prim = static_cast<PrimValType>(p);
    nodes_.push_back(std::move(n));
  }
}

TypeId TypeStore::add(TypeNode node) {
  uint64_t size = 1;
  auto plus = [&](TypeId t) {
    if (t < nodes_.size()) size = std::min<uint64_t>(size + nodes_[t].size, UINT32_MAX);
  };
  for (auto& f : node.fields) {
    if (f.second) plus(*f.second);
  }
  for (TypeId e : node.elements) plus(e);
  if (node.ok) plus(*node.ok);
  if (node.err) plus(*node.err);
  for (auto& p : node.params) plus(p.second);
  if (node.result) plus(*node.result);
  for (auto& e : node.imports) plus(e.entity.type);
  for (auto& e : node.exports) plus(e.entity.type);
  size += node.coreImports.size() + node.coreExports.size();
  node.size = size;
  nodes_.push_back(std::move(node));
  return static_cast<TypeId>(nodes_.size() - 1);
}

TypeId TypeStore::freshResource(std::optional<uint32_t> dtor) {
  TypeNode n;
  n.kind = TKind::kResource;
  n.serial = nextSerial_++;
  n.dtor = dtor;
  return add(std::move(n));
}

TypeId TypeStore::substitute(TypeId id, const ResourceMap& map, std::map<TypeId, TypeId>& memo) {
  if (map.empty() || id == kNoType) return id;
  if (auto it = memo.find(id); it != memo.end()) return it->second;
  // Any type may be mapped (instantiation maps imported types to the
  // arguments' types), not only resources.
  if (auto it = map.find(id); it != map.end()) {
    memo[id] = it->second;
    return it->second;
  }
  TypeId result = id;
  // Copy: `nodes_` may grow (and move) while we recurse.
  const TKind kind = nodes_[id].kind;
  switch (kind) {
    case TKind::kPrimitive:
    case TKind::kFlags:
    case TKind::kEnum:
    case TKind::kModule:
      break;
    case TKind::kResource:
      if (auto it = map.find(id); it != map.end()) result = it->second;
      break;
    default: {
      TypeNode n = nodes_[id];
      bool changed = false;
      auto sub = [&](TypeId& t) {
        TypeId s = substitute(t, map, memo);
        if (s != t) {
          t = s;
          changed = true;
        }
      };
      for (auto& f : n.fields) {
        if (f.second) sub(*f.second);
      }
      for (TypeId& e : n.elements) sub(e);
      if (n.ok) sub(*n.ok);
      if (n.err) sub(*n.err);
      if (n.resource != kNoType) sub(n.resource);
      for (auto& p : n.params) sub(p.second);
      if (n.result) sub(*n.result);
      for (auto& e : n.imports) sub(e.entity.type);
      for (auto& e : n.exports) sub(e.entity.type);
      for (TypeId& r : n.importedResources) sub(r);
      for (TypeId& r : n.definedResources) sub(r);
      if (changed) result = add(std::move(n));
      break;
    }
  }
  memo[id] = result;
  return result;
}

TypeId TypeStore::freshen(TypeId id) {
  const TypeNode& n = nodes_[id];
  if ((n.kind != TKind::kComponent && n.kind != TKind::kInstance) || n.definedResources.empty()) {
    return id;
  }
  ResourceMap map;
  std::vector<TypeId> defined = n.definedResources;
  for (TypeId r : defined) map[r] = freshResource(nodes_[r].dtor);
  std::map<TypeId, TypeId> memo;
  TypeId out = substitute(id, map, memo);
  return out;
}

bool TypeStore::sameResource(TypeId a, TypeId b, ResourceMap& map,
                             const std::set<TypeId>& bindable) const {
  if (auto it = map.find(b); it != map.end()) return it->second == a;
  (void)bindable;
  return a == b;
}

bool TypeStore::equal(TypeId a, TypeId b, const ResourceMap* map) const {
  ResourceMap empty;
  ResourceMap m = map ? *map : empty;
  std::string why;
  return subtypeValue(a, b, m, {}, why);
}

static const char* kindWord(TKind k) {
  switch (k) {
    case TKind::kPrimitive:
      return "primitive";
    case TKind::kRecord:
      return "record";
    case TKind::kVariant:
      return "variant";
    case TKind::kList:
      return "list";
    case TKind::kTuple:
      return "tuple";
    case TKind::kFlags:
      return "flags";
    case TKind::kEnum:
      return "enum";
    case TKind::kOption:
      return "option";
    case TKind::kResult:
      return "result";
    case TKind::kOwn:
      return "own";
    case TKind::kBorrow:
      return "borrow";
    case TKind::kFunc:
      return "func";
    case TKind::kComponent:
      return "component";
    case TKind::kInstance:
      return "instance";
    case TKind::kResource:
      return "resource";
    case TKind::kModule:
      return "module";
  }
  return "?";
}

bool TypeStore::subtypeValue(TypeId a, TypeId b, ResourceMap& map, const std::set<TypeId>& bindable,
                             std::string& why) const {
  if (a == b && map.empty()) return true;
  const TypeNode& x = nodes_[a];
  const TypeNode& y = nodes_[b];
  auto mismatch = [&]() {
    why = "expected " + toString(b) + ", found " + toString(a);
    return false;
  };
  if (x.kind != y.kind) {
    if (x.kind == TKind::kResource || y.kind == TKind::kResource) {
      why = "expected " + std::string(kindWord(y.kind)) + ", found " + kindWord(x.kind);
      return false;
    }
    return mismatch();
  }
  switch (x.kind) {
    case TKind::kPrimitive:
      return x.prim == y.prim || mismatch();
    case TKind::kRecord:
    case TKind::kVariant:
      if (x.fields.size() != y.fields.size()) return mismatch();
      for (size_t i = 0; i < x.fields.size(); ++i) {
        if (x.fields[i].first != y.fields[i].first) return mismatch();
        if (x.fields[i].second.has_value() != y.fields[i].second.has_value()) return mismatch();
        if (x.fields[i].second &&
            !subtypeValue(*x.fields[i].second, *y.fields[i].second, map, bindable, why)) {
          return false;
        }
      }
      return true;
    case TKind::kList:
    case TKind::kOption:
    case TKind::kTuple:
      if (x.elements.size() != y.elements.size()) return mismatch();
      for (size_t i = 0; i < x.elements.size(); ++i) {
        if (!subtypeValue(x.elements[i], y.elements[i], map, bindable, why)) return false;
      }
      return true;
    case TKind::kFlags:
    case TKind::kEnum:
      return x.labels == y.labels || mismatch();
    case TKind::kResult:
      if (x.ok.has_value() != y.ok.has_value() || x.err.has_value() != y.err.has_value()) {
        return mismatch();
      }
      if (x.ok && !subtypeValue(*x.ok, *y.ok, map, bindable, why)) return false;
      if (x.err && !subtypeValue(*x.err, *y.err, map, bindable, why)) return false;
      return true;
    case TKind::kOwn:
    case TKind::kBorrow:
      if (!sameResource(x.resource, y.resource, map, bindable)) {
        why = "resource types are not the same (" + toString(a) + " vs " + toString(b) + ")";
        return false;
      }
      return true;
    case TKind::kResource:
      if (!sameResource(a, b, map, bindable)) {
        why = "resource types are not the same";
        return false;
      }
      return true;
    case TKind::kFunc: {
      if (x.params.size() != y.params.size()) {
        why = "expected " + std::to_string(y.params.size()) + " parameters, found " +
              std::to_string(x.params.size());
        return false;
      }
      for (size_t i = 0; i < x.params.size(); ++i) {
        if (x.params[i].first != y.params[i].first) {
          why = "expected parameter named `" + y.params[i].first + "`, found `" +
                x.params[i].first + "`";
          return false;
        }
        if (!subtypeValue(x.params[i].second, y.params[i].second, map, bindable, why)) {
          why = "type mismatch in function parameter `" + x.params[i].first + "`: " + why;
          return false;
        }
      }
      if (x.result.has_value() != y.result.has_value()) {
        why = y.result ? "expected a result, found none" : "expected no result, found one";
        return false;
      }
      if (x.result && !subtypeValue(*x.result, *y.result, map, bindable, why)) {
        why = "type mismatch with result type: " + why;
        return false;
      }
      return true;
    }
    case TKind::kInstance:
    case TKind::kComponent:
    case TKind::kModule:
      return subtype(a, b, map, bindable, why);
  }
  return false;
}

bool TypeStore::subtype(TypeId a, TypeId b, ResourceMap& map, const std::set<TypeId>& bindable,
                        std::string& why) const {
  const TypeNode& x = nodes_[a];
  const TypeNode& y = nodes_[b];
  if (x.kind != y.kind) {
    why = "expected " + std::string(kindWord(y.kind)) + ", found " + kindWord(x.kind);
    return false;
  }
  // subtypeEntity on two named entities, with these bindings.
  auto entitySubtype = [this](ResourceMap& m, const std::set<TypeId>& bind) {
    return [this, &m, &bind](const NamedEntity& have, const NamedEntity& want, std::string& w) {
      return subtypeEntity(have.entity, want.entity, m, bind, w);
    };
  };
  switch (x.kind) {
    case TKind::kInstance: {
      std::set<TypeId> bind = bindable;
      for (TypeId r : y.definedResources) bind.insert(r);
      return everyWantedIsMatched(x.exports, y.exports, sameName, nameOf, "export",
                                  "instance export", entitySubtype(map, bind), why);
    }
    case TKind::kComponent: {
      // Imports are contravariant: every import `a` needs must be one `b`
      // promises to satisfy (checked with the roles swapped).
      // `a`'s imported resources are bound to `b`'s (importMap: a's -> b's);
      // the exports are then compared with the inverse binding (b's -> a's).
      std::set<TypeId> bindA(x.importedResources.begin(), x.importedResources.end());
      ResourceMap importMap = map;
      if (!everyWantedIsMatched(y.imports, x.imports, sameName, nameOf, "import", "import",
                                entitySubtype(importMap, bindA), why)) {
        return false;
      }
      ResourceMap exportMap = map;
      for (TypeId r : x.importedResources) {
        if (auto it = importMap.find(r); it != importMap.end()) exportMap[it->second] = r;
      }
      std::set<TypeId> bind = bindable;
      for (TypeId r : y.definedResources) bind.insert(r);
      if (!everyWantedIsMatched(x.exports, y.exports, sameName, nameOf, "export", "export",
                                entitySubtype(exportMap, bind), why)) {
        return false;
      }
      // Bindings of the caller's resources made on the way are kept.
      for (auto& [k, v] : exportMap) {
        if (bindable.count(k)) map[k] = v;
      }
      return true;
    }
    case TKind::kModule: {
      auto sub = [](const CoreNamedExtern& have, const CoreNamedExtern& want, std::string& w) {
        return coreExternSubtype(have.type, want.type, w);
      };
      auto sameImport = [](const CoreNamedExtern& p, const CoreNamedExtern& q) {
        return p.module == q.module && p.name == q.name;
      };
      auto importLabel = [](const CoreNamedExtern& e) { return e.module + "::" + e.name; };
      auto sameExport = [](const CoreNamedExtern& p, const CoreNamedExtern& q) {
        return p.name == q.name;
      };
      auto exportLabel = [](const CoreNamedExtern& e) { return e.name; };
      return everyWantedIsMatched(y.coreImports, x.coreImports, sameImport, importLabel, "import",
                                  "import", sub, why) &&
             everyWantedIsMatched(x.coreExports, y.coreExports, sameExport, exportLabel, "export",
                                  "export", sub, why);
    }
    default:
      return subtypeValue(a, b, map, bindable, why);
  }
}

bool TypeStore::subtypeEntity(const Entity& a, const Entity& b, ResourceMap& map,
                              const std::set<TypeId>& bindable, std::string& why) const {
  if (a.kind != b.kind) {
    why = std::string("expected ") + externKindName(b.kind) + ", found " + externKindName(a.kind);
    return false;
  }
  if (a.kind == ExternKind::kType) {
    const TypeNode& want = nodes_[b.type];
    if (want.kind == TKind::kResource) {
      if (nodes_[a.type].kind != TKind::kResource) {
        why = std::string("expected resource, found ") + kindWord(nodes_[a.type].kind) + " type";
        return false;
      }
      if (auto it = map.find(b.type); it != map.end()) {
        if (it->second != a.type) {
          why = "resource types are not the same";
          return false;
        }
        return true;
      }
      if (bindable.count(b.type)) {
        map[b.type] = a.type;
        return true;
      }
      if (a.type != b.type) {
        why = "resource types are not the same";
        return false;
      }
      return true;
    }
  }
  return subtype(a.type, b.type, map, bindable, why);
}

void TypeStore::resources(TypeId id, std::set<TypeId>& out, bool freeOnly) const {
  if (id == kNoType) return;
  const TypeNode& n = nodes_[id];
  switch (n.kind) {
    case TKind::kResource:
      out.insert(id);
      return;
    case TKind::kPrimitive:
    case TKind::kFlags:
    case TKind::kEnum:
    case TKind::kModule:
      return;
    default:
      break;
  }
  std::set<TypeId> inner;
  for (auto& f : n.fields) {
    if (f.second) resources(*f.second, inner, freeOnly);
  }
  for (TypeId e : n.elements) resources(e, inner, freeOnly);
  if (n.ok) resources(*n.ok, inner, freeOnly);
  if (n.err) resources(*n.err, inner, freeOnly);
  if (n.resource != kNoType) inner.insert(n.resource);
  for (auto& p : n.params) resources(p.second, inner, freeOnly);
  if (n.result) resources(*n.result, inner, freeOnly);
  for (auto& e : n.imports) resources(e.entity.type, inner, freeOnly);
  for (auto& e : n.exports) resources(e.entity.type, inner, freeOnly);
  if (freeOnly) {
    for (TypeId r : n.importedResources) inner.erase(r);
    for (TypeId r : n.definedResources) inner.erase(r);
  }
  out.insert(inner.begin(), inner.end());
}

bool TypeStore::containsBorrow(TypeId id) const {
  if (id == kNoType) return false;
  const TypeNode& n = nodes_[id];
  switch (n.kind) {
    case TKind::kBorrow:
      return true;
    case TKind::kRecord:
    case TKind::kVariant:
      for (auto& f : n.fields) {
        if (f.second && containsBorrow(*f.second)) return true;
      }
      return false;
    case TKind::kList:
    case TKind::kOption:
    case TKind::kTuple:
      for (TypeId e : n.elements) {
        if (containsBorrow(e)) return true;
      }
      return false;
    case TKind::kResult:
      return (n.ok && containsBorrow(*n.ok)) || (n.err && containsBorrow(*n.err));
    default:
      return false;
  }
}

std::string TypeStore::toString(TypeId id, int depth) const {
  if (id == kNoType) return "?";
  if (depth > 6) return "...";
  const TypeNode& n = nodes_[id];
  auto sub = [&](TypeId t) { return toString(t, depth + 1); };
  std::string s;
  switch (n.kind) {
    case TKind::kPrimitive:
      return primValTypeName(n.prim);
    case TKind::kRecord:
    case TKind::kVariant:
      s = n.kind == TKind::kRecord ? "record { " : "variant { ";
      for (size_t i = 0; i < n.fields.size(); ++i) {
        if (i) s += ", ";
        s += n.fields[i].first;
        if (n.fields[i].second) {
          s += n.kind == TKind::kRecord ? ": " : "(";
          s += sub(*n.fields[i].second);
          if (n.kind == TKind::kVariant) s += ")";
        }
      }
      return s + " }";
    case TKind::kList:
      return "list<" + sub(n.elements[0]) + ">";
    case TKind::kOption:
      return "option<" + sub(n.elements[0]) + ">";
    case TKind::kTuple:
      s = "tuple<";
      for (size_t i = 0; i < n.elements.size(); ++i) s += (i ? ", " : "") + sub(n.elements[i]);
      return s + ">";
    case TKind::kFlags:
    case TKind::kEnum:
      s = n.kind == TKind::kFlags ? "flags { " : "enum { ";
      for (size_t i = 0; i < n.labels.size(); ++i) s += (i ? ", " : "") + n.labels[i];
      return s + " }";
    case TKind::kResult:
      if (!n.ok && !n.err) return "result";
      return "result<" + (n.ok ? sub(*n.ok) : std::string("_")) +
             (n.err ? ", " + sub(*n.err) : "") + ">";
    case TKind::kOwn:
      return "own<" + sub(n.resource) + ">";
    case TKind::kBorrow:
      return "borrow<" + sub(n.resource) + ">";
    case TKind::kResource:
      return "resource#" + std::to_string(n.serial);
    case TKind::kFunc:
      s = "func(";
      for (size_t i = 0; i < n.params.size(); ++i) {
        s += (i ? ", " : "") + n.params[i].first + ": " + sub(n.params[i].second);
      }
      s += ")";
      if (n.result) s += " -> " + sub(*n.result);
      return s;
    case TKind::kInstance:
    case TKind::kComponent:
      s = n.kind == TKind::kInstance ? "instance {" : "component {";
      for (auto& e : n.imports) s += " import " + e.name + ": " + entityToString(e.entity) + ";";
      for (auto& e : n.exports) s += " export " + e.name + ": " + entityToString(e.entity) + ";";
      return s + " }";
    case TKind::kModule:
      s = "module {";
      for (auto& e : n.coreImports) {
        s += " import " + e.module + "::" + e.name + ": " + coreExternToString(e.type) + ";";
      }
      for (auto& e : n.coreExports)
        s += " export " + e.name + ": " + coreExternToString(e.type) + ";";
      return s + " }";
  }
  return "?";
}

std::string TypeStore::entityToString(const Entity& e) const {
  switch (e.kind) {
    case ExternKind::kType:
      return "type " + toString(e.type, 1);
    case ExternKind::kFunc:
      return toString(e.type, 1);
    default:
      return std::string(externKindName(e.kind)) + " " + toString(e.type, 1);
  }
}

static bool limitsSubtype(const engine::Limits& a, const engine::Limits& b, std::string& why) {
  if (a.is64 != b.is64) {
    why = "mismatch in index type";
    return false;
  }
  if (a.shared != b.shared) {
    why = "mismatch in the shared flag";
    return false;
  }
  if (a.min < b.min) {
    why = "mismatch in size limits: minimum " + std::to_string(a.min) + " is less than " +
          std::to_string(b.min);
    return false;
  }
  if (b.max) {
    if (!a.max || *a.max > *b.max) {
      why = "mismatch in size limits: maximum";
      return false;
    }
  }
  return true;
}

bool coreExternSubtype(const engine::ExternType& a, const engine::ExternType& b, std::string& why) {
  if (a.kind != b.kind) {
    why = std::string("expected ") + engine::externKindName(b.kind) + ", found " +
          engine::externKindName(a.kind);
    return false;
  }
  switch (a.kind) {
    case engine::ExternKind::kFunc:
    case engine::ExternKind::kTag:
      if (!(a.func == b.func)) {
        why = "expected " + b.func.toString() + ", found " + a.func.toString();
        return false;
      }
      return true;
    case engine::ExternKind::kTable:
      if (a.table.element != b.table.element) {
        why = "mismatch in table element type";
        return false;
      }
      return limitsSubtype(a.table.limits, b.table.limits, why);
    case engine::ExternKind::kMemory:
      return limitsSubtype(a.memory.limits, b.memory.limits, why);
    case engine::ExternKind::kGlobal:
      if (a.global.type != b.global.type || a.global.mutable_ != b.global.mutable_) {
        why = "mismatch in global type";
        return false;
      }
      return true;
  }
  return false;
}

std::string coreExternToString(const engine::ExternType& t) { return t.toString(); }

}  // namespace compono::component::binary
