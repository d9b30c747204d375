// The application manifest: a full example parses; every kind of mistake is
// one line pointing at the right file:line:column.
#include "compono/providers/app_manifest.h"

#include <gtest/gtest.h>

#include "support/test_support.h"

using namespace compono;
using namespace compono::providers;

namespace {

const char* kGood = R"(apiVersion: core.oam.dev/v1beta1
kind: Application
metadata:
  name: kv-counter
  annotations:
    description: counts requests
spec:
  http:
    listen: 127.0.0.1:9090
  policy:
    allow-unsigned: true
  components:
    - name: counter
      type: component
      properties:
        source: build/counter.wasm
        config:
          greeting: hello
          limit: 10
      traits:
        - type: link
          properties:
            target: keyvalue
            buckets:
              counts: data/counter.db
              other: {path: /abs/other.db, table: t2}
        - type: link
          properties: {target: config}
        - type: link
          properties: {target: logging}
        - type: http-route
          properties:
            prefix: /count
    - name: reader
      properties:
        source: reader.wasm
      traits:
        - type: link
          properties:
            target: keyvalue
            buckets:
              counts: data/counter.db
)";

TEST(AppManifest, ParsesTheFullShape) {
  auto m = parseAppManifest("apps/app.yaml", kGood);
  ASSERT_TRUE(m.ok()) << m.error().message;
  EXPECT_EQ(m->name, "kv-counter");
  EXPECT_EQ(m->listen, "127.0.0.1:9090");
  EXPECT_TRUE(m->allowUnsigned);
  ASSERT_EQ(m->annotations.size(), 1u);
  ASSERT_EQ(m->components.size(), 2u);
  const ComponentSpec& c = m->components[0];
  EXPECT_EQ(c.name, "counter");
  EXPECT_EQ(c.source, "apps/build/counter.wasm");  // relative to the manifest
  EXPECT_EQ(c.config, (ConfigValues{{"greeting", "hello"}, {"limit", "10"}}));
  EXPECT_TRUE(c.configLinked && c.keyvalueLinked && c.loggingLinked);
  EXPECT_EQ(c.buckets, (std::vector<std::string>{"counts", "other"}));
  ASSERT_EQ(c.routes.size(), 1u);
  EXPECT_EQ(c.routes[0].prefix, "/count");
  EXPECT_EQ(c.routes[0].pos.line, 33u);
  const ComponentSpec& r = m->components[1];
  EXPECT_FALSE(r.loggingLinked || r.configLinked);
  EXPECT_EQ(r.buckets, std::vector<std::string>{"counts"});
  // Buckets are application-wide: "counts" once, shared.
  ASSERT_EQ(m->buckets.size(), 2u);
  for (const BucketSpec& b : m->buckets) {
    if (b.name == "counts") {
      EXPECT_EQ(b.path, "apps/data/counter.db");
      EXPECT_EQ(b.table, "kv");
    } else {
      EXPECT_EQ(b.path, "/abs/other.db");
      EXPECT_EQ(b.table, "t2");
    }
  }
}

// Replaces the first `from` in kGood by `to` and returns the error message.
std::string errorOf(const std::string& from, const std::string& to) {
  std::string text = kGood;
  size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  text.replace(at, from.size(), to);
  auto m = parseAppManifest("app.yaml", text);
  EXPECT_FALSE(m.ok()) << "accepted: " << text;
  if (m.ok()) return "";
  EXPECT_EQ(m.error().code, ErrorCode::kUsage);
  EXPECT_EQ(m.error().message.find('\n'), std::string::npos) << "not one line";
  return m.error().message;
}

TEST(AppManifest, UnknownKeysPointAtTheKey) {
  EXPECT_EQ(errorOf("      type: component\n", "      type: component\n      replicas: 3\n"),
            "app.yaml:15:7: unknown key \"replicas\" in a component (allowed: name, properties, "
            "traits, type)");
  EXPECT_EQ(errorOf("    listen:", "    listn:"),
            "app.yaml:9:5: unknown key \"listn\" in spec.http (allowed: listen)");
  std::string e = errorOf("            buckets:", "            bucket:");
  EXPECT_EQ(e.rfind("app.yaml:24:13: unknown key \"bucket\"", 0), 0u) << e;
}

TEST(AppManifest, WrongValuesPointAtTheValue) {
  EXPECT_EQ(errorOf("kind: Application", "kind: Deployment"),
            "app.yaml:2:7: kind must be Application, not \"Deployment\"");
  EXPECT_EQ(errorOf("apiVersion: core.oam.dev/v1beta1", "apiVersion: v2"),
            "app.yaml:1:13: apiVersion must be core.oam.dev/v1beta1, not \"v2\"");
  std::string e = errorOf("target: keyvalue", "target: blobstore");
  EXPECT_EQ(e.rfind("app.yaml:23:21: component \"counter\": unknown link target \"blobstore\"", 0),
            0u)
      << e;
  e = errorOf("prefix: /count", "prefix: count");
  EXPECT_EQ(e.rfind("app.yaml:33:21:", 0), 0u) << e;
  e = errorOf("allow-unsigned: true", "allow-unsigned: maybe");
  EXPECT_EQ(e.rfind("app.yaml:11:21:", 0), 0u) << e;
  e = errorOf("- name: counter", "- name: Counter_1");
  EXPECT_EQ(e.rfind("app.yaml:13:13: component name \"Counter_1\"", 0), 0u) << e;
  e = errorOf("table: t2", "table: \"t 2\"");
  EXPECT_EQ(e.rfind("app.yaml:26:51:", 0), 0u) << e;
}

TEST(AppManifest, MissingAndConflictingEntries) {
  std::string e = errorOf("        source: build/counter.wasm\n", "");
  EXPECT_NE(e.find("missing required key \"source\""), std::string::npos) << e;
  EXPECT_EQ(e.rfind("app.yaml:16:9:", 0), 0u) << e;
  // The same bucket mapped to another file by the second component.
  EXPECT_EQ(errorOf("    - name: reader\n      properties:\n        source: reader.wasm\n"
                    "      traits:\n        - type: link\n          properties:\n"
                    "            target: keyvalue\n            buckets:\n"
                    "              counts: data/counter.db\n",
                    "    - name: reader\n      properties:\n        source: reader.wasm\n"
                    "      traits:\n        - type: link\n          properties:\n"
                    "            target: keyvalue\n            buckets:\n"
                    "              counts: data/elsewhere.db\n")
                .rfind("app.yaml:42:15: component \"reader\": bucket \"counts\" is already mapped "
                       "to data/counter.db",
                       0),
            0u);
  e = errorOf("    - name: reader", "    - name: counter");
  EXPECT_NE(e.find("defined twice"), std::string::npos) << e;
  // Config values nobody may read.
  e = errorOf("        - type: link\n          properties: {target: config}\n", "");
  EXPECT_NE(e.find("no link to config"), std::string::npos) << e;
  EXPECT_EQ(e.rfind("app.yaml:18:11:", 0), 0u) << e;
}

TEST(AppManifest, YamlSyntaxErrorsAndBadIssuers) {
  auto m = parseAppManifest("bad.yaml", "apiVersion: [unclosed\nkind: x\n");
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().message.rfind("bad.yaml:", 0), 0u) << m.error().message;
  EXPECT_NE(m.error().message.find("YAML"), std::string::npos);
  std::string e = errorOf("    allow-unsigned: true", "    trusted-issuers: [compono1nope]");
  EXPECT_EQ(e.rfind("app.yaml:11:23: trusted issuer:", 0), 0u) << e;
  auto empty = parseAppManifest("e.yaml", "");
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.error().message.find("empty"), std::string::npos);
  auto missing = loadAppManifest("/nonexistent/app.yaml");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kIo);
}

}  // namespace
