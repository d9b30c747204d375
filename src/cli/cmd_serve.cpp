// `compono serve`: serve a wasi:http/proxy component over HTTP/1.1.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>
#include <mutex>

#include "cli/commands.h"
#include "compono/component/component.h"
#include "compono/component/linker.h"
#include "compono/engine/engine.h"
#include "compono/engine/module.h"
#include "compono/providers/http.h"

namespace compono::cli {

namespace http = compono::providers::http;

const char* kServeFooter = R"(What it runs:
  A component of the wasi:http/proxy world: it exports
  wasi:http/incoming-handler@0.2.x and may import wasi:http/types, wasi:io,
  wasi:clocks, wasi:random, wasi:cli stdio and wasi:http/outgoing-handler,
  and the capability providers' interfaces (see below).
  Each request gets a FRESH, ISOLATED instance (its own memory, its own
  limits), made from state linked once at start-up: nothing a request does
  survives into the next one. What the guest prints to stdout/stderr goes to
  this process's stderr.

Failures never take the server down:
  a trap, an exhausted --fuel or --timeout, a handler that never sets its
  response: that request gets 500, the reason goes to the access log, the
  next request runs on a new instance as usual.

Limits:
  --max-header-bytes N      request line + headers; larger requests get 431 (default 16KiB)
  --max-body-bytes N        request body; larger requests get 413 (default 1MiB)
  --fuel N                  instructions per request
  --timeout DURATION        wall-clock deadline per request (500ms, 2s)
  --max-memory BYTES        per linear memory, per request
  Connections are kept alive (HTTP/1.1) and closed after --idle-timeout.

Outgoing requests (default deny):
  --allow-host HOST[:PORT]  let the component send requests to HOST (any port,
                            or only PORT); repeatable. Any other host gets
                            error-code HTTP-request-denied, without a connection
                            being made. Only http:// is supported.

Access log: one line per request on stderr (--quiet turns it off):
  ts=2026-11-26T08:00:00.000Z remote=127.0.0.1:53422 method="GET" target="/"
  status=200 in=0 out=31 total_us=310 inst_us=95 run_us=180 fuel=0
  component="hello.wasm" [error="trap: unreachable ..."]

Stopping: SIGINT (Ctrl-C) or SIGTERM stops accepting, finishes the requests in
flight, then exits 0.

Exit codes: 0 stopped by a signal; 1 bad component (unreadable, not a proxy
component, unresolved imports, refused by the link-time policy); 2 bad command
line; 74 cannot listen.

Examples:
  compono serve http-hello.wasm --listen 127.0.0.1:8080
  curl -i http://127.0.0.1:8080/
  compono serve app.wasm --listen 0.0.0.0:8080 --fuel 50000000 --timeout 2s \
      --allow-host api.example.com:80 --threads 4
)";

CLI::App* addServeCommand(CLI::App& app, ServeOptions& o) {
  auto* serve = app.add_subcommand("serve", "Serve a wasi:http/proxy component over HTTP");
  serve->add_option("--listen", o.listen, "Address to listen on (default 127.0.0.1:8080; port 0 picks one)")
      ->type_name("HOST:PORT");
  serve->add_option("--allow-host", o.allowHosts, "Allow outgoing requests to HOST[:PORT] (repeatable)")
      ->type_name("HOST[:PORT]");
  serve->add_option("--threads", o.threads, "Worker threads (each runs one request at a time)")
      ->type_name("N");
  serve->add_option("--max-header-bytes", o.maxHeaderBytes, "Largest request head; above: 431")
      ->type_name("BYTES");
  serve->add_option("--max-body-bytes", o.maxBodyBytes, "Largest request body; above: 413")
      ->type_name("BYTES");
  serve->add_option("--idle-timeout", o.idleTimeout, "Close idle keep-alive connections after this")
      ->type_name("DURATION");
  addLimitOptions(*serve, o.run, /*perRequest=*/true);
  addProviderFlags(*serve, o.providers);
  addPolicyFlags(*serve, o.run.policy);
  serve->add_flag("--quiet", o.quiet, "No access log");
  serve->add_option("file", o.run.file, "The component (.wasm)")->required();
  serve->footer(std::string(kServeFooter) + "\n" + kProviderFooter + "\n" + kPolicyFooter);
  return serve;
}

int serveCommand(const ServeOptions& o) {
  engine::StoreLimits limits;
  if (!storeLimitsFrom(o.run, limits)) return kExitUsage;
  http::ServerConfig sc;
  sc.listen = o.listen;
  sc.threads = o.threads == 0 ? 1 : o.threads;
  if (!o.maxHeaderBytes.empty()) {
    auto v = parseByteSize(o.maxHeaderBytes);
    if (!v || *v == 0) return printError("--max-header-bytes '" + o.maxHeaderBytes + "': expected bytes such as 8192, 16KiB"), kExitUsage;
    sc.maxHeaderBytes = *v;
  }
  if (!o.maxBodyBytes.empty()) {
    auto v = parseByteSize(o.maxBodyBytes);
    if (!v) return printError("--max-body-bytes '" + o.maxBodyBytes + "': expected bytes such as 65536, 1MiB"), kExitUsage;
    sc.maxBodyBytes = *v;
  }
  if (!o.idleTimeout.empty()) {
    auto v = parseDuration(o.idleTimeout);
    if (!v) return printError("--idle-timeout '" + o.idleTimeout + "': expected a duration such as 5s"), kExitUsage;
    sc.idleTimeout = std::chrono::duration_cast<std::chrono::milliseconds>(*v);
  }
  auto providers = openProviders(o.providers);
  if (!providers.ok()) {
    printError(providers.error());
    return providers.error().code == ErrorCode::kUsage ? kExitUsage : kExitUserError;
  }
  if (!isComponentFile(o.run.file)) {
    return printError(o.run.file + ": not a readable component binary (`compono serve` runs "
                                   "components of the wasi:http/proxy world)"),
           kExitUserError;
  }

  if (int bad = checkTrustFlags(o.run.policy)) return bad;  // a command-line error: first

  engine::Engine engine(engineConfigFrom(o.run));
  auto bytes = engine::readFileBytes(o.run.file);  // read once: the policy checks these bytes
  if (!bytes.ok()) return printError(bytes.error()), kExitUserError;
  auto loaded = component::LoadedComponent::fromBinary(engine, *bytes, baseName(o.run.file));
  if (!loaded.ok()) return printError(loaded.error()), kExitUserError;
  http::HandlerConfig hc;
  Status ps = linkProviders(*providers, hc.linker, componentNameOf(o.run.file));
  if (!ps.ok()) return printError(ps.error()), kExitUserError;
  // The link-time policy, before anything is instantiated: the providers'
  // interfaces (in hc.linker) and the proxy world's (the handler's own).
  if (int refused = checkLinkPolicy(o.run.policy, o.run.file, *bytes, **loaded, hc.linker,
                                    /*stubbed=*/false,
                                    http::ComponentHandler::providedInterfaces())) {
    return refused;
  }
  hc.component = *loaded;
  hc.limits = limits;
  hc.allowHosts = o.allowHosts;
  auto handler = http::ComponentHandler::create(std::move(hc));
  if (!handler.ok()) return printError(withProviderHint(handler.error())), kExitUserError;

  auto logMu = std::make_shared<std::mutex>();
  if (!o.quiet) {
    sc.accessLog = [logMu](const http::AccessLogEntry& e) {
      std::string line = http::formatAccessLog(e) + "\n";
      std::lock_guard<std::mutex> lock(*logMu);
      std::fputs(line.c_str(), stderr);
    };
  }
  sc.stopOnSignals = true;
  auto server = http::Server::start(sc, {{"/", *handler}});
  if (!server.ok()) return printError(server.error()), 74;
  std::fprintf(stderr, "compono: serving %s on http://%s/ (%u worker thread%s; Ctrl-C stops)\n",
               o.run.file.c_str(), (*server)->address().c_str(), sc.threads,
               sc.threads == 1 ? "" : "s");
  (*server)->wait();
  std::fprintf(stderr, "compono: stopped after %llu request%s\n",
               static_cast<unsigned long long>((*server)->requestsServed()),
               (*server)->requestsServed() == 1 ? "" : "s");
  return kExitOk;
}

}  // namespace compono::cli
