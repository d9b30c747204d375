// Core module building and custom-section surgery. Spec: WebAssembly 1.0
// binary format (sections 5.5.x).
#include "component/componentize/core_module.h"

#include <cstdio>
#include <set>
#include <string_view>

namespace compono::component::componentize {

namespace {

void u32(std::vector<uint8_t>& out, uint64_t v) {
  do {
    uint8_t b = v & 0x7f;
    v >>= 7;
    if (v) b |= 0x80;
    out.push_back(b);
  } while (v);
}

void s32(std::vector<uint8_t>& out, int64_t v) {
  bool more = true;
  while (more) {
    uint8_t b = v & 0x7f;
    v >>= 7;
    if ((v == 0 && !(b & 0x40)) || (v == -1 && (b & 0x40))) {
      more = false;
    } else {
      b |= 0x80;
    }
    out.push_back(b);
  }
}

void name(std::vector<uint8_t>& out, const std::string& s) {
  u32(out, s.size());
  out.insert(out.end(), s.begin(), s.end());
}

uint8_t valTypeByte(engine::ValType t) {
  switch (t) {
    case engine::ValType::kI32:
      return 0x7f;
    case engine::ValType::kI64:
      return 0x7e;
    case engine::ValType::kF32:
      return 0x7d;
    case engine::ValType::kF64:
      return 0x7c;
    case engine::ValType::kV128:
      return 0x7b;
    case engine::ValType::kFuncRef:
      return 0x70;
    case engine::ValType::kExternRef:
      return 0x6f;
  }
  return 0x7f;
}

void tableType(std::vector<uint8_t>& out, const engine::TableType& t) {
  out.push_back(valTypeByte(t.element));
  out.push_back(t.limits.max ? 0x01 : 0x00);
  u32(out, t.limits.min);
  if (t.limits.max) u32(out, *t.limits.max);
}

void section(std::vector<uint8_t>& out, uint8_t id, const std::vector<uint8_t>& payload) {
  out.push_back(id);
  u32(out, payload.size());
  out.insert(out.end(), payload.begin(), payload.end());
}

bool readU32(std::span<const uint8_t> b, size_t& i, uint64_t& v) {
  v = 0;
  for (int shift = 0; shift < 35; shift += 7) {
    if (i >= b.size()) return false;
    uint8_t x = b[i++];
    v |= static_cast<uint64_t>(x & 0x7f) << shift;
    if (!(x & 0x80)) return true;
  }
  return false;
}

// Walks the sections: f(id, start of the section id byte, payload begin, payload end).
template <typename F>
Status walkSections(std::span<const uint8_t> m, const std::string& where, F&& f) {
  if (m.size() < 8 || m[0] != 0x00 || m[1] != 'a' || m[2] != 's' || m[3] != 'm') {
    return Error(ErrorCode::kDecode, where + ": not a WebAssembly module");
  }
  if (m[4] != 0x01 || m[5] != 0 || m[6] != 0 || m[7] != 0) {
    return Error(ErrorCode::kDecode, where + ": not a core module (is it already a component?)");
  }
  size_t i = 8;
  while (i < m.size()) {
    size_t start = i;
    uint8_t id = m[i++];
    uint64_t size;
    if (!readU32(m, i, size) || size > m.size() - i) {
      return Error(
          ErrorCode::kDecode, where + ": offset 0x" + [&] {
            char buf[32];
            std::snprintf(buf, sizeof(buf), "%zx", start);
            return std::string(buf);
          }() + ": section extends past the end of the file");
    }
    f(id, start, i, i + size);
    i += size;
  }
  return okStatus();
}

}  // namespace

uint32_t CoreModuleBuilder::addType(const engine::FuncType& type) {
  for (uint32_t i = 0; i < types_.size(); ++i) {
    if (types_[i] == type) return i;
  }
  types_.push_back(type);
  return static_cast<uint32_t>(types_.size() - 1);
}

uint32_t CoreModuleBuilder::importFunc(const std::string& module, const std::string& n,
                                       uint32_t type) {
  Import im;
  im.module = module;
  im.name = n;
  im.kind = 0;
  im.type = type;
  imports_.push_back(im);
  return importedFuncs_++;
}

void CoreModuleBuilder::importTable(const std::string& module, const std::string& n,
                                    const engine::TableType& t) {
  Import im;
  im.module = module;
  im.name = n;
  im.kind = 1;
  im.table = t;
  imports_.push_back(im);
  importedTables_++;
}

uint32_t CoreModuleBuilder::addTable(const engine::TableType& t) {
  tables_.push_back(t);
  return importedTables_ + static_cast<uint32_t>(tables_.size() - 1);
}

uint32_t CoreModuleBuilder::addFunc(uint32_t type, std::vector<uint8_t> code) {
  funcs_.emplace_back(type, std::move(code));
  return importedFuncs_ + static_cast<uint32_t>(funcs_.size() - 1);
}

void CoreModuleBuilder::exportFunc(const std::string& n, uint32_t func) {
  exports_.push_back({n, 0x00, func});
}

void CoreModuleBuilder::exportTable(const std::string& n, uint32_t table) {
  exports_.push_back({n, 0x01, table});
}

void CoreModuleBuilder::addElements(uint32_t offset, std::vector<uint32_t> funcs) {
  elements_.emplace_back(offset, std::move(funcs));
}

std::vector<uint8_t> CoreModuleBuilder::finish() const {
  std::vector<uint8_t> out = {0x00, 'a', 's', 'm', 0x01, 0x00, 0x00, 0x00};
  if (!types_.empty()) {
    std::vector<uint8_t> p;
    u32(p, types_.size());
    for (const auto& t : types_) {
      p.push_back(0x60);
      u32(p, t.params.size());
      for (auto v : t.params) p.push_back(valTypeByte(v));
      u32(p, t.results.size());
      for (auto v : t.results) p.push_back(valTypeByte(v));
    }
    section(out, 1, p);
  }
  if (!imports_.empty()) {
    std::vector<uint8_t> p;
    u32(p, imports_.size());
    for (const auto& im : imports_) {
      name(p, im.module);
      name(p, im.name);
      p.push_back(im.kind);
      if (im.kind == 0) {
        u32(p, im.type);
      } else {
        tableType(p, im.table);
      }
    }
    section(out, 2, p);
  }
  if (!funcs_.empty()) {
    std::vector<uint8_t> p;
    u32(p, funcs_.size());
    for (const auto& f : funcs_) u32(p, f.first);
    section(out, 3, p);
  }
  if (!tables_.empty()) {
    std::vector<uint8_t> p;
    u32(p, tables_.size());
    for (const auto& t : tables_) tableType(p, t);
    section(out, 4, p);
  }
  if (!exports_.empty()) {
    std::vector<uint8_t> p;
    u32(p, exports_.size());
    for (const auto& e : exports_) {
      name(p, e.name);
      p.push_back(e.kind);
      u32(p, e.index);
    }
    section(out, 7, p);
  }
  if (start_) {
    std::vector<uint8_t> p;
    u32(p, *start_);
    section(out, 8, p);
  }
  if (!elements_.empty()) {
    std::vector<uint8_t> p;
    u32(p, elements_.size());
    for (const auto& [offset, funcs] : elements_) {
      p.push_back(0x00);  // active, table 0, funcref
      p.push_back(0x41);  // i32.const offset
      s32(p, offset);
      p.push_back(0x0b);
      u32(p, funcs.size());
      for (uint32_t f : funcs) u32(p, f);
    }
    section(out, 9, p);
  }
  if (!funcs_.empty()) {
    std::vector<uint8_t> p;
    u32(p, funcs_.size());
    for (const auto& f : funcs_) {
      std::vector<uint8_t> body;
      body.push_back(0x00);  // no locals
      body.insert(body.end(), f.second.begin(), f.second.end());
      u32(p, body.size());
      p.insert(p.end(), body.begin(), body.end());
    }
    section(out, 10, p);
  }
  return out;
}

std::vector<uint8_t> trampolineBody(const engine::FuncType& type, uint32_t typeIndex,
                                    uint32_t slot) {
  std::vector<uint8_t> code;
  for (uint32_t i = 0; i < type.params.size(); ++i) {
    code.push_back(0x20);  // local.get
    u32(code, i);
  }
  code.push_back(0x41);  // i32.const slot
  s32(code, slot);
  code.push_back(0x11);  // call_indirect type table
  u32(code, typeIndex);
  code.push_back(0x00);
  code.push_back(0x0b);  // end
  return code;
}

Result<std::vector<CustomSectionRef>> customSections(std::span<const uint8_t> m,
                                                     const std::string& where) {
  std::vector<CustomSectionRef> out;
  bool bad = false;
  COMPONO_TRY(walkSections(m, where, [&](uint8_t id, size_t, size_t begin, size_t end) {
    if (id != 0 || bad) return;
    size_t i = begin;
    uint64_t len;
    if (!readU32(m, i, len) || len > end - i) {
      bad = true;
      return;
    }
    CustomSectionRef ref;
    ref.name.assign(reinterpret_cast<const char*>(m.data() + i), len);
    ref.payload.assign(m.begin() + static_cast<std::ptrdiff_t>(i + len),
                       m.begin() + static_cast<std::ptrdiff_t>(end));
    out.push_back(std::move(ref));
  }));
  if (bad) return Error(ErrorCode::kDecode, where + ": malformed custom section name");
  return out;
}

Result<std::vector<uint8_t>> withoutCustomSections(std::span<const uint8_t> m,
                                                   const std::string& prefix,
                                                   const std::string& where) {
  std::vector<uint8_t> out(m.begin(), m.begin() + 8);
  COMPONO_TRY(walkSections(m, where, [&](uint8_t id, size_t start, size_t begin, size_t end) {
    if (id == 0) {
      size_t i = begin;
      uint64_t len;
      if (readU32(m, i, len) && len <= end - i &&
          std::string_view(reinterpret_cast<const char*>(m.data() + i), len)
                  .substr(0, prefix.size()) == prefix) {
        return;
      }
    }
    out.insert(out.end(), m.begin() + static_cast<std::ptrdiff_t>(start),
               m.begin() + static_cast<std::ptrdiff_t>(end));
  }));
  return out;
}

}  // namespace compono::component::componentize

namespace compono::component::componentize {

namespace {

struct Section {
  uint8_t id = 0;
  std::vector<uint8_t> payload;
};

// A bounds-checked reader over one payload.
struct Cursor {
  std::span<const uint8_t> b;
  size_t i = 0;
  bool ok = true;
  uint64_t u() {
    uint64_t v = 0;
    if (!ok || !readU32(b, i, v)) ok = false;
    return v;
  }
  uint8_t byte() {
    if (!ok || i >= b.size()) {
      ok = false;
      return 0;
    }
    return b[i++];
  }
  std::string str() {
    uint64_t n = u();
    if (!ok || n > b.size() - i) {
      ok = false;
      return "";
    }
    std::string s(reinterpret_cast<const char*>(b.data() + i), n);
    i += n;
    return s;
  }
  void limits() {
    uint8_t flags = byte();
    u();
    if (flags & 0x01) u();
  }
};

}  // namespace

Result<std::vector<uint8_t>> injectLazyStack(std::span<const uint8_t> m, const std::string& where) {
  std::vector<Section> sections;
  COMPONO_TRY(walkSections(m, where, [&](uint8_t id, size_t, size_t begin, size_t end) {
    sections.push_back({id, std::vector<uint8_t>(m.begin() + static_cast<std::ptrdiff_t>(begin),
                                                 m.begin() + static_cast<std::ptrdiff_t>(end))});
  }));
  auto bad = [&](const char* what) {
    return Error(ErrorCode::kDecode, where + ": malformed " + std::string(what) + " section");
  };
  Section* types = nullptr;
  Section* funcs = nullptr;
  Section* code = nullptr;
  Section* exports = nullptr;
  std::optional<uint32_t> realloc, stackPointer, allocationState;
  uint32_t importedFuncs = 0;
  for (Section& s : sections) {
    if (s.id == 1) types = &s;
    if (s.id == 3) funcs = &s;
    if (s.id == 10) code = &s;
    if (s.id == 7) exports = &s;
    if (s.id == 2) {
      Cursor c{s.payload};
      uint64_t n = c.u();
      for (uint64_t k = 0; k < n && c.ok; ++k) {
        std::string module = c.str(), name = c.str();
        uint8_t kind = c.byte();
        switch (kind) {
          case 0x00:
            c.u();
            if (module == "__main_module__" && name == "cabi_realloc") realloc = importedFuncs;
            importedFuncs++;
            break;
          case 0x01:
            c.byte();
            c.limits();
            break;
          case 0x02:
            c.limits();
            break;
          case 0x03:
            c.byte();
            c.byte();
            break;
          case 0x04:
            c.byte();
            c.u();
            break;
          default:
            c.ok = false;
        }
      }
      if (!c.ok) return bad("import");
    }
    if (s.id == 0) {
      Cursor c{s.payload};
      if (c.str() != "name") continue;
      while (c.ok && c.i < c.b.size()) {
        uint8_t sub = c.byte();
        uint64_t size = c.u();
        if (!c.ok || size > c.b.size() - c.i) break;
        if (sub == 7) {  // global names
          Cursor g{c.b.subspan(c.i, size)};
          uint64_t n = g.u();
          for (uint64_t k = 0; k < n && g.ok; ++k) {
            uint32_t idx = static_cast<uint32_t>(g.u());
            std::string name = g.str();
            if (name == "__stack_pointer") stackPointer = idx;
            if (name == "allocation_state") allocationState = idx;
          }
        }
        c.i += size;
      }
    }
  }
  if (!realloc || !stackPointer || !allocationState || !types || !funcs || !code || !exports) {
    return std::vector<uint8_t>(m.begin(), m.end());
  }

  // The type () -> ().
  Cursor tc{types->payload};
  uint64_t typeCount = tc.u();
  std::optional<uint32_t> voidType;
  for (uint64_t k = 0; k < typeCount && tc.ok; ++k) {
    if (tc.byte() != 0x60) return bad("type");
    uint64_t np = tc.u();
    for (uint64_t j = 0; j < np; ++j) tc.byte();
    uint64_t nr = tc.u();
    for (uint64_t j = 0; j < nr; ++j) tc.byte();
    if (np == 0 && nr == 0 && !voidType) voidType = static_cast<uint32_t>(k);
  }
  if (!tc.ok) return bad("type");
  if (!voidType) {
    Cursor head{types->payload};
    head.u();
    std::vector<uint8_t> p;
    u32(p, typeCount + 1);
    p.insert(p.end(), types->payload.begin() + static_cast<std::ptrdiff_t>(head.i),
             types->payload.end());
    p.insert(p.end(), {0x60, 0x00, 0x00});
    types->payload = std::move(p);
    voidType = static_cast<uint32_t>(typeCount);
  }

  // The new function, last in the function index space.
  Cursor fc{funcs->payload};
  uint64_t definedFuncs = fc.u();
  if (!fc.ok) return bad("function");
  uint32_t allocateStack = importedFuncs + static_cast<uint32_t>(definedFuncs);
  {
    std::vector<uint8_t> p;
    u32(p, definedFuncs + 1);
    p.insert(p.end(), funcs->payload.begin() + static_cast<std::ptrdiff_t>(fc.i),
             funcs->payload.end());
    u32(p, *voidType);
    funcs->payload = std::move(p);
  }

  // Exported functions call it first.
  std::set<uint32_t> exported;
  Cursor ec{exports->payload};
  uint64_t exportCount = ec.u();
  for (uint64_t k = 0; k < exportCount && ec.ok; ++k) {
    ec.str();
    uint8_t kind = ec.byte();
    uint32_t idx = static_cast<uint32_t>(ec.u());
    if (kind == 0x00 && idx >= importedFuncs) exported.insert(idx);
  }
  if (!ec.ok) return bad("export");

  Cursor cc{code->payload};
  uint64_t bodies = cc.u();
  if (!cc.ok || bodies != definedFuncs) return bad("code");
  std::vector<uint8_t> p;
  u32(p, bodies + 1);
  for (uint64_t k = 0; k < bodies; ++k) {
    uint64_t size = cc.u();
    if (!cc.ok || size > cc.b.size() - cc.i) return bad("code");
    std::span<const uint8_t> body = cc.b.subspan(cc.i, size);
    cc.i += size;
    if (!exported.count(importedFuncs + static_cast<uint32_t>(k))) {
      u32(p, body.size());
      p.insert(p.end(), body.begin(), body.end());
      continue;
    }
    // Skip the local declarations, then insert `call allocate_stack`.
    Cursor lc{body};
    uint64_t groups = lc.u();
    for (uint64_t g = 0; g < groups && lc.ok; ++g) {
      lc.u();
      lc.byte();
    }
    if (!lc.ok) return bad("code");
    std::vector<uint8_t> nb(body.begin(), body.begin() + static_cast<std::ptrdiff_t>(lc.i));
    nb.push_back(0x10);
    u32(nb, allocateStack);
    nb.insert(nb.end(), body.begin() + static_cast<std::ptrdiff_t>(lc.i), body.end());
    u32(p, nb.size());
    p.insert(p.end(), nb.begin(), nb.end());
  }
  // allocate_stack: if allocation_state == 0 { state = 1; sp = realloc(0, 0, 8, 64Ki) + 64Ki;
  // state = 2 } (the adapter's StackUnallocated / StackAllocating / StackAllocated).
  std::vector<uint8_t> f = {0x00};  // no locals
  auto globalGet = [&](uint32_t g) {
    f.push_back(0x23);
    u32(f, g);
  };
  auto globalSet = [&](uint32_t g) {
    f.push_back(0x24);
    u32(f, g);
  };
  auto i32Const = [&](int64_t v) {
    f.push_back(0x41);
    s32(f, v);
  };
  globalGet(*allocationState);
  i32Const(0);
  f.push_back(0x46);                // i32.eq
  f.insert(f.end(), {0x04, 0x40});  // if (no result)
  i32Const(1);
  globalSet(*allocationState);
  i32Const(0);
  i32Const(0);
  i32Const(8);
  i32Const(65536);
  f.push_back(0x10);
  u32(f, *realloc);
  i32Const(65536);
  f.push_back(0x6a);  // i32.add
  globalSet(*stackPointer);
  i32Const(2);
  globalSet(*allocationState);
  f.push_back(0x0b);  // end if
  f.push_back(0x0b);  // end function
  u32(p, f.size());
  p.insert(p.end(), f.begin(), f.end());
  code->payload = std::move(p);

  std::vector<uint8_t> out(m.begin(), m.begin() + 8);
  for (const Section& s : sections) section(out, s.id, s.payload);
  return out;
}

}  // namespace compono::component::componentize
