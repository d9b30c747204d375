// Component validator: the fixtures are valid; hand-made components are
// accepted or rejected with located one-line messages.
#include <gtest/gtest.h>

#include "compono/component/binary.h"
#include "compono/component/validate.h"
#include "compono/engine/module.h"
#include "support/test_support.h"

namespace compono::component {
namespace {

std::string fixture(const std::string& rel) {
  return compono::test::sharedPath("fixtures/components/" + rel);
}

TEST(ComponentValidator, EveryFixtureIsValid) {
  for (const char* name : {"basic-c.wasm", "basic-c-wasi.wasm", "provider.wasm", "consumer.wasm",
                           "composed.wasm", "hello-command.wasm", "calc-js.wasm"}) {
    SCOPED_TRACE(name);
    auto c = decodeComponentFile(fixture(name));
    ASSERT_TRUE(c.ok()) << c.error().message;
    ValidateOptions o;
    // The 12 MiB StarlingMonkey module takes the engine a while; its
    // signature is still checked.
    o.validateCoreModules = std::string(name) != "calc-js.wasm";
    Status s = validateComponent(*c, name, o);
    EXPECT_TRUE(s.ok()) << s.error().message;
  }
}

}  // namespace
}  // namespace compono::component
