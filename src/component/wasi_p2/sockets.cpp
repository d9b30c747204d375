// wasi:sockets @0.2.0: defined so that components importing it link, with
// nothing granted. Sockets are not a capability a WasiCtx can give a
// component yet, so every operation that could reach the network returns
// error-code.access-denied:
//   create-tcp-socket, create-udp-socket, resolve-addresses -> access-denied
//   instance-network -> a network handle that grants nothing
// No tcp-socket, udp-socket, datagram stream or resolve-address-stream can
// therefore exist; their methods are defined (a component's import lists
// them) and answer access-denied, or trap for the three that cannot return
// an error (is-listening, address-family, subscribe), which no valid handle
// can reach.
#include "component/wasi_p2/p2.h"

namespace compono::wasi::p2 {

namespace {

using Args = std::span<const Value>;
using Res = std::vector<Value>;

constexpr uint32_t kAccessDenied = 1;  // wasi:sockets/network error-code

Status denied(HostCall&, Args, Res& r) {
  r.push_back(errCode(kAccessDenied));
  return okStatus();
}

}  // namespace

void defineSockets(Linker& linker, const std::shared_ptr<State>& st) {
  const char* network = "wasi:sockets/network";
  defResource(linker, network, "network", nullptr);
  def(linker, network, "network-error-code", [](HostCall&, Args, Res& r) -> Status {
    r.push_back(Value::none());
    return okStatus();
  });
  def(linker, "wasi:sockets/instance-network", "instance-network",
      [st](HostCall&, Args, Res& r) -> Status {
        r.push_back(Value::own(st->newRep()));
        return okStatus();
      });

  def(linker, "wasi:sockets/tcp-create-socket", "create-tcp-socket", denied);
  def(linker, "wasi:sockets/udp-create-socket", "create-udp-socket", denied);

  const char* lookup = "wasi:sockets/ip-name-lookup";
  defResource(linker, lookup, "resolve-address-stream", nullptr);
  def(linker, lookup, "resolve-addresses", denied);
  def(linker, lookup, "[method]resolve-address-stream.resolve-next-address", denied);

  auto unreachable = [](HostCall& c, Args, Res&) -> Status {
    return refuse(c, "no socket can exist: wasi:sockets grants nothing (access-denied)");
  };
  auto methods = [&](const char* iface, const char* resource,
                     std::initializer_list<const char*> denying,
                     std::initializer_list<const char*> others) {
    defResource(linker, iface, resource, nullptr);
    for (const char* m : denying) {
      def(linker, iface, (std::string("[method]") + resource + "." + m).c_str(), denied);
    }
    for (const char* m : others) {
      def(linker, iface, (std::string("[method]") + resource + "." + m).c_str(), unreachable);
    }
  };
  methods("wasi:sockets/tcp", "tcp-socket",
          {"start-bind", "finish-bind", "start-connect", "finish-connect", "start-listen",
           "finish-listen", "accept", "local-address", "remote-address",
           "set-listen-backlog-size", "keep-alive-enabled", "set-keep-alive-enabled",
           "keep-alive-idle-time", "set-keep-alive-idle-time", "keep-alive-interval",
           "set-keep-alive-interval", "keep-alive-count", "set-keep-alive-count", "hop-limit",
           "set-hop-limit", "receive-buffer-size", "set-receive-buffer-size", "send-buffer-size",
           "set-send-buffer-size", "shutdown"},
          {"is-listening", "address-family", "subscribe"});
  methods("wasi:sockets/udp", "udp-socket",
          {"start-bind", "finish-bind", "stream", "local-address", "remote-address",
           "unicast-hop-limit", "set-unicast-hop-limit", "receive-buffer-size",
           "set-receive-buffer-size", "send-buffer-size", "set-send-buffer-size"},
          {"address-family", "subscribe"});
  methods("wasi:sockets/udp", "incoming-datagram-stream", {"receive"}, {"subscribe"});
  methods("wasi:sockets/udp", "outgoing-datagram-stream", {"check-send", "send"}, {"subscribe"});
  def(linker, lookup, "[method]resolve-address-stream.subscribe", unreachable);
}

}  // namespace compono::wasi::p2
