// A bounds-checked reader over a byte buffer with absolute offsets and
// sticky errors, for the component decoder (internal).
//
// After the first error every read returns a zero value and consumes
// nothing; callers check failed() before looping on a count.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "compono/result.h"

namespace compono::component::binary {

// "0x1a2b"
std::string hexOffset(uint64_t offset);

class Reader {
 public:
  // Reads `data`, whose first byte is at absolute offset `base`.
  Reader(std::span<const uint8_t> data, uint64_t base, std::string file)
      : buf_(data), base_(base), file_(std::move(file)) {
    pos_ = base;
    end_ = base + data.size();
  }

  uint64_t pos() const { return pos_; }
  uint64_t end() const { return end_; }
  uint64_t remaining() const { return end_ - pos_; }
  bool atEnd() const { return pos_ >= end_; }
  bool failed() const { return error_.has_value(); }
  const std::string& file() const { return file_; }

  void seek(uint64_t pos) { pos_ = pos; }
  void setEnd(uint64_t end) { end_ = end; }
  // The section named in messages ("type", "canon", ..., or "preamble").
  void setSection(std::string section) { section_ = std::move(section); }
  const std::string& section() const { return section_; }

  // Records the first error: "FILE: offset 0x..: section S: what". Returns false.
  bool fail(uint64_t at, const std::string& what);
  bool fail(const std::string& what) { return fail(pos_, what); }
  Error takeError() { return std::move(*error_); }

  uint8_t u8(const char* what);
  std::optional<uint8_t> peek() const {
    if (failed() || pos_ >= end_) return std::nullopt;
    return buf_[pos_ - base_];
  }
  uint32_t u32(const char* what);
  uint64_t u64(const char* what);
  // Unsigned LEB128 of at most `bits` bits (32 or 64): u32 and u64.
  uint64_t uleb(unsigned bits, const char* what);
  // Signed LEB128 with at most `bits` significant bits (33 for valtype).
  int64_t sleb(unsigned bits, const char* what);
  uint32_t fixedU32(const char* what);
  uint64_t fixedU64(const char* what);
  // A length-prefixed UTF-8 string.
  std::string name(const char* what);
  // A vector count; fails when the count exceeds the remaining bytes
  // divided by `minElementSize` (every element takes at least that much).
  uint32_t count(const char* what, uint32_t minElementSize = 1);
  void skip(uint64_t n, const char* what);

 private:
  uint8_t at(uint64_t pos) const { return buf_[pos - base_]; }
  std::span<const uint8_t> buf_;
  uint64_t base_ = 0;
  std::string file_;
  std::string section_ = "preamble";
  uint64_t pos_ = 0;
  uint64_t end_ = 0;
  std::optional<Error> error_;
};

// True when `s` is valid UTF-8 (no overlongs, surrogates or values past U+10FFFF).
bool validUtf8(const uint8_t* data, size_t size);

}  // namespace compono::component::binary
