// compono/component/componentize.h — wraps a core module that implements a
// WIT world into a component (what `wasm-tools component new` does), and
// the `component-type` custom section that names the world.
//
// The core module follows the canonical ABI naming conventions (the ones
// `compono bindgen c` and wit-bindgen generate):
//  - exports `<iface>#<func>` for functions of exported interfaces
//    ("example:calc/basic@0.1.0#add"), `<func>` for world-level functions,
//    optional `cabi_post_<export>` post-return functions, `cabi_realloc`,
//    `memory`, optional `_initialize` (called when the component is
//    instantiated), `<iface>#[dtor]<r>` destructors of exported resources;
//  - imports functions of imported interfaces from module `<iface>` (name =
//    the function's name), world-level functions from `$root`,
//    `[resource-drop]<r>` from the resource's interface, and
//    `[resource-new|rep|drop]<r>` from `[export]<iface>` for exported
//    resources; `wasi_snapshot_preview1` functions when an adapter is given.
// A version in an import's module name may differ from the world's when the
// two are semver-compatible (0.2.6 satisfies 0.2.12).
//
// The component is laid out like wit-component's: the core module, a shim
// module whose table holds the lowered imports that need the module's own
// memory or realloc (so the module can be instantiated before them), the
// module's instance, the lowerings, a fixup module that fills the table and
// calls `_initialize`, then the lifted exports gathered per interface by a
// small nested component that gives the exported types their names.
//
// With a wasi_snapshot_preview1 adapter (a core module whose
// `component-type` section describes the WASI 0.2 interfaces it imports),
// the main module's `wasi_snapshot_preview1` imports come from the adapter,
// and the adapter's imports (`env.memory`, `__main_module__.cabi_realloc`,
// WASI 0.2 functions) are wired to the main module and the component's
// imports. The adapter is used whole (not trimmed to the functions the
// module calls), so the component imports every interface the adapter can
// use.
//
// Errors (kComponent, kDecode for malformed input) are one line and name
// the item: "basic.wasm: missing export `example:calc/basic@0.1.0#add` (world
// `basic-world` exports interface `example:calc/basic@0.1.0` with `add:
// func(a: u32, b: u32) -> u32`)", "import `foo`.`bar` is not in world
// `basic-world`", "export `example:calc/basic@0.1.0#add` has core type (i32)
// -> (i32), expected (i32, i32) -> (i32)".
//
// Thread safety: reentrant; no shared state.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "compono/component/wit.h"
#include "compono/result.h"

namespace compono::component::componentize {

// ---- the component-type custom section ----------------------------------------

// The payload of a `component-type:<world>` custom section for `world`: a
// component that exports a component type describing the world
// (wit-component's "encoded world" format, version 4, UTF-8).
Result<std::vector<uint8_t>> encodeWorldType(const wit::Model& model, wit::WorldId world);

// A world read back from a `component-type` section.
struct DecodedWorld {
  wit::Model model;
  wit::WorldId world = wit::kNoId;
};
// Decodes a `component-type` section payload (ours or wit-component's).
// `where` prefixes messages ("basic.wasm: custom section component-type:x").
Result<DecodedWorld> decodeWorldType(std::span<const uint8_t> payload, const std::string& where);

// ---- componentize --------------------------------------------------------------

struct Options {
  // The world the module implements. When `model` is unset, the module's own
  // `component-type` custom sections name it (there must be exactly one
  // world among them, or `worldName` must pick one).
  const wit::Model* model = nullptr;
  wit::WorldId world = wit::kNoId;
  // With no model: selects among several component-type sections by world
  // name (empty: there must be one).
  std::string worldName;
  // A wasi_snapshot_preview1 adapter module (bytes), e.g. jco's
  // lib/wasi_snapshot_preview1.reactor.wasm. Empty: none.
  std::vector<uint8_t> adapter;
  std::string adapterName = "adapter";  // for messages
  // Name of the core module for messages ("basic.core.wasm").
  std::string moduleName = "module";
};

// What componentize found, for `compono componentize --verbose` and tests.
struct Summary {
  std::string world;                 // "example:calc/basic-world@0.1.0"
  std::vector<std::string> imports;  // component import names, in order
  std::vector<std::string> exports;  // component export names, in order
  uint32_t indirectLowerings = 0;    // entries of the shim table
  bool initialize = false;           // `_initialize` is called on instantiation
  bool adapter = false;
};

struct Componentized {
  std::vector<uint8_t> component;  // the component binary
  Summary summary;
};

// Builds the component. `core` is the core module binary.
Result<Componentized> componentize(std::span<const uint8_t> core, const Options& options);

}  // namespace compono::component::componentize
