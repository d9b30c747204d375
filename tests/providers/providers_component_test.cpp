// The providers as a component sees them: tests/guests/components/kvprobe
// (built with `compono bindgen c` + clang + `compono componentize`) linked
// to wasi:keyvalue on real SQLite files, wasi:config and wasi:logging, and
// called through the canonical ABI. Isolation: a component opens only its
// linked buckets and reads only its own config values.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "compono/component/component.h"
#include "compono/component/instance.h"
#include "compono/component/linker.h"
#include "compono/engine/engine.h"
#include "compono/providers/config.h"
#include "compono/providers/keyvalue.h"
#include "compono/providers/logging.h"
#include "support/test_support.h"

using namespace compono;
using namespace compono::component;
using namespace compono::providers;

namespace {

Value str(const std::string& s) { return Value::string(s); }

Value strings(const std::vector<std::string>& xs) {
  std::vector<Value> v;
  for (const std::string& x : xs) v.push_back(str(x));
  return Value::list(std::move(v));
}

// The error text of an err result ("" when ok).
std::string errText(const Value& r) {
  if (r.kind != ValueKind::kResult || r.discriminant == 0) return "";
  return r.items.empty() ? "?" : r.items[0].str;
}

class Probe {
 public:
  explicit Probe(Linker linker) : engine_(engine::EngineConfig{}), store_(engine_, {}) {
    auto loaded = LoadedComponent::fromFile(engine_, test::guestPath("kvprobe"));
    if (!loaded.ok()) {
      ADD_FAILURE() << loaded.error().message;
      return;
    }
    component_ = *loaded;
    auto inst = linker.instantiate(store_, component_);
    if (!inst.ok()) {
      error_ = inst.error().message;
      return;
    }
    instance_ = std::move(*inst);
  }
  bool ok() const { return instance_ != nullptr; }
  const std::string& error() const { return error_; }
  const LoadedComponent& component() const { return *component_; }

  // Calls an export; returns its single result (or an empty Value for none).
  Value call(const std::string& func, std::vector<Value> args) {
    auto r = instance_->call(func, args);
    EXPECT_TRUE(r.ok()) << func << ": " << (r.ok() ? "" : r.error().withBacktrace());
    if (!r.ok() || r->empty()) return Value();
    return (*r)[0];
  }

 private:
  engine::Engine engine_;
  engine::Store store_;
  std::shared_ptr<const LoadedComponent> component_;
  std::unique_ptr<ComponentInstance> instance_;
  std::string error_;
};

// A linker with all three providers: keyvalue (the given buckets of
// `store`), config (`values`) and logging (to `sink` as `name`).
Linker fullLinker(std::shared_ptr<KeyValueStore> store, const std::vector<std::string>& buckets,
                  ConfigValues values, std::shared_ptr<LogSink> sink, const std::string& name,
                  std::vector<std::string>* denied = nullptr) {
  Linker l;
  KeyValueLinkOptions o;
  if (denied) o.onDenied = [denied](const std::string& m) { denied->push_back(m); };
  EXPECT_TRUE(addKeyValueToLinker(l, std::move(store), buckets, o).ok());
  EXPECT_TRUE(addConfigToLinker(l, std::move(values)).ok());
  EXPECT_TRUE(addLoggingToLinker(l, std::move(sink), name).ok());
  return l;
}

struct Fixture {
  test::TempDir dir;
  std::shared_ptr<KeyValueStore> store;
  std::shared_ptr<LogSink> sink = std::make_shared<LogSink>(LogFormat::kText, 2);
  Fixture() {
    auto s =
        KeyValueStore::open({{"mine", dir.file("mine.db")}, {"theirs", dir.file("theirs.db")}});
    EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message);
    if (s.ok()) store = *s;
  }
};

TEST(ProvidersComponent, KeyValueCrudThroughTheCanonicalAbi) {
  Fixture f;
  Probe p(fullLinker(f.store, {"mine"}, {}, f.sink, "probe"));
  ASSERT_TRUE(p.ok()) << p.error();
  EXPECT_EQ(errText(p.call("set", {str("mine"), str("greeting"), str("hello")})), "");
  Value got = p.call("get", {str("mine"), str("greeting")});
  ASSERT_EQ(errText(got), "");
  ASSERT_EQ(got.items[0].discriminant, 1u);  // some
  EXPECT_EQ(got.items[0].items[0].str, "hello");
  Value none = p.call("get", {str("mine"), str("nothing")});
  EXPECT_EQ(none.items[0].discriminant, 0u);
  EXPECT_EQ(p.call("exists", {str("mine"), str("greeting")}).items[0].u, 1u);
  EXPECT_EQ(errText(p.call("delete", {str("mine"), str("greeting")})), "");
  EXPECT_EQ(p.call("exists", {str("mine"), str("greeting")}).items[0].u, 0u);
  // What the component wrote is in the SQLite file, seen by the host API.
  EXPECT_EQ(errText(p.call("set", {str("mine"), str("k"), str("v")})), "");
  auto direct = f.store->get(0, "k");
  ASSERT_TRUE(direct.ok() && direct->has_value());
  EXPECT_EQ(std::string((*direct)->begin(), (*direct)->end()), "v");
}

TEST(ProvidersComponent, ListKeysFollowsTheCursorAcrossPages) {
  Fixture f;
  std::vector<std::pair<std::string, Bytes>> many;
  for (int i = 0; i < 2500; ++i) {  // three pages of 1000
    char key[16];
    std::snprintf(key, sizeof key, "k%05d", i);
    many.emplace_back(key, Bytes{'x'});
  }
  ASSERT_TRUE(f.store->setMany(0, many).ok());
  Probe p(fullLinker(f.store, {"mine"}, {}, f.sink, "probe"));
  ASSERT_TRUE(p.ok()) << p.error();
  Value keys = p.call("list-keys", {str("mine")});
  ASSERT_EQ(errText(keys), "");
  ASSERT_EQ(keys.items[0].items.size(), 2500u);
  EXPECT_EQ(keys.items[0].items.front().str, "k00000");
  EXPECT_EQ(keys.items[0].items.back().str, "k02499");
}

TEST(ProvidersComponent, AtomicsAndBatch) {
  Fixture f;
  Probe p(fullLinker(f.store, {"mine"}, {}, f.sink, "probe"));
  ASSERT_TRUE(p.ok()) << p.error();
  EXPECT_EQ(p.call("increment", {str("mine"), str("n"), Value::u64(5)}).items[0].u, 5u);
  EXPECT_EQ(p.call("increment", {str("mine"), str("n"), Value::u64(2)}).items[0].u, 7u);
  // Two handles to one bucket at once (the same representation twice).
  EXPECT_EQ(p.call("twice", {str("mine"), str("n")}).items[0].u, 9u);
  EXPECT_EQ(errText(p.call("set", {str("mine"), str("word"), str("seven")})), "");
  std::string e = errText(p.call("increment", {str("mine"), str("word"), Value::u64(1)}));
  EXPECT_EQ(e.rfind("other: ", 0), 0u) << e;
  EXPECT_NE(e.find("not a decimal number"), std::string::npos) << e;

  Value pairs =
      Value::list({Value::tuple({str("a"), str("1")}), Value::tuple({str("b"), str("2")})});
  EXPECT_EQ(errText(p.call("set-many", {str("mine"), pairs})), "");
  Value got = p.call("get-many", {str("mine"), strings({"a", "zz", "b"})});
  ASSERT_EQ(errText(got), "");
  const auto& items = got.items[0].items;
  ASSERT_EQ(items.size(), 3u);
  EXPECT_EQ(items[0].items[0].str, "1");
  EXPECT_EQ(items[1].discriminant, 0u);
  EXPECT_EQ(items[2].items[0].str, "2");
  EXPECT_EQ(errText(p.call("delete-many", {str("mine"), strings({"a", "b"})})), "");
  EXPECT_EQ(p.call("exists", {str("mine"), str("a")}).items[0].u, 0u);
}

TEST(ProvidersComponent, AComponentCannotOpenAnUnlinkedBucket) {
  Fixture f;
  ASSERT_TRUE(f.store->set(1, "secret", Bytes{'s'}).ok());  // in "theirs"
  std::vector<std::string> denied;
  Probe p(fullLinker(f.store, {"mine"}, {}, f.sink, "probe", &denied));
  ASSERT_TRUE(p.ok()) << p.error();
  // A bucket of the same deployment, linked to someone else...
  EXPECT_EQ(errText(p.call("get", {str("theirs"), str("secret")})), "access-denied");
  EXPECT_EQ(errText(p.call("set", {str("theirs"), str("x"), str("y")})), "access-denied");
  EXPECT_EQ(errText(p.call("increment", {str("theirs"), str("n"), Value::u64(1)})),
            "access-denied");
  // ...and one that exists nowhere: the same answer (nothing is revealed).
  EXPECT_EQ(errText(p.call("get", {str("nowhere"), str("k")})), "access-denied");
  EXPECT_EQ(errText(p.call("get", {str(""), str("k")})), "access-denied");
  ASSERT_EQ(denied.size(), 5u);
  EXPECT_NE(denied[0].find("\"theirs\""), std::string::npos) << denied[0];
  // Nothing was written to the other bucket; the component still works.
  EXPECT_FALSE(f.store->get(1, "x")->has_value());
  EXPECT_EQ(errText(p.call("set", {str("mine"), str("x"), str("y")})), "");
  // Linking a bucket the store does not have is a host error, not a grant.
  Linker l;
  Status s = addKeyValueToLinker(l, f.store, {"ghost"});
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("ghost"), std::string::npos);
}

TEST(ProvidersComponent, EachComponentReadsOnlyItsOwnConfig) {
  Fixture f;
  Probe a(fullLinker(f.store, {"mine"}, {{"color", "red"}, {"size", "3"}}, f.sink, "a"));
  Probe b(fullLinker(f.store, {"mine"}, {{"color", "blue"}}, f.sink, "b"));
  ASSERT_TRUE(a.ok() && b.ok()) << a.error() << b.error();
  Value ac = a.call("config-get", {str("color")});
  ASSERT_EQ(errText(ac), "");
  EXPECT_EQ(ac.items[0].items[0].str, "red");
  EXPECT_EQ(b.call("config-get", {str("color")}).items[0].items[0].str, "blue");
  EXPECT_EQ(b.call("config-get", {str("size")}).items[0].discriminant, 0u);  // a's key: none
  Value all = a.call("config-all", {});
  ASSERT_EQ(errText(all), "");
  ASSERT_EQ(all.items[0].items.size(), 2u);
  EXPECT_EQ(all.items[0].items[1].items[0].str, "size");
  EXPECT_EQ(all.items[0].items[1].items[1].str, "3");
  EXPECT_EQ(b.call("config-all", {}).items[0].items.size(), 1u);
}

TEST(ProvidersComponent, LoggingWritesOneJsonLinePerCallNamingTheComponent) {
  Fixture f;
  int fd = ::open(f.dir.file("log").c_str(), O_CREAT | O_WRONLY | O_APPEND, 0600);
  ASSERT_GE(fd, 0);
  auto sink = std::make_shared<LogSink>(LogFormat::kJson, fd);
  {
    Probe p(fullLinker(f.store, {"mine"}, {}, sink, "counter"));
    ASSERT_TRUE(p.ok()) << p.error();
    p.call("log", {Value::u8(2), str("startup"), str("hello")});
    p.call("log", {Value::u8(4), str("db"), str("multi\nline")});
  }
  ::close(fd);
  std::istringstream in(f.dir.read("log"));
  std::vector<nlohmann::json> lines;
  for (std::string l; std::getline(in, l);) lines.push_back(nlohmann::json::parse(l));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0]["level"], "info");
  EXPECT_EQ(lines[0]["component"], "counter");
  EXPECT_EQ(lines[0]["context"], "startup");
  EXPECT_EQ(lines[0]["message"], "hello");
  EXPECT_EQ(lines[1]["level"], "error");
  EXPECT_EQ(lines[1]["message"], "multi\nline");
}

TEST(ProvidersComponent, ACapabilityNotLinkedFailsAtLinkTimeNamingTheInterface) {
  Fixture f;
  Linker l;
  ASSERT_TRUE(addKeyValueToLinker(l, f.store, {"mine"}).ok());
  ASSERT_TRUE(addLoggingToLinker(l, f.sink, "probe").ok());
  Probe p(l);  // no wasi:config
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.error().find("wasi:config/store@0.2.0-draft"), std::string::npos) << p.error();
  std::vector<std::string> missing = l.unresolvedImports(p.component());
  EXPECT_EQ(missing, std::vector<std::string>{"wasi:config/store@0.2.0-draft"});
}

TEST(ProvidersComponent, DataSurvivesANewStoreOnTheSameFile) {
  test::TempDir dir;
  auto sink = std::make_shared<LogSink>();
  for (uint64_t run = 1; run <= 3; ++run) {
    auto s = KeyValueStore::open({{"mine", dir.file("persist.db")}});
    ASSERT_TRUE(s.ok()) << s.error().message;
    Probe p(fullLinker(*s, {"mine"}, {}, sink, "probe"));
    ASSERT_TRUE(p.ok()) << p.error();
    EXPECT_EQ(p.call("increment", {str("mine"), str("runs"), Value::u64(1)}).items[0].u, run);
  }
}

}  // namespace
