// Internal: the component runtime's objects — type environments, resource
// types, handle tables, component functions, instance bags — and the
// instantiation walk and calls (CanonicalABI.md, synchronous 0.2 subset).
//
// Ownership: one TypeEnv per instantiation tree (a root component and every
// component nested in it share one wit::Model, so a type keeps one TypeId
// across the tree). Every component instance in the tree has its own
// RtInstance (flags and handle tables). Frames (the index spaces of one
// component instance while it is being instantiated) live in an arena owned
// by the root's InstanceState. Not thread safe (single Store thread).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

#include "component/runtime/abi.h"
#include "compono/component/ast.h"
#include "compono/component/component.h"
#include "compono/component/instance.h"
#include "compono/component/linker.h"
#include "compono/component/value.h"
#include "compono/component/wit.h"
#include "compono/engine/host.h"
#include "compono/engine/instance.h"
#include "compono/engine/module.h"
#include "compono/engine/store.h"
#include "compono/result.h"

namespace compono::component::rt {

struct RtInstance;
struct ComponentFunc;
struct InstanceBag;
using FuncPtr = std::shared_ptr<ComponentFunc>;
using BagPtr = std::shared_ptr<InstanceBag>;

// A core function, table, memory or global of a component's core index
// spaces: an export of a core instance (ext), or a function made by a canon
// definition that is not in a Store yet (host; the engine creates it when a
// module imports it).
struct CoreItem {
  std::optional<engine::Extern> ext;
  engine::HostFuncPtr host;
  bool valid() const { return ext.has_value() || host != nullptr; }
};

// Calls a core function item (a canon-made host function is called directly).
Result<std::vector<engine::Val>> callCore(const CoreItem& f, std::span<const engine::Val> args);
engine::FuncType coreFuncType(const CoreItem& f);

// A resource type at run time (CanonicalABI.md ResourceType): its identity is
// this object. `impl` is the component instance that defined it (null for
// the host).
struct ResourceRt {
  std::string name;
  RtInstance* impl = nullptr;           // identity only
  std::weak_ptr<RtInstance> implAlive;  // to reach its flags
  std::optional<CoreItem> dtor;         // core func (i32) -> ()
  std::function<void(uint32_t)> hostDrop;
  bool host = false;
};
using ResourcePtr = std::shared_ptr<ResourceRt>;

// The types of one instantiation tree. The model may be shared: every
// instance made from one component::InstancePre uses the model its first
// instantiation built (read-only from then on); the resource bindings are
// always the tree's own (each instantiation has its own resource types).
struct TypeEnv {
  std::shared_ptr<wit::Model> modelOwner = std::make_shared<wit::Model>();
  wit::Model& model = *modelOwner;
  abi::TypeView view{model};
  std::unordered_map<wit::TypeId, ResourcePtr> resources;  // keyed by ResourceType TypeIds

  TypeEnv() = default;
  TypeEnv(std::shared_ptr<wit::Model> shared, std::shared_ptr<const abi::TypeView::Cache> cache)
      : modelOwner(std::move(shared)), model(*modelOwner), view(model, std::move(cache)) {}
  TypeEnv(const TypeEnv&) = delete;
  TypeEnv& operator=(const TypeEnv&) = delete;

  // The runtime resource behind a resource/alias/handle TypeId (null when
  // unbound, e.g. in a type-only walk).
  ResourceRt* resource(wit::TypeId id) const;
};
using EnvPtr = std::shared_ptr<TypeEnv>;

struct FuncSig {
  std::vector<wit::Param> params;
  std::optional<wit::Type> result;
  std::vector<wit::Type> paramTypes() const;
  std::vector<wit::Type> resultTypes() const;
};

// "(a: u32, b: u32) -> u32" (without the name).
std::string sigText(const TypeEnv& env, const FuncSig& sig);
// Structural equality of two function signatures of (possibly) different
// models; resources compare by their names. Parameter names are ignored.
bool sameSig(const wit::Model& ma, const FuncSig& a, const wit::Model& mb, const FuncSig& b);

// ---- handles ------------------------------------------------------------------

// The call scope a borrow handle was lent in (CanonicalABI.md Task.todo /
// num_borrows): every borrow handle given to the callee must be dropped
// before the call returns.
struct BorrowScope {
  uint32_t borrowCount = 0;
};

struct HandleEntry {
  uint32_t rep = 0;
  bool own = false;
  uint32_t lendCount = 0;
  std::shared_ptr<BorrowScope> scope;  // borrow handles only
  bool live = false;
};

// One table per component instance and resource type; index 0 is reserved.
class HandleTable {
 public:
  static constexpr uint32_t kMaxLength = (1u << 28) - 1;
  Result<uint32_t> add(HandleEntry e);
  Result<HandleEntry*> get(uint32_t i);
  Result<HandleEntry> remove(uint32_t i);
  size_t liveCount() const;

 private:
  std::vector<HandleEntry> slots_ = std::vector<HandleEntry>(1);
  std::vector<uint32_t> free_;
};

// A component instance at run time (CanonicalABI.md ComponentInstance).
struct RtInstance {
  std::string name;  // for messages: "calc-js.wasm", "composed.wasm/instance 2"
  engine::Store* store = nullptr;
  bool mayEnter = true;
  bool mayLeave = true;
  // Set when a call into this instance trapped: further calls are refused.
  std::shared_ptr<std::string> poisoned;  // shared by the whole tree
  std::unordered_map<const ResourceRt*, HandleTable> tables;
  HandleTable& table(const ResourceRt* rt) { return tables[rt]; }
};
using InstPtr = std::shared_ptr<RtInstance>;

// `canonopt`s resolved to store objects.
struct CanonOpts {
  abi::StringEncoding encoding = abi::StringEncoding::kUtf8;
  std::optional<engine::Memory> memory;
  std::optional<CoreItem> realloc;
  std::optional<CoreItem> postReturn;
};

// ---- component functions ----------------------------------------------------

struct HostFuncDef {
  std::string interface;  // as the host defined it
  std::string name;
  HostCallback callback;
  // The signature the host declared, if any.
  std::shared_ptr<const wit::Model> model;
  std::optional<FuncSig> sig;
};

// A component-level function value. Its signature's types live in `env`.
struct ComponentFunc {
  enum class Kind : uint8_t { kLifted, kHost, kForward, kUnbound };
  Kind kind = Kind::kUnbound;
  EnvPtr env;
  FuncSig sig;
  std::string debugName;  // "example:calc/calc@0.1.0#add-u8"
  // kLifted (canon lift):
  InstPtr inst;
  CoreItem core;
  CanonOpts opts;
  // kHost (the Store a call runs in comes from the caller, so one host
  // function item serves every instance made from an InstancePre):
  std::shared_ptr<const HostFuncDef> host;
  std::string importInterface;  // the interface name as imported (for HostCall)
  // kForward (an import bound to another instance's function):
  FuncPtr target;
};

// The values a function call passes: Values whose own/borrow handles carry
// reps (Canonical ABI internal form). `store` is the Store of the caller
// (host functions see it as HostCall::store()).
Result<std::vector<Value>> invoke(const ComponentFunc& f, engine::Store& store,
                                  std::span<const Value> args);

// Makes the core host function of `canon lower` (CanonicalABI.md canon_lower).
engine::HostFuncPtr makeLowered(InstPtr inst, FuncPtr callee, CanonOpts opts);
engine::HostFuncPtr makeResourceNew(InstPtr inst, ResourcePtr rt);
engine::HostFuncPtr makeResourceDrop(InstPtr inst, ResourcePtr rt);
engine::HostFuncPtr makeResourceRep(InstPtr inst, ResourcePtr rt);

// Drops an own or borrow handle entry removed from a table (CanonicalABI.md
// canon_resource_drop after the removal); `dropper` is the instance doing it
// (null for the host).
Status dropRemoved(const RtInstance* dropper, const ResourcePtr& rt, const HandleEntry& h);

Error enterTrap(const std::string& inst);

// ---- items and instance bags ------------------------------------------------

struct Frame;
struct Scope;

// An entry of the type index space.
struct TypeItem {
  enum class Kind : uint8_t { kValue, kFunc, kInstance, kComponent };
  Kind kind = Kind::kValue;
  wit::Type value;                      // kValue (resources and handles included)
  std::shared_ptr<const FuncSig> func;  // kFunc
  // kInstance / kComponent: the declarators and the scope they were defined in.
  const std::vector<TypeDecl>* decls = nullptr;
  Scope* env = nullptr;
};

struct ComponentClosure {
  const Component* ast = nullptr;
  Frame* definer = nullptr;  // for outer aliases
};

using Item = std::variant<FuncPtr, BagPtr, TypeItem, ComponentClosure,
                          std::shared_ptr<const engine::Module>>;

// The exports of a component instance (or an imported instance), in order.
struct InstanceBag {
  std::vector<std::pair<std::string, Item>> items;
  const Item* find(std::string_view name) const;
};

// A core instance's exports by name.
struct CoreInstanceRt {
  std::map<std::string, CoreItem, std::less<>> exports;
};

// Type index spaces visible to outer aliases. A Frame is a Scope; so is the
// body of a component or instance type while it is evaluated.
struct Scope {
  Scope* parent = nullptr;
  Frame* frame = nullptr;  // set when this scope is a component frame
  std::vector<TypeItem> types;
  uint32_t coreTypes = 0;
};

// Everything of one component instance while it is being instantiated.
struct Frame : Scope {
  const Component* ast = nullptr;
  size_t ordinal = 0;  // index in the walk's arena (see WalkMemo)
  InstPtr inst;
  std::vector<CoreItem> coreFuncs, coreTables, coreMemories, coreGlobals;
  std::vector<std::shared_ptr<const engine::Module>> coreModules;
  std::vector<std::shared_ptr<CoreInstanceRt>> coreInstances;
  std::vector<FuncPtr> funcs;
  std::vector<ComponentClosure> components;
  std::vector<BagPtr> instances;
  BagPtr exports = std::make_shared<InstanceBag>();
  // Root imports in order (name, item), for the world description.
  std::vector<std::pair<std::string, Item>> imports;
};

// How the root's imports are provided. For a nested component, its parent's
// `with` arguments provide them.
class ImportResolver {
 public:
  virtual ~ImportResolver() = default;
  // Binds root import `name` whose declared type is `type` (evaluated in
  // `frame`). Returns the item to put into the index space.
  virtual Result<Item> resolve(Frame& frame, const Import& import) = 0;
};

// What the first instantiation of a component from an InstancePre computed
// that does not depend on the instance: the types its definitions and
// imports evaluate to (in the shared model), the items bound to its root
// imports (host functions and resources, linked instances' exports) and the
// description of its exports. Later instantiations replay them instead of
// evaluating types again; only core instances, canon functions, resources
// and handle tables are made anew. Keyed by frame ordinal (the order frames
// are made in, the same in every walk of one component) and definition index.
struct WalkMemo {
  bool replay = false;  // false: recording (the first walk)
  std::vector<std::vector<std::optional<Item>>> items;
  std::unordered_map<wit::TypeId, ResourcePtr> importResources;
  std::vector<ExternInfo> exports;

  const Item* find(size_t frame, size_t def) const {
    if (frame >= items.size() || def >= items[frame].size() || !items[frame][def]) return nullptr;
    return &*items[frame][def];
  }
  void put(size_t frame, size_t def, Item it) {
    if (items.size() <= frame) items.resize(frame + 1);
    if (items[frame].size() <= def) items[frame].resize(def + 1);
    items[frame][def] = std::move(it);
  }
};

struct Walk {
  const LoadedComponent* component = nullptr;
  EnvPtr env;
  engine::Store* store = nullptr;  // null: a type-only walk (world description)
  std::vector<std::unique_ptr<Frame>>* arena = nullptr;
  std::shared_ptr<std::string> poisoned;
  WalkMemo* memo = nullptr;  // set when instantiating from an InstancePre
  bool typeOnly() const { return store == nullptr; }
  bool recording() const { return memo && !memo->replay; }
  bool replaying() const { return memo && memo->replay; }
};

// Instantiates `ast` (root when args is null: imports go to `resolver`).
Result<Frame*> instantiate(Walk& walk, const Component& ast, Frame* definer,
                           const std::vector<std::pair<std::string, Item>>* args,
                           ImportResolver* resolver, const std::string& name);

// Evaluates the declarators of an instance type into a bag of items: types,
// function signatures and nested instances. `resource(instance, name)` gives
// the TypeId of each exported `sub resource`; `func(instance, name, sig)` the
// implementation of each exported function (null: unbound). `instance` is the
// path of the (possibly nested) instance, starting with the import's name.
struct InstanceTypeBinder {
  std::function<Result<wit::TypeId>(const std::string& instance, const std::string& name)>
      resource;
  std::function<Result<FuncPtr>(const std::string& instance, const std::string& name,
                                const FuncSig& sig)>
      func;
};
Result<BagPtr> evalInstanceType(Walk& walk, const TypeItem& type, const InstanceTypeBinder& binder,
                                const std::string& path);
// Evaluates a function type of an import (kFunc) to its signature.
Result<FuncSig> funcSigOf(const TypeItem& type);

// Gives an exported type a name (in place when anonymous, else an alias).
wit::Type nameType(TypeEnv& env, wit::Type t, const std::string& name);

// ---- describing imports and exports (world.cpp) ------------------------------

// ExternInfos of named items (a root frame's imports or exports).
std::vector<ExternInfo> describe(const TypeEnv& env,
                                 const std::vector<std::pair<std::string, Item>>& items);
// Adds package `root:component`, world `root` with these imports and exports.
wit::WorldId buildWorld(TypeEnv& env, const std::vector<std::pair<std::string, Item>>& imports,
                        const std::vector<std::pair<std::string, Item>>& exports);
// Finds an exported function by name (the rules of ComponentInstance::func).
Result<FuncInfo> findFunc(const std::vector<ExternInfo>& exports, std::string_view name,
                          const std::string& component);
// The function item behind an export FuncInfo.
FuncPtr exportedFunc(const std::vector<std::pair<std::string, Item>>& exports, const FuncInfo& f);

// Host-side handle translation: maps every handle inside `v` (of type `t`).
using HandleMapper = std::function<Status(wit::HandleKind kind, wit::TypeId resource, Value& v)>;
Status mapHandles(const TypeEnv& env, wit::Type t, Value& v, const HandleMapper& fn);

// A default value of a type (for stubs); handles come from `handle` (an
// error without it).
using HandleDefault = std::function<Result<Value>(wit::HandleKind kind, wit::TypeId resource)>;
Result<Value> defaultValue(const TypeEnv& env, wit::Type t, const HandleDefault& handle = nullptr);

}  // namespace compono::component::rt

namespace compono::component::internal {

struct HostHandle {
  rt::ResourcePtr rt;
  uint32_t rep = 0;
  bool own = false;
  bool live = false;
};

// Everything a ComponentInstance owns.
struct InstanceState {
  std::shared_ptr<const LoadedComponent> component;
  engine::Store* store = nullptr;
  rt::EnvPtr env;
  std::vector<std::unique_ptr<rt::Frame>> arena;
  rt::Frame* root = nullptr;
  std::shared_ptr<std::string> poisoned;
  std::vector<ExternInfo> exports;
  std::vector<HostHandle> hostHandles = std::vector<HostHandle>(1);
  std::vector<uint32_t> hostFree;
};

}  // namespace compono::component::internal
