// Internal: the C bindings generator (see compono/component/bindgen.h).
//
// CGenerator walks one world and produces the header and the glue source.
// It is split by concern:
//  - c_types.cpp: names, C type definitions, `_free` functions;
//  - c_glue.cpp: lifting and lowering between C values and core values,
//    export glue, import wrappers, resource intrinsics;
//  - c_generator.cpp: the driver that assembles the two files.
//
// The C representation of every value type has exactly the canonical ABI
// layout on wasm32 (records as structs, variants as a discriminant followed
// by a union, ...), so values in linear memory are copied with memcpy and
// only flat (core value) lifting and lowering is generated per type.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "component/runtime/abi.h"
#include "compono/component/bindgen.h"
#include "compono/component/wit.h"
#include "compono/result.h"

namespace compono::component::bindgen {

// A growing block of C code with indentation.
class Code {
 public:
  void line(const std::string& text);
  void blank() { text_ += "\n"; }
  void indent() { depth_ += 1; }
  void dedent() { depth_ -= 1; }
  void raw(const std::string& text) { text_ += text; }
  const std::string& text() const { return text_; }
  // `open` (a line ending in "{"), the statements `body` emits one level
  // deeper, then "}".
  template <typename Body>
  void block(const std::string& open, Body&& body) {
    line(open);
    indent();
    body();
    dedent();
    line("}");
  }

 private:
  std::string text_;
  int depth_ = 0;
};

// `switch (disc)` with a `case i: { ... break; }` for each i < cases that
// `selected(i)`, its statements from `body(i)`, and an empty default.
void emitCaseSwitch(Code& code, const std::string& disc, size_t cases,
                    const std::function<bool(size_t)>& selected,
                    const std::function<void(size_t)>& body);

// One flat (core) value: a C expression and its core type.
struct Flat {
  std::string expr;
  engine::ValType type = engine::ValType::kI32;
};

// How a function's result reaches the C caller or callee.
enum class ResultMode : uint8_t {
  kNone,    // no result: void
  kScalar,  // returned by value
  kOption,  // bool return (is some) + `T *ret`
  kResult,  // bool return (is ok) + `T *ret` (if ok has a payload) + `E *err` (if err has one)
  kOutPtr,  // void return + `T *ret`
};

// Where a function lives and what it is called.
struct FuncSite {
  const wit::Function* func = nullptr;
  std::string prefix;  // C prefix of the interface or world ("example_calc_logger")
  std::string module;  // core import module / export name prefix ("example:calc/logger@0.1.0")
  bool worldLevel = false;
  std::string where;  // for messages: "interface `example:calc/logger@0.1.0`"
};

// A function's parameter and result types and their core (flat) forms.
struct CoreShape {
  std::vector<wit::Type> paramTypes, resultTypes;
  engine::FuncType sig;  // lifted (export) or lowered (import) core signature
  std::vector<engine::ValType> flatParams, flatResults;
};

class CGenerator {
 public:
  CGenerator(const wit::Model& model, wit::WorldId world, const COptions& options);
  Result<CBindings> run();

 private:
  // ---- c_types.cpp ----
  // Names.
  Status assignPrefixes();
  std::string typeName(wit::Type t);  // the C type of a value type
  std::string mangle(wit::Type t);    // a name fragment for anonymous types
  std::string funcName(const FuncSite& site) const;
  // The Type with aliases of primitives replaced by the primitive.
  wit::Type norm(wit::Type t) const;
  const wit::TypeDef* defOf(wit::Type t) const;  // dealiased definition, or null for primitives
  bool isScalar(wit::Type t) const;
  bool needsFree(wit::Type t) const;
  bool hasMemory(wit::Type t) const;  // strings or lists inside
  bool isExportedResource(wit::TypeId resource) const;
  std::string resourcePrefix(wit::TypeId resource) const;  // prefix of the resource's owner
  std::string resourceModule(wit::TypeId resource) const;  // core module of its owner
  Status checkSupported(wit::Type t, const std::string& where);
  // Definitions.
  void defineType(wit::Type t);
  void defineTypeDef(wit::TypeId id);
  void emitDocs(Code& code, const std::string& docs);
  void emitFreeFunction(wit::Type t, const std::string& name);
  // Statements that release what `lvalue` (of type t) owns. With
  // `dropHandles`, own handles are dropped too (user `_free`); without, only
  // memory is freed (post-return: handles were given to the caller).
  void emitRelease(Code& code, wit::Type t, const std::string& lvalue, bool dropHandles);
  void emitCollectBorrows(Code& code, wit::Type t, const std::string& lvalue);
  bool hasImportedBorrow(wit::Type t) const;

  // ---- c_glue.cpp ----
  std::string tmp(const std::string& stem);
  void liftFlat(Code& code, wit::Type t, const std::vector<Flat>& in, size_t& pos,
                const std::string& dest);
  void lowerFlat(Code& code, wit::Type t, const std::string& src, std::vector<Flat>& out);
  ResultMode resultMode(const wit::Function& f) const;
  // The user-facing prototype: "bool example_..._find(..., uint32_t *ret)".
  std::string prototype(const FuncSite& site);
  CoreShape coreShape(const wit::Function& f, bool lower);
  // "int32_t arg0, int64_t arg1" ("void" for none).
  static std::string coreParamList(const engine::FuncType& sig);
  void emitExport(const FuncSite& site);
  void emitImport(const FuncSite& site);
  void emitImportedResource(wit::TypeId resource);
  void emitExportedResource(wit::TypeId resource);
  void emitHelpers();

  const wit::Model& model_;
  wit::WorldId worldId_;
  const wit::World& world_;
  COptions options_;
  abi::TypeView tv_;
  std::string w_;  // world prefix ("basic_world")

  // Interface -> C prefix and core module name; import side wins when an
  // interface is both imported and exported.
  std::unordered_map<wit::InterfaceId, std::string> ifacePrefix_;
  std::unordered_map<wit::InterfaceId, std::string> ifaceModule_;
  std::set<wit::InterfaceId> exportedIfaces_;
  std::set<wit::InterfaceId> importedIfaces_;

  std::set<std::string> definedNames_;  // C type names already emitted
  std::set<wit::TypeId> definedIds_;
  std::set<wit::TypeId> resourcesDone_;
  std::map<std::string, std::string> freeFunctions_;  // C type name -> free function name

  Code types_;        // header: type definitions
  Code freeDecls_;    // header: free functions
  Code importDecls_;  // header: imported functions
  Code exportDecls_;  // header: functions the guest implements
  Code resourceDecls_;
  Code source_;               // .c: glue
  Code freeDefs_;             // .c: free function bodies
  uint32_t retAreaSize_ = 0;  // of the shared export return area
  uint32_t tmpCounter_ = 0;
  bool needBorrowHelpers_ = false;  // some export takes borrows of imported resources
  std::vector<std::string> staticAsserts_;
};

// Identifier helpers (c_types.cpp).
std::string snakeCase(const std::string& witName);    // "add-s64" -> "add_s64"
std::string cIdentifier(const std::string& witName);  // snake case, C keywords escaped
std::string upperCase(const std::string& s);
const char* coreCType(engine::ValType t);  // int32_t, int64_t, float, double

}  // namespace compono::component::bindgen
