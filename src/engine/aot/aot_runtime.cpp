#include "engine/aot/aot_runtime.h"

#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

#include <atomic>
#include <cstdarg>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <vector>

#include "wasm-rt.h"

namespace compono::engine::aot {
namespace {

constexpr uint64_t kPageSize = 65536;
// Each linear memory reserves 8 GiB: any 32-bit address plus a 32-bit
// offset lands inside it, so out-of-bounds accesses hit PROT_NONE pages.
constexpr uint64_t kReservation = 0x200000000ull;
constexpr size_t kMaxRegions = 1 << 16;
constexpr size_t kAltStackSize = 64 * 1024;

// Linear-memory reservations, readable from the signal handler without locks.
struct Region {
  std::atomic<uintptr_t> base{0};
};
Region gRegions[kMaxRegions];
std::atomic<size_t> gRegionHigh{0};

void addRegion(void* base) {
  for (size_t i = 0; i < kMaxRegions; ++i) {
    uintptr_t expected = 0;
    if (gRegions[i].base.compare_exchange_strong(expected, reinterpret_cast<uintptr_t>(base))) {
      size_t high = gRegionHigh.load();
      while (high < i + 1 && !gRegionHigh.compare_exchange_weak(high, i + 1)) {
      }
      return;
    }
  }
  // More than 65536 live memories: out-of-bounds faults in the extra ones
  // are reported as crashes rather than traps. Never expected in practice.
}

void removeRegion(void* base) {
  size_t high = gRegionHigh.load();
  for (size_t i = 0; i < high; ++i) {
    uintptr_t b = reinterpret_cast<uintptr_t>(base);
    if (gRegions[i].base.compare_exchange_strong(b, 0)) return;
  }
}

// Reservations of freed memories, kept per thread for the next memory the
// thread allocates (a server makes a Store per request): reusing one costs
// an madvise instead of an mmap + munmap of 8 GiB of address space, which
// also change the process's mappings under its mmap lock. A pooled
// reservation stays registered; its pages were given back (MADV_DONTNEED:
// they read as zeros when touched again) and only its first `rwPages` pages
// are accessible.
class MemoryPool {
 public:
  struct Slot {
    uint8_t* base = nullptr;
    uint32_t rwPages = 0;
  };
  static constexpr size_t kMaxSlots = 4;

  ~MemoryPool() {
    for (size_t i = 0; i < count_; ++i) {
      removeRegion(slots_[i].base);
      munmap(slots_[i].base, kReservation);
    }
  }
  bool take(Slot& out) {
    if (count_ == 0) return false;
    out = slots_[--count_];
    return true;
  }
  bool give(Slot s) {
    if (count_ == kMaxSlots) return false;
    slots_[count_++] = s;
    return true;
  }

 private:
  Slot slots_[kMaxSlots];
  size_t count_ = 0;
};

MemoryPool& memoryPool() {
  thread_local MemoryPool pool;
  return pool;
}

bool inRegion(uintptr_t addr) {
  size_t high = gRegionHigh.load(std::memory_order_relaxed);
  for (size_t i = 0; i < high; ++i) {
    uintptr_t b = gRegions[i].base.load(std::memory_order_relaxed);
    if (b && addr >= b && addr < b + kReservation) return true;
  }
  return false;
}

struct ThreadState {
  jmp_buf* target = nullptr;  // innermost invoke()
  int guestDepth = 0;         // invoke() frames on this thread
  int hostDepth = 0;          // host functions running under guest code
  bool altStack = false;
  void* altStackMemory = nullptr;  // kept here so it stays reachable (one per thread)
  uintptr_t stackLow = 0;     // lowest usable address of this thread's stack
  uintptr_t stackHigh = 0;
  uintptr_t trace[64];        // return addresses of the last trap
  int traceLen = 0;
  // Exception-handling state used by generated code (legacy EH proposal).
  jmp_buf* unwindTarget = nullptr;
  uint32_t exceptionTag = 0;
  uint32_t exceptionSize = 0;
  uint8_t exception[256];
  stack_t previousAltStack{};  // what the thread had before (ASan installs its own)

  // At thread exit (C++ thread_local destructors run before the TSD
  // destructors of sanitizers), give the thread its previous alternate
  // signal stack back: ASan unmaps "the current" one when its thread dies
  // and aborts if that is ours.
  ~ThreadState() {
    if (!altStackMemory) return;
    stack_t restore = previousAltStack;
    if (!restore.ss_sp) {
      restore = stack_t{};
      restore.ss_flags = SS_DISABLE;
    }
    if (sigaltstack(&restore, nullptr) == 0) std::free(altStackMemory);
  }
};
thread_local ThreadState tls;

void prepareThread() {
  if (tls.altStack) return;
  tls.altStack = true;
  stack_t ss;
  ss.ss_sp = std::malloc(kAltStackSize);
  tls.altStackMemory = ss.ss_sp;
  ss.ss_size = kAltStackSize;
  ss.ss_flags = 0;
  if (ss.ss_sp && sigaltstack(&ss, &tls.previousAltStack) != 0) {
    std::free(ss.ss_sp);
    tls.altStackMemory = nullptr;
  }
  if (tls.previousAltStack.ss_flags & SS_DISABLE) tls.previousAltStack.ss_sp = nullptr;
  pthread_attr_t attr;
  if (pthread_getattr_np(pthread_self(), &attr) == 0) {
    void* addr;
    size_t size;
    if (pthread_attr_getstack(&attr, &addr, &size) == 0) {
      tls.stackLow = reinterpret_cast<uintptr_t>(addr);
      tls.stackHigh = tls.stackLow + size;
    }
    pthread_attr_destroy(&attr);
  }
}

// Walks the frame-pointer chain from `fp`; async-signal-safe.
void walkFrames(uintptr_t pc, uintptr_t fp) {
  int n = 0;
  if (pc) tls.trace[n++] = pc;
  while (n < 64 && fp >= tls.stackLow && fp + 16 <= tls.stackHigh && (fp & 7) == 0) {
    const uintptr_t* frame = reinterpret_cast<const uintptr_t*>(fp);
    uintptr_t next = frame[0];
    uintptr_t ret = frame[1];
    if (!ret) break;
    tls.trace[n++] = ret - 1;  // inside the call instruction
    if (next <= fp) break;
    fp = next;
  }
  tls.traceLen = n;
}

struct sigaction gOldSegv, gOldBus;

void crashDefault(int sig) {
  struct sigaction& old = sig == SIGSEGV ? gOldSegv : gOldBus;
  sigaction(sig, &old, nullptr);
  // Returning re-executes the faulting instruction under the previous
  // handler (usually the default one: the process dies with the signal).
}

void signalHandler(int sig, siginfo_t* info, void* uctx) {
  if (tls.guestDepth == 0 || tls.hostDepth > 0 || !tls.target) return crashDefault(sig);
  uintptr_t addr = reinterpret_cast<uintptr_t>(info->si_addr);
  int code;
  if (inRegion(addr)) {
    code = WASM_RT_TRAP_OOB;
  } else if (tls.stackLow && addr < tls.stackLow + 64 * 1024 && addr + 1024 * 1024 > tls.stackLow) {
    // In or just below the lowest page the stack may use (the guard).
    code = WASM_RT_TRAP_EXHAUSTION;
  } else {
    return crashDefault(sig);
  }
#if defined(__x86_64__)
  auto* uc = static_cast<ucontext_t*>(uctx);
  walkFrames(static_cast<uintptr_t>(uc->uc_mcontext.gregs[REG_RIP]),
             static_cast<uintptr_t>(uc->uc_mcontext.gregs[REG_RBP]));
#else
  (void)uctx;
  tls.traceLen = 0;
#endif
  // We leave the handler with longjmp, so unblock the signal ourselves.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, sig);
  pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
  longjmp(*tls.target, code);
}

std::once_flag gInitOnce;

struct FuncTypeKey {
  std::vector<wasm_rt_type_t> params, results;
  bool operator==(const FuncTypeKey&) const = default;
};
std::mutex gTypesMu;
std::vector<FuncTypeKey> gTypes;

}  // namespace

void initRuntime() {
  std::call_once(gInitOnce, [] {
    struct sigaction sa;
    std::memset(&sa, 0, sizeof sa);
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    sa.sa_sigaction = signalHandler;
    sigaction(SIGSEGV, &sa, &gOldSegv);
    sigaction(SIGBUS, &sa, &gOldBus);
  });
}

int invoke(Invoker fn, void* instance, Slot* slots) {
  initRuntime();
  prepareThread();
  jmp_buf buf;
  jmp_buf* volatile saved = tls.target;
  volatile int savedHost = tls.hostDepth;
  int code = setjmp(buf);
  if (code == 0) {
    tls.target = &buf;
    ++tls.guestDepth;
    tls.hostDepth = 0;
    fn(instance, slots);
    --tls.guestDepth;
    tls.target = saved;
    tls.hostDepth = savedHost;
    return 0;
  }
  --tls.guestDepth;
  tls.target = saved;
  tls.hostDepth = savedHost;
  return code;
}

std::vector<uintptr_t> takeTrace() {
  std::vector<uintptr_t> out(tls.trace, tls.trace + tls.traceLen);
  tls.traceLen = 0;
  return out;
}

__attribute__((noinline)) std::vector<uintptr_t> captureTrace() {
  walkFrames(0, reinterpret_cast<uintptr_t>(__builtin_frame_address(0)));
  return takeTrace();
}

size_t stackRemaining() {
  if (!tls.stackLow) return SIZE_MAX;
  auto sp = reinterpret_cast<uintptr_t>(__builtin_frame_address(0));
  return sp > tls.stackLow ? sp - tls.stackLow : 0;
}

HostScope::HostScope() { ++tls.hostDepth; }
HostScope::~HostScope() { --tls.hostDepth; }

[[noreturn]] void trapFromHost(int trapCode) {
  if (!tls.target) std::abort();
  longjmp(*tls.target, trapCode);
}

}  // namespace compono::engine::aot

using compono::engine::aot::tls;

extern "C" {

void wasm_rt_init(void) { compono::engine::aot::initRuntime(); }
bool wasm_rt_is_initialized(void) { return true; }
void wasm_rt_free(void) {}

void wasm_rt_trap(wasm_rt_trap_t code) {
  if (!tls.target) std::abort();  // a trap outside any invoke(): a Compono bug
  compono::engine::aot::walkFrames(0, reinterpret_cast<uintptr_t>(__builtin_frame_address(0)));
  // Generated code also passes Compono's own codes (100+), which are outside
  // the enum's range: read the raw bits rather than the enum value.
  int raw = 0;
  static_assert(sizeof(code) <= sizeof(raw));
  std::memcpy(&raw, &code, sizeof(code));
  longjmp(*tls.target, raw);
}

const char* wasm_rt_strerror(wasm_rt_trap_t trap) {
  switch (trap) {
    case WASM_RT_TRAP_NONE: return "No error";
    case WASM_RT_TRAP_OOB: return "Out-of-bounds access in linear memory or a table";
    case WASM_RT_TRAP_INT_OVERFLOW: return "Integer overflow on divide or truncation";
    case WASM_RT_TRAP_DIV_BY_ZERO: return "Integer divide by zero";
    case WASM_RT_TRAP_INVALID_CONVERSION: return "Conversion from NaN to integer";
    case WASM_RT_TRAP_UNREACHABLE: return "Unreachable instruction executed";
    case WASM_RT_TRAP_CALL_INDIRECT: return "Invalid call_indirect";
    case WASM_RT_TRAP_UNCAUGHT_EXCEPTION: return "Uncaught exception";
    case WASM_RT_TRAP_EXHAUSTION: return "Call stack exhausted";
  }
  return "Unknown trap";
}

uint32_t wasm_rt_register_func_type(uint32_t params, uint32_t results, ...) {
  using compono::engine::aot::FuncTypeKey;
  FuncTypeKey key;
  va_list ap;
  va_start(ap, results);
  for (uint32_t i = 0; i < params; ++i) key.params.push_back(static_cast<wasm_rt_type_t>(va_arg(ap, int)));
  for (uint32_t i = 0; i < results; ++i) key.results.push_back(static_cast<wasm_rt_type_t>(va_arg(ap, int)));
  va_end(ap);
  std::lock_guard<std::mutex> lock(compono::engine::aot::gTypesMu);
  auto& types = compono::engine::aot::gTypes;
  for (size_t i = 0; i < types.size(); ++i) {
    if (types[i] == key) return static_cast<uint32_t>(i + 1);
  }
  types.push_back(std::move(key));
  return static_cast<uint32_t>(types.size());
}

uint32_t wasm_rt_register_tag(uint32_t size) {
  static std::atomic<uint32_t> count{0};
  if (size > sizeof(tls.exception)) wasm_rt_trap(WASM_RT_TRAP_EXHAUSTION);
  return count++;
}

void wasm_rt_load_exception(uint32_t tag, uint32_t size, const void* values) {
  tls.exceptionTag = tag;
  tls.exceptionSize = size;
  if (size) std::memcpy(tls.exception, values, size);
}

void wasm_rt_throw(void) {
  if (tls.unwindTarget) longjmp(*tls.unwindTarget, WASM_RT_TRAP_UNCAUGHT_EXCEPTION);
  wasm_rt_trap(WASM_RT_TRAP_UNCAUGHT_EXCEPTION);
}

WASM_RT_UNWIND_TARGET* wasm_rt_get_unwind_target(void) { return tls.unwindTarget; }
void wasm_rt_set_unwind_target(WASM_RT_UNWIND_TARGET* target) { tls.unwindTarget = target; }
uint32_t wasm_rt_exception_tag(void) { return tls.exceptionTag; }
uint32_t wasm_rt_exception_size(void) { return tls.exceptionSize; }
void* wasm_rt_exception(void) { return tls.exception; }

void wasm_rt_allocate_memory(wasm_rt_memory_t* memory, uint32_t initial, uint32_t max) {
  using namespace compono::engine::aot;
  memory->data = nullptr;
  memory->pages = memory->size = 0;
  memory->max_pages = max;
  MemoryPool::Slot slot;
  if (!memoryPool().take(slot)) {
    void* addr = mmap(nullptr, kReservation, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (addr == MAP_FAILED) wasm_rt_trap(WASM_RT_TRAP_EXHAUSTION);
    addRegion(addr);
    slot.base = static_cast<uint8_t*>(addr);
  }
  // Exactly the first `initial` pages accessible (all zero).
  bool ok = true;
  if (slot.rwPages < initial) {
    ok = mprotect(slot.base + slot.rwPages * kPageSize, (initial - slot.rwPages) * kPageSize,
                  PROT_READ | PROT_WRITE) == 0;
  } else if (slot.rwPages > initial) {
    ok = mprotect(slot.base + initial * kPageSize, (slot.rwPages - initial) * kPageSize, PROT_NONE) == 0;
  }
  if (!ok) {
    removeRegion(slot.base);
    munmap(slot.base, kReservation);
    wasm_rt_trap(WASM_RT_TRAP_EXHAUSTION);
  }
  uint64_t bytes = static_cast<uint64_t>(initial) * kPageSize;
  memory->data = slot.base;
  memory->pages = initial;
  memory->size = static_cast<uint32_t>(bytes);
}

uint32_t wasm_rt_grow_memory(wasm_rt_memory_t* memory, uint32_t delta) {
  using namespace compono::engine::aot;
  uint32_t old = memory->pages;
  uint64_t next = static_cast<uint64_t>(old) + delta;
  if (next > memory->max_pages || next > 65536) return UINT32_MAX;
  if (delta == 0) return old;
  if (mprotect(memory->data + static_cast<uint64_t>(old) * kPageSize, static_cast<uint64_t>(delta) * kPageSize,
               PROT_READ | PROT_WRITE) != 0) {
    return UINT32_MAX;
  }
  memory->pages = static_cast<uint32_t>(next);
  // 65536 pages is 4 GiB, which does not fit the 32-bit size field; wasm2c
  // code only uses `size` for bulk-memory range checks.
  memory->size = next >= 65536 ? UINT32_MAX : static_cast<uint32_t>(next * kPageSize);
  return old;
}

void wasm_rt_free_memory(wasm_rt_memory_t* memory) {
  using namespace compono::engine::aot;
  if (!memory->data) return;
  uint64_t used = static_cast<uint64_t>(memory->pages) * kPageSize;
  // Zero-fill on next touch: the next instance never sees this one's data.
  bool zeroed = used == 0 || madvise(memory->data, used, MADV_DONTNEED) == 0;
  if (!zeroed || !memoryPool().give({memory->data, memory->pages})) {
    removeRegion(memory->data);
    munmap(memory->data, kReservation);
  }
  memory->data = nullptr;
}

#define COMPONO_TABLE_OPS(type)                                                                   \
  void wasm_rt_allocate_##type##_table(wasm_rt_##type##_table_t* table, uint32_t elements,      \
                                       uint32_t max_elements) {                                  \
    table->size = elements;                                                                      \
    table->max_size = max_elements;                                                              \
    table->data = static_cast<decltype(table->data)>(                                            \
        std::calloc(elements ? elements : 1, sizeof(*table->data)));                             \
    if (!table->data) wasm_rt_trap(WASM_RT_TRAP_EXHAUSTION);                                     \
  }                                                                                              \
  void wasm_rt_free_##type##_table(wasm_rt_##type##_table_t* table) {                            \
    std::free(table->data);                                                                      \
    table->data = nullptr;                                                                       \
  }                                                                                              \
  uint32_t wasm_rt_grow_##type##_table(wasm_rt_##type##_table_t* table, uint32_t delta,          \
                                       wasm_rt_##type##_t init) {                                \
    uint32_t old = table->size;                                                                  \
    uint64_t next = static_cast<uint64_t>(old) + delta;                                          \
    if (next > table->max_size) return UINT32_MAX;                                               \
    if (delta == 0) return old;                                                                  \
    auto* data = static_cast<decltype(table->data)>(std::realloc(table->data, next * sizeof(*table->data))); \
    if (!data) return UINT32_MAX;                                                                \
    for (uint64_t i = old; i < next; ++i) data[i] = init;                                        \
    table->data = data;                                                                          \
    table->size = static_cast<uint32_t>(next);                                                   \
    return old;                                                                                  \
  }

COMPONO_TABLE_OPS(funcref)
COMPONO_TABLE_OPS(externref)

}  // extern "C"
