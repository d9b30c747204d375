// Internal: a small bounds-checked reader for the WebAssembly binary format
// (LEB128, names, section framing). Never reads past its span; every failure
// is reported with the byte offset where it happened.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace compono::engine {

class ByteReader {
 public:
  explicit ByteReader(std::span<const uint8_t> data, uint64_t base = 0) : data_(data), base_(base) {}

  uint64_t offset() const { return base_ + pos_; }  // absolute offset in the file
  size_t pos() const { return pos_; }
  size_t remaining() const { return data_.size() - pos_; }
  bool atEnd() const { return pos_ >= data_.size(); }
  bool failed() const { return failed_; }
  const std::string& error() const { return error_; }
  uint64_t errorOffset() const { return errorOffset_; }

  std::optional<uint8_t> u8() {
    if (pos_ >= data_.size()) return fail("unexpected end of data");
    return data_[pos_++];
  }
  // Unsigned LEB128 of at most `bits` bits.
  std::optional<uint64_t> uleb(unsigned bits = 32) {
    uint64_t result = 0;
    unsigned shift = 0;
    const unsigned maxBytes = (bits + 6) / 7;
    for (unsigned i = 0; i < maxBytes; ++i) {
      if (pos_ >= data_.size()) return fail("unexpected end of data in LEB128");
      uint8_t b = data_[pos_++];
      if (i == maxBytes - 1) {
        unsigned usedBits = bits - shift;
        if (usedBits < 7 && (b & 0x7f) >> usedBits) return fail("integer too large");
        if (b & 0x80) return fail("integer representation too long");
      }
      result |= static_cast<uint64_t>(b & 0x7f) << shift;
      shift += 7;
      if (!(b & 0x80)) return result;
    }
    return fail("integer representation too long");
  }
  // Signed LEB128 of at most `bits` bits.
  std::optional<int64_t> sleb(unsigned bits = 32) {
    int64_t result = 0;
    unsigned shift = 0;
    const unsigned maxBytes = (bits + 6) / 7;
    uint8_t b = 0;
    for (unsigned i = 0;; ++i) {
      if (i >= maxBytes) return fail("integer representation too long");
      if (pos_ >= data_.size()) return fail("unexpected end of data in LEB128");
      b = data_[pos_++];
      result |= static_cast<int64_t>(static_cast<uint64_t>(b & 0x7f) << shift);
      shift += 7;
      if (!(b & 0x80)) break;
    }
    if (shift < 64 && (b & 0x40)) result |= static_cast<int64_t>(~uint64_t{0} << shift);
    return result;
  }
  std::optional<std::span<const uint8_t>> bytes(uint64_t n) {
    if (n > remaining()) return fail("length out of bounds");
    auto s = data_.subspan(pos_, static_cast<size_t>(n));
    pos_ += static_cast<size_t>(n);
    return s;
  }
  // A length-prefixed UTF-8 name (validity is the caller's concern).
  std::optional<std::string_view> name() {
    auto n = uleb();
    if (!n) return std::nullopt;
    auto b = bytes(*n);
    if (!b) return std::nullopt;
    return std::string_view(reinterpret_cast<const char*>(b->data()), b->size());
  }
  bool skip(uint64_t n) { return bytes(n).has_value(); }

 private:
  std::nullopt_t fail(const char* msg) {
    if (!failed_) {
      failed_ = true;
      error_ = msg;
      errorOffset_ = offset();
    }
    pos_ = data_.size();
    return std::nullopt;
  }

  std::span<const uint8_t> data_;
  uint64_t base_;
  size_t pos_ = 0;
  bool failed_ = false;
  std::string error_;
  uint64_t errorOffset_ = 0;
};

}  // namespace compono::engine
