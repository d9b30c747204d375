// Internal: the state behind one addWasiP2ToLinker call and the helpers its
// interface groups share. One file per group of interfaces:
//   io_ifaces.cpp    wasi:io/error, poll, streams
//   cli.cpp          wasi:cli/*, wasi:clocks/*, wasi:random/*
//   filesystem.cpp   wasi:filesystem/types, preopens
//   sockets.cpp      wasi:sockets/* (every operation: access-denied)
//
// Capabilities come from the WasiCtx (its args, environment, stdio fds and
// preopened SandboxDirs; src/wasi/p1_ctx.h): this is the one place outside
// src/wasi that uses the wasi layer's internal headers (docs/design-notes.md).
//
// Contract of every function defined here: a guest mistake or a denied
// capability is a WIT-level error value (error-code, stream-error), never a
// trap. Traps come only from the Store's --timeout deadline while blocked,
// from an invalid handle (the canonical ABI's own checks), and from a
// request the host refuses to allocate for (more than kMaxBytes at once).
//
// Not thread safe: one guest thread at a time (like the WasiCtx and Store).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "compono/component/linker.h"
#include "compono/component/wasi_p2_io.h"
#include "compono/wasi/wasi.h"
#include "wasi/os.h"
#include "wasi/sandbox.h"

namespace compono::wasi::p2 {

namespace wp2 = component::wasi_p2;
using component::HostCall;
using component::Linker;
using component::Value;

// The version every interface is defined at; imports of any 0.2.x bind.
inline constexpr const char* kVersion = "@0.2.0";

// The most bytes one call may ask the host to produce or move at once.
inline constexpr uint64_t kMaxBytes = 64u << 20;

// A wasi:filesystem descriptor: an open directory inside a sandbox or an
// open file (opened through one).
struct Descriptor {
  SandboxDir dir;  // valid for directories
  OwnedFd file;    // valid for everything else
  // descriptor-flags: read, write, file-integrity-sync, data-integrity-sync,
  // requested-write-sync, mutate-directory (declaration order).
  std::vector<bool> flags = std::vector<bool>(6, false);
  bool readOnly = false;  // under a :ro preopen: every mutation is read-only

  bool isDir() const { return dir.valid(); }
  int fd() const { return isDir() ? dir.fd() : file.get(); }
  bool can(int flag) const { return flags[static_cast<size_t>(flag)]; }
};
inline constexpr int kFlagRead = 0;
inline constexpr int kFlagWrite = 1;
inline constexpr int kFlagMutateDir = 5;

struct State {
  WasiCtx::Impl* ctx = nullptr;
  std::shared_ptr<wp2::IoTable> io;

  std::map<uint32_t, std::shared_ptr<Descriptor>> descriptors;
  std::map<uint32_t, std::shared_ptr<DirStream>> dirStreams;
  uint32_t nextRep = 1;
  uint64_t hashKey[2] = {0, 0};  // metadata-hash key (random per State)

  uint32_t newRep() { return nextRep++; }
};

// Defines `func` of `iface` (a name without version, e.g. "wasi:io/poll").
void def(Linker& linker, const char* iface, const char* func, component::HostCallback cb);
// Defines a host resource `name` of `iface`; `drop` runs when the guest drops
// its last own handle.
void defResource(Linker& linker, const char* iface, const char* name,
                 std::function<void(uint32_t)> drop);
std::string qualified(const char* iface);

// Results.
inline Value okOf(Value v) { return Value::ok({std::move(v)}); }
inline Value errCode(uint32_t code) { return Value::err({Value::enumCase(code)}); }
Value bytesValue(std::span<const uint8_t> bytes);
// list<u8> -> bytes.
std::vector<uint8_t> bytesOf(const Value& list);
// An error naming the function, for host-side refusals that trap.
Error refuse(const HostCall& call, const std::string& why);

// The interface groups.
void defineIo(Linker& linker, const std::shared_ptr<State>& st);
void defineCli(Linker& linker, const std::shared_ptr<State>& st);
void defineClocksRandom(Linker& linker, const std::shared_ptr<State>& st);
void defineFilesystem(Linker& linker, const std::shared_ptr<State>& st);
void defineSockets(Linker& linker, const std::shared_ptr<State>& st);

}  // namespace compono::wasi::p2
