#include "engine/aot/cgen.h"

#include <cstdio>
#include <map>
#include <set>
#include <string_view>

#include "engine/wabt_features.h"
#include "wabt/binary-reader-ir.h"
#include "wabt/binary-reader.h"
#include "wabt/c-writer.h"
#include "wabt/generate-names.h"
#include "wabt/apply-names.h"
#include "wabt/cast.h"
#include "wabt/ir.h"
#include "wabt/stream.h"

namespace compono::engine::aot {

std::string mangleName(std::string_view name) {
  std::string out = "Z_";
  char buf[4];
  for (char c : name) {
    unsigned char u = static_cast<unsigned char>(c);
    bool plain = (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Y') || (u >= '0' && u <= '9') || u == '_';
    if (plain) {
      out += c;
    } else {
      snprintf(buf, sizeof buf, "Z%02X", u);
      out += buf;
    }
  }
  return out;
}

namespace {

using wabt::cast;

// Trap codes beyond wasm_rt_trap_t (aot_tier.cpp maps them to TrapCodes).
const char* kCallIndirect =
    "#define COMPONO_DEREF_BIT (((size_t)1) << 62)\n"
    "static inline void* compono_elem_instance(void* mi, size_t off) {\n"
    "  char* p = (char*)mi + (off & ~COMPONO_DEREF_BIT);\n"
    "  return (off & COMPONO_DEREF_BIT) ? *(void**)p : (void*)p;\n"
    "}\n"
    "#define COMPONO_TABLE_OOB (wasm_rt_trap((wasm_rt_trap_t)101), 0)\n"
    "#define CALL_INDIRECT(table, t, ft, x, ...)                                  \\\n"
    "  ((LIKELY((x) < table.size) || (wasm_rt_trap((wasm_rt_trap_t)102), 0)),    \\\n"
    "   (LIKELY(table.data[x].func != 0) || (wasm_rt_trap((wasm_rt_trap_t)103), 0)), \\\n"
    "   (LIKELY(table.data[x].func_type == func_types[ft]) || TRAP(CALL_INDIRECT)), \\\n"
    "   ((t)table.data[x].func)(__VA_ARGS__))\n";
using wabt::ExprType;

Result<wabt::Module> readIr(std::span<const uint8_t> bytes, const std::string& name) {
  wabt::Module m;
  wabt::Errors errors;
  wabt::ReadBinaryOptions options(internal::wabtFeatures(), nullptr, /*read_debug_names=*/false,
                                  /*stop_on_first_error=*/true,
                                  /*fail_on_custom_section_error=*/false);
  if (wabt::Failed(wabt::ReadBinaryIr(name.c_str(), bytes.data(), bytes.size(), options, &errors, &m))) {
    return Error(ErrorCode::kInternal,
                 name + ": cannot read module for AOT: " + (errors.empty() ? "?" : errors.front().message));
  }
  return m;
}

// ---- support check ------------------------------------------------------------

struct SupportChecker {
  std::string problem;

  void fail(const std::string& what) {
    if (problem.empty()) problem = what;
  }
  void type(wabt::Type t) {
    if (t == wabt::Type::V128) fail("SIMD (v128)");
  }
  void opcode(wabt::Opcode op) {
    if (op.GetPrefix() == 0xfd) fail("SIMD instruction " + std::string(op.GetName()));
    if (op.GetPrefix() == 0xfe) fail("atomic instruction " + std::string(op.GetName()));
  }
  void exprs(const wabt::ExprList& list) {
    for (const wabt::Expr& e : list) {
      switch (e.type()) {
        case ExprType::Block: exprs(cast<wabt::BlockExpr>(&e)->block.exprs); break;
        case ExprType::Loop: exprs(cast<wabt::LoopExpr>(&e)->block.exprs); break;
        case ExprType::If:
          exprs(cast<wabt::IfExpr>(&e)->true_.exprs);
          exprs(cast<wabt::IfExpr>(&e)->false_);
          break;
        case ExprType::Try:
        case ExprType::Throw:
        case ExprType::Rethrow: fail("exception handling"); break;
        case ExprType::ReturnCall:
        case ExprType::ReturnCallIndirect: fail("tail calls"); break;
        case ExprType::CallRef: fail("typed function references"); break;
        case ExprType::AtomicLoad:
        case ExprType::AtomicStore:
        case ExprType::AtomicRmw:
        case ExprType::AtomicRmwCmpxchg:
        case ExprType::AtomicWait:
        case ExprType::AtomicNotify:
        case ExprType::AtomicFence: fail("atomics (threads)"); break;
        case ExprType::SimdLaneOp:
        case ExprType::SimdLoadLane:
        case ExprType::SimdStoreLane:
        case ExprType::SimdShuffleOp:
        case ExprType::LoadSplat:
        case ExprType::LoadZero: fail("SIMD"); break;
        case ExprType::Const:
          if (cast<wabt::ConstExpr>(&e)->const_.type() == wabt::Type::V128) fail("SIMD (v128.const)");
          break;
        case ExprType::Binary: opcode(cast<wabt::BinaryExpr>(&e)->opcode); break;
        case ExprType::Unary: opcode(cast<wabt::UnaryExpr>(&e)->opcode); break;
        case ExprType::Compare: opcode(cast<wabt::CompareExpr>(&e)->opcode); break;
        case ExprType::Convert: opcode(cast<wabt::ConvertExpr>(&e)->opcode); break;
        case ExprType::Ternary: opcode(cast<wabt::TernaryExpr>(&e)->opcode); break;
        case ExprType::Load: opcode(cast<wabt::LoadExpr>(&e)->opcode); break;
        case ExprType::Store: opcode(cast<wabt::StoreExpr>(&e)->opcode); break;
        default: break;
      }
      if (!problem.empty()) return;
    }
  }
  void initExpr(const wabt::ExprList& list) {
    if (list.size() > 1) fail("extended constant expressions");
    exprs(list);
  }
  void sig(const wabt::FuncSignature& s, bool import) {
    for (auto t : s.param_types) type(t);
    for (auto t : s.result_types) type(t);
    if (s.result_types.size() > 1) {
      for (auto t : s.result_types) {
        if (t != wabt::Type::I32 && t != wabt::Type::I64 && t != wabt::Type::F32 && t != wabt::Type::F64) {
          fail("multi-value results with references");
        }
      }
      if (import) fail("imported functions with several results");
    }
  }

  void module(const wabt::Module& m) {
    if (m.memories.size() > 1) fail("multiple memories");
    std::map<std::pair<std::string, std::string>, const wabt::Import*> seen;
    for (const wabt::Import* imp : m.imports) {
      auto [it, fresh] = seen.emplace(std::make_pair(imp->module_name, imp->field_name), imp);
      if (fresh) continue;
      const wabt::Import* first = it->second;
      bool same = first->kind() == imp->kind();
      if (same && imp->kind() == wabt::ExternalKind::Func) {
        same = cast<wabt::FuncImport>(first)->func.decl.sig == cast<wabt::FuncImport>(imp)->func.decl.sig;
      } else if (same && imp->kind() == wabt::ExternalKind::Global) {
        same = cast<wabt::GlobalImport>(first)->global.type == cast<wabt::GlobalImport>(imp)->global.type;
      }
      if (!same) fail("one name imported twice with different types");
    }
    for (const wabt::Memory* mem : m.memories) {
      if (mem->page_limits.is_64) fail("64-bit memory");
      if (mem->page_limits.is_shared) fail("shared memory");
    }
    for (const wabt::Table* t : m.tables) {
      if (t->elem_limits.is_64) fail("64-bit tables");
    }
    if (!m.tags.empty()) fail("exception handling (tags)");
    for (const wabt::TypeEntry* t : m.types) {
      if (auto* ft = wabt::dyn_cast<wabt::FuncType>(t)) sig(ft->sig, false);
      else fail("GC types");
    }
    for (size_t i = 0; i < m.funcs.size(); ++i) {
      const wabt::Func* f = m.funcs[i];
      sig(f->decl.sig, i < m.num_func_imports);
      for (auto t : f->local_types) type(t);
      exprs(f->exprs);
    }
    for (const wabt::Global* g : m.globals) {
      type(g->type);
      initExpr(g->init_expr);
    }
    for (const wabt::ElemSegment* s : m.elem_segments) initExpr(s->offset);
    for (const wabt::DataSegment* s : m.data_segments) initExpr(s->offset);
  }
};

// ---- text processing of wasm2c's output ---------------------------------------

std::vector<std::string_view> splitLines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) nl = text.size();
    lines.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  return lines;
}

bool startsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }
bool endsWith(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.substr(s.size() - p.size()) == p;
}

// "static <type> w2c_f<N>(...)" followed by " {" (definition) or ";" (declaration).
bool isFuncLine(std::string_view line, bool definition) {
  if (!startsWith(line, "static ")) return false;
  size_t pos = line.find(" w2c_f");
  if (pos == std::string_view::npos) return false;
  size_t p = pos + 6;
  if (p >= line.size() || line[p] < '0' || line[p] > '9') return false;
  while (p < line.size() && line[p] >= '0' && line[p] <= '9') ++p;
  if (p >= line.size() || line[p] != '(') return false;
  // wasm2c wraps the parameter list of a long definition over several
  // lines; a definition is any such line that does not end a declaration.
  return definition ? !endsWith(line, ");") : endsWith(line, ");");
}

std::string unstatic(std::string_view line) {
  return "COMPONO_HIDDEN " + std::string(line.substr(7));
}

void appendByteString(std::string& out, const std::vector<uint8_t>& data) {
  static const char* kOct = "01234567";
  out += "\"";
  size_t col = 0;
  for (uint8_t b : data) {
    if (b >= 0x20 && b < 0x7f && b != '\\' && b != '"' && b != '?') {
      out += static_cast<char>(b);
      col += 1;
    } else {
      out += '\\';
      out += kOct[(b >> 6) & 7];
      out += kOct[(b >> 3) & 7];
      out += kOct[b & 7];
      col += 4;
    }
    if (col >= 96) {
      out += "\"\n\"";
      col = 0;
    }
  }
  out += "\"";
}

bool parseHexList(std::string_view line, std::vector<uint8_t>& out) {
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == ',')) ++i;
    if (i >= line.size()) break;
    if (line.compare(i, 2, "0x") != 0 || i + 4 > line.size()) return false;
    auto hex = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      return -1;
    };
    int hi = hex(line[i + 2]), lo = hex(line[i + 3]);
    if (hi < 0 || lo < 0) return false;
    out.push_back(static_cast<uint8_t>(hi * 16 + lo));
    i += 4;
  }
  return true;
}

std::string cType(wabt::Type t) {
  switch (t) {
    case wabt::Type::I32: return "u32";
    case wabt::Type::I64: return "u64";
    case wabt::Type::F32: return "f32";
    case wabt::Type::F64: return "f64";
    case wabt::Type::FuncRef: return "wasm_rt_funcref_t";
    case wabt::Type::ExternRef: return "wasm_rt_externref_t";
    default: return "u32";
  }
}

// Reads slot k as a C value of type t.
std::string slotGet(wabt::Type t, size_t k) {
  std::string s = "s[" + std::to_string(k) + "]";
  switch (t) {
    case wabt::Type::I32: return s + ".i32";
    case wabt::Type::I64: return s + ".i64";
    case wabt::Type::F32: return s + ".f32";
    case wabt::Type::F64: return s + ".f64";
    case wabt::Type::FuncRef: return "(*(wasm_rt_funcref_t*)" + s + ".bytes)";
    case wabt::Type::ExternRef: return s + ".ptr";
    default: return s + ".i32";
  }
}

std::string slotSet(wabt::Type t, size_t k, const std::string& value) {
  std::string s = "s[" + std::to_string(k) + "]";
  if (t == wabt::Type::FuncRef) {
    return "{ wasm_rt_funcref_t r_ = " + value + "; memcpy(" + s + ".bytes, &r_, sizeof r_); }";
  }
  return slotGet(t, k) + " = " + value + ";";
}

char multiLetter(wabt::Type t) {
  switch (t) {
    case wabt::Type::I32: return 'i';
    case wabt::Type::I64: return 'j';
    case wabt::Type::F32: return 'f';
    default: return 'd';
  }
}

std::string cStringLiteral(std::string_view s) {
  std::string out = "\"";
  char buf[8];
  for (unsigned char c : s) {
    if (c >= 0x20 && c < 0x7f && c != '\\' && c != '"' && c != '?') {
      out += static_cast<char>(c);
    } else {
      snprintf(buf, sizeof buf, "\\%03o", c);
      out += buf;
    }
  }
  return out + "\"";
}

// The declaration line of `symbol` in the header, or "".
std::string_view findDecl(const std::vector<std::string_view>& header, const std::string& symbol) {
  std::string needle = symbol + "(";
  for (std::string_view l : header) {
    size_t p = l.find(needle);
    if (p != std::string_view::npos && p > 0 && (l[p - 1] == ' ' || l[p - 1] == '*')) return l;
  }
  return {};
}

std::string returnTypeOf(std::string_view decl, const std::string& symbol) {
  std::string_view t = decl.substr(0, decl.find(symbol));
  if (startsWith(t, "extern ")) t.remove_prefix(7);
  while (!t.empty() && t.back() == ' ') t.remove_suffix(1);
  return std::string(t);
}

}  // namespace

Status checkAotSupport(std::span<const uint8_t> bytes, const std::string& name) {
  COMPONO_ASSIGN(wabt::Module m, readIr(bytes, name));
  SupportChecker c;
  c.module(m);
  if (!c.problem.empty()) {
    return Error(ErrorCode::kInstantiate, name + ": the native tier (wasm2c 1.0.32) does not support " + c.problem);
  }
  return okStatus();
}

Result<GeneratedC> generateC(std::span<const uint8_t> bytes, const std::string& name, uint64_t partBytes) {
  COMPONO_ASSIGN(wabt::Module m, readIr(bytes, name));
  {
    SupportChecker c;
    c.module(m);
    if (!c.problem.empty()) {
      return Error(ErrorCode::kInstantiate, name + ": the native tier (wasm2c 1.0.32) does not support " + c.problem);
    }
  }
  // wasm2c needs every item named; then predictable C names for functions:
  // every defined function is w2c_f<index>.
  // wabt 1.0.32's ApplyNames resolves every data segment's memory and every
  // element segment's table, and fails when a module has segments (for
  // data.drop or elem.drop) but no memory or table. An unexported, empty
  // memory or table is invisible to the module and keeps the pass happy.
  if (m.memories.empty() && !m.data_segments.empty()) {
    auto field = std::make_unique<wabt::MemoryModuleField>();
    field->memory.page_limits = wabt::Limits(0);
    m.memories.push_back(&field->memory);
    m.fields.push_back(std::move(field));
  }
  if (m.tables.empty() && !m.elem_segments.empty()) {
    auto field = std::make_unique<wabt::TableModuleField>();
    field->table.elem_limits = wabt::Limits(0);
    m.tables.push_back(&field->table);
    m.fields.push_back(std::move(field));
  }
  if (wabt::Failed(wabt::GenerateNames(&m))) {
    return Error(ErrorCode::kInternal, name + ": cannot name the module's items for wasm2c ");
  }
  m.func_bindings.clear();
  for (size_t i = 0; i < m.funcs.size(); ++i) {
    if (i >= m.num_func_imports) m.funcs[i]->name = "$f" + std::to_string(i);
    m.func_bindings.emplace(m.funcs[i]->name, wabt::Binding(static_cast<wabt::Index>(i)));
  }
  if (wabt::Failed(wabt::ApplyNames(&m))) {
    return Error(ErrorCode::kInternal, name + ": cannot name the module's items for wasm2c ");
  }
  // The start function runs under our own call protocol (limits, traps), so
  // wasm2c must not run it inside instantiate: export it instead.
  if (!m.starts.empty()) {
    wabt::Var start = *m.starts.front();
    m.starts.clear();
    auto field = std::make_unique<wabt::ExportModuleField>();
    field->export_.name = kStartExport;
    field->export_.kind = wabt::ExternalKind::Func;
    field->export_.var = start;
    m.exports.push_back(&field->export_);
    m.fields.push_back(std::move(field));
  }

  wabt::MemoryStream cStream, hStream;
  wabt::WriteCOptions opts;
  opts.module_name = "m";
  if (wabt::Failed(wabt::WriteC(&cStream, &hStream, "m.h", &m, opts))) {
    return Error(ErrorCode::kInternal, name + ": wasm2c could not translate the module");
  }
  GeneratedC out;
  auto& cData = cStream.output_buffer().data;
  auto& hData = hStream.output_buffer().data;
  out.header.assign(reinterpret_cast<const char*>(hData.data()), hData.size());
  std::string_view c(reinterpret_cast<const char*>(cData.data()), cData.size());
  out.cBytes = c.size();
  auto lines = splitLines(c);
  auto headerLines = splitLines(out.header);
  auto unexpected = [&](const std::string& what) {
    return Error(ErrorCode::kInternal, name + ": unexpected wasm2c output (" + what + ")");
  };

  // 1. Locate the sections of the generated C.
  size_t preludeEnd = 0;
  while (preludeEnd < lines.size() && !startsWith(lines[preludeEnd], "static bool s_module_initialized")) ++preludeEnd;
  if (preludeEnd == lines.size()) return unexpected("no module-initialized flag");
  std::vector<std::pair<size_t, size_t>> defs;  // [first, last] line of each function definition
  for (size_t i = preludeEnd; i < lines.size(); ++i) {
    if (!isFuncLine(lines[i], true)) continue;
    size_t j = i;
    while (j < lines.size() && !endsWith(lines[j], ") {")) ++j;  // end of the (wrapped) header
    if (j == lines.size()) return unexpected("unterminated function header");
    ++j;
    while (j < lines.size() && lines[j] != "}") ++j;
    if (j == lines.size()) return unexpected("unterminated function");
    defs.emplace_back(i, j);
    i = j;
  }
  size_t firstDef = defs.empty() ? lines.size() : defs.front().first;
  size_t lastDef = defs.empty() ? lines.size() - 1 : defs.back().second;
  if (defs.size() != m.funcs.size() - m.num_func_imports) {
    return unexpected("function count: found " + std::to_string(defs.size()) + " definitions for " +
                      std::to_string(m.funcs.size() - m.num_func_imports) + " functions");
  }

  // 2. common.h: the prelude, shared data declared extern, every function declared.
  //    Two changes to wasm2c's prelude give traps the same meaning on both
  //    tiers: table bounds failures get their own code (wasm2c reuses the
  //    memory one), and call_indirect tells an index out of range, a null
  //    element and a signature mismatch apart.
  std::string common = "#ifndef COMPONO_COMMON_H\n#define COMPONO_COMMON_H\n";
  bool inTableHelpers = false;
  int callIndirectLines = 0, tableTraps = 0, elemFixes = 0;
  for (size_t i = 0; i < preludeEnd; ++i) {
    std::string line(lines[i]);
    if (startsWith(line, "#define CALL_INDIRECT(table, t, ft, x, ...)")) {
      common += kCallIndirect;
      callIndirectLines = 1;
      while (i + 1 < preludeEnd && endsWith(lines[i], "\\")) ++i;
      continue;
    }
    if (startsWith(line, "static inline void funcref_table_init(")) inTableHelpers = true;
    if (inTableHelpers && line.find("(char*)module_instance + src_expr->module_offset}") != std::string::npos) {
      // wasm2c 1.0.32 points the funcref of an *imported* function in an
      // element segment at the instance's field that holds the import's
      // context, not at the context: such entries carry kDerefBit (below)
      // and are dereferenced here.
      size_t p = line.find("(char*)module_instance + src_expr->module_offset}");
      line.replace(p, std::string("(char*)module_instance + src_expr->module_offset}").size(),
                   "compono_elem_instance(module_instance, src_expr->module_offset)}");
      ++elemFixes;
    }
    if (inTableHelpers) {
      for (size_t p = line.find("TRAP(OOB)"); p != std::string::npos; p = line.find("TRAP(OOB)", p)) {
        line.replace(p, 9, "COMPONO_TABLE_OOB");
        ++tableTraps;
      }
    }
    common += line;
    common += '\n';
  }
  if (!callIndirectLines || tableTraps < 7 || elemFixes != 1) return unexpected("prelude macros");
  common += "#define COMPONO_HIDDEN __attribute__((visibility(\"hidden\")))\n";
  std::string part0 = "#include \"common.h\"\n";
  for (size_t i = preludeEnd; i < firstDef; ++i) {
    std::string_view l = lines[i];
    if (isFuncLine(l, false)) {
      common += unstatic(l);
      common += '\n';
      continue;
    }
    if (startsWith(l, "static u32 func_types[")) {
      common += "extern " + unstatic(l) + "\n";
      part0 += unstatic(l) + "\n";
      continue;
    }
    if (startsWith(l, "static const u8 data_segment_data_") && endsWith(l, "[] = {")) {
      // Re-emit the bytes as a string literal: compilers read those far
      // faster than an initializer list of numbers.
      std::string decl(l.substr(7, l.size() - 7 - 4));  // "const u8 NAME[]"
      std::vector<uint8_t> data;
      size_t j = i + 1;
      for (; j < firstDef && lines[j] != "};"; ++j) {
        if (!parseHexList(lines[j], data)) return unexpected("data segment bytes");
      }
      if (j == firstDef) return unexpected("unterminated data segment");
      common += "extern COMPONO_HIDDEN " + decl + ";\n";
      part0 += "COMPONO_HIDDEN " + decl + " = ";
      if (data.empty()) part0 += "{0}";
      else appendByteString(part0, data);
      part0 += ";\n";
      i = j;
      continue;
    }
    if (startsWith(l, "static const wasm_elem_segment_expr_t ") && endsWith(l, "[] = {")) {
      std::string decl(l.substr(7, l.size() - 7 - 4));
      common += "extern COMPONO_HIDDEN " + decl + ";\n";
      part0 += "COMPONO_HIDDEN " + std::string(l.substr(7)) + "\n";
      // Entries of imported functions: offsetof(Z_m_instance_t, <import ctx field>).
      size_t j = i + 1;
      for (; j < firstDef && lines[j] != "};"; ++j) {
        std::string entry(lines[j]);
        size_t p = entry.find("offsetof(Z_m_instance_t, ");
        if (p != std::string::npos) {
          size_t close = entry.find(')', p);
          if (close == std::string::npos) return unexpected("element segment entry");
          entry.insert(close + 1, " | COMPONO_DEREF_BIT)");
          entry.insert(p, "(");
        }
        part0 += entry + "\n";
      }
      if (j == firstDef) return unexpected("unterminated element segment");
      part0 += "};\n";
      i = j;
      continue;
    }
    part0 += l;
    part0 += '\n';
  }
  for (size_t i = lastDef + 1; i < lines.size(); ++i) {
    part0 += lines[i];
    part0 += '\n';
  }
  common += "#endif\n";
  out.common = std::move(common);
  out.parts.push_back(std::move(part0));

  // 3. Function definitions, packed into parts of about partBytes each.
  std::string cur;
  for (auto [a, b] : defs) {
    if (cur.empty()) cur = "#include \"common.h\"\n";
    cur += unstatic(lines[a]);
    cur += '\n';
    for (size_t k = a + 1; k <= b; ++k) {
      cur += lines[k];
      cur += '\n';
    }
    if (cur.size() >= partBytes) {
      out.parts.push_back(std::move(cur));
      cur.clear();
    }
  }
  if (!cur.empty()) out.parts.push_back(std::move(cur));

  // 4. Glue.
  std::string g;
  g += "/* Compono glue: binds wasm2c output to the host (generated). */\n";
  g += "#include <pthread.h>\n#include <stdint.h>\n#include <string.h>\n#include \"common.h\"\n";
  g += "typedef union compono_slot { u32 i32; u64 i64; f32 f32; f64 f64; void* ptr; unsigned char bytes[32]; } compono_slot;\n";
  g += "typedef struct compono_env {\n"
       "  int (*host_call)(void* ctx, u32 import_index, compono_slot* slots);\n"
       "  void* ctx;\n"
       "  void** objects;\n"
       "} compono_env;\n";
  g += "typedef struct { const char* name; u32 name_len; u32 kind; void* fn; u32 func_index; } compono_export_t;\n";
  g += "#define COMPONO_EXPORT __attribute__((visibility(\"default\")))\n";
  g += "COMPONO_EXPORT const u32 compono_abi_version = " + std::to_string(kGlueAbiVersion) + ";\n";
  g += "COMPONO_EXPORT const size_t compono_instance_size = sizeof(Z_m_instance_t);\n";

  // Import module structs: all are a compono_env.
  std::string_view instDecl;
  for (std::string_view l : headerLines) {
    if (startsWith(l, "void Z_m_instantiate(")) instDecl = l;
  }
  if (instDecl.empty()) return unexpected("no instantiate declaration");
  std::vector<std::string> envStructs;
  {
    std::string_view rest = instDecl.substr(std::string_view("void Z_m_instantiate(Z_m_instance_t*").size());
    size_t p = 0;
    while ((p = rest.find("struct ", p)) != std::string_view::npos) {
      size_t e = rest.find('*', p);
      if (e == std::string_view::npos) return unexpected("instantiate parameters");
      envStructs.emplace_back(rest.substr(p + 7, e - p - 7));
      p = e;
    }
  }
  for (const std::string& s : envStructs) g += "struct " + s + " { compono_env env; };\n";

  // Imports.
  uint32_t importIndex = 0;
  std::set<std::string> defined;
  for (const wabt::Import* imp : m.imports) {
    std::string sym = mangleName(imp->module_name) + mangleName(imp->field_name);
    if (!defined.insert(sym).second) {
      // The same module/name imported again: wasm2c uses one symbol for both
      // (and the linker binds both to the same object).
      ++importIndex;
      continue;
    }
    std::string_view decl = findDecl(headerLines, sym);
    if (decl.empty()) return unexpected("import symbol " + sym);
    std::string envType = "struct " + mangleName(imp->module_name) + "_instance_t";
    std::string ret = returnTypeOf(decl, sym);
    std::string idx = std::to_string(importIndex);
    if (imp->kind() == wabt::ExternalKind::Func) {
      const wabt::FuncSignature& sig = cast<wabt::FuncImport>(imp)->func.decl.sig;
      size_t n = std::max<size_t>({sig.param_types.size(), sig.result_types.size(), 1});
      g += ret + " " + sym + "(" + envType + "* c_";
      for (size_t k = 0; k < sig.param_types.size(); ++k) g += ", " + cType(sig.param_types[k]) + " p" + std::to_string(k);
      g += ") {\n  compono_slot s[" + std::to_string(n) + "];\n";
      for (size_t k = 0; k < sig.param_types.size(); ++k) {
        g += "  " + slotSet(sig.param_types[k], k, "p" + std::to_string(k)) + "\n";
      }
      g += "  compono_env* e_ = (compono_env*)c_;\n";
      g += "  int t_ = e_->host_call(e_->ctx, " + idx + ", s);\n";
      g += "  if (t_) wasm_rt_trap((wasm_rt_trap_t)t_);\n";
      if (sig.result_types.size() == 1) g += "  return " + slotGet(sig.result_types[0], 0) + ";\n";
      g += "}\n";
    } else {
      g += ret + " " + sym + "(" + envType + "* c_) { return (" + ret + ")((compono_env*)c_)->objects[" + idx + "]; }\n";
    }
    ++importIndex;
  }

  // Exports.
  std::string table = "COMPONO_EXPORT const compono_export_t compono_exports[] = {\n";
  uint32_t exportCount = 0;
  for (const wabt::Export* ex : m.exports) {
    std::string sym = "Z_m" + mangleName(ex->name);
    std::string_view decl = findDecl(headerLines, sym);
    if (decl.empty()) return unexpected("export symbol " + sym);
    uint32_t kind;
    std::string fn;
    uint32_t funcIndex = UINT32_MAX;
    switch (ex->kind) {
      case wabt::ExternalKind::Func: {
        kind = kGlueFunc;
        const wabt::Func* f = m.GetFunc(ex->var);
        if (!f) return unexpected("export function index");
        funcIndex = m.GetFuncIndex(ex->var);
        const wabt::FuncSignature& sig = f->decl.sig;
        fn = "compono_x" + std::to_string(exportCount);
        g += "static void " + fn + "(void* i_, compono_slot* s) {\n  ";
        std::string call = sym + "((Z_m_instance_t*)i_";
        for (size_t k = 0; k < sig.param_types.size(); ++k) call += ", " + slotGet(sig.param_types[k], k);
        call += ")";
        if (sig.result_types.empty()) {
          g += call + ";\n";
        } else if (sig.result_types.size() == 1) {
          g += slotSet(sig.result_types[0], 0, call) + "\n";
        } else {
          g += returnTypeOf(decl, sym) + " r_ = " + call + ";\n";
          for (size_t k = 0; k < sig.result_types.size(); ++k) {
            std::string field = "r_." + std::string(1, multiLetter(sig.result_types[k])) + std::to_string(k);
            g += "  " + slotSet(sig.result_types[k], k, field) + "\n";
          }
        }
        g += "}\n";
        break;
      }
      case wabt::ExternalKind::Table: kind = kGlueTable; fn = sym; break;
      case wabt::ExternalKind::Memory: kind = kGlueMemory; fn = sym; break;
      case wabt::ExternalKind::Global: kind = kGlueGlobal; fn = sym; break;
      default: return unexpected("export kind");
    }
    // Export names may contain NUL bytes: the length travels with them.
    table += "  {" + cStringLiteral(ex->name) + ", " + std::to_string(ex->name.size()) + "u, " +
             std::to_string(kind) + ", (void*)" + fn + ", " + std::to_string(funcIndex) + "u},\n";
    ++exportCount;
  }
  if (exportCount == 0) table += "  {0, 0, 0, 0, 0},\n";
  // Function references of exported functions, for the host to store in
  // tables or pass as funcref values.
  g += "COMPONO_EXPORT int compono_export_funcref(void* i_, u32 index, wasm_rt_funcref_t* out) {\n"
       "  Z_m_instance_t* inst = (Z_m_instance_t*)i_;\n  (void)inst;\n  switch (index) {\n";
  {
    uint32_t k = 0;
    for (const wabt::Export* ex : m.exports) {
      if (ex->kind == wabt::ExternalKind::Func) {
        wabt::Index fi = m.GetFuncIndex(ex->var);
        const wabt::Func* f = m.GetFunc(ex->var);
        if (f && f->decl.has_func_type && f->decl.type_var.is_index()) {
          std::string ty = "func_types[" + std::to_string(f->decl.type_var.index()) + "]";
          if (fi >= m.num_func_imports) {
            g += "    case " + std::to_string(k) + ": *out = (wasm_rt_funcref_t){" + ty +
                 ", (wasm_rt_function_ptr_t)&w2c_f" + std::to_string(fi) + ", inst}; return 1;\n";
          } else {
            const wabt::Import* imp = nullptr;
            wabt::Index seen = 0;
            for (const wabt::Import* x : m.imports) {
              if (x->kind() != wabt::ExternalKind::Func) continue;
              if (seen++ == fi) imp = x;
            }
            if (imp) {
              std::string sym = mangleName(imp->module_name) + mangleName(imp->field_name);
              g += "    case " + std::to_string(k) + ": *out = (wasm_rt_funcref_t){" + ty +
                   ", (wasm_rt_function_ptr_t)&" + sym + ", inst->" + mangleName(imp->module_name) +
                   "_instance}; return 1;\n";
            }
          }
        }
      }
      ++k;
    }
  }
  g += "  }\n  return 0;\n}\n";
  table += "};\n";
  g += table;
  g += "COMPONO_EXPORT const u32 compono_export_count = " + std::to_string(exportCount) + ";\n";

  // Instantiation.
  g += "static pthread_once_t compono_once = PTHREAD_ONCE_INIT;\n";
  g += "COMPONO_EXPORT void compono_instantiate(void* i_, compono_slot* s) {\n";
  g += "  pthread_once(&compono_once, Z_m_init_module);\n";
  g += "  Z_m_instantiate((Z_m_instance_t*)i_";
  for (const std::string& st : envStructs) g += ", (struct " + st + "*)s[0].ptr";
  g += ");\n}\n";
  g += "COMPONO_EXPORT void compono_free(void* i_) { Z_m_free((Z_m_instance_t*)i_); }\n";
  out.glue = std::move(g);
  return out;
}

}  // namespace compono::engine::aot
