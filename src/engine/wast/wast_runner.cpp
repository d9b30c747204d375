// The spec-script runner (see compono/engine/wast.h).
//
// One ScriptRunner per file: it owns the Store every module of the script is
// instantiated in, a Linker holding `spectest` and the registered instances,
// and the names the script binds ($M for instances, definitions).
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string_view>
#include <utility>

#include "compono/engine/linker.h"
#include "compono/engine/module.h"
#include "compono/engine/store.h"
#include "compono/engine/wast.h"

#include "compono/engine/native.h"
#include "engine/wast/wast_lexer.h"
#include "engine/wast/wast_spectest.h"
#include "engine/wast/wast_value.h"

namespace compono::engine::wast {

namespace {

enum class Outcome : uint8_t {
  kPass,
  kFail,
  kDependent,  // not run: needs a module whose (listed) command failed
  kNotOnThisTier,  // not run: the Store's tier cannot run the module
};

struct CommandResult {
  Outcome outcome = Outcome::kPass;
  std::string message;
  bool unavailableModule = false;  // the command needs a module that failed
  bool notOnThisTier = false;      // ... because the tier cannot run that module
};

CommandResult pass() { return {}; }
CommandResult fail(std::string message) { return {Outcome::kFail, std::move(message)}; }

// A module that failed to load or instantiate.
struct Unavailable {
  uint32_t line = 0;    // line of the command that failed
  bool listed = false;  // that command (or what it depended on) is in the skip list
  bool notOnThisTier = false;  // the tier cannot run it (implies skipped)
};

CommandResult needs(const Unavailable& u) {
  std::string where = "the module of line " + std::to_string(u.line);
  if (u.notOnThisTier) {
    return {Outcome::kDependent, "needs " + where + ", which this tier cannot run", true, true};
  }
  if (u.listed) return {Outcome::kDependent, "needs " + where + ", which is skipped", true};
  return {Outcome::kFail, "needs " + where + ", which failed", true};
}

// Spec trap messages, matched by meaning: a message matches when it starts
// with one of these texts; the engine's trap must carry one of the codes.
struct TrapMeaning {
  std::string_view message;
  std::vector<TrapCode> codes;
};

const std::vector<TrapMeaning>& trapMeanings() {
  static const std::vector<TrapMeaning> kMeanings = {
      {"unreachable", {TrapCode::kUnreachable}},
      {"integer divide by zero", {TrapCode::kIntegerDivideByZero}},
      {"integer overflow", {TrapCode::kIntegerOverflow}},
      {"invalid conversion to integer", {TrapCode::kInvalidConversion}},
      {"out of bounds memory access", {TrapCode::kMemoryOutOfBounds}},
      {"out of bounds table access", {TrapCode::kTableOutOfBounds}},
      // call_indirect with an index beyond the table.
      {"undefined element", {TrapCode::kTableOutOfBounds}},
      // call_indirect through a null entry.
      {"uninitialized element", {TrapCode::kIndirectCallNull}},
      {"indirect call type mismatch", {TrapCode::kIndirectCallTypeMismatch}},
      {"null function reference", {TrapCode::kNullReference, TrapCode::kIndirectCallNull}},
      {"null reference", {TrapCode::kNullReference}},
      {"call stack exhausted", {TrapCode::kCallStackExhausted}},
      {"stack overflow", {TrapCode::kCallStackExhausted}},
  };
  return kMeanings;
}

const TrapMeaning* meaningOf(std::string_view message) {
  for (const TrapMeaning& m : trapMeanings()) {
    if (message.substr(0, m.message.size()) == m.message) return &m;
  }
  return nullptr;
}

bool trapMatches(const Error& e, const TrapMeaning& m) {
  bool trapped = e.code == ErrorCode::kTrap ||
                 (e.code == ErrorCode::kInstantiate && e.trap != TrapCode::kNone);
  if (!trapped) return false;
  for (TrapCode c : m.codes) {
    if (e.trap == c) return true;
  }
  return false;
}

std::string describeError(const Error& e) {
  std::string s = std::string(errorCodeName(e.code)) + " error";
  if (e.trap != TrapCode::kNone) s += std::string(" (") + trapCodeName(e.trap) + ")";
  return s + ": " + e.message;
}

std::string describeValues(const std::vector<Val>& vals) {
  std::string s = "(";
  for (size_t i = 0; i < vals.size(); ++i) {
    if (i) s += ' ';
    s += describe(vals[i]);
  }
  return s + ")";
}

std::string baseName(const std::string& path) {
  size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// The header of a module command: (module [definition] [$id] [binary|quote] ...).
struct ModuleForm {
  enum class Kind : uint8_t { kText, kBinary, kQuote };
  Kind kind = Kind::kText;
  std::string id;
  bool definition = false;
  size_t body = 1;  // index of the first item after the header
};

Result<ModuleForm> parseModuleForm(const SExpr& m) {
  if (m.head() != "module") {
    return Error(ErrorCode::kUsage,
                 "expected (module ...), got (" + std::string(m.head()) + " ...)");
  }
  ModuleForm f;
  size_t i = 1;
  if (i < m.size() && m.items[i].isAtom("definition")) {
    f.definition = true;
    ++i;
  }
  if (i < m.size() && m.items[i].isAtom() && m.items[i].text.starts_with("$")) {
    f.id = m.items[i].text;
    ++i;
  }
  if (i < m.size() && m.items[i].isAtom("binary")) {
    f.kind = ModuleForm::Kind::kBinary;
    ++i;
  } else if (i < m.size() && m.items[i].isAtom("quote")) {
    f.kind = ModuleForm::Kind::kQuote;
    ++i;
  }
  f.body = i;
  if (f.kind != ModuleForm::Kind::kText) {
    for (size_t j = i; j < m.size(); ++j) {
      if (!m.items[j].isString()) {
        return Error(ErrorCode::kUsage, "module binary/quote takes only strings");
      }
    }
  }
  return f;
}

// The result of an invoke or get.
struct ActionResult {
  std::optional<CommandResult> blocked;  // the action could not run (see message)
  std::vector<Val> values;
  std::optional<Error> error;  // the action ran and failed
};

class ScriptRunner {
 public:
  ScriptRunner(const Engine& engine, const WastOptions& options, std::string path,
               std::string_view source)
      : engine_(engine), options_(options), file_(baseName(path)), source_(source) {
    StoreLimits limits;
    if (options_.commandTimeout) limits.timeout = *options_.commandTimeout;
    store_ = std::make_unique<Store>(engine_, limits);
    for (const SkipEntry& s : options_.skips) {
      if (s.file == file_) listed_.emplace(s.line, &s);
    }
  }

  Status setUp() { return defineSpectest(linker_, *store_); }

  // A script that is only module fields is one module (spec interpreter:
  // "inline module"), counted as one command.
  static bool isInlineModule(const std::vector<SExpr>& commands) {
    static const std::set<std::string_view> kFields = {"type",   "import", "func",   "table",
                                                       "memory", "global", "export", "start",
                                                       "elem",   "data",   "tag",    "rec"};
    return !commands.empty() && kFields.count(commands.front().head()) > 0;
  }

  WastTotals runInlineModule() {
    SExpr module;
    module.kind = SExpr::Kind::kList;
    module.line = 1;  // the text starts at the top of the file
    module.begin = 0;
    module.end = source_.size() + 1;  // one past the (virtual) closing parenthesis
    SExpr keyword;
    keyword.text = "module";
    keyword.line = module.line;
    keyword.begin = keyword.end = 0;
    module.items.push_back(std::move(keyword));
    return run({module});
  }

  static bool isAnnotation(const SExpr& e) { return e.head().starts_with("@"); }

  // Custom annotations (@name ...) may appear anywhere in a script and mean
  // nothing to it; text modules keep theirs (the text parser skips them).
  static void stripAnnotations(SExpr& e) {
    std::erase_if(e.items, isAnnotation);
    for (SExpr& item : e.items) {
      if (item.isList()) stripAnnotations(item);
    }
  }

  WastTotals run(const std::vector<SExpr>& commands) {
    if (isInlineModule(commands)) return runInlineModule();
    WastTotals totals;
    std::set<uint32_t> seen;
    for (const SExpr& original : commands) {
      if (isAnnotation(original)) continue;
      std::optional<SExpr> stripped;
      if (source_.substr(original.begin, original.end - original.begin).find("(@") !=
          std::string_view::npos) {
        stripped = original;
        stripAnnotations(*stripped);
      }
      const SExpr& cmd = stripped ? *stripped : original;
      CommandResult r = cmd.isList() ? execute(cmd) : fail("not a command");
      std::string name = cmd.isList() ? std::string(cmd.head()) : std::string("?");
      std::string where = file_ + ":" + std::to_string(cmd.line);
      auto entry = listed_.find(cmd.line);
      bool listed = entry != listed_.end();
      if (listed) seen.insert(cmd.line);
      switch (r.outcome) {
        case Outcome::kPass:
          ++totals.passed;
          if (listed) stale(totals, where + ": " + name + " now passes; remove the entry");
          verbose(where + ": " + name + ": ok");
          break;
        case Outcome::kFail:
          if (listed) {
            ++totals.skipped;
            verbose(where + ": " + name + ": skipped (" + entry->second->reason +
                    "): " + r.message);
          } else {
            ++totals.failed;
            CommandFailure f{file_, cmd.line, name, r.message};
            log(formatFailure(f));
            totals.failures.push_back(std::move(f));
          }
          break;
        case Outcome::kNotOnThisTier:
          ++totals.skipped;
          ++totals.notOnThisTier;
          verbose(where + ": " + name + ": not run on this tier: " + r.message);
          break;
        case Outcome::kDependent:
          ++totals.skipped;
          if (r.notOnThisTier) ++totals.notOnThisTier;
          if (listed) {
            stale(totals, where + ": " + name + " is already skipped as a dependent (" + r.message +
                              "); remove the entry");
          }
          verbose(where + ": " + name + ": skipped: " + r.message);
          break;
      }
    }
    for (auto& [line, entry] : listed_) {
      if (!seen.count(line)) {
        stale(totals, file_ + ":" + std::to_string(line) + ": no command starts on this line");
      }
    }
    return totals;
  }

 private:
  void log(const std::string& line) const {
    if (options_.log) options_.log(line);
  }
  void verbose(const std::string& line) const {
    if (options_.verbose) log(line);
  }
  void stale(WastTotals& totals, const std::string& what) const {
    ++totals.staleSkips;
    totals.staleSkipEntries.push_back(what);
    log("stale skip entry: " + what);
  }

  bool isListed(uint32_t line) const { return listed_.count(line) > 0; }

  std::string moduleName(const SExpr& m) const { return file_ + ":" + std::to_string(m.line); }

  // ---- commands ------------------------------------------------------------

  CommandResult execute(const SExpr& cmd) {
    std::string_view op = cmd.head();
    if (op == "module") return doModule(cmd);
    if (op == "register") return doRegister(cmd);
    if (op == "invoke" || op == "get") {
      ActionResult a = action(cmd);
      if (a.blocked) return *a.blocked;
      if (a.error) return fail("failed: " + describeError(*a.error));
      return pass();
    }
    if (op == "assert_return") return assertReturn(cmd);
    if (op == "assert_trap") return assertTrap(cmd);
    if (op == "assert_exhaustion") return assertActionTrap(cmd, {TrapCode::kCallStackExhausted});
    if (op == "assert_exception") return assertActionTrap(cmd, {TrapCode::kUncaughtException});
    if (op == "assert_invalid") return assertRejected(cmd, ErrorCode::kValidate);
    if (op == "assert_malformed") return assertRejected(cmd, ErrorCode::kDecode);
    if (op == "assert_unlinkable") return assertUnlinkable(cmd);
    if (op == "assert_uninstantiable") return assertUninstantiable(cmd);
    return fail("unknown command (" + std::string(op) + " ...)");
  }

  // Decodes (binary, quote) or parses (text) a module command's module.
  Result<std::shared_ptr<const Module>> compile(const SExpr& m, const ModuleForm& f) {
    // Text modules keep the script's line numbers, so their errors read
    // FILE:LINE:COLUMN; binary and quoted ones are named FILE:LINE.
    std::string name = f.kind == ModuleForm::Kind::kText ? file_ : moduleName(m);
    switch (f.kind) {
      case ModuleForm::Kind::kBinary: {
        std::string bytes;
        for (size_t i = f.body; i < m.size(); ++i) bytes += m.items[i].text;
        return Module::fromBinary(
            engine_,
            std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()),
            name);
      }
      case ModuleForm::Kind::kQuote: {
        std::string text;
        for (size_t i = f.body; i < m.size(); ++i) text += m.items[i].text;
        return Module::fromText(engine_, text, name);
      }
      case ModuleForm::Kind::kText: {
        // The module as written, minus the script-only header (definition,
        // the $id); blank lines and spaces in front keep the text parser's
        // lines and columns equal to the script's.
        const SExpr& last = m.items[f.body - 1];
        size_t from = last.end;
        size_t to = m.end - 1;  // the closing parenthesis
        size_t lineStart = from == 0 ? std::string_view::npos : source_.rfind('\n', from - 1);
        lineStart = lineStart == std::string_view::npos ? 0 : lineStart + 1;
        constexpr std::string_view kOpen = "(module";
        size_t column = from - lineStart;
        std::string text(last.line - 1, '\n');
        text.append(column > kOpen.size() ? column - kOpen.size() : 0, ' ');
        text += kOpen;
        if (to > from) text += source_.substr(from, to - from);
        text += ")";
        return Module::fromText(engine_, text, name);
      }
    }
    return Error(ErrorCode::kInternal, "unknown module form");
  }

  // A module that imports from a name registered by an unavailable module
  // cannot be linked either.
  std::optional<Unavailable> unavailableImport(const Module& module) const {
    for (const ImportType& imp : module.imports()) {
      auto it = unavailableRegistered_.find(imp.module);
      if (it != unavailableRegistered_.end()) return it->second;
    }
    return std::nullopt;
  }

  Result<Instance> instantiate(std::shared_ptr<const Module> module) {
    store_->startClock();
    return linker_.instantiate(*store_, std::move(module));
  }

  // On the native tier, a module using a feature wasm2c 1.0.32 lacks is not
  // run at all (counted as not applicable, not as a failure).
  std::optional<CommandResult> notOnThisTier(const Module& module) const {
    if (store_->activeTier() != Tier::kAot) return std::nullopt;
    Status s = checkNativeSupport(module);
    if (s.ok()) return std::nullopt;
    return CommandResult{Outcome::kNotOnThisTier, s.error().message, false, true};
  }

  void bindAvailable(const std::string& id, const Instance* inst) {
    current_ = inst;
    currentUnavailable_.reset();
    if (!id.empty()) {
      named_[id] = inst;
      unavailableNamed_.erase(id);
    }
  }

  void bindUnavailable(const std::string& id, Unavailable u) {
    current_ = nullptr;
    currentUnavailable_ = u;
    if (!id.empty()) {
      named_.erase(id);
      unavailableNamed_[id] = u;
    }
  }

  CommandResult doModule(const SExpr& cmd) {
    if (cmd.size() >= 2 && cmd.items[1].isAtom("instance")) return doModuleInstance(cmd);
    auto form = parseModuleForm(cmd);
    if (!form.ok()) return fail(form.error().message);
    Unavailable self{cmd.line, isListed(cmd.line)};
    auto module = compile(cmd, *form);
    if (!module.ok()) {
      if (form->definition) {
        if (!form->id.empty()) unavailableDefinitions_[form->id] = self;
      } else {
        bindUnavailable(form->id, self);
      }
      return fail("module does not load: " + describeError(module.error()));
    }
    if (form->definition) {
      if (!form->id.empty()) {
        definitions_[form->id] = *module;
        unavailableDefinitions_.erase(form->id);
      }
      return pass();
    }
    return instantiateAndBind(*module, form->id, self);
  }

  CommandResult instantiateAndBind(std::shared_ptr<const Module> module, const std::string& id,
                                   Unavailable self) {
    if (auto dep = unavailableImport(*module)) {
      bindUnavailable(id, Unavailable{self.line, dep->listed || self.listed, dep->notOnThisTier});
      return needs(*dep);
    }
    if (auto na = notOnThisTier(*module)) {
      bindUnavailable(id, Unavailable{self.line, true, true});
      return *na;
    }
    auto inst = instantiate(std::move(module));
    if (!inst.ok()) {
      bindUnavailable(id, self);
      return fail("module does not instantiate: " + describeError(inst.error()));
    }
    instances_.push_back(std::move(inst).value());
    bindAvailable(id, &instances_.back());
    return pass();
  }

  // (module instance $I $M)
  CommandResult doModuleInstance(const SExpr& cmd) {
    std::string id, def;
    for (size_t i = 2; i < cmd.size(); ++i) {
      if (!cmd.items[i].isAtom() || !cmd.items[i].text.starts_with("$")) {
        return fail("malformed (module instance [$I] $M)");
      }
      (def.empty() && i + 1 < cmd.size() ? id : def) = cmd.items[i].text;
    }
    if (def.empty()) return fail("module instance names no definition");
    Unavailable self{cmd.line, isListed(cmd.line)};
    auto u = unavailableDefinitions_.find(def);
    if (u != unavailableDefinitions_.end()) {
      bindUnavailable(id, Unavailable{self.line, u->second.listed || self.listed});
      return needs(u->second);
    }
    auto d = definitions_.find(def);
    if (d == definitions_.end()) return fail("no module definition " + def);
    return instantiateAndBind(d->second, id, self);
  }

  // Looks up the instance an action or register names (the current one when
  // `id` is empty).
  const Instance* target(const std::string& id, std::optional<CommandResult>& blocked) {
    if (id.empty()) {
      if (currentUnavailable_) {
        blocked = needs(*currentUnavailable_);
        return nullptr;
      }
      if (!current_) blocked = fail("no module has been instantiated yet");
      return current_;
    }
    auto u = unavailableNamed_.find(id);
    if (u != unavailableNamed_.end()) {
      blocked = needs(u->second);
      return nullptr;
    }
    auto it = named_.find(id);
    if (it == named_.end()) {
      blocked = fail("no module named " + id);
      return nullptr;
    }
    return it->second;
  }

  CommandResult doRegister(const SExpr& cmd) {
    if (cmd.size() < 2 || cmd.size() > 3 || !cmd.items[1].isString()) {
      return fail("malformed (register \"name\" [$M])");
    }
    const std::string& as = cmd.items[1].text;
    std::string id = cmd.size() == 3 ? cmd.items[2].text : "";
    std::optional<Unavailable> u = currentUnavailable_;
    if (!id.empty()) {
      auto it = unavailableNamed_.find(id);
      u = it == unavailableNamed_.end() ? std::nullopt : std::optional<Unavailable>(it->second);
    }
    if (u) {
      unavailableRegistered_[as] = *u;
      return needs(*u);
    }
    std::optional<CommandResult> blocked;
    const Instance* inst = target(id, blocked);
    if (!inst) return *blocked;
    unavailableRegistered_.erase(as);
    linker_.defineInstance(as, *inst);
    return pass();
  }

  // The result of an action that cannot run because its module is
  // unavailable (checked before anything else about the command).
  std::optional<CommandResult> unavailableTarget(const SExpr& a) {
    std::string id;
    if (a.size() >= 2 && a.items[1].isAtom() && a.items[1].text.starts_with("$"))
      id = a.items[1].text;
    std::optional<CommandResult> blocked;
    target(id, blocked);
    if (blocked && blocked->unavailableModule) return blocked;
    return std::nullopt;
  }

  // (invoke [$M] "name" const*) or (get [$M] "name")
  ActionResult action(const SExpr& a) {
    ActionResult out;
    std::string_view op = a.head();
    if (op != "invoke" && op != "get") {
      out.blocked = fail("expected an action (invoke or get), got (" + std::string(op) + " ...)");
      return out;
    }
    size_t i = 1;
    std::string id;
    if (i < a.size() && a.items[i].isAtom() && a.items[i].text.starts_with("$"))
      id = a.items[i++].text;
    if (i >= a.size() || !a.items[i].isString()) {
      out.blocked = fail("malformed (" + std::string(op) + " [$M] \"name\" ...)");
      return out;
    }
    const std::string& name = a.items[i++].text;
    const Instance* inst = target(id, out.blocked);
    if (!inst) return out;
    if (op == "get") {
      auto g = inst->getGlobal(name);
      if (!g) {
        out.blocked = fail("the module exports no global \"" + name + "\"");
        return out;
      }
      out.values.push_back(g->get());
      return out;
    }
    std::vector<Val> args;
    for (; i < a.size(); ++i) {
      auto v = parseConst(a.items[i]);
      if (!v.ok()) {
        out.blocked = fail("argument: " + v.error().message);
        return out;
      }
      args.push_back(*v);
    }
    auto f = inst->getFunc(name);
    if (!f) {
      out.blocked = fail("the module exports no function \"" + name + "\"");
      return out;
    }
    store_->startClock();
    auto r = f->call(args);
    if (r.ok()) {
      out.values = std::move(r).value();
    } else {
      out.error = std::move(r).error();
    }
    return out;
  }

  std::string sourceText(const SExpr& e) const {
    std::string s;
    bool space = false;
    for (char c : source_.substr(e.begin, e.end - e.begin)) {
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        space = true;
        continue;
      }
      if (space && !s.empty()) s += ' ';
      space = false;
      s += c;
    }
    return s;
  }

  CommandResult assertReturn(const SExpr& cmd) {
    if (cmd.size() < 2) return fail("malformed assert_return");
    std::vector<Expected> expected;
    for (size_t i = 2; i < cmd.size(); ++i) {
      auto x = parseExpected(cmd.items[i]);
      if (!x.ok()) {
        if (auto blocked = unavailableTarget(cmd.items[1])) return *blocked;
        return fail("expected result: " + x.error().message);
      }
      expected.push_back(std::move(x).value());
    }
    ActionResult a = action(cmd.items[1]);
    if (a.blocked) return *a.blocked;
    std::string want = "(";
    for (size_t i = 2; i < cmd.size(); ++i) want += (i > 2 ? " " : "") + sourceText(cmd.items[i]);
    want += ")";
    if (a.error) return fail("expected " + want + ", got " + describeError(*a.error));
    bool ok = a.values.size() == expected.size();
    for (size_t i = 0; ok && i < expected.size(); ++i) ok = matches(expected[i], a.values[i]);
    if (!ok) return fail("expected " + want + ", got " + describeValues(a.values));
    return pass();
  }

  static std::string trapMessageOf(const SExpr& cmd) {
    return cmd.size() >= 3 && cmd.items[2].isString() ? cmd.items[2].text : "";
  }

  CommandResult assertTrap(const SExpr& cmd) {
    if (cmd.size() != 3 || !cmd.items[1].isList()) return fail("malformed assert_trap");
    if (cmd.items[1].head() == "module") return assertModuleTraps(cmd);
    std::string message = trapMessageOf(cmd);
    const TrapMeaning* m = meaningOf(message);
    if (!m) {
      if (auto blocked = unavailableTarget(cmd.items[1])) return *blocked;
      return fail("no trap code is known for the message \"" + message + "\"");
    }
    return assertActionTrap(cmd, m->codes);
  }

  CommandResult assertActionTrap(const SExpr& cmd, const std::vector<TrapCode>& codes) {
    if (cmd.size() < 2) return fail("malformed assertion");
    ActionResult a = action(cmd.items[1]);
    if (a.blocked) return *a.blocked;
    std::string want;
    for (TrapCode c : codes) want += std::string(want.empty() ? "" : " or ") + trapCodeName(c);
    std::string message = trapMessageOf(cmd);
    if (!message.empty()) want += " (\"" + message + "\")";
    if (!a.error) return fail("expected a trap " + want + ", got " + describeValues(a.values));
    bool trapped = a.error->code == ErrorCode::kTrap;
    for (TrapCode c : codes) {
      if (trapped && a.error->trap == c) return pass();
    }
    return fail("expected a trap " + want + ", got " + describeError(*a.error));
  }

  // Compiles the module of an assertion that expects it to compile.
  Result<std::shared_ptr<const Module>> compileAsserted(const SExpr& m) {
    COMPONO_ASSIGN(ModuleForm form, parseModuleForm(m));
    return compile(m, form);
  }

  // (assert_trap (module ...) "message"): instantiation must trap.
  CommandResult assertModuleTraps(const SExpr& cmd) {
    std::string message = trapMessageOf(cmd);
    const TrapMeaning* meaning = meaningOf(message);
    if (!meaning) return fail("no trap code is known for the message \"" + message + "\"");
    auto module = compileAsserted(cmd.items[1]);
    if (!module.ok()) return fail("module does not load: " + describeError(module.error()));
    if (auto dep = unavailableImport(**module)) return needs(*dep);
    if (auto na = notOnThisTier(**module)) return *na;
    auto inst = instantiate(*module);
    if (inst.ok())
      return fail("expected instantiation to trap (\"" + message + "\"), it succeeded");
    if (!trapMatches(inst.error(), *meaning)) {
      return fail("expected instantiation to trap (\"" + message + "\"), got " +
                  describeError(inst.error()));
    }
    return pass();
  }

  CommandResult assertUninstantiable(const SExpr& cmd) {
    if (cmd.size() < 2) return fail("malformed assert_uninstantiable");
    auto module = compileAsserted(cmd.items[1]);
    if (!module.ok()) return fail("module does not load: " + describeError(module.error()));
    if (auto dep = unavailableImport(**module)) return needs(*dep);
    if (auto na = notOnThisTier(**module)) return *na;
    auto inst = instantiate(*module);
    if (inst.ok()) return fail("expected instantiation to fail, it succeeded");
    const Error& e = inst.error();
    if (e.code != ErrorCode::kTrap && e.code != ErrorCode::kInstantiate) {
      return fail("expected instantiation to trap, got " + describeError(e));
    }
    return pass();
  }

  CommandResult assertUnlinkable(const SExpr& cmd) {
    if (cmd.size() < 2) return fail("malformed assert_unlinkable");
    auto module = compileAsserted(cmd.items[1]);
    if (!module.ok()) return fail("module does not load: " + describeError(module.error()));
    if (auto dep = unavailableImport(**module)) return needs(*dep);
    if (auto na = notOnThisTier(**module)) return *na;
    auto inst = instantiate(*module);
    if (inst.ok()) return fail("expected a link error, the module instantiated");
    if (inst.error().code != ErrorCode::kLink) {
      return fail("expected a link error, got " + describeError(inst.error()));
    }
    return pass();
  }

  // assert_invalid (kValidate) and assert_malformed (kDecode).
  CommandResult assertRejected(const SExpr& cmd, ErrorCode want) {
    if (cmd.size() < 2) return fail("malformed assertion");
    std::string message = trapMessageOf(cmd);
    const char* wantText = want == ErrorCode::kDecode ? "malformed" : "invalid";
    auto module = compileAsserted(cmd.items[1]);
    if (module.ok()) {
      return fail(std::string("expected the module to be rejected as ") + wantText + " (\"" +
                  message + "\"), it was accepted");
    }
    if (module.error().code != want) {
      return fail(std::string("expected the module to be rejected as ") + wantText + " (\"" +
                  message + "\"), got " + describeError(module.error()));
    }
    return pass();
  }

  const Engine& engine_;
  const WastOptions& options_;
  std::string file_;
  std::string_view source_;
  std::unique_ptr<Store> store_;
  Linker linker_;
  std::map<uint32_t, const SkipEntry*> listed_;  // this file's skip entries by line

  std::deque<Instance> instances_;  // stable addresses
  const Instance* current_ = nullptr;
  std::optional<Unavailable> currentUnavailable_;
  std::map<std::string, const Instance*> named_;
  std::map<std::string, Unavailable> unavailableNamed_;
  std::map<std::string, std::shared_ptr<const Module>> definitions_;
  std::map<std::string, Unavailable> unavailableDefinitions_;
  std::map<std::string, Unavailable> unavailableRegistered_;
};

}  // namespace

Result<WastTotals> runWastFile(const Engine& engine, const std::string& path,
                               const WastOptions& options) {
  COMPONO_ASSIGN(std::vector<uint8_t> bytes, readFileBytes(path));
  std::string source(bytes.begin(), bytes.end());
  COMPONO_ASSIGN(std::vector<SExpr> commands, readSExprs(source, path));
  ScriptRunner runner(engine, options, path, source);
  COMPONO_TRY(runner.setUp());
  return runner.run(commands);
}

}  // namespace compono::engine::wast
