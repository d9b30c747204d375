// `compono validate` and `compono inspect`.
#include <cstdio>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "compono/engine/module.h"

namespace compono::cli {

using namespace compono::engine;
using nlohmann::json;

int validateCommand(const std::string& file, bool asJson) {
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
