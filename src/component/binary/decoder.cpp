// Component binary decoder (Binary.md, version 0x0d): bytes -> AST.
//
// One Decoder walks the outermost component and, recursively, nested
// components, with one sticky-error Reader. Post-0.2 features are decode
// errors that name the feature (see featureOfTypeOpcode and friends).
#include <cstdio>

#include "component/binary/reader.h"
#include "compono/component/binary.h"
#include "compono/engine/module.h"

namespace compono::component {

using binary::hexOffset;
using binary::Reader;

namespace {

std::string hexByte(uint8_t b) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%02x", b);
  return buf;
}

// What a defvaltype/deftype opcode means when Compono does not support it.
const char* unsupportedTypeOpcode(uint8_t op) {
  switch (op) {
    case 0x6c:
      return "union types (removed from the component model)";
    case 0x67:
      return "fixed-length lists (post-0.2)";
    case 0x66:
      return "stream types (async, post-0.2)";
    case 0x65:
      return "future types (async, post-0.2)";
    case 0x64:
      return "error-context (async, post-0.2)";
    case 0x63:
      return "map types (post-0.2)";
    case 0x43:
      return "async function types (async, post-0.2)";
    case 0x3e:
      return "resources with async destructors (async, post-0.2)";
    default:
      return nullptr;
  }
}

// What a canon opcode means when Compono does not support it.
const char* unsupportedCanonOpcode(uint8_t op) {
  switch (op) {
    case 0x05:
      return "task.cancel (async, post-0.2)";
    case 0x06:
      return "subtask.cancel (async, post-0.2)";
    case 0x07:
      return "resource.drop async (async, post-0.2)";
    case 0x08:
      return "backpressure.set (async, post-0.2)";
    case 0x09:
      return "task.return (async, post-0.2)";
    case 0x0a:
      return "context.get (async, post-0.2)";
    case 0x0b:
      return "context.set (async, post-0.2)";
    case 0x0c:
      return "yield (async, post-0.2)";
    case 0x0d:
      return "subtask.drop (async, post-0.2)";
    case 0x0e:
      return "stream.new (async, post-0.2)";
    case 0x0f:
      return "stream.read (async, post-0.2)";
    case 0x10:
      return "stream.write (async, post-0.2)";
    case 0x11:
      return "stream.cancel-read (async, post-0.2)";
    case 0x12:
      return "stream.cancel-write (async, post-0.2)";
    case 0x13:
      return "stream.drop-readable (async, post-0.2)";
    case 0x14:
      return "stream.drop-writable (async, post-0.2)";
    case 0x15:
      return "future.new (async, post-0.2)";
    case 0x16:
      return "future.read (async, post-0.2)";
    case 0x17:
      return "future.write (async, post-0.2)";
    case 0x18:
      return "future.cancel-read (async, post-0.2)";
    case 0x19:
      return "future.cancel-write (async, post-0.2)";
    case 0x1a:
      return "future.drop-readable (async, post-0.2)";
    case 0x1b:
      return "future.drop-writable (async, post-0.2)";
    case 0x1c:
      return "error-context.new (error-context, post-0.2)";
    case 0x1d:
      return "error-context.debug-message (error-context, post-0.2)";
    case 0x1e:
      return "error-context.drop (error-context, post-0.2)";
    case 0x1f:
      return "waitable-set.new (async, post-0.2)";
    case 0x20:
      return "waitable-set.wait (async, post-0.2)";
    case 0x21:
      return "waitable-set.poll (async, post-0.2)";
    case 0x22:
      return "waitable-set.drop (async, post-0.2)";
    case 0x23:
      return "waitable.join (async, post-0.2)";
    case 0x24:
      return "backpressure.inc (async, post-0.2)";
    case 0x25:
      return "backpressure.dec (async, post-0.2)";
    case 0x26:
      return "thread.index (threads, post-0.2)";
    case 0x27:
      return "thread.new-indirect (threads, post-0.2)";
    case 0x40:
      return "thread.spawn-ref (shared-everything threads, post-0.2)";
    case 0x41:
      return "thread.spawn-indirect (shared-everything threads, post-0.2)";
    case 0x42:
      return "thread.available-parallelism (shared-everything threads, post-0.2)";
    default:
      return nullptr;
  }
}

std::optional<PrimValType> primFromOpcode(uint8_t op) {
  if (op < 0x73 || op > 0x7f) return std::nullopt;
  return static_cast<PrimValType>(0x7f - op);
}

class Decoder {
 public:
  Decoder(std::shared_ptr<const std::vector<uint8_t>> buffer, const std::string& name,
          const DecodeOptions& options)
      : buffer_(std::move(buffer)),
        r_(std::span<const uint8_t>(*buffer_), 0, name),
        options_(options) {}

  Result<Component> run() {
    Component c = component(0, buffer_->size(), 0);
    if (r_.failed()) return r_.takeError();
    return c;
  }

 private:
  // ---- structure ---------------------------------------------------------------

  Component component(uint64_t begin, uint64_t end, uint32_t depth) {
    Component c;
    c.offset = begin;
    c.size = end - begin;
    r_.seek(begin);
    r_.setEnd(end);
    r_.setSection("preamble");
    if (depth > options_.maxDepth) {
      r_.fail("components nested more than " + std::to_string(options_.maxDepth) + " deep");
      return c;
    }
    if (end - begin < 8) {
      r_.fail(end - begin < 4 ? "not a WebAssembly binary (shorter than the 8-byte preamble)"
                              : "truncated preamble (" + std::to_string(end - begin) + " bytes)");
      return c;
    }
    const uint8_t* p = buffer_->data() + begin;
    if (!(p[0] == 0 && p[1] == 'a' && p[2] == 's' && p[3] == 'm')) {
      r_.fail("not a WebAssembly binary (missing \\0asm magic)");
      return c;
    }
    uint16_t version = p[4] | (p[5] << 8);
    uint16_t layer = p[6] | (p[7] << 8);
    if (layer != kComponentLayer) {
      r_.fail(begin + 6, layer == 0 ? "this is a core module, not a component (layer 0)"
                                    : "unknown binary layer " + std::to_string(layer));
      return c;
    }
    if (version != kComponentVersion) {
      r_.fail(begin + 4, "unsupported component binary version " + hexOffset(version) +
                             " (Compono reads version 0x0d, Component Model 0.2)");
      return c;
    }
    r_.seek(begin + 8);
    while (!r_.failed() && r_.pos() < end) {
      uint64_t sectionStart = r_.pos();
      r_.setSection("header");
      uint8_t id = r_.u8("section id");
      uint32_t size = r_.u32("section size");
      if (r_.failed()) break;
      if (size > end - r_.pos()) {
        r_.fail(sectionStart, "section size " + std::to_string(size) + " runs past the end (" +
                                  std::to_string(end - r_.pos()) + " bytes left)");
        break;
      }
      uint64_t payload = r_.pos();
      uint64_t sectionEnd = payload + size;
      if (id > 11) {
        r_.fail(sectionStart, id == 12 ? "value section (component model values, post-0.2)"
                                       : "unknown section id " + std::to_string(id));
        break;
      }
      SectionId sid = static_cast<SectionId>(id);
      r_.setSection(sectionName(sid));
      r_.setEnd(sectionEnd);
      SectionSpan span;
      span.id = sid;
      span.offset = sectionStart;
      span.size = size;
      span.first = static_cast<uint32_t>(c.definitions.size());
      section(c, sid, payload, sectionEnd, depth);
      if (r_.failed()) break;
      // A nested component resets the reader's bounds: restore them.
      r_.setEnd(sectionEnd);
      r_.setSection(sectionName(sid));
      if (r_.pos() != sectionEnd) {
        r_.fail("unexpected data at the end of the section (" +
                std::to_string(sectionEnd - r_.pos()) + " bytes left)");
        break;
      }
      span.count = static_cast<uint32_t>(c.definitions.size()) - span.first;
      c.sections.push_back(span);
      r_.setEnd(end);
    }
    return c;
  }

  void section(Component& c, SectionId id, uint64_t payload, uint64_t sectionEnd, uint32_t depth) {
    switch (id) {
      case SectionId::kCustom: {
        CustomSection s;
        s.name = r_.name("custom section name");
        s.buffer = buffer_;
        s.begin = r_.pos();
        s.size = sectionEnd - r_.pos();
        r_.seek(sectionEnd);
        if (!r_.failed()) c.add(std::move(s), payload);
        return;
      }
      case SectionId::kCoreModule: {
        CoreModule m;
        m.buffer = buffer_;
        m.begin = payload;
        m.size = sectionEnd - payload;
        const uint8_t* p = buffer_->data() + payload;
        if (m.size < 8 || !(p[0] == 0 && p[1] == 'a' && p[2] == 's' && p[3] == 'm')) {
          r_.fail(payload, "the core module does not start with the \\0asm preamble");
          return;
        }
        if (p[4] != 1 || p[5] != 0 || p[6] != 0 || p[7] != 0) {
          r_.fail(payload + 4, "the core module has version " +
                                   hexOffset(p[4] | (p[5] << 8) | (p[6] << 16) |
                                             (static_cast<uint32_t>(p[7]) << 24)) +
                                   " (expected 1; a component belongs in a component section)");
          return;
        }
        r_.seek(sectionEnd);
        c.add(std::move(m), payload);
        return;
      }
      case SectionId::kComponent: {
        NestedComponent nested(component(payload, sectionEnd, depth + 1));
        if (r_.failed()) return;
        r_.seek(sectionEnd);
        c.add(std::move(nested), payload);
        return;
      }
      case SectionId::kStart: {
        uint64_t at = r_.pos();
        Start s;
        s.func = r_.u32("start function index");
        uint32_t n = r_.count("start arguments");
        for (uint32_t i = 0; i < n && !r_.failed(); ++i) s.args.push_back(r_.u32("start argument"));
        s.results = r_.u32("start result count");
        if (r_.failed()) return;
        if (!s.args.empty() || s.results != 0) {
          r_.fail(at,
                  "start function with value arguments or results (component model values, "
                  "post-0.2)");
          return;
        }
        c.add(std::move(s), at);
        return;
      }
      default:
        break;
    }
    // Vector sections.
    uint32_t n = r_.count("section entry count");
    for (uint32_t i = 0; i < n && !r_.failed(); ++i) {
      uint64_t at = r_.pos();
      switch (id) {
        case SectionId::kCoreInstance: {
          CoreInstance ci = coreInstance();
          if (!r_.failed()) c.add(std::move(ci), at);
          break;
        }
        case SectionId::kCoreType: {
          CoreTypeDef t = coreType(depth);
          if (!r_.failed()) c.add(std::move(t), at);
          break;
        }
        case SectionId::kInstance: {
          Instance inst = instance();
          if (!r_.failed()) c.add(std::move(inst), at);
          break;
        }
        case SectionId::kAlias: {
          Alias a = alias();
          if (!r_.failed()) c.add(std::move(a), at);
          break;
        }
        case SectionId::kType: {
          TypeDef t = typeDef(depth);
          if (!r_.failed()) c.add(std::move(t), at);
          break;
        }
        case SectionId::kCanon: {
          Canon cn = canon();
          if (!r_.failed()) c.add(std::move(cn), at);
          break;
        }
        case SectionId::kImport: {
          Import im;
          im.name = externName("import name");
          im.desc = externDesc();
          if (!r_.failed()) c.add(std::move(im), at);
          break;
        }
        case SectionId::kExport: {
          Export ex;
          ex.name = externName("export name");
          ex.item = sortIndex();
          uint8_t has = r_.u8("export type flag");
          if (has == 0x01) {
            ex.ascribed = externDesc();
          } else if (has != 0x00 && !r_.failed()) {
            r_.fail(r_.pos() - 1,
                    "invalid export type flag " + hexByte(has) + " (expected 0x00 or 0x01)");
          }
          if (!r_.failed()) c.add(std::move(ex), at);
          break;
        }
        default:
          break;
      }
    }
  }

  // ---- shared pieces ---------------------------------------------------------------

  ExternName externName(const char* what) {
    ExternName n;
    uint64_t at = r_.pos();
    n.discriminator = r_.u8(what);
    if (r_.failed()) return n;
    if (n.discriminator == 0x02) {
      r_.fail(at, std::string(what) + " with options (`implements`/version suffix, post-0.2)");
      return n;
    }
    if (n.discriminator > 0x01) {
      r_.fail(at, std::string("invalid leading byte ") + hexByte(n.discriminator) + " for " + what);
      return n;
    }
    n.name = r_.name(what);
    return n;
  }

  Sort coreSortByte(uint8_t b, uint64_t at) {
    switch (b) {
      case 0x00:
        return Sort::kCoreFunc;
      case 0x01:
        return Sort::kCoreTable;
      case 0x02:
        return Sort::kCoreMemory;
      case 0x03:
        return Sort::kCoreGlobal;
      case 0x04:
        return Sort::kCoreTag;
      case 0x10:
        return Sort::kCoreType;
      case 0x11:
        return Sort::kCoreModule;
      case 0x12:
        return Sort::kCoreInstance;
      default:
        r_.fail(at, "invalid core sort " + hexByte(b));
        return Sort::kCoreFunc;
    }
  }

  Sort sort() {
    uint64_t at = r_.pos();
    uint8_t b = r_.u8("sort");
    if (r_.failed()) return Sort::kFunc;
    switch (b) {
      case 0x00: {
        uint64_t at2 = r_.pos();
        return coreSortByte(r_.u8("core sort"), at2);
      }
      case 0x01:
        return Sort::kFunc;
      case 0x02:
        r_.fail(at, "the value sort (component model values, post-0.2)");
        return Sort::kValue;
      case 0x03:
        return Sort::kType;
      case 0x04:
        return Sort::kComponent;
      case 0x05:
        return Sort::kInstance;
      default:
        r_.fail(at, "invalid sort " + hexByte(b));
        return Sort::kFunc;
    }
  }

  SortIndex sortIndex() {
    SortIndex s;
    s.sort = sort();
    s.index = r_.u32("index");
    return s;
  }

  // ---- core instances and types ---------------------------------------------------

  CoreInstance coreInstance() {
    CoreInstance ci;
    uint64_t at = r_.pos();
    uint8_t kind = r_.u8("core instance kind");
    if (r_.failed()) return ci;
    if (kind == 0x00) {
      ci.kind = CoreInstance::Kind::kInstantiate;
      ci.module = r_.u32("module index");
      uint32_t n = r_.count("instantiation arguments", 3);
      for (uint32_t i = 0; i < n && !r_.failed(); ++i) {
        CoreInstantiateArg a;
        a.name = r_.name("instantiation argument name");
        uint64_t sat = r_.pos();
        uint8_t s = r_.u8("instantiation argument sort");
        if (!r_.failed() && s != 0x12) {
          r_.fail(sat, "invalid core instantiation argument sort " + hexByte(s) +
                           " (only instances, 0x12)");
        }
        a.instance = r_.u32("instance index");
        ci.args.push_back(std::move(a));
      }
    } else if (kind == 0x01) {
      ci.kind = CoreInstance::Kind::kFromExports;
      uint32_t n = r_.count("core instance exports", 3);
      for (uint32_t i = 0; i < n && !r_.failed(); ++i) {
        CoreInlineExport e;
        e.name = r_.name("export name");
        uint64_t sat = r_.pos();
        e.item.sort = coreSortByte(r_.u8("core sort"), sat);
        e.item.index = r_.u32("index");
        ci.exports.push_back(std::move(e));
      }
    } else {
      r_.fail(at, "invalid core instance kind " + hexByte(kind));
    }
    return ci;
  }

  engine::ValType coreValType() {
    uint64_t at = r_.pos();
    uint8_t b = r_.u8("core value type");
    if (r_.failed()) return engine::ValType::kI32;
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
      case 0x63:
      case 0x64:
      case 0x6e:
      case 0x6d:
      case 0x6c:
      case 0x6b:
      case 0x6a:
      case 0x71:
      case 0x72:
      case 0x73:
      case 0x74:
      case 0x69:
        r_.fail(at, "core reference type " + hexByte(b) + " (GC proposal, post-0.2)");
        return engine::ValType::kI32;
      default:
        r_.fail(at, "invalid core value type " + hexByte(b));
        return engine::ValType::kI32;
    }
  }

  engine::FuncType coreFuncType() {
    engine::FuncType ft;
    uint32_t n = r_.count("core function parameters");
    for (uint32_t i = 0; i < n && !r_.failed(); ++i) ft.params.push_back(coreValType());
    n = r_.count("core function results");
    for (uint32_t i = 0; i < n && !r_.failed(); ++i) ft.results.push_back(coreValType());
    return ft;
  }

  engine::Limits limits(bool isMemory) {
    engine::Limits l;
    uint64_t at = r_.pos();
    uint8_t flags = r_.u8("limits flags");
    if (r_.failed()) return l;
    if (flags & 0x08) {
      r_.fail(at, "custom page sizes (post-0.2)");
      return l;
    }
    if (flags > 0x07) {
      r_.fail(at, "invalid limits flags " + hexByte(flags));
      return l;
    }
    l.shared = flags & 0x02;
    l.is64 = flags & 0x04;
    if (l.shared && !isMemory) {
      r_.fail(at, "shared tables (shared-everything threads, post-0.2)");
      return l;
    }
    l.min = l.is64 ? r_.u64("minimum") : r_.u32("minimum");
    if (flags & 0x01) l.max = l.is64 ? r_.u64("maximum") : r_.u32("maximum");
    return l;
  }

  CoreExternDesc coreExternDesc() {
    CoreExternDesc d;
    uint64_t at = r_.pos();
    uint8_t kind = r_.u8("core import kind");
    if (r_.failed()) return d;
    switch (kind) {
      case 0x00:
        d.kind = engine::ExternKind::kFunc;
        d.typeIndex = r_.u32("type index");
        break;
      case 0x01:
        d.kind = engine::ExternKind::kTable;
        d.table.element = coreValType();
        if (!r_.failed() && d.table.element != engine::ValType::kFuncRef &&
            d.table.element != engine::ValType::kExternRef) {
          r_.fail(at + 1, "table element type must be a reference type");
        }
        d.table.limits = limits(false);
        break;
      case 0x02:
        d.kind = engine::ExternKind::kMemory;
        d.memory.limits = limits(true);
        break;
      case 0x03: {
        d.kind = engine::ExternKind::kGlobal;
        d.global.type = coreValType();
        uint64_t mat = r_.pos();
        uint8_t m = r_.u8("global mutability");
        if (!r_.failed() && m > 1) r_.fail(mat, "invalid global mutability " + hexByte(m));
        d.global.mutable_ = m == 1;
        break;
      }
      case 0x04: {
        d.kind = engine::ExternKind::kTag;
        uint64_t aat = r_.pos();
        uint8_t attr = r_.u8("tag attribute");
        if (!r_.failed() && attr != 0) r_.fail(aat, "invalid tag attribute " + hexByte(attr));
        d.typeIndex = r_.u32("type index");
        break;
      }
      default:
        r_.fail(at, "invalid core import kind " + hexByte(kind));
        break;
    }
    return d;
  }

  CoreTypeDef coreType(uint32_t depth) {
    CoreTypeDef t;
    uint64_t at = r_.pos();
    uint8_t b = r_.u8("core type");
    if (r_.failed()) return t;
    if (b == 0x60) {
      t.type = coreFuncType();
      return t;
    }
    if (b == 0x50) {
      t.type = moduleType(depth + 1);
      return t;
    }
    if (b == 0x00 || b == 0x4e || b == 0x4f || b == 0x5e || b == 0x5f) {
      r_.fail(at, "GC core type " + hexByte(b) + " (rec/sub/struct/array: GC proposal, post-0.2)");
      return t;
    }
    r_.fail(at, "invalid leading byte " + hexByte(b) + " for core type");
    return t;
  }

  CoreModuleType moduleType(uint32_t depth) {
    CoreModuleType mt;
    if (depth > options_.maxDepth) {
      r_.fail("types nested more than " + std::to_string(options_.maxDepth) + " deep");
      return mt;
    }
    uint32_t n = r_.count("module type declarations");
    for (uint32_t i = 0; i < n && !r_.failed(); ++i) {
      ModuleDecl d;
      d.offset = r_.pos();
      uint8_t kind = r_.u8("module type declaration");
      if (r_.failed()) break;
      switch (kind) {
        case 0x00: {
          CoreImportDecl im;
          im.module = r_.name("import module name");
          im.name = r_.name("import name");
          im.desc = coreExternDesc();
          d.item = std::move(im);
          break;
        }
        case 0x01: {
          std::vector<CoreTypeDef> v;
          v.push_back(coreType(depth));
          d.item = std::move(v);
          break;
        }
        case 0x02: {
          CoreOuterAlias a;
          uint64_t sat = r_.pos();
          a.sort = coreSortByte(r_.u8("core sort"), sat);
          uint64_t tat = r_.pos();
          uint8_t target = r_.u8("alias target");
          if (!r_.failed() && target != 0x01) {
            r_.fail(tat, "invalid alias target " + hexByte(target) +
                             " in a module type (only outer aliases, 0x01)");
          }
          a.count = r_.u32("outer count");
          a.index = r_.u32("outer index");
          d.item = a;
          break;
        }
        case 0x03: {
          CoreExportDecl e;
          e.name = r_.name("export name");
          e.desc = coreExternDesc();
          d.item = std::move(e);
          break;
        }
        default:
          r_.fail(d.offset, "invalid module type declaration kind " + hexByte(kind));
          break;
      }
      if (!r_.failed()) mt.decls.push_back(std::move(d));
    }
    return mt;
  }

  // ---- component types -------------------------------------------------------------

  ValType valType() {
    ValType v;
    uint64_t at = r_.pos();
    auto b = r_.peek();
    if (!b) {
      r_.u8("value type");  // reports the truncation
      return v;
    }
    if (auto p = primFromOpcode(*b)) {
      r_.u8("value type");
      return ValType::primitive(*p);
    }
    int64_t x = r_.sleb(33, "value type");
    if (r_.failed()) return v;
    if (x < 0) {
      if (const char* what = unsupportedTypeOpcode(*b)) {
        r_.fail(at, what);
      } else {
        r_.fail(at, "invalid value type opcode " + hexByte(*b));
      }
      return v;
    }
    return ValType::typeIndex(static_cast<uint32_t>(x));
  }

  std::string label(const char* what) { return r_.name(what); }

  std::vector<std::string> labels(const char* what) {
    std::vector<std::string> out;
    uint32_t n = r_.count(what);
    for (uint32_t i = 0; i < n && !r_.failed(); ++i) out.push_back(label(what));
    return out;
  }

  std::optional<ValType> optionalValType(const char* what) {
    uint64_t at = r_.pos();
    uint8_t b = r_.u8(what);
    if (r_.failed()) return std::nullopt;
    if (b == 0x00) return std::nullopt;
    if (b == 0x01) return valType();
    r_.fail(at, "invalid leading byte " + hexByte(b) + " for " + what + " (expected 0x00 or 0x01)");
    return std::nullopt;
  }

  std::optional<uint32_t> optionalU32(const char* what) {
    uint64_t at = r_.pos();
    uint8_t b = r_.u8(what);
    if (r_.failed()) return std::nullopt;
    if (b == 0x00) return std::nullopt;
    if (b == 0x01) return r_.u32(what);
    r_.fail(at, "invalid leading byte " + hexByte(b) + " for " + what + " (expected 0x00 or 0x01)");
    return std::nullopt;
  }

  FuncType funcType() {
    FuncType ft;
    uint32_t n = r_.count("function parameters", 2);
    for (uint32_t i = 0; i < n && !r_.failed(); ++i) {
      LabeledValType p;
      p.label = label("parameter name");
      p.type = valType();
      ft.params.push_back(std::move(p));
    }
    uint64_t at = r_.pos();
    uint8_t b = r_.u8("function results");
    if (r_.failed()) return ft;
    if (b == 0x00) {
      ft.result = valType();
    } else if (b == 0x01) {
      uint64_t cat = r_.pos();
      uint8_t count = r_.u8("number of results");
      if (!r_.failed() && count != 0x00) {
        r_.fail(cat, "invalid leading byte " + hexByte(count) +
                         " for number of results (named results were removed from the "
                         "component model)");
      }
    } else {
      r_.fail(at, "invalid leading byte " + hexByte(b) + " for component function results");
    }
    return ft;
  }

  TypeDef typeDef(uint32_t depth) {
    TypeDef t;
    uint64_t at = r_.pos();
    uint8_t b = r_.u8("type");
    if (r_.failed()) return t;
    if (auto p = primFromOpcode(b)) {
      t.kind = *p;
      return t;
    }
    switch (b) {
      case 0x72: {
        RecordType rt;
        uint32_t n = r_.count("record fields", 2);
        for (uint32_t i = 0; i < n && !r_.failed(); ++i) {
          LabeledValType f;
          f.label = label("field name");
          f.type = valType();
          rt.fields.push_back(std::move(f));
        }
        t.kind = std::move(rt);
        return t;
      }
      case 0x71: {
        VariantType vt;
        uint32_t n = r_.count("variant cases", 3);
        for (uint32_t i = 0; i < n && !r_.failed(); ++i) {
          VariantCase c;
          c.label = label("case name");
          c.type = optionalValType("case type");
          uint64_t rat = r_.pos();
          uint8_t refines = r_.u8("case refinement");
          if (!r_.failed() && refines != 0x00) {
            r_.fail(rat, refines == 0x01
                             ? "variant case `refines` (removed from the component model)"
                             : "invalid leading byte " + hexByte(refines) + " for variant case");
          }
          vt.cases.push_back(std::move(c));
        }
        t.kind = std::move(vt);
        return t;
      }
      case 0x70:
        t.kind = ListType{valType()};
        return t;
      case 0x6f: {
        TupleType tt;
        uint32_t n = r_.count("tuple types");
        for (uint32_t i = 0; i < n && !r_.failed(); ++i) tt.types.push_back(valType());
        t.kind = std::move(tt);
        return t;
      }
      case 0x6e:
        t.kind = FlagsType{labels("flag names")};
        return t;
      case 0x6d:
        t.kind = EnumType{labels("enum case names")};
        return t;
      case 0x6b:
        t.kind = OptionType{valType()};
        return t;
      case 0x6a: {
        ResultType rt;
        rt.ok = optionalValType("result ok type");
        rt.err = optionalValType("result error type");
        t.kind = rt;
        return t;
      }
      case 0x69:
        t.kind = OwnType{r_.u32("resource type index")};
        return t;
      case 0x68:
        t.kind = BorrowType{r_.u32("resource type index")};
        return t;
      case 0x40:
        t.kind = funcType();
        return t;
      case 0x41: {
        ComponentType ct;
        ct.decls = typeDecls(depth + 1, true);
        t.kind = std::move(ct);
        return t;
      }
      case 0x42: {
        InstanceType it;
        it.decls = typeDecls(depth + 1, false);
        t.kind = std::move(it);
        return t;
      }
      case 0x3f: {
        uint64_t rat = r_.pos();
        uint8_t rep = r_.u8("resource representation");
        if (!r_.failed() && rep != 0x7f) {
          r_.fail(rat, "invalid resource representation " + hexByte(rep) + " (only i32, 0x7f)");
        }
        ResourceType res;
        res.dtor = optionalU32("resource destructor");
        t.kind = res;
        return t;
      }
      default:
        break;
    }
    if (const char* what = unsupportedTypeOpcode(b)) {
      r_.fail(at, what);
    } else {
      r_.fail(at, "invalid leading byte " + hexByte(b) + " for a type definition");
    }
    return t;
  }

  std::vector<TypeDecl> typeDecls(uint32_t depth, bool component) {
    std::vector<TypeDecl> out;
    if (depth > options_.maxDepth) {
      r_.fail("types nested more than " + std::to_string(options_.maxDepth) + " deep");
      return out;
    }
    uint32_t n = r_.count(component ? "component type declarations" : "instance type declarations");
    for (uint32_t i = 0; i < n && !r_.failed(); ++i) {
      TypeDecl d;
      d.offset = r_.pos();
      uint8_t kind = r_.u8("declaration kind");
      if (r_.failed()) break;
      switch (kind) {
        case 0x00:
          d.item = coreType(depth);
          break;
        case 0x01:
          d.item = typeDef(depth);
          break;
        case 0x02:
          d.item = alias();
          break;
        case 0x03:
          if (!component) {
            r_.fail(d.offset,
                    "an import declaration in an instance type (only component types "
                    "have imports)");
            break;
          }
          {
            ImportDecl im;
            im.name = externName("import name");
            im.desc = externDesc();
            d.item = std::move(im);
          }
          break;
        case 0x04: {
          ExportDecl ex;
          ex.name = externName("export name");
          ex.desc = externDesc();
          d.item = std::move(ex);
          break;
        }
        default:
          r_.fail(d.offset, "invalid leading byte " + hexByte(kind) + " for " +
                                (component ? "a component" : "an instance") + " type declaration");
          break;
      }
      if (!r_.failed()) out.push_back(std::move(d));
    }
    return out;
  }

  ExternDesc externDesc() {
    ExternDesc d;
    uint64_t at = r_.pos();
    uint8_t kind = r_.u8("extern kind");
    if (r_.failed()) return d;
    switch (kind) {
      case 0x00: {
        uint64_t mat = r_.pos();
        uint8_t m = r_.u8("core module kind");
        if (!r_.failed() && m != 0x11) {
          r_.fail(mat, "invalid core extern kind " + hexByte(m) + " (only core modules, 0x11)");
        }
        d.kind = ExternKind::kCoreModule;
        d.typeIndex = r_.u32("core type index");
        break;
      }
      case 0x01:
        d.kind = ExternKind::kFunc;
        d.typeIndex = r_.u32("type index");
        break;
      case 0x02:
        d.kind = ExternKind::kValue;
        r_.fail(at, "value imports and exports (component model values, post-0.2)");
        break;
      case 0x03: {
        d.kind = ExternKind::kType;
        uint64_t bat = r_.pos();
        uint8_t bound = r_.u8("type bound");
        if (r_.failed()) break;
        if (bound == 0x00) {
          d.bound.kind = TypeBound::Kind::kEq;
          d.bound.index = r_.u32("type index");
        } else if (bound == 0x01) {
          d.bound.kind = TypeBound::Kind::kSubResource;
        } else {
          r_.fail(bat, "invalid type bound " + hexByte(bound));
        }
        break;
      }
      case 0x04:
        d.kind = ExternKind::kComponent;
        d.typeIndex = r_.u32("type index");
        break;
      case 0x05:
        d.kind = ExternKind::kInstance;
        d.typeIndex = r_.u32("type index");
        break;
      default:
        r_.fail(at, "invalid extern kind " + hexByte(kind));
        break;
    }
    return d;
  }

  // ---- aliases, instances, canon ----------------------------------------------------

  Alias alias() {
    Alias a;
    a.sort = sort();
    uint64_t at = r_.pos();
    uint8_t target = r_.u8("alias target");
    if (r_.failed()) return a;
    switch (target) {
      case 0x00:
        a.target = Alias::Target::kInstanceExport;
        a.instance = r_.u32("instance index");
        a.name = r_.name("export name");
        break;
      case 0x01:
        a.target = Alias::Target::kCoreInstanceExport;
        a.instance = r_.u32("core instance index");
        a.name = r_.name("export name");
        break;
      case 0x02:
        a.target = Alias::Target::kOuter;
        a.outerCount = r_.u32("outer count");
        a.outerIndex = r_.u32("outer index");
        break;
      default:
        r_.fail(at, "invalid alias target " + hexByte(target));
        break;
    }
    return a;
  }

  Instance instance() {
    Instance inst;
    uint64_t at = r_.pos();
    uint8_t kind = r_.u8("instance kind");
    if (r_.failed()) return inst;
    if (kind == 0x00) {
      inst.kind = Instance::Kind::kInstantiate;
      inst.component = r_.u32("component index");
      uint32_t n = r_.count("instantiation arguments", 3);
      for (uint32_t i = 0; i < n && !r_.failed(); ++i) {
        InstantiateArg a;
        a.name = r_.name("instantiation argument name");
        a.item = sortIndex();
        inst.args.push_back(std::move(a));
      }
    } else if (kind == 0x01) {
      inst.kind = Instance::Kind::kFromExports;
      uint32_t n = r_.count("instance exports", 4);
      for (uint32_t i = 0; i < n && !r_.failed(); ++i) {
        InlineExport e;
        e.name = externName("export name");
        e.item = sortIndex();
        inst.exports.push_back(std::move(e));
      }
    } else {
      r_.fail(at, "invalid instance kind " + hexByte(kind));
    }
    return inst;
  }

  std::vector<CanonOption> canonOptions() {
    std::vector<CanonOption> out;
    uint32_t n = r_.count("canonical options");
    for (uint32_t i = 0; i < n && !r_.failed(); ++i) {
      uint64_t at = r_.pos();
      uint8_t b = r_.u8("canonical option");
      if (r_.failed()) break;
      CanonOption o;
      switch (b) {
        case 0x00:
          o.kind = CanonOption::Kind::kUtf8;
          break;
        case 0x01:
          o.kind = CanonOption::Kind::kUtf16;
          break;
        case 0x02:
          o.kind = CanonOption::Kind::kLatin1Utf16;
          break;
        case 0x03:
          o.kind = CanonOption::Kind::kMemory;
          o.index = r_.u32("memory index");
          break;
        case 0x04:
          o.kind = CanonOption::Kind::kRealloc;
          o.index = r_.u32("realloc function index");
          break;
        case 0x05:
          o.kind = CanonOption::Kind::kPostReturn;
          o.index = r_.u32("post-return function index");
          break;
        case 0x06:
          r_.fail(at, "canonical option `async` (async, post-0.2)");
          break;
        case 0x07:
          r_.fail(at, "canonical option `callback` (async, post-0.2)");
          break;
        case 0x08:
          r_.fail(at, "canonical option `always-task-return` (async, post-0.2)");
          break;
        case 0x09:
          r_.fail(at, "canonical option `core-type` (GC, post-0.2)");
          break;
        case 0x0a:
          r_.fail(at, "canonical option `gc` (GC, post-0.2)");
          break;
        default:
          r_.fail(at, "invalid canonical option " + hexByte(b));
          break;
      }
      out.push_back(o);
    }
    return out;
  }

  Canon canon() {
    Canon c;
    uint64_t at = r_.pos();
    uint8_t op = r_.u8("canon opcode");
    if (r_.failed()) return c;
    auto funcSortByte = [&](const char* what) {
      uint64_t sat = r_.pos();
      uint8_t s = r_.u8(what);
      if (!r_.failed() && s != 0x00) {
        r_.fail(sat, "invalid leading byte " + hexByte(s) + " for " + what + " (expected 0x00)");
      }
    };
    switch (op) {
      case 0x00:
        c.kind = Canon::Kind::kLift;
        funcSortByte("canonical function lift");
        c.func = r_.u32("core function index");
        c.options = canonOptions();
        c.type = r_.u32("function type index");
        return c;
      case 0x01:
        c.kind = Canon::Kind::kLower;
        funcSortByte("canonical function lower");
        c.func = r_.u32("function index");
        c.options = canonOptions();
        return c;
      case 0x02:
        c.kind = Canon::Kind::kResourceNew;
        c.type = r_.u32("resource type index");
        return c;
      case 0x03:
        c.kind = Canon::Kind::kResourceDrop;
        c.type = r_.u32("resource type index");
        return c;
      case 0x04:
        c.kind = Canon::Kind::kResourceRep;
        c.type = r_.u32("resource type index");
        return c;
      default:
        break;
    }
    if (const char* what = unsupportedCanonOpcode(op)) {
      r_.fail(at, std::string("canon ") + what);
    } else {
      r_.fail(at, "invalid leading byte " + hexByte(op) + " for canonical function");
    }
    return c;
  }

  std::shared_ptr<const std::vector<uint8_t>> buffer_;
  Reader r_;
  DecodeOptions options_;
};

}  // namespace

bool isComponentBinary(std::span<const uint8_t> b) {
  return b.size() >= 8 && b[0] == 0 && b[1] == 'a' && b[2] == 's' && b[3] == 'm' && b[6] == 1 &&
         b[7] == 0;
}

Result<Component> decodeComponent(std::shared_ptr<const std::vector<uint8_t>> bytes,
                                  const std::string& name, const DecodeOptions& options) {
  if (!bytes) bytes = std::make_shared<const std::vector<uint8_t>>();
  Decoder d(std::move(bytes), name, options);
  return d.run();
}

Result<Component> decodeComponent(std::span<const uint8_t> bytes, const std::string& name,
                                  const DecodeOptions& options) {
  return decodeComponent(std::make_shared<const std::vector<uint8_t>>(bytes.begin(), bytes.end()),
                         name, options);
}

Result<Component> decodeComponentFile(const std::string& path, const DecodeOptions& options) {
  COMPONO_ASSIGN(std::vector<uint8_t> bytes, engine::readFileBytes(path));
  return decodeComponent(std::make_shared<const std::vector<uint8_t>>(std::move(bytes)), path,
                         options);
}

}  // namespace compono::component
