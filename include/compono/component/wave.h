// compono/component/wave.h — the WebAssembly Value Encoding (WAVE).
//
// The text form of component values that `compono call` reads and prints, as
// wasmtime does for `run --invoke`: `true`, `-7`, `1.5`, `nan`, `'x'`,
// `"hi\n"`, `[1, 2]`, `(1, "a")`, `{x: 1, y: 2}` (records; fields whose type
// is an option may be omitted and mean none), `{read, write}` (flags),
// `circle(1.0)` / `empty` (variant cases), `red` (enum cases), `some(3)` /
// `none`, `ok` / `ok("x")` / `err("e")`. Parsing needs the value's type.
// Compono extension: a resource handle the host holds is written
// `RESOURCE#N` (or `#N`), N being Value::handle (see instance.h), e.g.
// `accumulator#1`; WAVE itself has no syntax for handles.
//
// Pure functions; thread safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "compono/component/value.h"
#include "compono/component/wit.h"
#include "compono/result.h"

namespace compono::component::wave {

// Parses one value of type `t` (a type of `model`). Errors name the column.
Result<Value> parse(const wit::Model& model, wit::Type t, std::string_view text);

// Prints a value of type `t` in WAVE.
std::string print(const wit::Model& model, wit::Type t, const Value& v);

// A call written as `name(arg, arg, ...)`: the name and each argument's text,
// split at top-level commas (brackets, quotes and escapes respected).
struct CallText {
  std::string func;
  std::vector<std::string> args;
};
Result<CallText> splitCall(std::string_view text);

}  // namespace compono::component::wave
