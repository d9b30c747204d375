// Section framing and the "name" custom section, read with our own
// bounds-checked reader (wabt's IR drops custom sections).
#include "engine/module_info.h"

#include "engine/binary_reader.h"

namespace compono::engine {

static const char* sectionName(uint8_t id) {
  switch (id) {
    case 1: return "type";
    case 2: return "import";
    case 3: return "function";
    case 4: return "table";
    case 5: return "memory";
    case 6: return "global";
    case 7: return "export";
    case 8: return "start";
    case 9: return "element";
    case 10: return "code";
    case 11: return "data";
    case 12: return "datacount";
    case 13: return "tag";
    default: return "unknown";
  }
}

static void readNameSection(std::span<const uint8_t> payload, uint64_t base, ModuleInfo& info) {
  ByteReader r(payload, base);
  while (!r.atEnd() && !r.failed()) {
    auto id = r.u8();
    auto size = r.uleb();
    if (!id || !size) return;
    auto sub = r.bytes(*size);
    if (!sub) return;
    ByteReader s(*sub);
    if (*id == 0) {
      if (auto n = s.name()) info.name = std::string(*n);
    } else if (*id == 1) {
      auto count = s.uleb();
      if (!count) return;
      for (uint64_t i = 0; i < *count && !s.failed(); ++i) {
        auto idx = s.uleb();
        auto n = s.name();
        if (!idx || !n) return;
        info.funcNames[static_cast<uint32_t>(*idx)] = std::string(*n);
      }
    }
  }
}

Status scanSections(std::span<const uint8_t> bytes, const std::string& file, ModuleInfo& info) {
  info.byteSize = bytes.size();
  if (bytes.size() < 8) {
    return Error(ErrorCode::kDecode, file + ": offset 0x0: file too short to be a wasm module (" +
                                         std::to_string(bytes.size()) + " bytes)");
  }
  ByteReader r(bytes.subspan(8), 8);
  while (!r.atEnd()) {
    uint64_t start = r.offset();
    auto id = r.u8();
    auto size = r.uleb();
    if (!id || !size) break;
    SectionInfo s;
    s.id = *id;
    uint64_t payloadStart = r.offset();
    auto payload = r.bytes(*size);
    if (!payload) {
      char buf[160];
      snprintf(buf, sizeof buf, "%s: offset 0x%llx: section %u declares %llu bytes but only %llu remain",
               file.c_str(), static_cast<unsigned long long>(start), *id,
               static_cast<unsigned long long>(*size),
               static_cast<unsigned long long>(bytes.size() - payloadStart));
      return Error(ErrorCode::kDecode, buf);
    }
    s.offset = payloadStart;
    s.size = *size;
    if (*id == 0) {
      ByteReader pr(*payload, payloadStart);
      auto n = pr.name();
      s.name = n ? std::string(*n) : std::string("<malformed custom section>");
      if (n && *n == "name") {
        readNameSection(payload->subspan(pr.pos()), pr.offset(), info);
      }
    } else {
      s.name = sectionName(*id);
    }
    info.sections.push_back(std::move(s));
  }
  if (r.failed()) {
    char buf[64];
    snprintf(buf, sizeof buf, ": offset 0x%llx: ", static_cast<unsigned long long>(r.errorOffset()));
    return Error(ErrorCode::kDecode, file + buf + r.error());
  }
  return okStatus();
}

}  // namespace compono::engine
