// The resolved WIT model: versions, names, arena helpers and lookups.
#include <algorithm>
#include <charconv>

#include "compono/component/wit.h"

namespace compono::component::wit {
namespace {

bool isIdentChar(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
}
bool allDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Dot-separated identifiers of [0-9A-Za-z-]; numeric ones without leading
// zeros when `numericRule` (pre-release), free otherwise (build metadata).
bool validIdents(std::string_view s, bool numericRule) {
  if (s.empty()) return false;
  size_t i = 0;
  while (true) {
    size_t dot = s.find('.', i);
    std::string_view id = s.substr(i, dot == std::string_view::npos ? s.npos : dot - i);
    if (id.empty() || !std::all_of(id.begin(), id.end(), isIdentChar)) return false;
    if (numericRule && allDigits(id) && id.size() > 1 && id[0] == '0') return false;
    if (dot == std::string_view::npos) return true;
    i = dot + 1;
  }
}

}  // namespace

Result<Version> Version::parse(std::string_view text) {
  auto bad = [&](const std::string& why) {
    return Error(ErrorCode::kDecode, "invalid version `" + std::string(text) + "`: " + why);
  };
  std::string_view core = text;
  Version v;
  size_t plus = core.find('+');
  if (plus != std::string_view::npos) {
    v.build = std::string(core.substr(plus + 1));
    core = core.substr(0, plus);
    if (!validIdents(v.build, false)) return bad("bad build metadata after `+`");
  }
  size_t dash = core.find('-');
  if (dash != std::string_view::npos) {
    v.prerelease = std::string(core.substr(dash + 1));
    core = core.substr(0, dash);
    if (!validIdents(v.prerelease, true)) return bad("bad pre-release after `-`");
  }
  uint64_t* parts[3] = {&v.major, &v.minor, &v.patch};
  size_t i = 0;
  for (int k = 0; k < 3; ++k) {
    size_t dot = core.find('.', i);
    if ((k < 2) != (dot != std::string_view::npos)) return bad("expected MAJOR.MINOR.PATCH");
    std::string_view num = core.substr(i, k < 2 ? dot - i : std::string_view::npos);
    if (!allDigits(num)) return bad("expected MAJOR.MINOR.PATCH");
    if (num.size() > 1 && num[0] == '0') return bad("numbers cannot have leading zeros");
    auto [ptr, ec] = std::from_chars(num.data(), num.data() + num.size(), *parts[k]);
    if (ec != std::errc() || ptr != num.data() + num.size()) return bad("number too large");
    i = dot + 1;
  }
  return v;
}

std::string Version::toString() const {
  std::string s = std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(patch);
  if (!prerelease.empty()) s += "-" + prerelease;
  if (!build.empty()) s += "+" + build;
  return s;
}

std::string PackageName::toString() const {
  std::string s = ns + ":" + name;
  if (version) s += "@" + version->toString();
  return s;
}

std::string PackageName::interfaceName(std::string_view interface) const {
  std::string s = ns + ":" + name + "/" + std::string(interface);
  if (version) s += "@" + version->toString();
  return s;
}

const char* primitiveName(Primitive p) {
  switch (p) {
    case Primitive::kBool:
      return "bool";
    case Primitive::kS8:
      return "s8";
    case Primitive::kU8:
      return "u8";
    case Primitive::kS16:
      return "s16";
    case Primitive::kU16:
      return "u16";
    case Primitive::kS32:
      return "s32";
    case Primitive::kU32:
      return "u32";
    case Primitive::kS64:
      return "s64";
    case Primitive::kU64:
      return "u64";
    case Primitive::kF32:
      return "f32";
    case Primitive::kF64:
      return "f64";
    case Primitive::kChar:
      return "char";
    case Primitive::kString:
      return "string";
    case Primitive::kErrorContext:
      return "error-context";
  }
  return "?";
}

const char* typeDefKindName(const TypeDefKind& kind) {
  static constexpr const char* kNames[] = {"record",  "resource", "handle", "flags",  "tuple",
                                           "variant", "enum",     "option", "result", "list",
                                           "map",     "future",   "stream", "alias"};
  static_assert(std::size(kNames) == std::variant_size_v<TypeDefKind>);
  return kNames[kind.index()];
}

std::string Function::itemName() const {
  switch (kind) {
    case FunctionKind::kFreestanding:
      return name;
    case FunctionKind::kConstructor:
      return name.substr(std::string_view("[constructor]").size());
    case FunctionKind::kMethod:
    case FunctionKind::kStatic: {
      size_t dot = name.find('.');
      return dot == std::string::npos ? name : name.substr(dot + 1);
    }
  }
  return name;
}

PackageId Model::addPackage(Package p) {
  packages.push_back(std::move(p));
  return static_cast<PackageId>(packages.size() - 1);
}
InterfaceId Model::addInterface(Interface i) {
  interfaces.push_back(std::move(i));
  return static_cast<InterfaceId>(interfaces.size() - 1);
}
WorldId Model::addWorld(World w) {
  worlds.push_back(std::move(w));
  return static_cast<WorldId>(worlds.size() - 1);
}
TypeId Model::addType(TypeDef t) {
  types.push_back(std::move(t));
  return static_cast<TypeId>(types.size() - 1);
}

std::optional<PackageId> Model::findPackage(const PackageName& name) const {
  for (PackageId id = 0; id < packages.size(); ++id) {
    if (packages[id].name == name) return id;
  }
  return std::nullopt;
}

std::optional<InterfaceId> Model::findInterface(PackageId package, std::string_view name) const {
  if (package >= packages.size()) return std::nullopt;
  for (InterfaceId id : packages[package].interfaces) {
    if (interfaces[id].name == name) return id;
  }
  return std::nullopt;
}

std::optional<WorldId> Model::findWorld(PackageId package, std::string_view name) const {
  if (package >= packages.size()) return std::nullopt;
  for (WorldId id : packages[package].worlds) {
    if (worlds[id].name == name) return id;
  }
  return std::nullopt;
}

std::optional<TypeId> Model::findType(InterfaceId interface, std::string_view name) const {
  if (interface >= interfaces.size()) return std::nullopt;
  for (TypeId id : interfaces[interface].types) {
    if (types[id].name == name) return id;
  }
  return std::nullopt;
}

const Function* Model::findFunction(InterfaceId interface, std::string_view name) const {
  if (interface >= interfaces.size()) return nullptr;
  for (const Function& f : interfaces[interface].functions) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

std::optional<std::string> Model::interfaceName(InterfaceId id) const {
  if (id >= interfaces.size()) return std::nullopt;
  const Interface& i = interfaces[id];
  if (i.name.empty() || i.package >= packages.size()) return std::nullopt;
  return packages[i.package].name.interfaceName(i.name);
}

TypeId Model::dealias(TypeId id) const {
  for (size_t steps = 0; steps <= types.size() && id < types.size(); ++steps) {
    const auto* alias = std::get_if<AliasType>(&types[id].kind);
    if (!alias || alias->target.isPrimitive()) return id;
    id = alias->target.id;
  }
  return id;
}

TypeId Model::resourceOf(TypeId id) const {
  if (id >= types.size()) return kNoId;
  id = dealias(id);
  if (id >= types.size()) return kNoId;
  if (const auto* h = std::get_if<HandleType>(&types[id].kind)) id = dealias(h->resource);
  if (id < types.size() && std::holds_alternative<ResourceType>(types[id].kind)) return id;
  return kNoId;
}

std::string Model::location(const SourceSpan& span) const {
  if (!span.known() || span.file >= files.size()) return "";
  return files[span.file] + ":" + std::to_string(span.line) + ":" + std::to_string(span.column);
}

Result<WorldId> selectWorld(const Model& model, PackageId root, std::string_view spec) {
  if (root >= model.packages.size()) return Error(ErrorCode::kUsage, "no root package");
  const Package& pkg = model.packages[root];
  auto names = [&](const Package& p) {
    std::string s;
    for (WorldId w : p.worlds) s += (s.empty() ? "" : ", ") + model.worlds[w].name;
    return s.empty() ? std::string("none") : s;
  };
  if (spec.empty()) {
    if (pkg.worlds.size() == 1) return pkg.worlds[0];
    return Error(ErrorCode::kUsage, "package " + pkg.name.toString() + " has " +
                                        std::to_string(pkg.worlds.size()) +
                                        " worlds; choose one (worlds: " + names(pkg) + ")");
  }
  size_t colon = spec.find(':');
  if (colon == std::string_view::npos) {
    if (auto w = model.findWorld(root, spec)) return *w;
    return Error(ErrorCode::kUsage, "package " + pkg.name.toString() + " has no world `" +
                                        std::string(spec) + "` (worlds: " + names(pkg) + ")");
  }
  // ns:pkg/world[@version]
  size_t slash = spec.find('/', colon);
  if (slash == std::string_view::npos) {
    return Error(ErrorCode::kUsage, "bad world `" + std::string(spec) + "`: expected ns:pkg/world");
  }
  std::string_view rest = spec.substr(slash + 1);
  std::optional<Version> version;
  size_t at = rest.find('@');
  if (at != std::string_view::npos) {
    auto v = Version::parse(rest.substr(at + 1));
    if (!v.ok()) return Error(ErrorCode::kUsage, v.error().message);
    version = *v;
    rest = rest.substr(0, at);
  }
  PackageName name{std::string(spec.substr(0, colon)),
                   std::string(spec.substr(colon + 1, slash - colon - 1)), version};
  for (PackageId p = 0; p < model.packages.size(); ++p) {
    const PackageName& n = model.packages[p].name;
    if (n.ns != name.ns || n.name != name.name || (version && n.version != version)) continue;
    if (auto w = model.findWorld(p, rest)) return *w;
  }
  return Error(ErrorCode::kUsage, "no world `" + std::string(spec) + "` in the loaded packages");
}

}  // namespace compono::component::wit
