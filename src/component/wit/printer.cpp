// Canonical WIT printer. See compono/component/wit_print.h for the format.
#include <type_traits>

#include "component/wit/lexer.h"
#include "compono/component/wit_print.h"

namespace compono::component::wit {
namespace {

std::string ident(const std::string& name) {
  return keywordKind(name) == Tok::kId ? name : "%" + name;
}

// A package name as WIT text: keyword parts need a '%' (`fz:%flags`), which
// component-level names (PackageName::toString) never have.
std::string packageText(const PackageName& n) {
  std::string s = ident(n.ns) + ":" + ident(n.name);
  if (n.version) s += "@" + n.version->toString();
  return s;
}

std::string quote(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20 || c == 0x7F) {
          static const char* kHex = "0123456789abcdef";
          out += '\\';
          out += kHex[c >> 4];
          out += kHex[c & 15];
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

class Printer {
 public:
  explicit Printer(const Model& m) : m_(m) {}

  std::string type(const Type& t) const {
    if (t.isPrimitive()) return primitiveName(t.primitive);
    if (t.id >= m_.types.size()) return "<bad type id>";
    const TypeDef& d = m_.types[t.id];
    if (!d.name.empty()) return ident(d.name);
    return structure(d.kind);
  }

  // The WIT spelling of a non-nominal kind: list<..>, option<..>, handles, ...
  std::string structure(const TypeDefKind& kind) const {
    auto opt = [&](const std::optional<Type>& t) { return t ? type(*t) : std::string(); };
    return std::visit(
        [&](const auto& k) -> std::string {
          using K = std::decay_t<decltype(k)>;
          if constexpr (std::is_same_v<K, HandleType>) {
            std::string r = k.resource < m_.types.size() ? ident(m_.types[k.resource].name) : "?";
            return k.kind == HandleKind::kOwn ? r : "borrow<" + r + ">";
          } else if constexpr (std::is_same_v<K, ListType>) {
            if (k.length) return "list<" + type(k.element) + ", " + std::to_string(*k.length) + ">";
            return "list<" + type(k.element) + ">";
          } else if constexpr (std::is_same_v<K, OptionType>) {
            return "option<" + type(k.type) + ">";
          } else if constexpr (std::is_same_v<K, ResultType>) {
            if (!k.ok && !k.err) return "result";
            if (!k.err) return "result<" + type(*k.ok) + ">";
            return "result<" + (k.ok ? type(*k.ok) : std::string("_")) + ", " + type(*k.err) + ">";
          } else if constexpr (std::is_same_v<K, TupleType>) {
            std::string s = "tuple<";
            for (size_t i = 0; i < k.types.size(); ++i) s += (i ? ", " : "") + type(k.types[i]);
            return s + ">";
          } else if constexpr (std::is_same_v<K, MapType>) {
            return "map<" + type(k.key) + ", " + type(k.value) + ">";
          } else if constexpr (std::is_same_v<K, FutureType>) {
            return k.type ? "future<" + opt(k.type) + ">" : "future";
          } else if constexpr (std::is_same_v<K, StreamType>) {
            return k.type ? "stream<" + opt(k.type) + ">" : "stream";
          } else if constexpr (std::is_same_v<K, AliasType>) {
            return type(k.target);
          } else {
            return std::string("<anonymous ") + typeDefKindName(TypeDefKind(k)) + ">";
          }
        },
        kind);
  }

  std::string params(const Function& f) const {
    std::string s = "(";
    bool first = true;
    for (size_t i = f.kind == FunctionKind::kMethod ? 1 : 0; i < f.params.size(); ++i) {
      s += (first ? "" : ", ") + ident(f.params[i].name) + ": " + type(f.params[i].type);
      first = false;
    }
    return s + ")";
  }

  // The function as written in its interface, world or resource, without ';'.
  std::string function(const Function& f, const std::string& name) const {
    std::string res = f.result ? " -> " + type(*f.result) : "";
    std::string async = f.isAsync ? "async " : "";
    switch (f.kind) {
      case FunctionKind::kConstructor: {
        bool implicit = false;
        if (f.result && !f.result->isPrimitive() && f.result->id < m_.types.size()) {
          const auto* h = std::get_if<HandleType>(&m_.types[f.result->id].kind);
          implicit = h && h->kind == HandleKind::kOwn && m_.types[f.result->id].name.empty();
        }
        return "constructor" + params(f) + (implicit ? "" : res);
      }
      case FunctionKind::kMethod:
        return ident(f.itemName()) + ": " + async + "func" + params(f) + res;
      case FunctionKind::kStatic:
        return ident(f.itemName()) + ": static " + async + "func" + params(f) + res;
      case FunctionKind::kFreestanding:
        break;
    }
    return ident(name) + ": " + async + "func" + params(f) + res;
  }

  // Docs, gates and @external-id lines before an item.
  void meta(std::string& out, const ItemMeta& m, const std::string& indent) const {
    docs(out, m.docs, indent);
    const Stability& s = m.stability;
    if (s.since) out += indent + "@since(version = " + s.since->toString() + ")\n";
    if (s.unstableFeature)
      out += indent + "@unstable(feature = " + ident(*s.unstableFeature) + ")\n";
    if (s.deprecated) out += indent + "@deprecated(version = " + s.deprecated->toString() + ")\n";
    if (m.externalId) out += indent + "@external-id(" + quote(*m.externalId) + ")\n";
  }

  static void docs(std::string& out, const std::string& text, const std::string& indent) {
    if (text.empty()) return;
    size_t i = 0;
    while (true) {
      size_t nl = text.find('\n', i);
      std::string line = text.substr(i, nl == std::string::npos ? std::string::npos : nl - i);
      out += indent + (line.empty() ? "///" : "/// " + line) + "\n";
      if (nl == std::string::npos) break;
      i = nl + 1;
    }
  }

  // How `from` names an interface: bare inside its own package.
  std::string interfaceRef(InterfaceId id, PackageId from) const {
    const Interface& i = m_.interfaces[id];
    if (i.name.empty() || i.package >= m_.packages.size()) return "<inline interface>";
    if (i.package == from) return ident(i.name);
    const PackageName& n = m_.packages[i.package].name;
    std::string s = ident(n.ns) + ":" + ident(n.name) + "/" + ident(i.name);
    if (n.version) s += "@" + n.version->toString();
    return s;
  }

  // The interface a `use`d alias comes from, or kNoId when `t` is not a use.
  InterfaceId useSource(TypeId t) const {
    const TypeDef& d = m_.types[t];
    const auto* a = std::get_if<AliasType>(&d.kind);
    if (!a || a->target.isPrimitive() || a->target.id >= m_.types.size()) return kNoId;
    const TypeDef& target = m_.types[a->target.id];
    if (target.name.empty() || target.owner == d.owner) return kNoId;
    if (target.owner.kind != OwnerKind::kInterface) return kNoId;
    return target.owner.id;
  }

  // `use x.{a, b as c};` for a run of aliases, grouped by source and gates.
  void uses(std::string& out, const std::vector<TypeId>& aliases, PackageId from,
            const std::string& indent) const {
    std::vector<bool> done(aliases.size());
    for (size_t i = 0; i < aliases.size(); ++i) {
      if (done[i]) continue;
      InterfaceId src = useSource(aliases[i]);
      const Stability& st = m_.types[aliases[i]].meta.stability;
      std::string names;
      for (size_t j = i; j < aliases.size(); ++j) {
        if (done[j] || useSource(aliases[j]) != src ||
            !(m_.types[aliases[j]].meta.stability == st)) {
          continue;
        }
        done[j] = true;
        const TypeDef& d = m_.types[aliases[j]];
        const TypeDef& target = m_.types[std::get<AliasType>(d.kind).target.id];
        std::string n = ident(target.name);
        if (target.name != d.name) n += " as " + ident(d.name);
        names += (names.empty() ? "" : ", ") + n;
      }
      ItemMeta m;
      m.stability = st;
      meta(out, m, indent);
      out += indent + "use " + interfaceRef(src, from) + ".{" + names + "};\n";
    }
  }

  // A named type definition (not a `use`).
  std::string typeDef(TypeId id, const std::vector<Function>* functions,
                      const std::string& indent) const {
    const TypeDef& d = m_.types[id];
    std::string out;
    meta(out, d.meta, indent);
    std::string in2 = indent + "  ";
    std::string name = ident(d.name);
    std::visit(
        [&](const auto& k) {
          using K = std::decay_t<decltype(k)>;
          if constexpr (std::is_same_v<K, RecordType>) {
            out += indent + "record " + name + " {\n";
            for (const Field& f : k.fields) {
              docs(out, f.docs, in2);
              out += in2 + ident(f.name) + ": " + type(f.type) + ",\n";
            }
            out += indent + "}\n";
          } else if constexpr (std::is_same_v<K, VariantType>) {
            out += indent + "variant " + name + " {\n";
            for (const Case& c : k.cases) {
              docs(out, c.docs, in2);
              out += in2 + ident(c.name) + (c.type ? "(" + type(*c.type) + ")" : "") + ",\n";
            }
            out += indent + "}\n";
          } else if constexpr (std::is_same_v<K, EnumType> || std::is_same_v<K, FlagsType>) {
            const std::vector<Label>* labels;
            if constexpr (std::is_same_v<K, EnumType>) {
              out += indent + "enum " + name + " {\n";
              labels = &k.cases;
            } else {
              out += indent + "flags " + name + " {\n";
              labels = &k.flags;
            }
            for (const Label& l : *labels) {
              docs(out, l.docs, in2);
              out += in2 + ident(l.name) + ",\n";
            }
            out += indent + "}\n";
          } else if constexpr (std::is_same_v<K, ResourceType>) {
            std::string body;
            if (functions) {
              for (const Function& f : *functions) {
                if (f.kind == FunctionKind::kFreestanding || f.resource != id) continue;
                meta(body, f.meta, in2);
                body += in2 + function(f, f.name) + ";\n";
              }
            }
            out += indent + "resource " + name +
                   (body.empty() ? ";\n" : " {\n" + body + indent + "}\n");
          } else if constexpr (std::is_same_v<K, AliasType>) {
            out += indent + "type " + name + " = " + type(k.target) + ";\n";
          } else {
            out += indent + "type " + name + " = " + structure(d.kind) + ";\n";
          }
        },
        d.kind);
    return out;
  }

  static bool multiLine(const std::string& s) {
    size_t nl = s.find('\n');
    return nl != std::string::npos && nl + 1 < s.size();
  }

  // Joins items, with a blank line around multi-line ones.
  static void joinBlocks(std::string& out, const std::vector<std::string>& blocks) {
    for (size_t i = 0; i < blocks.size(); ++i) {
      if (i > 0 && (multiLine(blocks[i]) || multiLine(blocks[i - 1]))) out += "\n";
      out += blocks[i];
    }
  }

  // The items of an interface (named or inline), indented, as written in
  // package `from` (an inline interface may come from another package's
  // world through `include`).
  std::string interfaceBody(InterfaceId id, PackageId from, const std::string& indent) const {
    const Interface& iface = m_.interfaces[id];
    std::string out;
    std::vector<TypeId> aliases;
    std::vector<std::string> typeBlocks;
    for (TypeId t : iface.types) {
      if (useSource(t) != kNoId) {
        aliases.push_back(t);
      } else {
        typeBlocks.push_back(typeDef(t, &iface.functions, indent));
      }
    }
    std::vector<std::string> funcBlocks;
    for (const Function& f : iface.functions) {
      if (f.kind != FunctionKind::kFreestanding) continue;
      std::string b;
      meta(b, f.meta, indent);
      b += indent + function(f, f.name) + ";\n";
      funcBlocks.push_back(std::move(b));
    }
    std::string useText;
    uses(useText, aliases, from, indent);
    std::string types, funcs;
    joinBlocks(types, typeBlocks);
    joinBlocks(funcs, funcBlocks);
    for (const std::string* section : {&useText, &types, &funcs}) {
      if (section->empty()) continue;
      if (!out.empty()) out += "\n";
      out += *section;
    }
    return out;
  }

  std::string interface(InterfaceId id, const std::string& indent) const {
    const Interface& iface = m_.interfaces[id];
    std::string out;
    meta(out, iface.meta, indent);
    out += indent + "interface " + ident(iface.name) + " {\n" +
           interfaceBody(id, iface.package, indent + "  ") + indent + "}\n";
    return out;
  }

  std::string worldItem(const WorldItem& item, bool isExport, PackageId from,
                        const std::string& indent) const {
    std::string out;
    std::string kw = isExport ? "export " : "import ";
    if (item.kind == WorldItemKind::kType) return typeDef(item.type, nullptr, indent);
    meta(out, item.meta, indent);
    if (item.kind == WorldItemKind::kFunction) {
      return out + indent + kw + function(item.function, item.name) + ";\n";
    }
    if (item.keyedByInterface())
      return out + indent + kw + interfaceRef(item.interface, from) + ";\n";
    const Interface& iface = m_.interfaces[item.interface];
    if (!iface.name.empty()) {
      return out + indent + kw + ident(item.name) + ": " + interfaceRef(item.interface, from) +
             ";\n";
    }
    return out + indent + kw + ident(item.name) + ": interface {\n" +
           interfaceBody(item.interface, from, indent + "  ") + indent + "}\n";
  }

  std::string world(WorldId id, const std::string& indent) const {
    const World& w = m_.worlds[id];
    std::string out;
    meta(out, w.meta, indent);
    out += indent + "world " + ident(w.name) + " {\n";
    std::string in2 = indent + "  ";
    std::vector<std::string> blocks;
    std::vector<TypeId> pendingUses;
    auto flushUses = [&] {
      if (pendingUses.empty()) return;
      std::string u;
      uses(u, pendingUses, w.package, in2);
      blocks.push_back(std::move(u));
      pendingUses.clear();
    };
    for (const WorldItem& item : w.imports) {
      if (item.kind == WorldItemKind::kType && useSource(item.type) != kNoId) {
        pendingUses.push_back(item.type);
        continue;
      }
      flushUses();
      blocks.push_back(worldItem(item, false, w.package, in2));
    }
    flushUses();
    std::string body;
    joinBlocks(body, blocks);
    blocks.clear();
    for (const WorldItem& item : w.exports) blocks.push_back(worldItem(item, true, w.package, in2));
    std::string exports;
    joinBlocks(exports, blocks);
    if (!body.empty() && !exports.empty()) body += "\n";
    return out + body + exports + indent + "}\n";
  }

  // The interfaces and worlds of a package, blank-line separated.
  std::string packageItems(PackageId id, const std::string& indent) const {
    const Package& p = m_.packages[id];
    std::string out;
    for (InterfaceId i : p.interfaces) {
      if (m_.interfaces[i].stub) continue;
      if (!out.empty()) out += "\n";
      out += interface(i, indent);
    }
    for (WorldId w : p.worlds) {
      if (!out.empty()) out += "\n";
      out += world(w, indent);
    }
    return out;
  }

 private:
  const Model& m_;
};

}  // namespace

std::string printPackage(const Model& model, PackageId package, const PrintOptions& options) {
  if (package >= model.packages.size()) return "";
  Printer p(model);
  const Package& pkg = model.packages[package];
  std::string out;
  Printer::docs(out, pkg.meta.docs, "");
  out += "package " + packageText(pkg.name) + ";\n";
  std::string items = p.packageItems(package, "");
  if (!items.empty()) out += "\n" + items;
  if (options.withDependencies) {
    for (PackageId id = 0; id < model.packages.size(); ++id) {
      const Package& dep = model.packages[id];
      if (id == package || dep.stub) continue;
      out += "\n";
      Printer::docs(out, dep.meta.docs, "");
      out += "package " + packageText(dep.name) + " {\n" + p.packageItems(id, "  ") + "}\n";
    }
  }
  return out;
}

std::string printWorld(const Model& model, WorldId world) {
  if (world >= model.worlds.size()) return "";
  const World& w = model.worlds[world];
  std::string out;
  if (w.package < model.packages.size()) {
    out += "package " + packageText(model.packages[w.package].name) + ";\n\n";
  }
  return out + Printer(model).world(world, "");
}

std::string printType(const Model& model, const Type& type) { return Printer(model).type(type); }

std::string printFunction(const Model& model, const Function& function) {
  return Printer(model).function(function, function.name);
}

}  // namespace compono::component::wit
