// Structural comparison of packages (comparePackages in wit.h).
#include <map>
#include <type_traits>

#include "compono/component/wit.h"
#include "compono/component/wit_print.h"

namespace compono::component::wit {
namespace {

class Comparer {
 public:
  Comparer(const Model& a, const Model& b) : a_(a), b_(b) {}

  Status packages(PackageId pa, PackageId pb) {
    const Package& x = a_.packages[pa];
    const Package& y = b_.packages[pb];
    if (!(x.name == y.name))
      return diff("package `" + x.name.toString() + "` vs `" + y.name.toString() + "`");
    std::string where = "package `" + x.name.toString() + "`";
    if (x.meta.docs != y.meta.docs) return diff(where + ": docs differ");
    if (x.stub != y.stub) return diff(where + ": only one side is a stub");
    std::map<std::string, InterfaceId> ia, ib;
    for (InterfaceId i : x.interfaces) ia[a_.interfaces[i].name] = i;
    for (InterfaceId i : y.interfaces) ib[b_.interfaces[i].name] = i;
    COMPONO_TRY(sameKeys(ia, ib, where, "interface"));
    for (auto& [name, id] : ia) {
      COMPONO_TRY(interfaces(id, ib[name], where + ": interface `" + name + "`"));
    }
    std::map<std::string, WorldId> wa, wb;
    for (WorldId w : x.worlds) wa[a_.worlds[w].name] = w;
    for (WorldId w : y.worlds) wb[b_.worlds[w].name] = w;
    COMPONO_TRY(sameKeys(wa, wb, where, "world"));
    for (auto& [name, id] : wa) COMPONO_TRY(worlds(id, wb[name], where + ": world `" + name + "`"));
    return okStatus();
  }

 private:
  static Error diff(const std::string& message) { return Error(ErrorCode::kComponent, message); }

  template <typename Map>
  static Status sameKeys(const Map& x, const Map& y, const std::string& where, const char* what) {
    for (auto& [k, v] : x) {
      if (!y.count(k)) return diff(where + ": " + what + " `" + k + "` only on the first side");
    }
    for (auto& [k, v] : y) {
      if (!x.count(k)) return diff(where + ": " + what + " `" + k + "` only on the second side");
    }
    return okStatus();
  }

  static Status meta(const ItemMeta& x, const ItemMeta& y, const std::string& where) {
    if (x.docs != y.docs) return diff(where + ": docs differ");
    if (!(x.stability == y.stability)) return diff(where + ": feature gates differ");
    if (x.externalId != y.externalId) return diff(where + ": @external-id differs");
    return okStatus();
  }

  Status interfaces(InterfaceId ia, InterfaceId ib, const std::string& where) {
    const Interface& x = a_.interfaces[ia];
    const Interface& y = b_.interfaces[ib];
    if (x.stub != y.stub) return diff(where + ": only one side is a stub");
    if (!x.name.empty()) COMPONO_TRY(meta(x.meta, y.meta, where));
    std::map<std::string, TypeId> ta, tb;
    for (TypeId t : x.types) ta[a_.types[t].name] = t;
    for (TypeId t : y.types) tb[b_.types[t].name] = t;
    COMPONO_TRY(sameKeys(ta, tb, where, "type"));
    for (auto& [name, id] : ta)
      COMPONO_TRY(typeDefs(id, tb[name], where + ": type `" + name + "`"));
    std::map<std::string, const Function*> fa, fb;
    for (const Function& f : x.functions) fa[f.name] = &f;
    for (const Function& f : y.functions) fb[f.name] = &f;
    COMPONO_TRY(sameKeys(fa, fb, where, "function"));
    for (auto& [name, f] : fa) {
      COMPONO_TRY(functions(*f, *fb[name], where + ": function `" + name + "`"));
    }
    return okStatus();
  }

  Status functions(const Function& x, const Function& y, const std::string& where) {
    COMPONO_TRY(meta(x.meta, y.meta, where));
    if (x.kind != y.kind) return diff(where + ": kinds differ");
    if (x.isAsync != y.isAsync) return diff(where + ": only one side is async");
    if (x.params.size() != y.params.size()) return diff(where + ": parameter counts differ");
    for (size_t i = 0; i < x.params.size(); ++i) {
      std::string p = where + ": parameter `" + x.params[i].name + "`";
      if (x.params[i].name != y.params[i].name) return diff(p + " vs `" + y.params[i].name + "`");
      COMPONO_TRY(types(x.params[i].type, y.params[i].type, p));
    }
    return optTypes(x.result, y.result, where + ": result");
  }

  Status optTypes(const std::optional<Type>& x, const std::optional<Type>& y,
                  const std::string& where) {
    if (x.has_value() != y.has_value()) return diff(where + ": present on one side only");
    return x ? types(*x, *y, where) : okStatus();
  }

  // Where a named type lives, independent of ids.
  static std::string ownerName(const Model& m, const TypeOwner& o) {
    switch (o.kind) {
      case OwnerKind::kNone:
        return "";
      case OwnerKind::kInterface: {
        // Inline interfaces are compared per world item; the world that
        // declared one (it may come through `include`) does not matter.
        if (auto n = m.interfaceName(o.id)) return *n;
        return "inline interface";
      }
      case OwnerKind::kWorld: {
        const World& w = m.worlds[o.id];
        std::string p = w.package < m.packages.size() ? m.packages[w.package].name.toString() : "?";
        return p + " world " + w.name;
      }
    }
    return "";
  }

  Status types(const Type& x, const Type& y, const std::string& where) {
    auto mismatch = [&] {
      return diff(where + ": `" + printType(a_, x) + "` vs `" + printType(b_, y) + "`");
    };
    if (x.isPrimitive() || y.isPrimitive()) {
      if (!(x.isPrimitive() && y.isPrimitive() && x.primitive == y.primitive)) return mismatch();
      return okStatus();
    }
    const TypeDef& dx = a_.types[x.id];
    const TypeDef& dy = b_.types[y.id];
    if (dx.name.empty() != dy.name.empty()) return mismatch();
    if (!dx.name.empty()) {
      if (dx.name != dy.name || ownerName(a_, dx.owner) != ownerName(b_, dy.owner))
        return mismatch();
      return okStatus();
    }
    return kinds(effective(a_, x.id), effective(b_, y.id), where);
  }

  // A named structural type and an alias of the same anonymous structure
  // compare equal (`type x = list<u8>` either way), and so do an alias of a
  // resource and a named owned handle to it (`type x = r` either way).
  static TypeDefKind effective(const Model& m, TypeId id) {
    const TypeDefKind& k = m.types[id].kind;
    if (const auto* a = std::get_if<AliasType>(&k)) {
      if (!a->target.isPrimitive() && a->target.id < m.types.size()) {
        const TypeDef& target = m.types[a->target.id];
        if (target.name.empty()) return target.kind;
        if (!std::holds_alternative<HandleType>(target.kind) &&
            m.resourceOf(a->target.id) != kNoId) {
          return HandleType{HandleKind::kOwn, a->target.id};
        }
      }
    }
    return k;
  }

  Status typeDefs(TypeId ia, TypeId ib, const std::string& where) {
    const TypeDef& x = a_.types[ia];
    const TypeDef& y = b_.types[ib];
    COMPONO_TRY(meta(x.meta, y.meta, where));
    return kinds(effective(a_, ia), effective(b_, ib), where);
  }

  Status kinds(const TypeDefKind& x, const TypeDefKind& y, const std::string& where) {
    if (x.index() != y.index()) {
      return diff(where + ": " + typeDefKindName(x) + " vs " + typeDefKindName(y));
    }
    return std::visit(
        [&](const auto& kx) -> Status {
          using K = std::decay_t<decltype(kx)>;
          const K& ky = std::get<K>(y);
          if constexpr (std::is_same_v<K, RecordType>) {
            if (kx.fields.size() != ky.fields.size()) return diff(where + ": field counts differ");
            for (size_t i = 0; i < kx.fields.size(); ++i) {
              std::string f = where + ": field `" + kx.fields[i].name + "`";
              if (kx.fields[i].name != ky.fields[i].name)
                return diff(f + " vs `" + ky.fields[i].name + "`");
              if (kx.fields[i].docs != ky.fields[i].docs) return diff(f + ": docs differ");
              COMPONO_TRY(types(kx.fields[i].type, ky.fields[i].type, f));
            }
          } else if constexpr (std::is_same_v<K, VariantType>) {
            if (kx.cases.size() != ky.cases.size()) return diff(where + ": case counts differ");
            for (size_t i = 0; i < kx.cases.size(); ++i) {
              std::string c = where + ": case `" + kx.cases[i].name + "`";
              if (kx.cases[i].name != ky.cases[i].name)
                return diff(c + " vs `" + ky.cases[i].name + "`");
              if (kx.cases[i].docs != ky.cases[i].docs) return diff(c + ": docs differ");
              COMPONO_TRY(optTypes(kx.cases[i].type, ky.cases[i].type, c));
            }
          } else if constexpr (std::is_same_v<K, EnumType> || std::is_same_v<K, FlagsType>) {
            const std::vector<Label>* lx;
            const std::vector<Label>* ly;
            if constexpr (std::is_same_v<K, EnumType>) {
              lx = &kx.cases, ly = &ky.cases;
            } else {
              lx = &kx.flags, ly = &ky.flags;
            }
            if (lx->size() != ly->size()) return diff(where + ": label counts differ");
            for (size_t i = 0; i < lx->size(); ++i) {
              if ((*lx)[i].name != (*ly)[i].name) {
                return diff(where + ": `" + (*lx)[i].name + "` vs `" + (*ly)[i].name + "`");
              }
              if ((*lx)[i].docs != (*ly)[i].docs)
                return diff(where + ": docs of `" + (*lx)[i].name + "` differ");
            }
          } else if constexpr (std::is_same_v<K, HandleType>) {
            if (kx.kind != ky.kind) return diff(where + ": own vs borrow");
            return types(Type::def(kx.resource), Type::def(ky.resource), where);
          } else if constexpr (std::is_same_v<K, TupleType>) {
            if (kx.types.size() != ky.types.size()) return diff(where + ": tuple sizes differ");
            for (size_t i = 0; i < kx.types.size(); ++i)
              COMPONO_TRY(types(kx.types[i], ky.types[i], where));
          } else if constexpr (std::is_same_v<K, OptionType>) {
            return types(kx.type, ky.type, where);
          } else if constexpr (std::is_same_v<K, ResultType>) {
            COMPONO_TRY(optTypes(kx.ok, ky.ok, where + " (ok)"));
            return optTypes(kx.err, ky.err, where + " (err)");
          } else if constexpr (std::is_same_v<K, ListType>) {
            if (kx.length != ky.length) return diff(where + ": list lengths differ");
            return types(kx.element, ky.element, where);
          } else if constexpr (std::is_same_v<K, MapType>) {
            COMPONO_TRY(types(kx.key, ky.key, where));
            return types(kx.value, ky.value, where);
          } else if constexpr (std::is_same_v<K, FutureType> || std::is_same_v<K, StreamType>) {
            return optTypes(kx.type, ky.type, where);
          } else if constexpr (std::is_same_v<K, AliasType>) {
            return types(kx.target, ky.target, where);
          }
          return okStatus();
        },
        x);
  }

  static std::string itemKey(const Model& m, const WorldItem& item) {
    if (!item.keyedByInterface()) return item.name;
    auto n = m.interfaceName(item.interface);
    return n ? *n : std::string("?");
  }

  Status worldItems(const std::vector<WorldItem>& x, const std::vector<WorldItem>& y,
                    const std::string& where) {
    std::map<std::string, const WorldItem*> ma, mb;
    for (const WorldItem& i : x) ma[itemKey(a_, i)] = &i;
    for (const WorldItem& i : y) mb[itemKey(b_, i)] = &i;
    COMPONO_TRY(sameKeys(ma, mb, where, "item"));
    for (auto& [key, ix] : ma) {
      const WorldItem& iy = *mb[key];
      std::string w = where + " `" + key + "`";
      if (ix->kind != iy.kind) return diff(w + ": kinds differ");
      switch (ix->kind) {
        case WorldItemKind::kInterface: {
          if (!ix->keyedByInterface()) COMPONO_TRY(meta(ix->meta, iy.meta, w));
          const Interface& fx = a_.interfaces[ix->interface];
          const Interface& fy = b_.interfaces[iy.interface];
          if (fx.name.empty() != fy.name.empty()) return diff(w + ": inline on one side only");
          if (fx.name.empty()) {
            COMPONO_TRY(interfaces(ix->interface, iy.interface, w));
          } else if (a_.interfaceName(ix->interface) != b_.interfaceName(iy.interface)) {
            return diff(w + ": different interfaces");
          }
          break;
        }
        case WorldItemKind::kFunction:
          COMPONO_TRY(functions(ix->function, iy.function, w));
          break;
        case WorldItemKind::kType:
          COMPONO_TRY(typeDefs(ix->type, iy.type, w));
          break;
      }
    }
    return okStatus();
  }

  Status worlds(WorldId wa, WorldId wb, const std::string& where) {
    const World& x = a_.worlds[wa];
    const World& y = b_.worlds[wb];
    COMPONO_TRY(meta(x.meta, y.meta, where));
    COMPONO_TRY(worldItems(x.imports, y.imports, where + ": import"));
    return worldItems(x.exports, y.exports, where + ": export");
  }

  const Model& a_;
  const Model& b_;
};

}  // namespace

Status comparePackages(const Model& a, PackageId pa, const Model& b, PackageId pb) {
  if (pa >= a.packages.size() || pb >= b.packages.size()) {
    return Error(ErrorCode::kUsage, "comparePackages: no such package");
  }
  return Comparer(a, b).packages(pa, pb);
}

}  // namespace compono::component::wit
