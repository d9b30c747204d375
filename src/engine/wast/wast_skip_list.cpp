// Skip lists of the .wast runner and the totals helpers (see compono/engine/wast.h).
#include <set>
#include <utility>

#include "compono/engine/module.h"
#include "compono/engine/wast.h"

namespace compono::engine::wast {

namespace {

std::string_view trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string_view::npos) return {};
  size_t e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

}  // namespace

Result<std::vector<SkipEntry>> parseSkipList(const std::string& text, const std::string& name) {
  std::vector<SkipEntry> out;
  std::set<std::pair<std::string, uint32_t>> seen;
  size_t pos = 0;
  uint32_t listLine = 0;
  while (pos <= text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    std::string_view line = trim(std::string_view(text).substr(pos, nl - pos));
    pos = nl + 1;
    ++listLine;
    if (line.empty() || line[0] == '#') continue;
    auto fail = [&](const std::string& why) {
      return Error(ErrorCode::kUsage, name + ":" + std::to_string(listLine) + ": " + why +
                                          " (expected \"FILE:LINE reason\")");
    };
    size_t space = line.find_first_of(" \t");
    std::string_view location = line.substr(0, space);
    std::string_view reason =
        space == std::string_view::npos ? std::string_view() : trim(line.substr(space));
    size_t colon = location.rfind(':');
    if (colon == std::string_view::npos || colon == 0) return fail("no FILE:LINE");
    std::string_view digits = location.substr(colon + 1);
    if (digits.empty() || digits.size() > 9 ||
        digits.find_first_not_of("0123456789") != std::string_view::npos) {
      return fail("bad line number '" + std::string(digits) + "'");
    }
    SkipEntry e;
    e.file = std::string(location.substr(0, colon));
    e.line = static_cast<uint32_t>(std::stoul(std::string(digits)));
    if (e.line == 0) return fail("line numbers start at 1");
    if (reason.empty()) return fail("the entry for " + std::string(location) + " has no reason");
    e.reason = std::string(reason);
    if (!seen.emplace(e.file, e.line).second) {
      return fail("duplicate entry for " + std::string(location));
    }
    out.push_back(std::move(e));
  }
  return out;
}

Result<std::vector<SkipEntry>> loadSkipList(const std::string& path) {
  COMPONO_ASSIGN(std::vector<uint8_t> bytes, readFileBytes(path));
  return parseSkipList(std::string(bytes.begin(), bytes.end()), path);
}

void addTotals(WastTotals& into, const WastTotals& from) {
  into.passed += from.passed;
  into.failed += from.failed;
  into.skipped += from.skipped;
  into.staleSkips += from.staleSkips;
  into.notOnThisTier += from.notOnThisTier;
  into.failures.insert(into.failures.end(), from.failures.begin(), from.failures.end());
  into.staleSkipEntries.insert(into.staleSkipEntries.end(), from.staleSkipEntries.begin(),
                               from.staleSkipEntries.end());
}

std::string formatTotals(const WastTotals& t) {
  std::string s = std::to_string(t.passed) + " passed, " + std::to_string(t.failed) + " failed, " +
                  std::to_string(t.skipped) + " skipped";
  if (t.notOnThisTier) s += " (" + std::to_string(t.notOnThisTier) + " not runnable on this tier)";
  return s + ", " + std::to_string(t.staleSkips) + " stale skip entries";
}

std::string formatFailure(const CommandFailure& f) {
  return f.file + ":" + std::to_string(f.line) + ": " + f.command + ": " + f.message;
}

}  // namespace compono::engine::wast
