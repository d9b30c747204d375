// compono/component/wit.h — the resolved WIT model: packages, interfaces,
// worlds, type definitions and functions, with every name resolved.
//
// This is the foundation of the component layer: the WIT loader
// (wit_load.h) produces it from text, the component decoder produces it from
// a binary's types, and the printer (wit_print.h), the canonical ABI, host
// bindings and generators consume it. Spec: WebAssembly/component-model,
// design/mvp/WIT.md.
//
// Ownership and thread safety: a Model is a plain value. Cross references
// are indices (PackageId, InterfaceId, WorldId, TypeId) into the arenas of
// the Model that holds them; they stay valid while the Model lives and are
// meaningless in another Model. Copy or move freely; concurrent const access
// is safe.
//
// Invariants. The loader guarantees them; code that builds a Model by hand
// (e.g. from a decoded component) must keep them, or printing and the ABI
// give unspecified (but memory-safe) results:
//  - Every stored id indexes its arena.
//  - Interface::types and World type imports name only named TypeDefs owned
//    by that interface or world. `use`d types come first, then the others in
//    dependency order: a type refers only to types listed before it, to
//    anonymous types, or to types owned by other interfaces.
//  - A `use`d type is an AliasType TypeDef owned by the using interface or
//    world whose target is a named TypeDef owned by another interface. A
//    `type x = y` alias targets a type of the same owner or a non-named type.
//  - A value that holds a resource (a parameter, field, payload, element)
//    is an anonymous HandleType TypeDef: kOwn for a bare resource name,
//    kBorrow for `borrow<r>`. A resource TypeDef's id appears bare only as an
//    alias target or a handle's resource.
//  - Resource functions live in their interface's `functions` with their
//    component-level names "[constructor]r", "[method]r.f", "[static]r.f";
//    methods take an explicit first parameter `self: borrow<r>`; an
//    infallible constructor returns `own<r>`.
//  - Names are unique case-insensitively in their scope (an interface's types
//    and functions; a world's imports; a world's exports; fields, cases,
//    flags and parameters of one definition).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "compono/result.h"

namespace compono::component::wit {

using PackageId = uint32_t;
using InterfaceId = uint32_t;
using WorldId = uint32_t;
using TypeId = uint32_t;
inline constexpr uint32_t kNoId = UINT32_MAX;

// A semantic version (semver.org 2.0): MAJOR.MINOR.PATCH[-PRE][+BUILD].
struct Version {
  uint64_t major = 0;
  uint64_t minor = 0;
  uint64_t patch = 0;
  std::string prerelease;  // without the leading '-'; empty when absent
  std::string build;       // without the leading '+'; empty when absent

  // Strict: three numeric parts without leading zeros, non-empty dot-separated
  // identifiers of [0-9A-Za-z-] (numeric pre-release identifiers without
  // leading zeros). The error (kDecode) says what is wrong, without location.
  static Result<Version> parse(std::string_view text);
  std::string toString() const;
  friend bool operator==(const Version&, const Version&) = default;
};

// `namespace:name[@version]`.
struct PackageName {
  std::string ns;
  std::string name;
  std::optional<Version> version;

  std::string toString() const;  // "wasi:cli@0.2.12"
  // The component-level name of an interface of this package:
  // "wasi:cli/stdout@0.2.12".
  std::string interfaceName(std::string_view interface) const;
  friend bool operator==(const PackageName&, const PackageName&) = default;
};

// Where a definition came from. `file` indexes Model::files; kNoId when the
// definition has no source text (e.g. decoded from a binary). Line and
// column are 1-based; columns count Unicode scalar values.
struct SourceSpan {
  uint32_t file = kNoId;
  uint32_t line = 0;
  uint32_t column = 0;
  bool known() const { return file != kNoId; }
};

// Feature gates (WIT.md "Feature Gates"): `@since(version = V)` or
// `@unstable(feature = F)` (never both), optionally `@deprecated(version = V)`.
// Kept as written; the model does not drop gated items.
struct Stability {
  std::optional<Version> since;
  std::optional<std::string> unstableFeature;
  std::optional<Version> deprecated;
  bool empty() const { return !since && !unstableFeature && !deprecated; }
  friend bool operator==(const Stability&, const Stability&) = default;
};

// Every piece of metadata an item can carry. `docs` holds the text of `///`
// (or `/** */`) comments, one line per '\n', without the comment markers and
// without the single space that usually follows `///`.
struct ItemMeta {
  std::string docs;
  Stability stability;
  std::optional<std::string> externalId;  // @external-id("...") (post-0.2)
  SourceSpan span;
};

enum class Primitive : uint8_t {
  kBool,
  kS8,
  kU8,
  kS16,
  kU16,
  kS32,
  kU32,
  kS64,
  kU64,
  kF32,
  kF64,
  kChar,
  kString,
  kErrorContext,  // post-0.2 (async)
};
// The WIT keyword: "u32", "string", "error-context".
const char* primitiveName(Primitive p);

// A value type: a primitive, or a reference to a TypeDef (named or anonymous).
struct Type {
  enum class Kind : uint8_t { kPrimitive, kDefined };
  Kind kind = Kind::kPrimitive;
  Primitive primitive = Primitive::kBool;  // kPrimitive
  TypeId id = kNoId;                       // kDefined

  static Type prim(Primitive p) { return Type{Kind::kPrimitive, p, kNoId}; }
  static Type def(TypeId id) { return Type{Kind::kDefined, Primitive::kBool, id}; }
  bool isPrimitive() const { return kind == Kind::kPrimitive; }
  friend bool operator==(const Type&, const Type&) = default;
};

struct Field {
  std::string name;
  Type type;
  std::string docs;
};
struct Case {
  std::string name;
  std::optional<Type> type;  // the payload, if any
  std::string docs;
};
// A flag of a `flags` or a case of an `enum`.
struct Label {
  std::string name;
  std::string docs;
};

struct RecordType {
  std::vector<Field> fields;  // at least one
};
// An abstract resource. Its constructor, methods and static functions are in
// the owner's function list (see Function::resource).
struct ResourceType {};
enum class HandleKind : uint8_t { kOwn, kBorrow };
struct HandleType {
  HandleKind kind = HandleKind::kOwn;
  TypeId resource = kNoId;  // a ResourceType, or an AliasType chain ending at one
};
struct FlagsType {
  std::vector<Label> flags;  // at least one
};
struct TupleType {
  std::vector<Type> types;  // at least one
};
struct VariantType {
  std::vector<Case> cases;  // at least one
};
struct EnumType {
  std::vector<Label> cases;  // at least one
};
struct OptionType {
  Type type;
};
// `result`, `result<T>`, `result<_, E>`, `result<T, E>`.
struct ResultType {
  std::optional<Type> ok;
  std::optional<Type> err;
};
struct ListType {
  Type element;
  std::optional<uint32_t> length;  // `list<T, N>`: fixed-length list (post-0.2)
};
struct MapType {  // `map<K, V>` (post-0.2)
  Type key;
  Type value;
};
struct FutureType {  // `future` / `future<T>` (post-0.2, async)
  std::optional<Type> type;
};
struct StreamType {  // `stream` / `stream<T>` (post-0.2, async)
  std::optional<Type> type;
};
// `type name = target;`, and every `use`d name (see the invariants above).
struct AliasType {
  Type target;
};

using TypeDefKind =
    std::variant<RecordType, ResourceType, HandleType, FlagsType, TupleType, VariantType, EnumType,
                 OptionType, ResultType, ListType, MapType, FutureType, StreamType, AliasType>;
// "record", "resource", "handle", "flags", "tuple", "variant", "enum",
// "option", "result", "list", "map", "future", "stream", "alias".
const char* typeDefKindName(const TypeDefKind& kind);

enum class OwnerKind : uint8_t { kNone, kInterface, kWorld };
struct TypeOwner {
  OwnerKind kind = OwnerKind::kNone;
  uint32_t id = kNoId;  // InterfaceId or WorldId
  friend bool operator==(const TypeOwner&, const TypeOwner&) = default;
};

struct TypeDef {
  std::string name;  // empty for anonymous types (list<..>, option<..>, handles, ...)
  TypeDefKind kind;
  TypeOwner owner;  // kNone for anonymous types
  ItemMeta meta;
};

enum class FunctionKind : uint8_t { kFreestanding, kConstructor, kMethod, kStatic };

struct Param {
  std::string name;
  Type type;
};

struct Function {
  // The component-level name: "f", "[constructor]r", "[method]r.f", "[static]r.f".
  std::string name;
  FunctionKind kind = FunctionKind::kFreestanding;
  TypeId resource = kNoId;    // the ResourceType for the three resource kinds
  std::vector<Param> params;  // methods: params[0] is `self: borrow<resource>`
  std::optional<Type> result;
  bool isAsync = false;  // `async func` (post-0.2)
  ItemMeta meta;

  // The name as written in WIT: "f" for "[method]r.f" and "[static]r.f", "f"
  // for "f", the resource's name for a constructor.
  std::string itemName() const;
};

struct Interface {
  // Empty for an inline interface of a world (`import x: interface { ... }`).
  std::string name;
  PackageId package = kNoId;
  WorldId world = kNoId;            // an inline interface: the world it was declared in
  std::vector<TypeId> types;        // named types; order per the invariants above
  std::vector<Function> functions;  // declaration order, resource functions included
  // Contents unknown: an interface of a package that was not available
  // (LoadOptions::allowMissingPackages). Only its name is meaningful.
  bool stub = false;
  ItemMeta meta;
};

enum class WorldItemKind : uint8_t { kInterface, kFunction, kType };

// One import or export of a world. Keyed either by an interface
// (`import wasi:cli/stdout@0.2.12;`: `name` empty, `interface` named) or by a
// plain name (`import run: func();`, `import host: interface { ... }`,
// `import primary: wasi:keyvalue/store;`).
struct WorldItem {
  std::string name;  // the plain name; empty when keyed by the interface
  WorldItemKind kind = WorldItemKind::kInterface;
  InterfaceId interface = kNoId;  // kInterface: named, or inline (anonymous)
  Function function;              // kFunction (function.name == name)
  TypeId type = kNoId;            // kType (imports only): a TypeDef owned by the world
  ItemMeta meta;

  bool keyedByInterface() const { return name.empty(); }
};

// An `include` as written. Already merged into the including world's
// imports and exports; kept for provenance only.
struct WorldInclude {
  WorldId world = kNoId;
  std::vector<std::pair<std::string, std::string>> renames;  // `with { a as b }`
  ItemMeta meta;
};

struct World {
  std::string name;
  PackageId package = kNoId;
  // Elaborated: includes merged, and every interface that an imported
  // interface (or a world-level `use`) depends on imported before it.
  std::vector<WorldItem> imports;
  std::vector<WorldItem> exports;
  std::vector<WorldInclude> includes;
  ItemMeta meta;
};

struct Package {
  PackageName name;
  std::vector<InterfaceId> interfaces;  // named interfaces, in source order
  std::vector<WorldId> worlds;          // in source order
  // Contents unknown (see Interface::stub); interfaces are added on demand.
  bool stub = false;
  ItemMeta meta;
};

class Model {
 public:
  std::vector<std::string> files;  // source paths, indexed by SourceSpan::file
  // Packages in dependency order: a package refers only to packages before it.
  std::vector<Package> packages;
  std::vector<Interface> interfaces;
  std::vector<World> worlds;
  std::vector<TypeDef> types;

  // Arena helpers: append and return the new id.
  PackageId addPackage(Package p);
  InterfaceId addInterface(Interface i);
  WorldId addWorld(World w);
  TypeId addType(TypeDef t);

  // Lookups by exact name; nullopt (or nullptr) when absent. findPackage
  // without a version matches only an unversioned package.
  std::optional<PackageId> findPackage(const PackageName& name) const;
  std::optional<InterfaceId> findInterface(PackageId package, std::string_view name) const;
  std::optional<WorldId> findWorld(PackageId package, std::string_view name) const;
  std::optional<TypeId> findType(InterfaceId interface, std::string_view name) const;
  const Function* findFunction(InterfaceId interface, std::string_view name) const;

  // The component-level name of a named interface, "wasi:cli/stdout@0.2.12";
  // nullopt for an inline interface.
  std::optional<std::string> interfaceName(InterfaceId id) const;
  // Follows AliasType targets to the first TypeDef that is not an alias of a
  // TypeDef (at most types.size() steps; returns the last id on a cycle).
  TypeId dealias(TypeId id) const;
  // The ResourceType behind a resource, alias or handle; kNoId if none.
  TypeId resourceOf(TypeId id) const;
  // "file:line:column", or "" for an unknown span.
  std::string location(const SourceSpan& span) const;
};

// Selects a world as WIT.md "Specifying a World" says: empty `spec` -> the
// root package's only world; a WIT identifier -> that world of the root
// package; "ns:pkg/world[@version]" -> that world of any package.
Result<WorldId> selectWorld(const Model& model, PackageId root, std::string_view spec);

// Structural comparison of two packages, possibly of different Models: same
// name and docs; the same interfaces and worlds by name; per interface the
// same types (kind, fields, cases, docs, gates) and functions; per world the
// same imports and exports by key. References to named types compare by
// owner and name. Spans, file names, ids, `includes` and the order of
// interfaces, worlds, types, functions and world items are ignored. The
// error (kComponent) names the first difference.
Status comparePackages(const Model& a, PackageId pa, const Model& b, PackageId pb);

// A use of a feature beyond WASI 0.2 / Component Model 0.2 that Compono
// parses and keeps but cannot run: async functions, future, stream,
// error-context, map, fixed-length lists, @external-id.
struct FeatureUse {
  SourceSpan span;   // of the item that uses it
  std::string what;  // "`stream` in function `read` (async, post-0.2)"
};
std::vector<FeatureUse> unsupportedFeatures(const Model& model, PackageId package);

}  // namespace compono::component::wit
