// compono/engine/instance.h — instances and the handles to what they export.
//
// Func, Memory, Table and Global are small copyable handles into a Store; they
// do not own anything and are valid while their Store lives. An Instance is a
// move-only view of one instantiated module in a Store.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "compono/engine/types.h"
#include "compono/result.h"

namespace compono::engine {

class Store;
class Module;

// Opaque tier handle of a store object.
using Handle = uint64_t;

class Func {
 public:
  Func() = default;
  Func(Store* store, Handle h) : store_(store), handle_(h) {}
  FuncType type() const;
  // Calls the function with type-checked arguments. Traps and limits come
  // back as errors (ErrorCode::kTrap / kExit) with a wasm backtrace.
  Result<std::vector<Val>> call(std::span<const Val> args) const;
  Handle handle() const { return handle_; }
  Store* store() const { return store_; }
  explicit operator bool() const { return store_ != nullptr; }

 private:
  Store* store_ = nullptr;
  Handle handle_ = 0;
};

class Memory {
 public:
  Memory() = default;
  Memory(Store* store, Handle h) : store_(store), handle_(h) {}
  MemoryType type() const;
  // Base pointer and size in bytes. Invalidated by growth.
  uint8_t* data() const;
  uint64_t size() const;
  uint64_t pages() const { return size() / kWasmPageSize; }
  // Returns the previous size in pages, or an error when the limits forbid it.
  Result<uint64_t> grow(uint64_t deltaPages) const;
  Handle handle() const { return handle_; }
  Store* store() const { return store_; }

 private:
  Store* store_ = nullptr;
  Handle handle_ = 0;
};

class Table {
 public:
  Table() = default;
  Table(Store* store, Handle h) : store_(store), handle_(h) {}
  TableType type() const;
  uint64_t size() const;
  Result<Val> get(uint64_t index) const;
  Status set(uint64_t index, const Val& v) const;
  Result<uint64_t> grow(uint64_t delta, const Val& init) const;
  Handle handle() const { return handle_; }
  Store* store() const { return store_; }

 private:
  Store* store_ = nullptr;
  Handle handle_ = 0;
};

class Global {
 public:
  Global() = default;
  Global(Store* store, Handle h) : store_(store), handle_(h) {}
  GlobalType type() const;
  Val get() const;
  Status set(const Val& v) const;
  Handle handle() const { return handle_; }
  Store* store() const { return store_; }

 private:
  Store* store_ = nullptr;
  Handle handle_ = 0;
};

using Extern = std::variant<Func, Table, Memory, Global>;

ExternKind externKind(const Extern& e);
ExternType externType(const Extern& e);

// Creates standalone store objects (for hosts and for spec tests' "spectest").
Result<Memory> newMemory(Store& store, const MemoryType& type);
Result<Table> newTable(Store& store, const TableType& type, const Val& init);
Result<Global> newGlobal(Store& store, const GlobalType& type, const Val& init);

class Instance {
 public:
  Instance(Store* store, Handle h, std::shared_ptr<const Module> module);
  Instance(Instance&&) = default;
  Instance& operator=(Instance&&) = default;
  Instance(const Instance&) = delete;
  Instance& operator=(const Instance&) = delete;

  std::optional<Extern> getExport(std::string_view name) const;
  std::optional<Func> getFunc(std::string_view name) const;
  std::optional<Memory> getMemory(std::string_view name) const;
  std::optional<Global> getGlobal(std::string_view name) const;
  std::optional<Table> getTable(std::string_view name) const;
  // All exports in definition order.
  std::vector<std::pair<std::string, Extern>> exports() const;

  const Module& module() const { return *module_; }
  std::shared_ptr<const Module> modulePtr() const { return module_; }
  Store& store() const { return *store_; }
  Handle handle() const { return handle_; }

 private:
  Store* store_;
  Handle handle_;
  std::shared_ptr<const Module> module_;
};

}  // namespace compono::engine
