#include "providers/wit_sources.h"

#include "compono/component/wit_load.h"
#include "wit_sources_gen.h"

namespace compono::providers::internal {

namespace wit = component::wit;

Result<std::shared_ptr<const wit::Model>> embeddedPackage(std::string_view dir) {
  std::string prefix = "wit/" + std::string(dir) + "/";
  std::vector<wit::SourceFile> files;
  for (const EmbeddedWit& e : kEmbeddedWit) {
    if (e.path.substr(0, prefix.size()) == prefix) {
      files.push_back({std::string(e.path), std::string(e.text)});
    }
  }
  if (files.empty()) {
    return Error(ErrorCode::kInternal, "no embedded WIT package " + prefix);
  }
  COMPONO_ASSIGN(wit::LoadedPackage loaded, wit::loadWitSources(std::move(files), {}));
  return std::make_shared<const wit::Model>(std::move(loaded.model));
}

const wit::Function* findFunc(const wit::Model& model, std::string_view iface,
                              std::string_view func) {
  for (size_t i = 0; i < model.interfaces.size(); ++i) {
    if (model.interfaces[i].name != iface) continue;
    return model.findFunction(static_cast<wit::InterfaceId>(i), func);
  }
  return nullptr;
}

}  // namespace compono::providers::internal
