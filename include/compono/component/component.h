// compono/component/component.h — a component binary loaded for running.
//
// A LoadedComponent is decoded once (binary.h), its core modules are decoded
// and validated once as engine::Modules (shared by every instantiation and
// every nested component), and its world — what it imports and exports, with
// the types of every function — is computed once as a wit::Model, so that
// tools can list imports and exports and parse WAVE arguments before
// instantiating anything.
//
// (The AST type of a component binary is `component::Component` (ast.h);
// this runtime object is therefore named LoadedComponent.)
//
// Ownership and thread safety: immutable after creation; share it by
// shared_ptr between threads and Stores. It keeps a reference to the Engine,
// which must outlive it.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "compono/component/ast.h"
#include "compono/component/wit.h"
#include "compono/engine/engine.h"
#include "compono/engine/module.h"
#include "compono/result.h"

namespace compono::component {

// One function a component imports or exports. Types are types of the
// wit::Model that produced the FuncInfo (LoadedComponent::model() or
// ComponentInstance::model()).
struct FuncInfo {
  // The instance (interface) the function belongs to, e.g.
  // "example:calc/calc@0.1.0"; empty for a function imported or exported by
  // itself (`export run: func();`).
  std::string interface;
  // The function's name within it: "add-u8", "[constructor]accumulator",
  // "[method]accumulator.add", "[static]accumulator.merge".
  std::string name;
  std::vector<wit::Param> params;
  std::optional<wit::Type> result;

  // "example:calc/calc@0.1.0#add-u8", or just the name when `interface` is empty.
  std::string qualifiedName() const;
  // "add-u8(a: u8, b: u8) -> u8".
  std::string signature(const wit::Model& model) const;
};

// One import or export of a component.
struct ExternInfo {
  enum class Kind : uint8_t { kInstance, kFunc, kType, kComponent, kCoreModule };
  std::string name;  // "example:calc/logger@0.1.0", "run", ...
  Kind kind = Kind::kInstance;
  std::vector<FuncInfo> funcs;     // kInstance: its functions; kFunc: the function itself
  std::vector<std::string> types;      // kInstance: the names of the types it exports
  std::vector<std::string> resources;  // kInstance: those of them that are resource types
};

// "instance", "func", "type", "component", "core module".
const char* externInfoKindName(ExternInfo::Kind kind);

class LoadedComponent {
 public:
  // Decodes a component binary, decodes every core module in it (nested
  // components included) and computes its world. `name` is used in messages
  // and backtraces (usually the file name). Errors: kDecode/kValidate for a
  // malformed binary or module, kComponent for a component Compono cannot
  // run (a feature beyond Component Model 0.2, a type it cannot evaluate).
  static Result<std::shared_ptr<const LoadedComponent>> fromBinary(const engine::Engine& engine,
                                                                   std::span<const uint8_t> bytes,
                                                                   std::string name);
  // Reads a file (kIo when unreadable) and calls fromBinary with its name.
  static Result<std::shared_ptr<const LoadedComponent>> fromFile(const engine::Engine& engine,
                                                                 const std::string& path);

  ~LoadedComponent();
  LoadedComponent(const LoadedComponent&) = delete;
  LoadedComponent& operator=(const LoadedComponent&) = delete;

  const std::string& name() const;
  const engine::Engine& engine() const;
  const Component& ast() const;

  // The component's world: model().worlds[world()] lists the imports and
  // exports as interfaces (named ones like "example:calc/calc@0.1.0" become
  // interfaces of a package `example:calc@0.1.0`) with their types and
  // functions.
  const wit::Model& model() const;
  wit::WorldId world() const;
  const std::vector<ExternInfo>& imports() const;
  const std::vector<ExternInfo>& exports() const;

  // Finds an exported function by name, with the rules of
  // ComponentInstance::func (types in model()).
  Result<FuncInfo> findExport(std::string_view name) const;

  // The decoded engine module of a core module of this component (of the
  // AST, nested components included). Null for a module not in ast().
  std::shared_ptr<const engine::Module> coreModule(const CoreModule& module) const;

  struct Impl;
  const Impl& impl() const { return *impl_; }

 private:
  explicit LoadedComponent(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace compono::component
