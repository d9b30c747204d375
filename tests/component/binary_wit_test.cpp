// The WIT view of component binaries: the world each fixture prints is what
// `jco wit` printed (wit-of-*.wit), and the interfaces it carries have the
// types, functions and signatures of the WIT the fixtures were built from.
#include <gtest/gtest.h>

#include "compono/component/binary.h"
#include "compono/component/component_wit.h"
#include "compono/component/wit_load.h"
#include "compono/component/wit_print.h"
#include "support/test_support.h"

namespace compono::component {
namespace {

std::string fixture(const std::string& rel) {
  return compono::test::sharedPath("fixtures/components/" + rel);
}

ComponentWorld worldOf(const std::string& wasm) {
  auto c = decodeComponentFile(fixture(wasm));
  EXPECT_TRUE(c.ok()) << c.error().message;
  if (!c.ok()) return {};
  auto w = componentWorld(*c, wasm);
  EXPECT_TRUE(w.ok()) << w.error().message;
  return w.ok() ? std::move(w).value() : ComponentWorld{};
}

const char* const kFixtures[] = {"basic-c",  "basic-c-wasi", "calc-js",      "provider",
                                 "consumer", "composed",     "hello-command"};

TEST(ComponentWit, WorldsPrintAsJcoPrintsThem) {
  for (const char* f : kFixtures) {
    SCOPED_TRACE(f);
    ComponentWorld w = worldOf(std::string(f) + ".wasm");
    EXPECT_EQ(wit::printWorld(w.model, w.world),
              compono::test::readFile(fixture(std::string("wit-of-") + f + ".wit")));
  }
}

// Interfaces compare by their types (name and kind, printed structure) and
// functions (name and printed signature); docs are not in binaries.
void expectSameInterface(const wit::Model& a, wit::InterfaceId ia, const wit::Model& b,
                         wit::InterfaceId ib) {
  const wit::Interface& x = a.interfaces[ia];
  const wit::Interface& y = b.interfaces[ib];
  SCOPED_TRACE(x.name);
  std::map<std::string, std::string> tx, ty;
  auto typeText = [](const wit::Model& m, wit::TypeId t) {
    const wit::TypeDef& d = m.types[t];
    std::string s = wit::typeDefKindName(d.kind);
    if (auto* r = std::get_if<wit::RecordType>(&d.kind)) {
      for (auto& f : r->fields) s += " " + f.name + ":" + wit::printType(m, f.type);
    } else if (auto* v = std::get_if<wit::VariantType>(&d.kind)) {
      for (auto& c : v->cases) s += " " + c.name + (c.type ? ":" + wit::printType(m, *c.type) : "");
    } else if (auto* e = std::get_if<wit::EnumType>(&d.kind)) {
      for (auto& c : e->cases) s += " " + c.name;
    } else if (auto* f = std::get_if<wit::FlagsType>(&d.kind)) {
      for (auto& c : f->flags) s += " " + c.name;
    }
    return s;
  };
  for (wit::TypeId t : x.types) tx[a.types[t].name] = typeText(a, t);
  for (wit::TypeId t : y.types) ty[b.types[t].name] = typeText(b, t);
  EXPECT_EQ(tx, ty);
  std::map<std::string, std::string> fx, fy;
  for (auto& f : x.functions) fx[f.name] = wit::printFunction(a, f);
  for (auto& f : y.functions) fy[f.name] = wit::printFunction(b, f);
  EXPECT_EQ(fx, fy);
}

TEST(ComponentWit, InterfacesMatchTheSourceWit) {
  auto calc = wit::loadWitPath(fixture("wit"));
  ASSERT_TRUE(calc.ok()) << calc.error().message;
  auto pair = wit::loadWitPath(fixture("src/pair/wit"));
  ASSERT_TRUE(pair.ok()) << pair.error().message;
  struct Expect {
    const char* wasm;
    const wit::LoadedPackage* source;
    std::vector<std::string> interfaces;
  };
  std::vector<Expect> cases = {
      {"calc-js.wasm", &*calc, {"logger", "calc"}},
      {"basic-c.wasm", &*calc, {"logger", "basic"}},
      {"basic-c-wasi.wasm", &*calc, {"logger", "basic"}},
      {"provider.wasm", &*pair, {"math"}},
      {"consumer.wasm", &*pair, {"math", "app"}},
      {"composed.wasm", &*pair, {"app"}},
  };
  for (const Expect& e : cases) {
    SCOPED_TRACE(e.wasm);
    ComponentWorld w = worldOf(e.wasm);
    const wit::Package& srcPkg = e.source->model.packages[e.source->root];
    auto pkg = w.model.findPackage(srcPkg.name);
    ASSERT_TRUE(pkg.has_value()) << srcPkg.name.toString();
    EXPECT_EQ(w.model.packages[*pkg].interfaces.size(), e.interfaces.size());
    for (const std::string& name : e.interfaces) {
      auto mine = w.model.findInterface(*pkg, name);
      auto theirs = e.source->model.findInterface(e.source->root, name);
      ASSERT_TRUE(mine.has_value()) << name;
      ASSERT_TRUE(theirs.has_value()) << name;
      expectSameInterface(w.model, *mine, e.source->model, *theirs);
    }
  }
}

TEST(ComponentWit, ResourceFunctionsKeepTheirKinds) {
  ComponentWorld w = worldOf("calc-js.wasm");
  auto pkg =
      w.model.findPackage(wit::PackageName{"example", "calc", wit::Version{0, 1, 0, "", ""}});
  ASSERT_TRUE(pkg.has_value());
  auto calc = w.model.findInterface(*pkg, "calc");
  ASSERT_TRUE(calc.has_value());
  auto acc = w.model.findType(*calc, "accumulator");
  ASSERT_TRUE(acc.has_value());
  EXPECT_TRUE(std::holds_alternative<wit::ResourceType>(w.model.types[*acc].kind));
  const wit::Function* ctor = w.model.findFunction(*calc, "[constructor]accumulator");
  ASSERT_NE(ctor, nullptr);
  EXPECT_EQ(ctor->kind, wit::FunctionKind::kConstructor);
  EXPECT_EQ(ctor->resource, *acc);
  const wit::Function* add = w.model.findFunction(*calc, "[method]accumulator.add");
  ASSERT_NE(add, nullptr);
  EXPECT_EQ(add->kind, wit::FunctionKind::kMethod);
  ASSERT_FALSE(add->params.empty());
  EXPECT_EQ(add->params[0].name, "self");
  const wit::Function* merge = w.model.findFunction(*calc, "[static]accumulator.merge");
  ASSERT_NE(merge, nullptr);
  EXPECT_EQ(merge->kind, wit::FunctionKind::kStatic);
}

TEST(ComponentWit, WasiInterfacesUseEachOther) {
  ComponentWorld w = worldOf("hello-command.wasm");
  // The printed packages load again as WIT (uses resolve, packages ordered).
  wit::PrintOptions print;
  print.withDependencies = true;
  std::string text = wit::printPackage(w.model, w.package, print);
  auto again = wit::loadWitText("printed.wit", text);
  ASSERT_TRUE(again.ok()) << again.error().message << "\n" << text;
  auto io =
      again->model.findPackage(wit::PackageName{"wasi", "io", wit::Version{0, 2, 12, "", ""}});
  ASSERT_TRUE(io.has_value());
  auto streams = again->model.findInterface(*io, "streams");
  ASSERT_TRUE(streams.has_value());
  auto err = again->model.findType(*streams, "error");
  ASSERT_TRUE(err.has_value());  // `use error.{error}`
  EXPECT_TRUE(std::holds_alternative<wit::AliasType>(again->model.types[*err].kind));
}

TEST(ComponentWit, NestedComponentsHaveWorldsToo) {
  auto c = decodeComponentFile(fixture("composed.wasm"));
  ASSERT_TRUE(c.ok()) << c.error().message;
  std::vector<const Component*> nested;
  for (const Definition& d : c->definitions) {
    if (auto* n = std::get_if<NestedComponent>(&d.item)) nested.push_back(&n->get());
  }
  ASSERT_EQ(nested.size(), 2u);
  auto consumer = componentWorld(*c, "composed.wasm", nested[1]);
  ASSERT_TRUE(consumer.ok()) << consumer.error().message;
  EXPECT_EQ(wit::printWorld(consumer->model, consumer->world),
            compono::test::readFile(fixture("wit-of-consumer.wit")));
}

TEST(ComponentWit, CliPrintsTheWorldOfAComponent) {
  auto r = compono::test::runCompono({"wit", fixture("calc-js.wasm")});
  EXPECT_EQ(r.exitCode, 0) << r.err;
  EXPECT_EQ(r.out, compono::test::readFile(fixture("wit-of-calc-js.wit")));
  r = compono::test::runCompono({"wit", "--deps", fixture("provider.wasm")});
  EXPECT_EQ(r.exitCode, 0) << r.err;
  EXPECT_NE(r.out.find("mul: func(a: u32, b: u32) -> u32;"), std::string::npos) << r.out;
  r = compono::test::runCompono({"wit", fixture("basic.core.wasm")});
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_NE(r.err.find("not a component"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace compono::component
