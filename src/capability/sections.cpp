// The top-level section walker (core spec 5.5.2 "Sections", component
// model Binary.md "Component Definitions": same framing).
#include "compono/capability/sections.h"

#include <algorithm>
#include <cstdio>

namespace compono::capability {

namespace {

std::string hexOffset(size_t offset) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%zx", offset);
  return buf;
}

Error decodeError(size_t offset, const std::string& why) {
  return Error(ErrorCode::kDecode, "offset " + hexOffset(offset) + ": " + why);
}

// Reads an unsigned LEB128 of at most 32 bits at bytes[pos]; advances pos.
// Sets `minimal` to false when a shorter encoding exists.
Result<uint32_t> readU32(std::span<const uint8_t> bytes, size_t& pos, bool& minimal,
                         const char* what) {
  size_t start = pos;
  uint32_t value = 0;
  for (int i = 0; i < 5; ++i) {
    if (pos >= bytes.size()) {
      return decodeError(start, std::string("unexpected end of input in ") + what);
    }
    uint8_t b = bytes[pos++];
    if (i == 4 && (b & 0xf0) != 0) {
      return decodeError(start, std::string(what) + " does not fit in 32 bits");
    }
    value |= static_cast<uint32_t>(b & 0x7f) << (7 * i);
    if ((b & 0x80) == 0) {
      // A trailing zero group (after the first byte) means a shorter encoding exists.
      if (i > 0 && b == 0) minimal = false;
      return value;
    }
  }
  return decodeError(start, std::string(what) + " is longer than 5 bytes");
}

size_t lebSize(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

void appendLeb(std::vector<uint8_t>& out, uint64_t v) {
  do {
    uint8_t b = v & 0x7f;
    v >>= 7;
    if (v) b |= 0x80;
    out.push_back(b);
  } while (v);
}

}  // namespace

Result<SectionList> walkSections(std::span<const uint8_t> bytes) {
  static constexpr uint8_t kMagic[4] = {0x00, 0x61, 0x73, 0x6d};
  if (bytes.size() < 4 || !std::equal(kMagic, kMagic + 4, bytes.begin())) {
    return Error(ErrorCode::kDecode,
                 "not a WebAssembly module or component (no \\0asm magic at offset 0)");
  }
  if (bytes.size() < kPreambleSize) {
    return decodeError(bytes.size(), "unexpected end of input in the version (8-byte preamble)");
  }
  SectionList list;
  uint16_t version = static_cast<uint16_t>(bytes[4] | bytes[5] << 8);
  uint16_t layer = static_cast<uint16_t>(bytes[6] | bytes[7] << 8);
  if (layer == 0 && version == 1) {
    list.kind = BinaryKind::kCoreModule;
  } else if (layer == 1) {
    list.kind = BinaryKind::kComponent;
  } else {
    return decodeError(4, "unknown version " + std::to_string(version) + " / layer " +
                              std::to_string(layer) +
                              " (expected a core module, version 1, or a component, layer 1)");
  }
  list.version = version;
  size_t pos = kPreambleSize;
  while (pos < bytes.size()) {
    Section s;
    s.offset = pos;
    s.id = bytes[pos++];
    COMPONO_ASSIGN(uint32_t size, readU32(bytes, pos, s.canonical, "section size"));
    s.payloadOffset = pos;
    s.payloadSize = size;
    if (size > bytes.size() - pos) {
      return decodeError(s.offset, "section " + std::to_string(s.id) + " of " +
                                       std::to_string(size) + " bytes runs past the end (" +
                                       std::to_string(bytes.size() - pos) + " bytes left)");
    }
    if (s.id == 0) {
      auto payload = bytes.subspan(0, s.end());
      size_t namePos = s.payloadOffset;
      COMPONO_ASSIGN(uint32_t nameLen,
                     readU32(payload, namePos, s.canonical, "custom section name length"));
      if (nameLen > s.end() - namePos) {
        return decodeError(s.offset, "custom section name of " + std::to_string(nameLen) +
                                         " bytes runs past the end of its section");
      }
      s.name.assign(reinterpret_cast<const char*>(bytes.data() + namePos), nameLen);
      s.contentOffset = namePos + nameLen;
    }
    pos = s.end();
    list.sections.push_back(std::move(s));
  }
  return list;
}

void appendCustomSection(std::vector<uint8_t>& out, std::string_view name,
                         std::span<const uint8_t> content) {
  uint64_t payload = lebSize(name.size()) + name.size() + content.size();
  out.push_back(0);
  appendLeb(out, payload);
  appendLeb(out, name.size());
  out.insert(out.end(), name.begin(), name.end());
  out.insert(out.end(), content.begin(), content.end());
}

}  // namespace compono::capability
