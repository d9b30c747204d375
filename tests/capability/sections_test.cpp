// The top-level section walker on fixtures and on broken input.
#include <gtest/gtest.h>

#include <set>

#include "capability/capability_test_util.h"
#include "compono/capability/sections.h"

namespace compono::capability::test {
namespace {

std::string walkError(const std::vector<uint8_t>& bytes) {
  auto list = walkSections(bytes);
  return list.ok() ? "(walked)" : list.error().message;
}

std::vector<uint8_t> module(std::initializer_list<uint8_t> sections) {
  auto bytes = emptyModule();
  bytes.insert(bytes.end(), sections);
  return bytes;
}

TEST(Sections, WalkTheFixtures) {
  TempDir dir;
  auto provider = fixtureCopy(dir, "provider.wasm");
  auto list = walkSections(provider);
  ASSERT_TRUE(list.ok()) << list.error().message;
  EXPECT_EQ(list->kind, BinaryKind::kComponent);
  EXPECT_EQ(list->version, 0x0d);
  size_t pos = kPreambleSize;
  for (const auto& s : list->sections) {
    EXPECT_EQ(s.offset, pos);
    EXPECT_TRUE(s.canonical);
    pos = s.end();
  }
  EXPECT_EQ(pos, provider.size());
  ASSERT_GE(list->sections.size(), 2u);
  EXPECT_EQ(list->sections[list->sections.size() - 2].name, "component-name");
  EXPECT_EQ(list->sections.back().name, "producers");
  EXPECT_EQ(list->sections.front().id, 1);  // the core module

  auto core = walkSections(fixtureCopy(dir, "basic.core.wasm"));
  ASSERT_TRUE(core.ok());
  EXPECT_EQ(core->kind, BinaryKind::kCoreModule);
  EXPECT_EQ(core->version, 1);
  EXPECT_EQ(core->sections.back().name, "producers");
}

TEST(Sections, BrokenFramingIsADecodeErrorWithAnOffset) {
  EXPECT_NE(walkError({}).find("no \\0asm magic"), std::string::npos);
  EXPECT_NE(walkError(toBytes("\x7f" "ELF")).find("no \\0asm magic"), std::string::npos);
  EXPECT_NE(walkError({0, 0x61, 0x73, 0x6d, 1}).find("8-byte preamble"), std::string::npos);
  EXPECT_NE(walkError({0, 0x61, 0x73, 0x6d, 2, 0, 0, 0}).find("unknown version 2"),
            std::string::npos);
  EXPECT_NE(walkError({0, 0x61, 0x73, 0x6d, 1, 0, 2, 0}).find("layer 2"), std::string::npos);
  EXPECT_NE(walkError(module({1})).find("offset 0x9: unexpected end of input in section size"),
            std::string::npos)
      << walkError(module({1}));
  EXPECT_NE(walkError(module({1, 5, 0})).find("offset 0x8: section 1 of 5 bytes runs past the end"),
            std::string::npos);
  EXPECT_NE(walkError(module({1, 0x80, 0x80, 0x80, 0x80, 0x80, 0})).find("does not fit in 32 bits"),
            std::string::npos);
  EXPECT_NE(walkError(module({1, 0x80, 0x80, 0x80, 0x80, 0x10})).find("does not fit in 32 bits"),
            std::string::npos);
  EXPECT_NE(walkError(module({0, 2, 5, 'a'})).find("name of 5 bytes runs past the end"),
            std::string::npos);
  EXPECT_NE(walkError(module({0, 0})).find("custom section name length"), std::string::npos);
  for (const auto& bytes : {module({1}), module({0, 2, 5, 'a'})}) {
    auto list = walkSections(bytes);
    ASSERT_FALSE(list.ok());
    EXPECT_EQ(list.error().code, ErrorCode::kDecode);
  }
}

TEST(Sections, EveryPrefixOfAFixtureWalksOrFailsCleanly) {
  TempDir dir;
  auto bytes = fixtureCopy(dir, "consumer.wasm");
  auto full = walkSections(bytes);
  ASSERT_TRUE(full.ok());
  std::set<size_t> boundaries = {kPreambleSize};
  for (const auto& s : full->sections) boundaries.insert(s.end());
  for (size_t n = 0; n <= bytes.size(); ++n) {
    auto list = walkSections(std::span<const uint8_t>(bytes.data(), n));
    EXPECT_EQ(list.ok(), boundaries.count(n) == 1) << n;
  }
}

TEST(Sections, NonMinimalLebIsWalkedButMarked) {
  auto list = walkSections(module({1, 0x81, 0x00, 0xaa, 0, 0x83, 0x00, 0x81, 0x00, 'x'}));
  ASSERT_TRUE(list.ok()) << list.error().message;
  ASSERT_EQ(list->sections.size(), 2u);
  EXPECT_FALSE(list->sections[0].canonical);
  EXPECT_FALSE(list->sections[1].canonical);
  EXPECT_EQ(list->sections[1].name, "x");
  EXPECT_EQ(list->sections[1].contentOffset, list->sections[1].end());
}

TEST(Sections, AppendCustomSectionUsesMinimalLebs) {
  for (size_t size : {0u, 1u, 100u, 200u, 20000u}) {
    auto bytes = emptyModule();
    std::vector<uint8_t> content(size, 0x5a);
    appendCustomSection(bytes, "compono-claims", content);
    auto list = walkSections(bytes);
    ASSERT_TRUE(list.ok()) << list.error().message;
    ASSERT_EQ(list->sections.size(), 1u);
    const Section& s = list->sections[0];
    EXPECT_TRUE(s.canonical);
    EXPECT_EQ(s.name, "compono-claims");
    EXPECT_EQ(s.end() - s.contentOffset, size);
    EXPECT_EQ(s.end(), bytes.size());
  }
}

}  // namespace
}  // namespace compono::capability::test
