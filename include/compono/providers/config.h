// compono/providers/config.h — wasi:config/store@0.2.0-draft: the
// configuration values a deployment gives one component
// (wit/config/store.wit).
//
// A component reads its own values and nothing else: `get` of a key that was
// not given answers ok(none), `get-all` lists exactly the given pairs in
// their order.
//
// Thread safety: the defined functions only read immutable data.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "compono/component/linker.h"
#include "compono/result.h"

namespace compono::providers {

inline constexpr std::string_view kConfigInterface = "wasi:config/store@0.2.0-draft";

using ConfigValues = std::vector<std::pair<std::string, std::string>>;

// Defines wasi:config/store@0.2.0-draft (get, get-all) in `linker`, answering
// from `values`.
Status addConfigToLinker(component::Linker& linker, ConfigValues values);

}  // namespace compono::providers
