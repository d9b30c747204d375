#include "engine/aot/cache.h"

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>

#include "compono/engine/engine.h"
#include "engine/aot/cgen.h"
#include "engine/sha256.h"

namespace compono::engine::aot {

namespace fs = std::filesystem;

namespace {

std::string randomSuffix() {
  std::random_device rd;
  char buf[32];
  snprintf(buf, sizeof buf, "%d-%08x", static_cast<int>(getpid()), rd());
  return buf;
}

std::optional<std::vector<uint8_t>> readAll(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return std::nullopt;
  std::vector<uint8_t> data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return data;
}

std::map<std::string, std::string> readMeta(const fs::path& p) {
  std::map<std::string, std::string> m;
  std::ifstream in(p);
  std::string line;
  while (std::getline(in, line)) {
    size_t eq = line.find('=');
    if (eq != std::string::npos) m[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return m;
}

uint64_t num(const std::map<std::string, std::string>& m, const std::string& k) {
  auto it = m.find(k);
  return it == m.end() ? 0 : std::strtoull(it->second.c_str(), nullptr, 10);
}

// Moves a directory out of the way, then deletes it (so readers never see
// half-deleted entries).
void discard(const fs::path& entry) {
  std::error_code ec;
  fs::path trash = entry.string() + ".trash-" + randomSuffix();
  fs::rename(entry, trash, ec);
  fs::remove_all(ec ? entry : trash, ec);
}

}  // namespace

ArtifactCache::ArtifactCache(const std::string& dir) : root_(dir.empty() ? defaultDir() : dir) {}

std::string ArtifactCache::defaultDir() {
  const char* xdg = std::getenv("XDG_CACHE_HOME");
  if (xdg && *xdg) return std::string(xdg) + "/compono";
  const char* home = std::getenv("HOME");
  return std::string(home && *home ? home : "/tmp") + "/.cache/compono";
}

std::string ArtifactCache::keyFor(std::span<const uint8_t> bytes, const std::string& meterKey,
                                  const CompilerInfo& cc, const CompileOptions& opts) const {
  std::string material = sha256Hex(bytes);
  material += "|meter=" + meterKey;
  material += "|cc=" + cc.identity;
  material += "|flags=" + opts.optLevel;
  for (const char* f : kCompileFlags) material += std::string(" ") + f;
  material += "|glue=" + std::to_string(kGlueAbiVersion) + "." + std::to_string(kCodegenRevision);
  material += "|compono=" + std::string(version());
  return sha256Hex(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(material.data()), material.size()));
}

std::optional<std::string> ArtifactCache::lookup(const std::string& key) const {
  fs::path entry = fs::path(entriesDir()) / key;
  fs::path so = entry / "module.so";
  fs::path meta = entry / "meta";
  std::error_code ec;
  if (!fs::exists(meta, ec)) return std::nullopt;
  auto m = readMeta(meta);
  auto data = readAll(so);
  if (!data || data->size() != num(m, "so_bytes") || sha256Hex(*data) != m["so_sha256"]) {
    discard(entry);  // corrupted or truncated: rebuild
    return std::nullopt;
  }
  return so.string();
}

Result<std::string> ArtifactCache::build(const std::string& key, std::span<const uint8_t> bytes,
                                         const std::string& name, const CompilerInfo& cc,
                                         const CompileOptions& opts, CompileStats* statsOut) const {
  std::error_code ec;
  fs::create_directories(entriesDir(), ec);
  if (ec) return Error(ErrorCode::kIo, "cannot create the cache directory " + entriesDir() + ": " + ec.message());
  fs::path tmp = fs::path(entriesDir()) / (".tmp-" + key.substr(0, 16) + "-" + randomSuffix());
  fs::create_directories(tmp, ec);
  if (ec) return Error(ErrorCode::kIo, "cannot create " + tmp.string() + ": " + ec.message());
  struct Cleanup {
    fs::path p;
    ~Cleanup() {
      std::error_code e;
      fs::remove_all(p, e);
    }
  } cleanup{tmp};

  fs::path so = tmp / "module.so";
  COMPONO_ASSIGN(CompileStats stats, compileModule(bytes, name, cc, opts, tmp.string(), so.string()));
  if (statsOut) *statsOut = stats;
  auto data = readAll(so);
  if (!data) return Error(ErrorCode::kIo, "cannot read the compiled module " + so.string());
  {
    std::ofstream meta(tmp / "meta");
    meta << "so_sha256=" << sha256Hex(*data) << "\n"
         << "so_bytes=" << data->size() << "\n"
         << "module=" << name << "\n"
         << "wasm_bytes=" << stats.wasmBytes << "\n"
         << "c_bytes=" << stats.cBytes << "\n"
         << "compile_ms=" << static_cast<uint64_t>(stats.seconds * 1000) << "\n"
         << "peak_rss_kib=" << stats.peakRssKiB << "\n"
         << "units=" << stats.units << "\n"
         << "created=" << std::chrono::duration_cast<std::chrono::seconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count()
         << "\n";
    if (!meta) return Error(ErrorCode::kIo, "cannot write " + (tmp / "meta").string());
  }
  sync();
  fs::path entry = fs::path(entriesDir()) / key;
  if (::rename(tmp.c_str(), entry.c_str()) != 0) {
    if (errno != ENOTEMPTY && errno != EEXIST) {
      return Error(ErrorCode::kIo, "cannot publish " + entry.string() + ": " + strerror(errno));
    }
    // Another process published the same key first: use its entry (which
    // lookup() verifies), or replace it if it turns out to be corrupted.
    if (auto existing = lookup(key)) return *existing;
    if (::rename(tmp.c_str(), entry.c_str()) != 0) {
      return Error(ErrorCode::kIo, "cannot publish " + entry.string() + ": " + strerror(errno));
    }
  }
  cleanup.p.clear();
  return (entry / "module.so").string();
}

Result<std::vector<CacheEntry>> ArtifactCache::list() const {
  std::vector<CacheEntry> out;
  std::error_code ec;
  if (!fs::exists(entriesDir(), ec)) return out;
  for (auto& d : fs::directory_iterator(entriesDir(), ec)) {
    std::string key = d.path().filename().string();
    if (key.empty() || key[0] == '.' || key.find(".trash-") != std::string::npos) continue;
    auto m = readMeta(d.path() / "meta");
    if (m.empty()) continue;
    CacheEntry e;
    e.key = key;
    e.module = m["module"];
    e.soBytes = num(m, "so_bytes");
    e.wasmBytes = num(m, "wasm_bytes");
    e.cBytes = num(m, "c_bytes");
    e.compileSeconds = static_cast<double>(num(m, "compile_ms")) / 1000.0;
    e.peakRssKiB = num(m, "peak_rss_kib");
    e.units = num(m, "units");
    e.created = static_cast<int64_t>(num(m, "created"));
    out.push_back(std::move(e));
  }
  if (ec) return Error(ErrorCode::kIo, "cannot list " + entriesDir() + ": " + ec.message());
  return out;
}

Result<size_t> ArtifactCache::clean() const {
  std::error_code ec;
  size_t n = 0;
  if (!fs::exists(entriesDir(), ec)) return n;
  for (auto& d : fs::directory_iterator(entriesDir(), ec)) {
    std::string key = d.path().filename().string();
    if (!key.empty() && key[0] != '.' && key.find(".trash-") == std::string::npos) ++n;
    fs::remove_all(d.path(), ec);
  }
  if (ec) return Error(ErrorCode::kIo, "cannot clean " + entriesDir() + ": " + ec.message());
  return n;
}

}  // namespace compono::engine::aot
