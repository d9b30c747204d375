// The link-time policy on the command line (`compono run`, `compono call` and
// `compono serve` of components): --trust KEY|FILE and --allow-unsigned.
#include <cstdio>

#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "compono/capability/claims.h"
#include "compono/capability/keys.h"
#include "compono/capability/policy.h"
#include "compono/component/component.h"
#include "compono/component/linker.h"

namespace compono::cli {

namespace cap = compono::capability;

const char* kPolicyFooter = R"(Link-time policy (components; off unless --trust or --allow-unsigned is given):
  --trust KEY|FILE          trust an issuer: a compono1... public key, or a file of them
                            (one per line, '#' comments); repeatable. Then an import is
                            linked only if the component's signed claims grant it (see
                            `compono sign --grant`) AND this host provides it (Compono's
                            WASI 0.2, or --stub-imports for `compono call`); otherwise
                            nothing runs and one error line lists every refused import
                            with its reason (not granted / not provided / neither).
                            Claims that were tampered with, expired, or signed by a key
                            not trusted here refuse the component, each with its message.
                            Unsigned components are refused.
  --allow-unsigned          development only: admit unsigned components anyway, with a
                            WARNING on stderr (they may import anything the host
                            provides); signed ones are checked as above.
  Without either flag no claims are checked (a development host); inspect them with
  `compono claims FILE --trust KEY`.
)";

void addPolicyFlags(CLI::App& cmd, PolicyOptions& o) {
  cmd.add_option("--trust", o.trust,
                 "Enforce the link-time policy, trusting this issuer (compono1... key) or the "
                 "keys listed in FILE (repeatable)")
      ->type_name("KEY|FILE")
      ->allow_extra_args(false);
  cmd.add_flag("--allow-unsigned", o.allowUnsigned,
               "Development only: admit unsigned components (prints a warning)");
}

Result<std::vector<cap::PublicKey>> trustedIssuers(const std::vector<std::string>& specs) {
  auto keys = cap::loadTrustedIssuers(specs);
  if (!keys.ok()) return Error(ErrorCode::kUsage, "--trust: " + keys.error().message);
  return keys;
}

int checkTrustFlags(const PolicyOptions& o) {
  if (!o.enabled()) return kExitOk;
  auto trusted = trustedIssuers(o.trust);
  if (!trusted.ok()) return printError(trusted.error()), kExitUsage;
  return kExitOk;
}

int checkLinkPolicy(const PolicyOptions& o, const std::string& file,
                    std::span<const uint8_t> bytes, const component::LoadedComponent& comp,
                    const component::Linker& linker, bool stubbed,
                    const std::vector<std::string>& alsoProvided) {
  if (!o.enabled()) return kExitOk;
  auto trusted = trustedIssuers(o.trust);
  if (!trusted.ok()) return printError(trusted.error()), kExitUsage;

  cap::LinkRequest request;
  request.component = file;
  request.trusted = std::move(*trusted);
  request.allowUnsigned = o.allowUnsigned;
  // Provided: every import the linker resolves (all of them with stubs). An
  // interface only partly defined ("IFACE#FUNC" unresolved) is not provided.
  std::vector<std::string> unresolved = stubbed ? std::vector<std::string>{}
                                                : linker.unresolvedImports(comp);
  for (const component::ExternInfo& import : comp.imports()) {
    request.imports.push_back(import.name);
    bool missing = false;
    for (const std::string& u : unresolved) {
      missing = missing || u == import.name || u.rfind(import.name + "#", 0) == 0;
    }
    if (!missing && cap::InterfacePattern::parse(import.name).ok()) {
      request.provided.push_back(import.name);
    }
  }
  request.provided.insert(request.provided.end(), alsoProvided.begin(), alsoProvided.end());
  cap::PolicyDecision decision = cap::checkDeployment(bytes, request, cap::unixNow());
  if (!decision.warning.empty()) {
    std::fflush(stdout);
    std::fprintf(stderr, "compono: %s\n", decision.warning.c_str());
  }
  if (!decision.ok()) return printError(decision.status.error()), kExitUserError;
  return kExitOk;
}

}  // namespace compono::cli
