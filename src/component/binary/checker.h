// The type checker behind validateComponent (internal): walks a component
// and returns its resolved type (the TypeStore node of kind kComponent with
// its imports and exports), which the WIT view (wit_view.cpp) prints.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "component/binary/types.h"
#include "compono/component/ast.h"
#include "compono/component/validate.h"

namespace compono::component::binary {

struct CheckedComponent {
  std::unique_ptr<TypeStore> store;
  TypeId type = kNoType;  // kComponent
  // The type of every nested component, by address in the checked AST.
  std::map<const Component*, TypeId> nested;
};

Result<CheckedComponent> checkComponent(const Component& component, const std::string& name,
                                        const ValidateOptions& options);

}  // namespace compono::component::binary
