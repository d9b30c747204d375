// compono/component/instance.h — an instantiated component, and calls into it.
//
// A ComponentInstance is made by component::Linker::instantiate. Calling an
// exported function lowers the argument Values into the guest following the
// Canonical ABI (CanonicalABI.md `canon_lift`), runs it, lifts the results
// back into Values and runs the post-return function. Traps come back as
// errors (ErrorCode::kTrap, with a TrapCode and a wasm backtrace); after a
// trap the instance refuses further calls (the spec leaves a trapped instance
// unusable).
//
// Resource handles the host receives or passes:
//  - For a resource the host implements (Linker::defineResource) a Value of
//    kind kOwn/kBorrow carries the host's own representation (`rep`).
//  - For a resource a component implements, it carries the index of a slot in
//    this instance's host handle table: valid for call() and dropHandle() of
//    this instance only. Passing an own handle as an argument moves it into
//    the callee (the slot is freed); a borrow argument lends it for the call.
//
// Ownership and thread safety: owned by the caller (unique_ptr); not thread
// safe (like its engine::Store, which must outlive it). The LoadedComponent
// is kept alive by the instance.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "compono/component/component.h"
#include "compono/component/value.h"
#include "compono/component/wit.h"
#include "compono/engine/store.h"
#include "compono/result.h"

namespace compono::component {

namespace internal {
struct InstanceState;
}

class ComponentInstance {
 public:
  ~ComponentInstance();
  ComponentInstance(const ComponentInstance&) = delete;
  ComponentInstance& operator=(const ComponentInstance&) = delete;

  const LoadedComponent& component() const;
  engine::Store& store() const;
  // The types of every FuncInfo this instance returns (instance-specific:
  // each instantiation has its own resource types).
  const wit::Model& model() const;

  // Finds an exported function. `name` is either qualified,
  // "example:pair/app@0.1.0#run" (the interface may also be written with any
  // semver-compatible version), or bare, "run" or "[method]accumulator.add",
  // when exactly one exported function has that name. kUsage when none or
  // several match (the message lists the candidates).
  Result<FuncInfo> func(std::string_view name) const;
  // Every exported function, in export order.
  std::vector<FuncInfo> funcs() const;

  // Calls an exported function. Arguments are type-checked first (kUsage,
  // naming the parameter). Returns zero or one result.
  Result<std::vector<Value>> call(std::string_view name, std::span<const Value> args);
  Result<std::vector<Value>> call(const FuncInfo& func, std::span<const Value> args);

  // Drops a handle of a component-implemented resource that the host holds
  // (see above): an own handle runs the resource's destructor in the
  // implementing instance. kUsage for a handle that is not live.
  Status dropHandle(const Value& handle);
  // Host handles still live, as (resource name, Value) pairs.
  std::vector<std::pair<std::string, Value>> liveHandles() const;

  // Internal: used by Linker and the runtime.
  explicit ComponentInstance(std::unique_ptr<internal::InstanceState> state);
  internal::InstanceState& state() const { return *state_; }

 private:
  std::unique_ptr<internal::InstanceState> state_;
};

}  // namespace compono::component
