// Helpers of the component AST (ast.h): names, equality, builders.
#include "compono/component/ast.h"

#include <algorithm>

namespace compono::component {

const char* sortName(Sort sort) {
  switch (sort) {
    case Sort::kCoreFunc:
      return "core func";
    case Sort::kCoreTable:
      return "core table";
    case Sort::kCoreMemory:
      return "core memory";
    case Sort::kCoreGlobal:
      return "core global";
    case Sort::kCoreTag:
      return "core tag";
    case Sort::kCoreType:
      return "core type";
    case Sort::kCoreModule:
      return "core module";
    case Sort::kCoreInstance:
      return "core instance";
    case Sort::kFunc:
      return "func";
    case Sort::kValue:
      return "value";
    case Sort::kType:
      return "type";
    case Sort::kComponent:
      return "component";
    case Sort::kInstance:
      return "instance";
  }
  return "?";
}

const char* primValTypeName(PrimValType p) {
  switch (p) {
    case PrimValType::kBool:
      return "bool";
    case PrimValType::kS8:
      return "s8";
    case PrimValType::kU8:
      return "u8";
    case PrimValType::kS16:
      return "s16";
    case PrimValType::kU16:
      return "u16";
    case PrimValType::kS32:
      return "s32";
    case PrimValType::kU32:
      return "u32";
    case PrimValType::kS64:
      return "s64";
    case PrimValType::kU64:
      return "u64";
    case PrimValType::kF32:
      return "f32";
    case PrimValType::kF64:
      return "f64";
    case PrimValType::kChar:
      return "char";
    case PrimValType::kString:
      return "string";
  }
  return "?";
}

const char* typeDefKindName(const TypeDefKind& kind) {
  static const char* const kNames[] = {"primitive", "record", "variant",   "list",     "tuple",
                                       "flags",     "enum",   "option",    "result",   "own",
                                       "borrow",    "func",   "component", "instance", "resource"};
  static_assert(std::variant_size_v<TypeDefKind> == std::size(kNames));
  return kNames[kind.index()];
}

bool isDefValType(const TypeDefKind& kind) {
  return !std::holds_alternative<FuncType>(kind) && !std::holds_alternative<ComponentType>(kind) &&
         !std::holds_alternative<InstanceType>(kind) && !std::holds_alternative<ResourceType>(kind);
}

const char* externKindName(ExternKind kind) {
  switch (kind) {
    case ExternKind::kCoreModule:
      return "core module";
    case ExternKind::kFunc:
      return "func";
    case ExternKind::kValue:
      return "value";
    case ExternKind::kType:
      return "type";
    case ExternKind::kComponent:
      return "component";
    case ExternKind::kInstance:
      return "instance";
  }
  return "?";
}

Sort externKindSort(ExternKind kind) {
  switch (kind) {
    case ExternKind::kCoreModule:
      return Sort::kCoreModule;
    case ExternKind::kFunc:
      return Sort::kFunc;
    case ExternKind::kValue:
      return Sort::kValue;
    case ExternKind::kType:
      return Sort::kType;
    case ExternKind::kComponent:
      return Sort::kComponent;
    case ExternKind::kInstance:
      return Sort::kInstance;
  }
  return Sort::kFunc;
}

const char* stringEncodingName(StringEncoding e) {
  switch (e) {
    case StringEncoding::kUtf8:
      return "utf8";
    case StringEncoding::kUtf16:
      return "utf16";
    case StringEncoding::kLatin1Utf16:
      return "latin1+utf16";
  }
  return "?";
}

CanonOptions summarize(const std::vector<CanonOption>& options) {
  CanonOptions o;
  for (const CanonOption& opt : options) {
    switch (opt.kind) {
      case CanonOption::Kind::kUtf8:
        o.encoding = StringEncoding::kUtf8;
        break;
      case CanonOption::Kind::kUtf16:
        o.encoding = StringEncoding::kUtf16;
        break;
      case CanonOption::Kind::kLatin1Utf16:
        o.encoding = StringEncoding::kLatin1Utf16;
        break;
      case CanonOption::Kind::kMemory:
        o.memory = opt.index;
        break;
      case CanonOption::Kind::kRealloc:
        o.realloc = opt.index;
        break;
      case CanonOption::Kind::kPostReturn:
        o.postReturn = opt.index;
        break;
    }
  }
  return o;
}

const char* canonKindName(Canon::Kind kind) {
  switch (kind) {
    case Canon::Kind::kLift:
      return "canon lift";
    case Canon::Kind::kLower:
      return "canon lower";
    case Canon::Kind::kResourceNew:
      return "canon resource.new";
    case Canon::Kind::kResourceDrop:
      return "canon resource.drop";
    case Canon::Kind::kResourceRep:
      return "canon resource.rep";
  }
  return "canon ?";
}

const char* sectionName(SectionId id) {
  switch (id) {
    case SectionId::kCustom:
      return "custom";
    case SectionId::kCoreModule:
      return "core module";
    case SectionId::kCoreInstance:
      return "core instance";
    case SectionId::kCoreType:
      return "core type";
    case SectionId::kComponent:
      return "component";
    case SectionId::kInstance:
      return "instance";
    case SectionId::kAlias:
      return "alias";
    case SectionId::kType:
      return "type";
    case SectionId::kCanon:
      return "canon";
    case SectionId::kStart:
      return "start";
    case SectionId::kImport:
      return "import";
    case SectionId::kExport:
      return "export";
  }
  return "?";
}

bool operator==(const CoreExternDesc& a, const CoreExternDesc& b) {
  if (a.kind != b.kind) return false;
  switch (a.kind) {
    case engine::ExternKind::kFunc:
    case engine::ExternKind::kTag:
      return a.typeIndex == b.typeIndex;
    case engine::ExternKind::kTable:
      return a.table.element == b.table.element && a.table.limits == b.table.limits;
    case engine::ExternKind::kMemory:
      return a.memory.limits == b.memory.limits;
    case engine::ExternKind::kGlobal:
      return a.global.type == b.global.type && a.global.mutable_ == b.global.mutable_;
  }
  return false;
}

static bool sameBytes(std::span<const uint8_t> a, std::span<const uint8_t> b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin());
}

bool operator==(const CoreModule& a, const CoreModule& b) {
  return sameBytes(a.bytes(), b.bytes());
}

bool operator==(const CustomSection& a, const CustomSection& b) {
  return a.name == b.name && sameBytes(a.data(), b.data());
}

NestedComponent::NestedComponent() : c_(std::make_unique<Component>()) {}
NestedComponent::NestedComponent(Component c) : c_(std::make_unique<Component>(std::move(c))) {}
NestedComponent::NestedComponent(const NestedComponent& other)
    : c_(std::make_unique<Component>(*other.c_)) {}
NestedComponent& NestedComponent::operator=(const NestedComponent& other) {
  if (this != &other) c_ = std::make_unique<Component>(*other.c_);
  return *this;
}
NestedComponent::NestedComponent(NestedComponent&& other) noexcept : c_(std::move(other.c_)) {
  other.c_ = nullptr;
}
NestedComponent& NestedComponent::operator=(NestedComponent&& other) noexcept {
  c_ = std::move(other.c_);
  return *this;
}
NestedComponent::~NestedComponent() = default;

bool operator==(const NestedComponent& a, const NestedComponent& b) {
  if (!a.c_ || !b.c_) return a.c_ == b.c_;
  return *a.c_ == *b.c_;
}

SectionId Definition::section() const {
  static const SectionId kIds[] = {
      SectionId::kCustom,    SectionId::kCoreModule, SectionId::kCoreInstance, SectionId::kCoreType,
      SectionId::kComponent, SectionId::kInstance,   SectionId::kAlias,        SectionId::kType,
      SectionId::kCanon,     SectionId::kStart,      SectionId::kImport,       SectionId::kExport};
  static_assert(std::variant_size_v<DefinitionItem> == std::size(kIds));
  return kIds[item.index()];
}

bool operator==(const Definition& a, const Definition& b) { return a.item == b.item; }

bool operator==(const Component& a, const Component& b) { return a.definitions == b.definitions; }

std::optional<Sort> definitionSort(const DefinitionItem& item) {
  struct Visitor {
    std::optional<Sort> operator()(const CustomSection&) const { return std::nullopt; }
    std::optional<Sort> operator()(const CoreModule&) const { return Sort::kCoreModule; }
    std::optional<Sort> operator()(const CoreInstance&) const { return Sort::kCoreInstance; }
    std::optional<Sort> operator()(const CoreTypeDef&) const { return Sort::kCoreType; }
    std::optional<Sort> operator()(const NestedComponent&) const { return Sort::kComponent; }
    std::optional<Sort> operator()(const Instance&) const { return Sort::kInstance; }
    std::optional<Sort> operator()(const Alias& a) const { return a.sort; }
    std::optional<Sort> operator()(const TypeDef&) const { return Sort::kType; }
    std::optional<Sort> operator()(const Canon& c) const {
      return c.kind == Canon::Kind::kLift ? Sort::kFunc : Sort::kCoreFunc;
    }
    std::optional<Sort> operator()(const Start&) const { return std::nullopt; }
    std::optional<Sort> operator()(const Import& i) const { return externKindSort(i.desc.kind); }
    std::optional<Sort> operator()(const Export& e) const { return e.item.sort; }
  };
  return std::visit(Visitor{}, item);
}

Definition& Component::add(DefinitionItem item, uint64_t offset) {
  Definition d;
  d.offset = offset;
  d.sort = definitionSort(item);
  if (d.sort) d.index = counts[static_cast<size_t>(*d.sort)]++;
  d.item = std::move(item);
  definitions.push_back(std::move(d));
  return definitions.back();
}

std::vector<const Import*> Component::imports() const {
  std::vector<const Import*> out;
  for (const Definition& d : definitions) {
    if (auto* i = std::get_if<Import>(&d.item)) out.push_back(i);
  }
  return out;
}

std::vector<const Export*> Component::exports() const {
  std::vector<const Export*> out;
  for (const Definition& d : definitions) {
    if (auto* e = std::get_if<Export>(&d.item)) out.push_back(e);
  }
  return out;
}

}  // namespace compono::component
