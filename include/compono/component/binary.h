// compono/component/binary.h — component binaries to the AST (ast.h) and back.
//
// Decoding checks the binary grammar only (Binary.md): section framing,
// opcodes, LEB128 ranges, UTF-8 names, vector lengths. Whether indices and
// types are valid is the validator's job (validate.h). Every error is one
// line, code kDecode:
//   "FILE: offset 0x1a2b: section type: unknown type opcode 0x5f"
// Features beyond Component Model 0.2 (async, error-context, stream/future,
// fixed-length lists, maps, values, GC core types, `implements` names) are
// decode errors that name the feature.
//
// Thread safety: reentrant; no shared state.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "compono/component/ast.h"
#include "compono/result.h"

namespace compono::component {

// True when `bytes` starts with the wasm magic and the component layer
// (bytes 6..7 == 0x01 0x00), whatever the version.
bool isComponentBinary(std::span<const uint8_t> bytes);

struct DecodeOptions {
  // Nesting limit for components, component/instance types and module
  // types inside each other (protects the stack on hostile input).
  uint32_t maxDepth = 100;
};

// Decodes a whole component binary. `name` is used in messages (usually the
// file name). The returned AST shares `bytes` (core modules and custom
// sections point into it).
Result<Component> decodeComponent(std::shared_ptr<const std::vector<uint8_t>> bytes,
                                  const std::string& name, const DecodeOptions& options = {});
// Copies `bytes` first.
Result<Component> decodeComponent(std::span<const uint8_t> bytes, const std::string& name,
                                  const DecodeOptions& options = {});
// Reads and decodes a file (kIo when unreadable).
Result<Component> decodeComponentFile(const std::string& path, const DecodeOptions& options = {});

// Encodes the AST. The result decodes to an equal AST (operator==). When
// the AST was decoded and not modified, the bytes are the original ones
// as long as the original used minimal LEB128 encodings (every producer we
// know does; section grouping is taken from Component::sections).
// Precondition: definitions of kind CustomSection/CoreModule hold their bytes.
std::vector<uint8_t> encodeComponent(const Component& component);

}  // namespace compono::component
