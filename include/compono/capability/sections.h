// compono/capability/sections.h — the top-level sections of a wasm binary.
//
// A small, self-contained walker over the outer framing shared by core
// modules and components: the 8-byte preamble (magic "\0asm", then a 4-byte
// version for core modules = 1 0 0 0, or a 2-byte version and the 2-byte
// layer 1 0 for components), then sections of `id:u8 size:u32(LEB128)
// payload[size]`. Custom sections (id 0) start their payload with a name
// (LEB128 length + bytes). Nothing inside a non-custom section is
// interpreted, so nested modules and components are opaque here.
//
// Contract: every read is bounds-checked; malformed input (truncation, an
// over-long or overflowing LEB128, a section running past the end, a custom
// section name running past its section) is a kDecode error naming the
// byte offset. No input makes these functions crash or allocate more than
// O(input size).
//
// Thread safety: reentrant; no shared state.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "compono/result.h"

namespace compono::capability {

enum class BinaryKind : uint8_t { kCoreModule, kComponent };

struct Section {
  uint8_t id = 0;
  size_t offset = 0;         // of the id byte
  size_t payloadOffset = 0;  // first byte after the size field
  size_t payloadSize = 0;
  size_t end() const { return payloadOffset + payloadSize; }
  // Custom sections (id 0) only:
  std::string name;          // bytes as they appear (not validated as UTF-8)
  size_t contentOffset = 0;  // first byte after the name
  // True when the size (and, for custom sections, the name length) use the
  // shortest LEB128 encoding.
  bool canonical = true;
};

struct SectionList {
  BinaryKind kind = BinaryKind::kCoreModule;
  uint16_t version = 0;  // 1 for core modules; the component-model version (e.g. 0x0d)
  std::vector<Section> sections;
};

inline constexpr size_t kPreambleSize = 8;

// Walks the top-level sections of `bytes`.
Result<SectionList> walkSections(std::span<const uint8_t> bytes);

// Appends the encoding of a custom section (minimal LEB128s) to `out`.
void appendCustomSection(std::vector<uint8_t>& out, std::string_view name,
                         std::span<const uint8_t> content);

}  // namespace compono::capability
