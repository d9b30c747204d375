// compono/component/ast.h — the abstract syntax of a component binary
// (Component Model 0.2, binary version 0x0d, without async).
//
// Spec: WebAssembly/component-model design/mvp/Binary.md and Explainer.md.
// The AST keeps what the binary says, as written: indices are not resolved,
// types are not checked (see validate.h), and core modules stay byte spans
// (the engine decodes them). A runtime builds the index spaces by walking
// `Component::definitions` in order: each Definition says which index space
// it adds to (`Definition::sort`) and the index it gets (`Definition::index`).
//
// Offsets are absolute byte offsets into the outermost buffer that was
// decoded (also inside nested components), so that every message can point
// at the file.
//
// Ownership and thread safety: plain values. Core module bytes and custom
// section payloads are shared, immutable buffers (shared_ptr), so copying a
// Component is cheap for its modules. Concurrent const access is safe.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "compono/engine/types.h"

namespace compono::component {

inline constexpr uint32_t kNoIndex = UINT32_MAX;

// The binary version this AST describes (preamble bytes 4..7 are
// 0x0d 0x00 0x01 0x00: version 0x0d, layer 1).
inline constexpr uint16_t kComponentVersion = 0x0d;
inline constexpr uint16_t kComponentLayer = 0x01;

// ---- sorts and index spaces -------------------------------------------------

// Every index space of a component: the seven core sorts and the five
// component sorts (Binary.md `core:sort` and `sort`).
enum class Sort : uint8_t {
  kCoreFunc,
  kCoreTable,
  kCoreMemory,
  kCoreGlobal,
  kCoreTag,  // exception handling; a core sort in the binary grammar (0x04)
  kCoreType,
  kCoreModule,
  kCoreInstance,
  kFunc,
  kValue,
  kType,
  kComponent,
  kInstance,
};
inline constexpr size_t kSortCount = 13;

// "core func", "core table", ..., "func", "value", "type", "component", "instance".
const char* sortName(Sort sort);
inline bool isCoreSort(Sort sort) { return sort <= Sort::kCoreInstance; }

// `sortidx` / `core:sortidx`.
struct SortIndex {
  Sort sort = Sort::kFunc;
  uint32_t index = 0;
  friend bool operator==(const SortIndex&, const SortIndex&) = default;
};

// ---- core types (core:type) ---------------------------------------------------

// A core import or export description inside a module type: `func` and
// `tag` refer to a function type of the module type's own core type index
// space.
struct CoreExternDesc {
  engine::ExternKind kind = engine::ExternKind::kFunc;
  uint32_t typeIndex = 0;  // kFunc, kTag
  engine::TableType table;
  engine::MemoryType memory;
  engine::GlobalType global;
  friend bool operator==(const CoreExternDesc& a, const CoreExternDesc& b);
};

struct CoreImportDecl {
  std::string module;
  std::string name;
  CoreExternDesc desc;
  friend bool operator==(const CoreImportDecl&, const CoreImportDecl&) = default;
};

struct CoreExportDecl {
  std::string name;
  CoreExternDesc desc;
  friend bool operator==(const CoreExportDecl&, const CoreExportDecl&) = default;
};

// `core:alias` inside a module type: only `outer ct idx` of sort core type.
struct CoreOuterAlias {
  Sort sort = Sort::kCoreType;
  uint32_t count = 0;
  uint32_t index = 0;
  friend bool operator==(const CoreOuterAlias&, const CoreOuterAlias&) = default;
};

struct CoreTypeDef;

// One declarator of a core module type (`core:moduledecl`).
struct ModuleDecl {
  uint64_t offset = 0;
  // A type declarator holds a function type (nested module types are invalid
  // but decodable; the validator rejects them).
  std::variant<CoreImportDecl, std::vector<CoreTypeDef>, CoreOuterAlias, CoreExportDecl> item;
  // Compares the items; offsets are ignored.
  friend bool operator==(const ModuleDecl& a, const ModuleDecl& b);
};

struct CoreModuleType {
  std::vector<ModuleDecl> decls;
  friend bool operator==(const CoreModuleType&, const CoreModuleType&) = default;
};

// A core type definition: a function type (WebAssembly 1.0) or a module type.
// GC types (rec/sub/struct/array) are not supported: decoding them fails.
struct CoreTypeDef {
  std::variant<engine::FuncType, CoreModuleType> type;
  friend bool operator==(const CoreTypeDef&, const CoreTypeDef&) = default;
};

inline bool operator==(const ModuleDecl& a, const ModuleDecl& b) { return a.item == b.item; }

// ---- component value types ----------------------------------------------------

enum class PrimValType : uint8_t {
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
};
// The WIT spelling: "bool", "u32", "f64", "string", ...
const char* primValTypeName(PrimValType p);

// `valtype`: a primitive, or an index into the component's type index space
// (which must name a defined value type: the validator checks it).
struct ValType {
  PrimValType prim = PrimValType::kBool;
  uint32_t index = kNoIndex;  // kNoIndex for a primitive

  static ValType primitive(PrimValType p) { return ValType{p, kNoIndex}; }
  static ValType typeIndex(uint32_t i) { return ValType{PrimValType::kBool, i}; }
  bool isPrimitive() const { return index == kNoIndex; }
  friend bool operator==(const ValType&, const ValType&) = default;
};

struct LabeledValType {
  std::string label;
  ValType type;
  friend bool operator==(const LabeledValType&, const LabeledValType&) = default;
};

struct RecordType {
  std::vector<LabeledValType> fields;
  friend bool operator==(const RecordType&, const RecordType&) = default;
};
struct VariantCase {
  std::string label;
  std::optional<ValType> type;
  friend bool operator==(const VariantCase&, const VariantCase&) = default;
};
struct VariantType {
  std::vector<VariantCase> cases;
  friend bool operator==(const VariantType&, const VariantType&) = default;
};
struct ListType {
  ValType element;
  friend bool operator==(const ListType&, const ListType&) = default;
};
struct TupleType {
  std::vector<ValType> types;
  friend bool operator==(const TupleType&, const TupleType&) = default;
};
struct FlagsType {
  std::vector<std::string> labels;
  friend bool operator==(const FlagsType&, const FlagsType&) = default;
};
struct EnumType {
  std::vector<std::string> labels;
  friend bool operator==(const EnumType&, const EnumType&) = default;
};
struct OptionType {
  ValType type;
  friend bool operator==(const OptionType&, const OptionType&) = default;
};
struct ResultType {
  std::optional<ValType> ok;
  std::optional<ValType> err;
  friend bool operator==(const ResultType&, const ResultType&) = default;
};
// `own i` / `borrow i`: `resource` is a type index that must name a resource.
struct OwnType {
  uint32_t resource = 0;
  friend bool operator==(const OwnType&, const OwnType&) = default;
};
struct BorrowType {
  uint32_t resource = 0;
  friend bool operator==(const BorrowType&, const BorrowType&) = default;
};

// `functype` (0x40). `result` is empty for `resultlist ::= 0x01 0x00`.
struct FuncType {
  std::vector<LabeledValType> params;
  std::optional<ValType> result;
  friend bool operator==(const FuncType&, const FuncType&) = default;
};

// `resourcetype ::= 0x3f 0x7f f?:<funcidx>?`: representation i32, optional
// destructor (a core function index).
struct ResourceType {
  std::optional<uint32_t> dtor;
  friend bool operator==(const ResourceType&, const ResourceType&) = default;
};

struct TypeDecl;

// `componenttype` (0x41) and `instancetype` (0x42): declarators in order.
// Each starts with an empty type index space (Explainer.md "Type Definitions").
struct ComponentType {
  std::vector<TypeDecl> decls;
  friend bool operator==(const ComponentType&, const ComponentType&);
};
struct InstanceType {
  std::vector<TypeDecl> decls;
  friend bool operator==(const InstanceType&, const InstanceType&);
};

// A component-level type definition (`type`): a defined value type, a
// function type, a component or instance type, or a resource type.
using TypeDefKind = std::variant<PrimValType, RecordType, VariantType, ListType, TupleType,
                                 FlagsType, EnumType, OptionType, ResultType, OwnType, BorrowType,
                                 FuncType, ComponentType, InstanceType, ResourceType>;
// "primitive", "record", ..., "func", "component", "instance", "resource".
const char* typeDefKindName(const TypeDefKind& kind);
// True for the kinds a `valtype` index may name (primitive ... borrow).
bool isDefValType(const TypeDefKind& kind);

struct TypeDef {
  TypeDefKind kind;
  friend bool operator==(const TypeDef&, const TypeDef&) = default;
};

// ---- names, extern descriptions, aliases ----------------------------------------

// `importname'` / `exportname'`: a discriminator byte and the name. Both 0x00
// and 0x01 mean a plain string (0x01 is a legacy form kept for round trips);
// the string's form ("wasi:cli/stdout@0.2.12", "[method]r.f", "f") is
// checked by the validator.
struct ExternName {
  std::string name;
  uint8_t discriminator = 0x00;
  friend bool operator==(const ExternName&, const ExternName&) = default;
};

// `externdesc`.
enum class ExternKind : uint8_t { kCoreModule, kFunc, kValue, kType, kComponent, kInstance };
// "core module", "func", "value", "type", "component", "instance".
const char* externKindName(ExternKind kind);
// The index space an import of this kind adds to.
Sort externKindSort(ExternKind kind);

struct TypeBound {
  enum class Kind : uint8_t { kEq, kSubResource };
  Kind kind = Kind::kEq;
  uint32_t index = 0;  // kEq: a type index
  friend bool operator==(const TypeBound&, const TypeBound&) = default;
};

struct ExternDesc {
  ExternKind kind = ExternKind::kFunc;
  // kCoreModule: a core type index (a module type); kFunc, kComponent,
  // kInstance: a type index.
  uint32_t typeIndex = 0;
  TypeBound bound;  // kType
  ValType value;    // kValue (not in 0.2: the decoder rejects value externs)
  friend bool operator==(const ExternDesc&, const ExternDesc&) = default;
};

struct ImportDecl {
  ExternName name;
  ExternDesc desc;
  friend bool operator==(const ImportDecl&, const ImportDecl&) = default;
};
struct ExportDecl {
  ExternName name;
  ExternDesc desc;
  friend bool operator==(const ExportDecl&, const ExportDecl&) = default;
};

// `alias`: adds one index of `sort`.
struct Alias {
  enum class Target : uint8_t { kInstanceExport, kCoreInstanceExport, kOuter };
  Sort sort = Sort::kFunc;
  Target target = Target::kInstanceExport;
  uint32_t instance = 0;    // kInstanceExport, kCoreInstanceExport
  std::string name;         // kInstanceExport, kCoreInstanceExport
  uint32_t outerCount = 0;  // kOuter: 0 = this component, 1 = the enclosing one, ...
  uint32_t outerIndex = 0;  // kOuter: index in that component's `sort` space
  friend bool operator==(const Alias&, const Alias&) = default;
};

// One declarator of a component or instance type. kImport occurs only in
// component types.
struct TypeDecl {
  uint64_t offset = 0;
  std::variant<CoreTypeDef, TypeDef, Alias, ImportDecl, ExportDecl> item;
  // Compares the items; offsets are ignored.
  friend bool operator==(const TypeDecl& a, const TypeDecl& b) { return a.item == b.item; }
};

inline bool operator==(const ComponentType& a, const ComponentType& b) {
  return a.decls == b.decls;
}
inline bool operator==(const InstanceType& a, const InstanceType& b) { return a.decls == b.decls; }

// ---- definitions ----------------------------------------------------------------

// A core module, kept as bytes (section 1). `bytes()` is the module binary,
// starting with its own "\0asm" preamble.
struct CoreModule {
  std::shared_ptr<const std::vector<uint8_t>> buffer;  // shared with the Component
  uint64_t begin = 0;                                  // offset of the module in *buffer
  uint64_t size = 0;
  std::span<const uint8_t> bytes() const {
    return buffer ? std::span<const uint8_t>(buffer->data() + begin, size)
                  : std::span<const uint8_t>();
  }
  friend bool operator==(const CoreModule& a, const CoreModule& b);  // compares bytes()
};

// `core:instance` (section 2).
struct CoreInstantiateArg {
  std::string name;
  uint32_t instance = 0;  // a core instance index (sort byte 0x12)
  friend bool operator==(const CoreInstantiateArg&, const CoreInstantiateArg&) = default;
};
struct CoreInlineExport {
  std::string name;
  SortIndex item;  // a core sort
  friend bool operator==(const CoreInlineExport&, const CoreInlineExport&) = default;
};
struct CoreInstance {
  enum class Kind : uint8_t { kInstantiate, kFromExports };
  Kind kind = Kind::kInstantiate;
  uint32_t module = 0;                    // kInstantiate: a core module index
  std::vector<CoreInstantiateArg> args;   // kInstantiate
  std::vector<CoreInlineExport> exports;  // kFromExports
  friend bool operator==(const CoreInstance&, const CoreInstance&) = default;
};

// `instance` (section 5).
struct InstantiateArg {
  std::string name;
  SortIndex item;
  friend bool operator==(const InstantiateArg&, const InstantiateArg&) = default;
};
struct InlineExport {
  ExternName name;
  SortIndex item;
  friend bool operator==(const InlineExport&, const InlineExport&) = default;
};
struct Instance {
  enum class Kind : uint8_t { kInstantiate, kFromExports };
  Kind kind = Kind::kInstantiate;
  uint32_t component = 0;             // kInstantiate: a component index
  std::vector<InstantiateArg> args;   // kInstantiate
  std::vector<InlineExport> exports;  // kFromExports
  friend bool operator==(const Instance&, const Instance&) = default;
};

// `canonopt`, kept in the order written (duplicates are a validation error).
struct CanonOption {
  enum class Kind : uint8_t { kUtf8, kUtf16, kLatin1Utf16, kMemory, kRealloc, kPostReturn };
  Kind kind = Kind::kUtf8;
  uint32_t index = 0;  // kMemory: core memory; kRealloc, kPostReturn: core func
  friend bool operator==(const CanonOption&, const CanonOption&) = default;
};
enum class StringEncoding : uint8_t { kUtf8, kUtf16, kLatin1Utf16 };
// "utf8", "utf16", "latin1+utf16".
const char* stringEncodingName(StringEncoding e);

// The options of a lift or lower, summarized (last one wins; the validator
// rejects duplicates and conflicts).
struct CanonOptions {
  StringEncoding encoding = StringEncoding::kUtf8;
  std::optional<uint32_t> memory;
  std::optional<uint32_t> realloc;
  std::optional<uint32_t> postReturn;
};
CanonOptions summarize(const std::vector<CanonOption>& options);

// `canon` (section 8).
struct Canon {
  enum class Kind : uint8_t { kLift, kLower, kResourceNew, kResourceDrop, kResourceRep };
  Kind kind = Kind::kLift;
  // kLift: the core function lifted; kLower: the component function lowered.
  uint32_t func = 0;
  // kLift: the function type index; kResource*: the resource type index.
  uint32_t type = 0;
  std::vector<CanonOption> options;  // kLift, kLower
  friend bool operator==(const Canon&, const Canon&) = default;
};
// "canon lift", "canon lower", "canon resource.new", ...
const char* canonKindName(Canon::Kind kind);

// `start` (section 9). Value arguments and results are a post-0.2 feature;
// a start function without them is plain 0.2.
struct Start {
  uint32_t func = 0;
  std::vector<uint32_t> args;  // value indices
  uint32_t results = 0;
  friend bool operator==(const Start&, const Start&) = default;
};

// `import` (section 10).
struct Import {
  ExternName name;
  ExternDesc desc;
  friend bool operator==(const Import&, const Import&) = default;
};

// `export` (section 11): exports `item`, optionally ascribing a type.
// An export adds a new index of `item.sort` (an alias of the item).
struct Export {
  ExternName name;
  SortIndex item;
  std::optional<ExternDesc> ascribed;
  friend bool operator==(const Export&, const Export&) = default;
};

// A custom section (section 0) of the component itself.
struct CustomSection {
  std::string name;
  std::shared_ptr<const std::vector<uint8_t>> buffer;
  uint64_t begin = 0;  // offset of the payload after the name in *buffer
  uint64_t size = 0;
  std::span<const uint8_t> data() const {
    return buffer ? std::span<const uint8_t>(buffer->data() + begin, size)
                  : std::span<const uint8_t>();
  }
  friend bool operator==(const CustomSection& a, const CustomSection& b);  // name and data()
};

struct Component;

// A nested component (section 4). Held by pointer because it is recursive;
// copies are deep (NestedComponent behaves as a value).
class NestedComponent {
 public:
  NestedComponent();
  explicit NestedComponent(Component c);
  NestedComponent(const NestedComponent& other);
  NestedComponent& operator=(const NestedComponent& other);
  NestedComponent(NestedComponent&&) noexcept;
  NestedComponent& operator=(NestedComponent&&) noexcept;
  ~NestedComponent();

  const Component& get() const { return *c_; }
  Component& get() { return *c_; }
  const Component* operator->() const { return c_.get(); }
  Component* operator->() { return c_.get(); }
  friend bool operator==(const NestedComponent& a, const NestedComponent& b);

 private:
  std::unique_ptr<Component> c_;
};

// The binary section a definition belongs to (section ids 0..11).
enum class SectionId : uint8_t {
  kCustom = 0,
  kCoreModule = 1,
  kCoreInstance = 2,
  kCoreType = 3,
  kComponent = 4,
  kInstance = 5,
  kAlias = 6,
  kType = 7,
  kCanon = 8,
  kStart = 9,
  kImport = 10,
  kExport = 11,
};
// "custom", "core module", "core instance", "core type", "component",
// "instance", "alias", "type", "canon", "start", "import", "export".
const char* sectionName(SectionId id);

using DefinitionItem =
    std::variant<CustomSection, CoreModule, CoreInstance, CoreTypeDef, NestedComponent, Instance,
                 Alias, TypeDef, Canon, Start, Import, Export>;

// One definition, in binary order.
struct Definition {
  uint64_t offset = 0;  // absolute offset of the definition's first byte
  DefinitionItem item;
  // The index space the definition adds one index to, and that index. Unset
  // for custom sections and for a start function (which adds `results`
  // values, a post-0.2 feature).
  std::optional<Sort> sort;
  uint32_t index = 0;

  SectionId section() const;
  friend bool operator==(const Definition& a, const Definition& b);  // compares items only
};

// How the definitions were grouped into sections (for exact re-encoding):
// definitions [first, first + count) form one section with id `id`.
struct SectionSpan {
  SectionId id = SectionId::kCustom;
  uint64_t offset = 0;  // absolute offset of the section id byte; 0 when not decoded
  uint64_t size = 0;    // payload size in the binary; 0 when not decoded
  uint32_t first = 0;
  uint32_t count = 0;
};

struct Component {
  // Absolute offset of this component's preamble in the decoded buffer
  // (0 for the outermost) and its size in bytes including the preamble.
  uint64_t offset = 0;
  uint64_t size = 0;
  std::vector<Definition> definitions;
  // May be empty (e.g. for a hand-built AST): the encoder then groups
  // consecutive definitions of the same section id.
  std::vector<SectionSpan> sections;
  // The size of every index space after the last definition, by Sort.
  std::array<uint32_t, kSortCount> counts{};

  uint32_t count(Sort s) const { return counts[static_cast<size_t>(s)]; }
  // Convenience views, in definition order.
  std::vector<const Import*> imports() const;
  std::vector<const Export*> exports() const;

  // Appends a definition and assigns `sort`/`index` from the current
  // counts (as the decoder does). For builders (text format, componentize).
  Definition& add(DefinitionItem item, uint64_t offset = 0);

  friend bool operator==(const Component& a, const Component& b);  // definitions only
};

// The index space a definition item adds to (nullopt: none).
std::optional<Sort> definitionSort(const DefinitionItem& item);

}  // namespace compono::component
