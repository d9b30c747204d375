// The in-host capability providers on the command line (`compono call` and
// `compono serve`): --kv BUCKET=FILE links wasi:keyvalue to SQLite buckets,
// --config KEY=VALUE links wasi:config/store, and wasi:logging is always
// linked, writing lines that name the component (--log-format).
#include <CLI/CLI.hpp>
#include <set>

#include "cli/commands.h"
#include "compono/component/linker.h"
#include "compono/providers/config.h"
#include "compono/providers/keyvalue.h"
#include "compono/providers/logging.h"

namespace compono::cli {

namespace prov = compono::providers;

const char* kProviderFooter = R"(Capability providers (default deny: only what a flag grants is linked):
  --kv BUCKET=FILE          link wasi:keyvalue/{store,atomics,batch}@0.2.0-draft: the
                            component may open BUCKET, kept in the SQLite FILE (created
                            when missing, WAL mode; the data stays across runs); any
                            other bucket answers error access-denied. Repeatable, one
                            file per bucket.
  --config KEY=VALUE        link wasi:config/store@0.2.0-draft: the component reads
                            exactly these values. Repeatable.
  wasi:logging/logging@0.1.0-draft is always linked: each log call is one line on
  stderr naming the component (--log-format json: JSON lines).
)";

void addLogFormatOption(CLI::App& cmd, std::string& format) {
  cmd.add_option("--log-format", format, "Log lines on stderr: text (default) or json")
      ->type_name("text|json")
      ->check(CLI::IsMember({"text", "json"}));
}

void addProviderFlags(CLI::App& cmd, ProviderOptions& o) {
  cmd.add_option("--kv", o.kv,
                 "Link wasi:keyvalue: the component may open BUCKET, stored in the SQLite "
                 "FILE (repeatable)")
      ->type_name("BUCKET=FILE")
      ->allow_extra_args(false);
  cmd.add_option("--config", o.config,
                 "Link wasi:config/store with this value (repeatable)")
      ->type_name("KEY=VALUE")
      ->allow_extra_args(false);
  addLogFormatOption(cmd, o.logFormat);
}

std::string componentNameOf(const std::string& path) {
  std::string name = baseName(path);
  if (name.size() > 5 && name.ends_with(".wasm")) name.resize(name.size() - 5);
  return name;
}

Result<Providers> openProviders(const ProviderOptions& o) {
  Providers p;
  std::vector<prov::BucketSpec> buckets;
  std::set<std::string> files;
  for (const std::string& spec : o.kv) {
    size_t eq = spec.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == spec.size()) {
      return Error(ErrorCode::kUsage,
                   "--kv '" + spec + "': expected BUCKET=FILE (for instance counter=data/counter.db)");
    }
    prov::BucketSpec b;
    b.name = spec.substr(0, eq);
    b.path = spec.substr(eq + 1);
    for (const prov::BucketSpec& other : buckets) {
      if (other.name == b.name) {
        return Error(ErrorCode::kUsage, "--kv '" + spec + "': bucket \"" + b.name +
                                            "\" is already linked to " + other.path);
      }
      if (other.path == b.path) {
        return Error(ErrorCode::kUsage, "--kv '" + spec + "': " + b.path + " already holds bucket \"" +
                                            other.name + "\" (one file per bucket)");
      }
    }
    p.buckets.push_back(b.name);
    buckets.push_back(std::move(b));
  }
  for (const std::string& spec : o.config) {
    size_t eq = spec.find('=');
    if (eq == std::string::npos || eq == 0) {
      return Error(ErrorCode::kUsage,
                   "--config '" + spec + "': expected KEY=VALUE (for instance greeting=hi)");
    }
    p.config.emplace_back(spec.substr(0, eq), spec.substr(eq + 1));
  }
  p.configLinked = !o.config.empty();
  auto format = prov::parseLogFormat(o.logFormat);
  if (!format) {
    return Error(ErrorCode::kUsage, "--log-format '" + o.logFormat + "': expected text or json");
  }
  p.sink = std::make_shared<prov::LogSink>(*format, 2);
  if (!buckets.empty()) {
    auto store = prov::KeyValueStore::open(buckets);
    if (!store.ok()) return Error(store.error().code, "--kv: " + store.error().message);
    p.store = *store;
  }
  return p;
}

Error withProviderHint(Error e) {
  std::vector<std::string> hints;
  if (e.message.find("wasi:keyvalue/") != std::string::npos) {
    hints.emplace_back("--kv BUCKET=FILE grants wasi:keyvalue");
  }
  if (e.message.find("wasi:config/") != std::string::npos) {
    hints.emplace_back("--config KEY=VALUE grants wasi:config");
  }
  for (size_t i = 0; i < hints.size(); ++i) e.message += (i == 0 ? "; " : ", ") + hints[i];
  return e;
}

Status linkProviders(const Providers& p, component::Linker& linker, const std::string& name) {
  if (p.store) {
    prov::KeyValueLinkOptions kvo;
    kvo.onDenied = [sink = p.sink, name](const std::string& msg) {
      sink->write(prov::LogLevel::kWarn, name, "wasi:keyvalue", msg);
    };
    COMPONO_TRY(prov::addKeyValueToLinker(linker, p.store, p.buckets, std::move(kvo)));
  }
  if (p.configLinked) COMPONO_TRY(prov::addConfigToLinker(linker, p.config));
  return prov::addLoggingToLinker(linker, p.sink, name);
}

}  // namespace compono::cli
