#include "component/binary/core_scan.h"

#include "component/binary/reader.h"

namespace compono::component::binary {

namespace {

class Scanner {
 public:
  Scanner(std::span<const uint8_t> bytes, uint64_t base, const std::string& file)
      : r_(bytes, base, file), base_(base) {}

  Result<CoreModuleSignature> run() {
    r_.setSection("core module");
    r_.skip(8, "core module preamble");
    while (!r_.failed() && !r_.atEnd()) {
      uint8_t id = r_.u8("section id");
      uint32_t size = r_.u32("section size");
      if (r_.failed()) break;
      if (size > r_.remaining()) {
        r_.fail("core module section size runs past the end of the module");
        break;
      }
      uint64_t end = r_.pos() + size;
      uint64_t moduleEnd = r_.end();
      r_.setEnd(end);
      section(id);
      if (!r_.failed() && r_.pos() != end && id != 0 && id <= 13 && isScanned(id)) {
        r_.fail("core module section size mismatch");
      }
      r_.seek(end);
      r_.setEnd(moduleEnd);
      if (id == 7) break;  // nothing after the export section matters here
    }
    if (r_.failed()) return r_.takeError();
    // Function imports and exports carry their resolved types.
    for (auto& e : sig_.exports) {
      if (e.type.kind == engine::ExternKind::kFunc) {
        if (exportIndex(e) >= funcs_.size()) return bad("export refers to a missing function");
        e.type.func = types_[funcs_[exportIndex(e)]];
      } else if (e.type.kind == engine::ExternKind::kTable) {
        if (exportIndex(e) >= tables_.size()) return bad("export refers to a missing table");
        e.type.table = tables_[exportIndex(e)];
      } else if (e.type.kind == engine::ExternKind::kMemory) {
        if (exportIndex(e) >= memories_.size()) return bad("export refers to a missing memory");
        e.type.memory = memories_[exportIndex(e)];
      } else if (e.type.kind == engine::ExternKind::kGlobal) {
        if (exportIndex(e) >= globals_.size()) return bad("export refers to a missing global");
        e.type.global = globals_[exportIndex(e)];
      } else if (e.type.kind == engine::ExternKind::kTag) {
        if (exportIndex(e) >= tags_.size()) return bad("export refers to a missing tag");
        e.type.func = types_[tags_[exportIndex(e)]];
      }
    }
    return std::move(sig_);
  }

 private:
  static bool isScanned(uint8_t id) {
    return id == 1 || id == 2 || id == 3 || id == 4 || id == 5 || id == 6 || id == 7 || id == 13;
  }

  Error bad(const std::string& what) {
    return Error(ErrorCode::kDecode,
                 r_.file() + ": offset " + hexOffset(base_) + ": section core module: " + what);
  }

  // Export indices are stashed in func.params.size() slot-free storage:
  // we keep them on the side.
  uint32_t exportIndex(const engine::ExportType& e) const {
    return exportIndices_.at(&e - sig_.exports.data());
  }

  engine::ValType valType() {
    uint8_t b = r_.u8("value type");
    switch (b) {
      case 0x7f:
        return engine::ValType::kI32;
      case 0x7e:
        return engine::ValType::kI64;
      case 0x7d:
        return engine::ValType::kF32;
      case 0x7c:
        return engine::ValType::kF64;
      case 0x7b:
        return engine::ValType::kV128;
      case 0x70:
        return engine::ValType::kFuncRef;
      case 0x6f:
        return engine::ValType::kExternRef;
      default:
        if (!r_.failed())
          r_.fail(r_.pos() - 1, "unsupported core value type (GC or other post-0.2 proposal)");
        return engine::ValType::kI32;
    }
  }

  engine::Limits limits() {
    engine::Limits l;
    uint8_t flags = r_.u8("limits");
    if (flags > 0x07) {
      r_.fail(r_.pos() - 1, "unsupported limits flags (custom page sizes?)");
      return l;
    }
    l.shared = flags & 2;
    l.is64 = flags & 4;
    l.min = l.is64 ? r_.u64("limit") : r_.u32("limit");
    if (flags & 1) l.max = l.is64 ? r_.u64("limit") : r_.u32("limit");
    return l;
  }

  engine::TableType tableType() {
    engine::TableType t;
    t.element = valType();
    t.limits = limits();
    return t;
  }

  engine::GlobalType globalType() {
    engine::GlobalType g;
    g.type = valType();
    g.mutable_ = r_.u8("mutability") == 1;
    return g;
  }

  void skipConstExpr() {
    while (!r_.failed()) {
      uint8_t op = r_.u8("constant expression");
      switch (op) {
        case 0x0b:
          return;
        case 0x41:
          r_.sleb(32, "i32.const");
          break;
        case 0x42:
          r_.sleb(64, "i64.const");
          break;
        case 0x43:
          r_.skip(4, "f32.const");
          break;
        case 0x44:
          r_.skip(8, "f64.const");
          break;
        case 0x23:
          r_.u32("global.get");
          break;
        case 0xd2:
          r_.u32("ref.func");
          break;
        case 0xd0:
          r_.u8("ref.null type");
          break;
        case 0x6a:
        case 0x6b:
        case 0x6c:
        case 0x7c:
        case 0x7d:
        case 0x7e:
          break;
        case 0xfd:
          if (r_.u32("simd opcode") != 12) {
            r_.fail("unsupported instruction in a constant expression");
            return;
          }
          r_.skip(16, "v128.const");
          break;
        default:
          r_.fail(r_.pos() - 1, "unsupported instruction in a constant expression");
          return;
      }
    }
  }

  void section(uint8_t id) {
    switch (id) {
      case 1: {
        uint32_t n = r_.count("types");
        for (uint32_t i = 0; i < n && !r_.failed(); ++i) {
          uint8_t form = r_.u8("type form");
          if (form != 0x60) {
            if (!r_.failed()) r_.fail(r_.pos() - 1, "unsupported core type form (GC proposal)");
            return;
          }
          engine::FuncType ft;
          uint32_t np = r_.count("params");
          for (uint32_t k = 0; k < np && !r_.failed(); ++k) ft.params.push_back(valType());
          uint32_t nr = r_.count("results");
          for (uint32_t k = 0; k < nr && !r_.failed(); ++k) ft.results.push_back(valType());
          types_.push_back(std::move(ft));
        }
        return;
      }
      case 2: {
        uint32_t n = r_.count("imports");
        for (uint32_t i = 0; i < n && !r_.failed(); ++i) {
          engine::ImportType im;
          im.module = r_.name("import module");
          im.name = r_.name("import name");
          uint8_t kind = r_.u8("import kind");
          switch (kind) {
            case 0x00: {
              uint32_t t = r_.u32("type index");
              if (t >= types_.size()) {
                if (!r_.failed()) r_.fail("import refers to a missing type");
                return;
              }
              im.type.kind = engine::ExternKind::kFunc;
              im.type.func = types_[t];
              funcs_.push_back(t);
              break;
            }
            case 0x01:
              im.type.kind = engine::ExternKind::kTable;
              im.type.table = tableType();
              tables_.push_back(im.type.table);
              break;
            case 0x02:
              im.type.kind = engine::ExternKind::kMemory;
              im.type.memory.limits = limits();
              memories_.push_back(im.type.memory);
              break;
            case 0x03:
              im.type.kind = engine::ExternKind::kGlobal;
              im.type.global = globalType();
              globals_.push_back(im.type.global);
              break;
            case 0x04: {
              r_.u8("tag attribute");
              uint32_t t = r_.u32("type index");
              if (t >= types_.size()) {
                if (!r_.failed()) r_.fail("import refers to a missing type");
                return;
              }
              im.type.kind = engine::ExternKind::kTag;
              im.type.func = types_[t];
              tags_.push_back(t);
              break;
            }
            default:
              if (!r_.failed()) r_.fail(r_.pos() - 1, "invalid core import kind");
              return;
          }
          sig_.imports.push_back(std::move(im));
        }
        return;
      }
      case 3: {
        uint32_t n = r_.count("functions");
        for (uint32_t i = 0; i < n && !r_.failed(); ++i) {
          uint32_t t = r_.u32("type index");
          if (t >= types_.size()) {
            if (!r_.failed()) r_.fail("function refers to a missing type");
            return;
          }
          funcs_.push_back(t);
        }
        return;
      }
      case 4: {
        uint32_t n = r_.count("tables");
        for (uint32_t i = 0; i < n && !r_.failed(); ++i) {
          if (r_.peek() == 0x40) {
            r_.fail("tables with initializers (function references proposal) are not supported");
            return;
          }
          tables_.push_back(tableType());
        }
        return;
      }
      case 5: {
        uint32_t n = r_.count("memories");
        for (uint32_t i = 0; i < n && !r_.failed(); ++i) {
          engine::MemoryType m;
          m.limits = limits();
          memories_.push_back(m);
        }
        return;
      }
      case 6: {
        uint32_t n = r_.count("globals");
        for (uint32_t i = 0; i < n && !r_.failed(); ++i) {
          globals_.push_back(globalType());
          skipConstExpr();
        }
        return;
      }
      case 13: {
        uint32_t n = r_.count("tags");
        for (uint32_t i = 0; i < n && !r_.failed(); ++i) {
          r_.u8("tag attribute");
          uint32_t t = r_.u32("type index");
          if (t >= types_.size()) {
            if (!r_.failed()) r_.fail("tag refers to a missing type");
            return;
          }
          tags_.push_back(t);
        }
        return;
      }
      case 7: {
        uint32_t n = r_.count("exports");
        for (uint32_t i = 0; i < n && !r_.failed(); ++i) {
          engine::ExportType e;
          e.name = r_.name("export name");
          uint8_t kind = r_.u8("export kind");
          switch (kind) {
            case 0:
              e.type.kind = engine::ExternKind::kFunc;
              break;
            case 1:
              e.type.kind = engine::ExternKind::kTable;
              break;
            case 2:
              e.type.kind = engine::ExternKind::kMemory;
              break;
            case 3:
              e.type.kind = engine::ExternKind::kGlobal;
              break;
            case 4:
              e.type.kind = engine::ExternKind::kTag;
              break;
            default:
              if (!r_.failed()) r_.fail(r_.pos() - 1, "invalid core export kind");
              return;
          }
          exportIndices_.push_back(r_.u32("export index"));
          sig_.exports.push_back(std::move(e));
        }
        return;
      }
      default:
        return;
    }
  }

  Reader r_;
  uint64_t base_;
  CoreModuleSignature sig_;
  std::vector<engine::FuncType> types_;
  std::vector<uint32_t> funcs_;
  std::vector<engine::TableType> tables_;
  std::vector<engine::MemoryType> memories_;
  std::vector<engine::GlobalType> globals_;
  std::vector<uint32_t> tags_;
  std::vector<uint32_t> exportIndices_;
};

}  // namespace

Result<CoreModuleSignature> scanCoreModule(std::span<const uint8_t> bytes, uint64_t base,
                                           const std::string& file) {
  Scanner s(bytes, base, file);
  return s.run();
}

}  // namespace compono::component::binary
