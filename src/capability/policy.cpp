// The link-time policy (contract in compono/capability/policy.h).
#include "compono/capability/policy.h"

#include <algorithm>

#include "capability/crypto.h"

namespace compono::capability {

const char* linkDecisionText(LinkDecision decision) {
  switch (decision) {
    case LinkDecision::kLinked: return "linked";
    case LinkDecision::kNotGranted: return "not granted by the claims";
    case LinkDecision::kNotProvided: return "granted but not provided by this deployment";
    case LinkDecision::kUnsigned: return "component is unsigned";
    case LinkDecision::kClaimsInvalid: return "claims are invalid";
    case LinkDecision::kInvalidName: return "not a valid import name";
    case LinkDecision::kNotGrantedNorProvided:
      return "neither granted by the claims nor provided by this deployment";
  }
  return "unknown";
}

std::string ImportVerdict::reason() const {
  switch (decision) {
    case LinkDecision::kLinked:
      return grant.empty() ? "linked (unsigned; provided by " + provider + ")"
                           : "linked (granted by " + grant + ", provided by " + provider + ")";
    case LinkDecision::kNotProvided:
      return grant.empty() ? "not provided by this deployment"
                           : std::string(linkDecisionText(decision)) + " (grant " + grant + ")";
    default: return linkDecisionText(decision);
  }
}

PolicyDecision decideLinks(const Verification& verification, const LinkRequest& request) {
  PolicyDecision out;
  const std::string& who = request.component.empty() ? "component" : request.component;

  std::vector<InterfacePattern> provided;
  std::string badProvided;
  for (const auto& p : request.provided) {
    auto pattern = InterfacePattern::parse(p);
    if (pattern.ok()) {
      provided.push_back(std::move(*pattern));
    } else if (badProvided.empty()) {
      badProvided = pattern.error().message;
    }
  }

  // Which claims, if any, govern the imports.
  enum class Mode { kSigned, kUnsignedAllowed, kUnsignedRefused, kInvalid } mode;
  std::string invalidWhy;
  if (verification.check == ClaimsCheck::kNotSigned) {
    mode = request.allowUnsigned ? Mode::kUnsignedAllowed : Mode::kUnsignedRefused;
  } else if (verification.check != ClaimsCheck::kValid || !verification.claims) {
    mode = Mode::kInvalid;
    invalidWhy = verification.message.empty() ? claimsCheckName(verification.check)
                                              : verification.message;
  } else if (std::find(request.trusted.begin(), request.trusted.end(),
                       verification.claims->claims.issuer) == request.trusted.end()) {
    mode = Mode::kInvalid;
    std::string issuer = verification.claims->claims.issuer.toString();
    invalidWhy = "untrusted issuer: " + issuer +
                 " is not among this host's trusted issuers; if you trust it, add it "
                 "(e.g. --trust " + issuer + ")";
  } else {
    mode = Mode::kSigned;
  }

  for (const auto& text : request.imports) {
    ImportVerdict v;
    v.import = text;
    auto name = ImportName::parse(text);
    if (!name.ok()) {
      v.decision = LinkDecision::kInvalidName;
      out.imports.push_back(std::move(v));
      continue;
    }
    for (const auto& p : provided) {
      if (p.covers(*name)) {
        v.provider = p.toString();
        break;
      }
    }
    switch (mode) {
      case Mode::kInvalid: v.decision = LinkDecision::kClaimsInvalid; break;
      case Mode::kUnsignedRefused: v.decision = LinkDecision::kUnsigned; break;
      case Mode::kUnsignedAllowed:
        v.decision = v.provider.empty() ? LinkDecision::kNotProvided : LinkDecision::kLinked;
        break;
      case Mode::kSigned:
        for (const auto& g : verification.claims->claims.grants) {
          if (g.covers(*name)) {
            v.grant = g.toString();
            break;
          }
        }
        if (v.grant.empty()) {
          v.decision = v.provider.empty() ? LinkDecision::kNotGrantedNorProvided
                                          : LinkDecision::kNotGranted;
        } else {
          v.decision = v.provider.empty() ? LinkDecision::kNotProvided : LinkDecision::kLinked;
        }
        break;
    }
    out.imports.push_back(std::move(v));
  }

  if (mode == Mode::kUnsignedAllowed) {
    out.warning = "WARNING: " + who +
                  " is UNSIGNED and runs only because unsigned components are allowed "
                  "(--allow-unsigned, for development only): it may import anything this "
                  "deployment provides";
  }

  std::vector<const ImportVerdict*> refused;
  for (const auto& v : out.imports) {
    if (!v.linked()) refused.push_back(&v);
  }
  auto names = [&] {
    std::string s;
    for (const auto* v : refused) s += (s.empty() ? "" : ", ") + internal::quoted(v->import);
    return s;
  };
  std::string prefix = who + ": deployment refused: ";
  if (mode == Mode::kInvalid) {
    std::string msg = prefix + invalidWhy;
    if (!refused.empty()) msg += " (no import linked: " + names() + ")";
    out.status = Error(ErrorCode::kCapability, msg);
  } else if (mode == Mode::kUnsignedRefused) {
    std::string msg = prefix + "component is unsigned";
    if (!refused.empty()) msg += " (no import linked: " + names() + ")";
    msg += "; sign it with `compono sign`, or allow unsigned components for development only "
           "(--allow-unsigned)";
    out.status = Error(ErrorCode::kCapability, msg);
  } else if (!refused.empty()) {
    std::string msg = prefix + std::to_string(refused.size()) + " of " +
                      std::to_string(out.imports.size()) + " imports cannot be linked: ";
    for (size_t i = 0; i < refused.size(); ++i) {
      msg += (i ? "; " : "") + internal::quoted(refused[i]->import) + ": " + refused[i]->reason();
    }
    out.status = Error(ErrorCode::kCapability, msg);
  }
  if (!badProvided.empty()) {
    std::string msg = "this deployment provides an invalid interface name: " + badProvided;
    out.status = out.status.ok() ? Error(ErrorCode::kUsage, who + ": " + msg)
                                 : Error(out.status.error().code,
                                         out.status.error().message + "; also " + msg);
  }
  return out;
}

PolicyDecision checkDeployment(std::span<const uint8_t> wasm, const LinkRequest& request,
                               int64_t now) {
  VerifyOptions options;
  options.now = now;
  options.trusted = request.trusted;
  return decideLinks(verifyBinary(wasm, options), request);
}

}  // namespace compono::capability
