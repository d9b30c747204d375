// Internal: the `spectest` module every spec script may import from
// (WebAssembly/spec interpreter/host/spectest.ml): print functions that do
// nothing, four constant globals, a funcref table of 10..20 elements and a
// memory of 1..2 pages.
#pragma once

#include "compono/engine/linker.h"
#include "compono/engine/store.h"
#include "compono/result.h"

namespace compono::engine::wast {

// Defines every `spectest` export in `linker`; the table, memory and globals
// are created in `store` (so the linker is only usable with that Store).
Status defineSpectest(Linker& linker, Store& store);

}  // namespace compono::engine::wast
