// Internal: fills ModuleInfo::sections, name and funcNames from the raw bytes.
#pragma once

#include <span>
#include <string>

#include "compono/engine/module.h"
#include "compono/result.h"

namespace compono::engine {

// Precondition: bytes start with a valid 8-byte header (checked by the caller).
Status scanSections(std::span<const uint8_t> bytes, const std::string& file, ModuleInfo& info);

}  // namespace compono::engine
