// The WIT of the interfaces the providers implement, as checked in under wit/
// and embedded at build time (internal to src/providers).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "compono/component/wit.h"
#include "compono/result.h"

namespace compono::providers::internal {

// The resolved package wit/<dir>/ ("keyvalue", "config", "logging"), parsed
// anew on each call (a few KiB of WIT; done when a linker is set up).
Result<std::shared_ptr<const component::wit::Model>> embeddedPackage(std::string_view dir);

// The function `func` ("open", "[method]bucket.get") of interface `iface`
// ("store") in the package's root; nullptr when absent.
const component::wit::Function* findFunc(const component::wit::Model& model, std::string_view iface,
                                         std::string_view func);

}  // namespace compono::providers::internal
