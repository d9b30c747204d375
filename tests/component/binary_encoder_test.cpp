// Component binary encoder: every fixture round-trips bit for bit, and a
// hand-built AST encodes to a binary that decodes back to the same AST.
#include <gtest/gtest.h>

#include "compono/component/binary.h"
#include "compono/engine/module.h"
#include "support/test_support.h"

namespace compono::component {
namespace {

std::string fixture(const std::string& rel) {
  return compono::test::sharedPath("fixtures/components/" + rel);
}

TEST(ComponentEncoder, EveryFixtureRoundTripsBitForBit) {
  for (const char* name : {"basic-c.wasm", "basic-c-wasi.wasm", "calc-js.wasm", "provider.wasm",
                           "consumer.wasm", "composed.wasm", "hello-command.wasm"}) {
    SCOPED_TRACE(name);
    auto bytes = engine::readFileBytes(fixture(name));
    ASSERT_TRUE(bytes.ok());
    auto c = decodeComponent(*bytes, name);
    ASSERT_TRUE(c.ok()) << c.error().message;
    std::vector<uint8_t> again = encodeComponent(*c);
    EXPECT_EQ(again.size(), bytes->size());
    EXPECT_TRUE(again == *bytes);
    auto c2 = decodeComponent(again, name);
    ASSERT_TRUE(c2.ok()) << c2.error().message;
    EXPECT_TRUE(*c2 == *c);
  }
}

TEST(ComponentEncoder, RegroupsWhenSectionsAreDropped) {
  auto c = decodeComponentFile(fixture("basic-c.wasm"));
  ASSERT_TRUE(c.ok()) << c.error().message;
  Component copy = *c;
  copy.sections.clear();
  std::vector<uint8_t> bytes = encodeComponent(copy);
  auto back = decodeComponent(bytes, "regrouped.wasm");
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_TRUE(*back == *c);
  // Consecutive definitions of one kind share a section now.
  EXPECT_LE(back->sections.size(), c->sections.size());
}

// An AST with one of every kind of definition and type.
Component everything() {
  Component c;
  auto core = engine::watToBinary(
      "(module (func (export \"f\") (param i32) (result i32) local.get 0)"
      " (memory (export \"m\") 1))",
      "m.wat");
  EXPECT_TRUE(core.ok()) << core.error().message;
  CoreModule m;
  m.buffer =
      std::make_shared<const std::vector<uint8_t>>(core.ok() ? *core : std::vector<uint8_t>{});
  m.size = m.buffer->size();
  c.add(m);
  CoreInstance ci;
  ci.module = 0;
  c.add(ci);
  CoreTypeDef ft;
  ft.type = engine::FuncType{{engine::ValType::kI32}, {engine::ValType::kI32}};
  c.add(ft);
  CoreModuleType mt;
  CoreImportDecl cim{"env", "f", CoreExternDesc{engine::ExternKind::kFunc, 0, {}, {}, {}}};
  mt.decls.push_back(ModuleDecl{0, cim});
  mt.decls.push_back(ModuleDecl{0, CoreOuterAlias{Sort::kCoreType, 1, 0}});
  CoreExternDesc mem;
  mem.kind = engine::ExternKind::kMemory;
  mem.memory.limits.min = 1;
  mem.memory.limits.max = 2;
  mt.decls.push_back(ModuleDecl{0, CoreExportDecl{"m", mem}});
  c.add(CoreTypeDef{mt});
  Alias a;
  a.sort = Sort::kCoreFunc;
  a.target = Alias::Target::kCoreInstanceExport;
  a.instance = 0;
  a.name = "f";
  c.add(a);
  c.add(TypeDef{
      RecordType{{{"x", ValType::primitive(PrimValType::kU32)}, {"y", ValType::typeIndex(200)}}}});
  c.add(
      TypeDef{VariantType{{{"a", std::nullopt}, {"b", ValType::primitive(PrimValType::kString)}}}});
  c.add(TypeDef{ListType{ValType::typeIndex(0)}});
  c.add(TypeDef{
      TupleType{{ValType::primitive(PrimValType::kF64), ValType::primitive(PrimValType::kChar)}}});
  c.add(TypeDef{FlagsType{{"r", "w"}}});
  c.add(TypeDef{EnumType{{"e1", "e2"}}});
  c.add(TypeDef{OptionType{ValType::primitive(PrimValType::kS8)}});
  c.add(TypeDef{ResultType{std::nullopt, ValType::primitive(PrimValType::kU16)}});
  c.add(TypeDef{ResourceType{0}});
  c.add(TypeDef{OwnType{9}});
  c.add(TypeDef{BorrowType{9}});
  c.add(TypeDef{FuncType{{{"a", ValType::typeIndex(10)}}, ValType::primitive(PrimValType::kU32)}});
  c.add(TypeDef{FuncType{{}, std::nullopt}});
  InstanceType it;
  it.decls.push_back(TypeDecl{0, TypeDef{PrimValType::kBool}});
  it.decls.push_back(TypeDecl{
      0, ExportDecl{{"t", 0},
                    ExternDesc{ExternKind::kType, 0, {TypeBound::Kind::kSubResource, 0}, {}}}});
  Alias outer;
  outer.sort = Sort::kType;
  outer.target = Alias::Target::kOuter;
  outer.outerCount = 1;
  outer.outerIndex = 12;
  it.decls.push_back(TypeDecl{0, outer});
  c.add(TypeDef{it});
  ComponentType ct;
  ct.decls.push_back(TypeDecl{
      0, ImportDecl{{"wasi:cli/stdout@0.2.0", 1}, ExternDesc{ExternKind::kInstance, 0, {}, {}}}});
  ct.decls.push_back(TypeDecl{0, CoreTypeDef{engine::FuncType{}}});
  c.add(TypeDef{ct});
  Canon lift;
  lift.kind = Canon::Kind::kLift;
  lift.func = 0;
  lift.type = 12;
  lift.options = {{CanonOption::Kind::kUtf16, 0},
                  {CanonOption::Kind::kMemory, 0},
                  {CanonOption::Kind::kRealloc, 3},
                  {CanonOption::Kind::kPostReturn, 4}};
  c.add(lift);
  Canon lower;
  lower.kind = Canon::Kind::kLower;
  lower.func = 0;
  lower.options = {{CanonOption::Kind::kLatin1Utf16, 0}};
  c.add(lower);
  for (auto k :
       {Canon::Kind::kResourceNew, Canon::Kind::kResourceDrop, Canon::Kind::kResourceRep}) {
    Canon r;
    r.kind = k;
    r.type = 9;
    c.add(r);
  }
  Component inner;
  inner.add(Import{{"x", 0}, ExternDesc{ExternKind::kFunc, 0, {}, {}}});
  c.add(NestedComponent(inner));
  Instance inst;
  inst.component = 0;
  inst.args.push_back({"x", {Sort::kFunc, 0}});
  c.add(inst);
  Instance inline_;
  inline_.kind = Instance::Kind::kFromExports;
  inline_.exports.push_back({{"f", 0}, {Sort::kFunc, 0}});
  inline_.exports.push_back({{"m", 0}, {Sort::kCoreModule, 0}});
  c.add(inline_);
  c.add(Start{0, {}, 0});
  c.add(Import{{"[method]r.f", 0},
               ExternDesc{ExternKind::kType, 0, {TypeBound::Kind::kEq, 300}, {}}});
  Export ex;
  ex.name = {"e", 1};
  ex.item = {Sort::kInstance, 1};
  ex.ascribed = ExternDesc{ExternKind::kInstance, 13, {}, {}};
  c.add(ex);
  c.add(Export{{"m2", 0}, {Sort::kCoreModule, 0}, std::nullopt});
  CustomSection cs;
  cs.name = "note";
  cs.buffer = std::make_shared<const std::vector<uint8_t>>(std::vector<uint8_t>{1, 2, 3});
  cs.size = 3;
  c.add(cs);
  return c;
}

TEST(ComponentEncoder, EveryKindOfDefinitionRoundTrips) {
  Component c = everything();
  std::vector<uint8_t> bytes = encodeComponent(c);
  auto back = decodeComponent(bytes, "everything.wasm");
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_TRUE(*back == c);
  EXPECT_EQ(back->count(Sort::kType), c.count(Sort::kType));
  EXPECT_EQ(back->count(Sort::kCoreFunc), c.count(Sort::kCoreFunc));
  EXPECT_EQ(encodeComponent(*back), bytes);
  // Large indices use multi-byte LEB128 (valtype indices as s33).
  Component big;
  big.add(TypeDef{ListType{ValType::typeIndex(64)}});
  big.add(TypeDef{ListType{ValType::typeIndex(100000)}});
  auto b2 = decodeComponent(encodeComponent(big), "big.wasm");
  ASSERT_TRUE(b2.ok()) << b2.error().message;
  EXPECT_TRUE(*b2 == big);
}

}  // namespace
}  // namespace compono::component
