// `compono sign`: embed signed claims in a component or core module.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>

#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "compono/capability/claims.h"
#include "compono/capability/keys.h"

namespace compono::cli {

namespace cap = compono::capability;

namespace {

// "90d", "12h", "30m", "45s", "2w", "1y" (365 days): seconds, or nullopt.
std::optional<int64_t> parseExpiryDuration(const std::string& text) {
  if (text.size() < 2 || text.size() > 12) return std::nullopt;
  int64_t n = 0;
  size_t i = 0;
  for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) n = n * 10 + (text[i] - '0');
  if (i == 0 || i + 1 != text.size() || n <= 0) return std::nullopt;
  switch (text[i]) {
    case 's': return n;
    case 'm': return n * 60;
    case 'h': return n * 3600;
    case 'd': return n * 86400;
    case 'w': return n * 7 * 86400;
    case 'y': return n * 365 * 86400;
    default: return std::nullopt;
  }
}

Error ioError(const std::string& path, const std::string& what) {
  return Error(ErrorCode::kIo, path + ": " + what + ": " + std::strerror(errno));
}

Result<std::vector<uint8_t>> readWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return ioError(path, "cannot open");
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return ioError(path, "cannot read");
  return bytes;
}

// Writes `bytes` to `path` atomically (a temporary file in the same
// directory, fsync, rename) with permission bits `mode`.
Status writeAtomically(const std::string& path, const std::vector<uint8_t>& bytes, mode_t mode) {
  std::string dir = ".";
  if (auto slash = path.rfind('/'); slash != std::string::npos) {
    dir = slash == 0 ? "/" : path.substr(0, slash);
  }
  std::string tmp = dir + "/.compono-sign-XXXXXX";
  int fd = ::mkstemp(tmp.data());
  if (fd < 0) return ioError(dir, "cannot create a temporary file");
  const uint8_t* p = bytes.data();
  size_t left = bytes.size();
  bool ok = true;
  while (ok && left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) ok = false;
    else p += n, left -= static_cast<size_t>(n);
  }
  ok = ok && ::fchmod(fd, mode) == 0 && ::fsync(fd) == 0;
  int saved = errno;
  ::close(fd);
  if (ok && ::rename(tmp.c_str(), path.c_str()) != 0) ok = false, saved = errno;
  if (!ok) {
    ::unlink(tmp.c_str());
    errno = saved;
    return ioError(path, "cannot write");
  }
  return okStatus();
}

}  // namespace

CLI::App* addSignCommand(CLI::App& app, SignOptions& options) {
  auto* sign = app.add_subcommand(
      "sign", "Embed signed claims (what it may import) in a component or core module");
  sign->add_option("file", options.file, "The component or core module (.wasm)")->required();
  sign->add_option("--key", options.key, "The secret key file (from `compono keys gen`)")
      ->required()
      ->type_name("FILE");
  sign->add_option("--grant", options.grants,
                   "An interface it may import (repeatable): wasi:cli/stdout@0.2.12 (exact), "
                   "@0.2 or @0.2.* (any 0.2.x), @1 (any 1.x), or no version (any)")
      ->type_name("IFACE")
      ->allow_extra_args(false);
  sign->add_option("--expires", options.expires,
                   "When the claims expire: a duration from now (90d, 12h, 2w, 1y) or a date "
                   "(2027-01-31, 2027-01-31T12:00:00Z)")
      ->type_name("DURATION|DATE");
  sign->add_option("--name", options.name, "A name recorded in the claims (printable ASCII)")
      ->type_name("NAME");
  sign->add_option("-o,--output", options.output, "Write here instead of replacing FILE")
      ->type_name("OUT");
  sign->footer(
      "The claims go in a custom section \"compono-claims\" at the end of the binary: the\n"
      "issuer (your public key), the SHA-256 of the binary without that section, the grants,\n"
      "the issue and expiry times, all signed with ed25519. Signing again replaces the old\n"
      "claims. Any later change to the binary makes `compono claims` (and hosts) reject it.\n"
      "Hosts link an import only if a grant covers it AND the deployment provides it.\n"
      "\n"
      "Examples:\n"
      "  compono keys gen -o release.key\n"
      "  compono sign app.wasm --key release.key --grant wasi:cli/stdout@0.2 \\\n"
      "      --grant wasi:cli/stderr@0.2 --expires 90d\n"
      "  compono claims app.wasm --trust compono1...");
  return sign;
}

int signCommand(const SignOptions& options) {
  int64_t now = cap::unixNow();
  std::optional<int64_t> expiresAt;
  if (!options.expires.empty()) {
    if (auto d = parseExpiryDuration(options.expires)) {
      expiresAt = now + *d;
    } else if (auto t = parseTimeArg(options.expires)) {
      if (*t <= now) {
        printError("--expires " + options.expires + " is in the past");
        return kExitUsage;
      }
      expiresAt = *t;
    } else {
      printError("--expires " + options.expires +
                 ": not a duration (90d, 12h, 2w, 1y) or a date (2027-01-31, "
                 "2027-01-31T12:00:00Z)");
      return kExitUsage;
    }
  }
  for (const auto& g : options.grants) {
    auto pattern = cap::InterfacePattern::parse(g);
    if (!pattern.ok()) return printError("--grant " + pattern.error().message), kExitUsage;
  }
  auto key = cap::readSecretKeyFile(options.key);
  if (!key.ok()) return printError(key.error()), exitCodeFor(key.error());
  auto bytes = readWholeFile(options.file);
  if (!bytes.ok()) return printError(bytes.error()), exitCodeFor(bytes.error());

  cap::ClaimsRequest request;
  request.grants = options.grants;
  request.issuedAt = now;
  request.expiresAt = expiresAt;
  request.name = options.name;
  auto signedBytes = cap::signBinary(*bytes, *key, request);
  if (!signedBytes.ok()) {
    Error e = std::move(signedBytes).error();
    if (e.code == ErrorCode::kDecode) e.context(options.file);
    return printError(e), exitCodeFor(e);
  }

  const std::string& out = options.output.empty() ? options.file : options.output;
  struct stat st;
  mode_t mode = 0644;
  if (::stat(out.c_str(), &st) == 0 || ::stat(options.file.c_str(), &st) == 0) {
    mode = st.st_mode & 07777;
  }
  auto written = writeAtomically(out, *signedBytes, mode);
  if (!written.ok()) return printError(written.error()), exitCodeFor(written.error());

  auto verification = cap::verifyBinary(*signedBytes, {.now = now});
  if (!verification.ok()) {  // a bug, never expected: say so rather than claim success
    printError(Error(ErrorCode::kInternal, out + ": the freshly signed binary does not verify: " +
                                               verification.message));
    return kExitInternal;
  }
  const auto& claims = verification.claims->claims;
  std::printf("signed %s\n  issuer:  %s\n", out.c_str(), claims.issuer.toString().c_str());
  std::printf("  grants: ");
  if (claims.grants.empty()) std::printf(" (none: it may import nothing)");
  for (size_t i = 0; i < claims.grants.size(); ++i) {
    std::printf("%s%s", i ? ", " : " ", claims.grants[i].toString().c_str());
  }
  std::printf("\n  expires: %s\n",
              claims.expiresAt ? cap::formatUnixTime(*claims.expiresAt).c_str() : "never");

  // Help the signer: imports no grant covers will be refused at link time.
  for (const auto& import : componentImportNames(*signedBytes)) {
    auto name = cap::ImportName::parse(import);
    if (!name.ok()) {  // the message quotes the name safely
      std::fprintf(stderr, "note: %s\n", name.error().message.c_str());
      continue;
    }
    bool covered = false;
    for (const auto& g : claims.grants) covered = covered || g.covers(*name);
    if (!covered) {
      std::fprintf(stderr, "note: import %s is not granted; hosts will refuse to link it\n",
                   import.c_str());
    }
  }
  return kExitOk;
}

}  // namespace compono::cli
