#include "compono/engine/instance.h"

#include "compono/engine/module.h"
#include "compono/engine/store.h"
#include "engine/tier.h"

namespace compono::engine {

FuncType Func::type() const { return store_->tier().funcType(handle_); }

Result<std::vector<Val>> Func::call(std::span<const Val> args) const {
  if (!store_) return Error(ErrorCode::kUsage, "call of a null function handle");
  FuncType t = type();
  if (args.size() != t.params.size()) {
    return Error(ErrorCode::kUsage, "function expects " + std::to_string(t.params.size()) +
                                        " argument(s) " + t.toString() + ", got " +
                                        std::to_string(args.size()));
  }
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i].type != t.params[i]) {
      return Error(ErrorCode::kUsage, "argument " + std::to_string(i) + " must be " +
                                          valTypeName(t.params[i]) + ", got " +
                                          valTypeName(args[i].type));
    }
  }
  internal::StoreState& st = store_->state();
  COMPONO_TRY(st.enterGuest());
  std::vector<Val> results;
  Status s = store_->tier().call(handle_, args, results);
  st.leaveGuest();
  if (!s.ok()) return std::move(s).error();
  return results;
}

MemoryType Memory::type() const { return store_->tier().memoryType(handle_); }
uint8_t* Memory::data() const { return store_->tier().memoryData(handle_); }
uint64_t Memory::size() const { return store_->tier().memorySize(handle_); }
Result<uint64_t> Memory::grow(uint64_t delta) const {
  return store_->tier().memoryGrow(handle_, delta);
}

TableType Table::type() const { return store_->tier().tableType(handle_); }
uint64_t Table::size() const { return store_->tier().tableSize(handle_); }
Result<Val> Table::get(uint64_t i) const { return store_->tier().tableGet(handle_, i); }
Status Table::set(uint64_t i, const Val& v) const { return store_->tier().tableSet(handle_, i, v); }
Result<uint64_t> Table::grow(uint64_t delta, const Val& init) const {
  return store_->tier().tableGrow(handle_, delta, init);
}

GlobalType Global::type() const { return store_->tier().globalType(handle_); }
Val Global::get() const { return store_->tier().globalGet(handle_); }
Status Global::set(const Val& v) const { return store_->tier().globalSet(handle_, v); }

ExternKind externKind(const Extern& e) {
  switch (e.index()) {
    case 0: return ExternKind::kFunc;
    case 1: return ExternKind::kTable;
    case 2: return ExternKind::kMemory;
    default: return ExternKind::kGlobal;
  }
}

ExternType externType(const Extern& e) {
  ExternType t;
  t.kind = externKind(e);
  switch (t.kind) {
    case ExternKind::kFunc: t.func = std::get<Func>(e).type(); break;
    case ExternKind::kTable: t.table = std::get<Table>(e).type(); break;
    case ExternKind::kMemory: t.memory = std::get<Memory>(e).type(); break;
    case ExternKind::kGlobal: t.global = std::get<Global>(e).type(); break;
    case ExternKind::kTag: break;
  }
  return t;
}

Result<Memory> newMemory(Store& store, const MemoryType& type) {
  COMPONO_ASSIGN(Handle h, store.tier().newMemory(type));
  return Memory(&store, h);
}
Result<Table> newTable(Store& store, const TableType& type, const Val& init) {
  COMPONO_ASSIGN(Handle h, store.tier().newTable(type, init));
  return Table(&store, h);
}
Result<Global> newGlobal(Store& store, const GlobalType& type, const Val& init) {
  COMPONO_ASSIGN(Handle h, store.tier().newGlobal(type, init));
  return Global(&store, h);
}

Instance::Instance(Store* store, Handle h, std::shared_ptr<const Module> module)
    : store_(store), handle_(h), module_(std::move(module)) {}

static Extern makeExtern(Store* store, ExternKind kind, Handle h) {
  switch (kind) {
    case ExternKind::kFunc: return Func(store, h);
    case ExternKind::kTable: return Table(store, h);
    case ExternKind::kMemory: return Memory(store, h);
    default: return Global(store, h);
  }
}

std::vector<std::pair<std::string, Extern>> Instance::exports() const {
  std::vector<std::pair<std::string, Extern>> out;
  for (auto& e : store_->tier().instanceExports(handle_)) {
    if (e.kind == ExternKind::kTag) continue;
    out.emplace_back(e.name, makeExtern(store_, e.kind, e.handle));
  }
  return out;
}

std::optional<Extern> Instance::getExport(std::string_view name) const {
  for (auto& e : store_->tier().instanceExports(handle_)) {
    if (e.name == name && e.kind != ExternKind::kTag) return makeExtern(store_, e.kind, e.handle);
  }
  return std::nullopt;
}

template <typename T>
static std::optional<T> getAs(const Instance& inst, std::string_view name) {
  auto e = inst.getExport(name);
  if (!e || !std::holds_alternative<T>(*e)) return std::nullopt;
  return std::get<T>(*e);
}

std::optional<Func> Instance::getFunc(std::string_view name) const { return getAs<Func>(*this, name); }
std::optional<Memory> Instance::getMemory(std::string_view name) const {
  return getAs<Memory>(*this, name);
}
std::optional<Global> Instance::getGlobal(std::string_view name) const {
  return getAs<Global>(*this, name);
}
std::optional<Table> Instance::getTable(std::string_view name) const {
  return getAs<Table>(*this, name);
}

}  // namespace compono::engine
