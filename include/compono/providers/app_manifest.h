// compono/providers/app_manifest.h — the application manifest of `compono
// up`: which components run, the capabilities linked to each, HTTP routes
// and trusted issuers. Shaped like an OAM Application (as wadm's are):
//
//   apiVersion: core.oam.dev/v1beta1
//   kind: Application
//   metadata:
//     name: kv-counter                 # required
//     annotations: {description: ...}  # optional, string values
//   spec:
//     http:                            # optional
//       listen: 127.0.0.1:8080         # the default; `compono up --listen` overrides it
//     policy:                          # optional
//       trusted-issuers: [compono1...] # public keys whose claims are trusted
//       allow-unsigned: false          # development only: run unsigned components
//     components:                      # at least one
//       - name: counter                # [a-z0-9-]+, unique
//         type: component              # optional; "component" is the only type
//         properties:
//           source: counter.wasm       # relative to the manifest's directory
//           config: {greeting: hi}     # optional; scalars, read as strings
//         traits:                      # optional
//           - type: link
//             properties:
//               target: keyvalue       # keyvalue | config | logging
//               buckets:               # keyvalue only: name -> SQLite file, or
//                 counter: data/counter.db   # name -> {path: FILE, table: NAME}
//           - type: link
//             properties: {target: logging}
//           - type: link
//             properties: {target: config}  # makes properties.config readable
//           - type: http-route
//             properties: {prefix: /count}  # requests whose path starts here
//
// Every error is one line, "app.yaml:LINE:COLUMN: message" (1-based), kUsage
// (kIo when the file cannot be read). Unknown keys are errors. Relative paths
// (source, bucket files) resolve against the manifest's directory.
//
// Thread safety: reentrant; the result is a plain value.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "compono/providers/config.h"
#include "compono/providers/keyvalue.h"
#include "compono/result.h"

namespace compono::providers {

inline constexpr std::string_view kAppApiVersion = "core.oam.dev/v1beta1";
inline constexpr std::string_view kDefaultListen = "127.0.0.1:8080";

// A position in the manifest (1-based line and column).
struct ManifestPos {
  uint32_t line = 0;
  uint32_t column = 0;
};

struct ComponentSpec {
  std::string name;
  ManifestPos pos;     // of the component's entry
  std::string source;  // the component file, resolved against the manifest's directory
  ManifestPos sourcePos;
  ConfigValues config;  // in manifest order
  bool configLinked = false;
  bool keyvalueLinked = false;
  std::vector<std::string> buckets;  // names of the buckets linked to this component
  bool loggingLinked = false;
  struct Route {
    std::string prefix;
    ManifestPos pos;
  };
  std::vector<Route> routes;
};

struct AppManifest {
  std::string file;  // as given
  std::string name;
  std::vector<std::pair<std::string, std::string>> annotations;
  std::string listen;                       // empty: not given (kDefaultListen applies)
  std::vector<std::string> trustedIssuers;  // "compono1..." keys, validated
  bool allowUnsigned = false;
  std::vector<ComponentSpec> components;
  // Every bucket of the application: one file/table per name, shared by the
  // components that link it (paths resolved).
  std::vector<BucketSpec> buckets;

  // "app.yaml:12:7".
  std::string where(const ManifestPos& pos) const;
};

// Parses and validates a manifest file.
Result<AppManifest> loadAppManifest(const std::string& path);
// The same from text; `file` names it in messages and relative paths resolve
// against its directory.
Result<AppManifest> parseAppManifest(const std::string& file, std::string_view text);

}  // namespace compono::providers
