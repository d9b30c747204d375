// JSON dump of the model (printJson in wit_print.h).
#include <nlohmann/json.hpp>
#include <type_traits>

#include "compono/component/wit_print.h"

namespace compono::component::wit {
namespace {

using Json = nlohmann::ordered_json;

class JsonWriter {
 public:
  explicit JsonWriter(const Model& m) : m_(m) {}

  Json type(const Type& t) const {
    Json j = {{"wit", printType(m_, t)}};
    if (!t.isPrimitive()) j["id"] = t.id;
    return j;
  }

  Json optType(const std::optional<Type>& t) const { return t ? type(*t) : Json(nullptr); }

  void meta(Json& j, const ItemMeta& m) const {
    if (!m.docs.empty()) j["docs"] = m.docs;
    if (m.stability.since) j["since"] = m.stability.since->toString();
    if (m.stability.unstableFeature) j["unstable"] = *m.stability.unstableFeature;
    if (m.stability.deprecated) j["deprecated"] = m.stability.deprecated->toString();
    if (m.externalId) j["external-id"] = *m.externalId;
    std::string loc = m_.location(m.span);
    if (!loc.empty()) j["location"] = loc;
  }

  Json labels(const std::vector<Label>& ls) const {
    Json a = Json::array();
    for (const Label& l : ls) {
      Json j = {{"name", l.name}};
      if (!l.docs.empty()) j["docs"] = l.docs;
      a.push_back(std::move(j));
    }
    return a;
  }

  Json typeDef(TypeId id) const {
    const TypeDef& d = m_.types[id];
    Json j = {{"id", id}, {"name", d.name}, {"kind", typeDefKindName(d.kind)}};
    std::visit(
        [&](const auto& k) {
          using K = std::decay_t<decltype(k)>;
          if constexpr (std::is_same_v<K, RecordType>) {
            Json fs = Json::array();
            for (const Field& f : k.fields) {
              Json fj = {{"name", f.name}, {"type", type(f.type)}};
              if (!f.docs.empty()) fj["docs"] = f.docs;
              fs.push_back(std::move(fj));
            }
            j["fields"] = std::move(fs);
          } else if constexpr (std::is_same_v<K, VariantType>) {
            Json cs = Json::array();
            for (const Case& c : k.cases) {
              Json cj = {{"name", c.name}, {"type", optType(c.type)}};
              if (!c.docs.empty()) cj["docs"] = c.docs;
              cs.push_back(std::move(cj));
            }
            j["cases"] = std::move(cs);
          } else if constexpr (std::is_same_v<K, EnumType>) {
            j["cases"] = labels(k.cases);
          } else if constexpr (std::is_same_v<K, FlagsType>) {
            j["flags"] = labels(k.flags);
          } else if constexpr (std::is_same_v<K, AliasType>) {
            j["target"] = type(k.target);
            if (!k.target.isPrimitive() && k.target.id < m_.types.size()) {
              const TypeDef& t = m_.types[k.target.id];
              if (!t.name.empty() && !(t.owner == d.owner) &&
                  t.owner.kind == OwnerKind::kInterface) {
                if (auto n = m_.interfaceName(t.owner.id)) j["use"] = *n;
              }
            }
          } else if constexpr (!std::is_same_v<K, ResourceType>) {
            j["type"] = printType(m_, Type::def(id));
          }
        },
        d.kind);
    meta(j, d.meta);
    return j;
  }

  Json function(const Function& f) const {
    static constexpr const char* kKinds[] = {"freestanding", "constructor", "method", "static"};
    Json j = {{"name", f.name}, {"kind", kKinds[static_cast<int>(f.kind)]}};
    if (f.resource != kNoId) j["resource"] = m_.types[f.resource].name;
    if (f.isAsync) j["async"] = true;
    Json ps = Json::array();
    for (const Param& p : f.params) ps.push_back({{"name", p.name}, {"type", type(p.type)}});
    j["params"] = std::move(ps);
    j["result"] = optType(f.result);
    meta(j, f.meta);
    return j;
  }

  Json interface(InterfaceId id) const {
    const Interface& i = m_.interfaces[id];
    Json j;
    if (!i.name.empty()) {
      j["name"] = i.name;
      if (auto n = m_.interfaceName(id)) j["id"] = *n;
    }
    if (i.stub) j["stub"] = true;
    Json ts = Json::array();
    for (TypeId t : i.types) ts.push_back(typeDef(t));
    j["types"] = std::move(ts);
    Json fs = Json::array();
    for (const Function& f : i.functions) fs.push_back(function(f));
    j["functions"] = std::move(fs);
    meta(j, i.meta);
    return j;
  }

  Json item(const WorldItem& it) const {
    Json j;
    static constexpr const char* kKinds[] = {"interface", "function", "type"};
    j["kind"] = kKinds[static_cast<int>(it.kind)];
    if (!it.name.empty()) j["name"] = it.name;
    switch (it.kind) {
      case WorldItemKind::kInterface:
        if (auto n = m_.interfaceName(it.interface)) {
          j["interface"] = *n;
        } else {
          j["interface"] = interface(it.interface);
        }
        break;
      case WorldItemKind::kFunction:
        j["function"] = function(it.function);
        break;
      case WorldItemKind::kType:
        j["type"] = typeDef(it.type);
        break;
    }
    meta(j, it.meta);
    return j;
  }

  Json world(WorldId id) const {
    const World& w = m_.worlds[id];
    Json j = {{"name", w.name}};
    if (w.package < m_.packages.size()) j["package"] = m_.packages[w.package].name.toString();
    Json im = Json::array(), ex = Json::array(), inc = Json::array();
    for (const WorldItem& i : w.imports) im.push_back(item(i));
    for (const WorldItem& e : w.exports) ex.push_back(item(e));
    for (const WorldInclude& i : w.includes) {
      Json r = Json::object();
      for (auto& [from, to] : i.renames) r[from] = to;
      const World& src = m_.worlds[i.world];
      std::string name = src.package < m_.packages.size()
                             ? m_.packages[src.package].name.toString() + "/" + src.name
                             : src.name;
      inc.push_back({{"world", name}, {"with", std::move(r)}});
    }
    j["imports"] = std::move(im);
    j["exports"] = std::move(ex);
    if (!inc.empty()) j["includes"] = std::move(inc);
    meta(j, w.meta);
    return j;
  }

  Json package(PackageId id) const {
    const Package& p = m_.packages[id];
    Json j = {{"name", p.name.toString()}};
    if (p.stub) j["stub"] = true;
    Json is = Json::array(), ws = Json::array();
    for (InterfaceId i : p.interfaces) is.push_back(interface(i));
    for (WorldId w : p.worlds) ws.push_back(world(w));
    j["interfaces"] = std::move(is);
    j["worlds"] = std::move(ws);
    meta(j, p.meta);
    return j;
  }

 private:
  const Model& m_;
};

}  // namespace

std::string printJson(const Model& model, PackageId root, WorldId world) {
  JsonWriter w(model);
  Json j;
  if (world != kNoId && world < model.worlds.size()) {
    j = w.world(world);
  } else {
    if (root < model.packages.size()) j["root"] = model.packages[root].name.toString();
    Json ps = Json::array();
    for (PackageId p = 0; p < model.packages.size(); ++p) ps.push_back(w.package(p));
    j["packages"] = std::move(ps);
  }
  // `replace`: never throw on bytes that are not UTF-8 (hand-built models).
  return j.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

}  // namespace compono::component::wit
