// The link-time policy: claims x deployment x trust -> a decision per import.
#include <gtest/gtest.h>

#include "capability/capability_test_util.h"
#include "compono/capability/policy.h"

namespace compono::capability::test {
namespace {

class Policy : public ::testing::Test {
 protected:
  // Verifies `bytes` as a host would (trusted set given).
  Verification verify(const std::vector<uint8_t>& bytes, int64_t now = kNow) {
    return verifyBinary(bytes, verifyAt(now, std::vector{key_.publicKey()}));
  }
  std::vector<uint8_t> signedWith(std::vector<std::string> grants,
                                  std::optional<int64_t> expires = {}) {
    return signOrDie(emptyModule(), key_, std::move(grants), expires);
  }
  LinkRequest request(std::vector<std::string> imports, std::vector<std::string> provided) {
    LinkRequest r;
    r.component = "app.wasm";
    r.trusted = {key_.publicKey()};
    r.imports = std::move(imports);
    r.provided = std::move(provided);
    return r;
  }
  static std::string message(const PolicyDecision& d) {
    return d.status.ok() ? "(ok)" : d.status.error().message;
  }
  SecretKey key_ = testKey(5);
};

TEST_F(Policy, GrantedAndProvidedLinks) {
  auto v = verify(signedWith({"wasi:cli/stdout@0.2", "wasi:cli/stderr"}));
  ASSERT_TRUE(v.ok()) << v.message;
  auto d = decideLinks(v, request({"wasi:cli/stdout@0.2.12", "wasi:cli/stderr@0.2.12"},
                                  {"wasi:cli/stdout@0.2.*", "wasi:cli/stderr@0.2.12"}));
  ASSERT_TRUE(d.ok()) << message(d);
  EXPECT_TRUE(d.warning.empty());
  ASSERT_EQ(d.imports.size(), 2u);
  EXPECT_TRUE(d.imports[0].linked());
  EXPECT_EQ(d.imports[0].grant, "wasi:cli/stdout@0.2.*");
  EXPECT_EQ(d.imports[0].provider, "wasi:cli/stdout@0.2.*");
  EXPECT_EQ(d.imports[1].grant, "wasi:cli/stderr");
  EXPECT_EQ(d.imports[1].provider, "wasi:cli/stderr@0.2.12");
  EXPECT_EQ(d.imports[0].reason(),
            "linked (granted by wasi:cli/stdout@0.2.*, provided by wasi:cli/stdout@0.2.*)");
}

TEST_F(Policy, GrantedButNotProvided) {
  auto d = decideLinks(verify(signedWith({"wasi:http/outgoing-handler@0.2"})),
                       request({"wasi:http/outgoing-handler@0.2.0"}, {"wasi:cli/stdout"}));
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.imports[0].decision, LinkDecision::kNotProvided);
  EXPECT_EQ(message(d),
            "app.wasm: deployment refused: 1 of 1 imports cannot be linked: "
            "\"wasi:http/outgoing-handler@0.2.0\": granted but not provided by this deployment "
            "(grant wasi:http/outgoing-handler@0.2.*)");
  EXPECT_EQ(d.status.error().code, ErrorCode::kCapability);
}

TEST_F(Policy, ProvidedButNotGranted) {
  auto d = decideLinks(verify(signedWith({"wasi:cli/stdout@0.2"})),
                       request({"wasi:filesystem/preopens@0.2.12"}, {"wasi:filesystem/preopens"}));
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.imports[0].decision, LinkDecision::kNotGranted);
  EXPECT_EQ(d.imports[0].provider, "wasi:filesystem/preopens");
  EXPECT_NE(message(d).find("\"wasi:filesystem/preopens@0.2.12\": not granted by the claims"),
            std::string::npos)
      << message(d);
}

TEST_F(Policy, EveryRefusedImportIsListedInOneLine) {
  auto d = decideLinks(
      verify(signedWith({"wasi:cli/stdout@0.2", "wasi:http/types@0.2"})),
      request({"wasi:cli/stdout@0.2.12", "wasi:cli/stdout@0.3.0", "wasi:http/types@0.2.0",
               "wasi:sockets/tcp@0.2.0", "[method]bad"},
              {"wasi:cli/stdout", "wasi:sockets/tcp"}));
  ASSERT_FALSE(d.ok());
  std::string m = message(d);
  EXPECT_EQ(m.find('\n'), std::string::npos);
  EXPECT_NE(m.find("4 of 5 imports cannot be linked"), std::string::npos) << m;
  EXPECT_NE(m.find("\"wasi:cli/stdout@0.3.0\": not granted by the claims"), std::string::npos);
  EXPECT_NE(m.find("\"wasi:http/types@0.2.0\": granted but not provided"), std::string::npos);
  EXPECT_NE(m.find("\"wasi:sockets/tcp@0.2.0\": not granted by the claims"), std::string::npos);
  EXPECT_NE(m.find("\"[method]bad\": not a valid import name"), std::string::npos);
  EXPECT_EQ(m.find("\"wasi:cli/stdout@0.2.12\""), std::string::npos);  // linked: not listed
  ASSERT_EQ(d.imports.size(), 5u);
  EXPECT_TRUE(d.imports[0].linked());
  EXPECT_EQ(d.imports[4].decision, LinkDecision::kInvalidName);
}

TEST_F(Policy, VersionWildcards) {
  auto v = verify(signedWith({"a:b/minor@0.2", "a:b/major@1", "a:b/exact@0.2.12", "a:b/any"}));
  auto decide = [&](const std::string& import) {
    return decideLinks(v, request({import}, {"a:b/minor", "a:b/major", "a:b/exact", "a:b/any"}))
        .imports[0]
        .decision;
  };
  EXPECT_EQ(decide("a:b/minor@0.2.12"), LinkDecision::kLinked);
  EXPECT_EQ(decide("a:b/minor@0.2.0"), LinkDecision::kLinked);
  EXPECT_EQ(decide("a:b/minor@0.3.0"), LinkDecision::kNotGranted);
  EXPECT_EQ(decide("a:b/minor@0.2.1-rc1"), LinkDecision::kNotGranted);
  EXPECT_EQ(decide("a:b/major@1.7.0"), LinkDecision::kLinked);
  EXPECT_EQ(decide("a:b/major@2.0.0"), LinkDecision::kNotGranted);
  EXPECT_EQ(decide("a:b/exact@0.2.12"), LinkDecision::kLinked);
  EXPECT_EQ(decide("a:b/exact@0.2.11"), LinkDecision::kNotGranted);
  EXPECT_EQ(decide("a:b/any@9.9.9"), LinkDecision::kLinked);
  EXPECT_EQ(decide("a:b/any"), LinkDecision::kLinked);
  // The deployment's versions count too.
  auto d = decideLinks(v, request({"a:b/minor@0.2.12"}, {"a:b/minor@0.2.11"}));
  EXPECT_EQ(d.imports[0].decision, LinkDecision::kNotProvided);
}

TEST_F(Policy, UnsignedIsRefusedUnlessAllowed) {
  auto v = verify(emptyModule());
  ASSERT_EQ(v.check, ClaimsCheck::kNotSigned);
  auto refused = decideLinks(v, request({"wasi:cli/stdout@0.2.12"}, {"wasi:cli/stdout"}));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.imports[0].decision, LinkDecision::kUnsigned);
  EXPECT_NE(message(refused).find("component is unsigned"), std::string::npos);
  EXPECT_NE(message(refused).find("--allow-unsigned"), std::string::npos);
  EXPECT_NE(message(refused).find("\"wasi:cli/stdout@0.2.12\""), std::string::npos);
  EXPECT_TRUE(refused.warning.empty());
  // No imports at all: still refused (nothing vouches for the component).
  EXPECT_FALSE(decideLinks(v, request({}, {})).ok());

  auto allowedRequest = request({"wasi:cli/stdout@0.2.12", "wasi:http/types@0.2.0"},
                                {"wasi:cli/stdout"});
  allowedRequest.allowUnsigned = true;
  auto allowed = decideLinks(v, allowedRequest);
  EXPECT_TRUE(allowed.imports[0].linked());
  EXPECT_EQ(allowed.imports[1].decision, LinkDecision::kNotProvided);
  EXPECT_NE(message(allowed).find("\"wasi:http/types@0.2.0\": not provided by this deployment"),
            std::string::npos)
      << message(allowed);
  EXPECT_NE(allowed.warning.find("WARNING: app.wasm is UNSIGNED"), std::string::npos);
  EXPECT_NE(allowed.warning.find("--allow-unsigned"), std::string::npos);
  EXPECT_EQ(allowed.warning.find('\n'), std::string::npos);
  allowedRequest.imports.pop_back();
  auto ok = decideLinks(v, allowedRequest);
  EXPECT_TRUE(ok.ok()) << message(ok);
  EXPECT_FALSE(ok.warning.empty());
}

TEST_F(Policy, InvalidClaimsAreRefusedEvenWhenUnsignedIsAllowed) {
  auto bytes = signedWith({"wasi:cli/stdout"});
  bytes.back() ^= 1;  // the signature
  auto r = request({"wasi:cli/stdout@0.2.12"}, {"wasi:cli/stdout"});
  r.allowUnsigned = true;
  auto d = decideLinks(verify(bytes), r);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.imports[0].decision, LinkDecision::kClaimsInvalid);
  EXPECT_NE(message(d).find("bad signature"), std::string::npos) << message(d);
  EXPECT_TRUE(d.warning.empty());

  auto expired = decideLinks(verify(signedWith({"wasi:cli/stdout"}, kNow + 60), kNow + 120),
                             request({"wasi:cli/stdout@0.2.12"}, {"wasi:cli/stdout"}));
  EXPECT_NE(message(expired).find("app.wasm: deployment refused: claims expired at"),
            std::string::npos)
      << message(expired);
}

TEST_F(Policy, TheIssuerMustBeTrustedByThisHost) {
  SecretKey stranger = testKey(6);
  auto bytes = signOrDie(emptyModule(), stranger, {"wasi:cli/stdout"});
  // Verified without a trusted set: the policy still checks the issuer itself.
  auto v = verifyBinary(bytes, verifyAt(kNow));
  ASSERT_TRUE(v.ok());
  auto d = decideLinks(v, request({"wasi:cli/stdout@0.2.12"}, {"wasi:cli/stdout"}));
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.imports[0].decision, LinkDecision::kClaimsInvalid);
  std::string issuer = stranger.publicKey().toString();
  EXPECT_NE(message(d).find("untrusted issuer: " + issuer), std::string::npos) << message(d);
  EXPECT_NE(message(d).find("--trust " + issuer), std::string::npos);
  auto trusting = request({"wasi:cli/stdout@0.2.12"}, {"wasi:cli/stdout"});
  trusting.trusted.push_back(stranger.publicKey());
  EXPECT_TRUE(decideLinks(v, trusting).ok());
}

TEST_F(Policy, SignedWithoutImportsLinks) {
  auto d = decideLinks(verify(signedWith({})), request({}, {"wasi:cli/stdout"}));
  EXPECT_TRUE(d.ok()) << message(d);
}

TEST_F(Policy, InvalidProvidedNamesAreAUsageError) {
  auto d = decideLinks(verify(signedWith({"wasi:cli/stdout"})),
                       request({"wasi:cli/stdout@0.2.12"}, {"wasi:cli/stdout", "not valid"}));
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status.error().code, ErrorCode::kUsage);
  EXPECT_NE(message(d).find("provides an invalid interface name"), std::string::npos);
  EXPECT_TRUE(d.imports[0].linked());
}

TEST_F(Policy, NeitherGrantedNorProvidedIsItsOwnReason) {
  auto d = decideLinks(verify(signedWith({"wasi:cli/stdout"})),
                       request({"wasi:cli/stdout@0.2.12", "wasi:sockets/tcp@0.2.0"},
                               {"wasi:cli/stdout"}));
  ASSERT_FALSE(d.ok());
  EXPECT_TRUE(d.imports[0].linked());
  EXPECT_EQ(d.imports[1].decision, LinkDecision::kNotGrantedNorProvided);
  EXPECT_EQ(message(d),
            "app.wasm: deployment refused: 1 of 2 imports cannot be linked: "
            "\"wasi:sockets/tcp@0.2.0\": neither granted by the claims nor provided by this "
            "deployment");
}

// checkDeployment: verification and the decision in one call, on a real
// component (consumer.wasm imports example:pair/math@0.1.0). Each refusal has
// its own message.
class Deployment : public ::testing::Test {
 protected:
  LinkRequest request(std::vector<std::string> provided) const {
    LinkRequest r;
    r.component = "consumer.wasm";
    r.trusted = {key_.publicKey()};
    r.imports = {"example:pair/math@0.1.0"};
    r.provided = std::move(provided);
    return r;
  }
  std::vector<uint8_t> signedConsumer(std::vector<std::string> grants,
                                      std::optional<int64_t> expires = {}) {
    return signOrDie(fixtureCopy(dir_, "consumer.wasm"), key_, std::move(grants), expires);
  }
  static std::string message(const PolicyDecision& d) {
    return d.status.ok() ? "(ok)" : d.status.error().message;
  }
  TempDir dir_;
  SecretKey key_ = testKey(7);
};

TEST_F(Deployment, GrantedProvidedAndTrustedLinks) {
  auto d = checkDeployment(signedConsumer({"example:pair/math@0.1"}),
                           request({"example:pair/math@0.1.0"}), kNow);
  ASSERT_TRUE(d.ok()) << message(d);
  EXPECT_TRUE(d.warning.empty());
  EXPECT_EQ(d.imports[0].grant, "example:pair/math@0.1.*");
}

TEST_F(Deployment, TamperedIsRefused) {
  auto bytes = signedConsumer({"example:pair/math"});
  bytes[bytes.size() / 2] ^= 1;  // inside the core module
  auto d = checkDeployment(bytes, request({"example:pair/math"}), kNow);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.imports[0].decision, LinkDecision::kClaimsInvalid);
  EXPECT_EQ(message(d).rfind("consumer.wasm: deployment refused: modified after signing", 0), 0u)
      << message(d);
}

TEST_F(Deployment, ExpiredIsRefused) {
  auto bytes = signedConsumer({"example:pair/math"}, kNow + 3600);
  EXPECT_TRUE(checkDeployment(bytes, request({"example:pair/math"}), kNow + 3599).ok());
  auto d = checkDeployment(bytes, request({"example:pair/math"}), kNow + 3600);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(message(d).rfind("consumer.wasm: deployment refused: claims expired at", 0), 0u)
      << message(d);
}

TEST_F(Deployment, UntrustedIssuerIsRefused) {
  auto bytes = signOrDie(fixtureCopy(dir_, "consumer.wasm"), testKey(8), {"example:pair/math"});
  auto d = checkDeployment(bytes, request({"example:pair/math"}), kNow);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(message(d).rfind("consumer.wasm: deployment refused: untrusted issuer: " +
                                 testKey(8).publicKey().toString(),
                             0),
            0u)
      << message(d);
}

TEST_F(Deployment, MissingGrantIsRefused) {
  auto d = checkDeployment(signedConsumer({"wasi:cli/stdout"}),
                           request({"example:pair/math"}), kNow);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(message(d),
            "consumer.wasm: deployment refused: 1 of 1 imports cannot be linked: "
            "\"example:pair/math@0.1.0\": not granted by the claims");
}

TEST_F(Deployment, MissingProviderIsRefused) {
  auto d = checkDeployment(signedConsumer({"example:pair/math"}), request({"wasi:cli/stdout"}),
                           kNow);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(message(d),
            "consumer.wasm: deployment refused: 1 of 1 imports cannot be linked: "
            "\"example:pair/math@0.1.0\": granted but not provided by this deployment "
            "(grant example:pair/math)");
}

TEST(LinkDecisionText, NamesEveryDecision) {
  EXPECT_STREQ(linkDecisionText(LinkDecision::kNotGranted), "not granted by the claims");
  EXPECT_STREQ(linkDecisionText(LinkDecision::kNotProvided),
               "granted but not provided by this deployment");
  EXPECT_STREQ(linkDecisionText(LinkDecision::kUnsigned), "component is unsigned");
  EXPECT_STREQ(linkDecisionText(LinkDecision::kNotGrantedNorProvided),
               "neither granted by the claims nor provided by this deployment");
}

}  // namespace
}  // namespace compono::capability::test
