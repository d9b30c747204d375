// libFuzzer target: the WAVE parser and printer (compono call's arguments).
//
// The first input byte picks a type from a fixed WIT interface covering every
// kind of value; the rest is parsed as WAVE text of that type, and also split
// as a call `f(a, b)`. Whatever parses must print, and the printed text must
// parse again to a value that prints identically (a violation aborts, which
// libFuzzer reports). Errors must be one line.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "compono/component/wave.h"
#include "compono/component/wit.h"
#include "compono/component/wit_load.h"

using namespace compono::component;

namespace {

constexpr const char* kWit = R"(package fuzz:wave;
interface t {
  record point { x: s32, y: s32 }
  record opts { name: string, tag: option<u8>, pt: point }
  variant shape { circle(f64), square(f32), empty, named(string) }
  enum color { red, green, blue }
  flags perms { read, write, exec }
  type bytes = list<u8>;
  type nested = list<option<result<tuple<char, s64>, string>>>;
  type r1 = result;
  type r2 = result<u32>;
  type r3 = result<_, string>;
  type prims = tuple<bool, s8, u16, s32, u64, f32, f64, char>;
  type lists = list<list<string>>;
  type big = tuple<point, opts, shape, color, perms, bytes, nested>;
}
)";

struct Setup {
  wit::LoadedPackage pkg;
  std::vector<wit::Type> types;
};

const Setup& setup() {
  static const Setup s = [] {
    Setup out;
    auto loaded = wit::loadWitText("fuzz.wit", kWit);
    if (!loaded.ok()) {
      std::fprintf(stderr, "fuzz_wave: built-in WIT: %s\n", loaded.error().message.c_str());
      std::abort();
    }
    out.pkg = std::move(*loaded);
    for (const wit::Interface& i : out.pkg.model.interfaces) {
      for (wit::TypeId id : i.types) out.types.push_back(wit::Type::def(id));
    }
    for (auto p : {wit::Primitive::kString, wit::Primitive::kChar, wit::Primitive::kF64,
                   wit::Primitive::kS64, wit::Primitive::kU8}) {
      wit::Type t;
      t.kind = wit::Type::Kind::kPrimitive;
      t.primitive = p;
      out.types.push_back(t);
    }
    return out;
  }();
  return s;
}

void oneLine(const std::string& m) {
  if (m.empty() || m.find('\n') != std::string::npos) {
    std::fprintf(stderr, "fuzz_wave: error is not one line: %s\n", m.c_str());
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const Setup& s = setup();
  const wit::Model& model = s.pkg.model;
  wit::Type t = s.types[data[0] % s.types.size()];
  std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);

  auto call = wave::splitCall(text);
  if (!call.ok()) oneLine(call.error().message);

  auto v = wave::parse(model, t, text);
  if (!v.ok()) {
    oneLine(v.error().message);
    return 0;
  }
  std::string printed = wave::print(model, t, *v);
  auto again = wave::parse(model, t, printed);
  if (!again.ok()) {
    std::fprintf(stderr, "fuzz_wave: printed value does not parse: %s\n--- printed:\n%s\n",
                 again.error().message.c_str(), printed.c_str());
    std::abort();
  }
  std::string printedAgain = wave::print(model, t, *again);
  if (printedAgain != printed) {
    std::fprintf(stderr, "fuzz_wave: round trip differs:\n%s\n%s\n", printed.c_str(),
                 printedAgain.c_str());
    std::abort();
  }
  return 0;
}
