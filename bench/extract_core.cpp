// extract_core: writes the N-th core module embedded in a component binary.
//
//   extract_core COMPONENT.wasm OUT.wasm [N]     (N counts from 0; default 0)
//
// A component is "\0asm" + version 0x0d 0x00 + layer 0x01 0x00, then sections
// (id: u8, size: LEB128 u32, payload). A core-module section (id 1) holds a
// whole core module binary as its payload (Component Model, Binary.md,
// "core:module"). Only top-level sections are looked at: modules nested in
// inner components are not counted.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace {

constexpr uint8_t kCoreModuleSection = 1;

bool readLeb(const std::vector<uint8_t>& b, size_t& pos, uint64_t& out) {
  out = 0;
  for (int shift = 0; shift < 35; shift += 7) {
    if (pos >= b.size()) return false;
    uint8_t byte = b[pos++];
    out |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if (!(byte & 0x80)) return true;
  }
  return false;
}

int fail(const std::string& msg) {
  std::fprintf(stderr, "extract_core: %s\n", msg.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3 || argc > 4) {
    std::fprintf(stderr, "usage: extract_core COMPONENT.wasm OUT.wasm [N]\n");
    return 2;
  }
  std::string in = argv[1], out = argv[2];
  long want = argc == 4 ? std::strtol(argv[3], nullptr, 10) : 0;
  std::ifstream f(in, std::ios::binary);
  if (!f) return fail(in + ": cannot open");
  std::vector<uint8_t> b((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  static const uint8_t kHeader[8] = {0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00};
  if (b.size() < 8 || !std::equal(kHeader, kHeader + 8, b.begin())) {
    return fail(in + ": not a component binary (expected \\0asm, version 0x0d, layer 1)");
  }
  size_t pos = 8;
  long seen = 0;
  while (pos < b.size()) {
    size_t at = pos;
    uint8_t id = b[pos++];
    uint64_t size = 0;
    if (!readLeb(b, pos, size) || size > b.size() - pos) {
      return fail(in + ": malformed section header at byte offset " + std::to_string(at));
    }
    if (id == kCoreModuleSection && seen++ == want) {
      std::ofstream o(out, std::ios::binary);
      o.write(reinterpret_cast<const char*>(b.data() + pos), static_cast<std::streamsize>(size));
      if (!o) return fail(out + ": cannot write");
      std::printf("%s: core module %ld at byte offset %zu, %llu bytes -> %s\n", in.c_str(), want, pos,
                  static_cast<unsigned long long>(size), out.c_str());
      return 0;
    }
    pos += size;
  }
  return fail(in + ": has " + std::to_string(seen) + " top-level core module(s), no module " + std::to_string(want));
}
