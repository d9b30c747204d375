// Internal: Compono's implementation of the wasm2c runtime interface
// (/usr/include/wasm-rt.h) and the entry/exit protocol for native code.
//
// Why our own and not wabt's wasm-rt-impl.c: that one keeps the trap jump
// buffer in a process global (unusable from several threads), turns every
// SIGSEGV in the process into a wasm trap (a crash in host code would unwind
// into the guest's caller), registers function types without locking, and
// leaks most of each memory reservation on free. Here:
//   - trap unwinding uses a per-thread stack of jump buffers;
//   - SIGSEGV/SIGBUS become traps only while the faulting thread runs guest
//     code (not host functions called from it) and the address lies in a
//     linear-memory reservation (out of bounds) or the thread's stack guard
//     (call stack exhausted); anything else is re-raised as the crash it is;
//   - every thread that enters guest code gets its own alternate signal stack.
//
// Thread safety: all functions may be called from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace compono::engine::aot {

// One slot of the argument/result buffer shared with generated glue code.
// Must match compono_slot in the generated glue (cgen.cpp).
union Slot {
  uint32_t i32;
  uint64_t i64;
  float f32;
  double f64;
  void* ptr;
  uint8_t v128[16];
  uint8_t bytes[32];  // a wasm_rt_funcref_t by value
};

using Invoker = void (*)(void* instance, Slot* slots);

// Calls `fn(instance, slots)` with trap recovery. Returns 0 when it returned
// normally, else a wasm_rt_trap_t code (WASM_RT_TRAP_*). Re-entrant: a host
// function called from guest code may call this again.
int invoke(Invoker fn, void* instance, Slot* slots);

// Bytes of native stack left below the caller on this thread (SIZE_MAX when
// unknown). Host functions need a reserve: a guest that recursed to the edge
// must trap before host code runs, never overflow inside it.
size_t stackRemaining();

// Marks the current thread as running host code (inside a host function
// called from the guest) for the lifetime of the object.
class HostScope {
 public:
  HostScope();
  ~HostScope();
  HostScope(const HostScope&) = delete;
  HostScope& operator=(const HostScope&) = delete;
};

// Unwinds from a host function back to the nearest invoke(), which returns
// `trapCode`. Precondition: called from glue C code directly under guest
// frames (never across live C++ objects).
[[noreturn]] void trapFromHost(int trapCode);

// Installs the signal handlers once per process.
void initRuntime();

// Return addresses (innermost first) recorded when the last trap on this
// thread was raised; cleared by the call. Frames are found through frame
// pointers (generated code and the engine are built with them).
std::vector<uintptr_t> takeTrace();
// The current thread's return addresses, from the caller of this function
// outwards (for errors raised by host functions).
std::vector<uintptr_t> captureTrace();

}  // namespace compono::engine::aot
