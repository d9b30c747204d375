// The WIT syntax tree: what one file says, before any name is resolved.
// Internal to the component layer. Produced by parser.h, consumed by the
// resolver. Every node keeps the span where it starts, for error messages.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "compono/component/wit.h"

namespace compono::component::wit::ast {

struct Span {
  uint32_t file = 0;  // index in the loader's file list
  uint32_t line = 0;
  uint32_t column = 0;
};

struct Ident {
  std::string name;
  Span span;
};

enum class GateKind : uint8_t { kSince, kUnstable, kDeprecated };
struct Gate {
  GateKind kind = GateKind::kSince;
  std::string value;  // the version text, or the feature name
  Span span;          // of the `@`
  Span valueSpan;
};

// Docs and annotations before an item.
struct Attrs {
  std::string docs;
  std::vector<Gate> gates;
  std::optional<std::string> externalId;
  Span externalIdSpan;
};

// `ns:name[@version]`; the version is kept as text and checked by the
// resolver (so that a bad version is a resolution error at its span).
struct PackageName {
  Ident ns;
  Ident name;
  std::optional<std::string> version;
  Span versionSpan;
  Span span;
};

// `id` or `ns:pkg/id[@version]`.
struct UsePath {
  std::optional<PackageName> package;
  Ident name;  // the interface (or world, in `include`)
  Span span;
};

enum class TypeKind : uint8_t {
  kPrimitive,
  kNamed,   // a type name in scope
  kList,    // args[0]; length for list<T, N>
  kMap,     // args[0], args[1]
  kOption,  // args[0]
  kResult,  // ok/err flags say which args exist, ok first
  kTuple,   // args
  kBorrow,  // name
  kOwn,     // name
  kFuture,  // args[0] optional
  kStream,  // args[0] optional
};

struct Type {
  TypeKind kind = TypeKind::kPrimitive;
  Primitive primitive = Primitive::kBool;
  Ident name;  // kNamed, kBorrow, kOwn
  std::vector<Type> args;
  std::optional<uint32_t> length;  // kList
  bool hasOk = false;              // kResult
  bool hasErr = false;             // kResult
  Span span;
};

struct Param {
  Ident name;
  Type type;
};

struct FuncSig {
  bool isAsync = false;
  std::vector<Param> params;
  std::optional<Type> result;
  Span span;  // of `func` (or `async`)
};

struct Field {
  Attrs attrs;
  Ident name;
  Type type;
};

struct Case {
  Attrs attrs;
  Ident name;
  std::optional<Type> type;
};

enum class ResourceFuncKind : uint8_t { kMethod, kStatic, kConstructor };
struct ResourceFunc {
  Attrs attrs;
  ResourceFuncKind kind = ResourceFuncKind::kMethod;
  Ident name;  // the constructor: "constructor" at the keyword's span
  FuncSig sig;
};

enum class TypeDefKind : uint8_t { kRecord, kVariant, kEnum, kFlags, kResource, kAlias };
struct TypeDef {
  Attrs attrs;
  TypeDefKind kind = TypeDefKind::kAlias;
  Ident name;
  std::vector<Field> fields;        // record
  std::vector<Case> cases;          // variant, and enum/flags (no payloads)
  std::vector<ResourceFunc> funcs;  // resource
  std::optional<Type> target;       // alias
  Span span;                        // of the keyword
};

struct UseName {
  Ident name;
  std::optional<Ident> as;
};

// `use path.{a, b as c};` inside an interface or world.
struct Use {
  Attrs attrs;
  UsePath path;
  std::vector<UseName> names;
  Span span;
};

struct Func {
  Attrs attrs;
  Ident name;
  FuncSig sig;
};

using InterfaceItem = std::variant<Use, TypeDef, Func>;

struct Interface {
  Attrs attrs;
  Ident name;  // empty for an inline interface
  std::vector<InterfaceItem> items;
  Span span;
};

// import/export in a world.
struct Extern {
  enum class Kind : uint8_t {
    kPath,       // `import wasi:cli/stdout@0.2.12;` / `import iface;`
    kFunc,       // `import name: func(...);`
    kInterface,  // `import name: interface { ... }`
    kNamedPath,  // `import name: path;`
  };
  Attrs attrs;
  bool isExport = false;
  Kind kind = Kind::kPath;
  Ident name;                            // not for kPath
  UsePath path;                          // kPath, kNamedPath
  FuncSig sig;                           // kFunc
  std::shared_ptr<Interface> interface;  // kInterface
  Span span;                             // of `import` / `export`
};

struct Include {
  Attrs attrs;
  UsePath path;
  std::vector<std::pair<Ident, Ident>> with;
  Span span;
};

using WorldItem = std::variant<Extern, Use, TypeDef, Include>;

struct World {
  Attrs attrs;
  Ident name;
  std::vector<WorldItem> items;
  Span span;
};

// `use path [as name];` at the top level of a file or package block.
struct TopUse {
  Attrs attrs;
  UsePath path;
  std::optional<Ident> as;
  Span span;
};

using PackageItem = std::variant<TopUse, Interface, World>;

struct PackageDecl {
  Attrs attrs;
  PackageName name;
  Span span;
};

// `package a:b@1.0.0 { ... }`.
struct NestedPackage {
  PackageDecl decl;
  std::vector<PackageItem> items;
};

struct File {
  uint32_t index = 0;  // in the loader's file list
  std::optional<PackageDecl> decl;
  std::vector<PackageItem> items;  // top-level items of the file's own package
  std::vector<NestedPackage> nested;
};

}  // namespace compono::component::wit::ast
