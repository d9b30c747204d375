// ComponentHandler: a fresh instance of a wasi:http/proxy component per request.
//
// Linking is done once per worker thread: each thread has its own Linker
// copy, WasiCtx and wasi:io IoTable (WasiCtx is single-threaded) and an
// InstancePre of the component made from them, so instantiating for a
// request only makes the instance's own state (core module instances, canon
// functions, handle tables) in a new Store: imports are not resolved and
// types not evaluated again.
#include <unistd.h>

#include <chrono>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "compono/wasi/wasi.h"
#include "compono/wasi/wasi_p2.h"
#include "providers/http/http_internal.h"

namespace compono::providers::http {

using component::Value;
using internal::RequestCtx;
namespace io = component::wasi_p2;
using Clock = std::chrono::steady_clock;

namespace {

constexpr std::string_view kHandlerPrefix = "wasi:http/incoming-handler@0.2";

// wasi:cli stdout/stderr of a request: handed to HandlerConfig::console.
class ConsoleStream final : public io::OutputStream {
 public:
  explicit ConsoleStream(const std::function<void(std::string_view)>* sink) : sink_(sink) {}
  io::StreamResult<uint64_t> checkWrite() override { return uint64_t{1} << 20; }
  io::StreamStatus write(std::span<const uint8_t> bytes) override {
    std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    if (*sink_) {
      (*sink_)(text);
    } else {
      while (!text.empty()) {
        ssize_t n = ::write(2, text.data(), text.size());
        if (n <= 0) break;
        text.remove_prefix(static_cast<size_t>(n));
      }
    }
    return std::monostate{};
  }
  std::shared_ptr<io::Pollable> subscribe() override { return io::readyPollable(); }

 private:
  const std::function<void(std::string_view)>* sink_;
};

Response plain(uint16_t status, std::string text) {
  Response r;
  r.status = status;
  r.headers.emplace_back("content-type", "text/plain; charset=utf-8");
  r.body = std::move(text) + "\n";
  return r;
}

}  // namespace

struct ComponentHandler::Impl {
  HandlerConfig config;
  std::string handleFunc;  // "wasi:http/incoming-handler@0.2.x#handle"

  // What one worker thread links against.
  struct ThreadState {
    std::unique_ptr<wasi::WasiCtx> wasi;
    std::shared_ptr<io::IoTable> io;
    component::Linker linker;
    std::optional<component::InstancePre> pre;  // set once the linker is complete
  };
  mutable std::mutex mu;
  mutable std::unordered_map<std::thread::id, std::unique_ptr<ThreadState>> threads;

  Result<std::unique_ptr<ThreadState>> makeThreadState() const {
    auto ts = std::make_unique<ThreadState>();
    wasi::WasiConfig wc;
    wc.args = {config.name};
    wc.stdinFd = -1;
    COMPONO_ASSIGN(ts->wasi, wasi::WasiCtx::create(std::move(wc)));
    ts->io = std::make_shared<io::IoTable>();
    ts->linker = config.linker;
    COMPONO_TRY(wasi::addWasiP2ToLinker(ts->linker, *ts->wasi, ts->io));
    internal::addHttpToLinker(ts->linker);
    // The developer console of the proxy world.
    io::IoTable* table = ts->io.get();
    const auto* sink = &config.console;
    auto console = [table, sink](component::HostCall&, std::span<const Value>,
                                 std::vector<Value>& out) -> Status {
      out.push_back(table->own(std::make_shared<ConsoleStream>(sink)));
      return okStatus();
    };
    ts->linker.defineFunc("wasi:cli/stdout@0.2.0", "get-stdout", console);
    ts->linker.defineFunc("wasi:cli/stderr@0.2.0", "get-stderr", console);
    ts->linker.defineFunc("wasi:cli/stdin@0.2.0", "get-stdin",
                          [table](component::HostCall&, std::span<const Value>,
                                  std::vector<Value>& out) -> Status {
                            out.push_back(table->own(io::bytesInputStream({})));
                            return okStatus();
                          });
    // Unresolved imports are reported by create() with the deployment's
    // wording before any request; here they only leave `pre` unset.
    auto pre = ts->linker.instantiatePre(config.component);
    if (pre.ok()) ts->pre.emplace(std::move(*pre));
    return ts;
  }

  // This thread's state, made on first use.
  Result<ThreadState*> threadState() const {
    std::lock_guard<std::mutex> lock(mu);
    auto& slot = threads[std::this_thread::get_id()];
    if (!slot) {
      COMPONO_ASSIGN(slot, makeThreadState());
    }
    return slot.get();
  }

  // Forgets this thread's state (after a request left wasi:io handles behind).
  void resetThreadState() const {
    std::unique_ptr<ThreadState> old;
    std::lock_guard<std::mutex> lock(mu);
    auto it = threads.find(std::this_thread::get_id());
    if (it != threads.end()) {
      old = std::move(it->second);
      threads.erase(it);
    }
  }
};

ComponentHandler::ComponentHandler(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ComponentHandler::~ComponentHandler() = default;

const std::string& ComponentHandler::name() const { return impl_->config.name; }

const std::vector<std::string>& ComponentHandler::providedInterfaces() {
  static const std::vector<std::string> kProvided = {
      "wasi:http/types@0.2.*",        "wasi:http/outgoing-handler@0.2.*",
      "wasi:io/error@0.2.*",          "wasi:io/poll@0.2.*",
      "wasi:io/streams@0.2.*",        "wasi:clocks/monotonic-clock@0.2.*",
      "wasi:clocks/wall-clock@0.2.*", "wasi:random/random@0.2.*",
      "wasi:random/insecure@0.2.*",   "wasi:random/insecure-seed@0.2.*",
      "wasi:cli/stdout@0.2.*",        "wasi:cli/stderr@0.2.*",
      "wasi:cli/stdin@0.2.*",         "wasi:cli/environment@0.2.*",
      "wasi:cli/exit@0.2.*",
  };
  return kProvided;
}

Result<std::shared_ptr<ComponentHandler>> ComponentHandler::create(HandlerConfig config) {
  if (!config.component) return Error(ErrorCode::kUsage, "ComponentHandler: no component");
  const component::LoadedComponent& comp = *config.component;
  if (config.name.empty()) config.name = comp.name();
  auto impl = std::make_unique<Impl>();
  for (const component::ExternInfo& e : comp.exports()) {
    if (e.name.rfind(kHandlerPrefix, 0) == 0) impl->handleFunc = e.name + "#handle";
  }
  if (impl->handleFunc.empty()) {
    std::string exports;
    for (const component::ExternInfo& e : comp.exports()) {
      exports += (exports.empty() ? "" : ", ") + e.name;
    }
    return Error(ErrorCode::kUsage,
                 comp.name() + ": does not export wasi:http/incoming-handler@0.2.x (exports: " +
                     (exports.empty() ? "nothing" : exports) +
                     "); `compono serve` runs components of the wasi:http/proxy world");
  }
  impl->config = std::move(config);
  std::shared_ptr<ComponentHandler> h(new ComponentHandler(std::move(impl)));
  COMPONO_ASSIGN(Impl::ThreadState * ts, h->impl_->threadState());
  std::vector<std::string> missing = ts->linker.unresolvedImports(comp);
  if (!missing.empty()) {
    std::string list;
    for (const std::string& m : missing) list += (list.empty() ? "" : ", ") + m;
    return Error(ErrorCode::kLink, comp.name() + ": unresolved import" +
                                       (missing.size() > 1 ? "s " : " ") + list +
                                       " (default deny: the server provides wasi:http, wasi:io, "
                                       "wasi:clocks, wasi:random, wasi:cli and what the "
                                       "deployment grants)");
  }
  if (!ts->pre) {
    // A signature mismatch (missing imports were reported above).
    auto pre = ts->linker.instantiatePre(h->impl_->config.component);
    if (!pre.ok()) return std::move(pre).error();
    ts->pre.emplace(std::move(*pre));
  }
  // Instantiate once now, so a component that cannot start fails here.
  engine::Store store(comp.engine(), h->impl_->config.limits);
  RequestCtx ctx;
  ctx.io = ts->io.get();
  ctx.store = &store;
  internal::setCurrent(&ctx);
  auto inst = ts->pre->instantiate(store);
  internal::setCurrent(nullptr);
  if (!inst.ok()) return std::move(inst).error();
  return h;
}

Response ComponentHandler::handle(const Request& request, RequestStats& stats) const {
  const Impl& im = *impl_;
  stats.component = im.config.name;
  auto ts = im.threadState();
  if (!ts.ok() || !(*ts)->pre) {
    stats.error = ts.ok() ? "the component could not be linked on this worker thread"
                          : ts.error().oneLine();
    return plain(500, "500 Internal Server Error");
  }
  RequestCtx ctx;
  ctx.request = &request;
  ctx.allowHosts = &im.config.allowHosts;
  ctx.io = (*ts)->io.get();

  Clock::time_point t0 = Clock::now();
  engine::Store store(im.config.component->engine(), im.config.limits);
  ctx.store = &store;
  internal::setCurrent(&ctx);
  Status outcome = okStatus();
  {
    auto inst = (*ts)->pre->instantiate(store);
    Clock::time_point t1 = Clock::now();
    stats.instantiate = t1 - t0;
    if (!inst.ok()) {
      outcome = std::move(inst).error();
    } else {
      uint32_t req = ctx.add(internal::IncomingRequestObj{});
      uint32_t out = ctx.add(internal::ResponseOutparamObj{});
      Value args[] = {Value::own(req), Value::own(out)};
      auto r = (*inst)->call(im.handleFunc, args);
      stats.run = Clock::now() - t1;
      if (!r.ok()) outcome = std::move(r).error();
    }
  }
  stats.fuel = store.fuelConsumed();
  internal::setCurrent(nullptr);
  // Handles the guest left open in the thread's wasi:io table would outlive
  // the request: start the thread over with a clean table.
  if ((*ts)->io->size() != 0) im.resetThreadState();

  if (!outcome.ok()) {
    stats.error = outcome.error().oneLine();
    return plain(500, "500 Internal Server Error");
  }
  if (!ctx.outparamSet) {
    stats.error = "the component returned without setting a response (response-outparam.set)";
    return plain(500, "500 Internal Server Error");
  }
  if (!ctx.response) {
    stats.error = ctx.responseError;
    return plain(500, "500 Internal Server Error");
  }
  Response r;
  r.status = ctx.response->status;
  r.headers = std::move(ctx.response->headers);
  if (ctx.response->body) {
    if (!ctx.response->body->finished) {
      stats.error = "the component did not finish the response body (outgoing-body.finish)";
      return plain(500, "500 Internal Server Error");
    }
    r.body = std::move(ctx.response->body->data);
  }
  return r;
}

}  // namespace compono::providers::http
