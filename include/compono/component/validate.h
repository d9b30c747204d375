// compono/component/validate.h — validation of a decoded component (ast.h).
//
// What is checked (Binary.md, Explainer.md, CanonicalABI.md; details and
// the rules not implemented are listed in src/component/binary/validator.cpp):
//  - index spaces per sort, built in definition order; every index in range;
//  - types: value types name defined value types, own/borrow name
//    resources, labels are kebab-case and unique, borrow only in
//    parameters, resources defined only in components;
//  - aliases: the instance (core instance) exports the name with that sort;
//    outer aliases stay within the enclosing scopes and do not capture
//    resources across a component boundary;
//  - canon lift/lower: the core function type equals flatten(functype)
//    (MAX_FLAT_PARAMS 16, MAX_FLAT_RESULTS 1), memory/realloc present when
//    needed, realloc and post-return types, no duplicate options;
//    resource.new/rep only for resources of this component, drop for any;
//  - instantiation: every import has an argument of a matching type
//    (subtyping with resource substitution); core instantiation likewise
//    against the module's imports;
//  - import/export names: well-formed and unique (dependency names with
//    version ranges, integrity metadata), [constructor]/[method]/[static]
//    names on functions of a preceding resource with the right signature;
//  - named types: an import refers only to resources and to record,
//    variant, enum and flags types that preceding imports named; an export
//    only to ones imports or exports named (exporting an instance names what
//    it exports); instance types are checked where they are used;
//  - core modules: no duplicate import names; module types may alias core
//    types of any enclosing scope;
//  - the effective size of every type is at most 1,000,000 (wasm-tools'
//    limit; exponential nesting is rejected);
//  - core modules: decoded and validated by the engine (optional).
//
// Errors are one line, code kValidate (kDecode for a core module the engine
// cannot decode): "FILE: offset 0x..: section canon: canon lift: core function
// type (i32) -> () does not match the flattened type (i32, i32) -> ()".
//
// Thread safety: reentrant; no shared state.
#pragma once

#include <string>

#include "compono/component/ast.h"
#include "compono/result.h"

namespace compono::component {

struct ValidateOptions {
  // Decode and validate every core module with the engine. Off: only a
  // module's imports and exports are read, which is much faster for large
  // modules but accepts invalid function bodies.
  bool validateCoreModules = true;
};

Status validateComponent(const Component& component, const std::string& name,
                         const ValidateOptions& options = {});

}  // namespace compono::component
