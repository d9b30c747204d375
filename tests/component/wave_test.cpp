// WAVE (the WebAssembly Value Encoding of `compono call`): parsing against a
// type, printing, round trips, and one-line errors with a column.
#include <gtest/gtest.h>

#include <string>

#include "compono/component/wave.h"
#include "compono/component/wit.h"
#include "compono/component/wit_load.h"

namespace compono::component {
namespace {

constexpr const char* kWit = R"(package test:wave;
interface t {
  record point { x: s32, y: s32 }
  record opts { name: string, tag: option<u8> }
  variant shape { circle(f64), empty }
  enum color { red, green, blue }
  flags perms { read, write, exec }
  type nested = list<option<result<tuple<char, s64>, string>>>;
  type r = result<_, string>;
}
)";

class Wave : public ::testing::Test {
 protected:
  void SetUp() override {
    auto loaded = wit::loadWitText("t.wit", kWit);
    ASSERT_TRUE(loaded.ok()) << loaded.error().message;
    pkg_ = std::move(*loaded);
  }
  wit::Type named(const std::string& name) {
    auto id = pkg_.model.findType(0, name);
    EXPECT_TRUE(id.has_value()) << name;
    return wit::Type::def(id.value_or(0));
  }
  static wit::Type prim(wit::Primitive p) {
    wit::Type t;
    t.kind = wit::Type::Kind::kPrimitive;
    t.primitive = p;
    return t;
  }
  // Parses `text` as `t` and prints it back.
  std::string roundTrip(wit::Type t, const std::string& text) {
    auto v = wave::parse(pkg_.model, t, text);
    if (!v.ok()) return "error: " + v.error().message;
    return wave::print(pkg_.model, t, *v);
  }
  std::string errorOf(wit::Type t, const std::string& text) {
    auto v = wave::parse(pkg_.model, t, text);
    return v.ok() ? std::string("(parsed)") : v.error().message;
  }
  wit::LoadedPackage pkg_;
};

TEST_F(Wave, ScalarsRoundTrip) {
  EXPECT_EQ(roundTrip(prim(wit::Primitive::kBool), "true"), "true");
  EXPECT_EQ(roundTrip(prim(wit::Primitive::kS32), "-7"), "-7");
  EXPECT_EQ(roundTrip(prim(wit::Primitive::kU64), "18446744073709551615"), "18446744073709551615");
  EXPECT_EQ(roundTrip(prim(wit::Primitive::kF64), "1.5"), "1.5");
  EXPECT_EQ(roundTrip(prim(wit::Primitive::kF64), "-inf"), "-inf");
  EXPECT_EQ(roundTrip(prim(wit::Primitive::kF32), "nan"), "nan");
  EXPECT_EQ(roundTrip(prim(wit::Primitive::kChar), "'\\u{1F600}'"), "'\xF0\x9F\x98\x80'");
  EXPECT_EQ(roundTrip(prim(wit::Primitive::kString), "\"a\\nb\""), "\"a\\nb\"");
}

TEST_F(Wave, CompoundValuesRoundTrip) {
  EXPECT_EQ(roundTrip(named("point"), "{x: 1, y: -2}"), "{x: 1, y: -2}");
  EXPECT_EQ(roundTrip(named("point"), "{ y: -2, x: 1 }"), "{x: 1, y: -2}");
  // An option field may be left out: it is none.
  EXPECT_EQ(roundTrip(named("opts"), "{name: \"n\"}"), "{name: \"n\", tag: none}");
  EXPECT_EQ(roundTrip(named("opts"), "{name: \"n\", tag: some(3)}"), "{name: \"n\", tag: some(3)}");
  EXPECT_EQ(roundTrip(named("shape"), "circle(2.5)"), "circle(2.5)");
  EXPECT_EQ(roundTrip(named("shape"), "empty"), "empty");
  EXPECT_EQ(roundTrip(named("color"), "green"), "green");
  EXPECT_EQ(roundTrip(named("perms"), "{write, read}"), "{read, write}");
  EXPECT_EQ(roundTrip(named("perms"), "{}"), "{}");
  EXPECT_EQ(roundTrip(named("nested"), "[some(ok(('x', -9))), none, some(err(\"e\"))]"),
            "[some(ok(('x', -9))), none, some(err(\"e\"))]");
  EXPECT_EQ(roundTrip(named("r"), "ok"), "ok");
  EXPECT_EQ(roundTrip(named("r"), "err(\"no\")"), "err(\"no\")");
}

TEST_F(Wave, ParsedValuesHaveTheRightShape) {
  auto v = wave::parse(pkg_.model, named("point"), "{x: 1, y: -2}");
  ASSERT_TRUE(v.ok());
  ASSERT_EQ(v->kind, ValueKind::kRecord);
  ASSERT_EQ(v->items.size(), 2u);
  EXPECT_EQ(v->items[0].s, 1);
  EXPECT_EQ(v->items[1].s, -2);
  auto f = wave::parse(pkg_.model, named("perms"), "{exec}");
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->flags, (std::vector<bool>{false, false, true}));
}

TEST_F(Wave, ErrorsAreOneLineAndSayWhatIsWrong) {
  EXPECT_NE(errorOf(prim(wit::Primitive::kU8), "256").find("out of range"), std::string::npos);
  EXPECT_NE(errorOf(prim(wit::Primitive::kU32), "-1").find("unsigned"), std::string::npos);
  EXPECT_NE(errorOf(named("point"), "{x: 1}").find("missing field 'y'"), std::string::npos);
  EXPECT_NE(errorOf(named("point"), "{x: 1, y: 2, z: 3}").find("no field 'z'"), std::string::npos);
  EXPECT_NE(errorOf(named("perms"), "{read, fly}").find("no flag 'fly'"), std::string::npos);
  EXPECT_NE(errorOf(prim(wit::Primitive::kS32), "1 2").find("after the value"), std::string::npos);
  // Control characters in the input never break the line (found by fuzz_wave).
  std::string e = errorOf(prim(wit::Primitive::kString), "\"\\\n\"");
  EXPECT_EQ(e.find('\n'), std::string::npos) << e;
  auto call = wave::splitCall("c\n\0\0e");
  ASSERT_FALSE(call.ok());
  EXPECT_EQ(call.error().message.find('\n'), std::string::npos) << call.error().message;
}

TEST(WaveCall, SplitsAtTopLevelCommas) {
  auto c = wave::splitCall("f([1, 2], \"a,b\", {x: 1, y: 2}, ')')");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->func, "f");
  ASSERT_EQ(c->args.size(), 4u);
  EXPECT_EQ(c->args[0], "[1, 2]");
  EXPECT_EQ(c->args[1], "\"a,b\"");
  EXPECT_EQ(c->args[3], "')'");
  auto q = wave::splitCall("example:pair/app@0.1.0#run()");
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->func, "example:pair/app@0.1.0#run");
  EXPECT_TRUE(q->args.empty());
  EXPECT_FALSE(wave::splitCall("(1)").ok());
  EXPECT_FALSE(wave::splitCall("f(1").ok());
}

}  // namespace
}  // namespace compono::component
