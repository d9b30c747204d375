// `compono up APP.yaml`: runs an application manifest on embedded defaults:
// every component linked to exactly the capabilities the manifest gives it
// (wasi:keyvalue buckets on SQLite files, wasi:config values, wasi:logging),
// checked against the link-time policy, and served over HTTP by route prefix
// until Ctrl-C (or SIGTERM) stops it cleanly.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <memory>

#include "cli/commands.h"
#include "compono/capability/claims.h"
#include "compono/capability/keys.h"
#include "compono/capability/policy.h"
#include "compono/component/component.h"
#include "compono/component/linker.h"
#include "compono/engine/engine.h"
#include "compono/engine/store.h"
#include "compono/providers/app_manifest.h"
#include "compono/providers/config.h"
#include "compono/providers/http.h"
#include "compono/providers/keyvalue.h"
#include "compono/providers/logging.h"

namespace compono::cli {

namespace prov = compono::providers;
namespace cap = compono::capability;
using component::LoadedComponent;

const char* kUpFooter =
    R"(The manifest (OAM Application shape; every key is checked, errors name FILE:LINE:COLUMN):
  apiVersion: core.oam.dev/v1beta1
  kind: Application
  metadata: {name: kv-counter}
  spec:
    http: {listen: 127.0.0.1:8080}          # optional (--listen overrides it)
    policy:                                 # optional
      trusted-issuers: [compono1...]        # claims signed by these keys are trusted
      allow-unsigned: true                  # development only (prints a warning)
    components:
      - name: counter
        properties:
          source: counter.wasm              # relative to the manifest
          config: {greeting: hi}            # read through wasi:config/store
        traits:
          - type: link
            properties:
              target: keyvalue              # wasi:keyvalue/{store,atomics,batch}@0.2.0-draft
              buckets: {counter: data/counter.db}   # bucket -> SQLite file (WAL mode)
          - type: link
            properties: {target: config}    # wasi:config/store@0.2.0-draft
          - type: link
            properties: {target: logging}   # wasi:logging/logging@0.1.0-draft
          - type: http-route
            properties: {prefix: /count}    # wasi:http/incoming-handler serves it

Capabilities: a component can open only the buckets linked to it (any other name
answers error access-denied) and read only its own config values. Each log call
is one line on stderr naming the component (--log-format json: JSON lines).
Policy: an import links only if the component's signed claims grant it (issuer in
trusted-issuers or --trust) and the manifest provides it; unsigned components run
only with allow-unsigned. Nothing starts unless every component passes.

Data lives in the SQLite files; running `compono up` again on the same manifest
keeps it. Ctrl-C or SIGTERM stops gracefully (requests in flight finish).

Exit codes: 0 stopped cleanly (or --check passed); 1 invalid manifest, component,
policy refusal or unresolved import; 2 bad command line.)";

CLI::App* addUpCommand(CLI::App& app, UpOptions& o) {
  auto* up = app.add_subcommand(
      "up", "Run an application manifest (components, capabilities, HTTP routes)");
  up->add_option("manifest", o.manifest, "The application manifest (YAML)")
      ->required()
      ->type_name("APP.yaml");
  up->add_option("--listen", o.listen, "HTTP address (overrides spec.http.listen)")
      ->type_name("HOST:PORT");
  addLogFormatOption(*up, o.logFormat);
  up->add_option("--trust", o.trust,
                 "Trust this issuer too (compono1... key or a file of keys; repeatable)")
      ->type_name("KEY|FILE")
      ->allow_extra_args(false);
  up->add_flag("--allow-unsigned", o.allowUnsigned, "Development only: run unsigned components");
  up->add_flag("--check", o.check, "Validate the manifest and link every component, then exit");
  up->add_option("--threads", o.threads, "HTTP worker threads")->type_name("N");
  addLimitOptions(*up, o.run, /*perRequest=*/true);
  up->footer(kUpFooter);
  return up;
}

namespace {


std::vector<std::string> providedFor(const prov::ComponentSpec& c) {
  std::vector<std::string> p;
  if (c.keyvalueLinked) {
    p.emplace_back(prov::kKeyValueStoreInterface);
    p.emplace_back(prov::kKeyValueAtomicsInterface);
    p.emplace_back(prov::kKeyValueBatchInterface);
  }
  if (c.configLinked) p.emplace_back(prov::kConfigInterface);
  if (c.loggingLinked) p.emplace_back(prov::kLoggingInterface);
  // An HTTP route provides the wasi:http/proxy world's imports.
  if (!c.routes.empty()) {
    const std::vector<std::string>& http = prov::http::ComponentHandler::providedInterfaces();
    p.insert(p.end(), http.begin(), http.end());
  }
  return p;
}

Result<std::vector<uint8_t>> readBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error(ErrorCode::kIo, path + ": cannot read the component");
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(in)),
                              std::istreambuf_iterator<char>());
}

Result<std::vector<cap::PublicKey>> issuersOf(const prov::AppManifest& m,
                                              const std::vector<std::string>& extra) {
  std::vector<cap::PublicKey> keys;
  for (const std::string& k : m.trustedIssuers) {
    COMPONO_ASSIGN(cap::PublicKey key, cap::PublicKey::parse(k));
    keys.push_back(key);
  }
  for (const std::string& spec : extra) {
    if (spec.rfind(cap::kPublicKeyPrefix, 0) == 0) {
      auto key = cap::PublicKey::parse(spec);
      if (!key.ok()) return Error(ErrorCode::kUsage, "--trust: " + key.error().message);
      keys.push_back(*key);
      continue;
    }
    std::ifstream in(spec, std::ios::binary);
    if (!in) {
      return Error(
          ErrorCode::kUsage,
          "--trust " + spec + ": neither a public key (compono1...) nor a readable trust file");
    }
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto list = cap::parseTrustList(text);
    if (!list.ok()) return Error(ErrorCode::kUsage, spec + ": " + list.error().message);
    keys.insert(keys.end(), list->begin(), list->end());
  }
  return keys;
}

// One component, loaded, checked and linked.
struct Deployed {
  const prov::ComponentSpec* spec = nullptr;
  std::shared_ptr<const LoadedComponent> component;
  component::Linker linker;
};

}  // namespace

int upCommand(const UpOptions& o) {
  engine::StoreLimits limits;
  if (!storeLimitsFrom(o.run, limits)) return kExitUsage;
  auto manifest = prov::loadAppManifest(o.manifest);
  if (!manifest.ok()) return printError(manifest.error()), kExitUserError;
  const prov::AppManifest& m = *manifest;
  auto format = prov::parseLogFormat(o.logFormat);
  auto sink = std::make_shared<prov::LogSink>(format ? *format : prov::LogFormat::kText, 2);
  auto host = [&](prov::LogLevel level, const std::string& message) {
    sink->write(level, "compono", "up", message);
  };

  auto trusted = issuersOf(m, o.trust);
  if (!trusted.ok()) return printError(trusted.error()), kExitUsage;
  bool allowUnsigned = m.allowUnsigned || o.allowUnsigned;

  auto store = prov::KeyValueStore::open(m.buckets);
  if (!store.ok()) return printError(o.manifest + ": " + store.error().message), kExitUserError;

  engine::Engine engine(engineConfigFrom(o.run));
  std::vector<Deployed> deployed;
  for (const prov::ComponentSpec& c : m.components) {
    std::string where = m.where(c.sourcePos) + ": component \"" + c.name + "\"";
    auto bytes = readBytes(c.source);
    if (!bytes.ok()) return printError(where + ": " + bytes.error().message), kExitUserError;
    auto loaded = LoadedComponent::fromBinary(engine, *bytes, c.source);
    if (!loaded.ok()) return printError(where + ": " + loaded.error().message), kExitUserError;

    // The link-time policy, before anything is instantiated.
    cap::VerifyOptions vo;
    vo.now = cap::unixNow();
    vo.trusted = *trusted;
    cap::Verification v = cap::verifyBinary(*bytes, vo);
    cap::LinkRequest request;
    request.component = c.name + " (" + c.source + ")";
    request.trusted = *trusted;
    request.allowUnsigned = allowUnsigned;
    for (const component::ExternInfo& e : (*loaded)->imports()) request.imports.push_back(e.name);
    request.provided = providedFor(c);
    cap::PolicyDecision decision = cap::decideLinks(v, request);
    if (!decision.warning.empty()) host(prov::LogLevel::kWarn, decision.warning);
    if (!decision.ok()) {
      return printError(m.where(c.pos) + ": " + decision.status.error().message), kExitUserError;
    }

    Deployed d;
    d.spec = &c;
    d.component = *loaded;
    Status s = okStatus();
    if (c.keyvalueLinked) {
      prov::KeyValueLinkOptions kvo;
      kvo.onDenied = [sink, name = c.name](const std::string& msg) {
        sink->write(prov::LogLevel::kWarn, name, "wasi:keyvalue", msg);
      };
      s = prov::addKeyValueToLinker(d.linker, *store, c.buckets, std::move(kvo));
    }
    if (s.ok() && c.configLinked) s = prov::addConfigToLinker(d.linker, c.config);
    if (s.ok() && c.loggingLinked) s = prov::addLoggingToLinker(d.linker, sink, c.name);
    if (!s.ok()) return printError(where + ": " + s.error().message), kExitUserError;
    deployed.push_back(std::move(d));
  }

  // Link: components with routes become HTTP handlers (linked once, a fresh
  // instance per request); the others are instantiated once to prove they link.
  std::vector<prov::http::Route> routes;
  std::string routeList;
  for (Deployed& d : deployed) {
    const prov::ComponentSpec& c = *d.spec;
    std::string where = m.where(c.pos) + ": component \"" + c.name + "\"";
    if (c.routes.empty()) {
      std::vector<std::string> missing = d.linker.unresolvedImports(*d.component);
      if (!missing.empty()) {
        std::string list;
        for (const std::string& x : missing) list += (list.empty() ? "" : ", ") + x;
        return printError(where + ": unresolved import" + (missing.size() > 1 ? "s " : " ") + list +
                          " (link the capability in the manifest)"),
               kExitUserError;
      }
      engine::Store st(engine, limits);
      auto inst = d.linker.instantiate(st, d.component);
      if (!inst.ok()) return printError(where + ": " + inst.error().message), kExitUserError;
      host(prov::LogLevel::kInfo,
           "component " + c.name + " linked; it has no http-route, so nothing invokes it");
      continue;
    }
    prov::http::HandlerConfig hc;
    hc.name = c.name;
    hc.component = d.component;
    hc.linker = d.linker;
    hc.limits = limits;
    auto handler = prov::http::ComponentHandler::create(std::move(hc));
    if (!handler.ok()) return printError(where + ": " + handler.error().message), kExitUserError;
    for (const prov::ComponentSpec::Route& r : c.routes) {
      routes.push_back({r.prefix, *handler});
      routeList += (routeList.empty() ? "" : ", ") + r.prefix + " -> " + c.name;
    }
  }

  if (o.check) {
    std::printf("%s: %zu component%s linked, %zu bucket%s%s%s\n", m.name.c_str(),
                m.components.size(), m.components.size() == 1 ? "" : "s", m.buckets.size(),
                m.buckets.size() == 1 ? "" : "s",
                routeList.empty() ? "" : "; routes: ", routeList.c_str());
    return kExitOk;
  }
  if (routes.empty()) {
    host(prov::LogLevel::kInfo, "no component has an http-route: nothing to serve; stopping");
    return kExitOk;
  }

  prov::http::ServerConfig sc;
  sc.listen = !o.listen.empty()   ? o.listen
              : !m.listen.empty() ? m.listen
                                  : std::string(prov::kDefaultListen);
  sc.threads = o.threads;
  sc.stopOnSignals = true;
  sc.accessLog = [sink](const prov::http::AccessLogEntry& e) {
    sink->write(prov::LogLevel::kInfo, e.stats.component.empty() ? "compono" : e.stats.component,
                "http", prov::http::formatAccessLog(e));
  };
  auto server = prov::http::Server::start(std::move(sc), std::move(routes));
  if (!server.ok()) return printError(o.manifest + ": " + server.error().message), kExitUserError;
  host(prov::LogLevel::kInfo, "application " + m.name + " serving http://" + (*server)->address() +
                                  " (" + routeList + "); Ctrl-C stops it");
  (*server)->wait();
  uint64_t served = (*server)->requestsServed();
  server->reset();
  host(prov::LogLevel::kInfo, "application " + m.name + " stopped after " + std::to_string(served) +
                                  " request" + (served == 1 ? "" : "s"));
  return kExitOk;
}

}  // namespace compono::cli
