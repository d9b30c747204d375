// WIT: lexer, parser, resolver, printer and `compono wit`.
#include "compono/component/wit.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "component/wit/lexer.h"
#include "compono/component/wit_load.h"
#include "compono/component/wit_print.h"
#include "support/test_support.h"

namespace compono::component::wit {
namespace {

using compono::test::TempDir;

std::string fixture(const std::string& rel) {
  return compono::test::sharedPath("fixtures/components/" + rel);
}

LoadedPackage load(const std::string& text, const LoadOptions& options = {}) {
  auto r = loadWitText("t.wit", text, options);
  EXPECT_TRUE(r.ok()) << r.error().message;
  if (!r.ok()) return {};
  return std::move(r).value();
}

// The error message of loading `text` as t.wit, or "<ok>".
std::string loadError(const std::string& text, const LoadOptions& options = {}) {
  auto r = loadWitText("t.wit", text, options);
  return r.ok() ? std::string("<ok>") : r.error().message;
}

const TypeDef& typeNamed(const Model& m, InterfaceId iface, const std::string& name) {
  auto id = m.findType(iface, name);
  EXPECT_TRUE(id.has_value()) << name;
  static TypeDef none;
  return id ? m.types[*id] : none;
}

InterfaceId interfaceNamed(const LoadedPackage& p, const std::string& name) {
  auto id = p.model.findInterface(p.root, name);
  EXPECT_TRUE(id.has_value()) << name;
  return id.value_or(0);
}

// print -> load -> every package equal, and printing again gives the same text.
void expectRoundTrip(const LoadedPackage& p, const LoadOptions& options = {}) {
  PrintOptions print;
  print.withDependencies = true;
  std::string text = printPackage(p.model, p.root, print);
  auto again = loadWitText("printed.wit", text, options);
  ASSERT_TRUE(again.ok()) << again.error().message << "\n--- printed:\n" << text;
  for (PackageId id = 0; id < p.model.packages.size(); ++id) {
    const Package& pkg = p.model.packages[id];
    if (pkg.stub) continue;
    auto other = again->model.findPackage(pkg.name);
    ASSERT_TRUE(other.has_value()) << pkg.name.toString();
    Status same = comparePackages(p.model, id, again->model, *other);
    EXPECT_TRUE(same.ok()) << same.error().message << "\n--- printed:\n" << text;
  }
  EXPECT_EQ(printPackage(again->model, again->root, print), text);
}

// --- lexer --------------------------------------------------------------------

TEST(WitLexer, TokensDocsAndPositions) {
  auto toks =
      lexWit("t.wit", "/// doc one\n///   two\n// plain\n/* a /* nested */ b */ %record:u32->");
  ASSERT_TRUE(toks.ok()) << toks.error().message;
  ASSERT_EQ(toks->size(), 5u);
  EXPECT_EQ((*toks)[0].kind, Tok::kId);
  EXPECT_TRUE((*toks)[0].explicitId);
  EXPECT_EQ((*toks)[0].value, "record");
  EXPECT_EQ((*toks)[0].docs, "doc one\n  two");
  EXPECT_EQ((*toks)[0].line, 4u);
  EXPECT_EQ((*toks)[0].column, 24u);
  EXPECT_EQ((*toks)[1].kind, Tok::kColon);
  EXPECT_FALSE((*toks)[1].spaceBefore);
  EXPECT_EQ((*toks)[2].kind, Tok::kU32);
  EXPECT_EQ((*toks)[3].kind, Tok::kArrow);
  EXPECT_EQ((*toks)[4].kind, Tok::kEof);
}

TEST(WitLexer, VersionsStopBeforeDotBrace) {
  auto toks = lexWit("t.wit", "a:b/c@1.0.0-rc.1+b.7.{x}");
  ASSERT_TRUE(toks.ok());
  EXPECT_EQ((*toks)[6].kind, Tok::kNumber);
  EXPECT_EQ((*toks)[6].value, "1.0.0-rc.1+b.7");
  EXPECT_EQ((*toks)[7].kind, Tok::kDot);
  EXPECT_EQ((*toks)[8].kind, Tok::kLBrace);
}

TEST(WitLexer, BlockDocsAndColumnsInCodePoints) {
  auto toks = lexWit("t.wit", "/**\n * line one\n *\n * line three\n */\n/* é */ x");
  ASSERT_TRUE(toks.ok());
  EXPECT_EQ((*toks)[0].docs, "line one\n\nline three");
  EXPECT_EQ((*toks)[0].line, 6u);
  EXPECT_EQ((*toks)[0].column, 9u);  // "é" is one column
}

// Found by fuzz_wit: a lone CR inside a doc line did not survive printing.
TEST(WitLexer, CarriageReturnsInDocs) {
  LoadedPackage p = load("///\xd7\x98\rs\r\r\r\n\rpackage fz:cp;\n  ");
  EXPECT_EQ(p.model.packages[p.root].meta.docs, "\xd7\x98s");
  expectRoundTrip(p);
  LoadedPackage crlf = load("/// one\r\n/// two\r\npackage a:b;\r\n");
  EXPECT_EQ(crlf.model.packages[crlf.root].meta.docs, "one\ntwo");
}

TEST(WitLexer, Errors) {
  auto err = [](const std::string& text) {
    auto r = lexWit("t.wit", text);
    return r.ok() ? std::string("<ok>") : r.error().message;
  };
  EXPECT_EQ(err("a\n  /* open"), "t.wit:2:3: unterminated block comment");
  EXPECT_EQ(
      err("x Foo-bar"),
      "t.wit:1:3: invalid identifier `Foo-bar`: each word must be all lowercase or all uppercase");
  EXPECT_EQ(err("a--b"),
            "t.wit:1:1: invalid identifier `a--b`: words are separated by single `-` and cannot be "
            "empty");
  EXPECT_EQ(err("a-1b"),
            "t.wit:1:1: invalid identifier `a-1b`: each word must start with a letter");
  EXPECT_EQ(err("x\x01"), "t.wit:1:2: control character U+0001 is not allowed");
  EXPECT_EQ(err("x \xE2\x80\xAE"),
            "t.wit:1:3: bidirectional formatting character U+202E is not allowed");
  EXPECT_EQ(err("\n\xff"), "t.wit:2:1: invalid UTF-8");
  EXPECT_EQ(err("a $"), "t.wit:1:3: unexpected character `$`");
  EXPECT_EQ(err("_x"), "t.wit:1:1: identifiers cannot start with `_`");
  EXPECT_EQ(err("\"abc"), "t.wit:1:1: unterminated string literal");
  EXPECT_EQ(err("\"\\u{d800}\""), "t.wit:1:2: invalid Unicode escape");
  EXPECT_TRUE(isKebabLabel("XML-http-request2"));
  EXPECT_FALSE(isKebabLabel("Xml"));
}

TEST(WitVersion, ParseAndPrint) {
  auto v = Version::parse("1.22.333-rc.1.x-y+build.0.0a");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->major, 1u);
  EXPECT_EQ(v->minor, 22u);
  EXPECT_EQ(v->patch, 333u);
  EXPECT_EQ(v->prerelease, "rc.1.x-y");
  EXPECT_EQ(v->build, "build.0.0a");
  EXPECT_EQ(v->toString(), "1.22.333-rc.1.x-y+build.0.0a");
  for (const char* bad : {"1.0", "1", "01.0.0", "1.0.0-", "1.0.0-01", "1.0.0+", "1.0.0-a..b",
                          "1.0.0.0", "a.b.c", "99999999999999999999.0.0", ""}) {
    EXPECT_FALSE(Version::parse(bad).ok()) << bad;
  }
  EXPECT_EQ(Version::parse("1.0").error().message,
            "invalid version `1.0`: expected MAJOR.MINOR.PATCH");
}

// --- fixtures -----------------------------------------------------------------

TEST(WitFixtures, CalcModel) {
  auto r = loadWitPath(fixture("wit/calc.wit"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  const Model& m = r->model;
  const Package& pkg = m.packages[r->root];
  EXPECT_EQ(pkg.name.toString(), "example:calc@0.1.0");
  ASSERT_EQ(pkg.interfaces.size(), 3u);
  ASSERT_EQ(pkg.worlds.size(), 2u);
  InterfaceId calc = interfaceNamed(*r, "calc");
  EXPECT_EQ(m.interfaceName(calc), "example:calc/calc@0.1.0");
  EXPECT_EQ(m.interfaces[calc].meta.docs,
            "Rich-type interface exported by the `calculator` world (JS component).");

  const TypeDef& point = typeNamed(m, calc, "point");
  const auto& rec = std::get<RecordType>(point.kind);
  ASSERT_EQ(rec.fields.size(), 3u);
  EXPECT_EQ(rec.fields[2].name, "label");
  EXPECT_EQ(rec.fields[2].type, Type::prim(Primitive::kString));
  const auto& shape = std::get<VariantType>(typeNamed(m, calc, "shape").kind);
  ASSERT_EQ(shape.cases.size(), 3u);
  EXPECT_FALSE(shape.cases[2].type.has_value());
  EXPECT_EQ(printType(m, *shape.cases[1].type), "tuple<f64, f64>");
  EXPECT_EQ(std::get<FlagsType>(typeNamed(m, calc, "perms").kind).flags.size(), 3u);

  // Resource functions under their component-level names.
  auto acc = m.findType(calc, "accumulator");
  ASSERT_TRUE(acc);
  const Function* ctor = m.findFunction(calc, "[constructor]accumulator");
  ASSERT_NE(ctor, nullptr);
  EXPECT_EQ(ctor->kind, FunctionKind::kConstructor);
  EXPECT_EQ(ctor->resource, *acc);
  const auto& owned = std::get<HandleType>(m.types[ctor->result->id].kind);
  EXPECT_EQ(owned.kind, HandleKind::kOwn);
  EXPECT_EQ(owned.resource, *acc);
  const Function* add = m.findFunction(calc, "[method]accumulator.add");
  ASSERT_NE(add, nullptr);
  EXPECT_EQ(add->itemName(), "add");
  ASSERT_EQ(add->params.size(), 2u);
  EXPECT_EQ(add->params[0].name, "self");
  EXPECT_EQ(std::get<HandleType>(m.types[add->params[0].type.id].kind).kind, HandleKind::kBorrow);
  const Function* merge = m.findFunction(calc, "[static]accumulator.merge");
  ASSERT_NE(merge, nullptr);
  EXPECT_EQ(printFunction(m, *merge),
            "merge: static func(a: borrow<accumulator>, b: borrow<accumulator>) -> accumulator");
  EXPECT_EQ(m.resourceOf(merge->result->id), *acc);
  const Function* apply = m.findFunction(calc, "apply");
  ASSERT_NE(apply, nullptr);
  EXPECT_EQ(printFunction(m, *apply),
            "apply: func(o: op, a: s64, b: s64) -> result<s64, calc-error>");

  auto world = m.findWorld(r->root, "calculator");
  ASSERT_TRUE(world);
  const World& w = m.worlds[*world];
  ASSERT_EQ(w.imports.size(), 1u);
  EXPECT_TRUE(w.imports[0].keyedByInterface());
  EXPECT_EQ(m.interfaceName(w.imports[0].interface), "example:calc/logger@0.1.0");
  ASSERT_EQ(w.exports.size(), 1u);
  EXPECT_EQ(w.exports[0].interface, calc);
  EXPECT_TRUE(unsupportedFeatures(m, r->root).empty());
  expectRoundTrip(*r);
}

TEST(WitFixtures, PairModelAndDocs) {
  auto r = loadWitPath(fixture("src/pair/wit/pair.wit"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  InterfaceId math = interfaceNamed(*r, "math");
  const Function* describe = r->model.findFunction(math, "describe");
  ASSERT_NE(describe, nullptr);
  EXPECT_EQ(describe->meta.docs, "returns \"x=<decimal>\"");
  auto consumer = r->model.findWorld(r->root, "consumer");
  ASSERT_TRUE(consumer);
  EXPECT_EQ(r->model.worlds[*consumer].imports[0].interface, math);
  expectRoundTrip(*r);
}

// `jco wit` output refers to packages it does not contain.
TEST(WitFixtures, JcoWorldsRoundTrip) {
  int seen = 0;
  for (const auto& e : std::filesystem::directory_iterator(fixture(""))) {
    std::string name = e.path().filename().string();
    if (name.rfind("wit-of-", 0) != 0 || e.path().extension() != ".wit") continue;
    ++seen;
    SCOPED_TRACE(name);
    auto strict = loadWitPath(e.path().string());
    ASSERT_FALSE(strict.ok());
    EXPECT_NE(strict.error().message.find("unknown package `"), std::string::npos);
    LoadOptions lenient;
    lenient.allowMissingPackages = true;
    auto r = loadWitPath(e.path().string(), lenient);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->model.packages[r->root].name.toString(), "root:component");
    auto world = selectWorld(r->model, r->root, "");
    ASSERT_TRUE(world.ok());
    // The printed world is the fixture itself.
    EXPECT_EQ(printWorld(r->model, *world), compono::test::readFile(e.path().string()));
    expectRoundTrip(*r, lenient);
  }
  EXPECT_EQ(seen, 7);
}

TEST(WitFixtures, JcoWorldsResolveAgainstTheirWit) {
  // A deps/ folder with the fixture packages resolves the example imports.
  TempDir dir;
  dir.write("w/world.wit", compono::test::readFile(fixture("wit-of-consumer.wit")));
  dir.write("w/deps/pair.wit", compono::test::readFile(fixture("src/pair/wit/pair.wit")));
  auto r = loadWitPath(dir.file("w"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  const World& w = r->model.worlds[*selectWorld(r->model, r->root, "root")];
  ASSERT_EQ(w.imports.size(), 1u);
  const Interface& math = r->model.interfaces[w.imports[0].interface];
  EXPECT_FALSE(math.stub);
  EXPECT_EQ(math.functions.size(), 2u);
  expectRoundTrip(*r);
}

// --- the whole language ---------------------------------------------------------

const char* kRich = R"(/// The root package.
package local:demo@1.2.0-rc.1;

use wasi:io/streams@0.2.12 as io-streams;

/** Block docs
 * second line
 */
@since(version = 1.0.0)
interface types {
  /// an error
  enum errno { too-big, too-small, }
  type size = u32;
  @since(version = 1.1.0)
  @deprecated(version = 1.2.0)
  record r {
    /// field docs
    a: u32, b: string, c: list<option<tuple<u8, s8>>>,
  }
  flags perms { read, write, %exec }
  variant human { baby, child(u32), adult }
  type t4 = option<u32>;
  type t5 = result<_, errno>;
  type t6 = result<string>;
  type t7 = result<char, errno>;
  type t8 = result;
  type t9 = list<string>;
  type t10 = t9;
  type all = tuple<bool, s8, u8, s16, u16, s32, u32, s64, u64, f32, f64, char, string>;
  resource blob {
    constructor(init: list<u8>);
    write: func(bytes: list<u8>);
    read: func(n: u32) -> list<u8>;
    merge: static func(lhs: borrow<blob>, rhs: borrow<blob>) -> blob;
    /// docs on a method
    @since(version = 1.1.0)
    go: async func();
  }
  resource blob2 { constructor(init: list<u8>) -> result<blob2, errno>; }
  resource empty;
  type own-blob = own<blob>;
  type b2 = blob;
  take: func(b: b2, bb: borrow<b2>) -> b2;
  %variant: func(%enum: s32) -> size;
  @unstable(feature = fancy)
  fancy: async func(s: stream<u8>, f: future<string>, e: error-context, s2: stream,
                    f2: future) -> map<string, list<u32, 4>>;
}

interface user {
  use types.{errno as my-errno, size, blob};
  use io-streams.{input-stream};
  use wasi:io/streams@0.2.12.{output-stream as out};
  record holder { e: my-errno, b: blob, s: input-stream }
  get: func(s: size) -> result<holder, my-errno>;
  write: func(o: borrow<out>);
}

world base {
  import cache: func() -> string;
  export run: func();
}

world big {
  include base with { cache as my-cache, run as go }
  import types;
  import cache: func();
  use types.{errno};
  type local = list<errno>;
  import host: interface {
    use types.{size};
    get: func() -> size;
  }
  import primary: user;
  @external-id("//One")
  import ext: func(l: local);
  export user;
  export go2: async func();
}

package wasi:io@0.2.12 {
  interface error { resource error; }
  interface streams {
    use error.{error};
    resource input-stream { read: func(n: u64) -> result<list<u8>, error>; }
    resource output-stream;
  }
}
)";

TEST(WitLanguage, EveryConstructRoundTrips) {
  LoadedPackage p = load(kRich);
  ASSERT_NE(p.root, kNoId);
  expectRoundTrip(p);
}

TEST(WitLanguage, TypesAndGates) {
  LoadedPackage p = load(kRich);
  const Model& m = p.model;
  EXPECT_EQ(m.packages[p.root].name.version->prerelease, "rc.1");
  EXPECT_EQ(m.packages[p.root].meta.docs, "The root package.");
  InterfaceId types = interfaceNamed(p, "types");
  EXPECT_EQ(m.interfaces[types].meta.docs, "Block docs\nsecond line");
  EXPECT_EQ(m.interfaces[types].meta.stability.since->toString(), "1.0.0");

  const TypeDef& r = typeNamed(m, types, "r");
  EXPECT_EQ(r.meta.stability.since->toString(), "1.1.0");
  EXPECT_EQ(r.meta.stability.deprecated->toString(), "1.2.0");
  EXPECT_EQ(std::get<RecordType>(r.kind).fields[0].docs, "field docs");
  EXPECT_EQ(std::get<FlagsType>(typeNamed(m, types, "perms").kind).flags[2].name, "exec");

  auto resultOf = [&](const std::string& name) {
    const auto& alias = std::get<AliasType>(typeNamed(m, types, name).kind);
    return std::get<ResultType>(m.types[alias.target.id].kind);
  };
  EXPECT_TRUE(!resultOf("t5").ok && resultOf("t5").err);
  EXPECT_TRUE(resultOf("t6").ok && !resultOf("t6").err);
  EXPECT_TRUE(resultOf("t7").ok && resultOf("t7").err);
  EXPECT_TRUE(!resultOf("t8").ok && !resultOf("t8").err);
  const auto& all = std::get<AliasType>(typeNamed(m, types, "all").kind);
  EXPECT_EQ(std::get<TupleType>(m.types[all.target.id].kind).types.size(), 13u);

  // Aliases: `type t10 = t9` targets the named t9; `own<blob>` as an alias
  // target is the resource itself.
  auto t9 = m.findType(types, "t9");
  EXPECT_EQ(std::get<AliasType>(typeNamed(m, types, "t10").kind).target, Type::def(*t9));
  auto blob = m.findType(types, "blob");
  EXPECT_EQ(std::get<AliasType>(typeNamed(m, types, "own-blob").kind).target, Type::def(*blob));
  auto b2 = m.findType(types, "b2");
  EXPECT_EQ(m.resourceOf(*b2), *blob);

  // A value of an aliased resource is an owned handle to the alias.
  const Function* take = m.findFunction(types, "take");
  ASSERT_NE(take, nullptr);
  EXPECT_EQ(std::get<HandleType>(m.types[take->params[0].type.id].kind).kind, HandleKind::kOwn);
  EXPECT_EQ(std::get<HandleType>(m.types[take->params[0].type.id].kind).resource, *b2);
  EXPECT_EQ(std::get<HandleType>(m.types[take->params[1].type.id].kind).kind, HandleKind::kBorrow);

  const Function* ctor2 = m.findFunction(types, "[constructor]blob2");
  ASSERT_NE(ctor2, nullptr);
  EXPECT_EQ(printType(m, *ctor2->result), "result<blob2, errno>");
  const Function* go = m.findFunction(types, "[method]blob.go");
  ASSERT_NE(go, nullptr);
  EXPECT_TRUE(go->isAsync);
  EXPECT_EQ(go->meta.docs, "docs on a method");

  const Function* fancy = m.findFunction(types, "fancy");
  ASSERT_NE(fancy, nullptr);
  EXPECT_EQ(fancy->meta.stability.unstableFeature, "fancy");
  EXPECT_EQ(printFunction(m, *fancy),
            "fancy: async func(s: stream<u8>, f: future<string>, e: error-context, s2: stream, "
            "f2: future) -> map<string, list<u32, 4>>");
  EXPECT_NE(m.findFunction(types, "variant"), nullptr);

  std::vector<std::string> features;
  for (const FeatureUse& f : unsupportedFeatures(m, p.root)) features.push_back(f.what);
  for (const char* want :
       {"async function `fancy` (post-0.2)", "`stream` in function `fancy` (async, post-0.2)",
        "`future` in function `fancy` (async, post-0.2)",
        "`error-context` in function `fancy` (async, post-0.2)",
        "`map` in function `fancy` (post-0.2)",
        "fixed-length `list<T, N>` in function `fancy` (post-0.2)",
        "`@external-id` on function `ext`", "async function `go2` (post-0.2)"}) {
    EXPECT_NE(std::find(features.begin(), features.end(), want), features.end()) << want;
  }
}

TEST(WitLanguage, UseAcrossInterfacesAndPackages) {
  LoadedPackage p = load(kRich);
  const Model& m = p.model;
  InterfaceId types = interfaceNamed(p, "types");
  InterfaceId user = interfaceNamed(p, "user");
  auto wasiIo = m.findPackage(PackageName{"wasi", "io", *Version::parse("0.2.12")});
  ASSERT_TRUE(wasiIo);
  auto streams = m.findInterface(*wasiIo, "streams");
  ASSERT_TRUE(streams);

  // `use types.{errno as my-errno}`: an alias owned by `user` naming types.errno.
  const TypeDef& myErrno = typeNamed(m, user, "my-errno");
  EXPECT_EQ(myErrno.owner, (TypeOwner{OwnerKind::kInterface, user}));
  EXPECT_EQ(std::get<AliasType>(myErrno.kind).target, Type::def(*m.findType(types, "errno")));
  EXPECT_TRUE(
      std::holds_alternative<EnumType>(m.types[m.dealias(*m.findType(user, "my-errno"))].kind));
  // Through the file-scoped `use wasi:io/streams@0.2.12 as io-streams;`.
  const TypeDef& in = typeNamed(m, user, "input-stream");
  EXPECT_EQ(m.types[std::get<AliasType>(in.kind).target.id].owner,
            (TypeOwner{OwnerKind::kInterface, *streams}));
  const TypeDef& out = typeNamed(m, user, "out");
  EXPECT_EQ(m.types[std::get<AliasType>(out.kind).target.id].name, "output-stream");
  // The used types come first in the interface.
  EXPECT_EQ(m.types[m.interfaces[user].types[0]].name, "my-errno");
  EXPECT_EQ(m.types[m.interfaces[user].types.back()].name, "holder");
  // Packages in dependency order: wasi:io before local:demo.
  EXPECT_LT(*wasiIo, p.root);
  // The error resource used by streams resolves to wasi:io/error.
  const TypeDef& err = typeNamed(m, *streams, "error");
  EXPECT_EQ(m.interfaceName(m.types[std::get<AliasType>(err.kind).target.id].owner.id),
            "wasi:io/error@0.2.12");
}

TEST(WitLanguage, WorldElaboration) {
  LoadedPackage p = load(kRich);
  const Model& m = p.model;
  auto big = m.findWorld(p.root, "big");
  ASSERT_TRUE(big);
  const World& w = m.worlds[*big];
  std::vector<std::string> imports, exports;
  auto key = [&](const WorldItem& i) {
    return i.keyedByInterface() ? *m.interfaceName(i.interface) : i.name;
  };
  for (const WorldItem& i : w.imports) imports.push_back(key(i));
  for (const WorldItem& e : w.exports) exports.push_back(key(e));
  // `use types.{..}` imports `types`; `include base with {...}` renames its
  // plain names; `import primary: user` pulls in what `user` uses.
  EXPECT_EQ(imports, (std::vector<std::string>{"local:demo/types@1.2.0-rc.1", "errno", "local",
                                               "my-cache", "cache", "host", "wasi:io/error@0.2.12",
                                               "wasi:io/streams@0.2.12", "primary", "ext"}));
  EXPECT_EQ(exports, (std::vector<std::string>{"go", "local:demo/user@1.2.0-rc.1", "go2"}));
  ASSERT_EQ(w.includes.size(), 1u);
  EXPECT_EQ(w.includes[0].renames.size(), 2u);
  EXPECT_EQ(w.imports[3].function.name, "my-cache");
  EXPECT_EQ(w.imports[9].meta.externalId, "//One");
  EXPECT_EQ(w.imports[9].function.meta.externalId, "//One");
  // The world-level type `local` is owned by the world.
  EXPECT_EQ(m.types[w.imports[2].type].owner, (TypeOwner{OwnerKind::kWorld, *big}));
  // An inline interface belongs to the package, has no name, and its uses resolve.
  const Interface& host = m.interfaces[w.imports[5].interface];
  EXPECT_TRUE(host.name.empty());
  EXPECT_EQ(host.world, *big);
  EXPECT_FALSE(m.interfaceName(w.imports[5].interface).has_value());
  // `import primary: user` keeps the named interface under a plain name.
  EXPECT_EQ(m.interfaces[w.imports[8].interface].name, "user");

  auto sel = selectWorld(m, p.root, "local:demo/big@1.2.0-rc.1");
  ASSERT_TRUE(sel.ok());
  EXPECT_EQ(*sel, *big);
  EXPECT_FALSE(selectWorld(m, p.root, "").ok());  // two worlds
  EXPECT_EQ(selectWorld(m, p.root, "nope").error().message,
            "package local:demo@1.2.0-rc.1 has no world `nope` (worlds: base, big)");
}

TEST(WitLanguage, IncludeDeduplicatesInterfaces) {
  LoadedPackage p = load(R"(package local:demo;
interface a1 { f: func(); }
interface b1 { g: func(); }
world my-world-a { import a1; import b1; }
world my-world-b { import a1; import b1; }
world union-a { include my-world-a; include my-world-b; }
world union-b { import a1; import b1; }
)");
  auto ua = p.model.findWorld(p.root, "union-a");
  auto ub = p.model.findWorld(p.root, "union-b");
  ASSERT_TRUE(ua && ub);
  EXPECT_EQ(p.model.worlds[*ua].imports.size(), 2u);
  EXPECT_EQ(printWorld(p.model, *ua).substr(printWorld(p.model, *ua).find('{')),
            printWorld(p.model, *ub).substr(printWorld(p.model, *ub).find('{')));
  expectRoundTrip(p);
}

TEST(WitLanguage, IncludeFromAnotherPackage) {
  LoadedPackage p = load(R"(package a:b;
interface t { type y = u16; }
world w {
  use t.{y};
  include c:d/base with { h as h2 };
  import h: func(a: y);
}
package c:d {
  interface t { type x = u8; }
  world base {
    use t.{x};
    import h: interface { use t.{x}; f: func() -> x; }
    import g: func(v: x);
  }
}
)");
  const Model& m = p.model;
  const World& w = m.worlds[*m.findWorld(p.root, "w")];
  std::string printed = printWorld(m, *m.findWorld(p.root, "w"));
  EXPECT_NE(printed.find("use c:d/t.{x};"), std::string::npos) << printed;
  EXPECT_NE(printed.find("import h2: interface {\n    use c:d/t.{x};"), std::string::npos)
      << printed;
  // The included world-level type `x` is a copy owned by `w`, used by `g`.
  const WorldItem* g = nullptr;
  for (const WorldItem& i : w.imports) {
    if (i.name == "g") g = &i;
  }
  ASSERT_NE(g, nullptr);
  TypeId x = g->function.params[0].type.id;
  EXPECT_EQ(m.types[x].name, "x");
  EXPECT_EQ(m.types[x].owner, (TypeOwner{OwnerKind::kWorld, *m.findWorld(p.root, "w")}));
  expectRoundTrip(p);
}

TEST(WitLanguage, ImplicitImportsOfUsedInterfaces) {
  LoadedPackage p = load(R"(package local:demo;
interface shared { record metadata { a: u32 } }
interface deeper { use shared.{metadata}; }
world my-world {
  import host: interface {
    use deeper.{metadata};
    get: func() -> metadata;
  }
}
)");
  const World& w = p.model.worlds[*p.model.findWorld(p.root, "my-world")];
  ASSERT_EQ(w.imports.size(), 3u);
  EXPECT_EQ(p.model.interfaceName(w.imports[0].interface), "local:demo/shared");
  EXPECT_EQ(p.model.interfaceName(w.imports[1].interface), "local:demo/deeper");
  EXPECT_EQ(w.imports[2].name, "host");
  expectRoundTrip(p);
}

TEST(WitLanguage, FilesOfOnePackageAndTopLevelUse) {
  auto r = loadWitSources(
      {SourceFile{"a.wit", "package x:y@1.0.0;\nuse other as o;\ninterface i { use o.{t}; }\n"},
       SourceFile{"b.wit", "interface other { type t = u8; }\n"},
       SourceFile{"c.wit", "package x:y@1.0.0;\nworld w { import i; }\n"}},
      {});
  ASSERT_TRUE(r.ok()) << r.error().message;
  const Model& m = r->model;
  EXPECT_EQ(m.files, (std::vector<std::string>{"a.wit", "b.wit", "c.wit"}));
  auto i = m.findInterface(r->root, "i");
  ASSERT_TRUE(i);
  const TypeDef& t = m.types[*m.findType(*i, "t")];
  EXPECT_EQ(m.location(t.meta.span), "a.wit:3:22");
  // `import i` brings `other` along, before `i`.
  const World& w = m.worlds[*m.findWorld(r->root, "w")];
  ASSERT_EQ(w.imports.size(), 2u);
  EXPECT_EQ(m.interfaces[w.imports[0].interface].name, "other");
}

// --- errors with exact positions -------------------------------------------------

struct BadInput {
  const char* text;
  const char* message;
};

TEST(WitErrors, ExactLineAndColumn) {
  const BadInput cases[] = {
      // syntax
      {"package a:b;\ninterface i {\n  f: func(;\n}\n",
       "t.wit:3:11: expected an identifier, found `;`"},
      {"package a:b;\nworld w {\n  import x\n}\n", "t.wit:4:1: expected `;`, found `}`"},
      {"package a:b;\ninterface i {\n  record record { a: u32 }\n}\n",
       "t.wit:3:10: expected an identifier, found keyword `record` (write `%record` to use it as "
       "a name)"},
      {"package a:b;\nworld w { import a:b; }\n",
       "t.wit:2:21: expected `/` and an interface name after the package `a:b`, found `;`"},
      {"package a:b;\ninterface i {\n  f: func() -> (a: u32);\n}\n",
       "t.wit:3:16: named results (`-> (a: T, ...)`) are not WIT any more; return a tuple or a "
       "record"},
      {"package a:b;\ninterface i { type t = list<u8, 0>; }\n",
       "t.wit:2:33: invalid list length `0`: expected an integer from 1 to 4294967295"},
      {"interface i {}\npackage a:b;\n",
       "t.wit:2:1: `package NAME;` must come first in a file (a package block is written "
       "`package NAME { ... }`)"},
      {"package a:b:c;\n", "t.wit:1:12: nested namespaces (`a:b:c`) are not supported"},
      {"package a:b;\ninterface i { @foo(x) f: func(); }\n",
       "t.wit:2:15: unknown annotation `@foo`"},
      {"package a:b;\ninterface i {\n  type t = list<list<list<u8>>;\n}\n",
       "t.wit:3:31: expected `>`, found `;`"},
      // versions
      {"package a:b@1.0;\n", "t.wit:1:13: invalid version `1.0`: expected MAJOR.MINOR.PATCH"},
      {"package a:b;\nworld w { import c:d/e@01.0.0; }\n",
       "t.wit:2:24: invalid version `01.0.0`: numbers cannot have leading zeros"},
      {"package a:b@1.0.0;\ninterface i {\n  @since(version = 1.0)\n  f: func();\n}\n",
       "t.wit:3:20: invalid version `1.0`: expected MAJOR.MINOR.PATCH"},
      // unknown names
      {"package a:b;\ninterface i {\n  f: func(x: foo);\n}\n", "t.wit:3:14: unknown type `foo`"},
      {"package a:b;\ninterface i {\n  f: func();\n  g: func(x: f);\n}\n",
       "t.wit:4:14: `f` is a function, not a type"},
      {"package a:b;\nworld w {\n  import nope;\n}\n", "t.wit:3:10: unknown interface `nope`"},
      {"package a:b;\ninterface i { use j.{t}; }\ninterface j { type u = u8; }\n",
       "t.wit:2:22: no type `t` in interface `j`"},
      {"package a:b;\nworld w { include v; }\n", "t.wit:2:19: unknown world `v`"},
      {"package a:b;\nworld w {\n  import wasi:io/streams@0.2.12;\n}\n",
       "t.wit:3:10: unknown package `wasi:io@0.2.12` (define it in a `package wasi:io@0.2.12 { "
       "... }` block or under deps/)"},
      {"package a:b;\nworld w { import c:d/e; }\npackage c:d { interface f {} }\n",
       "t.wit:2:22: no interface `e` in package `c:d`"},
      // duplicates
      {"package a:b;\ninterface i {\n  type a = u32;\n  type a = u64;\n}\n",
       "t.wit:4:8: duplicate name `a` (previous definition at t.wit:3:8)"},
      {"package a:b;\ninterface i {\n  type a = u32;\n  A: func();\n}\n",
       "t.wit:4:3: duplicate name `A` (previous definition at t.wit:3:8)"},
      {"package a:b;\ninterface i {}\nworld i {}\n",
       "t.wit:3:7: duplicate name `i` (previous definition at t.wit:2:11)"},
      {"package a:b;\ninterface i { record r { a: u8, a: u16 } }\n",
       "t.wit:2:33: duplicate name `a` (previous definition at t.wit:2:26)"},
      {"package a:b;\ninterface i { f: func(x: u8, x: u8); }\n",
       "t.wit:2:30: duplicate name `x` (previous definition at t.wit:2:23)"},
      {"package a:b;\nworld w {\n  import f: func();\n  import f: func();\n}\n",
       "t.wit:4:10: duplicate name `f` (previous definition at t.wit:3:10)"},
      {"package a:b;\ninterface i {}\nworld w {\n  import i;\n  import i;\n}\n",
       "t.wit:5:10: interface `i` is imported twice"},
      // cycles
      {"package a:b;\ninterface x {\n  use y.{t};\n  type u = u32;\n}\ninterface y {\n  use "
       "x.{u};\n  type t = u32;\n}\n",
       "t.wit:7:7: cycle in `use`: x -> y -> x"},
      {"package a:b;\nworld w { include v; }\nworld v { include w; }\n",
       "t.wit:3:19: cycle in `include`: w -> v -> w"},
      {"package a:b;\nworld w { import c:d/e; }\npackage c:d { interface e { use a:b/f.{t}; } }\n",
       "t.wit:2:18: cycle in package dependencies: c:d -> a:b -> c:d"},
      {"package a:b;\ninterface i {\n  type foo = foo;\n}\n",
       "t.wit:3:14: type `foo` refers to itself"},
      {"package a:b;\ninterface i {\n  record bar1 { a: bar2 }\n  record bar2 { a: bar1 }\n}\n",
       "t.wit:4:20: recursive types: bar1 -> bar2 -> bar1"},
      // types and resources
      {"package a:b;\ninterface i {\n  record r { a: u8 }\n  f: func(x: borrow<r>);\n}\n",
       "t.wit:4:21: `borrow<r>` needs a resource, and `r` is a record"},
      {"package a:b;\ninterface i {\n  resource r { constructor() -> result<u8>; }\n}\n",
       "t.wit:3:33: a constructor returns nothing or `result<r, E>`, where `r` is its resource"},
      {"package a:b;\ninterface i {\n  resource r { constructor(); constructor(); }\n}\n",
       "t.wit:3:31: a resource has at most one constructor"},
      {"package a:b;\ninterface i {\n  resource r { m: func(self: u8); }\n}\n",
       "t.wit:3:24: a method's `self` parameter is implicit"},
      {"package a:b;\ninterface i {\n  resource r;\n  f: func() -> option<borrow<r>>;\n}\n",
       "t.wit:4:16: function `f` returns a `borrow` handle; only parameters can borrow"},
      {"package a:b;\ninterface i { type m = map<f32, u8>; }\n",
       "t.wit:2:28: map keys must be bool, char, string or an integer type"},
      // gates
      {"package a:b;\ninterface i {\n  @since(version = 1.0.0)\n  f: func();\n}\n",
       "t.wit:3:3: feature gates need a versioned package (`package a:b@x.y.z;`)"},
      {"package a:b@1.0.0;\ninterface i {\n  @since(version = 1.0.0)\n  @unstable(feature = x)\n  "
       "f: func();\n}\n",
       "t.wit:4:3: an item is either `@since` or `@unstable`, not both"},
      {"package a:b@1.0.0;\ninterface i {\n  @deprecated(version = 1.0.0)\n  f: func();\n}\n",
       "t.wit:3:3: `@deprecated` needs a `@since` or `@unstable` gate too"},
      // worlds
      {"package a:b;\ninterface a { resource r; }\ninterface b { use a.{r}; }\nworld w {\n  export "
       "b;\n}\n",
       "t.wit:5:10: the export `b` uses types of `a`, which world `w` neither imports nor exports"},
      {"package a:b;\ninterface a { resource r; }\nworld w {\n  export a;\n  use a.{r};\n}\n",
       "t.wit:5:7: `use` of `a` is ambiguous: world `w` both imports and exports it"},
      {"package a:b;\nworld one { import a: func(); }\nworld two { import a: func(); }\nworld u "
       "{\n  include one;\n  include two;\n}\n",
       "t.wit:6:11: including `two`: import `a` clashes with an existing import of that name "
       "(rename it: `with { a as NEW-NAME }`)"},
      {"package a:b;\ninterface a { f: func(); }\nworld one { import a; }\nworld u { include one "
       "with { a as b } }\n",
       "t.wit:4:30: world `one` has no plain-named import or export `a` (interface names cannot be "
       "renamed)"},
      // packages
      {"@since(version = 1.0.0)\npackage a:b@1.0.0;\n",
       "t.wit:1:1: a package declaration cannot be gated"},
      {"interface i {}\n",
       "t.wit:1:1: no package declaration (the root package needs a file that starts with "
       "`package namespace:name;`)"},
      {"package a:b;\npackage c:d { interface i {} }\npackage c:d { interface j {} }\n",
       "t.wit:3:1: package `c:d` is defined twice with different contents (first at t.wit:2:1): "
       "package `c:d`: interface `i` only on the first side"},
  };
  for (const BadInput& c : cases) EXPECT_EQ(loadError(c.text), c.message) << c.text;
}

TEST(WitErrors, SamePackageTwiceWithSameContentsIsFine) {
  EXPECT_EQ(loadError("package a:b;\npackage c:d { interface i { f: func(); } }\n"
                      "package c:d { interface i {\n f: func(); } }\n"),
            "<ok>");
}

TEST(WitErrors, MissingPackagesBecomeStubsOnlyWhenAllowed) {
  const char* text = "package a:b;\nworld w { import wasi:cli/stdout@0.2.12; }\n";
  LoadOptions lenient;
  lenient.allowMissingPackages = true;
  LoadedPackage p = load(text, lenient);
  ASSERT_EQ(p.model.packages.size(), 2u);
  EXPECT_TRUE(p.model.packages[0].stub);
  EXPECT_TRUE(p.model.interfaces[p.model.packages[0].interfaces[0]].stub);
  EXPECT_EQ(loadError("package a:b;\ninterface i { use wasi:io/error@0.2.12.{error}; }\n", lenient),
            "t.wit:2:19: cannot use types of `wasi:io/error@0.2.12`: its package is not available");
  EXPECT_EQ(loadError("package a:b;\nworld w { include wasi:cli/command@0.2.12; }\n", lenient),
            "t.wit:2:19: cannot include world `command`: package `wasi:cli@0.2.12` is not "
            "available");
}

TEST(WitErrors, NestedTypesAreBounded) {
  std::string deep = "package a:b;\ninterface i { type t = ";
  for (int i = 0; i < 500; ++i) deep += "list<";
  EXPECT_NE(loadError(deep).find("types nest too deeply"), std::string::npos);
}

// --- deps/ -----------------------------------------------------------------------

TEST(WitDeps, FolderResolution) {
  TempDir dir;
  dir.write("wit/main.wit",
            "package app:main@0.1.0;\n"
            "world w {\n  import dep:b/other;\n  export run: func();\n}\n");
  dir.write("wit/types.wit",  // no package line: part of app:main
            "interface local {\n  use dep:a/iface@1.0.0.{thing};\n  f: func(t: thing);\n}\n");
  // dep:b (a directory, sorted first) depends on dep:a (a file, sorted last).
  dir.write("wit/deps/b-dir/one.wit",
            "package dep:b;\ninterface other {\n  use dep:a/iface@1.0.0.{thing};\n"
            "  g: func() -> thing;\n}\n");
  dir.write("wit/deps/b-dir/two.wit", "interface two {}\n");
  dir.write("wit/deps/b-dir/deps/ignored.wit", "this is not parsed");
  dir.write("wit/deps/z-file.wit",
            "package dep:a@1.0.0;\ninterface iface { record thing { x: u32 } }\n"
            "package dep:c { interface nested {} }\n");
  dir.write("wit/deps/readme.txt", "not wit");
  auto r = loadWitPath(dir.file("wit"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  const Model& m = r->model;
  std::vector<std::string> names;
  for (const Package& p : m.packages) names.push_back(p.name.toString());
  EXPECT_EQ(names, (std::vector<std::string>{"dep:a@1.0.0", "dep:b", "dep:c", "app:main@0.1.0"}));
  EXPECT_EQ(m.packages[r->root].name.toString(), "app:main@0.1.0");
  auto depB = m.findPackage(PackageName{"dep", "b", std::nullopt});
  ASSERT_TRUE(depB);
  EXPECT_EQ(m.packages[*depB].interfaces.size(), 2u);

  auto local = m.findInterface(r->root, "local");
  ASSERT_TRUE(local);
  const TypeDef& thing = m.types[*m.findType(*local, "thing")];
  TypeId target = std::get<AliasType>(thing.kind).target.id;
  EXPECT_EQ(m.interfaceName(m.types[target].owner.id), "dep:a/iface@1.0.0");
  EXPECT_EQ(m.location(m.types[target].meta.span), dir.file("wit/deps/z-file.wit") + ":2:26");

  // The world imports dep:a/iface implicitly, before dep:b/other.
  const World& w = m.worlds[*selectWorld(m, r->root, "w")];
  ASSERT_EQ(w.imports.size(), 2u);
  EXPECT_EQ(m.interfaceName(w.imports[0].interface), "dep:a/iface@1.0.0");
  EXPECT_EQ(m.interfaceName(w.imports[1].interface), "dep:b/other");
  expectRoundTrip(*r);
}

TEST(WitDeps, ErrorsNameTheDependencyFile) {
  TempDir dir;
  dir.write("wit/main.wit", "package app:main;\nworld w { import dep:a/i; }\n");
  dir.write("wit/deps/a.wit", "package dep:a;\ninterface i {\n  f: func(x: nope);\n}\n");
  auto r = loadWitPath(dir.file("wit"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, dir.file("wit/deps/a.wit") + ":3:14: unknown type `nope`");
  EXPECT_EQ(r.error().code, ErrorCode::kComponent);

  dir.write("wit/other.wit", "package app:other;\n");
  r = loadWitPath(dir.file("wit"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message,
            dir.file("wit/other.wit") +
                ":1:1: package `app:other` differs from `app:main` declared at " +
                dir.file("wit/main.wit") + ":1:1 (the files of one package share one name)");

  auto missing = loadWitPath(dir.file("nothing-here"));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kIo);
}

TEST(WitDeps, DuplicatePackageAcrossDepsMustMatch) {
  TempDir dir;
  dir.write("wit/main.wit",
            "package app:main;\nworld w { import dep:a/i; }\npackage dep:a { interface i { f: "
            "func(); } }\n");
  dir.write("wit/deps/a.wit", "package dep:a;\ninterface i {\n  f: func();\n}\n");
  EXPECT_TRUE(loadWitPath(dir.file("wit")).ok());
  dir.write("wit/deps/a.wit", "package dep:a;\ninterface i {\n  f: func(x: u8);\n}\n");
  auto r = loadWitPath(dir.file("wit"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message,
            dir.file("wit/deps/a.wit") +
                ":1:1: package `dep:a` is defined twice with different contents (first at " +
                dir.file("wit/main.wit") +
                ":3:1): package `dep:a`: interface `i`: function `f`: parameter counts differ");
}

// --- printer and JSON ------------------------------------------------------------

TEST(WitPrinter, CanonicalText) {
  LoadedPackage p = load(R"(package a:b;
// comments go, doc comments stay
interface i {
  type x = u32; /// docs of f
  f: func(%type: x) -> result<_, x>; resource r {
  }
  use j.{t as %record};
}
interface j { type t = u8; }
)");
  EXPECT_EQ(printPackage(p.model, p.root),
            "package a:b;\n"
            "\n"
            "interface i {\n"
            "  use j.{t as %record};\n"
            "\n"
            "  type x = u32;\n"
            "  resource r;\n"
            "\n"
            "  /// docs of f\n"
            "  f: func(%type: x) -> result<_, x>;\n"
            "}\n"
            "\n"
            "interface j {\n"
            "  type t = u8;\n"
            "}\n");
}

// Found by fuzz_wit: keyword parts of package names need '%' in WIT text.
TEST(WitPrinter, KeywordsInPackageNamesAndFeatures) {
  LoadedPackage q = load(
      "package %use:%flags@1.0.0;\n"
      "interface %world { @unstable(feature = %type) f: func(); }\n"
      "package %record:x { world w { import %use:%flags/%world@1.0.0; } }\n");
  EXPECT_EQ(q.model.interfaceName(*q.model.findInterface(q.root, "world")),
            "use:flags/world@1.0.0");
  std::string text = printPackage(q.model, q.root, PrintOptions{true});
  EXPECT_NE(text.find("package %use:%flags@1.0.0;"), std::string::npos) << text;
  EXPECT_NE(text.find("@unstable(feature = %type)"), std::string::npos) << text;
  EXPECT_NE(text.find("import %use:%flags/%world@1.0.0;"), std::string::npos) << text;
  expectRoundTrip(q);
}

TEST(WitPrinter, TypesInDependencyOrder) {
  LoadedPackage p = load(
      "package a:b;\ninterface i {\n  type a = list<b>;\n  record b { c: c }\n"
      "  type c = u8;\n}\n");
  InterfaceId i = interfaceNamed(p, "i");
  std::vector<std::string> order;
  for (TypeId t : p.model.interfaces[i].types) order.push_back(p.model.types[t].name);
  EXPECT_EQ(order, (std::vector<std::string>{"c", "b", "a"}));
}

TEST(WitPrinter, JsonDump) {
  auto r = loadWitPath(fixture("wit/calc.wit"));
  ASSERT_TRUE(r.ok());
  auto j = nlohmann::json::parse(printJson(r->model, r->root));
  EXPECT_EQ(j["root"], "example:calc@0.1.0");
  const auto& calc = j["packages"][0]["interfaces"][1];
  EXPECT_EQ(calc["id"], "example:calc/calc@0.1.0");
  bool sawMerge = false;
  for (const auto& f : calc["functions"]) {
    if (f["name"] != "[static]accumulator.merge") continue;
    sawMerge = true;
    EXPECT_EQ(f["kind"], "static");
    EXPECT_EQ(f["resource"], "accumulator");
    EXPECT_EQ(f["params"][0]["type"]["wit"], "borrow<accumulator>");
    EXPECT_EQ(f["result"]["wit"], "accumulator");
  }
  EXPECT_TRUE(sawMerge);
  EXPECT_EQ(calc["types"][2]["kind"], "record");
  EXPECT_EQ(calc["types"][2]["fields"][2]["name"], "label");
  auto w = nlohmann::json::parse(
      printJson(r->model, r->root, *selectWorld(r->model, r->root, "calculator")));
  EXPECT_EQ(w["imports"][0]["interface"], "example:calc/logger@0.1.0");
}

TEST(WitPrinter, ModelBuiltByHandPrints) {
  // What the component decoder will do: packages from interface names.
  Model m;
  Package wasi;
  wasi.name = PackageName{"wasi", "cli", *Version::parse("0.2.12")};
  PackageId wasiId = m.addPackage(wasi);
  Interface out;
  out.name = "stdout";
  out.package = wasiId;
  InterfaceId outId = m.addInterface(out);
  m.packages[wasiId].interfaces.push_back(outId);
  TypeDef list;
  list.kind = ListType{Type::prim(Primitive::kU8), std::nullopt};
  TypeId listId = m.addType(list);
  Function write;
  write.name = "write";
  write.params.push_back(Param{"bytes", Type::def(listId)});
  m.interfaces[outId].functions.push_back(write);
  Package root;
  root.name = PackageName{"root", "component", std::nullopt};
  PackageId rootId = m.addPackage(root);
  World w;
  w.name = "root";
  w.package = rootId;
  WorldItem imp;
  imp.interface = outId;
  w.imports.push_back(imp);
  WorldId wid = m.addWorld(w);
  m.packages[rootId].worlds.push_back(wid);
  EXPECT_EQ(printWorld(m, wid),
            "package root:component;\n\nworld root {\n  import wasi:cli/stdout@0.2.12;\n}\n");
  EXPECT_EQ(printPackage(m, wasiId),
            "package wasi:cli@0.2.12;\n\ninterface stdout {\n"
            "  write: func(bytes: list<u8>);\n}\n");
  EXPECT_EQ(m.interfaceName(outId), "wasi:cli/stdout@0.2.12");
}

// --- compono wit ----------------------------------------------------------------

TEST(WitCli, ChecksAndPrints) {
  using compono::test::runCompono;
  auto ok = runCompono({"wit", fixture("wit/calc.wit")});
  EXPECT_EQ(ok.exitCode, 0) << ok.err;
  EXPECT_EQ(ok.out, printPackage(loadWitPath(fixture("wit/calc.wit"))->model,
                                 loadWitPath(fixture("wit/calc.wit"))->root));
  auto world = runCompono({"wit", fixture("wit/calc.wit"), "--world", "basic-world"});
  EXPECT_EQ(world.exitCode, 0);
  EXPECT_EQ(world.out,
            "package example:calc@0.1.0;\n\nworld basic-world {\n  import logger;\n\n"
            "  export basic;\n}\n");
  auto json = runCompono({"wit", fixture("wit/calc.wit"), "--json"});
  EXPECT_EQ(json.exitCode, 0);
  EXPECT_EQ(nlohmann::json::parse(json.out)["root"], "example:calc@0.1.0");
  auto jco = runCompono({"wit", "--allow-missing", fixture("wit-of-hello-command.wit")});
  EXPECT_EQ(jco.exitCode, 0) << jco.err;
  EXPECT_EQ(jco.out, compono::test::readFile(fixture("wit-of-hello-command.wit")));
}

TEST(WitCli, OneLineErrors) {
  using compono::test::runCompono;
  TempDir dir;
  dir.write("wit/a.wit", "package a:b;\ninterface i {\n  f: func(x: foo);\n}\n");
  auto bad = runCompono({"wit", dir.file("wit")});
  EXPECT_EQ(bad.exitCode, 1);
  EXPECT_EQ(bad.err, "compono: error: " + dir.file("wit/a.wit") + ":3:14: unknown type `foo`\n");
  // A core module is not a component: it has no world to print.
  TempDir core;
  core.write("core.wasm", std::string("\0asm\x01\0\0\0", 8));
  auto wasm = runCompono({"wit", core.file("core.wasm")});
  EXPECT_EQ(wasm.exitCode, 1);
  EXPECT_EQ(wasm.err.find('\n'), wasm.err.size() - 1) << wasm.err;
  EXPECT_NE(wasm.err.find(core.file("core.wasm")), std::string::npos) << wasm.err;
  auto noWorld = runCompono({"wit", fixture("wit/calc.wit"), "--world", "nope"});
  EXPECT_EQ(noWorld.exitCode, 1);
  EXPECT_EQ(noWorld.err,
            "compono: error: package example:calc@0.1.0 has no world `nope` (worlds: calculator, "
            "basic-world)\n");
  dir.write("async.wit", "package a:b@1.0.0;\ninterface i {\n  f: async func();\n}\n");
  auto warn = runCompono({"wit", dir.file("async.wit")});
  EXPECT_EQ(warn.exitCode, 0);
  EXPECT_EQ(warn.err, "compono: warning: " + dir.file("async.wit") +
                          ":3:3: async function `f` (post-0.2): not supported by Compono yet\n");
}

}  // namespace
}  // namespace compono::component::wit
