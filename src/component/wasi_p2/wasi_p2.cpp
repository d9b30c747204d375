// wasi::addWasiP2ToLinker (compono/wasi/wasi_p2.h): one State per call,
// shared by every callback, and the helpers the interface groups share.
#include "compono/wasi/wasi_p2.h"

#include <sys/random.h>

#include "component/wasi_p2/p2.h"
#include "wasi/p1_ctx.h"

namespace compono::wasi {

namespace p2 {

std::string qualified(const char* iface) { return std::string(iface) + kVersion; }

void def(Linker& linker, const char* iface, const char* func, component::HostCallback cb) {
  linker.defineFunc(qualified(iface), func, std::move(cb));
}

void defResource(Linker& linker, const char* iface, const char* name,
                 std::function<void(uint32_t)> drop) {
  linker.defineResource(qualified(iface), name, std::move(drop));
}

Value bytesValue(std::span<const uint8_t> bytes) {
  std::vector<Value> items;
  items.reserve(bytes.size());
  for (uint8_t b : bytes) items.push_back(Value::u8(b));
  return Value::list(std::move(items));
}

std::vector<uint8_t> bytesOf(const Value& list) {
  std::vector<uint8_t> out;
  out.reserve(list.items.size());
  for (const Value& v : list.items) out.push_back(static_cast<uint8_t>(v.u));
  return out;
}

Error refuse(const HostCall& call, const std::string& why) {
  return Error(ErrorCode::kWasi, std::string(call.interface()) + "#" + std::string(call.func()) +
                                     ": " + why);
}

}  // namespace p2

Status addWasiP2ToLinker(component::Linker& linker, WasiCtx& ctx,
                         std::shared_ptr<component::wasi_p2::IoTable> io) {
  if (!io) return Error(ErrorCode::kUsage, "addWasiP2ToLinker: the IoTable is null");
  auto st = std::make_shared<p2::State>();
  st->ctx = &ctx.impl();
  st->io = std::move(io);
  if (::getrandom(st->hashKey, sizeof st->hashKey, 0) != sizeof st->hashKey) {
    return Error(ErrorCode::kWasi, "wasi 0.2: cannot read the host's random source");
  }
  p2::defineIo(linker, st);
  p2::defineCli(linker, st);
  p2::defineClocksRandom(linker, st);
  p2::defineFilesystem(linker, st);
  p2::defineSockets(linker, st);
  return okStatus();
}

Status addWasiP2ToLinker(component::Linker& linker, WasiCtx& ctx) {
  return addWasiP2ToLinker(linker, ctx, std::make_shared<component::wasi_p2::IoTable>());
}

}  // namespace compono::wasi
