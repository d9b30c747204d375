// The component text reader (text.h) and the component .wast runner (wast.h).
#include "compono/component/text.h"

#include <gtest/gtest.h>

#include "compono/component/binary.h"
#include "compono/component/component_wit.h"
#include "compono/component/validate.h"
#include "compono/component/wast.h"
#include "support/test_support.h"

namespace compono::component {
namespace {

Component parseOk(const std::string& text) {
  auto c = parseComponentText(text, "t.wat");
  EXPECT_TRUE(c.ok()) << c.error().oneLine();
  return c.ok() ? std::move(*c) : Component{};
}

// Encodes, decodes and validates: what the conformance runner does.
Status roundTripValidate(const Component& c) {
  auto bytes = encodeComponent(c);
  auto d = decodeComponent(bytes, "t.wasm");
  if (!d.ok()) return d.error();
  return validateComponent(*d, "t.wasm");
}

TEST(ComponentText, LiftsACoreFunctionWithInlineTypesAndExports) {
  Component c = parseOk(R"((component
    (core module $m
      (memory (export "mem") 1)
      (func (export "realloc") (param i32 i32 i32 i32) (result i32) i32.const 0)
      (func (export "f") (param i32 i32) (result i32) local.get 0))
    (core instance $i (instantiate $m))
    (func $f (export "greet") (param "s" string) (result u32)
      (canon lift (core func $i "f") (memory $i "mem") (realloc (func $i "realloc"))))
  ))");
  // core module, core instance, type (func), alias (core func), alias (core
  // memory), alias (core func), canon lift, export.
  ASSERT_EQ(c.definitions.size(), 8u);
  EXPECT_TRUE(std::holds_alternative<CoreModule>(c.definitions[0].item));
  EXPECT_TRUE(std::holds_alternative<TypeDef>(c.definitions[2].item));
  auto* lift = std::get_if<Canon>(&c.definitions[6].item);
  ASSERT_NE(lift, nullptr);
  EXPECT_EQ(lift->kind, Canon::Kind::kLift);
  EXPECT_EQ(lift->options.size(), 2u);
  auto* e = std::get_if<Export>(&c.definitions[7].item);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->name.name, "greet");
  EXPECT_EQ(e->item, (SortIndex{Sort::kFunc, 0}));
  Status s = roundTripValidate(c);
  EXPECT_TRUE(s.ok()) << s.error().oneLine();
}

TEST(ComponentText, HoistsValueTypesAndAliasesOuterTypes) {
  Component c = parseOk(R"((component $C
    (type $t (record (field "a" u32) (field "b" (list string))))
    (component
      (import "t" (type $tt (eq $t)))
      (import "x" (func (param "p" $tt) (result (option u8))))
    )
  ))");
  // (list string) is hoisted before the record.
  auto* list = std::get_if<TypeDef>(&c.definitions[0].item);
  ASSERT_NE(list, nullptr);
  EXPECT_TRUE(std::holds_alternative<ListType>(list->kind));
  auto* nested = std::get_if<NestedComponent>(&c.definitions[2].item);
  ASSERT_NE(nested, nullptr);
  // In the nested component: alias outer 1 1 (type), import, option, func,
  // import.
  const Component& inner = nested->get();
  ASSERT_EQ(inner.definitions.size(), 5u);
  auto* alias = std::get_if<Alias>(&inner.definitions[0].item);
  ASSERT_NE(alias, nullptr);
  EXPECT_EQ(alias->target, Alias::Target::kOuter);
  EXPECT_EQ(alias->outerCount, 1u);
  EXPECT_EQ(alias->outerIndex, 1u);
  Status s = roundTripValidate(c);
  EXPECT_TRUE(s.ok()) << s.error().oneLine();
}

TEST(ComponentText, ErrorsNameTheLineAndColumn) {
  auto c = parseComponentText("(component\n  (export \"x\" (func $nope)))", "t.wat");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().oneLine(), "t.wat:2:21: unknown func: failed to find name `$nope`");
  auto bad = parseComponentText("(component (import \"\\ff\" (func)))", "t.wat");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("malformed UTF-8 encoding"), std::string::npos);
  auto open = parseComponentText("(component (type", "t.wat");
  ASSERT_FALSE(open.ok());
  EXPECT_NE(open.error().message.find("t.wat:1:12: unclosed"), std::string::npos)
      << open.error().message;
  auto async = parseComponentText("(component (core func (canon task.return)))", "t.wat");
  ASSERT_FALSE(async.ok());
  EXPECT_NE(async.error().message.find("post-0.2"), std::string::npos) << async.error().message;
}

TEST(ComponentText, ValidationRejectsWhatTheTextDescribes) {
  Component c = parseOk(R"((component
    (import "a" (func $f (param "x" u32)))
    (core func $g (canon lower (func $f)))
    (func (export "b") (param "x" string) (canon lift (core func $g)))
  ))");
  Status s = roundTripValidate(c);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("section canon"), std::string::npos) << s.error().message;
  EXPECT_NE(s.error().message.find("t.wasm: offset 0x"), std::string::npos) << s.error().message;
}

// Found by fuzz_component: a function type exported as a type by an
// instance sent the WIT view into endless recursion.
TEST(ComponentText, WorldLeavesOutTypesWithoutAWitForm) {
  Component c = parseOk(R"((component
    (type $t (func (param "a" u32) (result u32)))
    (import "f" (func $f (type $t)))
    (instance $bag (export "g" (func $f)) (export "t" (type $t)))
    (export "api" (instance $bag))
  ))");
  Status s = roundTripValidate(c);
  ASSERT_TRUE(s.ok()) << s.error().oneLine();
  auto w = componentWorld(c, "t.wasm");
  ASSERT_TRUE(w.ok()) << w.error().oneLine();
  const wit::World& world = w->model.worlds[w->world];
  ASSERT_EQ(world.exports.size(), 1u);
  EXPECT_EQ(world.exports[0].name, "api");
}

TEST(ComponentWast, RunsAScriptAndHonoursTheSkipList) {
  compono::test::TempDir dir;
  dir.write("s.wast", R"wast(
(component (import "a" (func)))
(assert_invalid (component (export "a" (func 0))) "index out of bounds")
(assert_malformed (component quote "(export \"\" (func $foo))") "unknown func")
(assert_invalid (component (import "a" (func)) (import "a" (func))) "conflicts")
(assert_invalid (component (type (func))) "not rejected: this one fails")
)wast");
  wast::WastOptions options;
  std::vector<std::string> lines;
  options.log = [&](const std::string& l) { lines.push_back(l); };
  auto t = wast::runComponentWastFile(dir.file("s.wast"), "s.wast", options);
  ASSERT_TRUE(t.ok()) << t.error().oneLine();
  EXPECT_EQ(t->passed, 4u);
  EXPECT_EQ(t->failed, 1u);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find("s.wast:6: assert_invalid failed: accepted"), std::string::npos)
      << lines[0];

  auto skips = wast::parseSkipList("s.wast:6 the type is valid\ns.wast:2 passes, so stale\n", "k");
  ASSERT_TRUE(skips.ok()) << skips.error().oneLine();
  options.skips = *skips;
  lines.clear();
  t = wast::runComponentWastFile(dir.file("s.wast"), "s.wast", options);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->failed, 0u);
  EXPECT_EQ(t->skipped, 1u);
  EXPECT_EQ(t->staleSkips, 1u);
  EXPECT_FALSE(wast::parseSkipList("s.wast:3\n", "k").ok());  // no reason
}

TEST(ComponentWast, AssertReturnInvokesTheLastComponent) {
  compono::test::TempDir dir;
  dir.write("r.wast", R"wast(
(component
  (core module $m (func (export "") (param i32) (result i32) local.get 0 i32.const 1 i32.add))
  (core instance $m (instantiate $m))
  (func (export "inc") (param "x" u32) (result u32) (canon lift (core func $m "")))
)
(assert_return (invoke "inc" (u32.const 41)) (u32.const 42))
(assert_return (invoke "inc" (u32.const 1)) (u32.const 3))
)wast");
  wast::WastOptions options;
  std::vector<std::string> lines;
  options.log = [&](const std::string& l) { lines.push_back(l); };
  auto t = wast::runComponentWastFile(dir.file("r.wast"), "r.wast", options);
  ASSERT_TRUE(t.ok()) << t.error().oneLine();
  EXPECT_EQ(t->passed, 2u);
  EXPECT_EQ(t->failed, 1u);
}

}  // namespace
}  // namespace compono::component
