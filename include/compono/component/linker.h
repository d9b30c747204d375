// compono/component/linker.h — resolves a component's imports and instantiates it.
//
// A component imports interfaces ("example:calc/logger@0.1.0", holding
// functions and resource types) and plain functions ("log"). A Linker
// provides them from:
//  - host functions, defined by interface name and function name, with a
//    callback on component Values, and optionally the WIT signature the host
//    implements (checked against the component's import when it is linked);
//  - host resource types (the host hands out handles whose representation it
//    chooses, and is told when the last owner drops one);
//  - the exports of another ComponentInstance (composition).
// Interface versions match by semver compatibility: an import of
// "wasi:cli/stdout@0.2.12" binds to a definition of "wasi:cli/stdout@0.2.0"
// (same major; for 0.x the same minor; 0.0.x and pre-releases exactly).
//
// Default deny: instantiating fails, listing every unresolved import, unless
// stubs were requested (stubUnresolved): then each unresolved function
// reports `stub: IFACE#FUNC(ARGS)` through the notice callback and returns a
// default value (or traps, StubMode::kTrap). Never silent.
//
// Host callbacks: a callback returning an error traps the calling guest
// (ErrorCode::kTrap, TrapCode::kHostError unless the error is a trap itself;
// Error::exit(n) ends the run). A callback must not call back into the
// instance that called it (the Canonical ABI traps: "cannot enter component
// instance").
//
// Thread safety: not thread safe while being modified; instantiate() does
// not modify the Linker. Definitions are shared (cheap to copy).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "compono/component/component.h"
#include "compono/component/instance.h"
#include "compono/component/value.h"
#include "compono/component/wit.h"
#include "compono/engine/store.h"
#include "compono/result.h"

namespace compono::component {

// What a host callback can see of its call.
class HostCall {
 public:
  HostCall(engine::Store& store, std::string_view interface, std::string_view func)
      : store_(&store), interface_(interface), func_(func) {}
  engine::Store& store() const { return *store_; }
  // The embedder data of the Store (engine::Store::setData).
  void* data() const { return store_->data(); }
  // The interface as the component imports it ("example:calc/logger@0.1.0";
  // empty for a plain function import) and the function's name ("log").
  std::string_view interface() const { return interface_; }
  std::string_view func() const { return func_; }

 private:
  engine::Store* store_;
  std::string_view interface_;
  std::string_view func_;
};

// Receives the arguments (already type-checked against the import) and
// appends the results (zero or one Value; checked against the import's
// result type: a mismatch traps the guest with a message naming the function).
using HostCallback =
    std::function<Status(HostCall& call, std::span<const Value> args, std::vector<Value>& results)>;

enum class StubMode : uint8_t {
  kOff,      // unresolved imports fail instantiation (the default)
  kDefault,  // unresolved functions return a default value (0, "", [], none, first case, ...)
  kTrap,     // unresolved functions trap when called
};

namespace internal {
struct LinkerState;
struct PreState;
}  // namespace internal

// A component linked once against a Linker's definitions, to be instantiated
// many times (like Wasmtime's InstancePre): its imports are resolved and
// type-checked when it is made, and the first instantiation records what
// does not depend on the instance (the component's types, the items bound
// to its imports, the description of its exports); every later one only
// makes the instance's own state (core module instances, canon functions,
// resource types, handle tables), each as fresh and isolated as from
// Linker::instantiate. Keeps the Linker's definitions it was made from (a
// later change to the Linker does not affect it).
//
// Thread safety: instantiate() may run on several threads at once, each
// with its own Store, when the host functions of the Linker are thread-safe
// themselves (the stubs of stubUnresolved are not: they share a counter of
// made-up handles). Cheap to copy (shared).
class InstancePre {
 public:
  const LoadedComponent& component() const;
  // Errors as Linker::instantiate's, minus the link errors (reported by
  // Linker::instantiatePre).
  Result<std::unique_ptr<ComponentInstance>> instantiate(engine::Store& store) const;

  explicit InstancePre(std::shared_ptr<internal::PreState> state);

 private:
  std::shared_ptr<internal::PreState> state_;
};

class Linker {
 public:
  Linker();
  ~Linker();
  Linker(const Linker&);
  Linker& operator=(const Linker&);

  // Defines (or replaces) a host function `func` of `interface` (empty for a
  // plain function import). Its type is the import's.
  void defineFunc(std::string_view interface, std::string_view func, HostCallback callback);
  // The same with the WIT signature the host implements (`function` of
  // `model`); linking fails with both signatures printed when the import
  // expects another type. kUsage if `function` is not a function of `model`.
  Status defineFunc(std::string_view interface, std::shared_ptr<const wit::Model> model,
                    const wit::Function& function, HostCallback callback);
  // Defines a resource type `resource` of `interface` implemented by the host.
  // Handles to it carry the host's representation (any u32 it chooses);
  // `drop` runs when a component drops the last own handle. Replaces an
  // earlier definition (instances already linked keep the old one).
  void defineResource(std::string_view interface, std::string_view resource,
                      std::function<void(uint32_t rep)> drop = nullptr);
  // Composition: `instance`'s export `exportName` (an instance, e.g.
  // "example:pair/math@0.1.0", or a function) satisfies imports named
  // `name`. Calls go directly from the importer to the exporter. `instance`
  // must outlive every instance linked against it and share its Store.
  Status defineInstance(std::string_view name, const ComponentInstance& instance,
                        std::string_view exportName);
  // Every export of `instance` under its own name.
  Status defineExports(const ComponentInstance& instance);

  // Unresolved function imports become stubs (see the file comment).
  // `notice` receives one line per stub call ("stub: IFACE#FUNC(ARGS)").
  void stubUnresolved(StubMode mode, std::function<void(const std::string&)> notice);

  // The imports of `component` that nothing defines (each as "IFACE" when
  // the whole interface is missing, else "IFACE#FUNC"), in import order.
  std::vector<std::string> unresolvedImports(const LoadedComponent& component) const;

  // Resolves every import (type-checking host signatures and linked
  // instances), instantiates the component in `store` (its core modules run
  // their start functions) and runs its start function, if any. Errors:
  // kLink for unresolved or mismatched imports (one error listing all of
  // them), kInstantiate / kTrap for failures while instantiating.
  Result<std::unique_ptr<ComponentInstance>> instantiate(
      engine::Store& store, std::shared_ptr<const LoadedComponent> component) const;
  // Resolves and type-checks every import once (kLink errors as above) for
  // instantiating `component` many times (see InstancePre).
  Result<InstancePre> instantiatePre(std::shared_ptr<const LoadedComponent> component) const;

  const internal::LinkerState& state() const { return *state_; }

 private:
  std::shared_ptr<internal::LinkerState> state_;
  void detach();  // copy-on-write before a modification
};

// The key under which interface names match: "wasi:cli/stdout@0.2" for
// "wasi:cli/stdout@0.2.12", "a:b/c@1" for "a:b/c@1.4.0", the name itself when
// it has no version, a 0.0.x or a pre-release version.
std::string semverKey(std::string_view name);

}  // namespace compono::component
