// compono/wasi/wasi_p2.h — WASI 0.2 (the component-model interfaces
// wasi:cli, wasi:io, wasi:clocks, wasi:filesystem, wasi:random,
// wasi:sockets) on top of component::Linker.
//
// Declaration only: the implementation lives with the WASI layer. Until it
// exists, src/component/runtime/wasi_p2_pending.cpp provides a placeholder
// that defines nothing and returns okStatus(); callers then find the WASI 0.2
// interfaces a component imports among Linker::unresolvedImports and report
// them as not provided yet (remove that file when the real implementation
// lands).
//
// Contract: defines every WASI 0.2 interface Compono implements in `linker`
// (resource types and functions, by interface name at version 0.2.x, so any
// 0.2 patch version a component imports binds), backed by the capabilities
// of `ctx` (arguments, environment, preopened directories, stdio). Only what
// `ctx` grants is reachable. `ctx` must outlive every instance linked with
// `linker`.
#pragma once

#include "compono/component/linker.h"
#include "compono/result.h"
#include "compono/wasi/wasi.h"

namespace compono::wasi {

Status addWasiP2ToLinker(component::Linker& linker, WasiCtx& ctx);

}  // namespace compono::wasi
