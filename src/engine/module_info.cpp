// Section framing and the "name" custom section, read with our own
// bounds-checked reader (wabt's IR drops custom sections).
#include "engine/module_info.h"

#include "engine/binary_reader.h"

#include <cstdio>
#include <optional>
#include <string_view>

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

static Error decodeError(const std::string& file, uint64_t offset, const std::string& what) {
  char buf[48];
  snprintf(buf, sizeof buf, ": offset 0x%llx: ", static_cast<unsigned long long>(offset));
  return Error(ErrorCode::kDecode, file + buf + what);
}

// Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, at most U+10FFFF.
static bool isValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t len;
    uint32_t cp;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (s.size() - i < len) return false;
    for (size_t k = 1; k < len; ++k) {
      unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    static const uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += len;
  }
  return true;
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
  std::optional<uint64_t> dataCount, declaredDataCount;
  uint64_t datacountOffset = 0;
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
      // A custom section starts with its name, which must be valid UTF-8
      // (spec 5.5.3); a section that cannot hold it is malformed.
      ByteReader pr(*payload, payloadStart);
      auto n = pr.name();
      if (!n) {
        return decodeError(file, pr.errorOffset(),
                           "malformed custom section name: " + pr.error());
      }
      if (!isValidUtf8(*n)) {
        return decodeError(file, payloadStart, "malformed UTF-8 encoding in a custom section name");
      }
      s.name = std::string(*n);
      if (*n == "name") {
        readNameSection(payload->subspan(pr.pos()), pr.offset(), info);
      }
    } else {
      if (*id == 11 || *id == 12) {
        // The element count of the data section, or the data count section's value.
        ByteReader pr(*payload, payloadStart);
        auto count = pr.uleb();
        if (count) (*id == 11 ? dataCount : declaredDataCount) = *count;
        if (*id == 12) datacountOffset = start;
      }
      s.name = sectionName(*id);
    }
    info.sections.push_back(std::move(s));
  }
  // Spec 5.5.16: the data count section, when present, must equal the
  // number of data segments (0 when there is no data section).
  if (declaredDataCount && *declaredDataCount != dataCount.value_or(0)) {
    return decodeError(file, datacountOffset,
                       "data count and data section have inconsistent lengths (" +
                           std::to_string(*declaredDataCount) + " declared, " +
                           std::to_string(dataCount.value_or(0)) + " segments)");
  }
  if (r.failed()) {
    char buf[64];
    snprintf(buf, sizeof buf, ": offset 0x%llx: ", static_cast<unsigned long long>(r.errorOffset()));
    return Error(ErrorCode::kDecode, file + buf + r.error());
  }
  return okStatus();
}

}  // namespace compono::engine
