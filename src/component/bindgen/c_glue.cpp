// C bindings: lifting and lowering between C values and core values, the
// export glue, import wrappers and resource intrinsics.
//
// Spec: CanonicalABI.md "Flattening" (flatten_functype, MAX_FLAT_PARAMS = 16,
// MAX_FLAT_RESULTS = 1), "lift_flat"/"lower_flat" and CoerceValueIter for
// variant payloads. Values in memory are copied with memcpy: the C types
// have the canonical layouts (c_generator.h).
#include <algorithm>
#include <type_traits>

#include "component/bindgen/c_generator.h"

namespace compono::component::bindgen {

using engine::ValType;
using wit::Primitive;
using wit::Type;

namespace {

// The expression `have` (at a joined flat position) as the type a case wants.
Flat coerceIn(const Flat& have, ValType want) {
  if (have.type == want) return have;
  std::string e = have.expr;
  if (have.type == ValType::kI32 && want == ValType::kF32)
    return {"_cb_i32_to_f32(" + e + ")", want};
  if (have.type == ValType::kI64) {
    if (want == ValType::kI32) return {"(int32_t)(" + e + ")", want};
    if (want == ValType::kF32) return {"_cb_i32_to_f32((int32_t)(" + e + "))", want};
    if (want == ValType::kF64) return {"_cb_i64_to_f64(" + e + ")", want};
  }
  return have;  // unreachable for well-formed flattenings
}

// A case's own flat value as the joined type of its position.
std::string coerceOut(const Flat& v, ValType want) {
  if (v.type == want) return v.expr;
  if (want == ValType::kI32) return "_cb_f32_to_i32(" + v.expr + ")";
  if (want == ValType::kI64) {
    if (v.type == ValType::kI32) return "(int64_t)(uint32_t)(" + v.expr + ")";
    if (v.type == ValType::kF32) return "(int64_t)(uint32_t)_cb_f32_to_i32(" + v.expr + ")";
    if (v.type == ValType::kF64) return "_cb_f64_to_i64(" + v.expr + ")";
  }
  return v.expr;
}

std::string joinArgs(const std::vector<std::string>& args) {
  std::string s;
  for (size_t i = 0; i < args.size(); ++i) {
    if (i) s += ", ";
    s += args[i];
  }
  return s;
}

std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

uint32_t alignTo(uint32_t x, uint32_t a) { return (x + a - 1) / a * a; }

}  // namespace

std::string CGenerator::tmp(const std::string& stem) {
  return "_" + stem + std::to_string(tmpCounter_++);
}

// ---- flat lifting: core values -> a C value ------------------------------------

void CGenerator::liftFlat(Code& code, Type t, const std::vector<Flat>& in, size_t& pos,
                          const std::string& dest) {
  Type n = norm(t);
  auto next = [&]() -> const Flat& { return in[pos++]; };
  if (n.isPrimitive()) {
    if (n.primitive == Primitive::kString) {
      const Flat& p = next();
      const Flat& l = next();
      code.line(dest + ".ptr = (uint8_t *)(uintptr_t)(" + p.expr + ");");
      code.line(dest + ".len = (size_t)(" + l.expr + ");");
      return;
    }
    const Flat& v = next();
    if (n.primitive == Primitive::kBool) {
      code.line(dest + " = (" + v.expr + ") != 0;");
    } else {
      code.line(dest + " = (" + typeName(n) + ")(" + v.expr + ");");
    }
    return;
  }
  const wit::TypeDef& td = model_.types[n.id];
  std::visit(
      [&](const auto& k) {
        using K = std::decay_t<decltype(k)>;
        if constexpr (std::is_same_v<K, wit::RecordType>) {
          for (const auto& f : k.fields)
            liftFlat(code, f.type, in, pos, dest + "." + cIdentifier(f.name));
        } else if constexpr (std::is_same_v<K, wit::TupleType>) {
          for (size_t i = 0; i < k.types.size(); ++i) {
            liftFlat(code, k.types[i], in, pos, dest + ".f" + std::to_string(i));
          }
        } else if constexpr (std::is_same_v<K, wit::ListType>) {
          const Flat& p = next();
          const Flat& l = next();
          code.line(dest + ".ptr = (" + typeName(k.element) + " *)(uintptr_t)(" + p.expr + ");");
          code.line(dest + ".len = (size_t)(" + l.expr + ");");
        } else if constexpr (std::is_same_v<K, wit::FlagsType>) {
          if (k.flags.size() <= 32) {
            code.line(dest + " = (" + typeName(n) + ")(" + next().expr + ");");
          } else {
            for (size_t i = 0; i < (k.flags.size() + 31) / 32; ++i) {
              code.line(dest + ".flags[" + std::to_string(i) + "] = (uint32_t)(" + next().expr +
                        ");");
            }
          }
        } else if constexpr (std::is_same_v<K, wit::EnumType>) {
          code.line(dest + " = (" + typeName(n) + ")(" + next().expr + ");");
        } else if constexpr (std::is_same_v<K, wit::HandleType>) {
          wit::TypeId r = model_.resourceOf(n.id);
          if (k.kind == wit::HandleKind::kBorrow && r != wit::kNoId && isExportedResource(r)) {
            code.line(dest + " = (" + typeName(n) + ")(uintptr_t)(" + next().expr + ");");
          } else {
            code.line(dest + ".__handle = " + next().expr + ";");
          }
        } else if constexpr (std::is_same_v<K, wit::VariantType> ||
                             std::is_same_v<K, wit::OptionType> ||
                             std::is_same_v<K, wit::ResultType>) {
          std::vector<ValType> flat;
          tv_.flatten(n, flat);
          std::vector<ValType> joined(flat.begin() + 1, flat.end());
          std::string disc = tmp("d");
          code.line("int32_t " + disc + " = " + next().expr + ";");
          size_t base = pos;
          pos += joined.size();
          // Lifts one case's payload from the joined positions.
          auto payload = [&](Type pt, const std::string& pdest) {
            std::vector<ValType> want;
            tv_.flatten(norm(pt), want);
            std::vector<Flat> view;
            for (size_t i = 0; i < want.size(); ++i)
              view.push_back(coerceIn(in[base + i], want[i]));
            size_t p = 0;
            liftFlat(code, pt, view, p, pdest);
          };
          if constexpr (std::is_same_v<K, wit::VariantType>) {
            code.line(dest + ".tag = (" +
                      std::string(k.cases.size() <= 256     ? "uint8_t"
                                  : k.cases.size() <= 65536 ? "uint16_t"
                                                            : "uint32_t") +
                      ")" + disc + ";");
            bool any = std::any_of(k.cases.begin(), k.cases.end(),
                                   [](const wit::Case& c) { return c.type.has_value(); });
            if (any) {
              emitCaseSwitch(
                  code, disc, k.cases.size(), [&](size_t i) { return k.cases[i].type.has_value(); },
                  [&](size_t i) {
                    payload(*k.cases[i].type, dest + ".val." + cIdentifier(k.cases[i].name));
                  });
            }
          } else if constexpr (std::is_same_v<K, wit::OptionType>) {
            code.line(dest + ".is_some = " + disc + " != 0;");
            code.block("if (" + dest + ".is_some) {", [&] { payload(k.type, dest + ".val"); });
          } else {
            code.line(dest + ".is_err = " + disc + " != 0;");
            if (k.ok) {
              code.block("if (!" + dest + ".is_err) {", [&] { payload(*k.ok, dest + ".val.ok"); });
            }
            if (k.err) {
              code.block("if (" + dest + ".is_err) {", [&] { payload(*k.err, dest + ".val.err"); });
            }
          }
        }
      },
      td.kind);
}

// ---- flat lowering: a C value -> core values ---------------------------------------

void CGenerator::lowerFlat(Code& code, Type t, const std::string& src, std::vector<Flat>& out) {
  Type n = norm(t);
  if (n.isPrimitive()) {
    switch (n.primitive) {
      case Primitive::kString:
        out.push_back({"(int32_t)(uintptr_t)(" + src + ").ptr", ValType::kI32});
        out.push_back({"(int32_t)(" + src + ").len", ValType::kI32});
        return;
      case Primitive::kS64:
      case Primitive::kU64:
        out.push_back({"(int64_t)(" + src + ")", ValType::kI64});
        return;
      case Primitive::kF32:
        out.push_back({src, ValType::kF32});
        return;
      case Primitive::kF64:
        out.push_back({src, ValType::kF64});
        return;
      default:
        out.push_back({"(int32_t)(" + src + ")", ValType::kI32});
        return;
    }
  }
  const wit::TypeDef& td = model_.types[n.id];
  std::visit(
      [&](const auto& k) {
        using K = std::decay_t<decltype(k)>;
        if constexpr (std::is_same_v<K, wit::RecordType>) {
          for (const auto& f : k.fields)
            lowerFlat(code, f.type, "(" + src + ")." + cIdentifier(f.name), out);
        } else if constexpr (std::is_same_v<K, wit::TupleType>) {
          for (size_t i = 0; i < k.types.size(); ++i) {
            lowerFlat(code, k.types[i], "(" + src + ").f" + std::to_string(i), out);
          }
        } else if constexpr (std::is_same_v<K, wit::ListType>) {
          out.push_back({"(int32_t)(uintptr_t)(" + src + ").ptr", ValType::kI32});
          out.push_back({"(int32_t)(" + src + ").len", ValType::kI32});
        } else if constexpr (std::is_same_v<K, wit::FlagsType>) {
          if (k.flags.size() <= 32) {
            out.push_back({"(int32_t)(" + src + ")", ValType::kI32});
          } else {
            for (size_t i = 0; i < (k.flags.size() + 31) / 32; ++i) {
              out.push_back(
                  {"(int32_t)(" + src + ").flags[" + std::to_string(i) + "]", ValType::kI32});
            }
          }
        } else if constexpr (std::is_same_v<K, wit::EnumType>) {
          out.push_back({"(int32_t)(" + src + ")", ValType::kI32});
        } else if constexpr (std::is_same_v<K, wit::HandleType>) {
          wit::TypeId r = model_.resourceOf(n.id);
          if (k.kind == wit::HandleKind::kBorrow && r != wit::kNoId && isExportedResource(r)) {
            out.push_back({"(int32_t)(uintptr_t)(" + src + ")", ValType::kI32});
          } else {
            out.push_back({"(" + src + ").__handle", ValType::kI32});
          }
        } else if constexpr (std::is_same_v<K, wit::VariantType> ||
                             std::is_same_v<K, wit::OptionType> ||
                             std::is_same_v<K, wit::ResultType>) {
          std::vector<ValType> flat;
          tv_.flatten(n, flat);
          std::vector<ValType> joined(flat.begin() + 1, flat.end());
          std::string disc = tmp("d");
          std::vector<std::string> slots;
          for (ValType j : joined) {
            slots.push_back(tmp("v"));
            code.line(std::string(coreCType(j)) + " " + slots.back() + " = 0;");
          }
          // Lowers one case's payload into the joined slots.
          auto payload = [&](Type pt, const std::string& psrc) {
            std::vector<Flat> caseOut;
            lowerFlat(code, pt, psrc, caseOut);
            for (size_t i = 0; i < caseOut.size(); ++i) {
              code.line(slots[i] + " = " + coerceOut(caseOut[i], joined[i]) + ";");
            }
          };
          if constexpr (std::is_same_v<K, wit::VariantType>) {
            code.line("int32_t " + disc + " = (int32_t)(" + src + ").tag;");
            bool any = std::any_of(k.cases.begin(), k.cases.end(),
                                   [](const wit::Case& c) { return c.type.has_value(); });
            if (any) {
              emitCaseSwitch(
                  code, disc, k.cases.size(), [&](size_t i) { return k.cases[i].type.has_value(); },
                  [&](size_t i) {
                    payload(*k.cases[i].type, "(" + src + ").val." + cIdentifier(k.cases[i].name));
                  });
            }
          } else if constexpr (std::is_same_v<K, wit::OptionType>) {
            code.line("int32_t " + disc + " = (" + src + ").is_some ? 1 : 0;");
            code.block("if ((" + src + ").is_some) {",
                       [&] { payload(k.type, "(" + src + ").val"); });
          } else {
            code.line("int32_t " + disc + " = (" + src + ").is_err ? 1 : 0;");
            if (k.ok) {
              code.block("if (!(" + src + ").is_err) {",
                         [&] { payload(*k.ok, "(" + src + ").val.ok"); });
            }
            if (k.err) {
              code.block("if ((" + src + ").is_err) {",
                         [&] { payload(*k.err, "(" + src + ").val.err"); });
            }
          }
          out.push_back({disc, ValType::kI32});
          for (size_t i = 0; i < joined.size(); ++i) out.push_back({slots[i], joined[i]});
        }
      },
      td.kind);
}

// ---- prototypes -----------------------------------------------------------------

ResultMode CGenerator::resultMode(const wit::Function& f) const {
  if (!f.result) return ResultMode::kNone;
  Type n = norm(*f.result);
  if (isScalar(n)) return ResultMode::kScalar;
  if (n.isPrimitive()) return ResultMode::kOutPtr;  // string
  const wit::TypeDef& td = model_.types[n.id];
  if (std::holds_alternative<wit::ResultType>(td.kind)) return ResultMode::kResult;
  if (std::holds_alternative<wit::OptionType>(td.kind)) return ResultMode::kOption;
  return ResultMode::kOutPtr;
}

namespace {

// Names of the out-parameters, avoiding the function's own parameter names.
std::string outName(const wit::Function& f, const std::string& want) {
  std::string name = want;
  bool clash = true;
  while (clash) {
    clash = false;
    for (const auto& p : f.params) {
      if (cIdentifier(p.name) == name) {
        clash = true;
        name += "_";
      }
    }
  }
  return name;
}

}  // namespace

std::string CGenerator::prototype(const FuncSite& site) {
  const wit::Function& f = *site.func;
  std::vector<std::string> params;
  for (const auto& p : f.params) {
    std::string ct = typeName(p.type);
    params.push_back(isScalar(p.type) ? ct + " " + cIdentifier(p.name)
                                      : ct + " *" + cIdentifier(p.name));
  }
  std::string ret = "void";
  switch (resultMode(f)) {
    case ResultMode::kNone:
      break;
    case ResultMode::kScalar:
      ret = typeName(*f.result);
      break;
    case ResultMode::kOption: {
      const auto& o = std::get<wit::OptionType>(defOf(*f.result)->kind);
      ret = "bool";
      params.push_back(typeName(o.type) + " *" + outName(f, "ret"));
      break;
    }
    case ResultMode::kResult: {
      const auto& r = std::get<wit::ResultType>(defOf(*f.result)->kind);
      ret = "bool";
      if (r.ok) params.push_back(typeName(*r.ok) + " *" + outName(f, "ret"));
      if (r.err) params.push_back(typeName(*r.err) + " *" + outName(f, "err"));
      break;
    }
    case ResultMode::kOutPtr:
      params.push_back(typeName(*f.result) + " *" + outName(f, "ret"));
      break;
  }
  return ret + " " + funcName(site) + "(" + (params.empty() ? "void" : joinArgs(params)) + ")";
}

void emitCaseSwitch(Code& code, const std::string& disc, size_t cases,
                    const std::function<bool(size_t)>& selected,
                    const std::function<void(size_t)>& body) {
  code.line("switch (" + disc + ") {");
  for (size_t i = 0; i < cases; ++i) {
    if (!selected(i)) continue;
    code.line("  case " + std::to_string(i) + ": {");
    code.indent();
    code.indent();
    body(i);
    code.line("break;");
    code.dedent();
    code.dedent();
    code.line("  }");
  }
  code.line("  default:");
  code.line("    break;");
  code.line("}");
}

CoreShape CGenerator::coreShape(const wit::Function& f, bool lower) {
  CoreShape s;
  for (const auto& p : f.params) s.paramTypes.push_back(norm(p.type));
  if (f.result) s.resultTypes.push_back(norm(*f.result));
  s.sig = tv_.coreSignature(s.paramTypes, s.resultTypes, lower);
  s.flatParams = tv_.flatten(s.paramTypes);
  s.flatResults = tv_.flatten(s.resultTypes);
  return s;
}

std::string CGenerator::coreParamList(const engine::FuncType& sig) {
  std::vector<std::string> params;
  for (size_t i = 0; i < sig.params.size(); ++i) {
    params.push_back(std::string(coreCType(sig.params[i])) + " arg" + std::to_string(i));
  }
  return params.empty() ? "void" : joinArgs(params);
}

// ---- exports ----------------------------------------------------------------------

void CGenerator::emitExport(const FuncSite& site) {
  const wit::Function& f = *site.func;
  std::string coreName = site.worldLevel ? f.name : site.module + "#" + f.name;
  std::string cname = funcName(site);

  auto [paramTypes, resultTypes, sig, flatParams, flatResults] = coreShape(f, /*lower=*/false);

  // Header: the prototype the guest implements.
  Code& h = exportDecls_;
  emitDocs(h, f.meta.docs);
  h.line("// `" + coreName + "`");
  h.line(prototype(site) + ";");
  h.blank();

  Code& c = source_;
  std::string coreRet = sig.results.empty() ? "void" : coreCType(sig.results[0]);
  c.line("__attribute__((__export_name__(" + quoted(coreName) + ")))");
  c.line(coreRet + " __wasm_export_" + cname + "(" + coreParamList(sig) + ") {");
  c.indent();

  // Parameters.
  std::vector<std::string> locals;
  for (size_t i = 0; i < f.params.size(); ++i) {
    locals.push_back("_p" + std::to_string(i));
    c.line(typeName(f.params[i].type) + " " + locals.back() + ";");
  }
  if (flatParams.size() > abi::kMaxFlatParams) {
    c.line("uint8_t *_params = (uint8_t *)(uintptr_t)arg0;");
    uint32_t off = 0;
    for (size_t i = 0; i < f.params.size(); ++i) {
      abi::Layout l = tv_.layout(paramTypes[i]);
      off = alignTo(off, l.align);
      c.line("memcpy(&" + locals[i] + ", _params + " + std::to_string(off) + ", sizeof(" +
             locals[i] + "));");
      off += l.size;
    }
    c.line("free(_params);");
  } else {
    std::vector<Flat> in;
    for (size_t i = 0; i < flatParams.size(); ++i)
      in.push_back({"arg" + std::to_string(i), flatParams[i]});
    size_t pos = 0;
    for (size_t i = 0; i < f.params.size(); ++i) liftFlat(c, f.params[i].type, in, pos, locals[i]);
  }
  bool borrows = false;
  for (const auto& p : f.params) borrows = borrows || hasImportedBorrow(p.type);
  if (borrows) {
    needBorrowHelpers_ = true;
    c.line("_cb_borrows_t _borrows = {NULL, 0, 0};");
    for (size_t i = 0; i < f.params.size(); ++i) emitCollectBorrows(c, f.params[i].type, locals[i]);
  }

  // The call.
  std::vector<std::string> args;
  for (size_t i = 0; i < f.params.size(); ++i) {
    args.push_back(isScalar(f.params[i].type) ? locals[i] : "&" + locals[i]);
  }
  ResultMode mode = resultMode(f);
  std::string rt = f.result ? typeName(*f.result) : "";
  switch (mode) {
    case ResultMode::kNone:
      c.line(cname + "(" + joinArgs(args) + ");");
      break;
    case ResultMode::kScalar:
      c.line(rt + " _ret = " + cname + "(" + joinArgs(args) + ");");
      break;
    case ResultMode::kOutPtr:
      c.line(rt + " _ret;");
      args.push_back("&_ret");
      c.line(cname + "(" + joinArgs(args) + ");");
      break;
    case ResultMode::kOption:
      c.line(rt + " _ret;");
      args.push_back("&_ret.val");
      c.line("_ret.is_some = " + cname + "(" + joinArgs(args) + ");");
      break;
    case ResultMode::kResult: {
      const auto& r = std::get<wit::ResultType>(defOf(*f.result)->kind);
      c.line(rt + " _ret;");
      if (r.ok) {
        c.line(typeName(*r.ok) + " _ok;");
        args.push_back("&_ok");
      }
      if (r.err) {
        c.line(typeName(*r.err) + " _err;");
        args.push_back("&_err");
      }
      c.line("_ret.is_err = !" + cname + "(" + joinArgs(args) + ");");
      if (r.ok) {
        c.line("if (!_ret.is_err) {");
        c.line("  _ret.val.ok = _ok;");
        c.line("}");
      }
      if (r.err) {
        c.line("if (_ret.is_err) {");
        c.line("  _ret.val.err = _err;");
        c.line("}");
      }
      break;
    }
  }
  if (borrows) c.line("_cb_borrows_drop(&_borrows);");

  // The result.
  if (flatResults.size() == 1) {
    std::vector<Flat> out;
    lowerFlat(c, *f.result, "_ret", out);
    c.line("return " + out[0].expr + ";");
  } else if (flatResults.size() > 1) {
    abi::Layout l = tv_.layout(resultTypes[0]);
    retAreaSize_ = std::max(retAreaSize_, l.size);
    c.line("memcpy(_cb_ret_area, &_ret, sizeof(_ret));");
    c.line("return (int32_t)(uintptr_t)_cb_ret_area;");
  }
  c.dedent();
  c.line("}");
  c.blank();

  // Post-return: frees the memory of the result once the caller has copied it.
  if (flatResults.size() > 1 && hasMemory(*f.result)) {
    c.line("__attribute__((__export_name__(" + quoted("cabi_post_" + coreName) + ")))");
    c.line("void __wasm_export_" + cname + "_post_return(int32_t arg0) {");
    c.indent();
    c.line(rt + " _ret;");
    c.line("memcpy(&_ret, (const void *)(uintptr_t)arg0, sizeof(_ret));");
    emitRelease(c, *f.result, "_ret", /*dropHandles=*/false);
    c.dedent();
    c.line("}");
    c.blank();
  }
}

// ---- imports ------------------------------------------------------------------------

void CGenerator::emitImport(const FuncSite& site) {
  const wit::Function& f = *site.func;
  std::string module = site.worldLevel ? "$root" : site.module;
  std::string cname = funcName(site);

  auto [paramTypes, resultTypes, sig, flatParams, flatResults] = coreShape(f, /*lower=*/true);

  Code& h = importDecls_;
  emitDocs(h, f.meta.docs);
  h.line(prototype(site) + ";");
  h.blank();

  Code& c = source_;
  std::string coreRet = sig.results.empty() ? "void" : coreCType(sig.results[0]);
  c.line("__attribute__((__import_module__(" + quoted(module) + "), __import_name__(" +
         quoted(f.name) + ")))");
  c.line("extern " + coreRet + " __wasm_import_" + cname + "(" + coreParamList(sig) + ");");
  c.blank();
  c.line(prototype(site) + " {");
  c.indent();

  std::vector<std::string> args;
  if (flatParams.size() > abi::kMaxFlatParams) {
    std::vector<wit::Type> ts = paramTypes;
    uint32_t size = 0, align = 1;
    for (Type t : ts) {
      abi::Layout l = tv_.layout(t);
      size = alignTo(size, l.align) + l.size;
      align = std::max(align, l.align);
    }
    c.line("_Alignas(" + std::to_string(align) + ") uint8_t _params[" +
           std::to_string(std::max<uint32_t>(alignTo(size, align), 1)) + "];");
    uint32_t off = 0;
    for (size_t i = 0; i < f.params.size(); ++i) {
      abi::Layout l = tv_.layout(paramTypes[i]);
      off = alignTo(off, l.align);
      std::string name = cIdentifier(f.params[i].name);
      std::string ptr = isScalar(f.params[i].type) ? "&" + name : name;
      c.line("memcpy(_params + " + std::to_string(off) + ", " + ptr + ", sizeof(" +
             typeName(f.params[i].type) + "));");
      off += l.size;
    }
    args.push_back("(int32_t)(uintptr_t)_params");
  } else {
    std::vector<Flat> out;
    for (const auto& p : f.params) {
      std::string name = cIdentifier(p.name);
      lowerFlat(c, p.type, isScalar(p.type) ? name : "(*" + name + ")", out);
    }
    for (const Flat& fl : out) args.push_back(fl.expr);
  }
  if (flatResults.size() > 1) {
    abi::Layout l = tv_.layout(resultTypes[0]);
    c.line("_Alignas(" + std::to_string(l.align) + ") uint8_t _ret_area[" + std::to_string(l.size) +
           "];");
    args.push_back("(int32_t)(uintptr_t)_ret_area");
  }
  std::string call = "__wasm_import_" + cname + "(" + joinArgs(args) + ")";
  if (!f.result) {
    c.line(call + ";");
    c.dedent();
    c.line("}");
    c.blank();
    return;
  }
  std::string rt = typeName(*f.result);
  c.line(rt + " _ret;");
  if (flatResults.size() == 1) {
    c.line(coreRet + " _r = " + call + ";");
    std::vector<Flat> in = {{"_r", flatResults[0]}};
    size_t pos = 0;
    liftFlat(c, *f.result, in, pos, "_ret");
  } else if (flatResults.empty()) {
    c.line(call + ";");
    c.line("memset(&_ret, 0, sizeof(_ret));");
  } else {
    c.line(call + ";");
    c.line("memcpy(&_ret, _ret_area, sizeof(_ret));");
  }
  switch (resultMode(f)) {
    case ResultMode::kNone:
      break;
    case ResultMode::kScalar:
      c.line("return _ret;");
      break;
    case ResultMode::kOutPtr:
      c.line("*" + outName(f, "ret") + " = _ret;");
      break;
    case ResultMode::kOption:
      c.line("if (_ret.is_some) {");
      c.line("  *" + outName(f, "ret") + " = _ret.val;");
      c.line("}");
      c.line("return _ret.is_some;");
      break;
    case ResultMode::kResult: {
      const auto& r = std::get<wit::ResultType>(defOf(*f.result)->kind);
      if (r.ok) {
        c.line("if (!_ret.is_err) {");
        c.line("  *" + outName(f, "ret") + " = _ret.val.ok;");
        c.line("}");
      }
      if (r.err) {
        c.line("if (_ret.is_err) {");
        c.line("  *" + outName(f, "err") + " = _ret.val.err;");
        c.line("}");
      }
      c.line("return !_ret.is_err;");
      break;
    }
  }
  c.dedent();
  c.line("}");
  c.blank();
}

// ---- resources -----------------------------------------------------------------------

void CGenerator::emitImportedResource(wit::TypeId resource) {
  if (!resourcesDone_.insert(resource).second) return;
  std::string p = resourcePrefix(resource);
  std::string rn = snakeCase(model_.types[resource].name);
  std::string own = p + "_own_" + rn + "_t";
  std::string borrow = p + "_borrow_" + rn + "_t";
  std::string base = p + "_" + rn;

  Code& h = resourceDecls_;
  h.line("// Drops an owned `" + model_.types[resource].name +
         "` handle (the host frees the resource).");
  h.line("void " + base + "_drop_own(" + own + " handle);");
  h.line("// Borrows an owned handle for a call that takes `borrow<" + model_.types[resource].name +
         ">`.");
  h.line(borrow + " " + p + "_borrow_" + rn + "(" + own + " handle);");
  h.blank();

  Code& c = source_;
  c.line("__attribute__((__import_module__(" + quoted(resourceModule(resource)) +
         "), __import_name__(" + quoted("[resource-drop]" + model_.types[resource].name) + ")))");
  c.line("extern void __wasm_import_" + base + "_drop(int32_t handle);");
  c.blank();
  c.line("void " + base + "_drop_own(" + own + " handle) {");
  c.line("  __wasm_import_" + base + "_drop(handle.__handle);");
  c.line("}");
  c.blank();
  c.line(borrow + " " + p + "_borrow_" + rn + "(" + own + " handle) {");
  c.line("  " + borrow + " b = {handle.__handle};");
  c.line("  return b;");
  c.line("}");
  c.blank();
}

void CGenerator::emitExportedResource(wit::TypeId resource) {
  if (!resourcesDone_.insert(resource).second) return;
  const std::string& witName = model_.types[resource].name;
  std::string p = resourcePrefix(resource);
  std::string rn = snakeCase(witName);
  std::string own = p + "_own_" + rn + "_t";
  std::string rep = p + "_" + rn + "_t";
  std::string base = p + "_" + rn;
  std::string module = resourceModule(resource);

  Code& h = resourceDecls_;
  h.line("// `" + witName + "` (exported): make a handle for a representation you allocated;");
  h.line("// get the representation back from an owned handle; drop an owned handle.");
  h.line(own + " " + base + "_new(" + rep + " *rep);");
  h.line(rep + " *" + base + "_rep(" + own + " handle);");
  h.line("void " + base + "_drop_own(" + own + " handle);");
  h.blank();
  Code& x = exportDecls_;
  x.line("// Called when the last handle to a `" + witName + "` is dropped: free `rep`.");
  x.line("void " + base + "_destructor(" + rep + " *rep);");
  x.blank();

  Code& c = source_;
  auto intrinsic = [&](const std::string& what, const std::string& ret, const std::string& suffix) {
    c.line("__attribute__((__import_module__(" + quoted("[export]" + module) +
           "), __import_name__(" + quoted("[resource-" + what + "]" + witName) + ")))");
    c.line("extern " + ret + " __wasm_import_" + base + "_" + suffix + "(int32_t arg0);");
    c.blank();
  };
  intrinsic("new", "int32_t", "new");
  intrinsic("rep", "int32_t", "rep");
  intrinsic("drop", "void", "drop");
  c.line(own + " " + base + "_new(" + rep + " *rep) {");
  c.line("  " + own + " h = {__wasm_import_" + base + "_new((int32_t)(uintptr_t)rep)};");
  c.line("  return h;");
  c.line("}");
  c.blank();
  c.line(rep + " *" + base + "_rep(" + own + " handle) {");
  c.line("  return (" + rep + " *)(uintptr_t)__wasm_import_" + base + "_rep(handle.__handle);");
  c.line("}");
  c.blank();
  c.line("void " + base + "_drop_own(" + own + " handle) {");
  c.line("  __wasm_import_" + base + "_drop(handle.__handle);");
  c.line("}");
  c.blank();
  c.line("__attribute__((__export_name__(" + quoted(module + "#[dtor]" + witName) + ")))");
  c.line("void __wasm_export_" + base + "_dtor(int32_t arg0) {");
  c.line("  " + base + "_destructor((" + rep + " *)(uintptr_t)arg0);");
  c.line("}");
  c.blank();
}

}  // namespace compono::component::bindgen
