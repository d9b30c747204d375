// `compono keys gen` and `compono keys show`.
#include <cstdio>

#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "compono/capability/keys.h"

namespace compono::cli {

namespace cap = compono::capability;

CLI::App* addKeysCommand(CLI::App& app, KeysOptions& options) {
  auto* keys = app.add_subcommand("keys", "Create signing keys, or show the public key of one");
  keys->require_subcommand(1);
  auto* gen = keys->add_subcommand("gen", "Create an ed25519 signing key; print its public key");
  gen->add_option("-o,--output", options.output, "Where to write the secret key (mode 0600)")
      ->type_name("FILE")
      ->capture_default_str();
  gen->add_flag("--force", options.force, "Replace FILE if it exists (the old key is lost)");
  gen->callback([&options] { options.action = "gen"; });
  gen->footer(
      "The secret key file is written atomically with mode 0600 and never replaces an existing\n"
      "file unless --force is given. stdout gets only the public key (compono1...), so\n"
      "  PUB=$(compono keys gen -o release.key)\n"
      "captures it. The public key is the issuer ID hosts put in their trust lists\n"
      "(`compono claims --trust PUB`). Keep the secret key out of version control.");
  auto* show = keys->add_subcommand("show", "Print the public key of a secret key file");
  show->add_option("file", options.file, "The secret key file")->required()->type_name("FILE");
  show->callback([&options] { options.action = "show"; });
  keys->footer(
      "Key file format (one line; '#' lines are comments):\n"
      "  compono-ed25519-secret-v1:<64 hex digits: the ed25519 seed>\n"
      "A secret key file readable by group or others is refused (fix: chmod 600 FILE).");
  return keys;
}

int keysCommand(const KeysOptions& options) {
  if (options.action == "gen") {
    if (options.output.empty()) return printError("keys gen: -o FILE must not be empty"), kExitUsage;
    auto key = cap::SecretKey::generate();
    if (!key.ok()) return printError(key.error()), exitCodeFor(key.error());
    auto written = cap::writeSecretKeyFile(options.output, *key, options.force);
    if (!written.ok()) return printError(written.error()), exitCodeFor(written.error());
    std::printf("%s\n", key->publicKey().toString().c_str());
    std::fprintf(stderr, "wrote secret key %s (mode 0600); the line above is its public key\n",
                 options.output.c_str());
    return kExitOk;
  }
  auto key = cap::readSecretKeyFile(options.file);
  if (!key.ok()) return printError(key.error()), exitCodeFor(key.error());
  std::printf("%s\n", key->publicKey().toString().c_str());
  return kExitOk;
}

}  // namespace compono::cli
