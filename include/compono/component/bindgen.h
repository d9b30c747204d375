// compono/component/bindgen.h — guest bindings generators: C headers and
// glue for a WIT world (what wit-bindgen's C generator does).
//
// `generateC` turns one world of a resolved WIT model into two files:
//  - `<world>.h`: a C type for every WIT type the world uses, prototypes of
//    the functions the guest implements (its exports), declarations of the
//    functions it can call (its imports), and free/helper functions. The
//    naming scheme is documented at the top of the generated header.
//  - `<world>.c`: the canonical ABI glue (lifting and lowering of arguments
//    and results, return areas, `cabi_post_*`, `cabi_realloc`) and the
//    `component-type:<world>` custom section that tells `compono
//    componentize` (or wasm-tools / jco) which world the module implements.
// Compile both with the guest: `clang --target=wasm32-wasi
// -mexec-model=reactor guest.c <world>.c -o guest.wasm`.
//
// Memory layouts in the C types are exactly the canonical ABI layouts of
// the runtime (component/runtime/abi.h) for wasm32: the generated `.c`
// checks every size and alignment with _Static_assert.
//
// Supported: every Component Model 0.2 value type, resources (imported and
// exported, own and borrow), interface and world-level functions. Async
// functions, future, stream, error-context, map and fixed-length lists
// (post-0.2) are errors that name the item.
//
// Thread safety: reentrant; no shared state.
#pragma once

#include <string>

#include "compono/component/wit.h"
#include "compono/result.h"

namespace compono::component::bindgen {

struct COptions {
  // Identifier prefix of world-wide names (anonymous types, helpers).
  // Empty: the world's name in snake_case ("basic-world" -> "basic_world").
  std::string prefix;
  // Also emit the component-type custom section (on by default).
  bool componentType = true;
};

struct CBindings {
  std::string headerName;  // "basic_world.h"
  std::string header;
  std::string sourceName;  // "basic_world.c"
  std::string source;
};

// Generates the C bindings of `world`. Errors (kComponent) name the item
// that cannot be expressed: "interface `x`, function `f`: async functions
// are not supported (post-0.2)".
Result<CBindings> generateC(const wit::Model& model, wit::WorldId world,
                            const COptions& options = {});

}  // namespace compono::component::bindgen
