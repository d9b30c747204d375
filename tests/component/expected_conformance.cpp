// Component-model conformance against ../shared/fixtures/components/expected.json
// (oracle: jco transpile + Node 20). Every case of a component runs, in file
// order, on ONE instance of it (the resource scenario and the logger's
// accumulating calls depend on that); results, the calls the component made
// to the host logger, and (for consumer.wasm) the calls the host-provided
// `example:pair/math` saw are compared.
//
// The tier comes from $COMPONO_TEST_TIER (interp by default, or aot; see
// tests/CMakeLists.txt for which tiers run under which ctest label).
// Value representation in expected.json: fixtures/components/README.md.
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <cstdlib>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "compono/component/component.h"
#include "compono/component/instance.h"
#include "compono/component/linker.h"
#include "compono/component/wave.h"
#include "compono/engine/engine.h"
#include "compono/wasi/wasi_p2.h"
#include "support/test_support.h"

using json = nlohmann::json;
using namespace compono;
using namespace compono::component;

namespace {

std::string fixture(const std::string& name) {
  return test::sharedPath("fixtures/components/" + name);
}

engine::Tier testTier() {
  const char* t = std::getenv("COMPONO_TEST_TIER");
  return t && std::string(t) == "aot" ? engine::Tier::kAot : engine::Tier::kInterp;
}

// "calc-error" -> "calcError" (jco's record and flags keys).
std::string camel(const std::string& kebab) {
  std::string out;
  bool up = false;
  for (char c : kebab) {
    if (c == '-') {
      up = true;
    } else {
      out += up ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
      up = false;
    }
  }
  return out;
}

char32_t decodeOne(const std::string& s) {
  unsigned char c = static_cast<unsigned char>(s[0]);
  int n = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : 4;
  char32_t cp = n == 1 ? c : n == 2 ? (c & 0x1f) : n == 3 ? (c & 0x0f) : (c & 0x07);
  for (int k = 1; k < n; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[k]) & 0x3f);
  return cp;
}

double number(const json& j) {
  if (j.is_string()) {
    std::string s = j;
    if (s == "NaN") return std::nan("");
    if (s == "Infinity") return INFINITY;
    if (s == "-Infinity") return -INFINITY;
    if (s == "-0") return -0.0;
    return std::stod(s);
  }
  return j.get<double>();
}

// Named resource handles of a scenario ("accumulator#0" -> host handle).
using Handles = std::map<std::string, Value>;

// Converts a JSON value of expected.json to a Value of type `t`.
Value toValue(const wit::Model& m, wit::Type t, const json& j, const Handles& handles) {
  if (t.isPrimitive()) {
    switch (t.primitive) {
      case wit::Primitive::kBool: return Value::boolean(j.get<bool>());
      case wit::Primitive::kS8: return Value::s8(j.get<int8_t>());
      case wit::Primitive::kU8: return Value::u8(j.get<uint8_t>());
      case wit::Primitive::kS16: return Value::s16(j.get<int16_t>());
      case wit::Primitive::kU16: return Value::u16(j.get<uint16_t>());
      case wit::Primitive::kS32: return Value::s32(j.get<int32_t>());
      case wit::Primitive::kU32: return Value::u32(j.get<uint32_t>());
      case wit::Primitive::kS64: return Value::s64(std::stoll(j.get<std::string>()));
      case wit::Primitive::kU64: return Value::u64(std::stoull(j.get<std::string>()));
      case wit::Primitive::kF32: return Value::float32(static_cast<float>(number(j)));
      case wit::Primitive::kF64: return Value::float64(number(j));
      case wit::Primitive::kChar: return Value::character(decodeOne(j.get<std::string>()));
      case wit::Primitive::kString: return Value::string(j.get<std::string>());
      default: ADD_FAILURE() << "unsupported primitive"; return Value();
    }
  }
  const wit::TypeDef& d = m.types[m.dealias(t.id)];
  return std::visit(
      [&](const auto& k) -> Value {
        using K = std::decay_t<decltype(k)>;
        if constexpr (std::is_same_v<K, wit::ListType>) {
          std::vector<Value> items;
          for (const json& e : j) items.push_back(toValue(m, k.element, e, handles));
          return Value::list(std::move(items));
        } else if constexpr (std::is_same_v<K, wit::TupleType>) {
          std::vector<Value> items;
          for (size_t i = 0; i < k.types.size(); ++i) {
            items.push_back(toValue(m, k.types[i], j.at(i), handles));
          }
          return Value::tuple(std::move(items));
        } else if constexpr (std::is_same_v<K, wit::RecordType>) {
          std::vector<Value> items;
          for (const wit::Field& f : k.fields) {
            items.push_back(toValue(m, f.type, j.at(camel(f.name)), handles));
          }
          return Value::record(std::move(items));
        } else if constexpr (std::is_same_v<K, wit::FlagsType>) {
          std::vector<bool> set;
          for (const wit::Label& l : k.flags) {
            set.push_back(j.contains(camel(l.name)) && j.at(camel(l.name)).get<bool>());
          }
          return Value::flagSet(std::move(set));
        } else if constexpr (std::is_same_v<K, wit::EnumType>) {
          for (size_t c = 0; c < k.cases.size(); ++c) {
            if (k.cases[c].name == j.get<std::string>()) return Value::enumCase(c);
          }
          ADD_FAILURE() << "no enum case " << j;
          return Value();
        } else if constexpr (std::is_same_v<K, wit::VariantType>) {
          for (size_t c = 0; c < k.cases.size(); ++c) {
            if (k.cases[c].name != j.at("tag").get<std::string>()) continue;
            std::vector<Value> payload;
            if (k.cases[c].type) payload.push_back(toValue(m, *k.cases[c].type, j.at("val"), handles));
            return Value::variant(c, std::move(payload));
          }
          ADD_FAILURE() << "no variant case " << j;
          return Value();
        } else if constexpr (std::is_same_v<K, wit::OptionType>) {
          if (j.is_null()) return Value::none();
          return Value::some(toValue(m, k.type, j, handles));
        } else if constexpr (std::is_same_v<K, wit::HandleType>) {
          std::string name;
          if (!j.is_object()) name = j.get<std::string>();
          else name = j.contains("borrow") ? j.at("borrow").get<std::string>()
                                          : j.at("resource").get<std::string>();
          auto it = handles.find(name);
          if (it == handles.end()) {
            ADD_FAILURE() << "unknown handle " << name;
            return Value();
          }
          Value v = it->second;
          v.kind = k.kind == wit::HandleKind::kOwn ? ValueKind::kOwn : ValueKind::kBorrow;
          return v;
        } else {
          ADD_FAILURE() << "unsupported type " << wit::typeDefKindName(d.kind);
          return Value();
        }
      },
      d.kind);
}

// The expected result of a case: `result`, or `ok` / `err` for a result type.
Value expectedResult(const wit::Model& m, wit::Type t, const json& c, const Handles& handles) {
  if (c.contains("result")) return toValue(m, t, c.at("result"), handles);
  const auto& r = std::get<wit::ResultType>(m.types[m.dealias(t.id)].kind);
  bool ok = c.contains("ok");
  const std::optional<wit::Type>& payload = ok ? r.ok : r.err;
  std::vector<Value> items;
  if (payload) items.push_back(toValue(m, *payload, c.at(ok ? "ok" : "err"), handles));
  return ok ? Value::ok(std::move(items)) : Value::err(std::move(items));
}

// What the host implementations saw.
struct HostLog {
  std::vector<json> logs;         // [level, msg]
  std::vector<json> importCalls;  // ["mul", a, b], ["describe", x]
};

const char* const kLevels[] = {"trace", "debug", "info", "warn", "error"};  // logger.wit `level`

Linker hostLinker(HostLog& log) {
  Linker linker;
  linker.defineFunc("example:calc/logger@0.1.0", "log",
                    [&log](HostCall&, std::span<const Value> a, std::vector<Value>&) -> Status {
                      log.logs.push_back(json::array({kLevels[a[0].discriminant], a[1].str}));
                      return okStatus();
                    });
  // The JS reference implementation of the consumer case (expected.json "note").
  linker.defineFunc("example:pair/math@0.1.0", "mul",
                    [&log](HostCall&, std::span<const Value> a, std::vector<Value>& r) -> Status {
                      log.importCalls.push_back(json::array({"mul", a[0].u, a[1].u}));
                      r.push_back(Value::u32(static_cast<uint32_t>(a[0].u * a[1].u)));
                      return okStatus();
                    });
  linker.defineFunc("example:pair/math@0.1.0", "describe",
                    [&log](HostCall&, std::span<const Value> a, std::vector<Value>& r) -> Status {
                      log.importCalls.push_back(json::array({"describe", a[0].u}));
                      r.push_back(Value::string("x=" + std::to_string(a[0].u)));
                      return okStatus();
                    });
  return linker;
}

std::vector<json> casesOf(const std::string& component) {
  json all = json::parse(test::readFile(fixture("expected.json")));
  std::vector<json> out;
  for (const json& c : all.at("cases")) {
    if (c.at("component") == component) out.push_back(c);
  }
  return out;
}

std::string show(const ComponentInstance& inst, const FuncInfo& f, const Value& v) {
  return f.result ? wave::print(inst.model(), *f.result, v) : "()";
}

// Runs one plain case; returns the number of failures.
void runCase(ComponentInstance& inst, HostLog& log, const json& c, size_t index) {
  std::string name = c.at("interface").get<std::string>() + "#" + c.at("func").get<std::string>();
  SCOPED_TRACE("case " + std::to_string(index) + ": " + name + " " + c.at("args").dump());
  auto f = inst.func(name);
  ASSERT_TRUE(f.ok()) << f.error().message;
  EXPECT_EQ(c.at("sig").get<std::string>(), "func" + f->signature(inst.model()).substr(f->name.size()));
  std::vector<Value> args;
  for (size_t i = 0; i < f->params.size(); ++i) {
    args.push_back(toValue(inst.model(), f->params[i].type, c.at("args").at(i), {}));
  }
  log.logs.clear();
  log.importCalls.clear();
  auto r = inst.call(*f, args);
  ASSERT_TRUE(r.ok()) << r.error().withBacktrace();
  if (c.contains("trap")) {
    ADD_FAILURE() << "expected a trap";
    return;
  }
  if (f->result) {
    ASSERT_EQ(r->size(), 1u);
    Value want = expectedResult(inst.model(), *f->result, c, {});
    EXPECT_TRUE((*r)[0] == want) << "got " << show(inst, *f, (*r)[0]) << ", want "
                                 << show(inst, *f, want);
  } else {
    EXPECT_TRUE(r->empty());
  }
  EXPECT_EQ(json(log.logs), c.at("logs"));
  if (c.contains("importCalls")) EXPECT_EQ(json(log.importCalls), c.at("importCalls"));
}

void runScenario(ComponentInstance& inst, HostLog& log, const json& c) {
  std::string iface = c.at("interface");
  Handles handles;
  log.logs.clear();
  size_t stepNo = 0;
  for (const json& step : c.at("steps")) {
    std::string op = step.at("op");
    SCOPED_TRACE("scenario step " + std::to_string(stepNo++) + ": " + op);
    if (op.rfind("[resource-drop]", 0) == 0) {
      for (const json& h : step.at("handles")) {
        ASSERT_TRUE(handles.count(h)) << h;
        Status s = inst.dropHandle(handles.at(h));
        EXPECT_TRUE(s.ok()) << s.error().withBacktrace();
        handles.erase(h);
      }
      continue;
    }
    auto f = inst.func(iface + "#" + op);
    ASSERT_TRUE(f.ok()) << f.error().message;
    std::vector<Value> args;
    size_t p = 0;
    if (step.contains("self")) {
      args.push_back(toValue(inst.model(), f->params[p++].type, step.at("self"), handles));
    }
    for (const json& a : step.at("args")) {
      ASSERT_LT(p, f->params.size());
      args.push_back(toValue(inst.model(), f->params[p++].type, a, handles));
    }
    auto r = inst.call(*f, args);
    ASSERT_TRUE(r.ok()) << r.error().withBacktrace();
    ASSERT_EQ(r->size(), 1u);
    const json& want = step.at("result");
    if (want.is_object() && want.contains("resource")) {
      ASSERT_EQ((*r)[0].kind, ValueKind::kOwn);
      handles[want.at("resource")] = (*r)[0];
    } else {
      Value w = toValue(inst.model(), *f->result, want, handles);
      EXPECT_TRUE((*r)[0] == w) << "got " << show(inst, *f, (*r)[0]) << ", want "
                                << show(inst, *f, w);
    }
  }
  EXPECT_TRUE(inst.liveHandles().empty()) << "the scenario left handles alive";
  EXPECT_EQ(json(log.logs), c.at("logs"));
}

struct Fixture {
  engine::Engine engine;
  std::unique_ptr<engine::Store> store;
  std::shared_ptr<const LoadedComponent> component;
  std::unique_ptr<ComponentInstance> instance;
  explicit Fixture(engine::EngineConfig ec) : engine(std::move(ec)) {}
};

engine::EngineConfig testConfig() {
  engine::EngineConfig ec;
  ec.tier = testTier();
  return ec;
}

// How runAll makes its instance.
enum class Via {
  kLinker,  // Linker::instantiate
  kPre,     // the second instance from one InstancePre (the first recorded
            // the types and imports, the second replays them)
};

// Runs every case of `component` in order on one instance made by `linker`
// of the component at `path` (by default the fixture itself).
void runAll(const std::string& component, Linker linker, HostLog& log,
            const std::string& path = "", Via via = Via::kLinker) {
  std::vector<json> cases = casesOf(component);
  ASSERT_FALSE(cases.empty()) << component;
  Fixture run(testConfig());
  auto loaded = LoadedComponent::fromFile(run.engine, path.empty() ? fixture(component) : path);
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  run.store = std::make_unique<engine::Store>(run.engine);
  Result<std::unique_ptr<ComponentInstance>> inst = Error(ErrorCode::kInternal, "not made");
  std::unique_ptr<ComponentInstance> first;
  if (via == Via::kPre) {
    auto pre = linker.instantiatePre(*loaded);
    ASSERT_TRUE(pre.ok()) << pre.error().message;
    auto recorded = pre->instantiate(*run.store);
    ASSERT_TRUE(recorded.ok()) << recorded.error().withBacktrace();
    first = std::move(*recorded);
    inst = pre->instantiate(*run.store);
  } else {
    inst = linker.instantiate(*run.store, *loaded);
  }
  ASSERT_TRUE(inst.ok()) << inst.error().withBacktrace();
  if (testTier() == engine::Tier::kAot) {
    ASSERT_EQ(run.store->activeTier(), engine::Tier::kAot);
  }
  size_t index = 0;
  for (const json& c : cases) {
    if (c.contains("scenario")) {
      runScenario(**inst, log, c);
    } else {
      runCase(**inst, log, c, index);
    }
    ++index;
  }
  testing::Test::RecordProperty("cases", static_cast<int>(cases.size()));
}

TEST(Expected, CalcJs) {
  HostLog log;
  runAll("calc-js.wasm", hostLinker(log), log);
}

TEST(Expected, BasicC) {
  HostLog log;
  runAll("basic-c.wasm", hostLinker(log), log);
}

// The same cases on instances replayed from an InstancePre: the JS
// component (its own resource type, accumulator), the C one and the
// composition (nested components) answer alike.
TEST(Expected, CalcJsFromPre) {
  HostLog log;
  runAll("calc-js.wasm", hostLinker(log), log, "", Via::kPre);
}

TEST(Expected, BasicCFromPre) {
  HostLog log;
  runAll("basic-c.wasm", hostLinker(log), log, "", Via::kPre);
}

TEST(Expected, ComposedFromPre) {
  HostLog log;
  runAll("composed.wasm", hostLinker(log), log, "", Via::kPre);
}

// Issue 4 point 7: tests/guests/components/basic/basic.c, built during the
// build with `compono bindgen c` + clang + `compono componentize` (see
// tests/guests/CMakeLists.txt), answers every basic-c.wasm case alike.
TEST(Expected, BasicOurs) {
  HostLog log;
  runAll("basic-c.wasm", hostLinker(log), log, test::guestPath("basic-ours"));
}

TEST(Expected, Provider) {
  HostLog log;
  runAll("provider.wasm", hostLinker(log), log);
}

TEST(Expected, Consumer) {
  HostLog log;
  runAll("consumer.wasm", hostLinker(log), log);
}

TEST(Expected, Composed) {
  HostLog log;
  runAll("composed.wasm", hostLinker(log), log);
}

// The consumer again, with example:pair/math provided by an instance of
// provider.wasm (composition through the Linker) instead of the host.
TEST(Expected, ConsumerLinkedToProvider) {
  Fixture run(testConfig());
  auto provider = LoadedComponent::fromFile(run.engine, fixture("provider.wasm"));
  auto consumer = LoadedComponent::fromFile(run.engine, fixture("consumer.wasm"));
  ASSERT_TRUE(provider.ok() && consumer.ok());
  engine::Store store(run.engine);
  auto p = Linker().instantiate(store, *provider);
  ASSERT_TRUE(p.ok()) << p.error().message;
  Linker linker;
  ASSERT_TRUE(linker.defineExports(**p).ok());
  auto c = linker.instantiate(store, *consumer);
  ASSERT_TRUE(c.ok()) << c.error().message;
  for (const json& cs : casesOf("consumer.wasm")) {
    std::vector<Value> args = {Value::u32(cs.at("args").at(0)), Value::string(cs.at("args").at(1))};
    auto r = (*c)->call("run", args);
    ASSERT_TRUE(r.ok()) << r.error().withBacktrace();
    EXPECT_EQ((*r)[0].str, cs.at("result").get<std::string>());
  }
}

// One InstancePre used by two threads at once, each instantiating the
// composed component (nested components, no imports) in its own Stores
// again and again: every instance answers every case (the recording happens
// once, the replays only read what it recorded).
TEST(Expected, ComposedFromPreOnTwoThreads) {
  Fixture run(testConfig());
  auto loaded = LoadedComponent::fromFile(run.engine, fixture("composed.wasm"));
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  auto pre = Linker().instantiatePre(*loaded);
  ASSERT_TRUE(pre.ok()) << pre.error().message;
  std::vector<json> cases = casesOf("composed.wasm");
  ASSERT_FALSE(cases.empty());
  std::atomic<int> good{0};
  std::vector<std::string> failures[2];
  auto work = [&](int t) {
    for (int round = 0; round < 10; ++round) {
      engine::Store store(run.engine);
      auto inst = pre->instantiate(store);
      if (!inst.ok()) {
        failures[t].push_back(inst.error().message);
        return;
      }
      for (const json& cs : cases) {
        std::vector<Value> args = {Value::u32(cs.at("args").at(0)),
                                   Value::string(cs.at("args").at(1))};
        auto r = (*inst)->call("run", args);
        if (!r.ok()) {
          failures[t].push_back(r.error().message);
        } else if ((*r)[0].str != cs.at("result").get<std::string>()) {
          failures[t].push_back("got " + (*r)[0].str);
        } else {
          ++good;
        }
      }
    }
  };
  std::thread a(work, 0), b(work, 1);
  a.join();
  b.join();
  EXPECT_TRUE(failures[0].empty()) << failures[0].front();
  EXPECT_TRUE(failures[1].empty()) << failures[1].front();
  EXPECT_EQ(good.load(), static_cast<int>(2 * 10 * cases.size()));
}

// basic-c-wasi.wasm imports WASI 0.2.12 interfaces; Compono's WASI 0.2
// (defined at 0.2.0, bound by semver) provides every one of them.
TEST(Expected, BasicCWasi) {
  HostLog log;
  Linker linker = hostLinker(log);
  auto ctx = wasi::WasiCtx::create(wasi::WasiConfig{});
  ASSERT_TRUE(ctx.ok()) << ctx.error().message;
  ASSERT_TRUE(wasi::addWasiP2ToLinker(linker, **ctx).ok());
  Fixture probe(testConfig());
  auto loaded = LoadedComponent::fromFile(probe.engine, fixture("basic-c-wasi.wasm"));
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  EXPECT_EQ(linker.unresolvedImports(**loaded), std::vector<std::string>{});
  runAll("basic-c-wasi.wasm", linker, log);
}

// The same cases with every WASI import stubbed (each stub call is
// reported; none may trap): proves the adapter-based component runs, its
// WASI calls aside.
TEST(Expected, BasicCWasiStubbedWasi) {
  HostLog log;
  Linker linker = hostLinker(log);
  std::vector<std::string> stubCalls;
  linker.stubUnresolved(StubMode::kDefault,
                        [&](const std::string& line) { stubCalls.push_back(line); });
  runAll("basic-c-wasi.wasm", linker, log);
  // greet writes "[basic.c] greet <name>\n" to stderr through wasi:io/streams.
  bool wrote = false;
  for (const std::string& s : stubCalls) {
    wrote = wrote || s.find("wasi:io/streams@0.2.12#[method]output-stream.blocking-write-and-flush") !=
                         std::string::npos;
  }
  EXPECT_TRUE(wrote) << "no stubbed stream write seen";
}

}  // namespace
