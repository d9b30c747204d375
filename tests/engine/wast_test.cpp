// The .wast runner: S-expression reader, numeric literals, expected-result
// patterns, skip-list parser, and whole scripts (dependents, stale entries).
#include "compono/engine/wast.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "compono/engine/engine.h"
#include "compono/engine/text_string.h"
#include "engine/wast/wast_lexer.h"
#include "engine/wast/wast_literal.h"
#include "engine/wast/wast_value.h"
#include "support/test_support.h"

namespace compono::engine::wast {
namespace {

// ---------------------------------------------------------------------------
// S-expression reader

std::vector<SExpr> mustRead(const std::string& src) {
  auto r = readSExprs(src, "t.wast");
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? *r : std::vector<SExpr>{};
}

TEST(WastLexer, ListsAtomsAndStringsWithLinesAndOffsets) {
  std::string src = "(module)\n\n(assert_return (invoke \"f\" (i32.const -1)) (i32.const 2))\n";
  auto cmds = mustRead(src);
  ASSERT_EQ(cmds.size(), 2u);
  EXPECT_EQ(cmds[0].head(), "module");
  EXPECT_EQ(cmds[0].line, 1u);
  EXPECT_EQ(cmds[1].head(), "assert_return");
  EXPECT_EQ(cmds[1].line, 3u);
  EXPECT_EQ(src.substr(cmds[1].begin, cmds[1].end - cmds[1].begin),
            "(assert_return (invoke \"f\" (i32.const -1)) (i32.const 2))");
  const SExpr& invoke = cmds[1].items[1];
  ASSERT_EQ(invoke.size(), 3u);
  EXPECT_TRUE(invoke.items[1].isString());
  EXPECT_EQ(invoke.items[1].text, "f");
  EXPECT_TRUE(invoke.items[2].items[1].isAtom("-1"));
}

TEST(WastLexer, CommentsNestAndNeverHideCode) {
  auto cmds = mustRead(
      ";; line comment (\n"
      "(; block (; nested ;) still comment ) ;)\n"
      "(a ;; trailing )\n"
      " (;inline;)b)\n"
      "(;;)(c)");
  ASSERT_EQ(cmds.size(), 2u);
  EXPECT_EQ(cmds[0].head(), "a");
  ASSERT_EQ(cmds[0].size(), 2u);
  EXPECT_TRUE(cmds[0].items[1].isAtom("b"));
  EXPECT_EQ(cmds[0].line, 3u);
  EXPECT_EQ(cmds[1].head(), "c");
  EXPECT_EQ(cmds[1].line, 5u);
}

TEST(WastLexer, ParenthesesInsideStringsAndCommentsAreNotStructure) {
  auto cmds = mustRead("(module quote \"(func\" \")\\\")\" (; ( ;) \"(\")");
  ASSERT_EQ(cmds.size(), 1u);
  ASSERT_EQ(cmds[0].size(), 5u);
  EXPECT_EQ(cmds[0].items[2].text, "(func");
  EXPECT_EQ(cmds[0].items[3].text, ")\")");
  EXPECT_EQ(cmds[0].items[4].text, "(");
}

TEST(WastLexer, StringEscapes) {
  auto s = decodeTextString(R"(\t\n\r\"\'\\\00\ff\u{41}\u{1F600}\u{10_FFFF}x)");
  ASSERT_TRUE(s.ok()) << s.error().message;
  std::string want = "\t\n\r\"'\\";
  want += '\0';
  want += '\xff';
  want += "A\xF0\x9F\x98\x80\xF4\x8F\xBF\xBFx";
  EXPECT_EQ(*s, want);
}

TEST(WastLexer, BadEscapesAreErrors) {
  EXPECT_FALSE(decodeTextString(R"(\q)").ok());
  EXPECT_FALSE(decodeTextString(R"(\0)").ok());
  EXPECT_FALSE(decodeTextString(R"(\u{D800})").ok());
  EXPECT_FALSE(decodeTextString(R"(\u{110000})").ok());
  EXPECT_FALSE(decodeTextString(R"(\u{})").ok());
  EXPECT_FALSE(decodeTextString(R"(\u41)").ok());
  EXPECT_FALSE(decodeTextString("tab\there").ok());  // raw control characters are not allowed
  EXPECT_FALSE(decodeTextString("ends\\").ok());
  // Where: the offset of the bad character or escape in the body.
  size_t at = 99;
  EXPECT_FALSE(decodeTextString(R"(ab\u{D800})", &at).ok());
  EXPECT_EQ(at, 2u);
  EXPECT_FALSE(decodeTextString("abc\x01", &at).ok());
  EXPECT_EQ(at, 3u);
}

TEST(WastLexer, StringEnds) {
  EXPECT_EQ(textStringEnd(R"(x "a\"b" y)", 2), 8u);
  EXPECT_EQ(textStringEnd(R"("\\")", 0), 4u);
  EXPECT_EQ(textStringEnd("\"open", 0), std::string_view::npos);
  EXPECT_EQ(textStringEnd("\"a\nb\"", 0), std::string_view::npos);  // no raw newline
}

TEST(WastLexer, QuotedIdentifiersAndReservedTokens) {
  auto cmds = mustRead("(module $\"a b\" (@x , ; ] [))");
  ASSERT_EQ(cmds.size(), 1u);
  EXPECT_TRUE(cmds[0].items[1].isAtom("$a b"));
  const SExpr& annotation = cmds[0].items[2];
  EXPECT_EQ(annotation.head(), "@x");
  EXPECT_TRUE(annotation.items[2].isAtom(";"));
}

TEST(WastLexer, ErrorsNameTheLine) {
  auto unbalanced = readSExprs("(a)\n(b\n", "t.wast");
  ASSERT_FALSE(unbalanced.ok());
  EXPECT_NE(unbalanced.error().message.find("t.wast:2:"), std::string::npos)
      << unbalanced.error().message;
  auto extra = readSExprs("(a))", "t.wast");
  ASSERT_FALSE(extra.ok());
  EXPECT_NE(extra.error().message.find("t.wast:1:"), std::string::npos);
  auto string = readSExprs("\n\n(a \"open\n\")", "t.wast");
  ASSERT_FALSE(string.ok());
  EXPECT_NE(string.error().message.find("t.wast:3: unterminated string"), std::string::npos)
      << string.error().message;
  auto comment = readSExprs("(a)\n(; (; ;)\n", "t.wast");
  ASSERT_FALSE(comment.ok());
  EXPECT_NE(comment.error().message.find("t.wast:2: unterminated block comment"),
            std::string::npos);
  EXPECT_FALSE(readSExprs("stray", "t.wast").ok());
}

TEST(WastLexer, NestingIsBounded) {
  std::string ok(kMaxNesting, '(');
  ok += std::string(kMaxNesting, ')');
  auto r = readSExprs(ok, "deep.wast");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->size(), 1u);
  std::string deep(200000, '(');
  deep += std::string(200000, ')');
  auto tooDeep = readSExprs(deep, "deep.wast");
  ASSERT_FALSE(tooDeep.ok());
  EXPECT_NE(tooDeep.error().message.find("nested deeper"), std::string::npos);
}

// ---------------------------------------------------------------------------
// Numeric literals

TEST(WastLiteral, Integers) {
  EXPECT_EQ(parseI32("0"), 0u);
  EXPECT_EQ(parseI32("-1"), 0xFFFFFFFFu);
  EXPECT_EQ(parseI32("4294967295"), 0xFFFFFFFFu);
  EXPECT_EQ(parseI32("-2147483648"), 0x80000000u);
  EXPECT_EQ(parseI32("+2147483647"), 0x7FFFFFFFu);
  EXPECT_EQ(parseI32("0xFFFF_ffff"), 0xFFFFFFFFu);
  EXPECT_EQ(parseI32("-0x8000_0000"), 0x80000000u);
  EXPECT_EQ(parseI32("1_000_000"), 1000000u);
  EXPECT_EQ(parseI64("-9223372036854775808"), 0x8000000000000000ull);
  EXPECT_EQ(parseI64("18446744073709551615"), UINT64_MAX);
  EXPECT_EQ(parseI64("0x7fff_ffff_ffff_ffff"), 0x7FFFFFFFFFFFFFFFull);
}

TEST(WastLiteral, IntegersOutOfRangeOrMalformed) {
  for (const char* bad : {"4294967296", "+2147483648", "-2147483649", "", "-", "+", "0x", "_1",
                          "1_", "1__0", "0x_1", "1a", "0X10", " 1", "1.0", "--1"}) {
    EXPECT_FALSE(parseI32(bad).has_value()) << bad;
  }
  EXPECT_FALSE(parseI64("18446744073709551616").has_value());
  EXPECT_FALSE(parseI64("-9223372036854775809").has_value());
  EXPECT_FALSE(parseI64("99999999999999999999999").has_value());
}

TEST(WastLiteral, LaneIntegers) {
  EXPECT_EQ(parseIntBits("-128", 8), 0x80u);
  EXPECT_EQ(parseIntBits("255", 8), 0xFFu);
  EXPECT_EQ(parseIntBits("-1", 16), 0xFFFFu);
  EXPECT_FALSE(parseIntBits("256", 8).has_value());
  EXPECT_FALSE(parseIntBits("-129", 8).has_value());
  EXPECT_FALSE(parseIntBits("65536", 16).has_value());
}

TEST(WastLiteral, F32) {
  EXPECT_EQ(parseF32("1.5"), 0x3FC00000u);
  EXPECT_EQ(parseF32("-0"), 0x80000000u);
  EXPECT_EQ(parseF32("+0.0"), 0u);
  EXPECT_EQ(parseF32("1e10"), 0x501502F9u);
  EXPECT_EQ(parseF32("1_000.000_1"), parseF32("1000.0001"));
  EXPECT_EQ(parseF32("inf"), 0x7F800000u);
  EXPECT_EQ(parseF32("-inf"), 0xFF800000u);
  EXPECT_EQ(parseF32("nan"), 0x7FC00000u);
  EXPECT_EQ(parseF32("-nan"), 0xFFC00000u);
  EXPECT_EQ(parseF32("nan:0x200000"), 0x7FA00000u);
  EXPECT_EQ(parseF32("-nan:0x7f_ffff"), 0xFFFFFFFFu);
  EXPECT_EQ(parseF32("0x1p-149"), 1u);                 // smallest subnormal
  EXPECT_EQ(parseF32("0x1.fffffep127"), 0x7F7FFFFFu);  // largest finite
  EXPECT_EQ(parseF32("0x1.8p1"), 0x40400000u);
  EXPECT_EQ(parseF32("0x1"), 0x3F800000u);
  EXPECT_EQ(parseF32("0x1."), 0x3F800000u);
  EXPECT_EQ(parseF32("1."), 0x3F800000u);
  EXPECT_EQ(parseF32("1.E+1"), 0x41200000u);
}

TEST(WastLiteral, FloatRoundingIsToNearestEven) {
  // 1 + 2^-24 lies halfway between 1 and 1 + 2^-23: ties go to the even one.
  EXPECT_EQ(parseF32("0x1.000001p0"), 0x3F800000u);
  // 1 + 3 * 2^-24 is halfway between 1 + 2^-23 and 1 + 2^-22: even is the latter.
  EXPECT_EQ(parseF32("0x1.000003p0"), 0x3F800002u);
  // Just above the halfway point rounds up.
  EXPECT_EQ(parseF32("0x1.00000100000000000000001p0"), 0x3F800001u);
  // Beyond the largest finite value by at least half an ulp: infinity.
  EXPECT_EQ(parseF32("0x1.ffffffp127"), 0x7F800000u);
  EXPECT_EQ(parseF32("1e39"), 0x7F800000u);
  EXPECT_EQ(parseF32("0x1.fffffefffffffffp127"), 0x7F7FFFFFu);
  EXPECT_EQ(parseF64("0.1"), 0x3FB999999999999Aull);
  EXPECT_EQ(parseF64("0x1p-1074"), 1ull);
  EXPECT_EQ(parseF64("1.7976931348623157e308"), 0x7FEFFFFFFFFFFFFFull);
  EXPECT_EQ(parseF64("2e308"), 0x7FF0000000000000ull);
  EXPECT_EQ(parseF64("-0x1.fffffffffffff8p1023"), 0xFFF0000000000000ull);
  EXPECT_EQ(parseF64("nan:0x4_0000_0000_0000"), 0x7FF4000000000000ull);
  EXPECT_EQ(parseF64("0x0.0000000000001p-1022"), 1ull);
}

TEST(WastLiteral, MalformedFloats) {
  for (const char* bad :
       {"",     "-",   ".5",       "1e",      "1e+",          "0x",    "0x.8",
        "0x1p", "1.e", "infinity", "nan:0x0", "nan:0x800000", "nan:1", "nan:canonical",
        "NaN",  "Inf", "1_",       "1__0",    "0x1.p1_",      "1,0",   "1.5f",
        "e5",   "+-1", "0x1p1.5"}) {
    EXPECT_FALSE(parseF32(bad).has_value()) << bad;
  }
  EXPECT_FALSE(parseF64("nan:0x10000000000000").has_value());  // payload wider than 52 bits
}

// ---------------------------------------------------------------------------
// Constants and expected results

SExpr one(const std::string& text) {
  auto cmds = mustRead(text);
  return cmds.empty() ? SExpr{} : cmds[0];
}

TEST(WastValue, ConstantsOfEveryType) {
  auto i = parseConst(one("(i32.const -2)"));
  ASSERT_TRUE(i.ok());
  EXPECT_EQ(i->type, ValType::kI32);
  EXPECT_EQ(i->i32, 0xFFFFFFFEu);
  auto f = parseConst(one("(f64.const -nan:0x1)"));
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->f64Bits(), 0xFFF0000000000001ull);
  auto v = parseConst(one("(v128.const i16x8 1 -1 0 0 0 0 0 0x8000)"));
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->v128.bytes[0], 1);
  EXPECT_EQ(v->v128.bytes[2], 0xFF);
  EXPECT_EQ(v->v128.bytes[3], 0xFF);
  EXPECT_EQ(v->v128.bytes[15], 0x80);
  auto n = parseConst(one("(ref.null extern)"));
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(n->type, ValType::kExternRef);
  EXPECT_TRUE(n->ref.null);
  auto e = parseConst(one("(ref.extern 7)"));
  ASSERT_TRUE(e.ok());
  EXPECT_FALSE(e->ref.null);
  EXPECT_EQ(e->ref.bits, 7u);
  EXPECT_FALSE(parseConst(one("(v128.const i32x4 1 2 3)")).ok());
  EXPECT_FALSE(parseConst(one("(i32.const 1 2)")).ok());
  EXPECT_FALSE(parseConst(one("(f32.const nan:canonical)")).ok());
  EXPECT_FALSE(parseConst(one("(ref.null any)")).ok());
}

TEST(WastValue, NanPatterns) {
  auto canonical = parseExpected(one("(f32.const nan:canonical)"));
  auto arithmetic = parseExpected(one("(f32.const nan:arithmetic)"));
  ASSERT_TRUE(canonical.ok() && arithmetic.ok());
  EXPECT_TRUE(matches(*canonical, Val::makeF32Bits(0x7FC00000)));
  EXPECT_TRUE(matches(*canonical, Val::makeF32Bits(0xFFC00000)));
  EXPECT_FALSE(matches(*canonical, Val::makeF32Bits(0x7FC00001)));
  EXPECT_FALSE(matches(*canonical, Val::makeF64Bits(0x7FF8000000000000ull)));
  EXPECT_TRUE(matches(*arithmetic, Val::makeF32Bits(0x7FC00001)));
  EXPECT_FALSE(matches(*arithmetic, Val::makeF32Bits(0x7FA00000)));  // signalling
  EXPECT_FALSE(matches(*arithmetic, Val::makeF32Bits(0x7F800000)));  // infinity
}

TEST(WastValue, ExactFloatsCompareBits) {
  auto zero = parseExpected(one("(f64.const 0)"));
  ASSERT_TRUE(zero.ok());
  EXPECT_TRUE(matches(*zero, Val::makeF64Bits(0)));
  EXPECT_FALSE(matches(*zero, Val::makeF64Bits(0x8000000000000000ull)));
  auto nan = parseExpected(one("(f32.const nan:0x200000)"));
  ASSERT_TRUE(nan.ok());
  EXPECT_TRUE(matches(*nan, Val::makeF32Bits(0x7FA00000)));
  EXPECT_FALSE(matches(*nan, Val::makeF32Bits(0x7FC00000)));
}

TEST(WastValue, V128LanePatterns) {
  auto x = parseExpected(one("(v128.const f32x4 nan:canonical 1.0 nan:arithmetic -0)"));
  ASSERT_TRUE(x.ok()) << x.error().message;
  V128 v;
  auto put = [&](int lane, uint32_t bits) {
    for (int b = 0; b < 4; ++b) v.bytes[lane * 4 + b] = static_cast<uint8_t>(bits >> (8 * b));
  };
  put(0, 0xFFC00000);
  put(1, 0x3F800000);
  put(2, 0x7FC12345);
  put(3, 0x80000000);
  EXPECT_TRUE(matches(*x, Val::makeV128(v)));
  put(3, 0);
  EXPECT_FALSE(matches(*x, Val::makeV128(v)));
  auto ints = parseExpected(one("(v128.const i8x16 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 -1)"));
  ASSERT_TRUE(ints.ok());
  V128 w;
  for (int i = 0; i < 15; ++i) w.bytes[i] = static_cast<uint8_t>(i);
  w.bytes[15] = 0xFF;
  EXPECT_TRUE(matches(*ints, Val::makeV128(w)));
}

TEST(WastValue, EitherAndReferencePatterns) {
  auto either = parseExpected(one("(either (i32.const 1) (i32.const 2))"));
  ASSERT_TRUE(either.ok());
  EXPECT_TRUE(matches(*either, Val::makeI32(2)));
  EXPECT_FALSE(matches(*either, Val::makeI32(3)));
  auto nullFunc = parseExpected(one("(ref.null func)"));
  ASSERT_TRUE(nullFunc.ok());
  EXPECT_TRUE(matches(*nullFunc, Val::makeRef(ValType::kFuncRef, RefVal{})));
  EXPECT_FALSE(matches(*nullFunc, Val::makeRef(ValType::kExternRef, RefVal{})));
  auto anyNull = parseExpected(one("(ref.null)"));
  ASSERT_TRUE(anyNull.ok());
  EXPECT_TRUE(matches(*anyNull, Val::makeRef(ValType::kExternRef, RefVal{})));
  auto func = parseExpected(one("(ref.func)"));
  ASSERT_TRUE(func.ok());
  EXPECT_TRUE(matches(*func, Val::makeRef(ValType::kFuncRef, RefVal{false, 3})));
  EXPECT_FALSE(matches(*func, Val::makeRef(ValType::kFuncRef, RefVal{})));
  auto ext = parseExpected(one("(ref.extern 1)"));
  ASSERT_TRUE(ext.ok());
  EXPECT_TRUE(matches(*ext, Val::makeRef(ValType::kExternRef, RefVal{false, 1})));
  EXPECT_FALSE(matches(*ext, Val::makeRef(ValType::kExternRef, RefVal{false, 2})));
  EXPECT_FALSE(parseExpected(one("(ref.struct)")).ok());
}

TEST(WastValue, DescribeTellsBitPatternsApart) {
  EXPECT_NE(describe(Val::makeF32Bits(0)), describe(Val::makeF32Bits(0x80000000)));
  EXPECT_NE(describe(Val::makeF32Bits(0x7FC00000)), describe(Val::makeF32Bits(0x7FC00001)));
  EXPECT_EQ(describe(Val::makeF64Bits(0xFFF8000000000000ull)), "f64:-nan:0x8000000000000");
}

// ---------------------------------------------------------------------------
// Skip lists

TEST(WastSkipList, ParsesEntriesCommentsAndBlankLines) {
  auto list = parseSkipList(
      "# header\n"
      "\n"
      "  a.wast:12   GC proposal: # not a comment here \n"
      "b-c.wast:3 reason\r\n",
      "skip.txt");
  ASSERT_TRUE(list.ok()) << list.error().message;
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].file, "a.wast");
  EXPECT_EQ((*list)[0].line, 12u);
  EXPECT_EQ((*list)[0].reason, "GC proposal: # not a comment here");
  EXPECT_EQ((*list)[1].file, "b-c.wast");
  EXPECT_EQ((*list)[1].reason, "reason");
}

TEST(WastSkipList, EveryEntryNeedsAReasonAndAPlace) {
  auto noReason = parseSkipList("a.wast:1 ok\na.wast:2\n", "skip.txt");
  ASSERT_FALSE(noReason.ok());
  EXPECT_NE(noReason.error().message.find("skip.txt:2:"), std::string::npos)
      << noReason.error().message;
  EXPECT_NE(noReason.error().message.find("no reason"), std::string::npos);
  EXPECT_FALSE(parseSkipList("a.wast reason\n", "s").ok());
  EXPECT_FALSE(parseSkipList("a.wast:x reason\n", "s").ok());
  EXPECT_FALSE(parseSkipList("a.wast:0 reason\n", "s").ok());
  EXPECT_FALSE(parseSkipList(":3 reason\n", "s").ok());
  EXPECT_FALSE(parseSkipList("a.wast:99999999999 reason\n", "s").ok());
  auto dup = parseSkipList("a.wast:1 one\na.wast:1 two\n", "s");
  ASSERT_FALSE(dup.ok());
  EXPECT_NE(dup.error().message.find("duplicate"), std::string::npos);
}

// ---------------------------------------------------------------------------
// Whole scripts

struct ScriptRun {
  WastTotals totals;
  std::vector<std::string> log;
};

ScriptRun runScript(const std::string& script, const std::string& skips = "") {
  test::TempDir dir;
  dir.write("s.wast", script);
  WastOptions options;
  if (!skips.empty()) {
    auto list = parseSkipList(skips, "skips");
    EXPECT_TRUE(list.ok()) << (list.ok() ? "" : list.error().message);
    if (list.ok()) options.skips = *list;
  }
  ScriptRun run;
  options.log = [&run](const std::string& line) { run.log.push_back(line); };
  Engine engine;
  auto totals = runWastFile(engine, dir.file("s.wast"), options);
  EXPECT_TRUE(totals.ok()) << (totals.ok() ? "" : totals.error().message);
  if (totals.ok()) run.totals = *totals;
  return run;
}

TEST(WastRunner, EveryKindOfCommand) {
  auto run = runScript(R"wast(
(module $M
  (import "spectest" "print_i32" (func (param i32)))
  (import "spectest" "global_i32" (global i32))
  (global (export "g") i32 (i32.const 7))
  (memory 1)
  (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  (func (export "div") (param i32) (result i32) (i32.div_u (i32.const 1) (local.get 0)))
  (func (export "nan") (result f32) (f32.div (f32.const 0) (f32.const 0)))
  (func (export "load") (param i32) (result i32) (i32.load (local.get 0)))
  (func $r (export "rec") (call $r))
  (func (export "imported") (result i32) (global.get 0)))
(register "m" $M)
(module binary "\00asm" "\01\00\00\00")
(module quote "(func (export \"q\") (result i64) (i64.const -1))")
(assert_return (invoke "q") (i64.const 0xffff_ffff_ffff_ffff))
(assert_return (invoke $M "add" (i32.const 1) (i32.const 2)) (i32.const 3))
(assert_return (invoke $M "nan") (f32.const nan:canonical))
(assert_return (invoke $M "imported") (i32.const 666))
(assert_return (get $M "g") (i32.const 7))
(assert_trap (invoke $M "div" (i32.const 0)) "integer divide by zero")
(assert_trap (invoke $M "load" (i32.const 65536)) "out of bounds memory access")
(assert_exhaustion (invoke $M "rec") "call stack exhausted")
(assert_invalid (module (func (result i32))) "type mismatch")
(assert_malformed (module quote "(func (i32.const 0x))") "unknown operator")
(assert_malformed (module binary "\00asm\02\00\00\00") "unknown binary version")
(assert_unlinkable (module (import "m" "nope" (func))) "unknown import")
(assert_unlinkable (module (import "m" "add" (func))) "incompatible import type")
(assert_trap (module (func $s unreachable) (start $s)) "unreachable")
(assert_trap (module (memory 0) (data (i32.const 1) "x")) "out of bounds memory access")
(module (import "m" "g" (global i32)))
(invoke $M "add" (i32.const 0) (i32.const 0))
)wast");
  EXPECT_EQ(run.totals.failed, 0u) << testing::PrintToString(run.log);
  EXPECT_EQ(run.totals.passed, 21u);
  EXPECT_EQ(run.totals.skipped, 0u);
  EXPECT_EQ(run.totals.staleSkips, 0u);
}

TEST(WastRunner, HostExternrefsRoundTripThroughTables) {
  auto run = runScript(R"wast(
(module
  (table $t 1 externref)
  (func (export "set") (param externref) (table.set $t (i32.const 0) (local.get 0)))
  (func (export "get") (result externref) (table.get $t (i32.const 0)))
  (func (export "grow") (param externref) (result i32) (table.grow $t (local.get 0) (i32.const 2)))
  (func (export "at") (param i32) (result externref) (table.get $t (local.get 0))))
(assert_return (invoke "get") (ref.null extern))
(assert_return (invoke "set" (ref.extern 123456789)))
(assert_return (invoke "get") (ref.extern 123456789))
(assert_return (invoke "grow" (ref.extern 0)) (i32.const 1))
(assert_return (invoke "at" (i32.const 2)) (ref.extern 0))
(assert_trap (invoke "at" (i32.const 3)) "out of bounds table access")
)wast");
  EXPECT_EQ(run.totals.failed, 0u) << testing::PrintToString(run.log);
  EXPECT_EQ(run.totals.passed, 7u);
}

TEST(WastRunner, AnnotationsAndInlineModules) {
  auto annotated = runScript(
      "(@meta whatever ; ] [)\n"
      "(module (func (export \"f\") (result i32) (i32.const 4)))\n"
      "((@a) assert_return (@b) (invoke (@c) \"f\") (i32.const 4))\n");
  EXPECT_EQ(annotated.totals.failed, 0u) << testing::PrintToString(annotated.log);
  EXPECT_EQ(annotated.totals.passed, 2u);
  auto inlineModule = runScript(";; fields only\n(func) (memory 0) (func (export \"f\"))\n");
  EXPECT_EQ(inlineModule.totals.failed, 0u) << testing::PrintToString(inlineModule.log);
  EXPECT_EQ(inlineModule.totals.passed, 1u);
}

TEST(WastRunner, ModuleDefinitionsAndInstances) {
  auto run = runScript(R"wast(
(module definition $D (global (export "g") (mut i32) (i32.const 1))
  (func (export "inc") (global.set 0 (i32.add (global.get 0) (i32.const 1)))))
(module instance $I1 $D)
(module instance $I2 $D)
(invoke $I1 "inc")
(assert_return (get $I1 "g") (i32.const 2))
(assert_return (get $I2 "g") (i32.const 1))
(register "i2" $I2)
(module (import "i2" "g" (global (mut i32))) (func (export "read") (result i32) (global.get 0)))
(assert_return (invoke "read") (i32.const 1))
)wast");
  EXPECT_EQ(run.totals.failed, 0u) << testing::PrintToString(run.log);
  EXPECT_EQ(run.totals.passed, 9u);
}

TEST(WastRunner, FailuresNameTheLineTheCommandAndBothSides) {
  auto run = runScript(
      "(module (func (export \"one\") (result i32) (i32.const 1)))\n"
      "(assert_return (invoke \"one\") (i32.const 2))\n"
      "(assert_trap (invoke \"one\") \"unreachable\")\n");
  EXPECT_EQ(run.totals.passed, 1u);
  ASSERT_EQ(run.totals.failed, 2u);
  const CommandFailure& f = run.totals.failures[0];
  EXPECT_EQ(f.file, "s.wast");
  EXPECT_EQ(f.line, 2u);
  EXPECT_EQ(f.command, "assert_return");
  EXPECT_NE(f.message.find("(i32.const 2)"), std::string::npos) << f.message;
  EXPECT_NE(f.message.find("i32:1"), std::string::npos) << f.message;
  EXPECT_EQ(run.totals.failures[1].line, 3u);
}

TEST(WastRunner, SkippedModuleTakesItsDependentsAlong) {
  const std::string script =
      "(module $A (func (export \"f\") (result i32) (struct.new $nope)))\n"  // line 1: fails
      "(assert_return (invoke \"f\") (i32.const 0))\n"                       // dependent
      "(register \"a\" $A)\n"                                                // dependent
      "(module (import \"a\" \"f\" (func (result i32))))\n"                  // dependent import
      "(module (func (export \"g\") (result i32) (i32.const 5)))\n"
      "(assert_return (invoke \"g\") (i32.const 5))\n";
  auto unlisted = runScript(script);
  EXPECT_EQ(unlisted.totals.failed, 4u);  // the module and the three that need it
  EXPECT_EQ(unlisted.totals.passed, 2u);

  auto listed = runScript(script, "s.wast:1 GC proposal\n");
  EXPECT_EQ(listed.totals.failed, 0u) << testing::PrintToString(listed.log);
  EXPECT_EQ(listed.totals.skipped, 4u);
  EXPECT_EQ(listed.totals.passed, 2u);
  EXPECT_EQ(listed.totals.staleSkips, 0u);
}

TEST(WastRunner, StaleEntriesAreReported) {
  const std::string script =
      "(module (func (export \"f\") (result i32) (unknown.op)))\n"
      "(assert_return (invoke \"f\") (i32.const 0))\n"
      "(module (func (export \"g\") (result i32) (i32.const 5)))\n";
  auto run = runScript(script,
                       "s.wast:1 really fails\n"
                       "s.wast:2 listed although it is a dependent\n"
                       "s.wast:3 passes now\n"
                       "s.wast:9 no such command\n"
                       "other.wast:1 another file: ignored\n");
  EXPECT_EQ(run.totals.failed, 0u);
  EXPECT_EQ(run.totals.skipped, 2u);
  EXPECT_EQ(run.totals.passed, 1u);
  ASSERT_EQ(run.totals.staleSkips, 3u) << testing::PrintToString(run.totals.staleSkipEntries);
  EXPECT_NE(run.totals.staleSkipEntries[0].find("s.wast:2"), std::string::npos);
  EXPECT_NE(run.totals.staleSkipEntries[1].find("s.wast:3"), std::string::npos);
  EXPECT_NE(run.totals.staleSkipEntries[2].find("s.wast:9"), std::string::npos);
}

TEST(WastRunner, HungGuestIsStoppedByTheCommandTimeout) {
  test::TempDir dir;
  dir.write("s.wast",
            "(module (func (export \"spin\") (loop $l (br $l))))\n"
            "(assert_return (invoke \"spin\"))\n");
  WastOptions options;
  options.commandTimeout = std::chrono::milliseconds(200);
  Engine engine;
  auto totals = runWastFile(engine, dir.file("s.wast"), options);
  ASSERT_TRUE(totals.ok());
  EXPECT_EQ(totals->passed, 1u);
  ASSERT_EQ(totals->failed, 1u);
  EXPECT_NE(totals->failures[0].message.find("deadline"), std::string::npos)
      << totals->failures[0].message;
}

TEST(WastRunner, UnreadableOrUnbalancedScriptsAreErrors) {
  Engine engine;
  EXPECT_FALSE(runWastFile(engine, "/nonexistent/x.wast", {}).ok());
  test::TempDir dir;
  dir.write("bad.wast", "(module\n");
  auto r = runWastFile(engine, dir.file("bad.wast"), {});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find(":1: unbalanced"), std::string::npos) << r.error().message;
}

}  // namespace
}  // namespace compono::engine::wast
