// compono/wasi/wasi_p2.h — WASI 0.2 (the component-model interfaces
// wasi:cli, wasi:io, wasi:clocks, wasi:filesystem, wasi:random,
// wasi:sockets) on top of component::Linker.
//
// The implementation lives in src/component/wasi_p2 (built into
// compono_component; docs/design-notes.md says why). docs/wasi.md lists
// every interface and what each function returns.
//
// Contract: defines every WASI 0.2 interface Compono implements in `linker`
// (resource types and functions, by interface name at version 0.2.0, so any
// 0.2.x version a component imports binds), backed by the capabilities of
// `ctx` (arguments, environment, preopened directories, stdio). Only what
// `ctx` grants is reachable; wasi:sockets is defined so that components
// importing it link, and every operation returns access-denied. `ctx` must
// outlive every instance linked with `linker`.
//
// `io` is the table of wasi:io handles (compono/component/wasi_p2_io.h);
// pass the same table to every provider defining interfaces that hand out
// streams or pollables in the same linker (wasi:http). The two-argument form
// makes a table of its own.
#pragma once

#include <memory>

#include "compono/component/linker.h"
#include "compono/component/wasi_p2_io.h"
#include "compono/result.h"
#include "compono/wasi/wasi.h"

namespace compono::wasi {

Status addWasiP2ToLinker(component::Linker& linker, WasiCtx& ctx);
Status addWasiP2ToLinker(component::Linker& linker, WasiCtx& ctx,
                         std::shared_ptr<component::wasi_p2::IoTable> io);

}  // namespace compono::wasi
