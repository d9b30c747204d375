// The component text reader (text.h): S-expressions to the AST.
//
// Grammar: component-model design/mvp/Explainer.md (the text format of every
// definition) and the abbreviations wasm-tools' `wast` crate accepts in the
// component-model test suite: inline exports and imports on definitions,
// inline value/function/component/instance/module types hoisted into fresh
// type definitions before the definition that uses them, the alias sugar
// `(func $i "a" "b")`, and implicit outer aliases for types, core types,
// core modules and components named from an enclosing scope.
//
// Internally a failure is thrown as a TextError and caught at the entry
// point; nothing is thrown across the library boundary.
#include "component/text/reader.h"

#include <array>
#include <map>
#include <memory>
#include <optional>
#include <set>

#include "component/binary/reader.h"
#include "compono/component/binary.h"
#include "compono/component/text.h"
#include "compono/engine/module.h"

namespace compono::component {
namespace text {

std::string located(const std::string& name, const SExpr& at, const std::string& what) {
  return name + ":" + std::to_string(at.line) + ":" + std::to_string(at.column) + ": " + what;
}

Result<std::string> concatStrings(const SExpr& list, size_t first, const std::string& name) {
  std::string out;
  for (size_t i = first; i < list.items.size(); ++i) {
    if (!list.items[i].isString()) {
      return Error(ErrorCode::kDecode, located(name, list.items[i], "expected a string"));
    }
    out += list.items[i].text;
  }
  return out;
}

namespace {

struct TextError {
  Error error;
};

constexpr uint32_t kMaxScopeDepth = 200;

struct Scope {
  enum class Kind : uint8_t { kComponent, kComponentType, kInstanceType };
  Kind kind = Kind::kComponent;
  Scope* parent = nullptr;
  std::string id;  // "$name" of the component or type, for outer aliases
  std::array<std::map<std::string, uint32_t>, kSortCount> names;
  std::array<uint32_t, kSortCount> counts{};
  Component* component = nullptr;          // kComponent
  std::vector<TypeDecl>* decls = nullptr;  // type scopes
  bool hasStart = false;
  uint32_t depth = 0;
};

// A core module type under construction.
struct ModuleScope {
  Scope* parent = nullptr;
  std::map<std::string, uint32_t> types;
  uint32_t typeCount = 0;
  CoreModuleType* out = nullptr;
};

size_t sortSlot(Sort s) { return static_cast<size_t>(s); }

bool outerAliasable(Sort s) {
  return s == Sort::kType || s == Sort::kCoreType || s == Sort::kCoreModule ||
         s == Sort::kComponent;
}

std::optional<PrimValType> primKeyword(std::string_view w) {
  static const std::pair<const char*, PrimValType> kPrims[] = {
      {"bool", PrimValType::kBool},     {"s8", PrimValType::kS8},
      {"u8", PrimValType::kU8},         {"s16", PrimValType::kS16},
      {"u16", PrimValType::kU16},       {"s32", PrimValType::kS32},
      {"u32", PrimValType::kU32},       {"s64", PrimValType::kS64},
      {"u64", PrimValType::kU64},       {"f32", PrimValType::kF32},
      {"f64", PrimValType::kF64},       {"float32", PrimValType::kF32},
      {"float64", PrimValType::kF64},   {"char", PrimValType::kChar},
      {"string", PrimValType::kString},
  };
  for (auto& [name, p] : kPrims) {
    if (w == name) return p;
  }
  return std::nullopt;
}

// Post-0.2 and out-of-scope keywords, with the feature they belong to.
const char* unsupportedFeature(std::string_view w) {
  if (w == "stream" || w == "future" || w == "error-context" || w == "async" || w == "callback" ||
      w.starts_with("task.") || w.starts_with("subtask.") || w.starts_with("waitable") ||
      w.starts_with("backpressure") || w.starts_with("context.") || w.starts_with("stream.") ||
      w.starts_with("future.") || w.starts_with("yield")) {
    return "async, post-0.2";
  }
  if (w.starts_with("error-context.")) return "error-context, post-0.2";
  if (w.starts_with("thread.")) return "threads, post-0.2";
  if (w == "map") return "maps, post-0.2";
  if (w == "value") return "component model values, post-0.2";
  if (w == "rec" || w == "sub" || w == "struct" || w == "array") return "GC, post-0.2";
  if (w == "implements") return "`implements` names, post-0.2";
  return nullptr;
}

class Converter {
 public:
  Converter(std::string_view source, const std::string& name) : source_(source), name_(name) {}

  Component run(const SExpr& list, size_t first) {
    Component c;
    Scope s;
    s.kind = Scope::Kind::kComponent;
    s.component = &c;
    if (first > 0 && first - 1 < list.items.size() && list.items[first - 1].isId()) {
      s.id = list.items[first - 1].text;
    }
    for (size_t i = first; i < list.items.size(); ++i) componentField(s, list.items[i]);
    return c;
  }

 private:
  // ---- errors and atoms ------------------------------------------------------------

  [[noreturn]] void fail(const SExpr& at, const std::string& what) {
    throw TextError{Error(ErrorCode::kDecode, located(name_, at, what))};
  }

  const SExpr& item(const SExpr& list, size_t i, const char* what) {
    if (i >= list.items.size()) fail(list, std::string("expected ") + what);
    return list.items[i];
  }

  void expectEnd(const SExpr& list, size_t i) {
    if (i < list.items.size()) fail(list.items[i], "unexpected token");
  }

  uint64_t number(const SExpr& x, uint64_t max = UINT32_MAX) {
    if (!x.isAtom() || x.text.empty()) fail(x, "expected a number");
    std::string digits;
    for (char c : x.text) {
      if (c != '_') digits += c;
    }
    uint64_t v = 0;
    bool hex = digits.size() > 2 && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X');
    size_t start = hex ? 2 : 0;
    if (start >= digits.size()) fail(x, "expected a number");
    for (size_t i = start; i < digits.size(); ++i) {
      char c = digits[i];
      int d = -1;
      if (c >= '0' && c <= '9') d = c - '0';
      if (hex && c >= 'a' && c <= 'f') d = c - 'a' + 10;
      if (hex && c >= 'A' && c <= 'F') d = c - 'A' + 10;
      if (d < 0) fail(x, "expected a number, found `" + x.text + "`");
      uint64_t base = hex ? 16 : 10;
      if (v > (max - static_cast<uint64_t>(d)) / base) fail(x, "number `" + x.text + "` too large");
      v = v * base + static_cast<uint64_t>(d);
    }
    return v;
  }

  std::string name(const SExpr& x) {
    if (!x.isString()) fail(x, "expected a string");
    if (!binary::validUtf8(reinterpret_cast<const uint8_t*>(x.text.data()), x.text.size())) {
      fail(x, "malformed UTF-8 encoding");
    }
    return x.text;
  }

  // An import/export name: "name" or (interface "name").
  ExternName externName(const SExpr& x) {
    ExternName n;
    if (x.isString()) {
      n.name = name(x);
      return n;
    }
    if (x.is("interface") && x.items.size() == 2) {
      n.name = name(x.items[1]);
      return n;
    }
    fail(x, "expected an import or export name");
  }

  const SExpr* optId(const SExpr& list, size_t& i) {
    if (i < list.items.size() && list.items[i].isId()) return &list.items[i++];
    return nullptr;
  }

  // ---- scopes and index spaces ------------------------------------------------------

  void bind(Scope& s, Sort sort, const SExpr* id, uint32_t index) {
    if (!id) return;
    auto& names = s.names[sortSlot(sort)];
    if (!names.emplace(id->text, index).second) {
      fail(*id, std::string("duplicate ") + sortName(sort) + " identifier `" + id->text + "`");
    }
  }

  uint32_t add(Scope& s, DefinitionItem item, const SExpr& at) {
    if (!s.component) fail(at, "this definition is not allowed in a type");
    Definition& d = s.component->add(std::move(item));
    if (!d.sort) return kNoIndex;
    s.counts[sortSlot(*d.sort)] = d.index + 1;
    return d.index;
  }

  template <typename T>
  uint32_t addDecl(Scope& s, T item, Sort sort) {
    TypeDecl d;
    d.item = std::move(item);
    s.decls->push_back(std::move(d));
    return s.counts[sortSlot(sort)]++;
  }

  uint32_t addAlias(Scope& s, Alias a, const SExpr& at) {
    Sort sort = a.sort;
    if (s.component) return add(s, std::move(a), at);
    return addDecl(s, std::move(a), sort);
  }
  uint32_t addType(Scope& s, TypeDef t, const SExpr& at) {
    if (s.component) return add(s, std::move(t), at);
    return addDecl(s, std::move(t), Sort::kType);
  }
  uint32_t addCoreType(Scope& s, CoreTypeDef t, const SExpr& at) {
    if (s.component) return add(s, std::move(t), at);
    return addDecl(s, std::move(t), Sort::kCoreType);
  }

  // An index or identifier of `sort` in scope `s`; names of enclosing scopes
  // become outer aliases.
  uint32_t resolve(Scope& s, Sort sort, const SExpr& ref) {
    if (!ref.isAtom()) fail(ref, std::string("expected a ") + sortName(sort) + " index");
    if (!ref.isId()) return static_cast<uint32_t>(number(ref));
    uint32_t depth = 0;
    for (Scope* p = &s; p; p = p->parent, ++depth) {
      auto& names = p->names[sortSlot(sort)];
      auto it = names.find(ref.text);
      if (it == names.end()) continue;
      if (depth == 0) return it->second;
      if (!outerAliasable(sort)) {
        fail(ref, "outer item `" + ref.text.substr(1) + "` is not a module, type, or component");
      }
      Alias a;
      a.sort = sort;
      a.target = Alias::Target::kOuter;
      a.outerCount = depth;
      a.outerIndex = it->second;
      uint32_t idx = addAlias(s, a, ref);
      s.names[sortSlot(sort)][ref.text] = idx;
      return idx;
    }
    fail(ref,
         std::string("unknown ") + sortName(sort) + ": failed to find name `" + ref.text + "`");
  }

  // list.items[i] is an index, followed by export names to project through
  // (the inline alias sugar).
  uint32_t resolveRef(Scope& s, Sort sort, const SExpr& list, size_t i) {
    const SExpr& base = item(list, i, "an index");
    std::vector<std::string> path;
    for (size_t j = i + 1; j < list.items.size(); ++j) path.push_back(name(list.items[j]));
    if (path.empty()) return resolve(s, sort, base);
    if (sort >= Sort::kCoreFunc && sort <= Sort::kCoreTag) {
      uint32_t inst = resolve(s, Sort::kCoreInstance, base);
      if (path.size() != 1) fail(list.items[i + 2], "a core instance export has one name");
      Alias a;
      a.sort = sort;
      a.target = Alias::Target::kCoreInstanceExport;
      a.instance = inst;
      a.name = path[0];
      return addAlias(s, a, list);
    }
    if (sort == Sort::kCoreType || sort == Sort::kCoreInstance) {
      fail(list, std::string("a ") + sortName(sort) + " cannot be aliased from an instance export");
    }
    uint32_t inst = resolve(s, Sort::kInstance, base);
    for (size_t k = 0; k < path.size(); ++k) {
      Alias a;
      a.sort = k + 1 == path.size() ? sort : Sort::kInstance;
      a.target = Alias::Target::kInstanceExport;
      a.instance = inst;
      a.name = path[k];
      inst = addAlias(s, a, list);
    }
    return inst;
  }

  // `(core? KEYWORD ...)`: the sort, with `i` after the keyword. In a core
  // context `func`, `type`, `instance` are the core sorts.
  Sort sortHead(const SExpr& list, bool core, size_t& i) {
    if (!list.isList() || list.items.empty()) fail(list, "expected a sort");
    i = 0;
    if (list.items[0].isAtom("core")) {
      core = true;
      i = 1;
    }
    const SExpr& kw = item(list, i, "a sort");
    ++i;
    if (!kw.isAtom()) fail(kw, "expected a sort");
    const std::string& w = kw.text;
    if (w == "module") return Sort::kCoreModule;
    if (core) {
      if (w == "func") return Sort::kCoreFunc;
      if (w == "table") return Sort::kCoreTable;
      if (w == "memory") return Sort::kCoreMemory;
      if (w == "global") return Sort::kCoreGlobal;
      if (w == "tag") return Sort::kCoreTag;
      if (w == "type") return Sort::kCoreType;
      if (w == "instance") return Sort::kCoreInstance;
    } else {
      if (w == "func") return Sort::kFunc;
      if (w == "value") return Sort::kValue;
      if (w == "type") return Sort::kType;
      if (w == "component") return Sort::kComponent;
      if (w == "instance") return Sort::kInstance;
    }
    fail(kw, "unexpected token `" + w + "`, expected a sort");
  }

  SortIndex sortIdx(Scope& s, const SExpr& x, bool core) {
    size_t i = 0;
    Sort sort = sortHead(x, core, i);
    return SortIndex{sort, resolveRef(s, sort, x, i)};
  }

  // A reference to an item of `sort` where the sort is known: an index, or
  // `(core? KEYWORD idx names*)`.
  uint32_t ref(Scope& s, Sort sort, const SExpr& x) {
    if (x.isAtom()) return resolve(s, sort, x);
    size_t i = 0;
    Sort got = sortHead(x, isCoreSort(sort), i);
    if (got != sort) {
      fail(x, std::string("expected a ") + sortName(sort) + " reference, found " + sortName(got));
    }
    return resolveRef(s, sort, x, i);
  }

  // `(type idx)` as the whole rest of a definition (a type use), as opposed
  // to a `(type ...)` declarator that starts inline declarations.
  bool isTypeUse(const SExpr& list, size_t i) {
    return i + 1 == list.items.size() && list.items[i].is("type") &&
           list.items[i].items.size() == 2 && list.items[i].items[1].isAtom();
  }

  // ---- component fields -----------------------------------------------------------

  struct InlineNames {
    std::vector<ExternName> exports;
    std::optional<ExternName> import;
  };

  InlineNames inlineNames(const SExpr& list, size_t& i) {
    InlineNames out;
    while (i < list.items.size() && list.items[i].is("export") && list.items[i].items.size() == 2) {
      out.exports.push_back(externName(list.items[i].items[1]));
      ++i;
    }
    if (i < list.items.size() && list.items[i].is("import") && list.items[i].items.size() == 2) {
      out.import = externName(list.items[i].items[1]);
      ++i;
    }
    return out;
  }

  void inlineExports(Scope& s, const InlineNames& names, Sort sort, uint32_t index,
                     const SExpr& at) {
    for (const ExternName& n : names.exports) {
      Export e;
      e.name = n;
      e.item = SortIndex{sort, index};
      add(s, std::move(e), at);
    }
  }

  void componentField(Scope& s, const SExpr& f) {
    if (!f.isList() || f.items.empty() || !f.items[0].isAtom())
      fail(f, "expected a component field");
    const std::string& h = f.items[0].text;
    if (h.starts_with("@")) return;  // annotations (custom sections) are not kept
    if (h == "core") {
      const SExpr& kw = item(f, 1, "a core definition");
      if (kw.isAtom("module")) return coreModule(s, f);
      if (kw.isAtom("instance")) return coreInstance(s, f);
      if (kw.isAtom("type")) return coreTypeField(s, f, 2);
      if (kw.isAtom("func")) return coreFunc(s, f);
      if (kw.isAtom() &&
          (kw.text == "table" || kw.text == "memory" || kw.text == "global" || kw.text == "tag")) {
        return coreItemAlias(s, f);
      }
      if (kw.isAtom() && unsupportedFeature(kw.text)) unsupported(kw);
      fail(kw, "unexpected token");
    }
    if (h == "component") return nestedComponent(s, f);
    if (h == "instance") return instanceField(s, f);
    if (h == "alias") return aliasField(s, f);
    if (h == "type") return typeField(s, f);
    if (h == "canon") return canonField(s, f);
    if (h == "func") return funcField(s, f);
    if (h == "start") return startField(s, f);
    if (h == "import") return importField(s, f);
    if (h == "export") return exportField(s, f);
    if (unsupportedFeature(h)) unsupported(f.items[0]);
    fail(f.items[0], "unexpected token `" + h + "`");
  }

  [[noreturn]] void unsupported(const SExpr& at) {
    fail(at, "`" + at.text + "` is not supported (" + unsupportedFeature(at.text) + ")");
  }

  // (core module $id? (export "n")* ...) — text, `binary` or `quote`.
  void coreModule(Scope& s, const SExpr& f) {
    size_t i = 2;
    const SExpr* id = optId(f, i);
    InlineNames names = inlineNames(f, i);
    if (names.import) {
      return inlineImport(s, f, i, names, Sort::kCoreModule, id);
    }
    std::vector<uint8_t> bytes;
    if (i < f.items.size() && f.items[i].isAtom("binary")) {
      auto b = concatStrings(f, i + 1, name_);
      if (!b.ok()) throw TextError{b.error()};
      bytes.assign(b->begin(), b->end());
    } else {
      std::string text = "(module";
      if (i < f.items.size() && f.items[i].isAtom("quote")) {
        auto q = concatStrings(f, i + 1, name_);
        if (!q.ok()) throw TextError{q.error()};
        text += " " + *q;
      } else if (i < f.items.size()) {
        size_t begin = f.items[i].begin;
        text += " " + std::string(source_.substr(begin, f.end - 1 - begin));
      }
      text += ")";
      auto b = engine::watToBinary(text, name_ + ":" + std::to_string(f.line) + ": core module");
      if (!b.ok()) throw TextError{b.error()};
      bytes = std::move(*b);
    }
    CoreModule m;
    m.size = bytes.size();
    m.buffer = std::make_shared<const std::vector<uint8_t>>(std::move(bytes));
    uint32_t idx = add(s, std::move(m), f);
    bind(s, Sort::kCoreModule, id, idx);
    inlineExports(s, names, Sort::kCoreModule, idx, f);
  }

  // `(export "name" item)*` of a core instance (E = CoreInlineExport) or an
  // instance (E = InlineExport) made of exports.
  template <typename E>
  std::vector<E> exportList(Scope& s, const SExpr& list, size_t i) {
    constexpr bool kCore = std::is_same_v<E, CoreInlineExport>;
    std::vector<E> out;
    for (; i < list.items.size(); ++i) {
      const SExpr& e = list.items[i];
      if (!e.is("export") || e.items.size() != 3) fail(e, "expected (export \"name\" item)");
      if constexpr (kCore) {
        out.push_back(E{name(e.items[1]), sortIdx(s, e.items[2], true)});
      } else {
        out.push_back(E{externName(e.items[1]), sortIdx(s, e.items[2], false)});
      }
    }
    return out;
  }

  // (core instance $id? (instantiate ...)) or (core instance $id? (export ...)*)
  void coreInstance(Scope& s, const SExpr& f) {
    size_t i = 2;
    const SExpr* id = optId(f, i);
    CoreInstance ci;
    if (i < f.items.size() && f.items[i].is("instantiate")) {
      const SExpr& inst = f.items[i];
      expectEnd(f, i + 1);
      ci.kind = CoreInstance::Kind::kInstantiate;
      ci.module = ref(s, Sort::kCoreModule, item(inst, 1, "a module"));
      for (size_t j = 2; j < inst.items.size(); ++j) {
        const SExpr& w = inst.items[j];
        if (!w.is("with") || w.items.size() != 3)
          fail(w, "expected (with \"name\" (instance ...))");
        ci.args.push_back(CoreInstantiateArg{name(w.items[1]), coreInstanceArg(s, w.items[2])});
      }
    } else {
      ci.kind = CoreInstance::Kind::kFromExports;
      ci.exports = exportList<CoreInlineExport>(s, f, i);
    }
    uint32_t idx = add(s, std::move(ci), f);
    bind(s, Sort::kCoreInstance, id, idx);
  }

  uint32_t coreInstanceArg(Scope& s, const SExpr& x) {
    if (x.isAtom()) return resolve(s, Sort::kCoreInstance, x);
    size_t i = 0;
    Sort sort = sortHead(x, true, i);
    if (sort != Sort::kCoreInstance) fail(x, "expected a core instance");
    if (i < x.items.size() && x.items[i].isAtom()) return resolveRef(s, sort, x, i);
    CoreInstance ci;
    ci.kind = CoreInstance::Kind::kFromExports;
    ci.exports = exportList<CoreInlineExport>(s, x, i);
    return add(s, std::move(ci), x);
  }

  // (core table|memory|global|tag $id? (alias core export $i "n"))
  void coreItemAlias(Scope& s, const SExpr& f) {
    size_t i = 0;
    Sort sort = sortHead(f, true, i);
    const SExpr* id = optId(f, i);
    const SExpr& a = item(f, i, "(alias ...)");
    if (!a.is("alias")) fail(a, "expected (alias ...)");
    expectEnd(f, i + 1);
    uint32_t idx = aliasTarget(s, a, 1, sort);
    bind(s, sort, id, idx);
  }

  // ---- core types --------------------------------------------------------------------

  engine::ValType coreValType(const SExpr& x) {
    if (x.isAtom()) {
      const std::string& w = x.text;
      if (w == "i32") return engine::ValType::kI32;
      if (w == "i64") return engine::ValType::kI64;
      if (w == "f32") return engine::ValType::kF32;
      if (w == "f64") return engine::ValType::kF64;
      if (w == "v128") return engine::ValType::kV128;
      if (w == "funcref") return engine::ValType::kFuncRef;
      if (w == "externref") return engine::ValType::kExternRef;
    }
    if (x.is("ref") && x.items.size() == 3 && x.items[1].isAtom("null")) {
      if (x.items[2].isAtom("func")) return engine::ValType::kFuncRef;
      if (x.items[2].isAtom("extern")) return engine::ValType::kExternRef;
    }
    fail(x, "unsupported core value type (only WebAssembly 2.0 types; GC is post-0.2)");
  }

  // (func $id? (param ...)* (result ...)*) from list.items[i..].
  engine::FuncType coreFuncSig(const SExpr& list, size_t i) {
    engine::FuncType t;
    for (; i < list.items.size(); ++i) {
      const SExpr& p = list.items[i];
      if (p.is("param")) {
        size_t j = 1;
        if (j < p.items.size() && p.items[j].isId()) {
          if (p.items.size() != 3) fail(p, "a named parameter has one type");
          ++j;
        }
        for (; j < p.items.size(); ++j) t.params.push_back(coreValType(p.items[j]));
      } else if (p.is("result")) {
        for (size_t j = 1; j < p.items.size(); ++j) t.results.push_back(coreValType(p.items[j]));
      } else {
        fail(p, "unexpected token");
      }
    }
    return t;
  }

  CoreTypeDef coreDefType(Scope& s, const SExpr& x) {
    CoreTypeDef t;
    if (x.is("func")) {
      size_t i = 1;
      optId(x, i);
      t.type = coreFuncSig(x, i);
      return t;
    }
    if (x.is("module")) {
      CoreModuleType m;
      ModuleScope ms;
      ms.parent = &s;
      ms.out = &m;
      for (size_t i = 1; i < x.items.size(); ++i) moduleDecl(ms, x.items[i]);
      t.type = std::move(m);
      return t;
    }
    if (x.isList() && x.head().size() && unsupportedFeature(x.head())) unsupported(x.items[0]);
    fail(x, "expected (func ...) or (module ...)");
  }

  // (core type $id? deftype) starting at list.items[i] (after "core" "type").
  void coreTypeField(Scope& s, const SExpr& f, size_t i) {
    const SExpr* id = optId(f, i);
    const SExpr& d = item(f, i, "a core type");
    expectEnd(f, i + 1);
    uint32_t idx = addCoreType(s, coreDefType(s, d), f);
    bind(s, Sort::kCoreType, id, idx);
  }

  uint32_t moduleTypeIndex(ModuleScope& ms, const SExpr& ref) {
    if (!ref.isId()) return static_cast<uint32_t>(number(ref));
    auto it = ms.types.find(ref.text);
    if (it != ms.types.end()) return it->second;
    // An implicit outer alias of a core type of an enclosing scope.
    uint32_t depth = 1;
    for (Scope* p = ms.parent; p; p = p->parent, ++depth) {
      auto& names = p->names[sortSlot(Sort::kCoreType)];
      auto found = names.find(ref.text);
      if (found == names.end()) continue;
      ModuleDecl d;
      d.item = CoreOuterAlias{Sort::kCoreType, depth, found->second};
      ms.out->decls.push_back(std::move(d));
      uint32_t idx = ms.typeCount++;
      ms.types[ref.text] = idx;
      return idx;
    }
    fail(ref, "unknown core type: failed to find name `" + ref.text + "`");
  }

  uint32_t moduleFuncType(ModuleScope& ms, const SExpr& list, size_t i) {
    if (i < list.items.size() && list.items[i].is("type")) {
      if (list.items[i].items.size() != 2) fail(list.items[i], "expected (type idx)");
      return moduleTypeIndex(ms, list.items[i].items[1]);
    }
    ModuleDecl d;
    std::vector<CoreTypeDef> v(1);
    v[0].type = coreFuncSig(list, i);
    d.item = std::move(v);
    ms.out->decls.push_back(std::move(d));
    return ms.typeCount++;
  }

  engine::Limits limits(const SExpr& list, size_t& i, bool table) {
    engine::Limits l;
    if (i < list.items.size() && list.items[i].isAtom("i64")) {
      l.is64 = true;
      ++i;
    } else if (i < list.items.size() && list.items[i].isAtom("i32")) {
      ++i;
    }
    l.min = number(item(list, i, "a limit"), UINT64_MAX);
    ++i;
    if (i < list.items.size() && list.items[i].isAtom() && !list.items[i].text.empty() &&
        list.items[i].text[0] >= '0' && list.items[i].text[0] <= '9') {
      l.max = number(list.items[i], UINT64_MAX);
      ++i;
    }
    if (!table && i < list.items.size() && list.items[i].isAtom("shared")) {
      l.shared = true;
      ++i;
    }
    return l;
  }

  CoreExternDesc coreDesc(ModuleScope& ms, const SExpr& x) {
    CoreExternDesc d;
    size_t i = 1;
    optId(x, i);
    std::string_view h = x.head();
    if (h == "func" || h == "tag") {
      d.kind = h == "func" ? engine::ExternKind::kFunc : engine::ExternKind::kTag;
      size_t j = i;
      if (j < x.items.size() && x.items[j].is("type")) {
        d.typeIndex = moduleFuncType(ms, x, j);
      } else {
        d.typeIndex = moduleFuncType(ms, x, j);
      }
      return d;
    }
    if (h == "memory") {
      d.kind = engine::ExternKind::kMemory;
      d.memory.limits = limits(x, i, false);
      expectEnd(x, i);
      return d;
    }
    if (h == "table") {
      d.kind = engine::ExternKind::kTable;
      d.table.limits = limits(x, i, true);
      d.table.element = coreValType(item(x, i, "a reference type"));
      expectEnd(x, i + 1);
      return d;
    }
    if (h == "global") {
      d.kind = engine::ExternKind::kGlobal;
      const SExpr& t = item(x, i, "a global type");
      if (t.is("mut")) {
        d.global.mutable_ = true;
        d.global.type = coreValType(item(t, 1, "a value type"));
      } else {
        d.global.type = coreValType(t);
      }
      expectEnd(x, i + 1);
      return d;
    }
    fail(x, "expected a core import or export description");
  }

  void moduleDecl(ModuleScope& ms, const SExpr& x) {
    std::string_view h = x.head();
    if (h == "import") {
      if (x.items.size() != 4) fail(x, "expected (import \"module\" \"name\" desc)");
      CoreImportDecl im;
      im.module = name(x.items[1]);
      im.name = name(x.items[2]);
      im.desc = coreDesc(ms, x.items[3]);
      ModuleDecl d;
      d.item = std::move(im);
      ms.out->decls.push_back(std::move(d));
      return;
    }
    if (h == "export") {
      if (x.items.size() != 3) fail(x, "expected (export \"name\" desc)");
      CoreExportDecl ex;
      ex.name = name(x.items[1]);
      ex.desc = coreDesc(ms, x.items[2]);
      ModuleDecl d;
      d.item = std::move(ex);
      ms.out->decls.push_back(std::move(d));
      return;
    }
    if (h == "type") {
      size_t i = 1;
      const SExpr* id = optId(x, i);
      const SExpr& t = item(x, i, "a function type");
      expectEnd(x, i + 1);
      if (!t.is("func")) {
        if (t.isList() && unsupportedFeature(t.head())) unsupported(t.items[0]);
        fail(t, "expected (func ...)");
      }
      size_t j = 1;
      optId(t, j);
      ModuleDecl d;
      std::vector<CoreTypeDef> v(1);
      v[0].type = coreFuncSig(t, j);
      d.item = std::move(v);
      ms.out->decls.push_back(std::move(d));
      uint32_t idx = ms.typeCount++;
      if (id && !ms.types.emplace(id->text, idx).second)
        fail(*id, "duplicate core type identifier");
      return;
    }
    if (h == "alias") {
      // (alias outer $c $t (type $id?))
      if (x.items.size() != 5 || !x.items[1].isAtom("outer")) {
        fail(x, "expected (alias outer count index (type))");
      }
      const SExpr& spec = x.items[4];
      if (!spec.is("type")) fail(spec, "only type aliases are allowed in module types");
      size_t si = 1;
      const SExpr* id = optId(spec, si);
      expectEnd(spec, si);
      uint32_t count;
      Scope* target = nullptr;
      if (x.items[2].isId()) {
        count = 1;
        for (Scope* p = ms.parent; p; p = p->parent, ++count) {
          if (p->id == x.items[2].text) {
            target = p;
            break;
          }
        }
        if (!target) {
          fail(x.items[2], "outer component `" + x.items[2].text.substr(1) + "` not found");
        }
      } else {
        count = static_cast<uint32_t>(number(x.items[2]));
        target = ms.parent;
        for (uint32_t k = 1; k < count && target; ++k) target = target->parent;
      }
      uint32_t index;
      if (x.items[3].isId()) {
        if (count == 0) {
          auto it = ms.types.find(x.items[3].text);
          if (it == ms.types.end()) fail(x.items[3], "unknown core type");
          index = it->second;
        } else {
          if (!target) fail(x.items[2], "outer count of `" + x.items[2].text + "` is too large");
          auto& names = target->names[sortSlot(Sort::kCoreType)];
          auto it = names.find(x.items[3].text);
          if (it == names.end()) {
            fail(x.items[3], "unknown core type: failed to find name `" + x.items[3].text + "`");
          }
          index = it->second;
        }
      } else {
        index = static_cast<uint32_t>(number(x.items[3]));
      }
      ModuleDecl d;
      d.item = CoreOuterAlias{Sort::kCoreType, count, index};
      ms.out->decls.push_back(std::move(d));
      uint32_t idx = ms.typeCount++;
      if (id && !ms.types.emplace(id->text, idx).second)
        fail(*id, "duplicate core type identifier");
      return;
    }
    fail(x, "unexpected token in a module type");
  }

  // A module type use: (type $t) or inline declarations, from list.items[i].
  uint32_t moduleTypeUse(Scope& s, const SExpr& list, size_t i) {
    if (isTypeUse(list, i)) return resolve(s, Sort::kCoreType, list.items[i].items[1]);
    CoreModuleType m;
    ModuleScope ms;
    ms.parent = &s;
    ms.out = &m;
    for (; i < list.items.size(); ++i) moduleDecl(ms, list.items[i]);
    CoreTypeDef t;
    t.type = std::move(m);
    return addCoreType(s, std::move(t), list);
  }

  // ---- component types ------------------------------------------------------------------

  ValType valType(Scope& s, const SExpr& x) {
    if (x.isAtom()) {
      if (auto p = primKeyword(x.text)) return ValType::primitive(*p);
      if (unsupportedFeature(x.text)) unsupported(x);
      if (x.isId() || (!x.text.empty() && x.text[0] >= '0' && x.text[0] <= '9')) {
        return ValType::typeIndex(resolve(s, Sort::kType, x));
      }
      fail(x, "unknown value type `" + x.text + "`");
    }
    if (x.is("type") && x.items.size() == 2)
      return ValType::typeIndex(resolve(s, Sort::kType, x.items[1]));
    TypeDef def;
    def.kind = defValType(s, x);
    return ValType::typeIndex(addType(s, std::move(def), x));
  }

  std::optional<ValType> optValType(Scope& s, const SExpr& list, size_t i) {
    if (i >= list.items.size()) return std::nullopt;
    expectEnd(list, i + 1);
    return valType(s, list.items[i]);
  }

  std::vector<std::string> labels(const SExpr& list, size_t i) {
    std::vector<std::string> out;
    for (; i < list.items.size(); ++i) out.push_back(name(list.items[i]));
    return out;
  }

  TypeDefKind defValType(Scope& s, const SExpr& x) {
    if (x.isAtom()) {
      if (auto p = primKeyword(x.text)) return *p;
      if (unsupportedFeature(x.text)) unsupported(x);
      fail(x, "unexpected token `" + x.text + "`, expected a type");
    }
    if (!x.isList() || x.items.empty() || !x.items[0].isAtom()) fail(x, "expected a type");
    const std::string& h = x.items[0].text;
    if (h == "record") {
      RecordType r;
      for (size_t i = 1; i < x.items.size(); ++i) {
        const SExpr& f = x.items[i];
        if (!f.is("field") || f.items.size() != 3) fail(f, "expected (field \"name\" type)");
        r.fields.push_back(LabeledValType{name(f.items[1]), valType(s, f.items[2])});
      }
      return r;
    }
    if (h == "variant") {
      VariantType v;
      std::set<std::string> caseIds;
      for (size_t i = 1; i < x.items.size(); ++i) {
        const SExpr& c = x.items[i];
        if (!c.is("case")) fail(c, "expected (case \"name\" type?)");
        size_t j = 1;
        if (const SExpr* caseId = optId(c, j)) {
          if (!caseIds.insert(caseId->text).second) {
            fail(*caseId, "duplicate variant case identifier `" + caseId->text + "`");
          }
        }
        VariantCase vc;
        vc.label = name(item(c, j, "a case name"));
        ++j;
        if (j < c.items.size() && c.items[j].is("refines"))
          fail(c.items[j], "`refines` is not supported");
        if (j < c.items.size()) {
          vc.type = valType(s, c.items[j]);
          ++j;
          if (j < c.items.size() && c.items[j].is("refines")) {
            fail(c.items[j], "`refines` is not supported");
          }
        }
        expectEnd(c, j);
        v.cases.push_back(std::move(vc));
      }
      return v;
    }
    if (h == "list") {
      if (x.items.size() == 3) fail(x.items[2], "fixed-length lists are not supported (post-0.2)");
      if (x.items.size() != 2) fail(x, "expected (list type)");
      return ListType{valType(s, x.items[1])};
    }
    if (h == "tuple") {
      TupleType t;
      for (size_t i = 1; i < x.items.size(); ++i) t.types.push_back(valType(s, x.items[i]));
      return t;
    }
    if (h == "flags") return FlagsType{labels(x, 1)};
    if (h == "enum") return EnumType{labels(x, 1)};
    if (h == "option") {
      if (x.items.size() != 2) fail(x, "expected (option type)");
      return OptionType{valType(s, x.items[1])};
    }
    if (h == "result") {
      ResultType r;
      size_t i = 1;
      if (i < x.items.size() && !x.items[i].is("error")) r.ok = valType(s, x.items[i++]);
      if (i < x.items.size()) {
        const SExpr& e = x.items[i];
        if (!e.is("error") || e.items.size() != 2) fail(e, "expected (error type)");
        r.err = valType(s, e.items[1]);
        ++i;
      }
      expectEnd(x, i);
      return r;
    }
    if (h == "own" || h == "borrow") {
      if (x.items.size() != 2) fail(x, "expected (" + h + " type)");
      uint32_t r = resolve(s, Sort::kType, x.items[1]);
      if (h == "own") return OwnType{r};
      return BorrowType{r};
    }
    if (unsupportedFeature(h)) unsupported(x.items[0]);
    fail(x.items[0], "unexpected token `" + h + "`, expected a type");
  }

  // Parameters and result of a function type from list.items[i..end).
  FuncType funcSig(Scope& s, const SExpr& list, size_t i, size_t end) {
    FuncType f;
    for (; i < end; ++i) {
      const SExpr& p = list.items[i];
      if (p.isAtom("async")) unsupported(p);
      if (p.is("param")) {
        if (p.items.size() != 3) fail(p, "expected (param \"name\" type)");
        f.params.push_back(LabeledValType{name(p.items[1]), valType(s, p.items[2])});
      } else if (p.is("result")) {
        if (f.result) fail(p, "a function has at most one result");
        if (p.items.size() == 3 && p.items[1].isString()) {
          fail(p, "named results are not supported (removed before 0.2)");
        }
        if (p.items.size() != 2) fail(p, "expected (result type)");
        f.result = valType(s, p.items[1]);
      } else {
        fail(p, "unexpected token");
      }
    }
    return f;
  }

  // A function type use from list.items[i..end): (type $t) or inline.
  uint32_t funcTypeUse(Scope& s, const SExpr& list, size_t i, size_t end) {
    if (i < end && list.items[i].is("type")) {
      if (list.items[i].items.size() != 2) fail(list.items[i], "expected (type idx)");
      if (i + 1 != end) fail(list.items[i + 1], "unexpected token");
      return resolve(s, Sort::kType, list.items[i].items[1]);
    }
    TypeDef t;
    t.kind = funcSig(s, list, i, end);
    return addType(s, std::move(t), list);
  }

  std::vector<TypeDecl> typeDecls(Scope& s, Scope::Kind kind, const SExpr& list, size_t i,
                                  const SExpr* id) {
    if (s.depth + 1 > kMaxScopeDepth) fail(list, "types nested too deeply");
    std::vector<TypeDecl> decls;
    Scope inner;
    inner.kind = kind;
    inner.parent = &s;
    inner.decls = &decls;
    inner.depth = s.depth + 1;
    if (id) inner.id = id->text;
    for (; i < list.items.size(); ++i) typeDecl(inner, list.items[i]);
    return decls;
  }

  void typeDecl(Scope& s, const SExpr& x) {
    std::string_view h = x.head();
    if (h == "core") {
      if (!item(x, 1, "`type`").isAtom("type")) fail(x.items[1], "unexpected token");
      return coreTypeField(s, x, 2);
    }
    if (h == "type") return typeField(s, x);
    if (h == "alias") return aliasField(s, x);
    if (h == "import" || h == "export") {
      if (h == "import" && s.kind == Scope::Kind::kInstanceType) {
        fail(x, "imports are not allowed in instance types");
      }
      if (x.items.size() != 3) fail(x, "expected (" + std::string(h) + " \"name\" desc)");
      ExternName n = externName(x.items[1]);
      auto [desc, id] = externDesc(s, x.items[2]);
      Sort sort = externKindSort(desc.kind);
      uint32_t idx = h == "import" ? addDecl(s, ImportDecl{n, desc}, sort)
                                   : addDecl(s, ExportDecl{n, desc}, sort);
      bind(s, sort, id, idx);
      return;
    }
    if (x.isList() && !h.empty() && unsupportedFeature(h)) unsupported(x.items[0]);
    fail(x, "unexpected token in a component or instance type");
  }

  TypeDefKind defType(Scope& s, const SExpr& x, const SExpr* id) {
    std::string_view h = x.head();
    if (h == "func") {
      size_t i = 1;
      if (i < x.items.size() && x.items[i].isAtom("async")) unsupported(x.items[i]);
      return funcSig(s, x, i, x.items.size());
    }
    if (h == "component") return ComponentType{typeDecls(s, Scope::Kind::kComponentType, x, 1, id)};
    if (h == "instance") return InstanceType{typeDecls(s, Scope::Kind::kInstanceType, x, 1, id)};
    if (h == "resource") {
      ResourceType r;
      size_t i = 1;
      const SExpr& rep = item(x, i, "(rep i32)");
      if (!rep.is("rep") || rep.items.size() != 2) fail(rep, "expected (rep i32)");
      if (!rep.items[1].isAtom("i32")) {
        // Not representable in the AST: reported as the validator would.
        throw TextError{
            Error(ErrorCode::kValidate,
                  located(name_, rep.items[1], "resources can only be represented by `i32`"))};
      }
      ++i;
      if (i < x.items.size()) {
        const SExpr& d = x.items[i];
        if (!d.is("dtor") || d.items.size() != 2) fail(d, "expected (dtor func)");
        r.dtor = ref(s, Sort::kCoreFunc, d.items[1]);
        ++i;
      }
      expectEnd(x, i);
      return r;
    }
    return defValType(s, x);
  }

  // (type $id? (export "n")* deftype)
  void typeField(Scope& s, const SExpr& f) {
    size_t i = 1;
    const SExpr* id = optId(f, i);
    InlineNames names;
    if (s.component) names = inlineNames(f, i);
    if (names.import) fail(f, "inline imports of types are not supported");
    const SExpr& d = item(f, i, "a type");
    expectEnd(f, i + 1);
    TypeDef t;
    t.kind = defType(s, d, id);
    uint32_t idx = addType(s, std::move(t), f);
    bind(s, Sort::kType, id, idx);
    inlineExports(s, names, Sort::kType, idx, f);
  }

  struct Desc {
    ExternDesc desc;
    const SExpr* id = nullptr;
  };

  Desc externDesc(Scope& s, const SExpr& x) {
    Desc out;
    size_t i = 0;
    Sort sort = sortHead(x, false, i);
    out.id = optId(x, i);
    out.desc = descFrom(s, sort, x, i);
    return out;
  }

  // The description of an item of `sort` from x.items[i..]: a type use or
  // an inline type.
  ExternDesc descFrom(Scope& s, Sort sort, const SExpr& x, size_t i) {
    ExternDesc d;
    switch (sort) {
      case Sort::kCoreModule:
        d.kind = ExternKind::kCoreModule;
        d.typeIndex = moduleTypeUse(s, x, i);
        return d;
      case Sort::kFunc:
        d.kind = ExternKind::kFunc;
        d.typeIndex = funcTypeUse(s, x, i, x.items.size());
        return d;
      case Sort::kComponent:
      case Sort::kInstance: {
        bool component = sort == Sort::kComponent;
        d.kind = component ? ExternKind::kComponent : ExternKind::kInstance;
        if (isTypeUse(x, i)) {
          d.typeIndex = resolve(s, Sort::kType, x.items[i].items[1]);
          return d;
        }
        auto decls = typeDecls(
            s, component ? Scope::Kind::kComponentType : Scope::Kind::kInstanceType, x, i, nullptr);
        TypeDef t;
        if (component) {
          t.kind = ComponentType{std::move(decls)};
        } else {
          t.kind = InstanceType{std::move(decls)};
        }
        d.typeIndex = addType(s, std::move(t), x);
        return d;
      }
      case Sort::kType: {
        d.kind = ExternKind::kType;
        const SExpr& b = item(x, i, "a type bound");
        expectEnd(x, i + 1);
        if (b.is("eq") && b.items.size() == 2) {
          d.bound.kind = TypeBound::Kind::kEq;
          d.bound.index = resolve(s, Sort::kType, b.items[1]);
        } else if (b.is("sub") && b.items.size() == 2 && b.items[1].isAtom("resource")) {
          d.bound.kind = TypeBound::Kind::kSubResource;
        } else {
          fail(b, "expected (eq type) or (sub resource)");
        }
        return d;
      }
      case Sort::kValue:
        fail(x.items[0], "`value` is not supported (component model values, post-0.2)");
      default:
        fail(x, std::string("a ") + sortName(sort) + " cannot be imported or exported");
    }
  }

  // ---- definitions ------------------------------------------------------------------

  // `(KIND $id? (export "n")* (import "n") type-use)`: an import.
  void inlineImport(Scope& s, const SExpr& f, size_t i, const InlineNames& names, Sort sort,
                    const SExpr* id) {
    uint32_t idx = add(s, Import{*names.import, descFrom(s, sort, f, i)}, f);
    bind(s, sort, id, idx);
    inlineExports(s, names, sort, idx, f);
  }

  void nestedComponent(Scope& s, const SExpr& f) {
    size_t i = 1;
    const SExpr* id = optId(f, i);
    InlineNames names = inlineNames(f, i);
    if (names.import) {
      return inlineImport(s, f, i, names, Sort::kComponent, id);
    }
    if (s.depth + 1 > kMaxScopeDepth) fail(f, "components nested too deeply");
    Component child;
    if (i < f.items.size() && f.items[i].isAtom("binary")) {
      auto b = concatStrings(f, i + 1, name_);
      if (!b.ok()) throw TextError{b.error()};
      auto c = decodeComponent(
          std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(b->data()), b->size()), name_);
      if (!c.ok()) throw TextError{c.error()};
      child = std::move(*c);
    } else {
      Scope inner;
      inner.kind = Scope::Kind::kComponent;
      inner.parent = &s;
      inner.component = &child;
      inner.depth = s.depth + 1;
      if (id) inner.id = id->text;
      for (; i < f.items.size(); ++i) componentField(inner, f.items[i]);
    }
    uint32_t idx = add(s, NestedComponent(std::move(child)), f);
    bind(s, Sort::kComponent, id, idx);
    inlineExports(s, names, Sort::kComponent, idx, f);
  }

  void instanceField(Scope& s, const SExpr& f) {
    size_t i = 1;
    const SExpr* id = optId(f, i);
    InlineNames names = inlineNames(f, i);
    if (names.import) {
      return inlineImport(s, f, i, names, Sort::kInstance, id);
    }
    Instance inst;
    if (i < f.items.size() && f.items[i].is("instantiate")) {
      const SExpr& x = f.items[i];
      expectEnd(f, i + 1);
      inst.kind = Instance::Kind::kInstantiate;
      inst.component = ref(s, Sort::kComponent, item(x, 1, "a component"));
      for (size_t j = 2; j < x.items.size(); ++j) {
        const SExpr& w = x.items[j];
        if (!w.is("with") || w.items.size() != 3) fail(w, "expected (with \"name\" item)");
        inst.args.push_back(InstantiateArg{name(w.items[1]), instantiateArg(s, w.items[2])});
      }
    } else if (i < f.items.size() && f.items[i].is("alias")) {
      expectEnd(f, i + 1);
      uint32_t idx = aliasTarget(s, f.items[i], 1, Sort::kInstance);
      bind(s, Sort::kInstance, id, idx);
      inlineExports(s, names, Sort::kInstance, idx, f);
      return;
    } else {
      inst.kind = Instance::Kind::kFromExports;
      inst.exports = exportList<InlineExport>(s, f, i);
    }
    uint32_t idx = add(s, std::move(inst), f);
    bind(s, Sort::kInstance, id, idx);
    inlineExports(s, names, Sort::kInstance, idx, f);
  }

  SortIndex instantiateArg(Scope& s, const SExpr& x) {
    size_t i = 0;
    Sort sort = sortHead(x, false, i);
    if (sort == Sort::kInstance && (i >= x.items.size() || x.items[i].isList())) {
      Instance inst;
      inst.kind = Instance::Kind::kFromExports;
      inst.exports = exportList<InlineExport>(s, x, i);
      return SortIndex{Sort::kInstance, add(s, std::move(inst), x)};
    }
    return SortIndex{sort, resolveRef(s, sort, x, i)};
  }

  // The alias target in list.items[i..] ("export $i \"n\"", "core export ...",
  // "outer $c $t"), adding one index of `sort`.
  uint32_t aliasTarget(Scope& s, const SExpr& list, size_t i, Sort sort) {
    Alias a;
    a.sort = sort;
    const SExpr& kw = item(list, i, "an alias target");
    if (kw.isAtom("core")) {
      if (!item(list, i + 1, "`export`").isAtom("export"))
        fail(list.items[i + 1], "expected `export`");
      if (list.items.size() != i + 4)
        fail(list, "expected (alias core export instance \"name\" ...)");
      a.target = Alias::Target::kCoreInstanceExport;
      a.instance = resolve(s, Sort::kCoreInstance, list.items[i + 2]);
      a.name = name(list.items[i + 3]);
      return addAlias(s, a, list);
    }
    if (kw.isAtom("export")) {
      if (list.items.size() != i + 3) fail(list, "expected (alias export instance \"name\" ...)");
      a.target = Alias::Target::kInstanceExport;
      a.instance = resolve(s, Sort::kInstance, list.items[i + 1]);
      a.name = name(list.items[i + 2]);
      return addAlias(s, a, list);
    }
    if (kw.isAtom("outer")) {
      if (list.items.size() != i + 3) fail(list, "expected (alias outer count index ...)");
      a.target = Alias::Target::kOuter;
      const SExpr& c = list.items[i + 1];
      const SExpr& x = list.items[i + 2];
      Scope* target = nullptr;
      if (c.isId()) {
        uint32_t count = 0;
        for (Scope* p = &s; p; p = p->parent, ++count) {
          if (p->id == c.text) {
            target = p;
            break;
          }
        }
        if (!target) fail(c, "outer component `" + c.text.substr(1) + "` not found");
        a.outerCount = count;
      } else {
        a.outerCount = static_cast<uint32_t>(number(c));
        target = &s;
        for (uint32_t k = 0; k < a.outerCount && target; ++k) target = target->parent;
      }
      if (x.isId()) {
        if (!target) fail(c, "outer count of `" + c.text + "` is too large");
        auto& names = target->names[sortSlot(sort)];
        auto it = names.find(x.text);
        if (it == names.end()) {
          fail(x,
               std::string("unknown ") + sortName(sort) + ": failed to find name `" + x.text + "`");
        }
        a.outerIndex = it->second;
      } else {
        a.outerIndex = static_cast<uint32_t>(number(x));
      }
      return addAlias(s, a, list);
    }
    fail(kw, "expected `export`, `core export` or `outer`");
  }

  // (alias TARGET (SORT $id?))
  void aliasField(Scope& s, const SExpr& f) {
    const SExpr& spec = f.items.back();
    if (f.items.size() < 3) fail(f, "expected (alias ... (sort $id?))");
    size_t i = 0;
    Sort sort = sortHead(spec, false, i);
    const SExpr* id = optId(spec, i);
    expectEnd(spec, i);
    SExpr target = f;
    target.items.pop_back();
    uint32_t idx = aliasTarget(s, target, 1, sort);
    bind(s, sort, id, idx);
  }

  // The item of a canonical option: `(memory $m)`, `(memory (core memory
  // ...))`, or the legacy `(memory $i "name")`.
  uint32_t optionRef(Scope& s, Sort sort, const SExpr& o) {
    if (o.items.size() == 2) return ref(s, sort, o.items[1]);
    return resolveRef(s, sort, o, 1);
  }

  std::vector<CanonOption> canonOptions(Scope& s, const SExpr& list, size_t i, size_t end) {
    std::vector<CanonOption> out;
    for (; i < end; ++i) {
      const SExpr& o = list.items[i];
      CanonOption opt;
      if (o.isAtom()) {
        if (o.text == "string-encoding=utf8") {
          opt.kind = CanonOption::Kind::kUtf8;
        } else if (o.text == "string-encoding=utf16") {
          opt.kind = CanonOption::Kind::kUtf16;
        } else if (o.text == "string-encoding=latin1+utf16") {
          opt.kind = CanonOption::Kind::kLatin1Utf16;
        } else if (unsupportedFeature(o.text)) {
          unsupported(o);
        } else {
          fail(o, "unknown canonical option `" + o.text + "`");
        }
      } else if (o.is("memory") && o.items.size() >= 2) {
        opt.kind = CanonOption::Kind::kMemory;
        opt.index = optionRef(s, Sort::kCoreMemory, o);
      } else if (o.is("realloc") && o.items.size() >= 2) {
        opt.kind = CanonOption::Kind::kRealloc;
        opt.index = optionRef(s, Sort::kCoreFunc, o);
      } else if (o.is("post-return") && o.items.size() >= 2) {
        opt.kind = CanonOption::Kind::kPostReturn;
        opt.index = optionRef(s, Sort::kCoreFunc, o);
      } else if (o.isList() && !o.head().empty() && unsupportedFeature(o.head())) {
        unsupported(o.items[0]);
      } else {
        fail(o, "unknown canonical option");
      }
      out.push_back(opt);
    }
    return out;
  }

  // The canon definition in c.items[1..end) ("lift ...", "lower ...",
  // "resource.new $r"); for lift, `typeIndex` is the function type.
  Canon canonBody(Scope& s, const SExpr& c, size_t end, uint32_t typeIndex) {
    const SExpr& kw = item(c, 1, "a canonical function");
    if (!kw.isAtom()) fail(kw, "expected a canonical function");
    Canon out;
    if (kw.text == "lift") {
      out.kind = Canon::Kind::kLift;
      out.func = ref(s, Sort::kCoreFunc, item(c, 2, "a core function"));
      out.type = typeIndex;
      out.options = canonOptions(s, c, 3, end);
      return out;
    }
    if (kw.text == "lower") {
      out.kind = Canon::Kind::kLower;
      out.func = ref(s, Sort::kFunc, item(c, 2, "a function"));
      out.options = canonOptions(s, c, 3, end);
      return out;
    }
    if (kw.text == "resource.new" || kw.text == "resource.drop" || kw.text == "resource.rep") {
      out.kind = kw.text == "resource.new"    ? Canon::Kind::kResourceNew
                 : kw.text == "resource.drop" ? Canon::Kind::kResourceDrop
                                              : Canon::Kind::kResourceRep;
      out.type = ref(s, Sort::kType, item(c, 2, "a resource type"));
      for (size_t i = 3; i < end; ++i) {
        if (c.items[i].isAtom("async")) unsupported(c.items[i]);
        fail(c.items[i], "unexpected token");
      }
      return out;
    }
    if (unsupportedFeature(kw.text)) unsupported(kw);
    fail(kw, "unknown canonical function `" + kw.text + "`");
  }

  // (canon lift ... (func $id? typeuse)) | (canon lower ... (core func $id?)) | ...
  void canonField(Scope& s, const SExpr& f) {
    if (f.items.size() < 3) fail(f, "expected (canon ...)");
    const SExpr& decl = f.items.back();
    size_t i = 0;
    Sort sort = sortHead(decl, false, i);
    const SExpr* id = optId(decl, i);
    uint32_t typeIndex = 0;
    if (f.items[1].isAtom("lift")) {
      if (sort != Sort::kFunc) fail(decl, "expected (func $id? type)");
      typeIndex = funcTypeUse(s, decl, i, decl.items.size());
    } else {
      if (sort != Sort::kCoreFunc) fail(decl, "expected (core func $id?)");
      expectEnd(decl, i);
    }
    Canon c = canonBody(s, f, f.items.size() - 1, typeIndex);
    uint32_t idx = add(s, std::move(c), f);
    bind(s, sort, id, idx);
  }

  // (func $id? (export "n")* (import "n")? ...)
  void funcField(Scope& s, const SExpr& f) {
    size_t i = 1;
    const SExpr* id = optId(f, i);
    InlineNames names = inlineNames(f, i);
    if (i < f.items.size() && f.items[i].isAtom("async")) unsupported(f.items[i]);
    if (names.import) {
      return inlineImport(s, f, i, names, Sort::kFunc, id);
    }
    uint32_t idx;
    if (i < f.items.size() && f.items[i].is("alias")) {
      expectEnd(f, i + 1);
      idx = aliasTarget(s, f.items[i], 1, Sort::kFunc);
    } else {
      const SExpr& c = f.items.back();
      if (f.items.size() <= i || !c.is("canon")) fail(f, "expected (canon lift ...)");
      if (!item(c, 1, "lift").isAtom("lift")) fail(c.items[1], "expected `lift`");
      uint32_t type = funcTypeUse(s, f, i, f.items.size() - 1);
      idx = add(s, canonBody(s, c, c.items.size(), type), f);
    }
    bind(s, Sort::kFunc, id, idx);
    inlineExports(s, names, Sort::kFunc, idx, f);
  }

  // (core func $id? (canon ...)) | (core func $id? (alias core export ...))
  void coreFunc(Scope& s, const SExpr& f) {
    size_t i = 2;
    const SExpr* id = optId(f, i);
    const SExpr& body = item(f, i, "(canon ...) or (alias ...)");
    expectEnd(f, i + 1);
    uint32_t idx;
    if (body.is("alias")) {
      idx = aliasTarget(s, body, 1, Sort::kCoreFunc);
    } else if (body.is("canon")) {
      if (item(body, 1, "a canonical function").isAtom("lift")) {
        fail(body.items[1], "`canon lift` defines a component function, not a core function");
      }
      idx = add(s, canonBody(s, body, body.items.size(), 0), f);
    } else {
      fail(body, "expected (canon ...) or (alias ...)");
    }
    bind(s, Sort::kCoreFunc, id, idx);
  }

  void startField(Scope& s, const SExpr& f) {
    if (s.hasStart) fail(f, "component cannot have more than one start function");
    s.hasStart = true;
    Start st;
    st.func = ref(s, Sort::kFunc, item(f, 1, "a function"));
    for (size_t i = 2; i < f.items.size(); ++i) {
      const SExpr& x = f.items[i];
      if (x.is("value") && x.items.size() == 2) {
        st.args.push_back(resolve(s, Sort::kValue, x.items[1]));
      } else if (x.is("result")) {
        ++st.results;
      } else {
        fail(x, "unexpected token");
      }
    }
    add(s, std::move(st), f);
  }

  void importField(Scope& s, const SExpr& f) {
    if (f.items.size() != 3) fail(f, "expected (import \"name\" desc)");
    ExternName n = externName(f.items[1]);
    auto [desc, id] = externDesc(s, f.items[2]);
    uint32_t idx = add(s, Import{n, desc}, f);
    bind(s, externKindSort(desc.kind), id, idx);
  }

  // (export $id? "name" sortidx externdesc?)
  void exportField(Scope& s, const SExpr& f) {
    size_t i = 1;
    const SExpr* id = optId(f, i);
    Export e;
    e.name = externName(item(f, i, "an export name"));
    ++i;
    e.item = sortIdx(s, item(f, i, "an item"), false);
    ++i;
    if (i < f.items.size()) {
      e.ascribed = externDesc(s, f.items[i]).desc;
      ++i;
    }
    expectEnd(f, i);
    Sort sort = e.item.sort;
    uint32_t idx = add(s, std::move(e), f);
    bind(s, sort, id, idx);
  }

  std::string_view source_;
  std::string name_;
};

}  // namespace

Result<Component> readComponentFields(const SExpr& list, size_t first, std::string_view source,
                                      const std::string& name) {
  try {
    Converter c(source, name);
    return c.run(list, first);
  } catch (TextError& e) {
    return std::move(e.error);
  }
}

}  // namespace text

Result<Component> parseComponentText(std::string_view source, const std::string& name) {
  auto exprs = text::readSExprs(source, name);
  if (!exprs.ok()) return exprs.error();
  if (exprs->size() != 1 || !(*exprs)[0].is("component")) {
    return Error(ErrorCode::kDecode, name + ": expected exactly one (component ...) form");
  }
  const text::SExpr& c = (*exprs)[0];
  size_t first = 1;
  if (first < c.items.size() && c.items[first].isId()) ++first;
  if (first < c.items.size() && c.items[first].isAtom("binary")) {
    auto b = text::concatStrings(c, first + 1, name);
    if (!b.ok()) return b.error();
    return decodeComponent(
        std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(b->data()), b->size()), name);
  }
  return text::readComponentFields(c, first, source, name);
}

Result<std::vector<uint8_t>> componentTextToBinary(std::string_view source,
                                                   const std::string& name) {
  auto c = parseComponentText(source, name);
  if (!c.ok()) return c.error();
  return encodeComponent(*c);
}

}  // namespace compono::component
