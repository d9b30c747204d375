// Internal: what a component made from a core module must contain (the
// plan), computed from the module's imports and exports and the world, and
// checked against the canonical ABI. build.cpp turns a Plan into the
// component AST (ast.h); the encoder (binary.h) writes it.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "compono/component/componentize.h"
#include "compono/component/wit.h"
#include "compono/engine/module.h"

namespace compono::component::componentize {

inline constexpr const char* kPreview1 = "wasi_snapshot_preview1";

struct WorldRef {
  const wit::Model* model = nullptr;
  wit::WorldId world = wit::kNoId;
  const wit::World& get() const { return model->worlds[world]; }
};

// What the canonical ABI needs for one function (CanonicalABI.md
// flatten_functype; canon options per Explainer.md "Canonical ABI").
struct SigInfo {
  engine::FuncType lift;       // core type of the function a component exports
  engine::FuncType lower;      // core type of an imported function
  bool strings = false;        // strings anywhere in the signature
  bool memoryParams = false;   // strings or lists in the parameters
  bool memoryResults = false;  // strings or lists in the result
  size_t flatParams = 0;
  size_t flatResults = 0;
  bool liftNeedsMemory() const;
  bool liftNeedsRealloc() const;
  bool lowerNeedsMemory() const;
  bool lowerNeedsRealloc() const;
};
SigInfo signatureOf(const wit::Model& model, const wit::Function& f);

enum class Source : uint8_t { kMain, kAdapter };

// How one core import of a module is satisfied.
struct ImportPlan {
  enum class Kind : uint8_t {
    kLower,         // a component function lowered (`func` of `instance`)
    kResourceDrop,  // canon resource.drop of an imported resource
    kResourceNew,   // canon resource.new/rep/drop of an exported resource
    kResourceRep,
    kExportedDrop,
    kAdapterExport,  // the adapter's export `name` (main's preview1 imports)
    kMainExport,     // the main module's export `name` (adapter's __main_module__)
    kMainMemory,     // the main module's memory (adapter's env.memory)
  };
  std::string module, name;
  Kind kind = Kind::kLower;
  engine::FuncType type;
  WorldRef world;
  std::string instance;  // component import name of the interface; "" for world-level items
  const wit::Function* func = nullptr;
  wit::TypeId resource = wit::kNoId;
  SigInfo sig;
  int shimSlot = -1;  // >= 0: reached through the shim table
};

struct ModulePlan {
  Source source = Source::kMain;
  std::string name;            // for messages
  std::vector<uint8_t> bytes;  // without component-type sections
  std::shared_ptr<const engine::Module> module;
  std::vector<std::string> groups;  // import module names, in first-appearance order
  std::vector<ImportPlan> imports;  // in the module's import order
};

struct FuncExportPlan {
  const wit::Function* func = nullptr;
  std::string coreName;
  bool postReturn = false;
  SigInfo sig;
};

struct ExportPlan {
  Source source = Source::kMain;
  WorldRef world;
  const wit::WorldItem* item = nullptr;
  std::string name;  // component export name
  std::vector<FuncExportPlan> funcs;
  // Exported resources of the interface -> the core export of their destructor ("" if none).
  std::map<wit::TypeId, std::string> dtors;
  std::map<wit::TypeId, int> dtorSlots;  // shim slot of each destructor
};

struct ShimEntry {
  enum class Kind : uint8_t { kLower, kAdapterExport, kDtor };
  Kind kind = Kind::kLower;
  engine::FuncType type;
  Source source = Source::kMain;  // kLower: whose import; kDtor: whose export
  size_t import = 0;              // kLower, kAdapterExport: index in that module's imports
  std::string exportName;         // kAdapterExport, kDtor: the core export
};

struct Plan {
  WorldRef world;
  std::optional<WorldRef> adapterWorld;
  ModulePlan main;
  std::optional<ModulePlan> adapter;
  // Component imports, in order: world items of `world` then of the adapter's.
  std::vector<std::pair<WorldRef, const wit::WorldItem*>> imports;
  std::vector<ExportPlan> exports;
  std::vector<ShimEntry> shim;
  bool initialize = false;           // main exports `_initialize`
  bool mainMemory = false;           // main's memory is needed (`memory`)
  bool mainRealloc = false;          // main's `cabi_realloc` is needed
  std::string adapterImportRealloc;  // adapter export used as realloc by its imports
  std::string adapterExportRealloc;  // ... by its exports
};

// Plans the component. `world` is the world the main module implements;
// `adapterWorld` the adapter's (with adapter bytes in `adapter`).
Result<Plan> makePlan(ModulePlan main, WorldRef world, std::optional<ModulePlan> adapter,
                      std::optional<WorldRef> adapterWorld);

// The component AST for a plan (build.cpp).
Result<std::vector<uint8_t>> buildComponent(const Plan& plan, Summary& summary);

// "ns:pkg/world@v".
std::string worldName(const WorldRef& w);

}  // namespace compono::component::componentize
