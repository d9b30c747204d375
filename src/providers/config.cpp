// wasi:config/store from the values of one component's deployment.
#include "compono/providers/config.h"

#include <memory>

#include "providers/wit_sources.h"

namespace compono::providers {

using component::HostCall;
using component::Value;

Status addConfigToLinker(component::Linker& linker, ConfigValues values) {
  COMPONO_ASSIGN(auto model, internal::embeddedPackage("config"));
  const component::wit::Function* get = internal::findFunc(*model, "store", "get");
  const component::wit::Function* getAll = internal::findFunc(*model, "store", "get-all");
  if (!get || !getAll) return Error(ErrorCode::kInternal, "wit/config: store.get/get-all missing");
  auto shared = std::make_shared<const ConfigValues>(std::move(values));
  COMPONO_TRY(linker.defineFunc(
      kConfigInterface, model, *get,
      [shared](HostCall&, std::span<const Value> args, std::vector<Value>& results) -> Status {
        for (const auto& [k, v] : *shared) {
          if (k == args[0].str) {
            results.push_back(Value::ok({Value::some(Value::string(v))}));
            return okStatus();
          }
        }
        results.push_back(Value::ok({Value::none()}));
        return okStatus();
      }));
  return linker.defineFunc(
      kConfigInterface, model, *getAll,
      [shared](HostCall&, std::span<const Value>, std::vector<Value>& results) -> Status {
        std::vector<Value> pairs;
        for (const auto& [k, v] : *shared) {
          pairs.push_back(Value::tuple({Value::string(k), Value::string(v)}));
        }
        results.push_back(Value::ok({Value::list(std::move(pairs))}));
        return okStatus();
      });
}

}  // namespace compono::providers
