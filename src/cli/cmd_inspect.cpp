// `compono validate` and `compono inspect`.
#include <cstdio>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "compono/component/binary.h"
#include "compono/component/component_wit.h"
#include "compono/component/validate.h"
#include "compono/component/wit_print.h"
#include "compono/engine/module.h"

namespace compono::cli {

using namespace compono::engine;
using nlohmann::json;
namespace cm = compono::component;
namespace wit = compono::component::wit;

// ---- components ------------------------------------------------------------------

// Reads FILE when it is a component binary (nullopt: not a component, so the
// core-module path handles it); decoding errors are returned.
static std::optional<Result<cm::Component>> readComponent(const std::string& file) {
  auto bytes = readFileBytes(file);
  if (!bytes.ok() || !cm::isComponentBinary(*bytes)) return std::nullopt;
  return cm::decodeComponent(*bytes, file);
}

// Core modules and nested components defined directly in a component, and
// at any depth.
struct ComponentCounts {
  size_t coreModules = 0;
  size_t components = 0;
  size_t allCoreModules = 0;
  size_t allComponents = 0;
};

static ComponentCounts countNested(const cm::Component& c) {
  ComponentCounts n;
  for (const cm::Definition& d : c.definitions) {
    if (std::holds_alternative<cm::CoreModule>(d.item)) {
      ++n.coreModules;
      ++n.allCoreModules;
    }
    if (auto* nested = std::get_if<cm::NestedComponent>(&d.item)) {
      ++n.components;
      ComponentCounts inner = countNested(nested->get());
      n.allCoreModules += inner.allCoreModules;
      n.allComponents += 1 + inner.allComponents;
    }
  }
  return n;
}

// "2 nested components, 0 core modules (in all: 4 components, 5 core modules)"
static std::string countsText(const ComponentCounts& n) {
  std::string s = std::to_string(n.components) + " nested components, " +
                  std::to_string(n.coreModules) + " core modules";
  if (n.allComponents != n.components || n.allCoreModules != n.coreModules) {
    s += " (in all: " + std::to_string(n.allComponents) + " components, " +
         std::to_string(n.allCoreModules) + " core modules)";
  }
  return s;
}

static int validateComponentFile(const std::string& file, const cm::Component& c, bool asJson) {
  Status s = cm::validateComponent(c, file);
  ComponentCounts n = countNested(c);
  if (asJson) {
    json j = {{"file", file}, {"kind", "component"}, {"valid", s.ok()}};
    if (!s.ok()) {
      j["error"] = s.error().oneLine();
      j["phase"] = errorCodeName(s.error().code);
    }
    std::printf("%s\n", j.dump(2).c_str());
    return s.ok() ? kExitOk : kExitUserError;
  }
  if (!s.ok()) return printError(s.error()), kExitUserError;
  std::printf("%s: valid component (%llu bytes, %s)\n", file.c_str(),
              static_cast<unsigned long long>(c.size), countsText(n).c_str());
  return kExitOk;
}

// One line per named type of an interface: "record point { x: s32, y: s32 }".
static std::string typeLine(const wit::Model& m, wit::TypeId id) {
  const wit::TypeDef& d = m.types[id];
  std::string s;
  auto list = [&](const std::vector<std::string>& items) {
    std::string out = " {";
    for (size_t i = 0; i < items.size(); ++i) out += (i ? ", " : " ") + items[i];
    return out + " }";
  };
  std::vector<std::string> items;
  if (auto* r = std::get_if<wit::RecordType>(&d.kind)) {
    for (auto& f : r->fields) items.push_back(f.name + ": " + wit::printType(m, f.type));
    return "record " + d.name + list(items);
  }
  if (auto* v = std::get_if<wit::VariantType>(&d.kind)) {
    for (auto& c : v->cases) items.push_back(c.name + (c.type ? "(" + wit::printType(m, *c.type) + ")" : ""));
    return "variant " + d.name + list(items);
  }
  if (auto* e = std::get_if<wit::EnumType>(&d.kind)) {
    for (auto& c : e->cases) items.push_back(c.name);
    return "enum " + d.name + list(items);
  }
  if (auto* f = std::get_if<wit::FlagsType>(&d.kind)) {
    for (auto& c : f->flags) items.push_back(c.name);
    return "flags " + d.name + list(items);
  }
  if (std::holds_alternative<wit::ResourceType>(d.kind)) return "resource " + d.name;
  if (auto* a = std::get_if<wit::AliasType>(&d.kind)) {
    if (!a->target.isPrimitive() && a->target.id < m.types.size()) {
      const wit::TypeDef& t = m.types[a->target.id];
      if (!t.name.empty() && t.owner.kind == wit::OwnerKind::kInterface && !(t.owner == d.owner)) {
        auto from = m.interfaceName(t.owner.id);
        return "use " + (from ? *from : std::string("?")) + ".{" + t.name +
               (t.name == d.name ? "" : " as " + d.name) + "}";
      }
    }
    return "type " + d.name + " = " + wit::printType(m, a->target);
  }
  return std::string(wit::typeDefKindName(d.kind)) + " " + d.name;
}

// The WIT text of one world item, indented lines after the first.
static std::vector<std::string> itemLines(const wit::Model& m, const wit::WorldItem& item) {
  std::vector<std::string> out;
  switch (item.kind) {
    case wit::WorldItemKind::kFunction:
      out.push_back(wit::printFunction(m, item.function));
      break;
    case wit::WorldItemKind::kType:
      out.push_back(typeLine(m, item.type));
      break;
    case wit::WorldItemKind::kInterface: {
      const wit::Interface& i = m.interfaces[item.interface];
      auto name = m.interfaceName(item.interface);
      out.push_back((item.name.empty() ? (name ? *name : std::string("?")) : item.name) +
                    ": interface");
      for (wit::TypeId t : i.types) {
        out.push_back("  " + typeLine(m, t));
        if (std::holds_alternative<wit::ResourceType>(m.types[t].kind)) {
          for (const wit::Function& f : i.functions) {
            if (f.kind != wit::FunctionKind::kFreestanding && f.resource == t) {
              out.push_back("    " + wit::printFunction(m, f));
            }
          }
        }
      }
      for (const wit::Function& f : i.functions) {
        if (f.kind == wit::FunctionKind::kFreestanding) out.push_back("  " + wit::printFunction(m, f));
      }
      break;
    }
  }
  return out;
}

static json itemJson(const wit::Model& m, const wit::WorldItem& item) {
  json j;
  std::vector<std::string> lines = itemLines(m, item);
  switch (item.kind) {
    case wit::WorldItemKind::kFunction:
      j["name"] = item.name;
      j["kind"] = "func";
      j["wit"] = lines[0];
      break;
    case wit::WorldItemKind::kType:
      j["name"] = item.name;
      j["kind"] = "type";
      j["wit"] = lines[0];
      break;
    case wit::WorldItemKind::kInterface: {
      auto name = m.interfaceName(item.interface);
      j["name"] = item.name.empty() ? (name ? *name : std::string()) : item.name;
      j["kind"] = "instance";
      json body = json::array();
      for (size_t i = 1; i < lines.size(); ++i) body.push_back(lines[i].substr(2));
      j["wit"] = body;
      break;
    }
  }
  return j;
}

static json nestedJson(const cm::Component& c);

static json definitionsJson(const cm::Component& c) {
  json modules = json::array();
  json components = json::array();
  for (const cm::Definition& d : c.definitions) {
    if (auto* m = std::get_if<cm::CoreModule>(&d.item)) {
      modules.push_back({{"index", d.index}, {"offset", m->begin}, {"size", m->size}});
    } else if (auto* n = std::get_if<cm::NestedComponent>(&d.item)) {
      json x = nestedJson(n->get());
      x["index"] = d.index;
      components.push_back(x);
    }
  }
  return json{{"coreModules", modules}, {"components", components}};
}

static json nestedJson(const cm::Component& c) {
  json j = {{"offset", c.offset}, {"size", c.size}};
  json imports = json::array(), exports = json::array();
  for (const cm::Import* i : c.imports()) {
    imports.push_back({{"name", i->name.name}, {"kind", cm::externKindName(i->desc.kind)}});
  }
  for (const cm::Export* e : c.exports()) {
    exports.push_back({{"name", e->name.name}, {"kind", cm::sortName(e->item.sort)}});
  }
  j["imports"] = imports;
  j["exports"] = exports;
  json defs = definitionsJson(c);
  j["coreModules"] = defs["coreModules"];
  j["components"] = defs["components"];
  return j;
}

static void printNested(const cm::Component& c, const std::string& indent) {
  for (const cm::Definition& d : c.definitions) {
    if (auto* m = std::get_if<cm::CoreModule>(&d.item)) {
      std::printf("%score module %u: offset 0x%llx, %llu bytes\n", indent.c_str(), d.index,
                  static_cast<unsigned long long>(m->begin), static_cast<unsigned long long>(m->size));
    } else if (auto* n = std::get_if<cm::NestedComponent>(&d.item)) {
      const cm::Component& inner = n->get();
      std::printf("%scomponent %u: offset 0x%llx, %llu bytes, %zu imports, %zu exports\n",
                  indent.c_str(), d.index, static_cast<unsigned long long>(inner.offset),
                  static_cast<unsigned long long>(inner.size), inner.imports().size(),
                  inner.exports().size());
      for (const cm::Import* i : inner.imports()) {
        std::printf("%s  import %s (%s)\n", indent.c_str(), i->name.name.c_str(),
                    cm::externKindName(i->desc.kind));
      }
      for (const cm::Export* e : inner.exports()) {
        std::printf("%s  export %s (%s)\n", indent.c_str(), e->name.name.c_str(),
                    cm::sortName(e->item.sort));
      }
      printNested(inner, indent + "  ");
    }
  }
}

static int inspectComponentFile(const std::string& file, const cm::Component& c, bool asJson) {
  auto w = cm::componentWorld(c, file);
  if (!w.ok()) return printError(w.error()), kExitUserError;
  const wit::Model& m = w->model;
  const wit::World& world = m.worlds[w->world];
  ComponentCounts n = countNested(c);
  if (asJson) {
    json j;
    j["file"] = file;
    j["kind"] = "component";
    j["size"] = c.size;
    j["imports"] = json::array();
    for (const wit::WorldItem& i : world.imports) j["imports"].push_back(itemJson(m, i));
    j["exports"] = json::array();
    for (const wit::WorldItem& e : world.exports) j["exports"].push_back(itemJson(m, e));
    json defs = definitionsJson(c);
    j["coreModules"] = defs["coreModules"];
    j["components"] = defs["components"];
    json counts = json::object();
    for (size_t s = 0; s < cm::kSortCount; ++s) {
      if (c.counts[s]) counts[cm::sortName(static_cast<cm::Sort>(s))] = c.counts[s];
    }
    j["indexSpaces"] = counts;
    j["sections"] = json::array();
    for (const cm::SectionSpan& s : c.sections) {
      j["sections"].push_back({{"id", static_cast<int>(s.id)}, {"name", cm::sectionName(s.id)},
                               {"offset", s.offset}, {"size", s.size}, {"definitions", s.count}});
    }
    j["wit"] = wit::printWorld(m, w->world);
    std::printf("%s\n", j.dump(2).c_str());
    return kExitOk;
  }
  std::printf("%s: component, %llu bytes, %s\n", file.c_str(),
              static_cast<unsigned long long>(c.size), countsText(n).c_str());
  std::printf("imports (%zu):\n", world.imports.size());
  for (const wit::WorldItem& i : world.imports) {
    for (const std::string& line : itemLines(m, i)) std::printf("  %s\n", line.c_str());
  }
  std::printf("exports (%zu):\n", world.exports.size());
  for (const wit::WorldItem& e : world.exports) {
    for (const std::string& line : itemLines(m, e)) std::printf("  %s\n", line.c_str());
  }
  std::printf("definitions:\n");
  printNested(c, "  ");
  std::printf("index spaces:");
  for (size_t s = 0; s < cm::kSortCount; ++s) {
    if (c.counts[s]) std::printf(" %s %u;", cm::sortName(static_cast<cm::Sort>(s)), c.counts[s]);
  }
  std::printf("\nsections: %zu\n", c.sections.size());
  return kExitOk;
}

int validateCommand(const std::string& file, bool asJson) {
  if (auto c = readComponent(file)) {
    if (!c->ok()) {
      if (asJson) {
        json j = {{"file", file}, {"kind", "component"}, {"valid", false},
                  {"error", c->error().oneLine()}, {"phase", errorCodeName(c->error().code)}};
        std::printf("%s\n", j.dump(2).c_str());
        return kExitUserError;
      }
      return printError(c->error()), kExitUserError;
    }
    return validateComponentFile(file, **c, asJson);
  }
  Engine engine;
  auto m = Module::fromFile(engine, file);
  if (asJson) {
    json j = {{"file", file}, {"valid", m.ok()}};
    if (!m.ok()) {
      j["error"] = m.error().oneLine();
      j["phase"] = errorCodeName(m.error().code);
    }
    std::printf("%s\n", j.dump(2).c_str());
    return m.ok() ? kExitOk : kExitUserError;
  }
  if (!m.ok()) return printError(m.error()), kExitUserError;
  std::printf("%s: valid core module (%zu bytes)\n", file.c_str(), (*m)->bytes().size());
  return kExitOk;
}

static json limitsJson(const Limits& l) {
  json j = {{"min", l.min}};
  if (l.max) j["max"] = *l.max;
  if (l.shared) j["shared"] = true;
  if (l.is64) j["index"] = "i64";
  return j;
}

static json externJson(const ExternType& t) {
  json j = {{"kind", externKindName(t.kind)}};
  auto types = [](const std::vector<ValType>& v) {
    json a = json::array();
    for (ValType x : v) a.push_back(valTypeName(x));
    return a;
  };
  switch (t.kind) {
    case ExternKind::kFunc:
    case ExternKind::kTag:
      j["params"] = types(t.func.params);
      j["results"] = types(t.func.results);
      break;
    case ExternKind::kTable:
      j["element"] = valTypeName(t.table.element);
      j["limits"] = limitsJson(t.table.limits);
      break;
    case ExternKind::kMemory: j["limits"] = limitsJson(t.memory.limits); break;
    case ExternKind::kGlobal:
      j["type"] = valTypeName(t.global.type);
      j["mutable"] = t.global.mutable_;
      break;
  }
  return j;
}

int inspectCommand(const std::string& file, bool asJson) {
  if (auto c = readComponent(file)) {
    if (!c->ok()) return printError(c->error()), kExitUserError;
    return inspectComponentFile(file, **c, asJson);
  }
  Engine engine;
  auto m = Module::fromFile(engine, file);
  if (!m.ok()) return printError(m.error()), kExitUserError;
  const ModuleInfo& info = (*m)->info();
  if (asJson) {
    json j;
    j["file"] = file;
    j["kind"] = "core-module";
    j["size"] = info.byteSize;
    j["sha256"] = (*m)->sha256();
    if (!info.name.empty()) j["name"] = info.name;
    j["imports"] = json::array();
    for (auto& i : info.imports) {
      json e = externJson(i.type);
      e["module"] = i.module;
      e["name"] = i.name;
      j["imports"].push_back(e);
    }
    j["exports"] = json::array();
    for (auto& e : info.exports) {
      json x = externJson(e.type);
      x["name"] = e.name;
      j["exports"].push_back(x);
    }
    j["memories"] = json::array();
    for (auto& mem : info.memories) j["memories"].push_back(limitsJson(mem.limits));
    j["tables"] = json::array();
    for (auto& t : info.tables) {
      j["tables"].push_back({{"element", valTypeName(t.element)}, {"limits", limitsJson(t.limits)}});
    }
    j["globals"] = json::array();
    for (auto& g : info.globals) {
      j["globals"].push_back({{"type", valTypeName(g.type)}, {"mutable", g.mutable_}});
    }
    j["functions"] = {{"imported", info.importedFuncs}, {"defined", info.definedFuncs}};
    j["dataSegments"] = info.dataSegments;
    j["elemSegments"] = info.elemSegments;
    if (info.startFunc) j["start"] = *info.startFunc;
    j["sections"] = json::array();
    j["customSections"] = json::array();
    for (auto& s : info.sections) {
      json x = {{"id", s.id}, {"name", s.name}, {"offset", s.offset}, {"size", s.size}};
      j["sections"].push_back(x);
      if (s.id == 0) j["customSections"].push_back({{"name", s.name}, {"size", s.size}});
    }
    std::printf("%s\n", j.dump(2).c_str());
    return kExitOk;
  }
  std::printf("%s: core module, %llu bytes, sha256 %s\n", file.c_str(),
              static_cast<unsigned long long>(info.byteSize), (*m)->sha256().c_str());
  if (!info.name.empty()) std::printf("name: %s\n", info.name.c_str());
  std::printf("imports (%zu):\n", info.imports.size());
  for (auto& i : info.imports) {
    std::printf("  %s.%s: %s\n", i.module.c_str(), i.name.c_str(), i.type.toString().c_str());
  }
  std::printf("exports (%zu):\n", info.exports.size());
  for (auto& e : info.exports) std::printf("  %s: %s\n", e.name.c_str(), e.type.toString().c_str());
  std::printf("functions: %u imported, %u defined", info.importedFuncs, info.definedFuncs);
  if (info.startFunc) std::printf(", start function %u", *info.startFunc);
  std::printf("\n");
  ExternType t;
  for (size_t i = 0; i < info.memories.size(); ++i) {
    t.kind = ExternKind::kMemory;
    t.memory = info.memories[i];
    std::printf("memory %zu: %s\n", i, t.toString().c_str());
  }
  for (size_t i = 0; i < info.tables.size(); ++i) {
    t.kind = ExternKind::kTable;
    t.table = info.tables[i];
    std::printf("table %zu: %s\n", i, t.toString().c_str());
  }
  for (size_t i = 0; i < info.globals.size(); ++i) {
    t.kind = ExternKind::kGlobal;
    t.global = info.globals[i];
    std::printf("global %zu: %s\n", i, t.toString().c_str());
  }
  std::printf("segments: %u data, %u element\n", info.dataSegments, info.elemSegments);
  std::printf("sections:\n");
  for (auto& s : info.sections) {
    std::printf("  %-10s %s%-24s offset 0x%llx, %llu bytes\n", s.id == 0 ? "custom" : s.name.c_str(),
                s.id == 0 ? "\"" : "", s.id == 0 ? (s.name + "\"").c_str() : "",
                static_cast<unsigned long long>(s.offset), static_cast<unsigned long long>(s.size));
  }
  return kExitOk;
}

}  // namespace compono::cli
