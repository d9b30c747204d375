#include "component/binary/reader.h"

#include <cstdio>

namespace compono::component::binary {

std::string hexOffset(uint64_t offset) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(offset));
  return buf;
}

bool Reader::fail(uint64_t at, const std::string& what) {
  if (!error_) {
    error_ = Error(ErrorCode::kDecode,
                   file_ + ": offset " + hexOffset(at) + ": section " + section_ + ": " + what);
  }
  pos_ = end_;
  return false;
}

static std::string truncatedMessage(const char* what) {
  return std::string("unexpected end of section while reading ") + what;
}

uint8_t Reader::u8(const char* what) {
  if (failed()) return 0;
  if (pos_ >= end_) {
    fail(truncatedMessage(what));
    return 0;
  }
  return at(pos_++);
}

uint64_t Reader::uleb(unsigned bits, const char* what) {
  // The last byte (at shift 28 for 32 bits, 63 for 64) must end the number
  // and may use only the bits left below `bits` (Binary.md / core spec 5.2.2).
  const unsigned lastShift = (bits - 1) / 7 * 7;
  const unsigned unused = 0x7fu & ~((1u << (bits - lastShift)) - 1u);
  uint64_t start = pos_;
  uint64_t result = 0;
  for (unsigned shift = 0;; shift += 7) {
    if (failed()) return 0;
    if (pos_ >= end_) {
      fail(start, truncatedMessage(what));
      return 0;
    }
    uint8_t b = at(pos_++);
    if (shift == lastShift) {
      if (b & 0x80) {
        fail(start, std::string("integer representation too long (") + what + ")");
        return 0;
      }
      if (b & unused) {
        fail(start, "integer too large for u" + std::to_string(bits) + " (" + what + ")");
        return 0;
      }
    }
    result |= static_cast<uint64_t>(b & 0x7f) << shift;
    if (!(b & 0x80)) return result;
  }
}

uint32_t Reader::u32(const char* what) { return static_cast<uint32_t>(uleb(32, what)); }

uint64_t Reader::u64(const char* what) { return uleb(64, what); }

int64_t Reader::sleb(unsigned bits, const char* what) {
  uint64_t start = pos_;
  int64_t result = 0;
  unsigned shift = 0;
  uint8_t b = 0;
  unsigned maxBytes = (bits + 6) / 7;
  for (unsigned i = 0;; ++i) {
    if (failed()) return 0;
    if (pos_ >= end_) {
      fail(start, truncatedMessage(what));
      return 0;
    }
    if (i == maxBytes) {
      fail(start, std::string("integer representation too long (") + what + ")");
      return 0;
    }
    b = at(pos_++);
    if (shift < 64) result |= static_cast<int64_t>(static_cast<uint64_t>(b & 0x7f) << shift);
    shift += 7;
    if (!(b & 0x80)) break;
  }
  if (shift < 64 && (b & 0x40)) result |= static_cast<int64_t>(~uint64_t{0} << shift);
  // Range check: the value must fit in `bits` signed bits.
  if (bits >= 64) return result;
  int64_t lo = -(static_cast<int64_t>(1) << (bits - 1));
  int64_t hi = (static_cast<int64_t>(1) << (bits - 1)) - 1;
  if (result < lo || result > hi) {
    fail(start, std::string("integer too large (") + what + ")");
    return 0;
  }
  return result;
}

uint32_t Reader::fixedU32(const char* what) {
  if (failed()) return 0;
  if (remaining() < 4) {
    fail(truncatedMessage(what));
    return 0;
  }
  uint32_t v = at(pos_) | (at(pos_ + 1) << 8) | (at(pos_ + 2) << 16) |
               (static_cast<uint32_t>(at(pos_ + 3)) << 24);
  pos_ += 4;
  return v;
}

uint64_t Reader::fixedU64(const char* what) {
  uint64_t lo = fixedU32(what);
  uint64_t hi = fixedU32(what);
  return lo | (hi << 32);
}

bool validUtf8(const uint8_t* s, size_t n) {
  size_t i = 0;
  while (i < n) {
    uint8_t c = s[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    uint32_t cp;
    if ((c & 0xe0) == 0xc0) {
      len = 2;
      cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      len = 3;
      cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + len > n) return false;
    for (size_t k = 1; k < len; ++k) {
      if ((s[i + k] & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (s[i + k] & 0x3f);
    }
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000)) {
      return false;
    }
    if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += len;
  }
  return true;
}

std::string Reader::name(const char* what) {
  uint64_t start = pos_;
  uint32_t len = u32(what);
  if (failed()) return {};
  if (len > remaining()) {
    fail(start, std::string(what) + ": length " + std::to_string(len) + " runs past the end (" +
                    std::to_string(remaining()) + " bytes left)");
    return {};
  }
  const uint8_t* p = buf_.data() + (pos_ - base_);
  if (!validUtf8(p, len)) {
    fail(pos_, std::string(what) + ": malformed UTF-8 encoding");
    return {};
  }
  pos_ += len;
  return std::string(reinterpret_cast<const char*>(p), len);
}

uint32_t Reader::count(const char* what, uint32_t minElementSize) {
  uint64_t start = pos_;
  uint32_t n = u32(what);
  if (failed()) return 0;
  if (minElementSize > 0 && static_cast<uint64_t>(n) * minElementSize > remaining()) {
    fail(start, std::string(what) + ": count " + std::to_string(n) + " is larger than the " +
                    std::to_string(remaining()) + " bytes left");
    return 0;
  }
  return n;
}

void Reader::skip(uint64_t n, const char* what) {
  if (failed()) return;
  if (n > remaining()) {
    fail(truncatedMessage(what));
    return;
  }
  pos_ += n;
}

}  // namespace compono::component::binary
