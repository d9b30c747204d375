// Component binary decoder: every fixture decodes completely; malformed input
// gives one-line errors with the file, the byte offset and the section.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <sstream>

#include "compono/component/binary.h"
#include "compono/engine/module.h"
#include "component/binary/reader.h"
#include "support/test_support.h"

namespace compono::component {
namespace {

std::string fixture(const std::string& rel) {
  return compono::test::sharedPath("fixtures/components/" + rel);
}

std::vector<uint8_t> fixtureBytes(const std::string& name) {
  auto bytes = engine::readFileBytes(fixture(name));
  EXPECT_TRUE(bytes.ok()) << bytes.error().message;
  return bytes.ok() ? std::move(bytes).value() : std::vector<uint8_t>{};
}

// The `import X;` / `export X;` lines of a wit-of-*.wit file, in order.
struct WorldLines {
  std::vector<std::string> imports;
  std::vector<std::string> exports;
};
WorldLines worldLines(const std::string& witFile) {
  WorldLines w;
  std::istringstream in(compono::test::readFile(fixture(witFile)));
  std::string line;
  std::regex re(R"(^\s*(import|export)\s+([^;]+);)");
  std::smatch m;
  while (std::getline(in, line)) {
    if (std::regex_search(line, m, re)) {
      (m[1] == "import" ? w.imports : w.exports).push_back(m[2]);
    }
  }
  return w;
}

struct FixtureCase {
  const char* wasm;
  const char* wit;
  size_t nestedComponents;  // wit-component wraps each exported interface in one
};

const FixtureCase kFixtures[] = {
    {"basic-c.wasm", "wit-of-basic-c.wit", 1},
    {"basic-c-wasi.wasm", "wit-of-basic-c-wasi.wit", 1},
    {"calc-js.wasm", "wit-of-calc-js.wit", 1},
    {"provider.wasm", "wit-of-provider.wit", 1},
    {"consumer.wasm", "wit-of-consumer.wit", 1},
    {"composed.wasm", "wit-of-composed.wit", 2},
    {"hello-command.wasm", "wit-of-hello-command.wit", 1},
};

size_t countItems(const Component& c, size_t variantIndex) {
  size_t n = 0;
  for (const Definition& d : c.definitions) n += d.item.index() == variantIndex;
  return n;
}

TEST(ComponentDecoder, EveryFixtureDecodesWithItsImportsAndExports) {
  for (const FixtureCase& f : kFixtures) {
    SCOPED_TRACE(f.wasm);
    auto c = decodeComponentFile(fixture(f.wasm));
    ASSERT_TRUE(c.ok()) << c.error().message;
    WorldLines w = worldLines(f.wit);
    std::vector<std::string> imports, exports;
    for (const Import* i : c->imports()) imports.push_back(i->name.name);
    for (const Export* e : c->exports()) exports.push_back(e->name.name);
    EXPECT_EQ(imports, w.imports);
    EXPECT_EQ(exports, w.exports);
    EXPECT_EQ(countItems(*c, 4), f.nestedComponents);
    // Every import of a WIT interface is an instance; every export too.
    for (const Import* i : c->imports()) EXPECT_EQ(i->desc.kind, ExternKind::kInstance);
    for (const Export* e : c->exports()) EXPECT_EQ(e->item.sort, Sort::kInstance);
    // Sections cover every definition, in order.
    uint32_t next = 0;
    for (const SectionSpan& s : c->sections) {
      EXPECT_EQ(s.first, next);
      next += s.count;
    }
    EXPECT_EQ(next, c->definitions.size());
  }
}

TEST(ComponentDecoder, IndexSpacesAreAssignedInOrder) {
  auto c = decodeComponentFile(fixture("basic-c.wasm"));
  ASSERT_TRUE(c.ok()) << c.error().message;
  std::array<uint32_t, kSortCount> seen{};
  for (const Definition& d : c->definitions) {
    if (!d.sort) continue;
    EXPECT_EQ(d.index, seen[static_cast<size_t>(*d.sort)]) << sortName(*d.sort);
    seen[static_cast<size_t>(*d.sort)]++;
    EXPECT_GE(d.offset, 8u);
  }
  EXPECT_EQ(seen, c->counts);
  // basic-c: the C module, the wit-component shim and fixup modules.
  EXPECT_EQ(c->count(Sort::kCoreModule), 3u);
  EXPECT_EQ(c->count(Sort::kCoreInstance) > 0, true);
}

TEST(ComponentDecoder, CoreModulesKeepTheirBytes) {
  auto c = decodeComponentFile(fixture("calc-js.wasm"));
  ASSERT_TRUE(c.ok()) << c.error().message;
  const CoreModule* big = nullptr;
  for (const Definition& d : c->definitions) {
    if (auto* m = std::get_if<CoreModule>(&d.item)) {
      if (!big || m->size > big->size) big = m;
      auto bytes = m->bytes();
      ASSERT_GE(bytes.size(), 8u);
      EXPECT_EQ(bytes[0], 0);
      EXPECT_EQ(bytes[1], 'a');
      EXPECT_EQ(bytes[4], 1);
    }
  }
  ASSERT_NE(big, nullptr);
  EXPECT_EQ(big->size, 12877862u);  // the StarlingMonkey core module
  // The engine accepts the first (small) module.
  engine::Engine engine;
  for (const Definition& d : c->definitions) {
    if (auto* m = std::get_if<CoreModule>(&d.item); m && m->size < 100000) {
      auto mod = engine::Module::fromBinary(engine, m->bytes(), "m");
      EXPECT_TRUE(mod.ok()) << mod.error().message;
    }
  }
}

TEST(ComponentDecoder, NestedComponentsOfComposed) {
  auto c = decodeComponentFile(fixture("composed.wasm"));
  ASSERT_TRUE(c.ok()) << c.error().message;
  std::vector<const Component*> nested;
  for (const Definition& d : c->definitions) {
    if (auto* n = std::get_if<NestedComponent>(&d.item)) nested.push_back(&n->get());
  }
  ASSERT_EQ(nested.size(), 2u);
  // The provider exports math; the consumer imports it and exports app.
  ASSERT_EQ(nested[0]->exports().size(), 1u);
  EXPECT_EQ(nested[0]->exports()[0]->name.name, "example:pair/math@0.1.0");
  ASSERT_EQ(nested[1]->imports().size(), 1u);
  EXPECT_EQ(nested[1]->imports()[0]->name.name, "example:pair/math@0.1.0");
  // Offsets are absolute: the nested component starts after its section header.
  EXPECT_GT(nested[1]->offset, nested[0]->offset + nested[0]->size);
  auto bytes = fixtureBytes("composed.wasm");
  EXPECT_EQ(bytes[nested[0]->offset], 0);
  EXPECT_EQ(bytes[nested[0]->offset + 1], 'a');
  // The instance that wires them.
  bool wired = false;
  for (const Definition& d : c->definitions) {
    if (auto* i = std::get_if<Instance>(&d.item); i && i->kind == Instance::Kind::kInstantiate) {
      if (i->component == 1) {
        ASSERT_EQ(i->args.size(), 1u);
        EXPECT_EQ(i->args[0].name, "example:pair/math@0.1.0");
        EXPECT_EQ(i->args[0].item.sort, Sort::kInstance);
        wired = true;
      }
    }
  }
  EXPECT_TRUE(wired);
}

TEST(ComponentDecoder, ResourceTypesAndCanonsOfCalcJs) {
  auto c = decodeComponentFile(fixture("calc-js.wasm"));
  ASSERT_TRUE(c.ok()) << c.error().message;
  size_t resources = 0, lifts = 0, lowers = 0, resourceCanons = 0;
  bool liftWithMemoryAndRealloc = false;
  for (const Definition& d : c->definitions) {
    if (auto* t = std::get_if<TypeDef>(&d.item)) {
      if (auto* r = std::get_if<ResourceType>(&t->kind)) {
        ++resources;
        EXPECT_TRUE(r->dtor.has_value());
      }
    }
    if (auto* cn = std::get_if<Canon>(&d.item)) {
      switch (cn->kind) {
        case Canon::Kind::kLift: {
          ++lifts;
          CanonOptions o = summarize(cn->options);
          if (o.memory && o.realloc) liftWithMemoryAndRealloc = true;
          break;
        }
        case Canon::Kind::kLower:
          ++lowers;
          break;
        default:
          ++resourceCanons;
          break;
      }
    }
  }
  EXPECT_EQ(resources, 1u);  // accumulator
  // 26 functions plus 5 resource functions of example:calc/calc.
  EXPECT_EQ(lifts, 31u);
  EXPECT_GE(lowers, 1u);  // logger.log
  EXPECT_GE(resourceCanons, 1u);
  EXPECT_TRUE(liftWithMemoryAndRealloc);
}

// Every error is one line naming the file, a hex offset and a section.
void expectDecodeError(const std::vector<uint8_t>& bytes, const std::string& needle) {
  auto c = decodeComponent(bytes, "bad.wasm");
  ASSERT_FALSE(c.ok()) << "decoded although " << needle;
  const std::string& m = c.error().message;
  EXPECT_EQ(c.error().code, ErrorCode::kDecode);
  EXPECT_EQ(m.find('\n'), std::string::npos) << m;
  EXPECT_EQ(m.rfind("bad.wasm: offset 0x", 0), 0u) << m;
  EXPECT_NE(m.find(": section "), std::string::npos) << m;
  EXPECT_NE(m.find(needle), std::string::npos) << m;
}

std::vector<uint8_t> header() { return {0x00, 'a', 's', 'm', 0x0d, 0x00, 0x01, 0x00}; }
std::vector<uint8_t> withSection(uint8_t id, std::vector<uint8_t> payload) {
  std::vector<uint8_t> b = header();
  b.push_back(id);
  b.push_back(static_cast<uint8_t>(payload.size()));
  b.insert(b.end(), payload.begin(), payload.end());
  return b;
}

TEST(ComponentDecoder, PreambleErrors) {
  expectDecodeError({0x00, 'a', 's'}, "not a WebAssembly binary");
  expectDecodeError({0x01, 'a', 's', 'm', 0x0d, 0, 1, 0}, "missing \\0asm magic");
  expectDecodeError({0x00, 'a', 's', 'm', 0x0c, 0, 1, 0},
                    "unsupported component binary version 0xc");
  expectDecodeError({0x00, 'a', 's', 'm', 0x01, 0, 0, 0}, "core module, not a component");
  auto c = decodeComponent(header(), "empty.wasm");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_TRUE(c->definitions.empty());
}

TEST(ComponentDecoder, SectionFramingErrors) {
  std::vector<uint8_t> b = header();
  b.push_back(7);
  b.push_back(50);  // 50 bytes announced, none present
  expectDecodeError(b, "runs past the end");
  expectDecodeError(withSection(13, {}), "unknown section id 13");
  expectDecodeError(withSection(12, {0}), "component model values");
  // A type section with a trailing byte.
  expectDecodeError(withSection(7, {0x01, 0x7f, 0x00}),
                    "unexpected data at the end of the section");
  // A section count larger than the payload.
  expectDecodeError(withSection(7, {0x05, 0x7f}), "count 5 is larger than");
}

TEST(ComponentDecoder, TypeErrorsNameTheFeature) {
  expectDecodeError(withSection(7, {0x01, 0x66, 0x00}), "stream types (async, post-0.2)");
  expectDecodeError(withSection(7, {0x01, 0x65, 0x00}), "future types (async, post-0.2)");
  expectDecodeError(withSection(7, {0x01, 0x64}), "error-context");
  expectDecodeError(withSection(7, {0x01, 0x67, 0x79, 0x04}), "fixed-length lists");
  expectDecodeError(withSection(7, {0x01, 0x43, 0x00, 0x01, 0x00}), "async function types");
  expectDecodeError(withSection(7, {0x01, 0x70, 0x64}), "error-context");
  expectDecodeError(withSection(7, {0x01, 0x40, 0x00, 0x01, 0x01}), "number of results");
  expectDecodeError(withSection(7, {0x01, 0x40, 0x00, 0x02, 0x00}),
                    "invalid leading byte 0x02 for component function results");
  expectDecodeError(withSection(7, {0x01, 0x3f, 0x7e, 0x00}), "invalid resource representation");
  // The type section names itself, at the offset of the opcode (8 + 2 + 1).
  auto c = decodeComponent(withSection(7, {0x01, 0x66, 0x00}), "t.wasm");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().message, "t.wasm: offset 0xb: section type: stream types (async, post-0.2)");
}

TEST(ComponentDecoder, CanonErrorsNameTheFeature) {
  expectDecodeError(withSection(8, {0x01, 0x09, 0x00, 0x00, 0x00}), "task.return (async");
  expectDecodeError(withSection(8, {0x01, 0x1f}), "waitable-set.new (async");
  expectDecodeError(withSection(8, {0x01, 0x1c, 0x00}), "error-context.new");
  // lift with the async option.
  expectDecodeError(withSection(8, {0x01, 0x00, 0x00, 0x00, 0x01, 0x06, 0x00}),
                    "canonical option `async`");
  expectDecodeError(withSection(8, {0x01, 0x00, 0x01, 0x00, 0x00, 0x00}),
                    "canonical function lift");
}

TEST(ComponentDecoder, NameErrors) {
  // import "a" with the implements form (0x02).
  expectDecodeError(withSection(10, {0x01, 0x02, 0x01, 'a', 0x00}), "implements");
  // Invalid UTF-8 in an import name.
  expectDecodeError(withSection(10, {0x01, 0x00, 0x01, 0xff, 0x01, 0x00}), "malformed UTF-8");
  // value imports.
  expectDecodeError(withSection(10, {0x01, 0x00, 0x01, 'a', 0x02, 0x7f}), "values");
}

TEST(ComponentDecoder, EveryTruncationOfAFixtureIsAnError) {
  std::vector<uint8_t> bytes = fixtureBytes("consumer.wasm");
  ASSERT_FALSE(bytes.empty());
  // Every prefix (coarsely past the core module) fails with a located error.
  for (size_t n = 0; n < bytes.size(); n += (n > 100 && n < 13900 ? 97 : 1)) {
    std::vector<uint8_t> prefix(bytes.begin(), bytes.begin() + n);
    auto c = decodeComponent(prefix, "cut.wasm");
    if (n == 8) {
      EXPECT_TRUE(c.ok());
      continue;
    }
    // A cut exactly between two sections decodes (fewer definitions).
    if (c.ok()) continue;
    EXPECT_EQ(c.error().message.rfind("cut.wasm: offset 0x", 0), 0u) << c.error().message;
    EXPECT_EQ(c.error().message.find('\n'), std::string::npos);
  }
}

TEST(ComponentDecoder, CorruptedBytesNeverCrash) {
  std::vector<uint8_t> bytes = fixtureBytes("composed.wasm");
  ASSERT_FALSE(bytes.empty());
  uint32_t seed = 12345;
  size_t errors = 0;
  for (int i = 0; i < 3000; ++i) {
    std::vector<uint8_t> b = bytes;
    for (int k = 0; k < 3; ++k) {
      seed = seed * 1103515245 + 12345;
      size_t at = 8 + (seed >> 8) % (b.size() - 8);
      b[at] = static_cast<uint8_t>(seed >> 3);
    }
    auto c = decodeComponent(b, "fuzz.wasm");
    if (!c.ok()) {
      ++errors;
      EXPECT_EQ(c.error().message.rfind("fuzz.wasm: offset 0x", 0), 0u) << c.error().message;
    }
  }
  EXPECT_GT(errors, 0u);
}

TEST(ComponentDecoder, IsComponentBinary) {
  EXPECT_TRUE(isComponentBinary(fixtureBytes("provider.wasm")));
  EXPECT_FALSE(isComponentBinary(fixtureBytes("basic.core.wasm")));
  EXPECT_FALSE(isComponentBinary({}));
}

// ---- LEB128 (Reader::u32 / u64 share one decoder) ----

struct Read {
  uint64_t value = 0;
  std::string error;
};

Read readLeb(std::vector<uint8_t> bytes, unsigned bits) {
  binary::Reader r(bytes, 0, "x.wasm");
  Read out;
  out.value = bits == 32 ? r.u32("n") : r.u64("n");
  if (r.failed()) out.error = r.takeError().message;
  return out;
}

TEST(ComponentLeb128, UnsignedLimitsAndErrors) {
  EXPECT_EQ(readLeb({0xff, 0xff, 0xff, 0xff, 0x0f}, 32).value, 0xffffffffu);
  EXPECT_EQ(readLeb({0x80, 0x00}, 32).value, 0u);  // padded, within 5 bytes
  EXPECT_NE(readLeb({0x80, 0x80, 0x80, 0x80, 0x10}, 32).error.find("integer too large for u32 (n)"),
            std::string::npos);
  EXPECT_NE(readLeb({0x80, 0x80, 0x80, 0x80, 0x80, 0x00}, 32)
                .error.find("integer representation too long (n)"),
            std::string::npos);
  std::vector<uint8_t> max64(9, 0xff);
  max64.push_back(0x01);
  EXPECT_EQ(readLeb(max64, 64).value, UINT64_MAX);
  max64.back() = 0x02;
  EXPECT_NE(readLeb(max64, 64).error.find("integer too large for u64 (n)"), std::string::npos);
  EXPECT_NE(readLeb({0x80, 0x80}, 64).error.find("x.wasm: offset 0x0"), std::string::npos);
}

}  // namespace
}  // namespace compono::component
