// The instantiation walk (Explainer.md "Instance Definitions"): the
// definitions of a component in binary order, each adding one index to one
// index space of the instance being built. The same walk, without a Store,
// computes a component's world (every core step is skipped).
#include <type_traits>

#include "component/runtime/runtime.h"
#include "component/runtime/types_internal.h"
#include "compono/engine/linker.h"

namespace compono::component::rt {

const Item* InstanceBag::find(std::string_view name) const {
  for (const auto& [n, item] : items) {
    if (n == name) return &item;
  }
  return nullptr;
}

namespace {

Error err(const std::string& what) { return Error(ErrorCode::kComponent, what); }

std::string idx(uint32_t i) { return std::to_string(i); }

template <typename T>
Result<T*> at(std::vector<T>& v, uint32_t i, const char* what) {
  if (i >= v.size()) {
    return err(std::string(what) + " index " + idx(i) + " is out of range (" +
               std::to_string(v.size()) + " defined)");
  }
  return &v[i];
}

const char* itemKindName(const Item& item) {
  switch (item.index()) {
    case 0: return "func";
    case 1: return "instance";
    case 2: return "type";
    case 3: return "component";
    default: return "core module";
  }
}

class Walker {
 public:
  Walker(Walk& walk, Frame& f, const std::vector<std::pair<std::string, Item>>* args,
         ImportResolver* resolver)
      : w_(walk), f_(f), args_(args), resolver_(resolver) {}

  Status definition(size_t index, const Definition& def) {
    def_ = index;
    return std::visit([&](const auto& x) { return step(x); }, def.item);
  }

 private:
  TypeEnv& env() { return *w_.env; }

  // The item the recording walk of an InstancePre memoized for this
  // definition (replay only; see WalkMemo).
  Result<const Item*> memoized() {
    const Item* it = w_.memo->find(f_.ordinal, def_);
    if (!it) {
      return Error(ErrorCode::kInternal, f_.inst->name + ": definition " + idx(static_cast<uint32_t>(def_)) +
                                             " was not recorded by the first instantiation");
    }
    return it;
  }
  void memoize(const Item& it) {
    if (w_.recording()) w_.memo->put(f_.ordinal, def_, it);
  }

  // ---- reading the index spaces ----

  Result<Item> item(SortIndex si) {
    switch (si.sort) {
      case Sort::kFunc: {
        COMPONO_ASSIGN(FuncPtr * p, at(f_.funcs, si.index, "func"));
        return Item(*p);
      }
      case Sort::kInstance: {
        COMPONO_ASSIGN(BagPtr * p, at(f_.instances, si.index, "instance"));
        return Item(*p);
      }
      case Sort::kType: {
        COMPONO_ASSIGN(TypeItem * p, at(f_.types, si.index, "type"));
        return Item(*p);
      }
      case Sort::kComponent: {
        COMPONO_ASSIGN(ComponentClosure * p, at(f_.components, si.index, "component"));
        return Item(*p);
      }
      case Sort::kCoreModule: {
        COMPONO_ASSIGN(auto* p, at(f_.coreModules, si.index, "core module"));
        return Item(*p);
      }
      default:
        return err(std::string("cannot use a ") + sortName(si.sort) + " here (not supported)");
    }
  }

  std::vector<CoreItem>* coreSpace(Sort s) {
    switch (s) {
      case Sort::kCoreFunc: return &f_.coreFuncs;
      case Sort::kCoreTable: return &f_.coreTables;
      case Sort::kCoreMemory: return &f_.coreMemories;
      case Sort::kCoreGlobal: return &f_.coreGlobals;
      default: return nullptr;
    }
  }

  Status push(Sort sort, Item it) {
    auto wrong = [&]() {
      return err(std::string("a ") + itemKindName(it) + " cannot be used as a " + sortName(sort));
    };
    switch (sort) {
      case Sort::kFunc:
        if (!std::holds_alternative<FuncPtr>(it)) return wrong();
        f_.funcs.push_back(std::get<FuncPtr>(it));
        return okStatus();
      case Sort::kInstance:
        if (!std::holds_alternative<BagPtr>(it)) return wrong();
        f_.instances.push_back(std::get<BagPtr>(it));
        return okStatus();
      case Sort::kType:
        if (!std::holds_alternative<TypeItem>(it)) return wrong();
        f_.types.push_back(std::get<TypeItem>(it));
        return okStatus();
      case Sort::kComponent:
        if (!std::holds_alternative<ComponentClosure>(it)) return wrong();
        f_.components.push_back(std::get<ComponentClosure>(it));
        return okStatus();
      case Sort::kCoreModule:
        if (!std::holds_alternative<std::shared_ptr<const engine::Module>>(it)) return wrong();
        f_.coreModules.push_back(std::get<std::shared_ptr<const engine::Module>>(it));
        return okStatus();
      default: return err(std::string(sortName(sort)) + " items are not supported");
    }
  }

  Result<CanonOpts> opts(const std::vector<CanonOption>& options) {
    CanonOptions o = summarize(options);
    CanonOpts out;
    switch (o.encoding) {
      case StringEncoding::kUtf8: out.encoding = abi::StringEncoding::kUtf8; break;
      case StringEncoding::kUtf16: out.encoding = abi::StringEncoding::kUtf16; break;
      case StringEncoding::kLatin1Utf16: out.encoding = abi::StringEncoding::kLatin1Utf16; break;
    }
    if (w_.typeOnly()) return out;
    if (o.memory) {
      COMPONO_ASSIGN(CoreItem * m, at(f_.coreMemories, *o.memory, "core memory"));
      const engine::Memory* mem = m->ext ? std::get_if<engine::Memory>(&*m->ext) : nullptr;
      if (!mem) return err("canon option memory " + idx(*o.memory) + " is not a memory");
      out.memory = *mem;
    }
    if (o.realloc) {
      COMPONO_ASSIGN(CoreItem * r, at(f_.coreFuncs, *o.realloc, "core func"));
      engine::FuncType want{{engine::ValType::kI32, engine::ValType::kI32, engine::ValType::kI32,
                             engine::ValType::kI32},
                            {engine::ValType::kI32}};
      if (coreFuncType(*r) != want) {
        return err("canon option realloc: core func " + idx(*o.realloc) + " has type " +
                   coreFuncType(*r).toString() + ", expected " + want.toString());
      }
      out.realloc = *r;
    }
    if (o.postReturn) {
      COMPONO_ASSIGN(CoreItem * r, at(f_.coreFuncs, *o.postReturn, "core func"));
      out.postReturn = *r;
    }
    return out;
  }

  // ---- definitions ----

  Status step(const CustomSection&) { return okStatus(); }

  Status step(const CoreModule& m) {
    auto mod = w_.component->coreModule(m);
    if (!mod) return err("core module is not in the component's cache");
    f_.coreModules.push_back(std::move(mod));
    return okStatus();
  }

  Status step(const CoreInstance& ci) {
    auto out = std::make_shared<CoreInstanceRt>();
    if (ci.kind == CoreInstance::Kind::kFromExports) {
      for (const CoreInlineExport& e : ci.exports) {
        std::vector<CoreItem>* space = coreSpace(e.item.sort);
        if (!space) return err(std::string("core export of a ") + sortName(e.item.sort));
        COMPONO_ASSIGN(CoreItem * it, at(*space, e.item.index, sortName(e.item.sort)));
        out->exports[e.name] = *it;
      }
      f_.coreInstances.push_back(std::move(out));
      return okStatus();
    }
    COMPONO_ASSIGN(auto* modp, at(f_.coreModules, ci.module, "core module"));
    const std::shared_ptr<const engine::Module>& mod = *modp;
    if (w_.typeOnly()) {
      f_.coreInstances.push_back(std::move(out));
      return okStatus();
    }
    engine::Linker linker;
    for (const engine::ImportType& imp : mod->imports()) {
      const CoreInstanceRt* arg = nullptr;
      for (const CoreInstantiateArg& a : ci.args) {
        if (a.name == imp.module) {
          COMPONO_ASSIGN(auto* p, at(f_.coreInstances, a.instance, "core instance"));
          arg = p->get();
        }
      }
      if (!arg) {
        return err("core module " + idx(ci.module) + " imports \"" + imp.module + "\" \"" +
                   imp.name + "\", but no instantiation argument is named \"" + imp.module +
                   "\"");
      }
      auto it = arg->exports.find(imp.name);
      if (it == arg->exports.end() || !it->second.valid()) {
        return err("core module " + idx(ci.module) + " imports \"" + imp.module + "\" \"" +
                   imp.name + "\", which the argument instance does not export");
      }
      if (it->second.host) {
        linker.defineFunc(imp.module, imp.name, it->second.host);
      } else {
        linker.define(imp.module, imp.name, *it->second.ext);
      }
    }
    COMPONO_ASSIGN(engine::Instance inst, linker.instantiate(*w_.store, mod));
    for (auto& [name, ext] : inst.exports()) out->exports[name] = CoreItem{ext, nullptr};
    f_.coreInstances.push_back(std::move(out));
    return okStatus();
  }

  Status step(const CoreTypeDef&) {
    ++f_.coreTypes;
    return okStatus();
  }

  Status step(const NestedComponent& c) {
    f_.components.push_back(ComponentClosure{&c.get(), &f_});
    return okStatus();
  }

  Status step(const Instance& in) {
    if (in.kind == Instance::Kind::kFromExports) {
      auto bag = std::make_shared<InstanceBag>();
      for (const InlineExport& e : in.exports) {
        COMPONO_ASSIGN(Item it, item(e.item));
        bag->items.emplace_back(e.name.name, std::move(it));
      }
      f_.instances.push_back(std::move(bag));
      return okStatus();
    }
    COMPONO_ASSIGN(ComponentClosure * c, at(f_.components, in.component, "component"));
    std::vector<std::pair<std::string, Item>> args;
    for (const InstantiateArg& a : in.args) {
      COMPONO_ASSIGN(Item it, item(a.item));
      args.emplace_back(a.name, std::move(it));
    }
    std::string name = f_.inst->name + "/instance " + idx(static_cast<uint32_t>(f_.instances.size()));
    COMPONO_ASSIGN(Frame * child, instantiate(w_, *c->ast, c->definer, &args, nullptr, name));
    f_.instances.push_back(child->exports);
    return okStatus();
  }

  Status step(const Alias& a) {
    switch (a.target) {
      case Alias::Target::kInstanceExport: {
        COMPONO_ASSIGN(BagPtr * bag, at(f_.instances, a.instance, "instance"));
        const Item* it = (*bag)->find(a.name);
        if (!it) return err("instance " + idx(a.instance) + " has no export \"" + a.name + "\"");
        return push(a.sort, *it);
      }
      case Alias::Target::kCoreInstanceExport: {
        std::vector<CoreItem>* space = coreSpace(a.sort);
        if (!space) return err(std::string("alias of a ") + sortName(a.sort) + " is not supported");
        COMPONO_ASSIGN(auto* ci, at(f_.coreInstances, a.instance, "core instance"));
        if (w_.typeOnly()) {
          space->push_back(CoreItem{});
          return okStatus();
        }
        auto it = (*ci)->exports.find(a.name);
        if (it == (*ci)->exports.end()) {
          return err("core instance " + idx(a.instance) + " has no export \"" + a.name + "\"");
        }
        engine::ExternKind want = a.sort == Sort::kCoreFunc     ? engine::ExternKind::kFunc
                                  : a.sort == Sort::kCoreTable  ? engine::ExternKind::kTable
                                  : a.sort == Sort::kCoreMemory ? engine::ExternKind::kMemory
                                                                : engine::ExternKind::kGlobal;
        bool ok = it->second.host ? want == engine::ExternKind::kFunc
                                  : engine::externKind(*it->second.ext) == want;
        if (!ok) {
          return err("core instance " + idx(a.instance) + " export \"" + a.name + "\" is not a " +
                     sortName(a.sort));
        }
        space->push_back(it->second);
        return okStatus();
      }
      case Alias::Target::kOuter: {
        COMPONO_ASSIGN(const Scope* s, outerScope(f_, a.outerCount));
        switch (a.sort) {
          case Sort::kType: {
            if (a.outerIndex >= s->types.size()) return err("outer alias of a type out of range");
            f_.types.push_back(s->types[a.outerIndex]);
            return okStatus();
          }
          case Sort::kCoreType: ++f_.coreTypes; return okStatus();
          case Sort::kCoreModule: {
            if (!s->frame || a.outerIndex >= s->frame->coreModules.size()) {
              return err("outer alias of a core module out of range");
            }
            f_.coreModules.push_back(s->frame->coreModules[a.outerIndex]);
            return okStatus();
          }
          case Sort::kComponent: {
            if (!s->frame || a.outerIndex >= s->frame->components.size()) {
              return err("outer alias of a component out of range");
            }
            f_.components.push_back(s->frame->components[a.outerIndex]);
            return okStatus();
          }
          default:
            return err(std::string("outer alias of a ") + sortName(a.sort) + " is not allowed");
        }
      }
    }
    return okStatus();
  }

  Status step(const TypeDef& def) {
    if (w_.replaying() && !std::holds_alternative<ResourceType>(def.kind)) {
      COMPONO_ASSIGN(const Item* it, memoized());
      return push(Sort::kType, *it);
    }
    if (const auto* r = std::get_if<ResourceType>(&def.kind)) {
      // A resource type is new in every instance (its ResourceRt); its
      // TypeId in the shared model is the recording walk's.
      wit::TypeId id;
      if (w_.replaying()) {
        COMPONO_ASSIGN(const Item* it, memoized());
        id = std::get<TypeItem>(*it).value.id;
      } else {
        wit::TypeDef d;
        d.kind = wit::ResourceType{};
        id = env().model.addType(std::move(d));
      }
      if (!w_.typeOnly()) {
        auto rt = std::make_shared<ResourceRt>();
        rt->impl = f_.inst.get();
        rt->implAlive = f_.inst;
        if (r->dtor) {
          COMPONO_ASSIGN(CoreItem * dt, at(f_.coreFuncs, *r->dtor, "core func"));
          engine::FuncType want{{engine::ValType::kI32}, {}};
          if (coreFuncType(*dt) != want) {
            return err("resource destructor core func " + idx(*r->dtor) + " has type " +
                       coreFuncType(*dt).toString() + ", expected " + want.toString());
          }
          rt->dtor = *dt;
        }
        env().resources[id] = std::move(rt);
      }
      TypeItem t;
      t.value = wit::Type::def(id);
      memoize(t);
      f_.types.push_back(t);
      return okStatus();
    }
    COMPONO_ASSIGN(TypeItem t, typeItemOf(w_, f_, def, f_.inst->name));
    memoize(t);
    f_.types.push_back(std::move(t));
    return okStatus();
  }

  Status step(const Canon& c) {
    switch (c.kind) {
      case Canon::Kind::kLift: {
        COMPONO_ASSIGN(TypeItem * ty, at(f_.types, c.type, "type"));
        COMPONO_ASSIGN(FuncSig sig, funcSigOf(*ty));
        COMPONO_ASSIGN(CoreItem * core, at(f_.coreFuncs, c.func, "core func"));
        COMPONO_ASSIGN(CanonOpts o, opts(c.options));
        auto fn = std::make_shared<ComponentFunc>();
        fn->kind = w_.typeOnly() ? ComponentFunc::Kind::kUnbound : ComponentFunc::Kind::kLifted;
        fn->env = w_.env;
        fn->debugName = f_.inst->name + " func " + idx(static_cast<uint32_t>(f_.funcs.size()));
        if (!w_.typeOnly()) {
          engine::FuncType want = env().view.coreSignature(sig.paramTypes(), sig.resultTypes(),
                                                           /*lower=*/false);
          if (coreFuncType(*core) != want) {
            return err("canon lift of core func " + idx(c.func) + ": its type " +
                       coreFuncType(*core).toString() + " does not match " + want.toString() +
                       ", the flattening of " + sigText(env(), sig));
          }
          fn->inst = f_.inst;
          fn->core = *core;
          fn->opts = std::move(o);
        }
        fn->sig = std::move(sig);
        f_.funcs.push_back(std::move(fn));
        return okStatus();
      }
      case Canon::Kind::kLower: {
        COMPONO_ASSIGN(FuncPtr * callee, at(f_.funcs, c.func, "func"));
        COMPONO_ASSIGN(CanonOpts o, opts(c.options));
        if (w_.typeOnly()) {
          f_.coreFuncs.push_back(CoreItem{});
          return okStatus();
        }
        f_.coreFuncs.push_back(CoreItem{std::nullopt, makeLowered(f_.inst, *callee, std::move(o))});
        return okStatus();
      }
      case Canon::Kind::kResourceNew:
      case Canon::Kind::kResourceDrop:
      case Canon::Kind::kResourceRep: {
        COMPONO_ASSIGN(TypeItem * ty, at(f_.types, c.type, "type"));
        if (w_.typeOnly()) {
          f_.coreFuncs.push_back(CoreItem{});
          return okStatus();
        }
        ResourceRt* raw = ty->kind == TypeItem::Kind::kValue && !ty->value.isPrimitive()
                              ? env().resource(ty->value.id)
                              : nullptr;
        if (!raw) return err(std::string(canonKindName(c.kind)) + " of a type that is not a resource");
        ResourcePtr rt = env().resources.at(env().model.resourceOf(ty->value.id));
        engine::HostFuncPtr hf = c.kind == Canon::Kind::kResourceNew    ? makeResourceNew(f_.inst, rt)
                                 : c.kind == Canon::Kind::kResourceDrop ? makeResourceDrop(f_.inst, rt)
                                                                        : makeResourceRep(f_.inst, rt);
        f_.coreFuncs.push_back(CoreItem{std::nullopt, std::move(hf)});
        return okStatus();
      }
    }
    return okStatus();
  }

  Status step(const Start& s) {
    if (!s.args.empty() || s.results != 0) {
      return err("start functions with arguments or results are not supported (post-0.2)");
    }
    COMPONO_ASSIGN(FuncPtr * fn, at(f_.funcs, s.func, "func"));
    if (w_.typeOnly()) return okStatus();
    COMPONO_ASSIGN(std::vector<Value> r, invoke(**fn, *w_.store, {}));
    (void)r;
    return okStatus();
  }

  Status step(const Import& imp) {
    Sort sort = externKindSort(imp.desc.kind);
    if (args_) {
      for (const auto& [name, it] : *args_) {
        if (name == imp.name.name) return push(sort, it);
      }
      return err("import \"" + imp.name.name + "\" is not given by the instantiation");
    }
    Item it;
    if (w_.replaying()) {
      COMPONO_ASSIGN(const Item* m, memoized());
      it = *m;
    } else {
      COMPONO_ASSIGN(it, resolver_->resolve(f_, imp));
      memoize(it);
    }
    f_.imports.emplace_back(imp.name.name, it);
    return push(sort, std::move(it));
  }

  Status step(const Export& e) {
    COMPONO_ASSIGN(Item it, item(e.item));
    if (auto* fn = std::get_if<FuncPtr>(&it)) {
      if (e.ascribed && e.ascribed->kind == ExternKind::kFunc) {
        COMPONO_ASSIGN(TypeItem * ty, at(f_.types, e.ascribed->typeIndex, "type"));
        COMPONO_ASSIGN(FuncSig sig, funcSigOf(*ty));
        auto copy = std::make_shared<ComponentFunc>(**fn);
        copy->sig = std::move(sig);
        it = copy;
      }
    } else if (auto* ty = std::get_if<TypeItem>(&it); ty && ty->kind == TypeItem::Kind::kValue) {
      if (w_.replaying()) {
        COMPONO_ASSIGN(const Item* m, memoized());
        it = *m;
      } else {
        ty->value = nameType(env(), ty->value, e.name.name);
        memoize(it);
      }
    }
    f_.exports->items.emplace_back(e.name.name, it);
    return push(e.item.sort, std::move(it));
  }

  Walk& w_;
  Frame& f_;
  const std::vector<std::pair<std::string, Item>>* args_;
  ImportResolver* resolver_;
  size_t def_ = 0;  // the definition being walked
};

std::string hex(uint64_t v) {
  char buf[32];
  snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

}  // namespace

Result<Frame*> instantiate(Walk& walk, const Component& ast, Frame* definer,
                           const std::vector<std::pair<std::string, Item>>* args,
                           ImportResolver* resolver, const std::string& name) {
  if (walk.arena->size() > 10000) return err(name + ": too many nested component instances");
  auto owned = std::make_unique<Frame>();
  Frame& f = *owned;
  f.ordinal = walk.arena->size();
  walk.arena->push_back(std::move(owned));
  f.frame = &f;
  f.parent = definer;
  f.ast = &ast;
  f.inst = std::make_shared<RtInstance>();
  f.inst->name = name;
  f.inst->store = walk.store;
  f.inst->poisoned = walk.poisoned;
  Walker walker(walk, f, args, resolver);
  for (size_t i = 0; i < ast.definitions.size(); ++i) {
    const Definition& def = ast.definitions[i];
    Status st = walker.definition(i, def);
    if (!st.ok()) {
      Error e = std::move(st).error();
      if (e.code == ErrorCode::kComponent) {
        e.context(name + ": " + sectionName(def.section()) + " definition at offset " +
                  hex(def.offset));
      } else if (e.code != ErrorCode::kLink && e.code != ErrorCode::kExit) {
        e.context(name);
      }
      return e;
    }
  }
  return &f;
}

}  // namespace compono::component::rt
