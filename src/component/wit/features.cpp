// Uses of post-0.2 features (unsupportedFeatures in wit.h).
#include <set>
#include <type_traits>

#include "compono/component/wit.h"

namespace compono::component::wit {
namespace {

class FeatureScan {
 public:
  FeatureScan(const Model& m, std::vector<FeatureUse>& out) : m_(m), out_(out) {}

  void interface(InterfaceId id) {
    const Interface& iface = m_.interfaces[id];
    for (TypeId t : iface.types) typeDef(t);
    for (const Function& f : iface.functions) function(f);
  }

  void world(WorldId id) {
    const World& w = m_.worlds[id];
    for (const auto* items : {&w.imports, &w.exports}) {
      for (const WorldItem& item : *items) {
        if (item.meta.externalId && item.kind == WorldItemKind::kInterface) {
          add(item.meta.span, "`@external-id` on `" + item.name + "`");
        }
        switch (item.kind) {
          case WorldItemKind::kInterface:
            if (m_.interfaces[item.interface].name.empty() &&
                inline_.insert(item.interface).second) {
              interface(item.interface);
            }
            break;
          case WorldItemKind::kFunction:
            function(item.function);
            break;
          case WorldItemKind::kType:
            typeDef(item.type);
            break;
        }
      }
    }
  }

 private:
  void add(const SourceSpan& span, std::string what) {
    for (const FeatureUse& u : out_) {
      if (u.what == what && u.span.file == span.file && u.span.line == span.line &&
          u.span.column == span.column) {
        return;
      }
    }
    out_.push_back(FeatureUse{span, std::move(what)});
  }

  void typeDef(TypeId id) {
    const TypeDef& d = m_.types[id];
    if (d.meta.externalId) add(d.meta.span, "`@external-id` on type `" + d.name + "`");
    std::string where = "type `" + d.name + "`";
    std::visit(
        [&](const auto& k) {
          using K = std::decay_t<decltype(k)>;
          if constexpr (std::is_same_v<K, RecordType>) {
            for (const Field& f : k.fields) type(f.type, d.meta.span, where);
          } else if constexpr (std::is_same_v<K, VariantType>) {
            for (const Case& c : k.cases) {
              if (c.type) type(*c.type, d.meta.span, where);
            }
          } else if constexpr (std::is_same_v<K, AliasType>) {
            type(k.target, d.meta.span, where);
          } else {
            shape(d.kind, d.meta.span, where);
          }
        },
        d.kind);
  }

  void function(const Function& f) {
    std::string where = "function `" + f.name + "`";
    if (f.isAsync) add(f.meta.span, "async " + where + " (post-0.2)");
    if (f.meta.externalId) add(f.meta.span, "`@external-id` on " + where);
    for (const Param& p : f.params) type(p.type, f.meta.span, where);
    if (f.result) type(*f.result, f.meta.span, where);
  }

  // Anonymous structure only: named types are reported where defined.
  void type(const Type& t, const SourceSpan& span, const std::string& where) {
    if (t.isPrimitive()) {
      if (t.primitive == Primitive::kErrorContext)
        add(span, "`error-context` in " + where + " (async, post-0.2)");
      return;
    }
    if (t.id >= m_.types.size() || !m_.types[t.id].name.empty()) return;
    shape(m_.types[t.id].kind, span, where);
  }

  void shape(const TypeDefKind& kind, const SourceSpan& span, const std::string& where) {
    auto opt = [&](const std::optional<Type>& t) {
      if (t) type(*t, span, where);
    };
    std::visit(
        [&](const auto& k) {
          using K = std::decay_t<decltype(k)>;
          if constexpr (std::is_same_v<K, FutureType>) {
            add(span, "`future` in " + where + " (async, post-0.2)");
            opt(k.type);
          } else if constexpr (std::is_same_v<K, StreamType>) {
            add(span, "`stream` in " + where + " (async, post-0.2)");
            opt(k.type);
          } else if constexpr (std::is_same_v<K, MapType>) {
            add(span, "`map` in " + where + " (post-0.2)");
            type(k.key, span, where);
            type(k.value, span, where);
          } else if constexpr (std::is_same_v<K, ListType>) {
            if (k.length) add(span, "fixed-length `list<T, N>` in " + where + " (post-0.2)");
            type(k.element, span, where);
          } else if constexpr (std::is_same_v<K, OptionType>) {
            type(k.type, span, where);
          } else if constexpr (std::is_same_v<K, ResultType>) {
            opt(k.ok);
            opt(k.err);
          } else if constexpr (std::is_same_v<K, TupleType>) {
            for (const Type& e : k.types) type(e, span, where);
          } else if constexpr (std::is_same_v<K, AliasType>) {
            type(k.target, span, where);
          }
        },
        kind);
  }

  const Model& m_;
  std::vector<FeatureUse>& out_;
  std::set<InterfaceId> inline_;
};

}  // namespace

std::vector<FeatureUse> unsupportedFeatures(const Model& model, PackageId package) {
  std::vector<FeatureUse> out;
  if (package >= model.packages.size()) return out;
  FeatureScan scan(model, out);
  for (InterfaceId i : model.packages[package].interfaces) scan.interface(i);
  for (WorldId w : model.packages[package].worlds) scan.world(w);
  return out;
}

}  // namespace compono::component::wit
