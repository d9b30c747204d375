// compono/engine/host.h — host functions, defined once for every tier.
//
// A host function sees typed arguments and a bounds-checked view of the
// calling instance's memory; it never sees which tier runs the guest. It
// returns a Status: an error becomes a trap in the guest (ErrorCode::kTrap with
// TrapCode::kHostError unless the error says otherwise), and Error::exit(n)
// ends the run with that exit status (WASI proc_exit).
//
// Thread safety: a HostFunc definition is immutable and may be shared by any
// number of Stores; the callback runs on the thread that called into the guest.
#pragma once

#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>

#include "compono/engine/instance.h"
#include "compono/engine/types.h"
#include "compono/result.h"

namespace compono::engine {

// A bounds-checked view of a guest's linear memory at one moment. Any call
// back into the guest (which may grow memory) invalidates it: ask the Caller
// for a fresh one afterwards.
class GuestMemory {
 public:
  GuestMemory() = default;
  GuestMemory(uint8_t* base, uint64_t size) : base_(base), size_(size) {}

  uint64_t size() const { return size_; }
  bool valid() const { return base_ != nullptr; }

  bool inBounds(uint64_t addr, uint64_t len) const {
    return addr <= size_ && len <= size_ - addr;
  }
  // A span of `len` bytes at `addr`, or nullopt when any byte is outside memory.
  std::optional<std::span<uint8_t>> bytes(uint64_t addr, uint64_t len) const {
    if (!inBounds(addr, len)) return std::nullopt;
    return std::span<uint8_t>(base_ + addr, static_cast<size_t>(len));
  }
  // Little-endian loads and stores (wasm memory is little-endian, as is every
  // host Compono supports).
  template <typename T>
  std::optional<T> load(uint64_t addr) const {
    static_assert(std::is_trivially_copyable_v<T>);
    if (!inBounds(addr, sizeof(T))) return std::nullopt;
    T v;
    std::memcpy(&v, base_ + addr, sizeof(T));
    return v;
  }
  template <typename T>
  bool store(uint64_t addr, const T& v) const {
    static_assert(std::is_trivially_copyable_v<T>);
    if (!inBounds(addr, sizeof(T))) return false;
    std::memcpy(base_ + addr, &v, sizeof(T));
    return true;
  }
  std::optional<std::string_view> string(uint64_t addr, uint64_t len) const {
    if (!inBounds(addr, len)) return std::nullopt;
    return std::string_view(reinterpret_cast<const char*>(base_ + addr), static_cast<size_t>(len));
  }

 private:
  uint8_t* base_ = nullptr;
  uint64_t size_ = 0;
};

namespace internal {
class CallerImpl;
}

// What a host function can reach of the instance that called it.
class Caller {
 public:
  explicit Caller(internal::CallerImpl* impl) : impl_(impl) {}
  Store& store() const;
  // The caller's exported memory named "memory" (the convention of WASI and
  // the canonical ABI); an invalid view if it exports none.
  GuestMemory memory() const;
  // Any export of the calling instance (e.g. "cabi_realloc").
  std::optional<Extern> getExport(std::string_view name) const;
  // Data the embedder attached to the Store.
  void* data() const;

 private:
  internal::CallerImpl* impl_;
};

using HostCallback =
    std::function<Status(Caller& caller, std::span<const Val> args, std::span<Val> results)>;

struct HostFunc {
  FuncType type;
  HostCallback callback;
  std::string debugName;  // "module.name", for backtraces and errors
};

using HostFuncPtr = std::shared_ptr<const HostFunc>;

namespace detail {
template <typename T>
struct WasmTypeOf;
template <> struct WasmTypeOf<int32_t> { static constexpr ValType value = ValType::kI32; };
template <> struct WasmTypeOf<uint32_t> { static constexpr ValType value = ValType::kI32; };
template <> struct WasmTypeOf<int64_t> { static constexpr ValType value = ValType::kI64; };
template <> struct WasmTypeOf<uint64_t> { static constexpr ValType value = ValType::kI64; };
template <> struct WasmTypeOf<float> { static constexpr ValType value = ValType::kF32; };
template <> struct WasmTypeOf<double> { static constexpr ValType value = ValType::kF64; };

template <typename T>
T fromVal(const Val& v) {
  if constexpr (std::is_same_v<T, int32_t> || std::is_same_v<T, uint32_t>) return static_cast<T>(v.i32);
  else if constexpr (std::is_same_v<T, int64_t> || std::is_same_v<T, uint64_t>) return static_cast<T>(v.i64);
  else if constexpr (std::is_same_v<T, float>) return v.f32;
  else return v.f64;
}
template <typename T>
Val toVal(T x) {
  if constexpr (std::is_same_v<T, int32_t> || std::is_same_v<T, uint32_t>) return Val::makeI32(static_cast<uint32_t>(x));
  else if constexpr (std::is_same_v<T, int64_t> || std::is_same_v<T, uint64_t>) return Val::makeI64(static_cast<uint64_t>(x));
  else if constexpr (std::is_same_v<T, float>) return Val::makeF32(x);
  else return Val::makeF64(x);
}

template <typename R, typename... Args, typename F, size_t... I>
HostFunc makeTyped(F f, std::index_sequence<I...>) {
  HostFunc h;
  h.type.params = {WasmTypeOf<Args>::value...};
  if constexpr (!std::is_void_v<R>) h.type.results = {WasmTypeOf<R>::value};
  h.callback = [f = std::move(f)](Caller& c, std::span<const Val> a, std::span<Val> r) -> Status {
    if constexpr (std::is_void_v<R>) {
      return f(c, fromVal<Args>(a[I])...);
    } else {
      Result<R> out = f(c, fromVal<Args>(a[I])...);
      if (!out.ok()) return std::move(out).error();
      r[0] = toVal<R>(*out);
      return okStatus();
    }
  };
  return h;
}
}  // namespace detail

// Builds a HostFunc from a typed callable:
//   typedHost<uint32_t, uint32_t, uint32_t>([](Caller&, uint32_t a, uint32_t b) -> Result<uint32_t> {...})
// R = void means the callable returns Status and the function has no results.
template <typename R, typename... Args, typename F>
HostFunc typedHost(F f) {
  return detail::makeTyped<R, Args...>(std::move(f), std::index_sequence_for<Args...>{});
}

}  // namespace compono::engine
