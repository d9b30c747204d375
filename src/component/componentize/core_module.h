// Internal: the small core modules a component needs around the guest's
// module (the shim that holds lowered imports in a table and the fixup that
// fills it), and custom-section surgery on core module binaries.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "compono/engine/types.h"
#include "compono/result.h"

namespace compono::component::componentize {

// Builds a core module binary (WebAssembly 1.0 sections only).
class CoreModuleBuilder {
 public:
  uint32_t addType(const engine::FuncType& type);  // deduplicated
  uint32_t importFunc(const std::string& module, const std::string& name, uint32_t type);
  void importTable(const std::string& module, const std::string& name, const engine::TableType& t);
  uint32_t addTable(const engine::TableType& t);
  // A function whose body is `code` (instructions and the final `end`, no locals).
  uint32_t addFunc(uint32_t type, std::vector<uint8_t> code);
  void exportFunc(const std::string& name, uint32_t func);
  void exportTable(const std::string& name, uint32_t table);
  void setStart(uint32_t func) { start_ = func; }
  // An active element segment of table 0 at `offset`.
  void addElements(uint32_t offset, std::vector<uint32_t> funcs);
  std::vector<uint8_t> finish() const;

 private:
  struct Import {
    std::string module, name;
    uint8_t kind = 0;  // 0 func, 1 table
    uint32_t type = 0;
    engine::TableType table;
  };
  struct Export {
    std::string name;
    uint8_t kind = 0;
    uint32_t index = 0;
  };
  std::vector<engine::FuncType> types_;
  std::vector<Import> imports_;
  uint32_t importedFuncs_ = 0, importedTables_ = 0;
  std::vector<engine::TableType> tables_;
  std::vector<std::pair<uint32_t, std::vector<uint8_t>>> funcs_;  // type, code
  std::vector<Export> exports_;
  std::optional<uint32_t> start_;
  std::vector<std::pair<uint32_t, std::vector<uint32_t>>> elements_;
};

// `call_indirect` trampoline body: forwards every parameter of `type` (the
// function's own type, index `typeIndex`) to table 0 entry `slot`.
std::vector<uint8_t> trampolineBody(const engine::FuncType& type, uint32_t typeIndex,
                                    uint32_t slot);

struct CustomSectionRef {
  std::string name;
  std::vector<uint8_t> payload;
};
// The custom sections of a core module, in order. kDecode on framing errors.
Result<std::vector<CustomSectionRef>> customSections(std::span<const uint8_t> module,
                                                     const std::string& where);
// The module without the custom sections whose name starts with `prefix`.
Result<std::vector<uint8_t>> withoutCustomSections(std::span<const uint8_t> module,
                                                   const std::string& prefix,
                                                   const std::string& where);

// wasi_snapshot_preview1 adapters (built by Rust with a `__stack_pointer`
// global that starts at 0 and an `allocation_state` global) expect the
// component tool to give them a stack lazily, as wit-component does: this
// adds a function that, on first use, allocates 64 KiB with the imported
// `__main_module__.cabi_realloc` and points `__stack_pointer` at its end,
// and calls it first thing in every exported function. A module without
// those globals (by name) or that import is returned unchanged.
Result<std::vector<uint8_t>> injectLazyStack(std::span<const uint8_t> module,
                                             const std::string& where);

}  // namespace compono::component::componentize
