// componentize(): reads the core module (and adapter), finds the world,
// plans and builds the component.
#include "compono/component/componentize.h"

#include "component/componentize/core_module.h"
#include "component/componentize/plan.h"
#include "compono/engine/engine.h"
#include "compono/engine/module.h"

namespace compono::component::componentize {

namespace {

constexpr const char* kComponentType = "component-type";

// The worlds named by a module's component-type sections.
Result<std::vector<DecodedWorld>> worldsOf(std::span<const uint8_t> bytes,
                                           const std::string& name) {
  COMPONO_ASSIGN(std::vector<CustomSectionRef> sections, customSections(bytes, name));
  std::vector<DecodedWorld> out;
  for (const CustomSectionRef& s : sections) {
    if (s.name.compare(0, std::string(kComponentType).size(), kComponentType) != 0) continue;
    COMPONO_ASSIGN(DecodedWorld w,
                   decodeWorldType(s.payload, name + ": custom section `" + s.name + "`"));
    out.push_back(std::move(w));
  }
  return out;
}

Result<ModulePlan> loadModule(const engine::Engine& engine, std::span<const uint8_t> bytes,
                              const std::string& name, Source source) {
  ModulePlan mp;
  mp.source = source;
  mp.name = name;
  COMPONO_ASSIGN(mp.bytes, withoutCustomSections(bytes, kComponentType, name));
  COMPONO_ASSIGN(mp.module, engine::Module::fromBinary(engine, mp.bytes, name));
  return mp;
}

}  // namespace

Result<Componentized> componentize(std::span<const uint8_t> core, const Options& options) {
  engine::Engine engine;
  COMPONO_ASSIGN(ModulePlan main, loadModule(engine, core, options.moduleName, Source::kMain));

  // The world: given, or from the module's component-type sections.
  std::vector<DecodedWorld> embedded;
  WorldRef world;
  if (options.model) {
    if (options.world >= options.model->worlds.size())
      return Error(ErrorCode::kUsage, "no such world");
    world = WorldRef{options.model, options.world};
  } else {
    COMPONO_ASSIGN(embedded, worldsOf(core, options.moduleName));
    if (embedded.empty()) {
      return Error(
          ErrorCode::kComponent,
          options.moduleName +
              ": no `component-type` custom section names the world; give --wit DIR --world NAME "
              "(or build with the glue of `compono bindgen c`)");
    }
    std::vector<size_t> picked;
    std::string names;
    for (size_t i = 0; i < embedded.size(); ++i) {
      const wit::World& w = embedded[i].model.worlds[embedded[i].world];
      names += (names.empty() ? "" : ", ") + w.name;
      if (options.worldName.empty() || options.worldName == w.name ||
          options.worldName == worldName(WorldRef{&embedded[i].model, embedded[i].world})) {
        picked.push_back(i);
      }
    }
    if (picked.empty()) {
      return Error(ErrorCode::kComponent, options.moduleName + ": no embedded world `" +
                                              options.worldName + "` (the module names: " + names +
                                              ")");
    }
    if (picked.size() > 1) {
      return Error(ErrorCode::kComponent, options.moduleName + ": several embedded worlds (" +
                                              names + "); choose one with --world");
    }
    world = WorldRef{&embedded[picked[0]].model, embedded[picked[0]].world};
  }

  std::optional<ModulePlan> adapter;
  std::vector<DecodedWorld> adapterWorlds;
  std::optional<WorldRef> adapterWorld;
  if (!options.adapter.empty()) {
    COMPONO_ASSIGN(ModulePlan a,
                   loadModule(engine, options.adapter, options.adapterName, Source::kAdapter));
    // The adapter gets its stack lazily (see injectLazyStack).
    COMPONO_ASSIGN(a.bytes, injectLazyStack(a.bytes, options.adapterName));
    COMPONO_ASSIGN(a.module, engine::Module::fromBinary(engine, a.bytes, options.adapterName));
    COMPONO_ASSIGN(adapterWorlds, worldsOf(options.adapter, options.adapterName));
    if (adapterWorlds.size() != 1) {
      return Error(ErrorCode::kComponent,
                   options.adapterName +
                       ": an adapter needs exactly one `component-type` custom section (found " +
                       std::to_string(adapterWorlds.size()) + ")");
    }
    adapterWorld = WorldRef{&adapterWorlds[0].model, adapterWorlds[0].world};
    adapter = std::move(a);
  }

  COMPONO_ASSIGN(Plan plan, makePlan(std::move(main), world, std::move(adapter), adapterWorld));
  Componentized out;
  COMPONO_ASSIGN(out.component, buildComponent(plan, out.summary));
  return out;
}

}  // namespace compono::component::componentize
