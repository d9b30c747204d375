#include "compono/engine/linker.h"

#include "engine/tier.h"

namespace compono::engine {

void Linker::defineFunc(const std::string& module, const std::string& name, HostFunc func) {
  if (func.debugName.empty()) func.debugName = module + "." + name;
  defineFunc(module, name, std::make_shared<const HostFunc>(std::move(func)));
}

void Linker::defineFunc(const std::string& module, const std::string& name, HostFuncPtr func) {
  entries_[{module, name}] = Entry{std::move(func), std::nullopt};
}

void Linker::define(const std::string& module, const std::string& name, const Extern& ext) {
  entries_[{module, name}] = Entry{nullptr, ext};
}

void Linker::defineInstance(const std::string& module, const Instance& instance) {
  for (auto& [name, ext] : instance.exports()) define(module, name, ext);
}

bool Linker::has(const std::string& module, const std::string& name) const {
  return entries_.count({module, name}) > 0;
}

static bool limitsMatch(const Limits& want, const Limits& have) {
  if (want.is64 != have.is64 || want.shared != have.shared) return false;
  if (have.min < want.min) return false;
  if (want.max) {
    if (!have.max || *have.max > *want.max) return false;
  }
  return true;
}

// Import subtyping of the core spec (section 4.5.4, "Import Subtyping").
static bool externMatches(const ExternType& want, const ExternType& have) {
  if (want.kind != have.kind) return false;
  switch (want.kind) {
    case ExternKind::kFunc: return want.func == have.func;
    case ExternKind::kTable:
      return want.table.element == have.table.element && limitsMatch(want.table.limits, have.table.limits);
    case ExternKind::kMemory: return limitsMatch(want.memory.limits, have.memory.limits);
    case ExternKind::kGlobal:
      return want.global.type == have.global.type && want.global.mutable_ == have.global.mutable_;
    case ExternKind::kTag: return want.func == have.func;
  }
  return false;
}

static std::string importName(const ImportType& imp) {
  return "\"" + imp.module + "\" \"" + imp.name + "\"";
}

Status Linker::checkImports(const Module& module) const {
  std::string problems;
  size_t count = 0;
  for (const ImportType& imp : module.imports()) {
    std::string problem;
    if (imp.module == internal::kMeterModule) {
      problem = "module name \"" + imp.module + "\" is reserved for Compono's metering";
    } else {
      auto it = entries_.find({imp.module, imp.name});
      if (it == entries_.end()) {
        problem = "import " + importName(imp) + " (" + imp.type.toString() +
                  ") is not provided by the host or any granted capability";
      } else {
        ExternType have;
        if (it->second.host) {
          have.kind = ExternKind::kFunc;
          have.func = it->second.host->type;
        } else {
          have = externType(*it->second.ext);
        }
        if (!externMatches(imp.type, have)) {
          problem = "import " + importName(imp) + " expects " + imp.type.toString() + ", host gives " +
                    have.toString();
        }
      }
    }
    if (!problem.empty()) {
      if (count++) problems += "; ";
      problems += problem;
    }
  }
  if (count) {
    return Error(ErrorCode::kLink, module.name() + ": " +
                                       (count > 1 ? std::to_string(count) + " unresolved imports: "
                                                  : std::string()) +
                                       problems);
  }
  return okStatus();
}

Result<Instance> Linker::instantiate(Store& store, std::shared_ptr<const Module> module) const {
  COMPONO_TRY(checkImports(*module));
  std::vector<internal::ResolvedImport> resolved;
  resolved.reserve(module->imports().size());
  for (const ImportType& imp : module->imports()) {
    const Entry& e = entries_.at({imp.module, imp.name});
    if (e.ext) {
      const Store* owner = std::visit([](const auto& x) { return x.store(); }, *e.ext);
      if (owner != &store) {
        return Error(ErrorCode::kLink, module->name() + ": import " + importName(imp) +
                                           " is bound to an object of another Store");
      }
    }
    resolved.push_back(internal::ResolvedImport{e.host, e.ext});
  }
  COMPONO_ASSIGN(internal::TierStore * tier, store.tierFor(*module));
  COMPONO_ASSIGN(Handle h, tier->instantiate(module, resolved));
  return Instance(&store, h, std::move(module));
}

}  // namespace compono::engine
