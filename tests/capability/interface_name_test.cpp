// Import names, interface patterns and semver-aware coverage.
#include <gtest/gtest.h>

#include "compono/capability/interface_name.h"

namespace compono::capability {
namespace {

std::string normal(std::string_view text) {
  auto p = InterfacePattern::parse(text);
  return p.ok() ? p->toString() : "error: " + p.error().message;
}

bool covers(std::string_view pattern, std::string_view import) {
  auto p = InterfacePattern::parse(pattern);
  auto n = ImportName::parse(import);
  EXPECT_TRUE(p.ok()) << pattern;
  EXPECT_TRUE(n.ok()) << import;
  return p.ok() && n.ok() && p->covers(*n);
}

TEST(InterfacePattern, NormalisesVersionForms) {
  EXPECT_EQ(normal("wasi:cli/stdout"), "wasi:cli/stdout");
  EXPECT_EQ(normal("wasi:cli/stdout@*"), "wasi:cli/stdout");
  EXPECT_EQ(normal("wasi:cli/stdout@0.2"), "wasi:cli/stdout@0.2.*");
  EXPECT_EQ(normal("wasi:cli/stdout@0.2.*"), "wasi:cli/stdout@0.2.*");
  EXPECT_EQ(normal("wasi:cli/stdout@1"), "wasi:cli/stdout@1.*");
  EXPECT_EQ(normal("wasi:cli/stdout@1.*"), "wasi:cli/stdout@1.*");
  EXPECT_EQ(normal("wasi:cli/stdout@1.*.*"), "wasi:cli/stdout@1.*");
  EXPECT_EQ(normal("wasi:cli/stdout@0.2.12"), "wasi:cli/stdout@0.2.12");
  EXPECT_EQ(normal("wasi:http/types@0.2.0-rc-2023-11-10"), "wasi:http/types@0.2.0-rc-2023-11-10");
  EXPECT_EQ(normal("a-b:c-d/e-f/g@1.0.0+build.7"), "a-b:c-d/e-f/g@1.0.0+build.7");
  EXPECT_EQ(normal("example:pair/HTTP-handler"), "example:pair/HTTP-handler");
  EXPECT_EQ(normal("log"), "log");
  EXPECT_EQ(InterfacePattern::parse("wasi:cli/stdout@0.2").value(),
            InterfacePattern::parse("wasi:cli/stdout@0.2.*").value());
}

TEST(InterfacePattern, RejectsMalformedNamesWithAReason) {
  struct Case {
    const char* text;
    const char* why;
  };
  for (const Case& c : std::initializer_list<Case>{
           {"", "empty"},
           {"wasi:cli", "missing the interface"},
           {"wasi:cli/", "is not kebab-case"},
           {"Wasi:cli/stdout", "namespace \"Wasi\""},
           {"wasi:cli_x/stdout", "package \"cli_x\""},
           {"wasi:cli/std_out", "interface \"std_out\""},
           {"wasi:cli/-x", "interface \"-x\""},
           {"wasi:cli/x-", "interface \"x-\""},
           {"wasi:cli/*", "wildcard interface"},
           {"wasi:cli:sub/x", "nested package"},
           {"cli/stdout", "needs a namespace"},
           {"wasi:cli/stdout@", "version \"\""},
           {"wasi:cli/stdout@0.2.x", "version \"0.2.x\""},
           {"wasi:cli/stdout@01.2.3", "version \"01.2.3\""},
           {"wasi:cli/stdout@1.*.3", "version \"1.*.3\""},
           {"wasi:cli/stdout@1.2.3.4", "version"},
           {"wasi:cli/stdout@99999999999999999999.0.0", "version"},
           {"log@1.0.0", "plain name has no version"},
           {"two words", "kebab-case"},
           {"x\x1b[2J", "\\x1b"},
       }) {
    std::string got = normal(c.text);
    EXPECT_EQ(got.rfind("error: ", 0), 0u) << c.text << " -> " << got;
    EXPECT_NE(got.find(c.why), std::string::npos) << c.text << " -> " << got;
  }
}

TEST(InterfacePattern, CoversBySemver) {
  // Unversioned: any version, and unversioned imports.
  EXPECT_TRUE(covers("wasi:cli/stdout", "wasi:cli/stdout@0.2.12"));
  EXPECT_TRUE(covers("wasi:cli/stdout", "wasi:cli/stdout"));
  EXPECT_TRUE(covers("wasi:cli/stdout", "wasi:cli/stdout@0.2.0-rc1"));
  // Minor wildcard.
  EXPECT_TRUE(covers("wasi:cli/stdout@0.2", "wasi:cli/stdout@0.2.12"));
  EXPECT_TRUE(covers("wasi:cli/stdout@0.2.*", "wasi:cli/stdout@0.2.0"));
  EXPECT_TRUE(covers("wasi:cli/stdout@0.2.*", "wasi:cli/stdout@0.2.12+meta"));
  EXPECT_FALSE(covers("wasi:cli/stdout@0.2.*", "wasi:cli/stdout@0.3.0"));
  EXPECT_FALSE(covers("wasi:cli/stdout@0.2.*", "wasi:cli/stdout@1.2.0"));
  EXPECT_FALSE(covers("wasi:cli/stdout@0.2.*", "wasi:cli/stdout"));
  EXPECT_FALSE(covers("wasi:cli/stdout@0.2.*", "wasi:cli/stdout@0.2.1-rc1"));
  // Major wildcard.
  EXPECT_TRUE(covers("wasi:cli/stdout@1", "wasi:cli/stdout@1.9.3"));
  EXPECT_FALSE(covers("wasi:cli/stdout@1", "wasi:cli/stdout@2.0.0"));
  EXPECT_FALSE(covers("wasi:cli/stdout@0.*", "wasi:cli/stdout@1.0.0"));
  // Exact.
  EXPECT_TRUE(covers("wasi:cli/stdout@0.2.12", "wasi:cli/stdout@0.2.12"));
  EXPECT_FALSE(covers("wasi:cli/stdout@0.2.12", "wasi:cli/stdout@0.2.13"));
  EXPECT_FALSE(covers("wasi:cli/stdout@0.2.12", "wasi:cli/stdout"));
  EXPECT_TRUE(covers("wasi:http/types@0.2.0-rc1", "wasi:http/types@0.2.0-rc1"));
  EXPECT_FALSE(covers("wasi:http/types@0.2.0-rc1", "wasi:http/types@0.2.0-rc2"));
  // Names must match exactly.
  EXPECT_FALSE(covers("wasi:cli/stdout", "wasi:cli/stderr@0.2.12"));
  EXPECT_FALSE(covers("wasi:cli/stdout", "wasi:cli/stdout/inner"));
  EXPECT_FALSE(covers("wasi:cli/std", "wasi:cli/stdout"));
  EXPECT_FALSE(covers("wasi:cli/stdout", "wasix:cli/stdout"));
  EXPECT_TRUE(covers("log", "log"));
  EXPECT_FALSE(covers("log", "logger"));
}

TEST(ImportName, ParsesAndPrints) {
  auto n = ImportName::parse("wasi:cli/stdout@0.2.12");
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(n->path, "wasi:cli/stdout");
  ASSERT_TRUE(n->version.has_value());
  EXPECT_EQ(n->version->minor, 2u);
  EXPECT_EQ(n->version->patch, 12u);
  EXPECT_EQ(n->toString(), "wasi:cli/stdout@0.2.12");
  EXPECT_FALSE(n->plain);
  EXPECT_TRUE(ImportName::parse("log")->plain);
  // Imports take exact versions only: a wildcard is not an import name.
  EXPECT_FALSE(ImportName::parse("wasi:cli/stdout@0.2").ok());
  EXPECT_FALSE(ImportName::parse("[method]r.f").ok());
}

TEST(SemVer, FollowsSemanticVersioning) {
  EXPECT_TRUE(SemVer::parse("0.0.0").has_value());
  EXPECT_TRUE(SemVer::parse("1.0.0-alpha.1+001").has_value());
  EXPECT_TRUE(SemVer::parse("1.0.0-0A.is.legal").has_value());
  EXPECT_FALSE(SemVer::parse("1.0").has_value());
  EXPECT_FALSE(SemVer::parse("1.0.0-").has_value());
  EXPECT_FALSE(SemVer::parse("1.0.0-01").has_value());  // numeric identifiers: no leading zeros
  EXPECT_FALSE(SemVer::parse("1.0.0+").has_value());
  EXPECT_FALSE(SemVer::parse("1.0.0-a..b").has_value());
  EXPECT_FALSE(SemVer::parse("-1.0.0").has_value());
  EXPECT_EQ(SemVer::parse("1.0.0+001")->build, "001");  // build identifiers may
}

}  // namespace
}  // namespace compono::capability
