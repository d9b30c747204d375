// The component-model .wast runner (wast.h).
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>

#include "component/text/reader.h"
#include "component/text/sexpr.h"
#include "compono/component/binary.h"
#include "compono/component/component.h"
#include "compono/component/instance.h"
#include "compono/component/linker.h"
#include "compono/component/validate.h"
#include "compono/component/wast.h"
#include "compono/engine/module.h"
#include "compono/engine/store.h"

namespace compono::component::wast {

namespace {

using text::SExpr;

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

// Where a form failed: reading the text, decoding the binary, validating.
// kUnsupported: the reader or the decoder refused a feature beyond 0.2.
enum class Stage : uint8_t { kOk, kText, kUnsupported, kDecode, kValidate };

struct Outcome {
  Stage stage = Stage::kOk;
  std::string message;
  std::vector<uint8_t> binary;  // kOk: the component's encoding
  bool isComponent = true;
};

Outcome failed(Stage stage, const Error& e) {
  Outcome o;
  bool postMvp = e.message.find("post-0.2") != std::string::npos;
  o.stage =
      postMvp && (stage == Stage::kText || stage == Stage::kDecode) ? Stage::kUnsupported : stage;
  o.message = e.oneLine();
  return o;
}

// The expected message of an assert_invalid says a feature is not enabled.
bool featureMissingExpected(const std::string& msg) {
  for (const char* w : {"feature", "not enabled", "proposal", "not active"}) {
    if (msg.find(w) != std::string::npos) return true;
  }
  return false;
}

class Runner {
 public:
  Runner(std::string source, std::string path, std::string key, const WastOptions& options)
      : source_(std::move(source)),
        path_(std::move(path)),
        key_(std::move(key)),
        options_(options) {
    for (const SkipEntry& e : options_.skips) {
      if (e.path != key_) continue;
      if (e.line == 0) {
        fileSkip_ = &e;
      } else {
        lineSkips_[e.line] = &e;
      }
    }
  }

  Result<WastTotals> run() {
    auto exprs = text::readSExprs(source_, key_, 300);
    if (!exprs.ok()) return exprs.error();
    for (const SExpr& cmd : *exprs) command(cmd);
    for (auto& [line, e] : lineSkips_) {
      if (!usedSkips_.count(line)) {
        ++totals_.staleSkips;
        log("stale skip entry " + key_ + ":" + std::to_string(line) +
            ": no failing command starts on that line (" + e->reason + ")");
      }
    }
    if (fileSkip_ && fileSkipFailures_ == 0) {
      ++totals_.staleSkips;
      log("stale skip entry " + key_ + ": every command of the script passes");
    }
    return totals_;
  }

 private:
  void log(const std::string& line) {
    if (options_.log) options_.log(line);
  }

  void result(const SExpr& cmd, bool ok, const std::string& why) {
    std::string where = key_ + ":" + std::to_string(cmd.line);
    std::string what = std::string(cmd.head());
    if (ok) {
      ++totals_.passed;
      if (auto it = lineSkips_.find(cmd.line); it != lineSkips_.end()) {
        ++totals_.staleSkips;
        usedSkips_.insert(cmd.line);
        log("stale skip entry " + where + ": the " + what + " command passes now");
      }
      if (options_.verbose) log(where + ": " + what + ": ok");
      return;
    }
    if (auto it = lineSkips_.find(cmd.line); it != lineSkips_.end()) {
      ++totals_.skipped;
      usedSkips_.insert(cmd.line);
      if (options_.verbose)
        log(where + ": " + what + ": skipped (" + it->second->reason + "): " + why);
      return;
    }
    if (fileSkip_) {
      ++totals_.skipped;
      ++fileSkipFailures_;
      if (options_.verbose)
        log(where + ": " + what + ": skipped (" + fileSkip_->reason + "): " + why);
      return;
    }
    ++totals_.failed;
    log(where + ": " + what + " failed: " + why);
  }

  // (component ...) in any of its forms, or a core (module ...).
  Outcome build(const SExpr& form) {
    std::string name = key_ + ":" + std::to_string(form.line);
    if (form.is("module")) return buildCore(form, name);
    if (!form.is("component")) {
      Outcome o;
      o.stage = Stage::kText;
      o.message = name + ": expected (component ...) or (module ...)";
      return o;
    }
    size_t i = 1;
    while (i < form.items.size() && (form.items[i].isId() || form.items[i].isAtom("definition"))) {
      ++i;
    }
    Result<Component> ast = Error(ErrorCode::kInternal, "unset");
    std::optional<std::vector<uint8_t>> bytes;
    if (i < form.items.size() && form.items[i].isAtom("binary")) {
      auto b = text::concatStrings(form, i + 1, name);
      if (!b.ok()) return failed(Stage::kText, b.error());
      bytes = std::vector<uint8_t>(b->begin(), b->end());
    } else if (i < form.items.size() && form.items[i].isAtom("quote")) {
      auto q = text::concatStrings(form, i + 1, name);
      if (!q.ok()) return failed(Stage::kText, q.error());
      std::string quoted = "(component " + *q + ")";
      auto exprs = text::readSExprs(quoted, name + " (quote)", 300);
      if (!exprs.ok()) return failed(Stage::kText, exprs.error());
      if (exprs->size() != 1) {
        return failed(Stage::kText,
                      Error(ErrorCode::kDecode, name + ": unexpected token after the component"));
      }
      ast = text::readComponentFields((*exprs)[0], 1, quoted, name + " (quote)");
    } else {
      ast = text::readComponentFields(form, i, source_, key_);
    }
    if (!bytes) {
      if (!ast.ok()) {
        // An invalid core module is a validation failure, whatever stage found it.
        Stage s = ast.error().code == ErrorCode::kValidate ? Stage::kValidate : Stage::kText;
        return failed(s, ast.error());
      }
      bytes = encodeComponent(*ast);
    }
    auto decoded = decodeComponent(*bytes, name);
    if (!decoded.ok()) return failed(Stage::kDecode, decoded.error());
    Status v = validateComponent(*decoded, name);
    if (!v.ok()) {
      return failed(v.error().code == ErrorCode::kDecode ? Stage::kDecode : Stage::kValidate,
                    v.error());
    }
    Outcome o;
    o.binary = std::move(*bytes);
    return o;
  }

  Outcome buildCore(const SExpr& form, const std::string& name) {
    Outcome o;
    o.isComponent = false;
    size_t i = 1;
    while (i < form.items.size() && (form.items[i].isId() || form.items[i].isAtom("definition"))) {
      ++i;
    }
    std::vector<uint8_t> bytes;
    if (i < form.items.size() && form.items[i].isAtom("binary")) {
      auto b = text::concatStrings(form, i + 1, name);
      if (!b.ok()) return failed(Stage::kText, b.error());
      bytes.assign(b->begin(), b->end());
    } else {
      std::string text = "(module";
      if (i < form.items.size() && form.items[i].isAtom("quote")) {
        auto q = text::concatStrings(form, i + 1, name);
        if (!q.ok()) return failed(Stage::kText, q.error());
        text += " " + *q;
      } else if (i < form.items.size()) {
        text += " " + source_.substr(form.items[i].begin, form.end - 1 - form.items[i].begin);
      }
      text += ")";
      auto b = engine::watToBinary(text, name);
      if (!b.ok()) {
        return failed(b.error().code == ErrorCode::kValidate ? Stage::kValidate : Stage::kText,
                      b.error());
      }
      bytes = std::move(*b);
    }
    auto m = engine::Module::fromBinary(engine_, bytes, name);
    if (!m.ok()) {
      return failed(m.error().code == ErrorCode::kDecode ? Stage::kDecode : Stage::kValidate,
                    m.error());
    }
    return o;
  }

  void expectMessage(const SExpr& cmd, const Outcome& o) {
    if (cmd.items.size() < 3 || !cmd.items[2].isString()) return;
    ++totals_.messageChecks;
    if (o.message.find(cmd.items[2].text) != std::string::npos) ++totals_.messageMatches;
  }

  void command(const SExpr& cmd) {
    std::string_view h = cmd.head();
    if (h == "component" || h == "module") {
      Outcome o = build(cmd);
      if (o.stage == Stage::kOk && o.isComponent) {
        bool definition = false;
        for (size_t i = 1; i < cmd.items.size() && i < 3; ++i) {
          if (cmd.items[i].isAtom("definition")) definition = true;
        }
        if (!definition) {
          lastComponent_ = o.binary;
          lastName_ = key_ + ":" + std::to_string(cmd.line);
          instance_.reset();
        }
      }
      return result(cmd, o.stage == Stage::kOk, o.message);
    }
    if (h == "assert_invalid" || h == "assert_malformed") {
      if (cmd.items.size() < 2) return result(cmd, false, "missing the module");
      Outcome o = build(cmd.items[1]);
      expectMessage(cmd, o);
      std::string expected =
          cmd.items.size() > 2 && cmd.items[2].isString() ? cmd.items[2].text : "";
      if (o.stage == Stage::kOk) {
        return result(cmd, false, "accepted; expected \"" + expected + "\"");
      }
      if (h == "assert_invalid" && o.stage == Stage::kText) {
        return result(cmd, false, "the text could not be read: " + o.message);
      }
      // A feature beyond 0.2 is rejected as unsupported: that is what a
      // script expects when it says the feature is not enabled (the
      // missing-features scripts), and no check of the rule otherwise.
      if (h == "assert_invalid" && o.stage == Stage::kUnsupported &&
          !featureMissingExpected(expected)) {
        return result(cmd, false, "uses a feature beyond 0.2: " + o.message);
      }
      if (options_.verbose) log(key_ + ":" + std::to_string(cmd.line) + ": rejected: " + o.message);
      return result(cmd, true, "");
    }
    if (h == "assert_return") return assertReturn(cmd);
    result(cmd, false, "command `" + std::string(h) + "` is not supported by this runner");
  }

  // ---- assert_return ----------------------------------------------------------------

  std::optional<Value> constant(const SExpr& x, std::string& why) {
    std::string_view h = x.head();
    if (x.items.size() != 2) {
      why = "expected (T.const value)";
      return std::nullopt;
    }
    const SExpr& v = x.items[1];
    try {
      if (h == "bool.const") {
        if (v.isAtom("true")) return Value::boolean(true);
        if (v.isAtom("false")) return Value::boolean(false);
      } else if (h == "string.const" && v.isString()) {
        return Value::string(v.text);
      } else if (h == "char.const" && v.isString()) {
        const std::string& s = v.text;
        char32_t c = 0;
        auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
        if (s.size() == 1) c = b(0);
        if (s.size() == 2) c = ((b(0) & 0x1f) << 6) | (b(1) & 0x3f);
        if (s.size() == 3) c = ((b(0) & 0x0f) << 12) | ((b(1) & 0x3f) << 6) | (b(2) & 0x3f);
        if (s.size() == 4) {
          c = ((b(0) & 0x07) << 18) | ((b(1) & 0x3f) << 12) | ((b(2) & 0x3f) << 6) | (b(3) & 0x3f);
        }
        return Value::character(c);
      } else if (v.isAtom()) {
        std::string t;
        for (char ch : v.text) {
          if (ch != '_') t += ch;
        }
        if (h == "u8.const") return Value::u8(static_cast<uint8_t>(std::stoul(t, nullptr, 0)));
        if (h == "u16.const") return Value::u16(static_cast<uint16_t>(std::stoul(t, nullptr, 0)));
        if (h == "u32.const") return Value::u32(static_cast<uint32_t>(std::stoul(t, nullptr, 0)));
        if (h == "u64.const") return Value::u64(std::stoull(t, nullptr, 0));
        if (h == "s8.const") return Value::s8(static_cast<int8_t>(std::stol(t, nullptr, 0)));
        if (h == "s16.const") return Value::s16(static_cast<int16_t>(std::stol(t, nullptr, 0)));
        if (h == "s32.const") return Value::s32(static_cast<int32_t>(std::stol(t, nullptr, 0)));
        if (h == "s64.const") return Value::s64(std::stoll(t, nullptr, 0));
        if (h == "f32.const") return Value::float32(std::stof(t));
        if (h == "f64.const") return Value::float64(std::stod(t));
      }
    } catch (const std::exception&) {
      why = "malformed constant";
      return std::nullopt;
    }
    why = "unsupported value form `" + std::string(h) + "`";
    return std::nullopt;
  }

  void assertReturn(const SExpr& cmd) {
    if (cmd.items.size() < 2 || !cmd.items[1].is("invoke") || cmd.items[1].items.size() < 2 ||
        !cmd.items[1].items[1].isString()) {
      return result(cmd, false, "expected (assert_return (invoke \"name\" args...) results...)");
    }
    const SExpr& inv = cmd.items[1];
    std::vector<Value> args, want;
    std::string why;
    for (size_t i = 2; i < inv.items.size(); ++i) {
      auto v = constant(inv.items[i], why);
      if (!v) return result(cmd, false, why);
      args.push_back(std::move(*v));
    }
    for (size_t i = 2; i < cmd.items.size(); ++i) {
      auto v = constant(cmd.items[i], why);
      if (!v) return result(cmd, false, why);
      want.push_back(std::move(*v));
    }
    if (!lastComponent_) return result(cmd, false, "no component to invoke");
    if (!instance_) {
      auto loaded = LoadedComponent::fromBinary(engine_, *lastComponent_, lastName_);
      if (!loaded.ok()) return result(cmd, false, loaded.error().oneLine());
      store_ = std::make_unique<engine::Store>(engine_);
      Linker linker;
      auto inst = linker.instantiate(*store_, *loaded);
      if (!inst.ok()) return result(cmd, false, inst.error().oneLine());
      instance_ = std::move(*inst);
    }
    auto got = instance_->call(inv.items[1].text, args);
    if (!got.ok()) return result(cmd, false, got.error().oneLine());
    if (*got != want) {
      return result(
          cmd, false,
          "got " + std::to_string(got->size()) + " result(s) that differ from the expected ones");
    }
    result(cmd, true, "");
  }

  std::string source_;
  std::string path_;
  std::string key_;
  const WastOptions& options_;
  const SkipEntry* fileSkip_ = nullptr;
  uint64_t fileSkipFailures_ = 0;
  std::map<uint32_t, const SkipEntry*> lineSkips_;
  std::set<uint32_t> usedSkips_;
  WastTotals totals_;
  engine::Engine engine_;
  std::optional<std::vector<uint8_t>> lastComponent_;
  std::string lastName_;
  std::unique_ptr<engine::Store> store_;
  std::unique_ptr<ComponentInstance> instance_;
};

}  // namespace

Result<std::vector<SkipEntry>> parseSkipList(const std::string& text, const std::string& name) {
  std::vector<SkipEntry> out;
  std::istringstream in(text);
  std::string line;
  uint32_t n = 0;
  std::set<std::pair<std::string, uint32_t>> seen;
  while (std::getline(in, line)) {
    ++n;
    std::string t = trim(line);
    if (t.empty() || t[0] == '#') continue;
    size_t sp = t.find_first_of(" \t");
    std::string where = t.substr(0, sp);
    std::string reason = sp == std::string::npos ? "" : trim(t.substr(sp));
    if (reason.empty()) {
      return Error(ErrorCode::kUsage, name + ":" + std::to_string(n) + ": entry without a reason");
    }
    SkipEntry e;
    e.reason = reason;
    size_t colon = where.rfind(':');
    if (colon != std::string::npos && colon + 1 < where.size() &&
        where.find_first_not_of("0123456789", colon + 1) == std::string::npos) {
      e.path = where.substr(0, colon);
      e.line = static_cast<uint32_t>(std::stoul(where.substr(colon + 1)));
    } else {
      e.path = where;
    }
    if (!seen.insert({e.path, e.line}).second) {
      return Error(ErrorCode::kUsage,
                   name + ":" + std::to_string(n) + ": duplicate entry " + where);
    }
    out.push_back(std::move(e));
  }
  return out;
}

Result<std::vector<SkipEntry>> loadSkipList(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error(ErrorCode::kIo, path + ": cannot read the skip list");
  std::stringstream ss;
  ss << in.rdbuf();
  return parseSkipList(ss.str(), path);
}

Result<WastTotals> runComponentWastFile(const std::string& path, const std::string& key,
                                        const WastOptions& options) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error(ErrorCode::kIo, path + ": cannot read the script");
  std::stringstream ss;
  ss << in.rdbuf();
  Runner r(ss.str(), path, key, options);
  return r.run();
}

}  // namespace compono::component::wast
