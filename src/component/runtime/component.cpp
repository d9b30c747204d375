// LoadedComponent: decode once, decode every core module once, describe the
// world with a type-only instantiation walk.
#include <unordered_map>

#include "component/runtime/runtime.h"
#include "component/runtime/types_internal.h"
#include "compono/component/binary.h"

namespace compono::component {

struct LoadedComponent::Impl {
  const engine::Engine* engine = nullptr;
  std::string name;
  Component ast;
  std::unordered_map<const CoreModule*, std::shared_ptr<const engine::Module>> modules;
  rt::EnvPtr env;
  wit::WorldId world = wit::kNoId;
  std::vector<ExternInfo> imports, exports;
};

namespace {

Status loadModules(const engine::Engine& engine, const Component& c, const std::string& name,
                   LoadedComponent::Impl& impl, int& counter) {
  for (const Definition& d : c.definitions) {
    if (const auto* m = std::get_if<CoreModule>(&d.item)) {
      std::string mname = name + "/module" + std::to_string(counter++);
      COMPONO_ASSIGN(auto mod, engine::Module::fromBinary(engine, m->bytes(), mname));
      impl.modules[m] = std::move(mod);
    } else if (const auto* n = std::get_if<NestedComponent>(&d.item)) {
      COMPONO_TRY(loadModules(engine, n->get(), name, impl, counter));
    }
  }
  return okStatus();
}

// Root imports of the type-only walk: every import takes its declared type,
// with abstract resources and unbound functions.
class DeclaredImports final : public rt::ImportResolver {
 public:
  explicit DeclaredImports(rt::Walk& walk) : walk_(walk) {}

  Result<rt::Item> resolve(rt::Frame& frame, const Import& imp) override {
    const std::string& name = imp.name.name;
    const ExternDesc& d = imp.desc;
    auto abstractResource = [&](const std::string&, const std::string&) -> Result<wit::TypeId> {
      wit::TypeDef def;
      def.kind = wit::ResourceType{};
      return walk_.env->model.addType(std::move(def));
    };
    switch (d.kind) {
      case ExternKind::kInstance: {
        if (d.typeIndex >= frame.types.size()) {
          return Error(ErrorCode::kComponent, "import " + name + ": type index out of range");
        }
        rt::InstanceTypeBinder binder;
        binder.resource = abstractResource;
        binder.func = [](const std::string&, const std::string&,
                         const rt::FuncSig&) -> Result<rt::FuncPtr> { return rt::FuncPtr(); };
        COMPONO_ASSIGN(rt::BagPtr bag,
                       rt::evalInstanceType(walk_, frame.types[d.typeIndex], binder, name));
        return rt::Item(bag);
      }
      case ExternKind::kFunc: {
        if (d.typeIndex >= frame.types.size()) {
          return Error(ErrorCode::kComponent, "import " + name + ": type index out of range");
        }
        auto f = std::make_shared<rt::ComponentFunc>();
        f->env = walk_.env;
        COMPONO_ASSIGN(f->sig, rt::funcSigOf(frame.types[d.typeIndex]));
        f->debugName = name;
        return rt::Item(f);
      }
      case ExternKind::kType: {
        rt::TypeItem t;
        if (d.bound.kind == TypeBound::Kind::kEq) {
          if (d.bound.index >= frame.types.size()) {
            return Error(ErrorCode::kComponent, "import " + name + ": type index out of range");
          }
          t = frame.types[d.bound.index];
        } else {
          COMPONO_ASSIGN(wit::TypeId id, abstractResource("", name));
          t.value = wit::Type::def(id);
        }
        if (t.kind == rt::TypeItem::Kind::kValue) t.value = rt::nameType(*walk_.env, t.value, name);
        return rt::Item(t);
      }
      default:
        return Error(ErrorCode::kComponent, "import \"" + name + "\" of a " +
                                                externKindName(d.kind) +
                                                ": only instances, functions and types can be "
                                                "imported from the host");
    }
  }

 private:
  rt::Walk& walk_;
};

}  // namespace

LoadedComponent::LoadedComponent(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
LoadedComponent::~LoadedComponent() = default;

Result<std::shared_ptr<const LoadedComponent>> LoadedComponent::fromBinary(
    const engine::Engine& engine, std::span<const uint8_t> bytes, std::string name) {
  auto impl = std::make_unique<Impl>();
  impl->engine = &engine;
  impl->name = name;
  auto shared = std::make_shared<const std::vector<uint8_t>>(bytes.begin(), bytes.end());
  COMPONO_ASSIGN(impl->ast, decodeComponent(shared, name));
  int counter = 0;
  COMPONO_TRY(loadModules(engine, impl->ast, name, *impl, counter));

  // The world: a type-only walk.
  std::shared_ptr<LoadedComponent> lc(new LoadedComponent(std::move(impl)));
  Impl& im = *lc->impl_;
  im.env = std::make_shared<rt::TypeEnv>();
  std::vector<std::unique_ptr<rt::Frame>> arena;
  rt::Walk walk;
  walk.component = lc.get();
  walk.env = im.env;
  walk.arena = &arena;
  walk.poisoned = std::make_shared<std::string>();
  DeclaredImports resolver(walk);
  COMPONO_ASSIGN(rt::Frame * root, rt::instantiate(walk, im.ast, nullptr, nullptr, &resolver, name));
  im.imports = rt::describe(*im.env, root->imports);
  im.exports = rt::describe(*im.env, root->exports->items);
  im.world = rt::buildWorld(*im.env, root->imports, root->exports->items);
  return std::shared_ptr<const LoadedComponent>(std::move(lc));
}

Result<std::shared_ptr<const LoadedComponent>> LoadedComponent::fromFile(
    const engine::Engine& engine, const std::string& path) {
  COMPONO_ASSIGN(std::vector<uint8_t> bytes, engine::readFileBytes(path));
  if (!isComponentBinary(bytes)) {
    return Error(ErrorCode::kDecode,
                 path + ": not a component binary" +
                     (engine::hasWasmMagic(bytes) ? " (it is a core module)" : ""));
  }
  std::string name = path;
  size_t slash = name.rfind('/');
  if (slash != std::string::npos) name = name.substr(slash + 1);
  return fromBinary(engine, bytes, name);
}

const std::string& LoadedComponent::name() const { return impl_->name; }
const engine::Engine& LoadedComponent::engine() const { return *impl_->engine; }
const Component& LoadedComponent::ast() const { return impl_->ast; }
const wit::Model& LoadedComponent::model() const { return impl_->env->model; }
wit::WorldId LoadedComponent::world() const { return impl_->world; }
const std::vector<ExternInfo>& LoadedComponent::imports() const { return impl_->imports; }
const std::vector<ExternInfo>& LoadedComponent::exports() const { return impl_->exports; }

Result<FuncInfo> LoadedComponent::findExport(std::string_view name) const {
  return rt::findFunc(impl_->exports, name, impl_->name);
}

std::shared_ptr<const engine::Module> LoadedComponent::coreModule(const CoreModule& module) const {
  auto it = impl_->modules.find(&module);
  return it == impl_->modules.end() ? nullptr : it->second;
}

}  // namespace compono::component
