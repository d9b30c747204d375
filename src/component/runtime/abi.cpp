#include "component/runtime/abi.h"

#include <cmath>
#include <cstring>
#include <type_traits>

#include "compono/engine/text_string.h"

namespace compono::component::abi {

using engine::Val;
using engine::ValType;
using wit::Primitive;
using wit::Type;

namespace {

constexpr uint32_t kUtf16Tag = 1u << 31;
constexpr uint64_t kMaxStringByteLength = (1ull << 31) - 1;
constexpr uint32_t kCanonicalF32Nan = 0x7fc00000;
constexpr uint64_t kCanonicalF64Nan = 0x7ff8000000000000ull;

Error trap(const std::string& what) { return Error::trapError(TrapCode::kOther, "canonical ABI: " + what); }

uint32_t alignTo(uint32_t x, uint32_t a) { return (x + a - 1) / a * a; }

uint32_t discriminantSize(size_t cases) {
  if (cases <= 256) return 1;
  if (cases <= 65536) return 2;
  return 4;
}

uint32_t flagsI32Count(size_t n) { return static_cast<uint32_t>((n + 31) / 32); }

float canonF32(float f) {
  if (std::isnan(f)) {
    float c;
    std::memcpy(&c, &kCanonicalF32Nan, 4);
    return c;
  }
  return f;
}
double canonF64(double d) {
  if (std::isnan(d)) {
    double c;
    std::memcpy(&c, &kCanonicalF64Nan, 8);
    return c;
  }
  return d;
}

// The cases of a variant-like type, each with its optional payload.
struct Case {
  std::optional<Type> payload;
};

// A normalised view of a value type.
struct Shape {
  enum Kind {
    kPrim, kRecord, kTuple, kVariant, kEnum, kOption, kResult, kFlags, kList, kOwn, kBorrow, kUnsupported
  } kind = kPrim;
  Primitive prim = Primitive::kBool;
  std::vector<Type> members;  // record fields / tuple elements / list element
  std::vector<Case> cases;    // variant-like
  size_t flagCount = 0;
  wit::TypeId resource = wit::kNoId;
  std::string unsupported;
};

Shape shapeOf(const TypeView& tv, Type t) {
  Shape s;
  t = resolveAlias(tv.model(), t);
  if (t.isPrimitive()) {
    s.kind = Shape::kPrim;
    s.prim = t.primitive;
    if (t.primitive == Primitive::kErrorContext) {
      s.kind = Shape::kUnsupported;
      s.unsupported = "error-context";
    }
    return s;
  }
  const wit::TypeDef& d = tv.def(t.id);
  std::visit(
      [&](const auto& k) {
        using K = std::decay_t<decltype(k)>;
        if constexpr (std::is_same_v<K, wit::RecordType>) {
          s.kind = Shape::kRecord;
          for (auto& f : k.fields) s.members.push_back(f.type);
        } else if constexpr (std::is_same_v<K, wit::TupleType>) {
          s.kind = Shape::kTuple;
          s.members = k.types;
        } else if constexpr (std::is_same_v<K, wit::VariantType>) {
          s.kind = Shape::kVariant;
          for (auto& c : k.cases) s.cases.push_back(Case{c.type});
        } else if constexpr (std::is_same_v<K, wit::EnumType>) {
          s.kind = Shape::kEnum;
          s.cases.resize(k.cases.size());
        } else if constexpr (std::is_same_v<K, wit::OptionType>) {
          s.kind = Shape::kOption;
          s.cases = {Case{}, Case{k.type}};
        } else if constexpr (std::is_same_v<K, wit::ResultType>) {
          s.kind = Shape::kResult;
          s.cases = {Case{k.ok}, Case{k.err}};
        } else if constexpr (std::is_same_v<K, wit::FlagsType>) {
          s.kind = Shape::kFlags;
          s.flagCount = k.flags.size();
        } else if constexpr (std::is_same_v<K, wit::ListType>) {
          if (k.length) {
            s.kind = Shape::kUnsupported;
            s.unsupported = "fixed-length lists";
          } else {
            s.kind = Shape::kList;
            s.members = {k.element};
          }
        } else if constexpr (std::is_same_v<K, wit::HandleType>) {
          s.kind = k.kind == wit::HandleKind::kOwn ? Shape::kOwn : Shape::kBorrow;
          s.resource = tv.model().resourceOf(k.resource);
        } else {
          s.kind = Shape::kUnsupported;
          s.unsupported = wit::typeDefKindName(d.kind);
        }
      },
      d.kind);
  return s;
}

Layout primLayout(Primitive p) {
  switch (p) {
    case Primitive::kBool:
    case Primitive::kS8:
    case Primitive::kU8: return {1, 1};
    case Primitive::kS16:
    case Primitive::kU16: return {2, 2};
    case Primitive::kS32:
    case Primitive::kU32:
    case Primitive::kF32:
    case Primitive::kChar: return {4, 4};
    case Primitive::kS64:
    case Primitive::kU64:
    case Primitive::kF64: return {8, 8};
    case Primitive::kString: return {8, 4};
    case Primitive::kErrorContext: return {4, 4};
  }
  return {4, 4};
}

Layout recordLayout(const TypeView& tv, const std::vector<Type>& members) {
  uint32_t size = 0, align = 1;
  for (Type m : members) {
    Layout l = tv.layout(m);
    size = alignTo(size, l.align) + l.size;
    align = std::max(align, l.align);
  }
  return {alignTo(size, align), align};
}

uint32_t maxCaseAlign(const TypeView& tv, const std::vector<Case>& cases) {
  uint32_t a = 1;
  for (auto& c : cases) {
    if (c.payload) a = std::max(a, tv.layout(*c.payload).align);
  }
  return a;
}

Layout variantLayout(const TypeView& tv, const std::vector<Case>& cases) {
  uint32_t d = discriminantSize(cases.size());
  uint32_t caseAlign = maxCaseAlign(tv, cases);
  uint32_t size = alignTo(d, caseAlign);
  uint32_t caseSize = 0;
  for (auto& c : cases) {
    if (c.payload) caseSize = std::max(caseSize, tv.layout(*c.payload).size);
  }
  size += caseSize;
  uint32_t align = std::max(d, caseAlign);
  return {alignTo(size, align), align};
}

Layout flagsLayout(size_t n) {
  if (n == 0) return {0, 1};
  if (n <= 8) return {1, 1};
  if (n <= 16) return {2, 2};
  return {4 * flagsI32Count(n), 4};
}

ValType joinFlat(ValType a, ValType b) {
  if (a == b) return a;
  if ((a == ValType::kI32 && b == ValType::kF32) || (a == ValType::kF32 && b == ValType::kI32)) return ValType::kI32;
  return ValType::kI64;
}

}  // namespace

// ---------------------------------------------------------------------------
// TypeView

wit::Type resolveAlias(const wit::Model& model, wit::Type t) {
  for (size_t steps = 0; steps <= model.types.size() && !t.isPrimitive() && t.id < model.types.size();
       ++steps) {
    const auto* alias = std::get_if<wit::AliasType>(&model.types[t.id].kind);
    if (!alias) break;
    t = alias->target;
  }
  return t;
}

const wit::TypeDef& TypeView::def(wit::TypeId id) const { return model_->types[model_->dealias(id)]; }

Layout TypeView::layout(Type t) const {
  t = resolveAlias(*model_, t);
  if (t.isPrimitive()) return primLayout(t.primitive);
  wit::TypeId id = model_->dealias(t.id);
  if (base_) {
    auto b = base_->layouts.find(id);
    if (b != base_->layouts.end()) return b->second;
  }
  auto it = own_.layouts.find(id);
  if (it != own_.layouts.end()) return it->second;
  Shape s = shapeOf(*this, Type::def(id));
  Layout l;
  switch (s.kind) {
    case Shape::kRecord:
    case Shape::kTuple: l = recordLayout(*this, s.members); break;
    case Shape::kVariant:
    case Shape::kEnum:
    case Shape::kOption:
    case Shape::kResult: l = variantLayout(*this, s.cases); break;
    case Shape::kFlags: l = flagsLayout(s.flagCount); break;
    case Shape::kList: l = {8, 4}; break;
    case Shape::kOwn:
    case Shape::kBorrow: l = {4, 4}; break;
    default: l = {4, 4}; break;
  }
  own_.layouts[id] = l;
  return l;
}

std::shared_ptr<const TypeView::Cache> TypeView::freeze() const {
  auto c = std::make_shared<Cache>(own_);
  if (base_) {
    c->layouts.insert(base_->layouts.begin(), base_->layouts.end());
    c->flats.insert(base_->flats.begin(), base_->flats.end());
  }
  return c;
}

void TypeView::flatten(Type t, std::vector<ValType>& out) const {
  if (t.isPrimitive()) {
    flattenUncached(t, out);
    return;
  }
  const std::vector<ValType>* hit = nullptr;
  if (base_) {
    auto b = base_->flats.find(t.id);
    if (b != base_->flats.end()) hit = &b->second;
  }
  if (!hit) {
    auto it = own_.flats.find(t.id);
    if (it == own_.flats.end()) {
      std::vector<ValType> f;
      flattenUncached(t, f);
      it = own_.flats.emplace(t.id, std::move(f)).first;
    }
    hit = &it->second;
  }
  out.insert(out.end(), hit->begin(), hit->end());
}

void TypeView::flattenUncached(Type t, std::vector<ValType>& out) const {
  Shape s = shapeOf(*this, t);
  switch (s.kind) {
    case Shape::kPrim:
      switch (s.prim) {
        case Primitive::kS64:
        case Primitive::kU64: out.push_back(ValType::kI64); return;
        case Primitive::kF32: out.push_back(ValType::kF32); return;
        case Primitive::kF64: out.push_back(ValType::kF64); return;
        case Primitive::kString:
          out.push_back(ValType::kI32);
          out.push_back(ValType::kI32);
          return;
        default: out.push_back(ValType::kI32); return;
      }
    case Shape::kRecord:
    case Shape::kTuple:
      for (Type m : s.members) flatten(m, out);
      return;
    case Shape::kList:
      out.push_back(ValType::kI32);
      out.push_back(ValType::kI32);
      return;
    case Shape::kFlags:
      for (uint32_t i = 0; i < flagsI32Count(s.flagCount); ++i) out.push_back(ValType::kI32);
      return;
    case Shape::kOwn:
    case Shape::kBorrow: out.push_back(ValType::kI32); return;
    case Shape::kVariant:
    case Shape::kEnum:
    case Shape::kOption:
    case Shape::kResult: {
      std::vector<ValType> joined;
      for (auto& c : s.cases) {
        if (!c.payload) continue;
        std::vector<ValType> f;
        flatten(*c.payload, f);
        for (size_t i = 0; i < f.size(); ++i) {
          if (i < joined.size()) joined[i] = joinFlat(joined[i], f[i]);
          else joined.push_back(f[i]);
        }
      }
      out.push_back(ValType::kI32);
      out.insert(out.end(), joined.begin(), joined.end());
      return;
    }
    case Shape::kUnsupported: out.push_back(ValType::kI32); return;
  }
}

std::vector<ValType> TypeView::flatten(std::span<const Type> ts) const {
  std::vector<ValType> out;
  for (Type t : ts) flatten(t, out);
  return out;
}

engine::FuncType TypeView::coreSignature(std::span<const Type> params, std::span<const Type> results,
                                         bool lower) const {
  engine::FuncType ft;
  ft.params = flatten(params);
  if (ft.params.size() > kMaxFlatParams) ft.params = {ValType::kI32};
  std::vector<ValType> r = flatten(results);
  if (r.size() > kMaxFlatResults) {
    if (lower) {
      ft.params.push_back(ValType::kI32);
      r.clear();
    } else {
      r = {ValType::kI32};
    }
  }
  ft.results = std::move(r);
  return ft;
}

// ---------------------------------------------------------------------------
// Flat values

Result<Val> FlatReader::next(ValType want) {
  if (pos_ >= vals_.size()) return trap("too few core values");
  Val v = vals_[pos_++];
  if (v.type != want) return trap("core value of the wrong type");
  return v;
}

namespace {

// Converts a value read at a joined flat position to the type a case wants
// (CanonicalABI.md CoerceValueIter).
Result<Val> coerceIn(const Val& have, ValType want) {
  if (have.type == want) return have;
  if (have.type == ValType::kI32 && want == ValType::kF32) return Val::makeF32Bits(have.i32);
  if (have.type == ValType::kI64) {
    if (want == ValType::kF64) return Val::makeF64Bits(have.i64);
    // CanonicalABI.md lift_flat_variant: wrap_i64_to_i32 (the high bits are ignored).
    if (want == ValType::kI32) return Val::makeI32(static_cast<uint32_t>(have.i64));
    if (want == ValType::kF32) return Val::makeF32Bits(static_cast<uint32_t>(have.i64));
  }
  return trap("variant payload of an unexpected core type");
}

// Converts a case's own flat value to the joined type of its position.
Val coerceOut(const Val& v, ValType want) {
  if (v.type == want) return v;
  switch (want) {
    case ValType::kI32: return Val::makeI32(v.f32Bits());  // f32 -> i32
    case ValType::kI64:
      if (v.type == ValType::kI32) return Val::makeI64(v.i32);
      if (v.type == ValType::kF32) return Val::makeI64(v.f32Bits());
      return Val::makeI64(v.f64Bits());
    default: return v;
  }
}

Val zeroOf(ValType t) { return Val::zero(t); }

Result<uint32_t> checkedFits(uint64_t x, const char* what) {
  if (x > UINT32_MAX) return trap(std::string(what) + " does not fit in 32 bits");
  return static_cast<uint32_t>(x);
}

// ---- strings ----------------------------------------------------------------

bool decodeUtf8(std::string_view s, std::u32string* out) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    char32_t cp;
    int n;
    if (c < 0x80) { cp = c; n = 1; }
    else if ((c & 0xe0) == 0xc0) { cp = c & 0x1f; n = 2; }
    else if ((c & 0xf0) == 0xe0) { cp = c & 0x0f; n = 3; }
    else if ((c & 0xf8) == 0xf0) { cp = c & 0x07; n = 4; }
    else return false;
    if (i + n > s.size()) return false;
    for (int k = 1; k < n; ++k) {
      unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3f);
    }
    if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10ffff ||
        (cp >= 0xd800 && cp <= 0xdfff)) {
      return false;
    }
    if (out) out->push_back(cp);
    i += n;
  }
  return true;
}

Result<Value> loadString(AbiContext& cx, uint32_t ptr, uint32_t taggedUnits) {
  StringEncoding enc = cx.encoding();
  uint32_t align = enc == StringEncoding::kUtf8 ? 1 : 2;
  uint64_t byteLength;
  bool utf16 = false, latin1 = false;
  switch (enc) {
    case StringEncoding::kUtf8: byteLength = taggedUnits; break;
    case StringEncoding::kUtf16:
      byteLength = 2ull * taggedUnits;
      utf16 = true;
      break;
    case StringEncoding::kLatin1Utf16:
      if (taggedUnits & kUtf16Tag) {
        byteLength = 2ull * (taggedUnits ^ kUtf16Tag);
        utf16 = true;
      } else {
        byteLength = taggedUnits;
        latin1 = true;
      }
      break;
  }
  if (ptr % align) return trap("misaligned string pointer");
  engine::GuestMemory mem = cx.memory();
  auto bytes = mem.bytes(ptr, byteLength);
  if (!bytes) return trap("string out of bounds of memory");
  std::string out;
  if (latin1) {
    for (uint8_t b : *bytes) engine::appendUtf8(out, b);
  } else if (utf16) {
    size_t n = bytes->size() / 2;
    for (size_t i = 0; i < n; ++i) {
      uint16_t u = static_cast<uint16_t>((*bytes)[2 * i] | ((*bytes)[2 * i + 1] << 8));
      if (u >= 0xd800 && u <= 0xdbff) {
        if (i + 1 >= n) return trap("unpaired surrogate in a UTF-16 string");
        uint16_t lo = static_cast<uint16_t>((*bytes)[2 * i + 2] | ((*bytes)[2 * i + 3] << 8));
        if (lo < 0xdc00 || lo > 0xdfff) return trap("unpaired surrogate in a UTF-16 string");
        engine::appendUtf8(out, 0x10000 + ((static_cast<char32_t>(u - 0xd800) << 10) | (lo - 0xdc00)));
        ++i;
      } else if (u >= 0xdc00 && u <= 0xdfff) {
        return trap("unpaired surrogate in a UTF-16 string");
      } else {
        engine::appendUtf8(out, u);
      }
    }
  } else {
    std::string_view sv(reinterpret_cast<const char*>(bytes->data()), bytes->size());
    if (!decodeUtf8(sv, nullptr)) return trap("invalid UTF-8 in a string");
    out.assign(sv);
  }
  return Value::string(std::move(out));
}

// Stores a string; returns (ptr, tagged code units).
Result<std::pair<uint32_t, uint32_t>> storeString(AbiContext& cx, const std::string& s) {
  std::u32string cps;
  if (!decodeUtf8(s, &cps)) return Error(ErrorCode::kUsage, "string value is not valid UTF-8");
  StringEncoding enc = cx.encoding();
  std::vector<uint8_t> bytes;
  uint32_t units = 0;
  uint32_t align = 1;
  bool asUtf16 = enc == StringEncoding::kUtf16;
  if (enc == StringEncoding::kUtf8) {
    bytes.assign(s.begin(), s.end());
    if (bytes.size() > kMaxStringByteLength) return trap("string too long");
    units = static_cast<uint32_t>(bytes.size());
  } else {
    align = 2;
    if (enc == StringEncoding::kLatin1Utf16) {
      bool latin1 = true;
      for (char32_t c : cps) latin1 = latin1 && c <= 0xff;
      asUtf16 = !latin1;
      if (latin1) {
        for (char32_t c : cps) bytes.push_back(static_cast<uint8_t>(c));
        units = static_cast<uint32_t>(bytes.size());
      }
    }
    if (asUtf16) {
      for (char32_t c : cps) {
        auto put = [&](uint16_t u) {
          bytes.push_back(static_cast<uint8_t>(u & 0xff));
          bytes.push_back(static_cast<uint8_t>(u >> 8));
        };
        if (c >= 0x10000) {
          char32_t v = c - 0x10000;
          put(static_cast<uint16_t>(0xd800 + (v >> 10)));
          put(static_cast<uint16_t>(0xdc00 + (v & 0x3ff)));
        } else {
          put(static_cast<uint16_t>(c));
        }
      }
      if (bytes.size() / 2 > kMaxStringByteLength / 2) return trap("string too long");
      units = static_cast<uint32_t>(bytes.size() / 2);
      if (enc == StringEncoding::kLatin1Utf16) units |= kUtf16Tag;
    }
  }
  COMPONO_ASSIGN(uint32_t ptr, cx.realloc(0, 0, align, static_cast<uint32_t>(bytes.size())));
  if (ptr % align) return trap("realloc returned a misaligned pointer");
  engine::GuestMemory mem = cx.memory();
  auto dst = mem.bytes(ptr, bytes.size());
  if (!dst) return trap("realloc returned memory out of bounds");
  if (!bytes.empty()) std::memcpy(dst->data(), bytes.data(), bytes.size());
  return std::make_pair(ptr, units);
}

template <typename T>
Result<T> loadInt(AbiContext& cx, uint32_t ptr) {
  auto v = cx.memory().load<T>(ptr);
  if (!v) return trap("load out of bounds of memory");
  return *v;
}

template <typename T>
Status storeInt(AbiContext& cx, uint32_t ptr, T v) {
  if (!cx.memory().store<T>(ptr, v)) return trap("store out of bounds of memory");
  return okStatus();
}

Result<uint64_t> loadDiscriminant(AbiContext& cx, uint32_t ptr, size_t cases) {
  switch (discriminantSize(cases)) {
    case 1: { COMPONO_ASSIGN(uint8_t v, loadInt<uint8_t>(cx, ptr)); return v; }
    case 2: { COMPONO_ASSIGN(uint16_t v, loadInt<uint16_t>(cx, ptr)); return v; }
    default: { COMPONO_ASSIGN(uint32_t v, loadInt<uint32_t>(cx, ptr)); return v; }
  }
}

Status storeDiscriminant(AbiContext& cx, uint32_t ptr, size_t cases, uint32_t d) {
  switch (discriminantSize(cases)) {
    case 1: return storeInt<uint8_t>(cx, ptr, static_cast<uint8_t>(d));
    case 2: return storeInt<uint16_t>(cx, ptr, static_cast<uint16_t>(d));
    default: return storeInt<uint32_t>(cx, ptr, d);
  }
}

Result<char32_t> toChar(uint32_t i) {
  if (i >= 0x110000 || (i >= 0xd800 && i <= 0xdfff)) return trap("invalid char value " + std::to_string(i));
  return static_cast<char32_t>(i);
}

// Builds the Value of a variant-like type from its case and payload.
Value variantValue(Shape::Kind k, uint32_t d, std::optional<Value> payload) {
  std::vector<Value> items;
  if (payload) items.push_back(std::move(*payload));
  switch (k) {
    case Shape::kEnum: return Value::enumCase(d);
    case Shape::kOption: return d ? Value::some(std::move(items[0])) : Value::none();
    case Shape::kResult: return d ? Value::err(std::move(items)) : Value::ok(std::move(items));
    default: return Value::variant(d, std::move(items));
  }
}

Result<Value> primFromBits(Primitive p, uint64_t bits) {
  switch (p) {
    case Primitive::kBool: return Value::boolean(bits != 0);
    case Primitive::kS8: return Value::s8(static_cast<int8_t>(bits));
    case Primitive::kU8: return Value::u8(static_cast<uint8_t>(bits));
    case Primitive::kS16: return Value::s16(static_cast<int16_t>(bits));
    case Primitive::kU16: return Value::u16(static_cast<uint16_t>(bits));
    case Primitive::kS32: return Value::s32(static_cast<int32_t>(bits));
    case Primitive::kU32: return Value::u32(static_cast<uint32_t>(bits));
    case Primitive::kS64: return Value::s64(static_cast<int64_t>(bits));
    case Primitive::kU64: return Value::u64(bits);
    case Primitive::kChar: {
      COMPONO_ASSIGN(char32_t c, toChar(static_cast<uint32_t>(bits)));
      return Value::character(c);
    }
    default: return trap("not an integer type");
  }
}

// The integer bits of a scalar value (bool, integers, char).
uint64_t scalarBits(const Value& v) {
  switch (v.kind) {
    case ValueKind::kS8:
    case ValueKind::kS16:
    case ValueKind::kS32:
    case ValueKind::kS64: return static_cast<uint64_t>(v.s);
    default: return v.u;
  }
}

}  // namespace

// ---------------------------------------------------------------------------
// load / store

Result<Value> load(AbiContext& cx, const TypeView& tv, Type t, uint32_t ptr) {
  Shape s = shapeOf(tv, t);
  switch (s.kind) {
    case Shape::kPrim:
      switch (s.prim) {
        case Primitive::kBool: { COMPONO_ASSIGN(uint8_t v, loadInt<uint8_t>(cx, ptr)); return Value::boolean(v != 0); }
        case Primitive::kS8:
        case Primitive::kU8: { COMPONO_ASSIGN(uint8_t v, loadInt<uint8_t>(cx, ptr)); return primFromBits(s.prim, v); }
        case Primitive::kS16:
        case Primitive::kU16: { COMPONO_ASSIGN(uint16_t v, loadInt<uint16_t>(cx, ptr)); return primFromBits(s.prim, v); }
        case Primitive::kS32:
        case Primitive::kU32:
        case Primitive::kChar: { COMPONO_ASSIGN(uint32_t v, loadInt<uint32_t>(cx, ptr)); return primFromBits(s.prim, v); }
        case Primitive::kS64:
        case Primitive::kU64: { COMPONO_ASSIGN(uint64_t v, loadInt<uint64_t>(cx, ptr)); return primFromBits(s.prim, v); }
        case Primitive::kF32: { COMPONO_ASSIGN(float v, loadInt<float>(cx, ptr)); return Value::float32(canonF32(v)); }
        case Primitive::kF64: { COMPONO_ASSIGN(double v, loadInt<double>(cx, ptr)); return Value::float64(canonF64(v)); }
        case Primitive::kString: {
          COMPONO_ASSIGN(uint32_t p, loadInt<uint32_t>(cx, ptr));
          COMPONO_ASSIGN(uint32_t n, loadInt<uint32_t>(cx, ptr + 4));
          return loadString(cx, p, n);
        }
        default: return trap("unsupported type error-context");
      }
    case Shape::kRecord:
    case Shape::kTuple: {
      std::vector<Value> items;
      uint32_t off = ptr;
      for (Type m : s.members) {
        Layout l = tv.layout(m);
        off = alignTo(off, l.align);
        COMPONO_ASSIGN(Value v, load(cx, tv, m, off));
        items.push_back(std::move(v));
        off += l.size;
      }
      return s.kind == Shape::kRecord ? Value::record(std::move(items)) : Value::tuple(std::move(items));
    }
    case Shape::kList: {
      COMPONO_ASSIGN(uint32_t p, loadInt<uint32_t>(cx, ptr));
      COMPONO_ASSIGN(uint32_t n, loadInt<uint32_t>(cx, ptr + 4));
      Layout el = tv.layout(s.members[0]);
      if (p % el.align) return trap("misaligned list pointer");
      if (!cx.memory().inBounds(p, static_cast<uint64_t>(n) * el.size)) return trap("list out of bounds of memory");
      std::vector<Value> items;
      items.reserve(n);
      for (uint32_t i = 0; i < n; ++i) {
        COMPONO_ASSIGN(Value v, load(cx, tv, s.members[0], p + i * el.size));
        items.push_back(std::move(v));
      }
      return Value::list(std::move(items));
    }
    case Shape::kVariant:
    case Shape::kEnum:
    case Shape::kOption:
    case Shape::kResult: {
      COMPONO_ASSIGN(uint64_t d, loadDiscriminant(cx, ptr, s.cases.size()));
      if (d >= s.cases.size()) return trap("invalid variant discriminant " + std::to_string(d));
      uint32_t off = alignTo(ptr + discriminantSize(s.cases.size()), maxCaseAlign(tv, s.cases));
      std::optional<Value> payload;
      if (s.cases[d].payload) {
        COMPONO_ASSIGN(Value v, load(cx, tv, *s.cases[d].payload, off));
        payload = std::move(v);
      }
      return variantValue(s.kind, static_cast<uint32_t>(d), std::move(payload));
    }
    case Shape::kFlags: {
      std::vector<bool> flags(s.flagCount);
      Layout l = flagsLayout(s.flagCount);
      for (uint32_t w = 0; w * 32 < s.flagCount; ++w) {
        uint32_t bits = 0;
        if (l.size == 1) { COMPONO_ASSIGN(uint8_t b, loadInt<uint8_t>(cx, ptr)); bits = b; }
        else if (l.size == 2) { COMPONO_ASSIGN(uint16_t b, loadInt<uint16_t>(cx, ptr)); bits = b; }
        else { COMPONO_ASSIGN(uint32_t b, loadInt<uint32_t>(cx, ptr + 4 * w)); bits = b; }
        for (uint32_t i = 0; i < 32 && w * 32 + i < s.flagCount; ++i) flags[w * 32 + i] = (bits >> i) & 1;
      }
      return Value::flagSet(std::move(flags));
    }
    case Shape::kOwn: {
      COMPONO_ASSIGN(uint32_t i, loadInt<uint32_t>(cx, ptr));
      COMPONO_ASSIGN(uint32_t rep, cx.liftOwn(s.resource, i));
      return Value::own(rep);
    }
    case Shape::kBorrow: {
      COMPONO_ASSIGN(uint32_t i, loadInt<uint32_t>(cx, ptr));
      COMPONO_ASSIGN(uint32_t rep, cx.liftBorrow(s.resource, i));
      return Value::borrow(rep);
    }
    case Shape::kUnsupported: return trap("unsupported type " + s.unsupported);
  }
  return trap("unknown type");
}

Status store(AbiContext& cx, const TypeView& tv, Type t, const Value& v, uint32_t ptr) {
  Shape s = shapeOf(tv, t);
  switch (s.kind) {
    case Shape::kPrim:
      switch (s.prim) {
        case Primitive::kBool:
        case Primitive::kS8:
        case Primitive::kU8: return storeInt<uint8_t>(cx, ptr, static_cast<uint8_t>(scalarBits(v)));
        case Primitive::kS16:
        case Primitive::kU16: return storeInt<uint16_t>(cx, ptr, static_cast<uint16_t>(scalarBits(v)));
        case Primitive::kS32:
        case Primitive::kU32:
        case Primitive::kChar: return storeInt<uint32_t>(cx, ptr, static_cast<uint32_t>(scalarBits(v)));
        case Primitive::kS64:
        case Primitive::kU64: return storeInt<uint64_t>(cx, ptr, scalarBits(v));
        case Primitive::kF32: return storeInt<float>(cx, ptr, canonF32(v.f32));
        case Primitive::kF64: return storeInt<double>(cx, ptr, canonF64(v.f64));
        case Primitive::kString: {
          COMPONO_ASSIGN(auto pl, storeString(cx, v.str));
          COMPONO_TRY(storeInt<uint32_t>(cx, ptr, pl.first));
          return storeInt<uint32_t>(cx, ptr + 4, pl.second);
        }
        default: return trap("unsupported type error-context");
      }
    case Shape::kRecord:
    case Shape::kTuple: {
      uint32_t off = ptr;
      for (size_t i = 0; i < s.members.size(); ++i) {
        Layout l = tv.layout(s.members[i]);
        off = alignTo(off, l.align);
        COMPONO_TRY(store(cx, tv, s.members[i], v.items[i], off));
        off += l.size;
      }
      return okStatus();
    }
    case Shape::kList: {
      Layout el = tv.layout(s.members[0]);
      uint64_t bytes = static_cast<uint64_t>(v.items.size()) * el.size;
      COMPONO_ASSIGN(uint32_t byteLength, checkedFits(bytes, "list byte length"));
      COMPONO_ASSIGN(uint32_t p, cx.realloc(0, 0, el.align, byteLength));
      if (p % el.align) return trap("realloc returned a misaligned pointer");
      if (!cx.memory().inBounds(p, bytes)) return trap("realloc returned memory out of bounds");
      for (size_t i = 0; i < v.items.size(); ++i) {
        COMPONO_TRY(store(cx, tv, s.members[0], v.items[i], p + static_cast<uint32_t>(i) * el.size));
      }
      COMPONO_TRY(storeInt<uint32_t>(cx, ptr, p));
      return storeInt<uint32_t>(cx, ptr + 4, static_cast<uint32_t>(v.items.size()));
    }
    case Shape::kVariant:
    case Shape::kEnum:
    case Shape::kOption:
    case Shape::kResult: {
      uint32_t d = v.discriminant;
      COMPONO_TRY(storeDiscriminant(cx, ptr, s.cases.size(), d));
      uint32_t off = alignTo(ptr + discriminantSize(s.cases.size()), maxCaseAlign(tv, s.cases));
      if (s.cases[d].payload) COMPONO_TRY(store(cx, tv, *s.cases[d].payload, v.items[0], off));
      return okStatus();
    }
    case Shape::kFlags: {
      Layout l = flagsLayout(s.flagCount);
      for (uint32_t w = 0; w * 32 < s.flagCount; ++w) {
        uint32_t bits = 0;
        for (uint32_t i = 0; i < 32 && w * 32 + i < s.flagCount; ++i) bits |= (v.flags[w * 32 + i] ? 1u : 0u) << i;
        if (l.size == 1) COMPONO_TRY(storeInt<uint8_t>(cx, ptr, static_cast<uint8_t>(bits)));
        else if (l.size == 2) COMPONO_TRY(storeInt<uint16_t>(cx, ptr, static_cast<uint16_t>(bits)));
        else COMPONO_TRY(storeInt<uint32_t>(cx, ptr + 4 * w, bits));
      }
      return okStatus();
    }
    case Shape::kOwn: {
      COMPONO_ASSIGN(uint32_t i, cx.lowerOwn(s.resource, v.handle));
      return storeInt<uint32_t>(cx, ptr, i);
    }
    case Shape::kBorrow: {
      COMPONO_ASSIGN(uint32_t i, cx.lowerBorrow(s.resource, v.handle));
      return storeInt<uint32_t>(cx, ptr, i);
    }
    case Shape::kUnsupported: return trap("unsupported type " + s.unsupported);
  }
  return trap("unknown type");
}

// ---------------------------------------------------------------------------
// lift / lower flat

Result<Value> liftFlat(AbiContext& cx, const TypeView& tv, Type t, FlatReader& in) {
  Shape s = shapeOf(tv, t);
  switch (s.kind) {
    case Shape::kPrim:
      switch (s.prim) {
        case Primitive::kS64:
        case Primitive::kU64: { COMPONO_ASSIGN(Val x, in.next(ValType::kI64)); return primFromBits(s.prim, x.i64); }
        case Primitive::kF32: { COMPONO_ASSIGN(Val x, in.next(ValType::kF32)); return Value::float32(canonF32(x.f32)); }
        case Primitive::kF64: { COMPONO_ASSIGN(Val x, in.next(ValType::kF64)); return Value::float64(canonF64(x.f64)); }
        case Primitive::kString: {
          COMPONO_ASSIGN(Val p, in.next(ValType::kI32));
          COMPONO_ASSIGN(Val n, in.next(ValType::kI32));
          return loadString(cx, p.i32, n.i32);
        }
        case Primitive::kErrorContext: return trap("unsupported type error-context");
        default: { COMPONO_ASSIGN(Val x, in.next(ValType::kI32)); return primFromBits(s.prim, x.i32); }
      }
    case Shape::kRecord:
    case Shape::kTuple: {
      std::vector<Value> items;
      for (Type m : s.members) {
        COMPONO_ASSIGN(Value v, liftFlat(cx, tv, m, in));
        items.push_back(std::move(v));
      }
      return s.kind == Shape::kRecord ? Value::record(std::move(items)) : Value::tuple(std::move(items));
    }
    case Shape::kList: {
      COMPONO_ASSIGN(Val p, in.next(ValType::kI32));
      COMPONO_ASSIGN(Val n, in.next(ValType::kI32));
      Layout el = tv.layout(s.members[0]);
      if (p.i32 % el.align) return trap("misaligned list pointer");
      if (!cx.memory().inBounds(p.i32, static_cast<uint64_t>(n.i32) * el.size)) {
        return trap("list out of bounds of memory");
      }
      std::vector<Value> items;
      items.reserve(n.i32);
      for (uint32_t i = 0; i < n.i32; ++i) {
        COMPONO_ASSIGN(Value v, load(cx, tv, s.members[0], p.i32 + i * el.size));
        items.push_back(std::move(v));
      }
      return Value::list(std::move(items));
    }
    case Shape::kVariant:
    case Shape::kEnum:
    case Shape::kOption:
    case Shape::kResult: {
      std::vector<ValType> flat;
      tv.flatten(t, flat);
      COMPONO_ASSIGN(Val d, in.next(ValType::kI32));
      std::vector<Val> slots;
      for (size_t i = 1; i < flat.size(); ++i) {
        COMPONO_ASSIGN(Val x, in.next(flat[i]));
        slots.push_back(x);
      }
      if (d.i32 >= s.cases.size()) return trap("invalid variant discriminant " + std::to_string(d.i32));
      std::optional<Value> payload;
      if (auto& pt = s.cases[d.i32].payload) {
        std::vector<ValType> want;
        tv.flatten(*pt, want);
        std::vector<Val> coerced;
        for (size_t i = 0; i < want.size(); ++i) {
          COMPONO_ASSIGN(Val c, coerceIn(slots[i], want[i]));
          coerced.push_back(c);
        }
        FlatReader sub(coerced);
        COMPONO_ASSIGN(Value v, liftFlat(cx, tv, *pt, sub));
        payload = std::move(v);
      }
      return variantValue(s.kind, d.i32, std::move(payload));
    }
    case Shape::kFlags: {
      std::vector<bool> flags(s.flagCount);
      for (uint32_t w = 0; w < flagsI32Count(s.flagCount); ++w) {
        COMPONO_ASSIGN(Val x, in.next(ValType::kI32));
        for (uint32_t i = 0; i < 32 && w * 32 + i < s.flagCount; ++i) flags[w * 32 + i] = (x.i32 >> i) & 1;
      }
      return Value::flagSet(std::move(flags));
    }
    case Shape::kOwn: {
      COMPONO_ASSIGN(Val x, in.next(ValType::kI32));
      COMPONO_ASSIGN(uint32_t rep, cx.liftOwn(s.resource, x.i32));
      return Value::own(rep);
    }
    case Shape::kBorrow: {
      COMPONO_ASSIGN(Val x, in.next(ValType::kI32));
      COMPONO_ASSIGN(uint32_t rep, cx.liftBorrow(s.resource, x.i32));
      return Value::borrow(rep);
    }
    case Shape::kUnsupported: return trap("unsupported type " + s.unsupported);
  }
  return trap("unknown type");
}

Status lowerFlat(AbiContext& cx, const TypeView& tv, Type t, const Value& v, std::vector<Val>& out) {
  Shape s = shapeOf(tv, t);
  switch (s.kind) {
    case Shape::kPrim:
      switch (s.prim) {
        case Primitive::kS64:
        case Primitive::kU64: out.push_back(Val::makeI64(scalarBits(v))); return okStatus();
        case Primitive::kF32: out.push_back(Val::makeF32(canonF32(v.f32))); return okStatus();
        case Primitive::kF64: out.push_back(Val::makeF64(canonF64(v.f64))); return okStatus();
        case Primitive::kString: {
          COMPONO_ASSIGN(auto pl, storeString(cx, v.str));
          out.push_back(Val::makeI32(pl.first));
          out.push_back(Val::makeI32(pl.second));
          return okStatus();
        }
        case Primitive::kErrorContext: return trap("unsupported type error-context");
        case Primitive::kBool: out.push_back(Val::makeI32(v.u ? 1 : 0)); return okStatus();
        default: out.push_back(Val::makeI32(static_cast<uint32_t>(scalarBits(v)))); return okStatus();
      }
    case Shape::kRecord:
    case Shape::kTuple:
      for (size_t i = 0; i < s.members.size(); ++i) COMPONO_TRY(lowerFlat(cx, tv, s.members[i], v.items[i], out));
      return okStatus();
    case Shape::kList: {
      Layout el = tv.layout(s.members[0]);
      uint64_t bytes = static_cast<uint64_t>(v.items.size()) * el.size;
      COMPONO_ASSIGN(uint32_t byteLength, checkedFits(bytes, "list byte length"));
      COMPONO_ASSIGN(uint32_t p, cx.realloc(0, 0, el.align, byteLength));
      if (p % el.align) return trap("realloc returned a misaligned pointer");
      if (!cx.memory().inBounds(p, bytes)) return trap("realloc returned memory out of bounds");
      for (size_t i = 0; i < v.items.size(); ++i) {
        COMPONO_TRY(store(cx, tv, s.members[0], v.items[i], p + static_cast<uint32_t>(i) * el.size));
      }
      out.push_back(Val::makeI32(p));
      out.push_back(Val::makeI32(static_cast<uint32_t>(v.items.size())));
      return okStatus();
    }
    case Shape::kVariant:
    case Shape::kEnum:
    case Shape::kOption:
    case Shape::kResult: {
      std::vector<ValType> flat;
      tv.flatten(t, flat);
      out.push_back(Val::makeI32(v.discriminant));
      size_t base = out.size();
      if (auto& pt = s.cases[v.discriminant].payload) {
        std::vector<Val> payload;
        COMPONO_TRY(lowerFlat(cx, tv, *pt, v.items[0], payload));
        for (size_t i = 0; i < payload.size(); ++i) out.push_back(coerceOut(payload[i], flat[1 + i]));
      }
      for (size_t i = out.size() - base + 1; i < flat.size(); ++i) out.push_back(zeroOf(flat[i]));
      return okStatus();
    }
    case Shape::kFlags:
      for (uint32_t w = 0; w < flagsI32Count(s.flagCount); ++w) {
        uint32_t bits = 0;
        for (uint32_t i = 0; i < 32 && w * 32 + i < s.flagCount; ++i) bits |= (v.flags[w * 32 + i] ? 1u : 0u) << i;
        out.push_back(Val::makeI32(bits));
      }
      return okStatus();
    case Shape::kOwn: {
      COMPONO_ASSIGN(uint32_t i, cx.lowerOwn(s.resource, v.handle));
      out.push_back(Val::makeI32(i));
      return okStatus();
    }
    case Shape::kBorrow: {
      COMPONO_ASSIGN(uint32_t i, cx.lowerBorrow(s.resource, v.handle));
      out.push_back(Val::makeI32(i));
      return okStatus();
    }
    case Shape::kUnsupported: return trap("unsupported type " + s.unsupported);
  }
  return trap("unknown type");
}

// ---------------------------------------------------------------------------
// Parameter and result lists

Result<std::vector<Value>> liftValues(AbiContext& cx, const TypeView& tv, std::span<const Type> ts,
                                      std::span<const Val> flat, uint32_t maxFlat) {
  std::vector<Value> out;
  if (tv.flatten(ts).size() > maxFlat) {
    FlatReader in(flat);
    COMPONO_ASSIGN(Val p, in.next(ValType::kI32));
    std::vector<Type> members(ts.begin(), ts.end());
    Layout l = recordLayout(tv, members);
    if (p.i32 % l.align) return trap("misaligned pointer to spilled values");
    if (!cx.memory().inBounds(p.i32, l.size)) return trap("spilled values out of bounds of memory");
    uint32_t off = p.i32;
    for (Type t : ts) {
      Layout el = tv.layout(t);
      off = alignTo(off, el.align);
      COMPONO_ASSIGN(Value v, load(cx, tv, t, off));
      out.push_back(std::move(v));
      off += el.size;
    }
    return out;
  }
  FlatReader in(flat);
  for (Type t : ts) {
    COMPONO_ASSIGN(Value v, liftFlat(cx, tv, t, in));
    out.push_back(std::move(v));
  }
  return out;
}

Result<std::vector<Val>> lowerValues(AbiContext& cx, const TypeView& tv, std::span<const Type> ts,
                                     std::span<const Value> vs, uint32_t maxFlat, std::optional<uint32_t> outPtr) {
  std::vector<Val> out;
  if (tv.flatten(ts).size() > maxFlat) {
    std::vector<Type> members(ts.begin(), ts.end());
    Layout l = recordLayout(tv, members);
    uint32_t p;
    if (outPtr) {
      p = *outPtr;
    } else {
      COMPONO_ASSIGN(p, cx.realloc(0, 0, l.align, l.size));
    }
    if (p % l.align) return trap("misaligned pointer for spilled values");
    if (!cx.memory().inBounds(p, l.size)) return trap("spilled values out of bounds of memory");
    uint32_t off = p;
    for (size_t i = 0; i < ts.size(); ++i) {
      Layout el = tv.layout(ts[i]);
      off = alignTo(off, el.align);
      COMPONO_TRY(store(cx, tv, ts[i], vs[i], off));
      off += el.size;
    }
    if (!outPtr) out.push_back(Val::makeI32(p));
    return out;
  }
  for (size_t i = 0; i < ts.size(); ++i) COMPONO_TRY(lowerFlat(cx, tv, ts[i], vs[i], out));
  return out;
}

// ---------------------------------------------------------------------------
// Type checking and names

std::string typeName(const TypeView& tv, Type t) {
  if (t.isPrimitive()) return wit::primitiveName(t.primitive);
  if (tv.model().types[t.id].name.empty()) {
    Type r = resolveAlias(tv.model(), t);
    if (!(r == t)) return typeName(tv, r);
  }
  const wit::TypeDef& raw = tv.model().types[t.id];
  if (!raw.name.empty()) return raw.name;
  Shape s = shapeOf(tv, t);
  auto join = [&](const std::vector<Type>& ts) {
    std::string out;
    for (size_t i = 0; i < ts.size(); ++i) out += (i ? ", " : "") + typeName(tv, ts[i]);
    return out;
  };
  switch (s.kind) {
    case Shape::kList: return "list<" + typeName(tv, s.members[0]) + ">";
    case Shape::kTuple: return "tuple<" + join(s.members) + ">";
    case Shape::kOption: return "option<" + typeName(tv, *s.cases[1].payload) + ">";
    case Shape::kResult: {
      auto& ok = s.cases[0].payload;
      auto& er = s.cases[1].payload;
      if (!ok && !er) return "result";
      return "result<" + (ok ? typeName(tv, *ok) : std::string("_")) + (er ? ", " + typeName(tv, *er) : "") + ">";
    }
    case Shape::kOwn:
    case Shape::kBorrow: {
      std::string r = s.resource != wit::kNoId ? tv.model().types[s.resource].name : "?";
      return std::string(s.kind == Shape::kOwn ? "own<" : "borrow<") + r + ">";
    }
    default: return raw.name.empty() ? "<anonymous type>" : raw.name;
  }
}

Status typeCheck(const TypeView& tv, Type t, const Value& v, const std::string& where) {
  Shape s = shapeOf(tv, t);
  auto bad = [&](const std::string& want) {
    return Error(ErrorCode::kUsage, where + ": expected " + want + " (" + typeName(tv, t) + "), got a " +
                                        valueKindName(v.kind));
  };
  switch (s.kind) {
    case Shape::kPrim: {
      static const ValueKind kKinds[] = {ValueKind::kBool, ValueKind::kS8,  ValueKind::kU8,   ValueKind::kS16,
                                         ValueKind::kU16,  ValueKind::kS32, ValueKind::kU32,  ValueKind::kS64,
                                         ValueKind::kU64,  ValueKind::kF32, ValueKind::kF64,  ValueKind::kChar,
                                         ValueKind::kString};
      if (s.prim == Primitive::kErrorContext) return bad("a supported type");
      if (v.kind != kKinds[static_cast<int>(s.prim)]) return bad(wit::primitiveName(s.prim));
      if (v.kind == ValueKind::kChar) {
        auto c = toChar(static_cast<uint32_t>(v.u));
        if (!c.ok() || v.u > UINT32_MAX) return Error(ErrorCode::kUsage, where + ": not a Unicode scalar value");
      }
      return okStatus();
    }
    case Shape::kRecord:
    case Shape::kTuple:
      if (v.kind != (s.kind == Shape::kRecord ? ValueKind::kRecord : ValueKind::kTuple)) {
        return bad(s.kind == Shape::kRecord ? "a record" : "a tuple");
      }
      if (v.items.size() != s.members.size()) {
        return Error(ErrorCode::kUsage, where + ": expected " + std::to_string(s.members.size()) + " fields for " +
                                            typeName(tv, t) + ", got " + std::to_string(v.items.size()));
      }
      for (size_t i = 0; i < s.members.size(); ++i) {
        COMPONO_TRY(typeCheck(tv, s.members[i], v.items[i], where + "." + std::to_string(i)));
      }
      return okStatus();
    case Shape::kList:
      if (v.kind != ValueKind::kList) return bad("a list");
      for (size_t i = 0; i < v.items.size(); ++i) {
        COMPONO_TRY(typeCheck(tv, s.members[0], v.items[i], where + "[" + std::to_string(i) + "]"));
      }
      return okStatus();
    case Shape::kVariant:
    case Shape::kEnum:
    case Shape::kOption:
    case Shape::kResult: {
      ValueKind want = s.kind == Shape::kVariant ? ValueKind::kVariant
                       : s.kind == Shape::kEnum  ? ValueKind::kEnum
                       : s.kind == Shape::kOption ? ValueKind::kOption
                                                  : ValueKind::kResult;
      if (v.kind != want) return bad(std::string("a ") + valueKindName(want));
      if (v.discriminant >= s.cases.size()) return Error(ErrorCode::kUsage, where + ": no such case");
      auto& payload = s.cases[v.discriminant].payload;
      if (payload.has_value() != (v.items.size() == 1) || v.items.size() > 1) {
        return Error(ErrorCode::kUsage, where + ": wrong payload for the case of " + typeName(tv, t));
      }
      if (payload) COMPONO_TRY(typeCheck(tv, *payload, v.items[0], where));
      return okStatus();
    }
    case Shape::kFlags:
      if (v.kind != ValueKind::kFlags) return bad("flags");
      if (v.flags.size() != s.flagCount) return Error(ErrorCode::kUsage, where + ": wrong number of flags");
      return okStatus();
    case Shape::kOwn: return v.kind == ValueKind::kOwn ? okStatus() : bad("an own handle");
    case Shape::kBorrow:
      return v.kind == ValueKind::kBorrow || v.kind == ValueKind::kOwn ? okStatus() : bad("a borrow handle");
    case Shape::kUnsupported: return Error(ErrorCode::kComponent, where + ": unsupported type " + s.unsupported);
  }
  return okStatus();
}

}  // namespace compono::component::abi
