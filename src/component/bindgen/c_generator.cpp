// C bindings: the driver that walks the world and assembles `<world>.h` and
// `<world>.c`.
#include "component/bindgen/c_generator.h"

#include <cstdio>

#include "compono/component/componentize.h"

namespace compono::component::bindgen {

using wit::Type;

CGenerator::CGenerator(const wit::Model& model, wit::WorldId world, const COptions& options)
    : model_(model), worldId_(world), world_(model.worlds[world]), options_(options), tv_(model) {
  w_ = options.prefix.empty() ? snakeCase(world_.name) : options.prefix;
}

namespace {

std::string itemLabel(const wit::Model& model, const wit::WorldItem& item) {
  if (item.kind == wit::WorldItemKind::kInterface) {
    auto name = item.keyedByInterface() ? model.interfaceName(item.interface) : std::nullopt;
    return "interface `" + (name ? *name : item.name) + "`";
  }
  return "function `" + item.name + "`";
}

const char* kNamingDoc =
    "// Naming (W = the world prefix, P = an interface prefix):\n"
    "//  - An imported interface ns:pkg/iface has the prefix ns_pkg_iface; an exported one\n"
    "//    exports_ns_pkg_iface; world-level functions W (imports) and exports_W (exports).\n"
    "//    Names are snake_case; C keywords get a trailing underscore.\n"
    "//  - A named type `t` of an interface is P_t_t; anonymous types are W_list_u8_t,\n"
    "//    W_option_u32_t, W_result_s32_string_t, W_tuple2_f64_f64_t, ...; strings are\n"
    "//    W_string_t (UTF-8, not NUL-terminated). Enum cases and variant tags are macros\n"
    "//    P_T_CASE; flags are bit masks P_T_FLAG.\n"
    "//  - Functions: P_f, P_constructor_r, P_method_r_f, P_static_r_f.\n"
    "//  - Resources: P_own_r_t and P_borrow_r_t are handles. For an exported resource you\n"
    "//    define `struct P_r_t`; P_borrow_r_t is then a `P_r_t *`, P_r_new() makes a handle\n"
    "//    and P_r_destructor() (yours) frees the representation.\n"
    "//\n"
    "// Calling convention:\n"
    "//  - Scalars (numbers, bool, char, enums, flags, handles) pass by value, everything\n"
    "//    else by pointer. A `result<T, E>` result returns true for ok and writes `*ret`\n"
    "//    (T) or `*err` (E); an `option<T>` result returns true for some and writes `*ret`;\n"
    "//    other compound results are written to `*ret`.\n"
    "//\n"
    "// Ownership:\n"
    "//  - Exports (you implement them): arguments are yours; free them with the `_free`\n"
    "//    functions (W_string_free, P_t_free, ...) when done. Results are given away: strings\n"
    "//    and lists you return must come from malloc (W_string_dup) and are freed by the\n"
    "//    glue after the caller has copied them. Borrowed handles of imported resources are\n"
    "//    dropped by the glue when your function returns.\n"
    "//  - Imports (you call them): arguments are only borrowed for the call; results are\n"
    "//    yours (free them with the `_free` functions).\n";

std::string hexBytes(const std::vector<uint8_t>& bytes, size_t from, size_t count) {
  std::string s;
  char buf[8];
  for (size_t i = from; i < from + count && i < bytes.size(); ++i) {
    std::snprintf(buf, sizeof(buf), "%s0x%02x", i == from ? "" : ",", bytes[i]);
    s += buf;
  }
  return s;
}

}  // namespace

Result<CBindings> CGenerator::run() {
  COMPONO_TRY(assignPrefixes());

  // What the world contains, in order: imports, then exports.
  std::vector<FuncSite> imports, exports;
  auto collect = [&](const wit::WorldItem& item, bool isExport) -> Status {
    std::string label = itemLabel(model_, item);
    if (item.kind == wit::WorldItemKind::kType) {
      COMPONO_TRY(
          checkSupported(Type::def(item.type), "type `" + model_.types[item.type].name + "`"));
      defineTypeDef(item.type);
      return okStatus();
    }
    std::vector<FuncSite> sites;
    if (item.kind == wit::WorldItemKind::kFunction) {
      FuncSite s;
      s.func = &item.function;
      s.prefix = isExport ? "exports_" + w_ : w_;
      s.worldLevel = true;
      s.where = label;
      sites.push_back(s);
    } else {
      const wit::Interface& iface = model_.interfaces[item.interface];
      for (wit::TypeId t : iface.types) {
        COMPONO_TRY(checkSupported(Type::def(t), label + ", type `" + model_.types[t].name + "`"));
        defineTypeDef(t);
      }
      for (const wit::Function& f : iface.functions) {
        FuncSite s;
        s.func = &f;
        // An interface both imported and exported keeps one set of C types
        // (the import's); its exported functions get the exports_ prefix.
        s.prefix = ifacePrefix_[item.interface];
        if (isExport && importedIfaces_.count(item.interface)) s.prefix = "exports_" + s.prefix;
        s.module = ifaceModule_[item.interface];
        s.where = label;
        sites.push_back(s);
      }
    }
    for (FuncSite& s : sites) {
      std::string where = s.where + ", function `" + s.func->name + "`";
      if (s.func->isAsync) {
        return Error(ErrorCode::kComponent,
                     where + ": async functions cannot be used from C yet (post-0.2 feature)");
      }
      for (const auto& p : s.func->params) {
        COMPONO_TRY(checkSupported(p.type, where));
        defineType(p.type);
      }
      if (s.func->result) {
        COMPONO_TRY(checkSupported(*s.func->result, where));
        defineType(*s.func->result);
      }
      (isExport ? exports : imports).push_back(s);
    }
    return okStatus();
  };
  for (const wit::WorldItem& item : world_.imports) COMPONO_TRY(collect(item, false));
  for (const wit::WorldItem& item : world_.exports) COMPONO_TRY(collect(item, true));

  for (const FuncSite& s : imports) emitImport(s);
  for (const FuncSite& s : exports) emitExport(s);

  std::string guard = "COMPONO_BINDINGS_" + upperCase(w_) + "_H";
  const wit::Package& pkg = model_.packages[world_.package];
  std::string worldFull = pkg.name.ns + ":" + pkg.name.name + "/" + world_.name +
                          (pkg.name.version ? "@" + pkg.name.version->toString() : "");

  // ---- the header ----
  std::string h;
  h += "// " + w_ + ".h — C bindings of the WIT world `" + worldFull + "`.\n";
  h += "// Generated by `compono bindgen c`; do not edit.\n//\n";
  h += kNamingDoc;
  h += "\n#ifndef " + guard + "\n#define " + guard + "\n\n";
  h += "#include <stdbool.h>\n#include <stddef.h>\n#include <stdint.h>\n\n";
  h += "#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n";
  if (!world_.meta.docs.empty()) {
    Code docs;
    emitDocs(docs, world_.meta.docs);
    h += docs.text() + "\n";
  }
  h += "// ---- types ----\n\n";
  h += "// A UTF-8 string (not NUL-terminated).\n";
  h += "typedef struct " + w_ + "_string_t {\n  uint8_t *ptr;\n  size_t len;\n} " + w_ +
       "_string_t;\n\n";
  h += types_.text();
  if (!resourceDecls_.text().empty()) h += "// ---- resources ----\n\n" + resourceDecls_.text();
  if (!importDecls_.text().empty()) {
    h += "// ---- imports: functions you can call ----\n\n" + importDecls_.text();
  }
  if (!exportDecls_.text().empty()) {
    h += "// ---- exports: functions you implement ----\n\n" + exportDecls_.text();
  }
  h += "// ---- helpers ----\n\n";
  h += "// Points `ret` at the NUL-terminated `s` (no copy: do not return it from an export).\n";
  h += "void " + w_ + "_string_set(" + w_ + "_string_t *ret, const char *s);\n";
  h += "// Copies the NUL-terminated `s` into memory from malloc.\n";
  h += "void " + w_ + "_string_dup(" + w_ + "_string_t *ret, const char *s);\n";
  h += "// Frees the memory of a string from malloc (or from a call) and empties it.\n";
  h += "void " + w_ + "_string_free(" + w_ + "_string_t *ret);\n";
  h += freeDecls_.text();
  h += "\n#ifdef __cplusplus\n}\n#endif\n\n#endif  // " + guard + "\n";

  // ---- the source ----
  std::string s;
  s += "// " + w_ + ".c — canonical ABI glue for the WIT world `" + worldFull + "`.\n";
  s += "// Generated by `compono bindgen c`; do not edit.\n\n";
  s += "#include \"" + w_ + ".h\"\n\n#include <stdlib.h>\n#include <string.h>\n\n";
  s += "// Bit casts between the core types of joined variant payloads (CanonicalABI.md).\n";
  s += "__attribute__((unused)) static inline int32_t _cb_f32_to_i32(float f) {\n  int32_t i;\n  "
       "memcpy(&i, &f, 4);\n  return i;\n}\n";
  s += "__attribute__((unused)) static inline float _cb_i32_to_f32(int32_t i) {\n  float f;\n  "
       "memcpy(&f, &i, 4);\n  return f;\n}\n";
  s += "__attribute__((unused)) static inline int64_t _cb_f64_to_i64(double f) {\n  int64_t i;\n  "
       "memcpy(&i, &f, 8);\n  return i;\n}\n";
  s += "__attribute__((unused)) static inline double _cb_i64_to_f64(int64_t i) {\n  double f;\n  "
       "memcpy(&f, &i, 8);\n  return f;\n}\n\n";
  s += "// The allocator the host uses to pass strings and lists in. Weak: a guest may\n";
  s += "// define its own.\n";
  s += "__attribute__((__weak__, __export_name__(\"cabi_realloc\")))\n";
  s += "void *cabi_realloc(void *ptr, size_t old_size, size_t align, size_t new_size) {\n";
  s += "  (void)old_size;\n";
  s += "  if (new_size == 0) {\n    return (void *)align;\n  }\n";
  s += "  void *ret = realloc(ptr, new_size);\n";
  s += "  if (!ret) {\n    abort();\n  }\n";
  s += "  return ret;\n}\n\n";
  s += "void " + w_ + "_string_set(" + w_ + "_string_t *ret, const char *s) {\n";
  s += "  ret->ptr = (uint8_t *)s;\n  ret->len = strlen(s);\n}\n\n";
  s += "void " + w_ + "_string_dup(" + w_ + "_string_t *ret, const char *s) {\n";
  s += "  ret->len = strlen(s);\n  ret->ptr = (uint8_t *)malloc(ret->len > 0 ? ret->len : 1);\n";
  s += "  if (!ret->ptr) {\n    abort();\n  }\n";
  s += "  memcpy(ret->ptr, s, ret->len);\n}\n\n";
  s += "void " + w_ + "_string_free(" + w_ + "_string_t *ret) {\n";
  s +=
      "  if (ret->len > 0) {\n    free(ret->ptr);\n  }\n  ret->ptr = NULL;\n  ret->len = 0;\n}\n\n";
  s += "// The C types have the canonical ABI layouts (wasm32).\n";
  s += "_Static_assert(sizeof(" + w_ + "_string_t) == 8 && _Alignof(" + w_ +
       "_string_t) == 4, \"string layout\");\n";
  for (const std::string& a : staticAsserts_) s += a + "\n";
  s += "\n";
  if (needBorrowHelpers_) {
    s += "// Borrowed handles an export received, dropped when it returns.\n";
    s += "typedef struct _cb_borrow_t {\n  int32_t handle;\n  void (*drop)(int32_t);\n} "
         "_cb_borrow_t;\n";
    s += "typedef struct _cb_borrows_t {\n  _cb_borrow_t *ptr;\n  size_t len;\n  size_t cap;\n} "
         "_cb_borrows_t;\n\n";
    s += "static void _cb_borrow_push(_cb_borrows_t *b, int32_t handle, void (*drop)(int32_t)) {\n";
    s += "  if (b->len == b->cap) {\n";
    s += "    b->cap = b->cap ? 2 * b->cap : 4;\n";
    s += "    b->ptr = (_cb_borrow_t *)realloc(b->ptr, b->cap * sizeof(_cb_borrow_t));\n";
    s += "    if (!b->ptr) {\n      abort();\n    }\n  }\n";
    s += "  b->ptr[b->len].handle = handle;\n  b->ptr[b->len].drop = drop;\n  b->len++;\n}\n\n";
    s += "static void _cb_borrows_drop(_cb_borrows_t *b) {\n";
    s += "  for (size_t i = 0; i < b->len; i++) {\n    b->ptr[i].drop(b->ptr[i].handle);\n  }\n";
    s += "  free(b->ptr);\n}\n\n";
  }
  s += freeDefs_.text();
  if (retAreaSize_ > 0) {
    s += "// Results that do not fit in one core value are returned through this area.\n";
    s += "static _Alignas(8) uint8_t _cb_ret_area[" + std::to_string(retAreaSize_) + "];\n\n";
  }
  s += source_.text();

  if (options_.componentType) {
    COMPONO_ASSIGN(std::vector<uint8_t> bytes, componentize::encodeWorldType(model_, worldId_));
    std::string section = "component-type:" + world_.name;
    s += "// The world this module implements, as a custom section (" +
         std::to_string(bytes.size()) + " bytes): `compono\n";
    s += "// componentize` reads it. Top-level asm because clang 14 puts a variable with\n";
    s += "// __attribute__((section(\".custom_section...\"))) in a data segment.\n";
    s += "__asm__(\".section \\\".custom_section." + section + "\\\",\\\"\\\",@\\n\"\n";
    for (size_t i = 0; i < bytes.size(); i += 24) {
      s += "        \".byte " + hexBytes(bytes, i, 24) + "\\n\"\n";
    }
    s += "        \".text\\n\");\n";
  }

  CBindings out;
  out.headerName = w_ + ".h";
  out.header = std::move(h);
  out.sourceName = w_ + ".c";
  out.source = std::move(s);
  return out;
}

Result<CBindings> generateC(const wit::Model& model, wit::WorldId world, const COptions& options) {
  if (world >= model.worlds.size()) return Error(ErrorCode::kUsage, "no such world");
  CGenerator gen(model, world, options);
  return gen.run();
}

}  // namespace compono::component::bindgen
