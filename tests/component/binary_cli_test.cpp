// `compono inspect` and `compono validate` on components (core modules keep
// their behaviour).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/test_support.h"

namespace compono::component {
namespace {

using compono::test::runCompono;

std::string fixture(const std::string& rel) {
  return compono::test::sharedPath("fixtures/components/" + rel);
}

TEST(ComponentCli, InspectShowsImportsExportsAndNestedDefinitions) {
  auto r = runCompono({"inspect", fixture("consumer.wasm")});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  EXPECT_NE(r.out.find("component, 15308 bytes"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("imports (1):\n  example:pair/math@0.1.0: interface\n"
                       "    mul: func(a: u32, b: u32) -> u32\n"
                       "    describe: func(x: u32) -> string\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("exports (1):\n  example:pair/app@0.1.0: interface\n"
                       "    run: func(n: u32, label: string) -> string\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("core module 0: offset 0x"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("component 0: offset 0x"), std::string::npos) << r.out;

  auto composed = runCompono({"inspect", fixture("composed.wasm")});
  ASSERT_EQ(composed.exitCode, 0) << composed.err;
  EXPECT_NE(composed.out.find("2 nested components"), std::string::npos) << composed.out;
  EXPECT_NE(composed.out.find("export example:pair/math@0.1.0 (instance)"), std::string::npos);
}

TEST(ComponentCli, InspectJson) {
  auto r = runCompono({"inspect", "--json", fixture("calc-js.wasm")});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["kind"], "component");
  EXPECT_EQ(j["size"], 12889776);
  ASSERT_EQ(j["imports"].size(), 1u);
  EXPECT_EQ(j["imports"][0]["name"], "example:calc/logger@0.1.0");
  EXPECT_EQ(j["imports"][0]["kind"], "instance");
  ASSERT_EQ(j["exports"].size(), 1u);
  bool sawCtor = false;
  for (auto& line : j["exports"][0]["wit"]) {
    if (line.get<std::string>().find("constructor(initial: s64)") != std::string::npos) sawCtor = true;
  }
  EXPECT_TRUE(sawCtor) << j["exports"][0]["wit"].dump();
  EXPECT_EQ(j["coreModules"].size(), 3u);
  EXPECT_EQ(j["coreModules"][0]["size"], 12877862);
  EXPECT_EQ(j["components"].size(), 1u);
  EXPECT_EQ(j["wit"], compono::test::readFile(fixture("wit-of-calc-js.wit")));
}

TEST(ComponentCli, ValidateComponents) {
  auto r = runCompono({"validate", fixture("composed.wasm")});
  EXPECT_EQ(r.exitCode, 0) << r.err;
  EXPECT_NE(r.out.find("valid component"), std::string::npos) << r.out;
  auto j = runCompono({"validate", "--json", fixture("provider.wasm")});
  EXPECT_EQ(j.exitCode, 0) << j.err;
  auto parsed = nlohmann::json::parse(j.out);
  EXPECT_EQ(parsed["kind"], "component");
  EXPECT_EQ(parsed["valid"], true);

  // A corrupted component: one located line.
  compono::test::TempDir dir;
  std::string bytes = compono::test::readFile(fixture("provider.wasm"));
  ASSERT_GT(bytes.size(), 14100u);
  std::string bad = bytes.substr(0, 14100);  // cut inside the last sections
  dir.write("cut.wasm", bad);
  auto e = runCompono({"validate", dir.file("cut.wasm")});
  EXPECT_EQ(e.exitCode, 1);
  EXPECT_NE(e.err.find("cut.wasm: offset 0x"), std::string::npos) << e.err;
  EXPECT_EQ(std::count(e.err.begin(), e.err.end(), '\n'), 1) << e.err;
}

TEST(ComponentCli, CoreModulesAreUnchanged) {
  auto r = runCompono({"inspect", "--json", fixture("basic.core.wasm")});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["kind"], "core-module");
  auto v = runCompono({"validate", fixture("basic.core.wasm")});
  EXPECT_EQ(v.exitCode, 0) << v.err;
  EXPECT_NE(v.out.find("valid core module"), std::string::npos);
}

}  // namespace
}  // namespace compono::component
