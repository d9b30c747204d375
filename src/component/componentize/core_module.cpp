// Core module building and custom-section surgery. Spec: WebAssembly 1.0
// binary format (sections 5.5.x).
#include "component/componentize/core_module.h"

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
