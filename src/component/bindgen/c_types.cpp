// C bindings: names, type definitions and `_free` functions.
#include <algorithm>
#include <type_traits>

#include "component/bindgen/c_generator.h"

namespace compono::component::bindgen {

using wit::Primitive;
using wit::Type;

namespace {

// C11 keywords and the names the generated code relies on.
const std::set<std::string>& reservedWords() {
  static const std::set<std::string> words = {
      "auto",           "break",         "case",     "char",
      "const",          "continue",      "default",  "do",
      "double",         "else",          "enum",     "extern",
      "float",          "for",           "goto",     "if",
      "inline",         "int",           "long",     "register",
      "restrict",       "return",        "short",    "signed",
      "sizeof",         "static",        "struct",   "switch",
      "typedef",        "union",         "unsigned", "void",
      "volatile",       "while",         "bool",     "true",
      "false",          "_Alignas",      "_Alignof", "_Atomic",
      "_Bool",          "_Complex",      "_Generic", "_Noreturn",
      "_Static_assert", "_Thread_local", "NULL",     "asm",
      "errno",          "free",          "malloc",   "realloc",
      "memcpy",         "abort",         "strlen"};
  return words;
}

// Frees the buffer of a string or list `lv` and leaves it empty.
void emitFreeBuffer(Code& code, const std::string& lv) {
  code.line("if (" + lv + ".len > 0) {");
  code.line("  free(" + lv + ".ptr);");
  code.line("}");
  code.line(lv + ".ptr = NULL;");
  code.line(lv + ".len = 0;");
}

bool isCKeyword(const std::string& s) {
  static const std::set<std::string> keywords = {
      "auto",     "break",  "case",   "char",     "const",    "continue", "default",  "do",
      "double",   "else",   "enum",   "extern",   "float",    "for",      "goto",     "if",
      "inline",   "int",    "long",   "register", "restrict", "return",   "short",    "signed",
      "sizeof",   "static", "struct", "switch",   "typedef",  "union",    "unsigned", "void",
      "volatile", "while",  "bool",   "true",     "false",    "asm"};
  return keywords.count(s) > 0;
}

uint32_t discriminantBytes(size_t cases) {
  if (cases <= 256) return 1;
  if (cases <= 65536) return 2;
  return 4;
}

const char* discriminantCType(size_t cases) {
  switch (discriminantBytes(cases)) {
    case 1:
      return "uint8_t";
    case 2:
      return "uint16_t";
    default:
      return "uint32_t";
  }
}

std::string withoutT(const std::string& name) {
  if (name.size() > 2 && name.compare(name.size() - 2, 2, "_t") == 0) {
    return name.substr(0, name.size() - 2);
  }
  return name;
}

}  // namespace

std::string snakeCase(const std::string& witName) {
  std::string out;
  out.reserve(witName.size());
  for (char c : witName) {
    if (c == '-') {
      out += '_';
    } else if (c >= 'A' && c <= 'Z') {
      out += static_cast<char>(c - 'A' + 'a');
    } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_') {
      out += c;
    } else {
      out += '_';
    }
  }
  return out;
}

std::string cIdentifier(const std::string& witName) {
  std::string s = snakeCase(witName);
  if (isCKeyword(s) || reservedWords().count(s)) s += '_';
  return s;
}

std::string upperCase(const std::string& s) {
  std::string out = s;
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

const char* coreCType(engine::ValType t) {
  switch (t) {
    case engine::ValType::kI64:
      return "int64_t";
    case engine::ValType::kF32:
      return "float";
    case engine::ValType::kF64:
      return "double";
    default:
      return "int32_t";
  }
}

void Code::line(const std::string& text) {
  if (text.empty()) {
    text_ += "\n";
    return;
  }
  text_.append(static_cast<size_t>(depth_) * 2, ' ');
  text_ += text;
  text_ += "\n";
}

// ---- names ------------------------------------------------------------------

Status CGenerator::assignPrefixes() {
  std::map<std::string, wit::InterfaceId> used;
  auto base = [&](const wit::WorldItem& item) -> std::string {
    const wit::Interface& iface = model_.interfaces[item.interface];
    if (item.keyedByInterface() && !iface.name.empty() && iface.package != wit::kNoId) {
      const wit::PackageName& pn = model_.packages[iface.package].name;
      std::string b = snakeCase(pn.ns) + "_" + snakeCase(pn.name) + "_" + snakeCase(iface.name);
      auto it = used.find(b);
      if (it != used.end() && it->second != item.interface && pn.version) {
        b += "_" + snakeCase(pn.version->toString());
        for (char& c : b) {
          if (c == '.') c = '_';
        }
      }
      return b;
    }
    return w_ + "_" + snakeCase(item.name);
  };
  auto module = [&](const wit::WorldItem& item) -> std::string {
    if (item.keyedByInterface()) {
      auto name = model_.interfaceName(item.interface);
      if (name) return *name;
    }
    return item.name;
  };
  for (const wit::WorldItem& item : world_.imports) {
    if (item.kind != wit::WorldItemKind::kInterface) continue;
    if (model_.interfaces[item.interface].stub) {
      return Error(ErrorCode::kComponent,
                   "interface `" + module(item) + "` is not available (its package is missing)");
    }
    if (ifacePrefix_.count(item.interface)) continue;
    std::string b = base(item);
    used[b] = item.interface;
    ifacePrefix_[item.interface] = b;
    ifaceModule_[item.interface] = module(item);
    importedIfaces_.insert(item.interface);
  }
  for (const wit::WorldItem& item : world_.exports) {
    if (item.kind != wit::WorldItemKind::kInterface) continue;
    if (model_.interfaces[item.interface].stub) {
      return Error(ErrorCode::kComponent,
                   "interface `" + module(item) + "` is not available (its package is missing)");
    }
    exportedIfaces_.insert(item.interface);
    if (ifacePrefix_.count(item.interface)) continue;
    std::string b = "exports_" + base(item);
    used[b] = item.interface;
    ifacePrefix_[item.interface] = b;
    ifaceModule_[item.interface] = module(item);
  }
  return okStatus();
}

Type CGenerator::norm(Type t) const {
  if (t.isPrimitive() || t.id >= model_.types.size()) return t;
  wit::TypeId id = model_.dealias(t.id);
  if (const auto* alias = std::get_if<wit::AliasType>(&model_.types[id].kind)) {
    if (alias->target.isPrimitive()) return alias->target;
  }
  return Type::def(id);
}

const wit::TypeDef* CGenerator::defOf(Type t) const {
  Type n = norm(t);
  if (n.isPrimitive()) return nullptr;
  return &model_.types[n.id];
}

std::string CGenerator::resourcePrefix(wit::TypeId resource) const {
  const wit::TypeDef& td = model_.types[resource];
  if (td.owner.kind == wit::OwnerKind::kInterface) {
    auto it = ifacePrefix_.find(td.owner.id);
    if (it != ifacePrefix_.end()) return it->second;
  }
  return w_;
}

std::string CGenerator::resourceModule(wit::TypeId resource) const {
  const wit::TypeDef& td = model_.types[resource];
  if (td.owner.kind == wit::OwnerKind::kInterface) {
    auto it = ifaceModule_.find(td.owner.id);
    if (it != ifaceModule_.end()) return it->second;
  }
  return "$root";
}

bool CGenerator::isExportedResource(wit::TypeId resource) const {
  const wit::TypeDef& td = model_.types[resource];
  return td.owner.kind == wit::OwnerKind::kInterface && !importedIfaces_.count(td.owner.id) &&
         exportedIfaces_.count(td.owner.id);
}

std::string CGenerator::typeName(Type t) {
  if (t.isPrimitive()) {
    switch (t.primitive) {
      case Primitive::kBool:
        return "bool";
      case Primitive::kS8:
        return "int8_t";
      case Primitive::kU8:
        return "uint8_t";
      case Primitive::kS16:
        return "int16_t";
      case Primitive::kU16:
        return "uint16_t";
      case Primitive::kS32:
        return "int32_t";
      case Primitive::kU32:
        return "uint32_t";
      case Primitive::kS64:
        return "int64_t";
      case Primitive::kU64:
        return "uint64_t";
      case Primitive::kF32:
        return "float";
      case Primitive::kF64:
        return "double";
      case Primitive::kChar:
        return "uint32_t";
      case Primitive::kString:
        return w_ + "_string_t";
      case Primitive::kErrorContext:
        return "int32_t";
    }
  }
  const wit::TypeDef& td = model_.types[t.id];
  if (std::holds_alternative<wit::HandleType>(td.kind)) {
    const auto& h = std::get<wit::HandleType>(td.kind);
    wit::TypeId r = model_.resourceOf(t.id);
    if (r == wit::kNoId) return "int32_t";
    std::string rn = snakeCase(model_.types[r].name);
    return resourcePrefix(r) + (h.kind == wit::HandleKind::kOwn ? "_own_" : "_borrow_") + rn + "_t";
  }
  if (!td.name.empty()) {
    if (std::holds_alternative<wit::ResourceType>(td.kind)) {
      return resourcePrefix(t.id) + "_own_" + snakeCase(td.name) + "_t";
    }
    std::string prefix = w_;
    if (td.owner.kind == wit::OwnerKind::kInterface) {
      auto it = ifacePrefix_.find(td.owner.id);
      if (it != ifacePrefix_.end()) prefix = it->second;
    }
    return prefix + "_" + snakeCase(td.name) + "_t";
  }
  return w_ + "_" + mangle(t) + "_t";
}

std::string CGenerator::mangle(Type t) {
  if (t.isPrimitive()) return wit::primitiveName(t.primitive);
  const wit::TypeDef& td = model_.types[t.id];
  if (!td.name.empty() || std::holds_alternative<wit::HandleType>(td.kind)) {
    return withoutT(typeName(t));
  }
  return std::visit(
      [&](const auto& k) -> std::string {
        using K = std::decay_t<decltype(k)>;
        if constexpr (std::is_same_v<K, wit::ListType>) {
          return "list_" + mangle(k.element);
        } else if constexpr (std::is_same_v<K, wit::OptionType>) {
          return "option_" + mangle(k.type);
        } else if constexpr (std::is_same_v<K, wit::ResultType>) {
          return "result_" + (k.ok ? mangle(*k.ok) : std::string("void")) + "_" +
                 (k.err ? mangle(*k.err) : std::string("void"));
        } else if constexpr (std::is_same_v<K, wit::TupleType>) {
          std::string s = "tuple" + std::to_string(k.types.size());
          for (const Type& e : k.types) s += "_" + mangle(e);
          return s;
        } else if constexpr (std::is_same_v<K, wit::AliasType>) {
          return mangle(k.target);
        } else {
          return std::string(wit::typeDefKindName(td.kind));
        }
      },
      td.kind);
}

std::string CGenerator::funcName(const FuncSite& site) const {
  const wit::Function& f = *site.func;
  std::string r =
      f.resource != wit::kNoId ? snakeCase(model_.types[f.resource].name) : std::string();
  switch (f.kind) {
    case wit::FunctionKind::kFreestanding:
      return site.prefix + "_" + snakeCase(f.name);
    case wit::FunctionKind::kConstructor:
      return site.prefix + "_constructor_" + r;
    case wit::FunctionKind::kMethod:
      return site.prefix + "_method_" + r + "_" + snakeCase(f.itemName());
    case wit::FunctionKind::kStatic:
      return site.prefix + "_static_" + r + "_" + snakeCase(f.itemName());
  }
  return site.prefix + "_" + snakeCase(f.name);
}

// ---- properties ---------------------------------------------------------------

bool CGenerator::isScalar(Type t) const {
  Type n = norm(t);
  if (n.isPrimitive()) return n.primitive != Primitive::kString;
  const wit::TypeDef& td = model_.types[n.id];
  if (std::holds_alternative<wit::EnumType>(td.kind)) return true;
  if (std::holds_alternative<wit::HandleType>(td.kind)) return true;
  if (const auto* f = std::get_if<wit::FlagsType>(&td.kind)) return f->flags.size() <= 32;
  return false;
}

namespace {

// Visits the value types directly inside t (fields, elements, payloads).
template <typename F>
void forEachChild(const wit::TypeDef& td, F&& f) {
  std::visit(
      [&](const auto& k) {
        using K = std::decay_t<decltype(k)>;
        if constexpr (std::is_same_v<K, wit::RecordType>) {
          for (const auto& field : k.fields) f(field.type);
        } else if constexpr (std::is_same_v<K, wit::TupleType>) {
          for (const auto& e : k.types) f(e);
        } else if constexpr (std::is_same_v<K, wit::VariantType>) {
          for (const auto& c : k.cases) {
            if (c.type) f(*c.type);
          }
        } else if constexpr (std::is_same_v<K, wit::OptionType>) {
          f(k.type);
        } else if constexpr (std::is_same_v<K, wit::ResultType>) {
          if (k.ok) f(*k.ok);
          if (k.err) f(*k.err);
        } else if constexpr (std::is_same_v<K, wit::ListType>) {
          f(k.element);
        } else if constexpr (std::is_same_v<K, wit::AliasType>) {
          f(k.target);
        }
      },
      td.kind);
}

}  // namespace

bool CGenerator::needsFree(Type t) const {
  Type n = norm(t);
  if (n.isPrimitive()) return n.primitive == Primitive::kString;
  const wit::TypeDef& td = model_.types[n.id];
  if (std::holds_alternative<wit::ListType>(td.kind)) return true;
  if (const auto* h = std::get_if<wit::HandleType>(&td.kind))
    return h->kind == wit::HandleKind::kOwn;
  bool any = false;
  forEachChild(td, [&](Type c) { any = any || needsFree(c); });
  return any;
}

bool CGenerator::hasMemory(Type t) const {
  Type n = norm(t);
  if (n.isPrimitive()) return n.primitive == Primitive::kString;
  const wit::TypeDef& td = model_.types[n.id];
  if (std::holds_alternative<wit::ListType>(td.kind)) return true;
  bool any = false;
  forEachChild(td, [&](Type c) { any = any || hasMemory(c); });
  return any;
}

bool CGenerator::hasImportedBorrow(Type t) const {
  Type n = norm(t);
  if (n.isPrimitive()) return false;
  const wit::TypeDef& td = model_.types[n.id];
  if (const auto* h = std::get_if<wit::HandleType>(&td.kind)) {
    wit::TypeId r = model_.resourceOf(n.id);
    return h->kind == wit::HandleKind::kBorrow && r != wit::kNoId && !isExportedResource(r);
  }
  bool any = false;
  forEachChild(td, [&](Type c) { any = any || hasImportedBorrow(c); });
  return any;
}

Status CGenerator::checkSupported(Type t, const std::string& where) {
  auto unsupported = [&](const std::string& what) {
    return Error(ErrorCode::kComponent,
                 where + ": " + what + " cannot be used from C yet (post-0.2 feature)");
  };
  Type n = norm(t);
  if (n.isPrimitive()) {
    if (n.primitive == Primitive::kErrorContext) return unsupported("`error-context`");
    return okStatus();
  }
  const wit::TypeDef& td = model_.types[n.id];
  if (std::holds_alternative<wit::FutureType>(td.kind)) return unsupported("`future`");
  if (std::holds_alternative<wit::StreamType>(td.kind)) return unsupported("`stream`");
  if (std::holds_alternative<wit::MapType>(td.kind)) return unsupported("`map`");
  if (const auto* l = std::get_if<wit::ListType>(&td.kind)) {
    if (l->length) return unsupported("a fixed-length list");
  }
  if (const auto* f = std::get_if<wit::FlagsType>(&td.kind)) {
    if (f->flags.empty()) return unsupported("empty flags");
  }
  Status st = okStatus();
  forEachChild(td, [&](Type c) {
    if (st.ok()) st = checkSupported(c, where);
  });
  return st;
}

// ---- definitions ----------------------------------------------------------------

void CGenerator::emitDocs(Code& code, const std::string& docs) {
  if (docs.empty()) return;
  size_t start = 0;
  while (start <= docs.size()) {
    size_t nl = docs.find('\n', start);
    std::string lineText =
        docs.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
    // Keep comments closed: "*/" inside docs would end a block comment; we use
    // line comments, which only a trailing backslash could break.
    while (!lineText.empty() && lineText.back() == '\\') lineText.pop_back();
    code.line(lineText.empty() ? "//" : "// " + lineText);
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
}

void CGenerator::defineType(Type t) {
  if (t.isPrimitive()) return;  // the string type is always defined
  defineTypeDef(t.id);
}

void CGenerator::defineTypeDef(wit::TypeId id) {
  if (definedIds_.count(id)) return;
  definedIds_.insert(id);
  const wit::TypeDef& td = model_.types[id];
  Type self = Type::def(id);

  // Resources: handle types and intrinsics.
  if (std::holds_alternative<wit::ResourceType>(td.kind)) {
    std::string p = resourcePrefix(id);
    std::string rn = snakeCase(td.name);
    std::string own = p + "_own_" + rn + "_t";
    std::string borrow = p + "_borrow_" + rn + "_t";
    emitDocs(types_, td.meta.docs);
    if (isExportedResource(id)) {
      std::string rep = p + "_" + rn + "_t";
      types_.line("// Resource `" + td.name + "` (exported): define `struct " + rep +
                  "` (your representation).");
      types_.line("typedef struct " + rep + " " + rep + ";");
      types_.line("typedef struct " + own + " {");
      types_.line("  int32_t __handle;");
      types_.line("} " + own + ";");
      types_.line("typedef " + rep + " *" + borrow + ";");
      emitExportedResource(id);
    } else {
      types_.line("// Resource `" + td.name + "` (imported): handles owned or borrowed.");
      types_.line("typedef struct " + own + " {");
      types_.line("  int32_t __handle;");
      types_.line("} " + own + ";");
      types_.line("typedef struct " + borrow + " {");
      types_.line("  int32_t __handle;");
      types_.line("} " + borrow + ";");
      emitImportedResource(id);
    }
    types_.blank();
    staticAsserts_.push_back("_Static_assert(sizeof(" + own + ") == 4 && _Alignof(" + own +
                             ") == 4, \"" + own + " layout\");");
    definedNames_.insert(own);
    definedNames_.insert(borrow);
    return;
  }
  if (const auto* h = std::get_if<wit::HandleType>(&td.kind)) {
    wit::TypeId r = model_.resourceOf(h->resource);
    if (r != wit::kNoId) defineTypeDef(r);
    return;
  }
  // A `use`d or aliased resource: the handles of the original serve.
  if (const auto* alias = std::get_if<wit::AliasType>(&td.kind)) {
    if (!alias->target.isPrimitive() && model_.resourceOf(alias->target.id) != wit::kNoId &&
        std::holds_alternative<wit::ResourceType>(
            model_.types[model_.dealias(alias->target.id)].kind)) {
      defineTypeDef(model_.dealias(alias->target.id));
      return;
    }
  }

  // Dependencies first.
  forEachChild(td, [&](Type c) { defineType(c); });

  std::string name = typeName(self);
  if (definedNames_.count(name)) return;
  definedNames_.insert(name);
  std::string upper = upperCase(withoutT(name));

  Code& c = types_;
  if (!td.name.empty()) emitDocs(c, td.meta.docs);
  std::visit(
      [&](const auto& k) {
        using K = std::decay_t<decltype(k)>;
        if constexpr (std::is_same_v<K, wit::RecordType>) {
          c.line("typedef struct " + name + " {");
          for (const auto& f : k.fields) {
            if (!f.docs.empty()) {
              c.indent();
              emitDocs(c, f.docs);
              c.dedent();
            }
            c.line("  " + typeName(f.type) + " " + cIdentifier(f.name) + ";");
          }
          c.line("} " + name + ";");
        } else if constexpr (std::is_same_v<K, wit::TupleType>) {
          c.line("typedef struct " + name + " {");
          for (size_t i = 0; i < k.types.size(); ++i) {
            c.line("  " + typeName(k.types[i]) + " f" + std::to_string(i) + ";");
          }
          c.line("} " + name + ";");
        } else if constexpr (std::is_same_v<K, wit::FlagsType>) {
          size_t n = k.flags.size();
          if (n <= 32) {
            const char* ct = n <= 8 ? "uint8_t" : n <= 16 ? "uint16_t" : "uint32_t";
            c.line(std::string("typedef ") + ct + " " + name + ";");
            for (size_t i = 0; i < n; ++i) {
              emitDocs(c, k.flags[i].docs);
              c.line("#define " + upper + "_" + upperCase(snakeCase(k.flags[i].name)) + " ((" + ct +
                     ")1 << " + std::to_string(i) + ")");
            }
          } else {
            c.line("// Flag i is bit (i % 32) of flags[i / 32]; the macros give i.");
            c.line("typedef struct " + name + " {");
            c.line("  uint32_t flags[" + std::to_string((n + 31) / 32) + "];");
            c.line("} " + name + ";");
            for (size_t i = 0; i < n; ++i) {
              c.line("#define " + upper + "_" + upperCase(snakeCase(k.flags[i].name)) + " " +
                     std::to_string(i));
            }
          }
        } else if constexpr (std::is_same_v<K, wit::EnumType>) {
          c.line(std::string("typedef ") + discriminantCType(k.cases.size()) + " " + name + ";");
          for (size_t i = 0; i < k.cases.size(); ++i) {
            emitDocs(c, k.cases[i].docs);
            c.line("#define " + upper + "_" + upperCase(snakeCase(k.cases[i].name)) + " " +
                   std::to_string(i));
          }
        } else if constexpr (std::is_same_v<K, wit::VariantType>) {
          bool anyPayload = std::any_of(k.cases.begin(), k.cases.end(),
                                        [](const wit::Case& cs) { return cs.type.has_value(); });
          c.line("typedef struct " + name + " {");
          c.line(std::string("  ") + discriminantCType(k.cases.size()) + " tag;");
          if (anyPayload) {
            c.line("  union {");
            for (const auto& cs : k.cases) {
              if (cs.type) c.line("    " + typeName(*cs.type) + " " + cIdentifier(cs.name) + ";");
            }
            c.line("  } val;");
          }
          c.line("} " + name + ";");
          for (size_t i = 0; i < k.cases.size(); ++i) {
            emitDocs(c, k.cases[i].docs);
            c.line("#define " + upper + "_" + upperCase(snakeCase(k.cases[i].name)) + " " +
                   std::to_string(i));
          }
        } else if constexpr (std::is_same_v<K, wit::OptionType>) {
          c.line("typedef struct " + name + " {");
          c.line("  bool is_some;");
          c.line("  " + typeName(k.type) + " val;");
          c.line("} " + name + ";");
        } else if constexpr (std::is_same_v<K, wit::ResultType>) {
          c.line("typedef struct " + name + " {");
          c.line("  bool is_err;");
          if (k.ok || k.err) {
            c.line("  union {");
            if (k.ok) c.line("    " + typeName(*k.ok) + " ok;");
            if (k.err) c.line("    " + typeName(*k.err) + " err;");
            c.line("  } val;");
          }
          c.line("} " + name + ";");
        } else if constexpr (std::is_same_v<K, wit::ListType>) {
          c.line("typedef struct " + name + " {");
          c.line("  " + typeName(k.element) + " *ptr;");
          c.line("  size_t len;");
          c.line("} " + name + ";");
        } else if constexpr (std::is_same_v<K, wit::AliasType>) {
          c.line("typedef " + typeName(k.target) + " " + name + ";");
        }
      },
      td.kind);
  c.blank();

  abi::Layout l = norm(self).isPrimitive() ? tv_.layout(norm(self)) : tv_.layout(norm(self));
  staticAsserts_.push_back("_Static_assert(sizeof(" + name + ") == " + std::to_string(l.size) +
                           " && _Alignof(" + name + ") == " + std::to_string(l.align) + ", \"" +
                           name + ": canonical ABI layout\");");
  if (needsFree(self)) emitFreeFunction(self, withoutT(name) + "_free");
}

void CGenerator::emitFreeFunction(Type t, const std::string& fname) {
  std::string name = typeName(t);
  if (freeFunctions_.count(name)) return;
  freeFunctions_[name] = fname;
  freeDecls_.line("void " + fname + "(" + name + " *ptr);");
  freeDefs_.line("void " + fname + "(" + name + " *ptr) {");
  freeDefs_.indent();
  emitRelease(freeDefs_, t, "(*ptr)", true);
  freeDefs_.dedent();
  freeDefs_.line("}");
  freeDefs_.blank();
}

void CGenerator::emitRelease(Code& code, Type t, const std::string& lv, bool dropHandles) {
  auto needs = [&](Type x) { return dropHandles ? needsFree(x) : hasMemory(x); };
  if (!needs(t)) return;
  Type n = norm(t);
  if (n.isPrimitive()) {  // string
    emitFreeBuffer(code, lv);
    return;
  }
  const wit::TypeDef& td = model_.types[n.id];
  std::visit(
      [&](const auto& k) {
        using K = std::decay_t<decltype(k)>;
        if constexpr (std::is_same_v<K, wit::RecordType>) {
          for (const auto& f : k.fields)
            emitRelease(code, f.type, lv + "." + cIdentifier(f.name), dropHandles);
        } else if constexpr (std::is_same_v<K, wit::TupleType>) {
          for (size_t i = 0; i < k.types.size(); ++i) {
            emitRelease(code, k.types[i], lv + ".f" + std::to_string(i), dropHandles);
          }
        } else if constexpr (std::is_same_v<K, wit::VariantType>) {
          emitCaseSwitch(
              code, lv + ".tag", k.cases.size(),
              [&](size_t i) { return k.cases[i].type && needs(*k.cases[i].type); },
              [&](size_t i) {
                emitRelease(code, *k.cases[i].type, lv + ".val." + cIdentifier(k.cases[i].name),
                            dropHandles);
              });
        } else if constexpr (std::is_same_v<K, wit::OptionType>) {
          code.block("if (" + lv + ".is_some) {",
                     [&] { emitRelease(code, k.type, lv + ".val", dropHandles); });
        } else if constexpr (std::is_same_v<K, wit::ResultType>) {
          bool okNeeds = k.ok && needs(*k.ok);
          bool errNeeds = k.err && needs(*k.err);
          code.line(std::string("if (") + (okNeeds ? "!" : "") + lv + ".is_err) {");
          code.indent();
          if (okNeeds) {
            emitRelease(code, *k.ok, lv + ".val.ok", dropHandles);
          } else {
            emitRelease(code, *k.err, lv + ".val.err", dropHandles);
          }
          code.dedent();
          if (okNeeds && errNeeds) {
            code.line("} else {");
            code.indent();
            emitRelease(code, *k.err, lv + ".val.err", dropHandles);
            code.dedent();
          }
          code.line("}");
        } else if constexpr (std::is_same_v<K, wit::ListType>) {
          if (needs(k.element)) {
            std::string i = tmp("i");
            code.block("for (size_t " + i + " = 0; " + i + " < " + lv + ".len; " + i + "++) {",
                       [&] { emitRelease(code, k.element, lv + ".ptr[" + i + "]", dropHandles); });
          }
          emitFreeBuffer(code, lv);
        } else if constexpr (std::is_same_v<K, wit::HandleType>) {
          wit::TypeId r = model_.resourceOf(n.id);
          if (dropHandles && k.kind == wit::HandleKind::kOwn && r != wit::kNoId) {
            code.line(resourcePrefix(r) + "_" + snakeCase(model_.types[r].name) + "_drop_own(" +
                      lv + ");");
          }
        }
      },
      td.kind);
}

// Statements that record (in the local `_borrows`) every borrowed handle of
// an imported resource inside `lv`, to be dropped when the export returns
// (CanonicalABI.md: a task must drop the borrows it was lent before it exits).
void CGenerator::emitCollectBorrows(Code& code, Type t, const std::string& lv) {
  if (!hasImportedBorrow(t)) return;
  Type n = norm(t);
  const wit::TypeDef& td = model_.types[n.id];
  std::visit(
      [&](const auto& k) {
        using K = std::decay_t<decltype(k)>;
        if constexpr (std::is_same_v<K, wit::RecordType>) {
          for (const auto& f : k.fields)
            emitCollectBorrows(code, f.type, lv + "." + cIdentifier(f.name));
        } else if constexpr (std::is_same_v<K, wit::TupleType>) {
          for (size_t i = 0; i < k.types.size(); ++i) {
            emitCollectBorrows(code, k.types[i], lv + ".f" + std::to_string(i));
          }
        } else if constexpr (std::is_same_v<K, wit::VariantType>) {
          emitCaseSwitch(
              code, lv + ".tag", k.cases.size(),
              [&](size_t i) { return k.cases[i].type && hasImportedBorrow(*k.cases[i].type); },
              [&](size_t i) {
                emitCollectBorrows(code, *k.cases[i].type,
                                   lv + ".val." + cIdentifier(k.cases[i].name));
              });
        } else if constexpr (std::is_same_v<K, wit::OptionType>) {
          code.block("if (" + lv + ".is_some) {",
                     [&] { emitCollectBorrows(code, k.type, lv + ".val"); });
        } else if constexpr (std::is_same_v<K, wit::ResultType>) {
          if (k.ok && hasImportedBorrow(*k.ok)) {
            code.block("if (!" + lv + ".is_err) {",
                       [&] { emitCollectBorrows(code, *k.ok, lv + ".val.ok"); });
          }
          if (k.err && hasImportedBorrow(*k.err)) {
            code.block("if (" + lv + ".is_err) {",
                       [&] { emitCollectBorrows(code, *k.err, lv + ".val.err"); });
          }
        } else if constexpr (std::is_same_v<K, wit::ListType>) {
          std::string i = tmp("i");
          code.block("for (size_t " + i + " = 0; " + i + " < " + lv + ".len; " + i + "++) {",
                     [&] { emitCollectBorrows(code, k.element, lv + ".ptr[" + i + "]"); });
        } else if constexpr (std::is_same_v<K, wit::HandleType>) {
          wit::TypeId r = model_.resourceOf(n.id);
          code.line("_cb_borrow_push(&_borrows, " + lv + ".__handle, __wasm_import_" +
                    resourcePrefix(r) + "_" + snakeCase(model_.types[r].name) + "_drop);");
        }
      },
      td.kind);
}

}  // namespace compono::component::bindgen
