// compono/capability/policy.h — which imports of a component may be linked.
//
// The link-time policy, independent of any runtime: strings in, decisions
// out. A host calls decideLinks before instantiating anything and refuses
// the whole deployment unless the decision is ok().
//
// Contract: an import is linked only when
//   (1) the component's claims verified (verifyBinary) and were issued by a
//       key in `trusted`, and a grant covers the import, and
//   (2) a pattern in `provided` covers the import.
// An unsigned component (ClaimsCheck::kNotSigned) is refused, unless
// allowUnsigned is set: then every provided import links and
// PolicyDecision::warning holds a loud line the caller must print. Claims
// that are present but fail verification refuse the deployment even with
// allowUnsigned (a broken signature is evidence of tampering, not a
// development shortcut). Coverage follows interface_name.h: a grant
// "wasi:cli/stdout@0.2" or "@0.2.*" covers wasi:cli/stdout@0.2.12.
//
// Thread safety: reentrant; no shared state.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "compono/capability/claims.h"
#include "compono/capability/keys.h"
#include "compono/result.h"

namespace compono::capability {

enum class LinkDecision : uint8_t {
  kLinked,
  kNotGranted,     // the claims do not grant it
  kNotProvided,    // granted (or unsigned and allowed) but this deployment does not provide it
  kUnsigned,       // the component is unsigned and unsigned components are not allowed
  kClaimsInvalid,  // the claims failed verification or their issuer is not trusted
  kInvalidName,    // the import is not a valid import name
  kNotGrantedNorProvided,  // the claims do not grant it and this deployment does not provide it
};

// "linked", "not granted by the claims", "granted but not provided by this
// deployment", "component is unsigned", "claims are invalid", "not a valid
// import name", "neither granted by the claims nor provided by this deployment".
const char* linkDecisionText(LinkDecision decision);

struct ImportVerdict {
  std::string import;
  LinkDecision decision = LinkDecision::kNotGranted;
  std::string grant;     // the normalised grant that covers it; empty when none applies
  std::string provider;  // the provided pattern that covers it; empty when none
  bool linked() const { return decision == LinkDecision::kLinked; }
  // The decision text, with the grant or provider when that helps
  // ("granted but not provided by this deployment (grant wasi:cli/stdout@0.2.*)").
  std::string reason() const;
};

struct LinkRequest {
  std::string component;             // how messages name the component ("app.wasm")
  std::vector<PublicKey> trusted;    // issuers this host trusts
  bool allowUnsigned = false;        // development only
  std::vector<std::string> imports;  // the component's imported names
  std::vector<std::string> provided; // interface patterns this deployment provides
};

struct PolicyDecision {
  std::vector<ImportVerdict> imports;  // one per LinkRequest::imports entry, same order
  std::string warning;  // non-empty: print it (an unsigned component was admitted)
  // okStatus() when every import links; otherwise one kCapability error line
  // naming the component and EVERY refused import with its reason. kUsage
  // when `provided` holds an invalid pattern.
  Status status;
  bool ok() const { return status.ok(); }
};

// `verification` comes from verifyBinary on the component's bytes (with or
// without a trusted set: the issuer is checked against `request.trusted` here
// either way).
PolicyDecision decideLinks(const Verification& verification, const LinkRequest& request);

// The whole check a host runs before it instantiates anything: verifies the
// claims embedded in `wasm` at time `now` (Unix seconds; pass unixNow())
// against `request.trusted`, then decides every import of `request`. The
// caller extracts `request.imports` from the component (this layer does not
// decode components) and lists what its deployment provides. Distinct
// refusals, each named in PolicyDecision::status: the binary was modified
// after signing ("modified after signing") or its claims altered ("bad
// signature"), the claims expired ("claims expired at"), the issuer is not
// trusted ("untrusted issuer"), an import is not granted ("not granted by the
// claims"), not provided ("granted but not provided by this deployment"), or
// both ("neither granted by the claims nor provided by this deployment").
PolicyDecision checkDeployment(std::span<const uint8_t> wasm, const LinkRequest& request,
                               int64_t now);

}  // namespace compono::capability
