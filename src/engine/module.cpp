#include "compono/engine/module.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>

#include "engine/module_info.h"
#include "engine/sha256.h"
#include "engine/tier.h"

namespace compono::engine {

bool hasWasmMagic(std::span<const uint8_t> b) {
  return b.size() >= 4 && b[0] == 0 && b[1] == 'a' && b[2] == 's' && b[3] == 'm';
}

Module::Module(const Engine& engine, std::vector<uint8_t> bytes, std::string name)
    : engine_(&engine),
      bytes_(std::move(bytes)),
      name_(std::move(name)),
      compiled_(std::make_unique<internal::CompiledCache>()) {}

Module::~Module() = default;

Result<std::shared_ptr<const Module>> Module::fromBinary(const Engine& engine,
                                                         std::span<const uint8_t> bytes,
                                                         std::string name) {
  if (!hasWasmMagic(bytes)) {
    return Error(ErrorCode::kDecode,
                 name + ": offset 0x0: not a WebAssembly binary (missing \\0asm magic)");
  }
  if (bytes.size() < 8) {
    return Error(ErrorCode::kDecode, name + ": offset 0x4: truncated header (" +
                                         std::to_string(bytes.size()) + " bytes)");
  }
  uint32_t version = bytes[4] | (bytes[5] << 8) | (bytes[6] << 16) | (static_cast<uint32_t>(bytes[7]) << 24);
  if (version == 0x0001000d) {
    return Error(ErrorCode::kDecode,
                 name + ": this is a WebAssembly component, not a core module; "
                        "component commands accept it (compono run/call/inspect)");
  }
  if (version != 1) {
    char buf[128];
    snprintf(buf, sizeof buf, ": offset 0x4: unknown binary version 0x%x (expected 1)", version);
    return Error(ErrorCode::kDecode, name + buf);
  }
  std::shared_ptr<Module> m(new Module(engine, std::vector<uint8_t>(bytes.begin(), bytes.end()),
                                       std::move(name)));
  COMPONO_TRY(scanSections(m->bytes_, m->name_, m->info_));
  // Decoding and validation happen in the interpreter's loader; its artifact
  // (unmetered) is kept so an interpreted run does not decode twice.
  COMPONO_ASSIGN(auto interp, internal::interpLoad(*m, &m->info_));
  (void)m->compiled_->getOrCreate(internal::kTierInterp, internal::MeterConfig{},
                                  [&]() -> Result<std::shared_ptr<const internal::TierModule>> {
                                    return interp;
                                  });
  m->sha256_ = sha256Hex(m->bytes_);
  return std::shared_ptr<const Module>(std::move(m));
}

static bool looksLikeText(std::span<const uint8_t> b) {
  for (uint8_t c : b) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') continue;
    return c == '(' || c == ';';
  }
  return false;
}

Result<std::shared_ptr<const Module>> Module::fromText(const Engine& engine, std::string_view text,
                                                       std::string name) {
  COMPONO_ASSIGN(std::vector<uint8_t> bin, watToBinary(text, name));
  return fromBinary(engine, bin, std::move(name));
}

Result<std::vector<uint8_t>> readFileBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Error(ErrorCode::kIo, path + ": cannot open: " + std::strerror(errno));
  }
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return Error(ErrorCode::kIo, path + ": read error: " + std::strerror(errno));
  return bytes;
}

Result<std::shared_ptr<const Module>> Module::fromFile(const Engine& engine, const std::string& path) {
  COMPONO_ASSIGN(std::vector<uint8_t> bytes, readFileBytes(path));
  if (hasWasmMagic(bytes)) return fromBinary(engine, bytes, path);
  if (looksLikeText(bytes)) {
    std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    return fromText(engine, text, path);
  }
  if (bytes.empty()) return Error(ErrorCode::kDecode, path + ": offset 0x0: empty file");
  return Error(ErrorCode::kDecode, path +
                                       ": offset 0x0: not a WebAssembly module (neither the binary "
                                       "magic \\0asm nor text starting with '(')");
}

std::optional<ExportType> Module::exportType(std::string_view name) const {
  for (const ExportType& e : info_.exports) {
    if (e.name == name) return e;
  }
  return std::nullopt;
}

std::string Module::funcName(uint32_t funcIndex) const {
  auto it = info_.funcNames.find(funcIndex);
  if (it != info_.funcNames.end()) return it->second;
  return "";
}

}  // namespace compono::engine
