// `compono claims`: print and verify the signed claims of a component or core module.
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iterator>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "compono/capability/claims.h"
#include "compono/capability/keys.h"
#include "compono/component/binary.h"

namespace compono::cli {

namespace cap = compono::capability;
using nlohmann::json;

std::optional<int64_t> parseTimeArg(const std::string& text) {
  if (!text.empty() && text[0] == '@') {
    auto n = parseCount(text.substr(1));
    if (!n || *n > static_cast<uint64_t>(cap::kMaxTime)) return std::nullopt;
    return static_cast<int64_t>(*n);
  }
  std::tm tm{};
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0, used = 0;
  if (text.size() == 10) {
    if (std::sscanf(text.c_str(), "%4d-%2d-%2d%n", &y, &mo, &d, &used) != 3 || used != 10) {
      return std::nullopt;
    }
  } else if (text.size() == 19 || (text.size() == 20 && text.back() == 'Z')) {
    if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &s, &used) !=
            6 ||
        used != 19) {
      return std::nullopt;
    }
  } else {
    return std::nullopt;
  }
  if (y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
      s > 59 || h < 0 || mi < 0 || s < 0) {
    return std::nullopt;
  }
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = s;
  std::time_t t = timegm(&tm);
  // timegm normalises (Feb 30 -> Mar 2): reject dates that did not survive.
  if (tm.tm_mday != d || tm.tm_mon != mo - 1) return std::nullopt;
  return static_cast<int64_t>(t);
}

std::vector<std::string> componentImportNames(const std::vector<uint8_t>& bytes) {
  std::vector<std::string> names;
  if (!component::isComponentBinary(bytes)) return names;
  auto decoded = component::decodeComponent(std::span<const uint8_t>(bytes), "component");
  if (!decoded.ok()) return names;
  for (const auto* import : decoded->imports()) names.push_back(import->name.name);
  return names;
}

CLI::App* addClaimsCommand(CLI::App& app, ClaimsOptions& options) {
  auto* claims = app.add_subcommand(
      "claims", "Print and verify the signed claims of a component or core module");
  claims->add_option("file", options.file, "The component or core module (.wasm)")->required();
  claims->add_option("--trust", options.trust,
                     "Trust this issuer (a compono1... public key; repeatable)")
      ->type_name("KEY")
      ->allow_extra_args(false);
  claims->add_option("--trust-file", options.trustFiles,
                     "Trust the issuers listed in FILE (one key per line, '#' comments)")
      ->type_name("FILE")
      ->allow_extra_args(false);
  claims->add_option("--at", options.at,
                     "Check validity at this time instead of now (2027-01-31, "
                     "2027-01-31T12:00:00Z, @UNIX_SECONDS)")
      ->type_name("TIME");
  claims->add_flag("--json", options.json, "Machine-readable output");
  claims->footer(
      "Checks, in order: the signature, that the binary was not modified after signing, the\n"
      "validity period, and (with --trust/--trust-file) that the issuer is trusted. Each\n"
      "failure has its own message (and \"status\" in --json): not-signed, malformed,\n"
      "bad-signature, modified, expired, not-yet-valid, untrusted-issuer.\n"
      "Exit code 0 only when the claims are valid and, if issuers were given, trusted;\n"
      "1 otherwise; 2 for a bad command line.");
  return claims;
}

namespace {

json claimsJson(const cap::Claims& c) {
  json grants = json::array();
  for (const auto& g : c.grants) grants.push_back(g.toString());
  json j = {{"issuer", c.issuer.toString()},
            {"subject", "sha256:" + cap::toHex(c.subject)},
            {"grants", grants},
            {"issued_at", cap::formatUnixTime(c.issuedAt)},
            {"expires_at", c.expiresAt ? json(cap::formatUnixTime(*c.expiresAt)) : json(nullptr)}};
  if (!c.name.empty()) j["name"] = c.name;
  return j;
}

}  // namespace

int claimsCommand(const ClaimsOptions& options) {
  cap::VerifyOptions verify;
  verify.now = cap::unixNow();
  if (!options.at.empty()) {
    auto at = parseTimeArg(options.at);
    if (!at) {
      printError("--at " + options.at + ": not a time (2027-01-31, 2027-01-31T12:00:00Z, @SECONDS)");
      return kExitUsage;
    }
    verify.now = *at;
  }
  if (!options.trust.empty() || !options.trustFiles.empty()) {
    std::vector<cap::PublicKey> trusted;
    for (const auto& text : options.trust) {
      auto key = cap::PublicKey::parse(text);
      if (!key.ok()) return printError("--trust: " + key.error().message), kExitUsage;
      trusted.push_back(*key);
    }
    for (const auto& file : options.trustFiles) {
      std::ifstream in(file, std::ios::binary);
      if (!in) return printError(file + ": cannot open the trust file"), kExitUserError;
      std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      auto keys = cap::parseTrustList(text);
      if (!keys.ok()) return printError(file + ": " + keys.error().message), kExitUserError;
      trusted.insert(trusted.end(), keys->begin(), keys->end());
    }
    verify.trusted = std::move(trusted);
  }

  std::ifstream in(options.file, std::ios::binary);
  if (!in) return printError(options.file + ": cannot open"), kExitUserError;
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto v = cap::verifyBinary(bytes, verify);

  std::vector<std::string> imports;
  if (v.claims) imports = componentImportNames(bytes);
  auto grantFor = [&](const std::string& import) -> std::string {
    auto name = cap::ImportName::parse(import);
    if (!name.ok()) return "";
    for (const auto& g : v.claims->claims.grants) {
      if (g.covers(*name)) return g.toString();
    }
    return "";
  };

  if (options.json) {
    json j = {{"file", options.file},
              {"status", cap::claimsCheckName(v.check)},
              {"valid", v.ok()},
              {"trust_checked", v.trustChecked},
              {"checked_at", cap::formatUnixTime(verify.now)}};
    if (!v.ok()) j["error"] = v.message;
    if (v.actualSubject) j["binary_sha256"] = cap::toHex(*v.actualSubject);
    j["claims"] = v.claims ? claimsJson(v.claims->claims) : json(nullptr);
    if (v.claims) {
      json list = json::array();
      for (const auto& import : imports) {
        std::string g = grantFor(import);
        list.push_back({{"name", import}, {"granted_by", g.empty() ? json(nullptr) : json(g)}});
      }
      j["imports"] = list;
    }
    std::printf("%s\n", j.dump(2).c_str());
    return v.ok() ? kExitOk : kExitUserError;
  }

  if (v.claims) {
    const cap::Claims& c = v.claims->claims;
    std::printf("file:     %s\n", options.file.c_str());
    if (!c.name.empty()) std::printf("name:     %s\n", c.name.c_str());
    std::printf("issuer:   %s\n", c.issuer.toString().c_str());
    std::printf("subject:  sha256:%s\n", cap::toHex(c.subject).c_str());
    std::printf("issued:   %s\n", cap::formatUnixTime(c.issuedAt).c_str());
    std::printf("expires:  %s\n", c.expiresAt ? cap::formatUnixTime(*c.expiresAt).c_str() : "never");
    std::printf("grants:   %s\n", c.grants.empty() ? "(none: it may import nothing)" : "");
    for (const auto& g : c.grants) std::printf("  %s\n", g.toString().c_str());
    if (!imports.empty()) {
      std::printf("imports:\n");
      for (const auto& import : imports) {
        std::string g = grantFor(import);
        auto name = cap::ImportName::parse(import);
        std::string shown = name.ok() ? import : name.error().message;  // quoted safely
        std::printf("  %s  %s\n", shown.c_str(),
                    g.empty() ? "NOT GRANTED (hosts refuse to link it)" : ("granted by " + g).c_str());
      }
    }
  }
  if (!v.ok()) {
    if (v.claims) std::printf("status:   %s\n", cap::claimsCheckName(v.check));
    return printError(v.status(options.file).error()), kExitUserError;
  }
  std::printf("status:   valid%s\n",
              v.trustChecked ? ", issuer trusted"
                             : " (issuer not checked: pass --trust KEY to require a trusted issuer)");
  return kExitOk;
}

}  // namespace compono::cli
