// The application manifest (YAML, OAM-shaped): parsing and validation with
// file:line:column errors.
#include "compono/providers/app_manifest.h"

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "compono/capability/keys.h"

namespace compono::providers {

namespace fs = std::filesystem;

std::string AppManifest::where(const ManifestPos& pos) const {
  return file + ":" + std::to_string(pos.line) + ":" + std::to_string(pos.column);
}

namespace {

ManifestPos posOf(const YAML::Mark& m) {
  return {static_cast<uint32_t>(m.line + 1), static_cast<uint32_t>(m.column + 1)};
}

// Thrown inside the parser only (never across the library boundary).
struct ManifestError {
  ManifestPos pos;
  std::string message;
};

[[noreturn]] void fail(const YAML::Node& at, std::string message) {
  throw ManifestError{posOf(at.Mark()), std::move(message)};
}

const char* kindName(const YAML::Node& n) {
  if (n.IsMap()) return "a mapping";
  if (n.IsSequence()) return "a list";
  if (n.IsNull()) return "empty";
  return "a scalar";
}

// A mapping node whose keys must come from `allowed`; `what` names it in messages.
class Map {
 public:
  // `anyKey`: any plain key is allowed (maps of user data).
  Map(const YAML::Node& node, std::string what, std::set<std::string> allowed, bool anyKey = false)
      : node_(node), what_(std::move(what)) {
    if (!node.IsMap()) fail(node, what_ + " must be a mapping, not " + kindName(node));
    for (auto it = node.begin(); it != node.end(); ++it) {
      if (!it->first.IsScalar()) fail(it->first, what_ + ": keys must be plain names");
      std::string key = it->first.Scalar();
      if (!anyKey && !allowed.count(key)) {
        std::string list;
        for (const std::string& a : allowed) list += (list.empty() ? "" : ", ") + a;
        fail(it->first, "unknown key \"" + key + "\" in " + what_ + " (allowed: " + list + ")");
      }
      if (!entries_.emplace(key, std::make_pair(it->first, it->second)).second) {
        fail(it->first, "duplicate key \"" + key + "\" in " + what_);
      }
    }
  }
  bool has(const std::string& key) const { return entries_.count(key) > 0; }
  const YAML::Node& node() const { return node_; }
  const YAML::Node& value(const std::string& key) const {
    auto it = entries_.find(key);
    if (it == entries_.end()) fail(node_, what_ + ": missing required key \"" + key + "\"");
    return it->second.second;
  }
  const YAML::Node& keyNode(const std::string& key) const { return entries_.at(key).first; }
  std::string string(const std::string& key) const {
    const YAML::Node& v = value(key);
    if (!v.IsScalar() || v.Scalar().empty()) {
      fail(v, what_ + ": \"" + key + "\" must be a non-empty string, not " + kindName(v));
    }
    return v.Scalar();
  }

 private:
  YAML::Node node_;
  std::string what_;
  std::map<std::string, std::pair<YAML::Node, YAML::Node>> entries_;
};

bool validComponentName(const std::string& n) {
  if (n.empty() || n.size() > 64) return false;
  for (char c : n) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return n.front() != '-' && n.back() != '-';
}

std::string resolvePath(const std::string& base, const std::string& p) {
  if (p.empty() || fs::path(p).is_absolute()) return p;
  return (fs::path(base) / p).lexically_normal().string();
}

struct Parser {
  AppManifest m;
  std::string baseDir;
  std::map<std::string, std::pair<BucketSpec, std::string>> buckets;  // name -> (spec, where)
  std::map<std::string, std::string> routes;                          // prefix -> component

  void parse(const YAML::Node& root) {
    if (!root.IsDefined() || root.IsNull())
      fail(root, "the manifest is empty (expected an OAM Application)");
    Map top(root, "the manifest", {"apiVersion", "kind", "metadata", "spec"});
    if (top.string("apiVersion") != kAppApiVersion) {
      fail(top.value("apiVersion"), "apiVersion must be " + std::string(kAppApiVersion) +
                                        ", not \"" + top.string("apiVersion") + "\"");
    }
    if (top.string("kind") != "Application") {
      fail(top.value("kind"), "kind must be Application, not \"" + top.string("kind") + "\"");
    }
    Map meta(top.value("metadata"), "metadata", {"name", "annotations"});
    m.name = meta.string("name");
    if (meta.has("annotations")) {
      const YAML::Node& ann = meta.value("annotations");
      Map check(ann, "metadata.annotations", {}, /*anyKey=*/true);
      for (auto it = ann.begin(); it != ann.end(); ++it) {
        if (!it->second.IsScalar()) fail(it->second, "annotation values must be strings");
        m.annotations.emplace_back(it->first.Scalar(), it->second.Scalar());
      }
    }
    Map spec(top.value("spec"), "spec", {"http", "policy", "components"});
    if (spec.has("http")) {
      Map http(spec.value("http"), "spec.http", {"listen"});
      if (http.has("listen")) m.listen = http.string("listen");
    }
    if (spec.has("policy")) parsePolicy(spec.value("policy"));
    const YAML::Node& comps = spec.value("components");
    if (!comps.IsSequence() || comps.size() == 0) {
      fail(comps, "spec.components must be a non-empty list of components");
    }
    std::set<std::string> names;
    for (const YAML::Node& c : comps) {
      ComponentSpec cs = parseComponent(c);
      if (!names.insert(cs.name).second) {
        fail(c, "component \"" + cs.name + "\" is defined twice");
      }
      m.components.push_back(std::move(cs));
    }
    for (auto& [name, b] : buckets) m.buckets.push_back(b.first);
  }

  void parsePolicy(const YAML::Node& node) {
    Map policy(node, "spec.policy", {"trusted-issuers", "allow-unsigned"});
    if (policy.has("trusted-issuers")) {
      const YAML::Node& list = policy.value("trusted-issuers");
      if (!list.IsSequence())
        fail(list, "spec.policy.trusted-issuers must be a list of public keys");
      for (const YAML::Node& k : list) {
        if (!k.IsScalar()) fail(k, "a trusted issuer must be a public key (compono1...)");
        auto key = capability::PublicKey::parse(k.Scalar());
        if (!key.ok()) fail(k, "trusted issuer: " + key.error().message);
        m.trustedIssuers.push_back(k.Scalar());
      }
    }
    if (policy.has("allow-unsigned")) {
      const YAML::Node& v = policy.value("allow-unsigned");
      if (!v.IsScalar() || (v.Scalar() != "true" && v.Scalar() != "false")) {
        fail(v, "spec.policy.allow-unsigned must be true or false");
      }
      m.allowUnsigned = v.Scalar() == "true";
    }
  }

  ComponentSpec parseComponent(const YAML::Node& node) {
    Map c(node, "a component", {"name", "type", "properties", "traits"});
    ComponentSpec cs;
    cs.pos = posOf(node.Mark());
    cs.name = c.string("name");
    if (!validComponentName(cs.name)) {
      fail(c.value("name"), "component name \"" + cs.name +
                                "\" must be 1-64 characters of a-z, 0-9 and '-' (not at the ends)");
    }
    std::string what = "component \"" + cs.name + "\"";
    if (c.has("type") && c.string("type") != "component") {
      fail(c.value("type"),
           what + ": type must be \"component\", not \"" + c.string("type") + "\"");
    }
    Map props(c.value("properties"), what + " properties", {"source", "config"});
    cs.source = resolvePath(baseDir, props.string("source"));
    cs.sourcePos = posOf(props.value("source").Mark());
    if (props.has("config")) {
      Map cfg(props.value("config"), what + " config", {}, /*anyKey=*/true);
    }
    if (c.has("traits")) {
      const YAML::Node& traits = c.value("traits");
      if (!traits.IsSequence()) fail(traits, what + ": traits must be a list");
      for (const YAML::Node& t : traits) parseTrait(t, cs, what);
    }
    if (props.has("config")) {
      const YAML::Node& cfg = props.value("config");
      for (auto it = cfg.begin(); it != cfg.end(); ++it) {
        if (!it->second.IsScalar()) {
          fail(it->second, what + " config \"" + it->first.Scalar() +
                               "\": values must be scalars (strings, numbers, booleans)");
        }
        cs.config.emplace_back(it->first.Scalar(), it->second.Scalar());
      }
      if (!cs.config.empty() && !cs.configLinked) {
        fail(cfg, what +
                      " has config values but no link to config (add a trait {type: link, "
                      "properties: {target: config}})");
      }
    }
    return cs;
  }

  void parseTrait(const YAML::Node& node, ComponentSpec& cs, const std::string& what) {
    Map t(node, what + " trait", {"type", "properties"});
    std::string type = t.string("type");
    if (type == "http-route") {
      Map p(t.value("properties"), what + " http-route properties", {"prefix"});
      std::string prefix = p.string("prefix");
      if (prefix.front() != '/') {
        fail(p.value("prefix"),
             what + ": an HTTP route prefix starts with '/' (\"" + prefix + "\")");
      }
      auto [it, fresh] = routes.emplace(prefix, cs.name);
      if (!fresh) {
        fail(p.value("prefix"), what + ": the route prefix " + prefix +
                                    " is already taken by component \"" + it->second + "\"");
      }
      cs.routes.push_back({prefix, posOf(p.value("prefix").Mark())});
      return;
    }
    if (type != "link") {
      fail(t.value("type"), what + ": unknown trait type \"" + type + "\" (link or http-route)");
    }
    const YAML::Node& pn = t.value("properties");
    if (!pn.IsMap()) fail(pn, what + " link properties must be a mapping");
    std::string target = pn["target"] && pn["target"].IsScalar() ? pn["target"].Scalar() : "";
    if (target == "keyvalue") {
      Map p(pn, what + " keyvalue link", {"target", "buckets"});
      if (cs.keyvalueLinked)
        fail(node, what + " links keyvalue twice (list every bucket in one link)");
      cs.keyvalueLinked = true;
      parseBuckets(p.value("buckets"), cs, what);
    } else if (target == "config" || target == "logging") {
      Map p(pn, what + " " + target + " link", {"target"});
      (void)p;
      bool& linked = target == "config" ? cs.configLinked : cs.loggingLinked;
      if (linked) fail(node, what + " links " + target + " twice");
      linked = true;
    } else if (target.empty()) {
      fail(pn, what + ": a link needs a target (keyvalue, config or logging)");
    } else {
      fail(pn["target"],
           what + ": unknown link target \"" + target + "\" (keyvalue, config or logging)");
    }
  }

  void parseBuckets(const YAML::Node& node, ComponentSpec& cs, const std::string& what) {
    if (!node.IsMap() || node.size() == 0) {
      fail(node, what + ": buckets must map bucket names to SQLite files");
    }
    std::set<std::string> seen;
    for (auto it = node.begin(); it != node.end(); ++it) {
      YAML::Node k = it->first;  // copies: the iterator hands out temporaries
      YAML::Node v = it->second;
      if (!k.IsScalar() || k.Scalar().empty()) fail(k, what + ": a bucket name must be a string");
      std::string name = k.Scalar();
      if (!seen.insert(name).second) fail(k, what + ": bucket \"" + name + "\" listed twice");
      BucketSpec b;
      b.name = name;
      if (v.IsScalar()) {
        b.path = v.Scalar();
      } else {
        Map bm(v, what + " bucket \"" + name + "\"", {"path", "table"});
        b.path = bm.string("path");
        if (bm.has("table")) {
          b.table = bm.string("table");
          std::string why = checkTableName(b.table);
          if (!why.empty()) fail(bm.value("table"), what + " bucket \"" + name + "\": " + why);
        }
      }
      if (b.path.empty()) fail(v, what + " bucket \"" + name + "\": the SQLite file is empty");
      b.path = resolvePath(baseDir, b.path);
      std::string here = m.where(posOf(k.Mark()));
      auto [bit, fresh] = buckets.emplace(name, std::make_pair(b, here));
      if (!fresh && (bit->second.first.path != b.path || bit->second.first.table != b.table)) {
        fail(k, what + ": bucket \"" + name + "\" is already mapped to " + bit->second.first.path +
                    " table " + bit->second.first.table + " at " + bit->second.second +
                    " (one bucket, one file and table)");
      }
      cs.buckets.push_back(name);
    }
  }
};

}  // namespace

Result<AppManifest> parseAppManifest(const std::string& file, std::string_view text) {
  Parser p;
  p.m.file = file;
  p.baseDir = fs::path(file).parent_path().string();
  try {
    YAML::Node root = YAML::Load(std::string(text));
    p.parse(root);
  } catch (const ManifestError& e) {
    return Error(ErrorCode::kUsage, p.m.where(e.pos) + ": " + e.message);
  } catch (const YAML::Exception& e) {
    ManifestPos pos = posOf(e.mark);
    if (e.mark.is_null()) pos = {1, 1};
    return Error(ErrorCode::kUsage, p.m.where(pos) + ": YAML: " + e.msg);
  }
  return std::move(p.m);
}

Result<AppManifest> loadAppManifest(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error(ErrorCode::kIo, path + ": cannot read the manifest");
  std::ostringstream ss;
  ss << in.rdbuf();
  return parseAppManifest(path, ss.str());
}

}  // namespace compono::providers
