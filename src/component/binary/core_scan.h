// A light reader for the imports and exports of a core module (internal):
// the validator needs a module's type without decoding its code.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "compono/engine/types.h"
#include "compono/result.h"

namespace compono::component::binary {

struct CoreModuleSignature {
  std::vector<engine::ImportType> imports;
  std::vector<engine::ExportType> exports;
};

// Reads the type, import, function, table, memory, global, tag and export
// sections of a core module binary. `base` is the module's absolute offset
// (for messages); `file` names it. Errors are kDecode, located.
Result<CoreModuleSignature> scanCoreModule(std::span<const uint8_t> bytes, uint64_t base,
                                           const std::string& file);

}  // namespace compono::component::binary
