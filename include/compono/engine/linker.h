// compono/engine/linker.h — resolves a module's imports by name and instantiates it.
//
// A Linker holds host functions (usable with any Store) and store objects
// (usable only with the Store they belong to). Every import must be resolved
// explicitly: an import that nothing defines fails instantiation with an error
// naming the module, the import and its type (default deny).
//
// Not thread safe while being modified; instantiate() does not modify it.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <utility>

#include "compono/engine/host.h"
#include "compono/engine/instance.h"
#include "compono/engine/module.h"
#include "compono/engine/store.h"
#include "compono/result.h"

namespace compono::engine {

class Linker {
 public:
  Linker() = default;

  // Defines (or replaces) a host function import.
  void defineFunc(const std::string& module, const std::string& name, HostFunc func);
  void defineFunc(const std::string& module, const std::string& name, HostFuncPtr func);
  // Defines a store object as an import (only valid with its own Store).
  void define(const std::string& module, const std::string& name, const Extern& ext);
  // Defines every export of an instance under `module` (spec-test "register").
  void defineInstance(const std::string& module, const Instance& instance);

  bool has(const std::string& module, const std::string& name) const;

  // Instantiates a module in a store: resolves and type-checks every import,
  // applies the Store's limits, runs the start function.
  Result<Instance> instantiate(Store& store, std::shared_ptr<const Module> module) const;

  // Checks that every import of `module` is defined with a matching type,
  // without instantiating. Lists every unresolved import in one error.
  Status checkImports(const Module& module) const;

 private:
  struct Entry {
    HostFuncPtr host;  // set for host functions
    std::optional<Extern> ext;
  };
  std::map<std::pair<std::string, std::string>, Entry> entries_;
};

}  // namespace compono::engine
