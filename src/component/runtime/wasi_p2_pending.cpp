// Placeholder for wasi::addWasiP2ToLinker (compono/wasi/wasi_p2.h) until the
// WASI layer implements WASI 0.2: it defines nothing, so callers find the
// WASI 0.2 interfaces a component imports among Linker::unresolvedImports and
// report them as not provided yet. Delete this file (and its line in
// src/component/CMakeLists.txt) when the real implementation lands.
#include "compono/wasi/wasi_p2.h"

namespace compono::wasi {

Status addWasiP2ToLinker(component::Linker&, WasiCtx&) { return okStatus(); }

}  // namespace compono::wasi
