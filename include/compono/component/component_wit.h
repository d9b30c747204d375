// compono/component/component_wit.h — the WIT view of a component's types:
// what a component imports and exports, as a wit::Model (wit.h) that the WIT
// printer (wit_print.h) prints and the canonical ABI consumes.
//
// The model holds one package per interface namespace:name@version that the
// component imports or exports (interfaces named by their extern names, e.g.
// "example:calc/calc@0.1.0", with their types, resources and functions as
// the component's types say), and the package `root:component` with one
// world `root` (what `jco wit` prints). Imports and exports with plain names
// become world functions or inline interfaces. Types a component imports
// with `(type ...)` become world type imports. Imports and exports of
// components and core modules have no WIT form and are left out.
//
// Type names come from the component: an exported type (`(export "point"
// (type ...))`) names its type; an interface that re-exports another
// interface's type gets a `use`. A record, variant, enum, flags or resource
// that no export names gets a synthesized name ("type-3").
//
// The component is validated on the way (without decoding core module
// bodies): an invalid component is an error (kValidate), located like
// validate.h's errors. Thread safety: reentrant.
#pragma once

#include <string>

#include "compono/component/ast.h"
#include "compono/component/wit.h"
#include "compono/result.h"

namespace compono::component {

struct ComponentWorld {
  wit::Model model;
  wit::PackageId package = wit::kNoId;  // root:component (last in model.packages)
  wit::WorldId world = wit::kNoId;      // root
};

// The world of `component`, or of one of its nested components (`nested`
// points into component's definitions, at any depth; nullptr: the
// component itself). `name` is used in messages.
Result<ComponentWorld> componentWorld(const Component& component, const std::string& name,
                                      const Component* nested = nullptr);

}  // namespace compono::component
