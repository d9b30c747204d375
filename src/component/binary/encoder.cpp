// Component binary encoder: AST -> bytes (the inverse of decoder.cpp).
//
// Minimal LEB128 everywhere; sections grouped as Component::sections says
// (or, when absent, consecutive definitions of one section id per section).
#include <cassert>

#include "compono/component/binary.h"

namespace compono::component {

namespace {

class Writer {
 public:
  std::vector<uint8_t> out;

  void u8(uint8_t b) { out.push_back(b); }
  void u32(uint64_t v) {
    do {
      uint8_t b = v & 0x7f;
      v >>= 7;
      if (v) b |= 0x80;
      out.push_back(b);
    } while (v);
  }
  void s64(int64_t v) {
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
  void name(const std::string& s) {
    u32(s.size());
    out.insert(out.end(), s.begin(), s.end());
  }
  void bytes(std::span<const uint8_t> b) { out.insert(out.end(), b.begin(), b.end()); }
  // Writes `payload` as a section with its size.
  void section(uint8_t id, const std::vector<uint8_t>& payload) {
    u8(id);
    u32(payload.size());
    bytes(payload);
  }
};

uint8_t coreSortByte(Sort s) {
  switch (s) {
    case Sort::kCoreFunc:
      return 0x00;
    case Sort::kCoreTable:
      return 0x01;
    case Sort::kCoreMemory:
      return 0x02;
    case Sort::kCoreGlobal:
      return 0x03;
    case Sort::kCoreTag:
      return 0x04;
    case Sort::kCoreType:
      return 0x10;
    case Sort::kCoreModule:
      return 0x11;
    case Sort::kCoreInstance:
      return 0x12;
    default:
      return 0x00;
  }
}

void writeSort(Writer& w, Sort s) {
  if (isCoreSort(s)) {
    w.u8(0x00);
    w.u8(coreSortByte(s));
    return;
  }
  switch (s) {
    case Sort::kFunc:
      w.u8(0x01);
      break;
    case Sort::kValue:
      w.u8(0x02);
      break;
    case Sort::kType:
      w.u8(0x03);
      break;
    case Sort::kComponent:
      w.u8(0x04);
      break;
    case Sort::kInstance:
      w.u8(0x05);
      break;
    default:
      break;
  }
}

void writeSortIndex(Writer& w, const SortIndex& s) {
  writeSort(w, s.sort);
  w.u32(s.index);
}

void writeCoreValType(Writer& w, engine::ValType t) {
  switch (t) {
    case engine::ValType::kI32:
      w.u8(0x7f);
      break;
    case engine::ValType::kI64:
      w.u8(0x7e);
      break;
    case engine::ValType::kF32:
      w.u8(0x7d);
      break;
    case engine::ValType::kF64:
      w.u8(0x7c);
      break;
    case engine::ValType::kV128:
      w.u8(0x7b);
      break;
    case engine::ValType::kFuncRef:
      w.u8(0x70);
      break;
    case engine::ValType::kExternRef:
      w.u8(0x6f);
      break;
  }
}

void writeLimits(Writer& w, const engine::Limits& l) {
  uint8_t flags = (l.max ? 0x01 : 0) | (l.shared ? 0x02 : 0) | (l.is64 ? 0x04 : 0);
  w.u8(flags);
  w.u32(l.min);
  if (l.max) w.u32(*l.max);
}

void writeCoreExternDesc(Writer& w, const CoreExternDesc& d) {
  switch (d.kind) {
    case engine::ExternKind::kFunc:
      w.u8(0x00);
      w.u32(d.typeIndex);
      break;
    case engine::ExternKind::kTable:
      w.u8(0x01);
      writeCoreValType(w, d.table.element);
      writeLimits(w, d.table.limits);
      break;
    case engine::ExternKind::kMemory:
      w.u8(0x02);
      writeLimits(w, d.memory.limits);
      break;
    case engine::ExternKind::kGlobal:
      w.u8(0x03);
      writeCoreValType(w, d.global.type);
      w.u8(d.global.mutable_ ? 1 : 0);
      break;
    case engine::ExternKind::kTag:
      w.u8(0x04);
      w.u8(0x00);
      w.u32(d.typeIndex);
      break;
  }
}

void writeCoreType(Writer& w, const CoreTypeDef& t);

void writeModuleType(Writer& w, const CoreModuleType& mt) {
  w.u8(0x50);
  w.u32(mt.decls.size());
  for (const ModuleDecl& d : mt.decls) {
    if (auto* im = std::get_if<CoreImportDecl>(&d.item)) {
      w.u8(0x00);
      w.name(im->module);
      w.name(im->name);
      writeCoreExternDesc(w, im->desc);
    } else if (auto* t = std::get_if<std::vector<CoreTypeDef>>(&d.item)) {
      w.u8(0x01);
      assert(t->size() == 1);
      if (!t->empty()) writeCoreType(w, t->front());
    } else if (auto* a = std::get_if<CoreOuterAlias>(&d.item)) {
      w.u8(0x02);
      w.u8(coreSortByte(a->sort));
      w.u8(0x01);
      w.u32(a->count);
      w.u32(a->index);
    } else if (auto* e = std::get_if<CoreExportDecl>(&d.item)) {
      w.u8(0x03);
      w.name(e->name);
      writeCoreExternDesc(w, e->desc);
    }
  }
}

void writeCoreType(Writer& w, const CoreTypeDef& t) {
  if (auto* ft = std::get_if<engine::FuncType>(&t.type)) {
    w.u8(0x60);
    w.u32(ft->params.size());
    for (engine::ValType v : ft->params) writeCoreValType(w, v);
    w.u32(ft->results.size());
    for (engine::ValType v : ft->results) writeCoreValType(w, v);
  } else {
    writeModuleType(w, std::get<CoreModuleType>(t.type));
  }
}

uint8_t primOpcode(PrimValType p) { return static_cast<uint8_t>(0x7f - static_cast<uint8_t>(p)); }

void writeValType(Writer& w, const ValType& v) {
  if (v.isPrimitive()) {
    w.u8(primOpcode(v.prim));
  } else {
    w.s64(static_cast<int64_t>(v.index));
  }
}

void writeOptionalValType(Writer& w, const std::optional<ValType>& v) {
  if (v) {
    w.u8(0x01);
    writeValType(w, *v);
  } else {
    w.u8(0x00);
  }
}

void writeExternName(Writer& w, const ExternName& n) {
  w.u8(n.discriminator);
  w.name(n.name);
}

void writeExternDesc(Writer& w, const ExternDesc& d) {
  switch (d.kind) {
    case ExternKind::kCoreModule:
      w.u8(0x00);
      w.u8(0x11);
      w.u32(d.typeIndex);
      break;
    case ExternKind::kFunc:
      w.u8(0x01);
      w.u32(d.typeIndex);
      break;
    case ExternKind::kValue:
      w.u8(0x02);
      w.u8(0x01);  // valuebound: a value type
      writeValType(w, d.value);
      break;
    case ExternKind::kType:
      w.u8(0x03);
      if (d.bound.kind == TypeBound::Kind::kEq) {
        w.u8(0x00);
        w.u32(d.bound.index);
      } else {
        w.u8(0x01);
      }
      break;
    case ExternKind::kComponent:
      w.u8(0x04);
      w.u32(d.typeIndex);
      break;
    case ExternKind::kInstance:
      w.u8(0x05);
      w.u32(d.typeIndex);
      break;
  }
}

void writeAlias(Writer& w, const Alias& a) {
  writeSort(w, a.sort);
  switch (a.target) {
    case Alias::Target::kInstanceExport:
      w.u8(0x00);
      w.u32(a.instance);
      w.name(a.name);
      break;
    case Alias::Target::kCoreInstanceExport:
      w.u8(0x01);
      w.u32(a.instance);
      w.name(a.name);
      break;
    case Alias::Target::kOuter:
      w.u8(0x02);
      w.u32(a.outerCount);
      w.u32(a.outerIndex);
      break;
  }
}

void writeTypeDef(Writer& w, const TypeDef& t);

void writeDecls(Writer& w, const std::vector<TypeDecl>& decls) {
  w.u32(decls.size());
  for (const TypeDecl& d : decls) {
    if (auto* ct = std::get_if<CoreTypeDef>(&d.item)) {
      w.u8(0x00);
      writeCoreType(w, *ct);
    } else if (auto* t = std::get_if<TypeDef>(&d.item)) {
      w.u8(0x01);
      writeTypeDef(w, *t);
    } else if (auto* a = std::get_if<Alias>(&d.item)) {
      w.u8(0x02);
      writeAlias(w, *a);
    } else if (auto* im = std::get_if<ImportDecl>(&d.item)) {
      w.u8(0x03);
      writeExternName(w, im->name);
      writeExternDesc(w, im->desc);
    } else if (auto* ex = std::get_if<ExportDecl>(&d.item)) {
      w.u8(0x04);
      writeExternName(w, ex->name);
      writeExternDesc(w, ex->desc);
    }
  }
}

void writeTypeDef(Writer& w, const TypeDef& t) {
  struct Visitor {
    Writer& w;
    void operator()(PrimValType p) { w.u8(primOpcode(p)); }
    void operator()(const RecordType& r) {
      w.u8(0x72);
      w.u32(r.fields.size());
      for (const LabeledValType& f : r.fields) {
        w.name(f.label);
        writeValType(w, f.type);
      }
    }
    void operator()(const VariantType& v) {
      w.u8(0x71);
      w.u32(v.cases.size());
      for (const VariantCase& c : v.cases) {
        w.name(c.label);
        writeOptionalValType(w, c.type);
        w.u8(0x00);
      }
    }
    void operator()(const ListType& l) {
      w.u8(0x70);
      writeValType(w, l.element);
    }
    void operator()(const TupleType& t) {
      w.u8(0x6f);
      w.u32(t.types.size());
      for (const ValType& v : t.types) writeValType(w, v);
    }
    void operator()(const FlagsType& f) {
      w.u8(0x6e);
      w.u32(f.labels.size());
      for (const std::string& l : f.labels) w.name(l);
    }
    void operator()(const EnumType& e) {
      w.u8(0x6d);
      w.u32(e.labels.size());
      for (const std::string& l : e.labels) w.name(l);
    }
    void operator()(const OptionType& o) {
      w.u8(0x6b);
      writeValType(w, o.type);
    }
    void operator()(const ResultType& r) {
      w.u8(0x6a);
      writeOptionalValType(w, r.ok);
      writeOptionalValType(w, r.err);
    }
    void operator()(const OwnType& o) {
      w.u8(0x69);
      w.u32(o.resource);
    }
    void operator()(const BorrowType& b) {
      w.u8(0x68);
      w.u32(b.resource);
    }
    void operator()(const FuncType& f) {
      w.u8(0x40);
      w.u32(f.params.size());
      for (const LabeledValType& p : f.params) {
        w.name(p.label);
        writeValType(w, p.type);
      }
      if (f.result) {
        w.u8(0x00);
        writeValType(w, *f.result);
      } else {
        w.u8(0x01);
        w.u8(0x00);
      }
    }
    void operator()(const ComponentType& c) {
      w.u8(0x41);
      writeDecls(w, c.decls);
    }
    void operator()(const InstanceType& i) {
      w.u8(0x42);
      writeDecls(w, i.decls);
    }
    void operator()(const ResourceType& r) {
      w.u8(0x3f);
      w.u8(0x7f);
      if (r.dtor) {
        w.u8(0x01);
        w.u32(*r.dtor);
      } else {
        w.u8(0x00);
      }
    }
  };
  std::visit(Visitor{w}, t.kind);
}

void writeCanonOptions(Writer& w, const std::vector<CanonOption>& options) {
  w.u32(options.size());
  for (const CanonOption& o : options) {
    switch (o.kind) {
      case CanonOption::Kind::kUtf8:
        w.u8(0x00);
        break;
      case CanonOption::Kind::kUtf16:
        w.u8(0x01);
        break;
      case CanonOption::Kind::kLatin1Utf16:
        w.u8(0x02);
        break;
      case CanonOption::Kind::kMemory:
        w.u8(0x03);
        w.u32(o.index);
        break;
      case CanonOption::Kind::kRealloc:
        w.u8(0x04);
        w.u32(o.index);
        break;
      case CanonOption::Kind::kPostReturn:
        w.u8(0x05);
        w.u32(o.index);
        break;
    }
  }
}

void writeCanon(Writer& w, const Canon& c) {
  switch (c.kind) {
    case Canon::Kind::kLift:
      w.u8(0x00);
      w.u8(0x00);
      w.u32(c.func);
      writeCanonOptions(w, c.options);
      w.u32(c.type);
      break;
    case Canon::Kind::kLower:
      w.u8(0x01);
      w.u8(0x00);
      w.u32(c.func);
      writeCanonOptions(w, c.options);
      break;
    case Canon::Kind::kResourceNew:
      w.u8(0x02);
      w.u32(c.type);
      break;
    case Canon::Kind::kResourceDrop:
      w.u8(0x03);
      w.u32(c.type);
      break;
    case Canon::Kind::kResourceRep:
      w.u8(0x04);
      w.u32(c.type);
      break;
  }
}

void writeComponent(Writer& out, const Component& c);

// Writes one vector element (for vector sections).
void writeElement(Writer& w, const DefinitionItem& item) {
  if (auto* ci = std::get_if<CoreInstance>(&item)) {
    if (ci->kind == CoreInstance::Kind::kInstantiate) {
      w.u8(0x00);
      w.u32(ci->module);
      w.u32(ci->args.size());
      for (const CoreInstantiateArg& a : ci->args) {
        w.name(a.name);
        w.u8(0x12);
        w.u32(a.instance);
      }
    } else {
      w.u8(0x01);
      w.u32(ci->exports.size());
      for (const CoreInlineExport& e : ci->exports) {
        w.name(e.name);
        w.u8(coreSortByte(e.item.sort));
        w.u32(e.item.index);
      }
    }
  } else if (auto* ct = std::get_if<CoreTypeDef>(&item)) {
    writeCoreType(w, *ct);
  } else if (auto* in = std::get_if<Instance>(&item)) {
    if (in->kind == Instance::Kind::kInstantiate) {
      w.u8(0x00);
      w.u32(in->component);
      w.u32(in->args.size());
      for (const InstantiateArg& a : in->args) {
        w.name(a.name);
        writeSortIndex(w, a.item);
      }
    } else {
      w.u8(0x01);
      w.u32(in->exports.size());
      for (const InlineExport& e : in->exports) {
        writeExternName(w, e.name);
        writeSortIndex(w, e.item);
      }
    }
  } else if (auto* a = std::get_if<Alias>(&item)) {
    writeAlias(w, *a);
  } else if (auto* t = std::get_if<TypeDef>(&item)) {
    writeTypeDef(w, *t);
  } else if (auto* cn = std::get_if<Canon>(&item)) {
    writeCanon(w, *cn);
  } else if (auto* im = std::get_if<Import>(&item)) {
    writeExternName(w, im->name);
    writeExternDesc(w, im->desc);
  } else if (auto* ex = std::get_if<Export>(&item)) {
    writeExternName(w, ex->name);
    writeSortIndex(w, ex->item);
    if (ex->ascribed) {
      w.u8(0x01);
      writeExternDesc(w, *ex->ascribed);
    } else {
      w.u8(0x00);
    }
  }
}

bool isVectorSection(SectionId id) {
  return id != SectionId::kCustom && id != SectionId::kCoreModule && id != SectionId::kComponent &&
         id != SectionId::kStart;
}

void writeSection(Writer& out, const Component& c, SectionId id, size_t first, size_t count) {
  Writer payload;
  if (!isVectorSection(id)) {
    // One definition per section.
    const DefinitionItem& item = c.definitions[first].item;
    if (auto* cs = std::get_if<CustomSection>(&item)) {
      payload.name(cs->name);
      payload.bytes(cs->data());
    } else if (auto* m = std::get_if<CoreModule>(&item)) {
      payload.bytes(m->bytes());
    } else if (auto* n = std::get_if<NestedComponent>(&item)) {
      writeComponent(payload, n->get());
    } else if (auto* s = std::get_if<Start>(&item)) {
      payload.u32(s->func);
      payload.u32(s->args.size());
      for (uint32_t a : s->args) payload.u32(a);
      payload.u32(s->results);
    }
  } else {
    payload.u32(count);
    for (size_t i = first; i < first + count; ++i) writeElement(payload, c.definitions[i].item);
  }
  out.section(static_cast<uint8_t>(id), payload.out);
}

// True when `sections` partitions the definitions consistently.
bool sectionsUsable(const Component& c) {
  if (c.sections.empty()) return false;
  size_t next = 0;
  for (const SectionSpan& s : c.sections) {
    if (s.first != next) return false;
    if (!isVectorSection(s.id) && s.count != 1) return false;
    for (size_t i = s.first; i < s.first + s.count; ++i) {
      if (i >= c.definitions.size() || c.definitions[i].section() != s.id) return false;
    }
    next = s.first + s.count;
  }
  return next == c.definitions.size();
}

void writeComponent(Writer& out, const Component& c) {
  out.bytes(
      std::vector<uint8_t>{0x00, 'a', 's', 'm', kComponentVersion, 0x00, kComponentLayer, 0x00});
  if (sectionsUsable(c)) {
    for (const SectionSpan& s : c.sections) writeSection(out, c, s.id, s.first, s.count);
    return;
  }
  size_t i = 0;
  while (i < c.definitions.size()) {
    SectionId id = c.definitions[i].section();
    size_t j = i + 1;
    if (isVectorSection(id)) {
      while (j < c.definitions.size() && c.definitions[j].section() == id) ++j;
    }
    writeSection(out, c, id, i, j - i);
    i = j;
  }
}

}  // namespace

std::vector<uint8_t> encodeComponent(const Component& component) {
  Writer w;
  writeComponent(w, component);
  return std::move(w.out);
}

}  // namespace compono::component
