// compono/engine/module.h — a decoded, validated core WebAssembly module.
//
// A Module is immutable once created and safe to share between threads and
// Stores (hold it by shared_ptr). Creating one decodes and validates the
// whole binary; every error names the file, the byte offset (or line for text)
// and what is wrong.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "compono/engine/engine.h"
#include "compono/engine/types.h"
#include "compono/result.h"

namespace compono::engine {

struct SectionInfo {
  uint8_t id = 0;       // binary section id (0 = custom)
  std::string name;     // "type", "import", ..., or the custom section's name
  uint64_t offset = 0;  // offset of the section's payload in the file
  uint64_t size = 0;    // payload size in bytes
};

// Everything `compono inspect` shows; computed once when the module is created.
struct ModuleInfo {
  std::string name;  // from the name section, else empty
  uint64_t byteSize = 0;
  std::vector<ImportType> imports;
  std::vector<ExportType> exports;
  std::vector<MemoryType> memories;  // defined (not imported)
  std::vector<TableType> tables;     // defined
  std::vector<GlobalType> globals;   // defined
  uint32_t importedFuncs = 0;
  uint32_t definedFuncs = 0;
  uint32_t dataSegments = 0;
  uint32_t elemSegments = 0;
  std::optional<uint32_t> startFunc;
  std::vector<SectionInfo> sections;  // in file order, custom sections included
  std::map<uint32_t, std::string> funcNames;  // function index -> name (name section)
};

namespace internal {
class CompiledCache;
}

class Module {
 public:
  // Decodes and validates a binary module. `name` is used in error messages
  // and backtraces (usually the file name).
  static Result<std::shared_ptr<const Module>> fromBinary(const Engine& engine,
                                                          std::span<const uint8_t> bytes,
                                                          std::string name);
  // Parses the text format (.wat). The text parser runs in an isolated child
  // process: a parser crash becomes an error, never a crash of the caller.
  static Result<std::shared_ptr<const Module>> fromText(const Engine& engine,
                                                        std::string_view text, std::string name);
  // Reads a file and dispatches on its content (binary magic or text).
  static Result<std::shared_ptr<const Module>> fromFile(const Engine& engine,
                                                        const std::string& path);

  ~Module();
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;

  const std::string& name() const { return name_; }
  const ModuleInfo& info() const { return info_; }
  const std::vector<ImportType>& imports() const { return info_.imports; }
  const std::vector<ExportType>& exports() const { return info_.exports; }
  std::optional<ExportType> exportType(std::string_view name) const;
  std::span<const uint8_t> bytes() const { return bytes_; }
  // Hex SHA-256 of bytes(); names the module everywhere (cache, logs).
  const std::string& sha256() const { return sha256_; }
  // Name of a function for backtraces: name section, else export name, else "".
  std::string funcName(uint32_t funcIndex) const;

  const Engine& engine() const { return *engine_; }
  internal::CompiledCache& compiled() const { return *compiled_; }

 private:
  Module(const Engine& engine, std::vector<uint8_t> bytes, std::string name);
  const Engine* engine_;
  std::vector<uint8_t> bytes_;
  std::string name_;
  std::string sha256_;
  ModuleInfo info_;
  std::unique_ptr<internal::CompiledCache> compiled_;
};

// Converts wasm text to binary in an isolated child process (see fromText).
// Errors carry "NAME:LINE:COL: message".
Result<std::vector<uint8_t>> watToBinary(std::string_view text, const std::string& name);

// Reads a whole file; the error names the path and the OS reason.
Result<std::vector<uint8_t>> readFileBytes(const std::string& path);

// True if bytes begin with the wasm binary magic "\0asm".
bool hasWasmMagic(std::span<const uint8_t> bytes);

}  // namespace compono::engine
