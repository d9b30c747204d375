// Internal: evaluating AST types in a Scope (types.cpp), shared with the
// instantiation walk (instantiate.cpp).
#pragma once

#include <string>

#include "component/runtime/runtime.h"

namespace compono::component::rt {

wit::Primitive primitiveOf(PrimValType p);
// The wit::Type of a `valtype` of scope `s`.
Result<wit::Type> valTypeOf(const Scope& s, const ValType& v);
// Evaluates a type definition (not a resource: the walk handles those).
Result<TypeItem> typeItemOf(Walk& walk, Scope& s, const TypeDef& def, const std::string& where);
// The scope `count` levels out (outer aliases).
Result<const Scope*> outerScope(const Scope& s, uint32_t count);

}  // namespace compono::component::rt
