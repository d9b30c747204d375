// Component-level types at run time: evaluating type definitions of the AST
// into the tree's wit::Model, naming exported types, comparing signatures,
// and walking values for handles and defaults.
#include <type_traits>

#include "component/runtime/runtime.h"
#include "component/runtime/types_internal.h"

namespace compono::component::rt {

using wit::Type;

ResourceRt* TypeEnv::resource(wit::TypeId id) const {
  wit::TypeId r = model.resourceOf(id);
  if (r == wit::kNoId) return nullptr;
  auto it = resources.find(r);
  return it == resources.end() ? nullptr : it->second.get();
}

std::vector<Type> FuncSig::paramTypes() const {
  std::vector<Type> out;
  out.reserve(params.size());
  for (const wit::Param& p : params) out.push_back(p.type);
  return out;
}

std::vector<Type> FuncSig::resultTypes() const {
  if (!result) return {};
  return {*result};
}

std::string sigText(const TypeEnv& env, const FuncSig& sig) {
  std::string out = "(";
  for (size_t i = 0; i < sig.params.size(); ++i) {
    if (i) out += ", ";
    out += sig.params[i].name + ": " + abi::typeName(env.view, sig.params[i].type);
  }
  out += ")";
  if (sig.result) out += " -> " + abi::typeName(env.view, *sig.result);
  return out;
}

namespace {

const wit::TypeDef* defOf(const wit::Model& m, Type t) {
  if (t.isPrimitive()) return nullptr;
  return &m.types[m.dealias(t.id)];
}

bool sameType(const wit::Model& ma, Type a, const wit::Model& mb, Type b, int depth) {
  if (depth > 100) return false;
  a = abi::resolveAlias(ma, a);
  b = abi::resolveAlias(mb, b);
  if (a.isPrimitive() || b.isPrimitive()) {
    return a.isPrimitive() && b.isPrimitive() && a.primitive == b.primitive;
  }
  const wit::TypeDef& da = *defOf(ma, a);
  const wit::TypeDef& db = *defOf(mb, b);
  if (da.kind.index() != db.kind.index()) return false;
  auto same = [&](Type x, Type y) { return sameType(ma, x, mb, y, depth + 1); };
  auto sameOpt = [&](const std::optional<Type>& x, const std::optional<Type>& y) {
    if (x.has_value() != y.has_value()) return false;
    return !x || same(*x, *y);
  };
  return std::visit(
      [&](const auto& ka) -> bool {
        using K = std::decay_t<decltype(ka)>;
        const K& kb = std::get<K>(db.kind);
        if constexpr (std::is_same_v<K, wit::RecordType>) {
          if (ka.fields.size() != kb.fields.size()) return false;
          for (size_t i = 0; i < ka.fields.size(); ++i) {
            if (ka.fields[i].name != kb.fields[i].name || !same(ka.fields[i].type, kb.fields[i].type)) {
              return false;
            }
          }
          return true;
        } else if constexpr (std::is_same_v<K, wit::VariantType>) {
          if (ka.cases.size() != kb.cases.size()) return false;
          for (size_t i = 0; i < ka.cases.size(); ++i) {
            if (ka.cases[i].name != kb.cases[i].name || !sameOpt(ka.cases[i].type, kb.cases[i].type)) {
              return false;
            }
          }
          return true;
        } else if constexpr (std::is_same_v<K, wit::EnumType> || std::is_same_v<K, wit::FlagsType>) {
          const auto& la = [&]() -> const std::vector<wit::Label>& {
            if constexpr (std::is_same_v<K, wit::EnumType>) return ka.cases;
            else return ka.flags;
          }();
          const auto& lb = [&]() -> const std::vector<wit::Label>& {
            if constexpr (std::is_same_v<K, wit::EnumType>) return kb.cases;
            else return kb.flags;
          }();
          if (la.size() != lb.size()) return false;
          for (size_t i = 0; i < la.size(); ++i) {
            if (la[i].name != lb[i].name) return false;
          }
          return true;
        } else if constexpr (std::is_same_v<K, wit::TupleType>) {
          if (ka.types.size() != kb.types.size()) return false;
          for (size_t i = 0; i < ka.types.size(); ++i) {
            if (!same(ka.types[i], kb.types[i])) return false;
          }
          return true;
        } else if constexpr (std::is_same_v<K, wit::ListType>) {
          return ka.length == kb.length && same(ka.element, kb.element);
        } else if constexpr (std::is_same_v<K, wit::OptionType>) {
          return same(ka.type, kb.type);
        } else if constexpr (std::is_same_v<K, wit::ResultType>) {
          return sameOpt(ka.ok, kb.ok) && sameOpt(ka.err, kb.err);
        } else if constexpr (std::is_same_v<K, wit::HandleType>) {
          if (ka.kind != kb.kind) return false;
          wit::TypeId ra = ma.resourceOf(ka.resource), rb = mb.resourceOf(kb.resource);
          if (ra == wit::kNoId || rb == wit::kNoId) return false;
          return ma.types[ra].name == mb.types[rb].name;
        } else if constexpr (std::is_same_v<K, wit::ResourceType>) {
          return da.name == db.name;
        } else {
          return false;  // map, future, stream: not in 0.2
        }
      },
      da.kind);
}

}  // namespace

bool sameSig(const wit::Model& ma, const FuncSig& a, const wit::Model& mb, const FuncSig& b) {
  if (a.params.size() != b.params.size() || a.result.has_value() != b.result.has_value()) {
    return false;
  }
  for (size_t i = 0; i < a.params.size(); ++i) {
    if (!sameType(ma, a.params[i].type, mb, b.params[i].type, 0)) return false;
  }
  return !a.result || sameType(ma, *a.result, mb, *b.result, 0);
}

wit::Type nameType(TypeEnv& env, Type t, const std::string& name) {
  if (!t.isPrimitive()) {
    wit::TypeDef& d = env.model.types[t.id];
    if (d.name == name) return t;
    if (d.name.empty() && !std::holds_alternative<wit::HandleType>(d.kind)) {
      d.name = name;
      if (std::holds_alternative<wit::ResourceType>(d.kind)) {
        auto it = env.resources.find(t.id);
        if (it != env.resources.end() && it->second->name.empty()) it->second->name = name;
      }
      return t;
    }
  }
  wit::TypeDef alias;
  alias.name = name;
  alias.kind = wit::AliasType{t};
  return Type::def(env.model.addType(std::move(alias)));
}

// ---- evaluating AST types ---------------------------------------------------

wit::Primitive primitiveOf(PrimValType p) {
  switch (p) {
    case PrimValType::kBool: return wit::Primitive::kBool;
    case PrimValType::kS8: return wit::Primitive::kS8;
    case PrimValType::kU8: return wit::Primitive::kU8;
    case PrimValType::kS16: return wit::Primitive::kS16;
    case PrimValType::kU16: return wit::Primitive::kU16;
    case PrimValType::kS32: return wit::Primitive::kS32;
    case PrimValType::kU32: return wit::Primitive::kU32;
    case PrimValType::kS64: return wit::Primitive::kS64;
    case PrimValType::kU64: return wit::Primitive::kU64;
    case PrimValType::kF32: return wit::Primitive::kF32;
    case PrimValType::kF64: return wit::Primitive::kF64;
    case PrimValType::kChar: return wit::Primitive::kChar;
    case PrimValType::kString: return wit::Primitive::kString;
  }
  return wit::Primitive::kBool;
}

Result<Type> valTypeOf(const Scope& s, const ValType& v) {
  if (v.isPrimitive()) return Type::prim(primitiveOf(v.prim));
  if (v.index >= s.types.size()) {
    return Error(ErrorCode::kComponent, "type index " + std::to_string(v.index) + " is out of range");
  }
  const TypeItem& t = s.types[v.index];
  if (t.kind != TypeItem::Kind::kValue) {
    return Error(ErrorCode::kComponent,
                 "type index " + std::to_string(v.index) + " is not a value type");
  }
  return t.value;
}

Result<TypeItem> typeItemOf(Walk& walk, Scope& s, const TypeDef& def, const std::string& where) {
  TypeEnv& env = *walk.env;
  auto add = [&](wit::TypeDefKind k) {
    wit::TypeDef d;
    d.kind = std::move(k);
    TypeItem item;
    item.value = Type::def(env.model.addType(std::move(d)));
    return item;
  };
  auto vt = [&](const ValType& v) { return valTypeOf(s, v); };
  return std::visit(
      [&](const auto& k) -> Result<TypeItem> {
        using K = std::decay_t<decltype(k)>;
        if constexpr (std::is_same_v<K, PrimValType>) {
          TypeItem item;
          item.value = Type::prim(primitiveOf(k));
          return item;
        } else if constexpr (std::is_same_v<K, RecordType>) {
          wit::RecordType r;
          for (const LabeledValType& f : k.fields) {
            COMPONO_ASSIGN(Type t, vt(f.type));
            r.fields.push_back(wit::Field{f.label, t, ""});
          }
          return add(std::move(r));
        } else if constexpr (std::is_same_v<K, VariantType>) {
          wit::VariantType r;
          for (const VariantCase& c : k.cases) {
            wit::Case wc;
            wc.name = c.label;
            if (c.type) {
              COMPONO_ASSIGN(Type t, vt(*c.type));
              wc.type = t;
            }
            r.cases.push_back(std::move(wc));
          }
          return add(std::move(r));
        } else if constexpr (std::is_same_v<K, ListType>) {
          COMPONO_ASSIGN(Type t, vt(k.element));
          return add(wit::ListType{t, std::nullopt});
        } else if constexpr (std::is_same_v<K, TupleType>) {
          wit::TupleType r;
          for (const ValType& e : k.types) {
            COMPONO_ASSIGN(Type t, vt(e));
            r.types.push_back(t);
          }
          return add(std::move(r));
        } else if constexpr (std::is_same_v<K, FlagsType>) {
          wit::FlagsType r;
          for (const std::string& l : k.labels) r.flags.push_back(wit::Label{l, ""});
          return add(std::move(r));
        } else if constexpr (std::is_same_v<K, EnumType>) {
          wit::EnumType r;
          for (const std::string& l : k.labels) r.cases.push_back(wit::Label{l, ""});
          return add(std::move(r));
        } else if constexpr (std::is_same_v<K, OptionType>) {
          COMPONO_ASSIGN(Type t, vt(k.type));
          return add(wit::OptionType{t});
        } else if constexpr (std::is_same_v<K, ResultType>) {
          wit::ResultType r;
          if (k.ok) {
            COMPONO_ASSIGN(Type t, vt(*k.ok));
            r.ok = t;
          }
          if (k.err) {
            COMPONO_ASSIGN(Type t, vt(*k.err));
            r.err = t;
          }
          return add(std::move(r));
        } else if constexpr (std::is_same_v<K, OwnType> || std::is_same_v<K, BorrowType>) {
          COMPONO_ASSIGN(Type t, vt(ValType::typeIndex(k.resource)));
          if (t.isPrimitive() || env.model.resourceOf(t.id) == wit::kNoId) {
            return Error(ErrorCode::kComponent, where + ": own/borrow of type " +
                                                    std::to_string(k.resource) +
                                                    ", which is not a resource");
          }
          wit::HandleType h;
          h.kind = std::is_same_v<K, OwnType> ? wit::HandleKind::kOwn : wit::HandleKind::kBorrow;
          h.resource = t.id;
          return add(h);
        } else if constexpr (std::is_same_v<K, FuncType>) {
          auto sig = std::make_shared<FuncSig>();
          for (const LabeledValType& p : k.params) {
            COMPONO_ASSIGN(Type t, vt(p.type));
            sig->params.push_back(wit::Param{p.label, t});
          }
          if (k.result) {
            COMPONO_ASSIGN(Type t, vt(*k.result));
            sig->result = t;
          }
          TypeItem item;
          item.kind = TypeItem::Kind::kFunc;
          item.func = std::move(sig);
          return item;
        } else if constexpr (std::is_same_v<K, InstanceType>) {
          TypeItem item;
          item.kind = TypeItem::Kind::kInstance;
          item.decls = &k.decls;
          item.env = &s;
          return item;
        } else if constexpr (std::is_same_v<K, ComponentType>) {
          TypeItem item;
          item.kind = TypeItem::Kind::kComponent;
          item.decls = &k.decls;
          item.env = &s;
          return item;
        } else {
          static_assert(std::is_same_v<K, ResourceType>);
          return Error(ErrorCode::kComponent,
                       where + ": a resource type can only be defined by a component");
        }
      },
      def.kind);
}

Result<FuncSig> funcSigOf(const TypeItem& type) {
  if (type.kind != TypeItem::Kind::kFunc) {
    return Error(ErrorCode::kComponent, "a function's type index does not name a function type");
  }
  return *type.func;
}

Result<const Scope*> outerScope(const Scope& s, uint32_t count) {
  const Scope* cur = &s;
  for (uint32_t i = 0; i < count; ++i) {
    cur = cur->parent;
    if (!cur) {
      return Error(ErrorCode::kComponent,
                   "outer alias count " + std::to_string(count) + " leaves the outermost component");
    }
  }
  return cur;
}

Result<BagPtr> evalInstanceType(Walk& walk, const TypeItem& type, const InstanceTypeBinder& binder,
                                const std::string& path) {
  if (type.kind != TypeItem::Kind::kInstance || !type.decls) {
    return Error(ErrorCode::kComponent, path + ": the import's type is not an instance type");
  }
  Scope s;
  s.parent = type.env;
  auto bag = std::make_shared<InstanceBag>();
  for (const TypeDecl& decl : *type.decls) {
    if (std::holds_alternative<CoreTypeDef>(decl.item)) {
      ++s.coreTypes;
    } else if (const auto* def = std::get_if<TypeDef>(&decl.item)) {
      COMPONO_ASSIGN(TypeItem t, typeItemOf(walk, s, *def, path));
      s.types.push_back(std::move(t));
    } else if (const auto* alias = std::get_if<Alias>(&decl.item)) {
      if (alias->target != Alias::Target::kOuter || alias->sort != Sort::kType) {
        if (alias->sort == Sort::kCoreType) {
          ++s.coreTypes;
          continue;
        }
        return Error(ErrorCode::kComponent,
                     path + ": only outer type aliases may appear in an instance type");
      }
      COMPONO_ASSIGN(const Scope* outer, outerScope(s, alias->outerCount));
      if (alias->outerIndex >= outer->types.size()) {
        return Error(ErrorCode::kComponent, path + ": outer alias of type " +
                                                std::to_string(alias->outerIndex) +
                                                " is out of range");
      }
      s.types.push_back(outer->types[alias->outerIndex]);
    } else if (const auto* exp = std::get_if<ExportDecl>(&decl.item)) {
      const std::string& name = exp->name.name;
      const ExternDesc& d = exp->desc;
      switch (d.kind) {
        case ExternKind::kType: {
          TypeItem t;
          if (d.bound.kind == TypeBound::Kind::kEq) {
            if (d.bound.index >= s.types.size()) {
              return Error(ErrorCode::kComponent, path + ": export " + name +
                                                      " refers to a type out of range");
            }
            t = s.types[d.bound.index];
            if (t.kind == TypeItem::Kind::kValue) t.value = nameType(*walk.env, t.value, name);
          } else {
            COMPONO_ASSIGN(wit::TypeId id, binder.resource(path, name));
            t.value = nameType(*walk.env, Type::def(id), name);
          }
          s.types.push_back(t);
          bag->items.emplace_back(name, t);
          break;
        }
        case ExternKind::kFunc: {
          if (d.typeIndex >= s.types.size()) {
            return Error(ErrorCode::kComponent, path + ": function " + name +
                                                    " has a type index out of range");
          }
          COMPONO_ASSIGN(FuncSig sig, funcSigOf(s.types[d.typeIndex]));
          COMPONO_ASSIGN(FuncPtr f, binder.func(path, name, sig));
          if (!f) {
            f = std::make_shared<ComponentFunc>();
            f->kind = ComponentFunc::Kind::kUnbound;
            f->env = walk.env;
            f->sig = std::move(sig);
            f->debugName = path + "#" + name;
          }
          bag->items.emplace_back(name, f);
          break;
        }
        case ExternKind::kInstance: {
          if (d.typeIndex >= s.types.size()) {
            return Error(ErrorCode::kComponent, path + ": instance " + name +
                                                    " has a type index out of range");
          }
          COMPONO_ASSIGN(BagPtr inner,
                         evalInstanceType(walk, s.types[d.typeIndex], binder, path + "/" + name));
          bag->items.emplace_back(name, inner);
          break;
        }
        default:
          return Error(ErrorCode::kComponent, path + ": exports of kind " +
                                                  externKindName(d.kind) +
                                                  " from an imported instance are not supported");
      }
    } else {
      return Error(ErrorCode::kComponent, path + ": an instance type cannot contain imports");
    }
  }
  return bag;
}

// ---- values ---------------------------------------------------------------

Status mapHandles(const TypeEnv& env, Type t, Value& v, const HandleMapper& fn) {
  t = abi::resolveAlias(env.model, t);
  if (t.isPrimitive()) return okStatus();
  const wit::TypeDef& d = *defOf(env.model, t);
  return std::visit(
      [&](const auto& k) -> Status {
        using K = std::decay_t<decltype(k)>;
        if constexpr (std::is_same_v<K, wit::HandleType>) {
          return fn(k.kind, env.model.resourceOf(k.resource), v);
        } else if constexpr (std::is_same_v<K, wit::RecordType>) {
          for (size_t i = 0; i < k.fields.size() && i < v.items.size(); ++i) {
            COMPONO_TRY(mapHandles(env, k.fields[i].type, v.items[i], fn));
          }
          return okStatus();
        } else if constexpr (std::is_same_v<K, wit::TupleType>) {
          for (size_t i = 0; i < k.types.size() && i < v.items.size(); ++i) {
            COMPONO_TRY(mapHandles(env, k.types[i], v.items[i], fn));
          }
          return okStatus();
        } else if constexpr (std::is_same_v<K, wit::ListType>) {
          for (Value& e : v.items) COMPONO_TRY(mapHandles(env, k.element, e, fn));
          return okStatus();
        } else if constexpr (std::is_same_v<K, wit::VariantType>) {
          if (v.discriminant < k.cases.size() && k.cases[v.discriminant].type && !v.items.empty()) {
            return mapHandles(env, *k.cases[v.discriminant].type, v.items[0], fn);
          }
          return okStatus();
        } else if constexpr (std::is_same_v<K, wit::OptionType>) {
          if (v.discriminant == 1 && !v.items.empty()) return mapHandles(env, k.type, v.items[0], fn);
          return okStatus();
        } else if constexpr (std::is_same_v<K, wit::ResultType>) {
          const auto& p = v.discriminant == 0 ? k.ok : k.err;
          if (p && !v.items.empty()) return mapHandles(env, *p, v.items[0], fn);
          return okStatus();
        } else {
          return okStatus();
        }
      },
      d.kind);
}

Result<Value> defaultValue(const TypeEnv& env, Type t, const HandleDefault& handle) {
  t = abi::resolveAlias(env.model, t);
  if (t.isPrimitive()) {
    switch (t.primitive) {
      case wit::Primitive::kBool: return Value::boolean(false);
      case wit::Primitive::kS8: return Value::s8(0);
      case wit::Primitive::kU8: return Value::u8(0);
      case wit::Primitive::kS16: return Value::s16(0);
      case wit::Primitive::kU16: return Value::u16(0);
      case wit::Primitive::kS32: return Value::s32(0);
      case wit::Primitive::kU32: return Value::u32(0);
      case wit::Primitive::kS64: return Value::s64(0);
      case wit::Primitive::kU64: return Value::u64(0);
      case wit::Primitive::kF32: return Value::float32(0);
      case wit::Primitive::kF64: return Value::float64(0);
      case wit::Primitive::kChar: return Value::character(0);
      case wit::Primitive::kString: return Value::string("");
      default: return Error(ErrorCode::kComponent, "no default value for error-context");
    }
  }
  const wit::TypeDef& d = *defOf(env.model, t);
  return std::visit(
      [&](const auto& k) -> Result<Value> {
        using K = std::decay_t<decltype(k)>;
        if constexpr (std::is_same_v<K, wit::RecordType>) {
          std::vector<Value> items;
          for (const wit::Field& f : k.fields) {
            COMPONO_ASSIGN(Value v, defaultValue(env, f.type, handle));
            items.push_back(std::move(v));
          }
          return Value::record(std::move(items));
        } else if constexpr (std::is_same_v<K, wit::TupleType>) {
          std::vector<Value> items;
          for (Type e : k.types) {
            COMPONO_ASSIGN(Value v, defaultValue(env, e, handle));
            items.push_back(std::move(v));
          }
          return Value::tuple(std::move(items));
        } else if constexpr (std::is_same_v<K, wit::ListType>) {
          return Value::list({});
        } else if constexpr (std::is_same_v<K, wit::FlagsType>) {
          return Value::flagSet(std::vector<bool>(k.flags.size()));
        } else if constexpr (std::is_same_v<K, wit::EnumType>) {
          return Value::enumCase(0);
        } else if constexpr (std::is_same_v<K, wit::VariantType>) {
          std::vector<Value> payload;
          if (k.cases[0].type) {
            COMPONO_ASSIGN(Value v, defaultValue(env, *k.cases[0].type, handle));
            payload.push_back(std::move(v));
          }
          return Value::variant(0, std::move(payload));
        } else if constexpr (std::is_same_v<K, wit::OptionType>) {
          return Value::none();
        } else if constexpr (std::is_same_v<K, wit::ResultType>) {
          std::vector<Value> payload;
          if (k.ok) {
            COMPONO_ASSIGN(Value v, defaultValue(env, *k.ok, handle));
            payload.push_back(std::move(v));
          }
          return Value::ok(std::move(payload));
        } else if constexpr (std::is_same_v<K, wit::HandleType>) {
          if (handle) return handle(k.kind, env.model.resourceOf(k.resource));
          return Error(ErrorCode::kComponent, "no default value for a resource handle");
        } else {
          return Error(ErrorCode::kComponent,
                       std::string("no default value for a ") + wit::typeDefKindName(d.kind));
        }
      },
      d.kind);
}

}  // namespace compono::component::rt
