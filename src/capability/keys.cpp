// Keys: the public key text form, secret key files, trust lists.
#include "compono/capability/keys.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>

#include "capability/crypto.h"

namespace compono::capability {

using internal::quoted;

namespace {

constexpr size_t kChecksumSize = 4;
constexpr size_t kPublicKeyTextSize = 66;  // "compono1" + base32 of 36 bytes (58 characters)
constexpr size_t kMaxKeyFileSize = 4096;

std::array<uint8_t, kChecksumSize> publicKeyChecksum(std::span<const uint8_t> key) {
  internal::Sha256Hasher h;
  h.update(kPublicKeyPrefix);
  h.update(key);
  auto digest = h.finish();
  return {digest[0], digest[1], digest[2], digest[3]};
}

Error ioError(const std::string& path, const std::string& what) {
  return Error(ErrorCode::kIo, path + ": " + what + ": " + std::strerror(errno));
}

// Lines of `text` without trailing CR/spaces/tabs.
template <typename F>
void forEachLine(std::string_view text, F&& f) {
  size_t lineNo = 0;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) {
      line.remove_suffix(1);
    }
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    if (!f(++lineNo, line)) return;
  }
}

// Writes all of `data` to `fd`; false with errno set on failure.
bool writeAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

// Wipes a std::string holding secret text.
void wipeString(std::string& s) {
  if (!s.empty()) sodium_memzero(s.data(), s.size());
  s.clear();
}

}  // namespace

// ---- PublicKey ----

Result<PublicKey> PublicKey::fromBytes(std::span<const uint8_t> bytes) {
  COMPONO_TRY(internal::ensureSodium());
  if (bytes.size() != kPublicKeySize) {
    return Error(ErrorCode::kCapability, "an ed25519 public key has 32 bytes, not " +
                                             std::to_string(bytes.size()));
  }
  if (crypto_core_ed25519_is_valid_point(bytes.data()) != 1) {
    return Error(ErrorCode::kCapability,
                 "not a valid ed25519 public key (not a point of the curve's main subgroup)");
  }
  PublicKey key;
  std::memcpy(key.bytes_.data(), bytes.data(), kPublicKeySize);
  return key;
}

Result<PublicKey> PublicKey::parse(std::string_view text) {
  auto bad = [&](const std::string& why) {
    return Error(ErrorCode::kUsage, "public key " + quoted(text) + ": " + why);
  };
  if (text.substr(0, kPublicKeyPrefix.size()) != kPublicKeyPrefix) {
    if (text.substr(0, kSecretKeyPrefix.size()) == kSecretKeyPrefix) {
      return Error(ErrorCode::kUsage,
                   "that is a SECRET key; pass the public key (`compono keys show KEYFILE` "
                   "prints it) and keep the secret key private");
    }
    return bad("must start with \"compono1\" (as printed by `compono keys gen`)");
  }
  if (text.size() != kPublicKeyTextSize) {
    return bad("must be " + std::to_string(kPublicKeyTextSize) + " characters, not " +
               std::to_string(text.size()));
  }
  auto raw = internal::base32Decode(text.substr(kPublicKeyPrefix.size()));
  if (!raw || raw->size() != kPublicKeySize + kChecksumSize) {
    return bad("has characters outside the lowercase base32 alphabet a-z, 2-7");
  }
  std::span<const uint8_t> keyBytes(raw->data(), kPublicKeySize);
  auto check = publicKeyChecksum(keyBytes);
  if (std::memcmp(check.data(), raw->data() + kPublicKeySize, kChecksumSize) != 0) {
    return bad("checksum does not match (a typo, or a truncated copy)");
  }
  auto key = fromBytes(keyBytes);
  if (!key.ok()) return bad(key.error().message);
  return key;
}

std::string PublicKey::toString() const {
  std::vector<uint8_t> raw(bytes_.begin(), bytes_.end());
  auto check = publicKeyChecksum(bytes_);
  raw.insert(raw.end(), check.begin(), check.end());
  return std::string(kPublicKeyPrefix) + internal::base32Encode(raw);
}

bool PublicKey::verify(std::span<const uint8_t> message, const Signature& signature) const {
  if (!internal::ensureSodium().ok()) return false;
  return crypto_sign_verify_detached(signature.data(), message.data(), message.size(),
                                     bytes_.data()) == 0;
}

// ---- SecretKey ----

SecretKey::SecretKey(SecretKey&& other) noexcept : secret_(other.secret_), public_(other.public_) {
  other.wipe();
}

SecretKey& SecretKey::operator=(SecretKey&& other) noexcept {
  if (this != &other) {
    secret_ = other.secret_;
    public_ = other.public_;
    other.wipe();
  }
  return *this;
}

SecretKey::~SecretKey() { wipe(); }

void SecretKey::wipe() { sodium_memzero(secret_.data(), secret_.size()); }

Result<SecretKey> SecretKey::generate() {
  COMPONO_TRY(internal::ensureSodium());
  std::array<uint8_t, kSeedSize> seed{};
  randombytes_buf(seed.data(), seed.size());
  auto key = fromSeed(seed);
  sodium_memzero(seed.data(), seed.size());
  return key;
}

Result<SecretKey> SecretKey::fromSeed(std::span<const uint8_t> seed) {
  COMPONO_TRY(internal::ensureSodium());
  if (seed.size() != kSeedSize) {
    return Error(ErrorCode::kUsage, "an ed25519 seed has 32 bytes, not " +
                                        std::to_string(seed.size()));
  }
  static_assert(sizeof(SecretKey::secret_) == crypto_sign_SECRETKEYBYTES);
  SecretKey key;
  std::array<uint8_t, kPublicKeySize> pk{};
  if (crypto_sign_seed_keypair(pk.data(), key.secret_.data(), seed.data()) != 0) {
    return Error(ErrorCode::kInternal, "crypto_sign_seed_keypair failed");
  }
  auto pub = PublicKey::fromBytes(pk);
  if (!pub.ok()) return Error(ErrorCode::kInternal, "derived public key is invalid");
  key.public_ = *pub;
  return key;
}

Result<SecretKey> SecretKey::parse(std::string_view text) {
  std::optional<Error> error;
  std::optional<size_t> keyLine;
  std::array<uint8_t, kSeedSize> seed{};
  forEachLine(text, [&](size_t lineNo, std::string_view line) {
    if (line.empty() || line.front() == '#') return true;
    auto fail = [&](const std::string& why) {
      error = Error(ErrorCode::kCapability, "line " + std::to_string(lineNo) + ": " + why);
      return false;
    };
    if (keyLine) return fail("a second key line (a key file holds exactly one key)");
    if (line.substr(0, kPublicKeyPrefix.size()) == kPublicKeyPrefix) {
      return fail("this is a public key; signing needs the secret key file written by "
                  "`compono keys gen`");
    }
    if (line.substr(0, kSecretKeyPrefix.size()) != kSecretKeyPrefix) {
      if (line.substr(0, 24) == kSecretKeyPrefix.substr(0, 24)) {
        return fail("unsupported secret key format version (this compono reads " +
                    std::string(kSecretKeyPrefix.substr(0, kSecretKeyPrefix.size() - 1)) + ")");
      }
      return fail("not a compono secret key (expected a line starting with " +
                  std::string(kSecretKeyPrefix) + ")");
    }
    if (!internal::hexDecode(line.substr(kSecretKeyPrefix.size()), seed)) {
      return fail("the key must be 64 lowercase hex digits after the prefix");
    }
    keyLine = lineNo;
    return true;
  });
  if (!error && !keyLine) {
    error = Error(ErrorCode::kCapability, "no key line (expected a line starting with " +
                                              std::string(kSecretKeyPrefix) + ")");
  }
  if (error) {
    sodium_memzero(seed.data(), seed.size());
    return *error;
  }
  auto key = fromSeed(seed);
  sodium_memzero(seed.data(), seed.size());
  return key;
}

Signature SecretKey::sign(std::span<const uint8_t> message) const {
  Signature sig{};
  crypto_sign_detached(sig.data(), nullptr, message.data(), message.size(), secret_.data());
  return sig;
}

std::string SecretKey::toFileText() const {
  // The seed is the first half of libsodium's secret key.
  char hex[kSeedSize * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, secret_.data(), kSeedSize);
  std::string text =
      "# compono ed25519 secret key. Keep it private: mode 0600, never commit or share it.\n"
      "# public key: " +
      public_.toString() + "\n" + std::string(kSecretKeyPrefix) + hex + "\n";
  sodium_memzero(hex, sizeof hex);
  return text;
}

// ---- key files ----

Status writeSecretKeyFile(const std::string& path, const SecretKey& key, bool overwrite) {
  std::string dir = ".";
  if (auto slash = path.rfind('/'); slash != std::string::npos) {
    dir = slash == 0 ? "/" : path.substr(0, slash);
  }
  if (!overwrite) {
    struct stat st;
    if (::lstat(path.c_str(), &st) == 0) {
      return Error(ErrorCode::kIo, path + ": already exists; not overwriting a key file "
                                          "(pass --force to replace it)");
    }
  }
  // Write a private temporary file next to the target, then publish it with
  // link() (fails if the target exists) or rename() (replaces it): readers see
  // the whole key or nothing.
  std::string tmp = dir + "/.compono-key-XXXXXX";
  int fd = ::mkstemp(tmp.data());
  if (fd < 0) return ioError(dir, "cannot create a file in this directory");
  std::string text = key.toFileText();
  bool written = ::fchmod(fd, 0600) == 0 && writeAll(fd, text) && ::fsync(fd) == 0;
  int savedErrno = errno;
  wipeString(text);
  ::close(fd);
  if (!written) {
    ::unlink(tmp.c_str());
    errno = savedErrno;
    return ioError(path, "cannot write the key");
  }
  if (overwrite) {
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
      savedErrno = errno;
      ::unlink(tmp.c_str());
      errno = savedErrno;
      return ioError(path, "cannot write the key");
    }
  } else {
    int rc = ::link(tmp.c_str(), path.c_str());
    savedErrno = errno;
    ::unlink(tmp.c_str());
    if (rc != 0) {
      if (savedErrno == EEXIST) {
        return Error(ErrorCode::kIo, path + ": already exists; not overwriting a key file "
                                            "(pass --force to replace it)");
      }
      errno = savedErrno;
      return ioError(path, "cannot write the key");
    }
  }
  int dirFd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dirFd >= 0) {
    ::fsync(dirFd);
    ::close(dirFd);
  }
  return okStatus();
}

Result<SecretKey> readSecretKeyFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0) return ioError(path, "cannot open the key file");
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    Error e = ioError(path, "cannot stat the key file");
    ::close(fd);
    return e;
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return Error(ErrorCode::kIo, path + ": not a regular file");
  }
  if ((st.st_mode & 077) != 0) {
    ::close(fd);
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return Error(ErrorCode::kCapability,
                 path + ": secret key file is accessible by group or others (mode " + mode +
                     "); restrict it with `chmod 600 " + path + "`");
  }
  if (st.st_size > static_cast<off_t>(kMaxKeyFileSize)) {
    ::close(fd);
    return Error(ErrorCode::kCapability,
                 path + ": too large to be a compono secret key file (" +
                     std::to_string(st.st_size) + " bytes)");
  }
  std::string text(kMaxKeyFileSize + 1, '\0');
  size_t got = 0;
  while (got < text.size()) {
    ssize_t n = ::read(fd, text.data() + got, text.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      Error e = ioError(path, "cannot read the key file");
      ::close(fd);
      wipeString(text);
      return e;
    }
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  ::close(fd);
  if (got > kMaxKeyFileSize) {
    wipeString(text);
    return Error(ErrorCode::kCapability, path + ": too large to be a compono secret key file");
  }
  auto key = SecretKey::parse(std::string_view(text.data(), got));
  wipeString(text);
  if (!key.ok()) return std::move(key).error().context(path);
  return key;
}

Result<std::vector<PublicKey>> parseTrustList(std::string_view text) {
  std::vector<PublicKey> keys;
  std::optional<Error> error;
  forEachLine(text, [&](size_t lineNo, std::string_view line) {
    if (line.empty() || line.front() == '#') return true;
    size_t end = line.find_first_of(" \t");
    auto key = PublicKey::parse(line.substr(0, end));
    if (!key.ok()) {
      error = std::move(key).error();
      error->message = "line " + std::to_string(lineNo) + ": " + error->message;
      return false;
    }
    bool seen = false;
    for (const auto& k : keys) seen = seen || k == *key;
    if (!seen) keys.push_back(*key);
    return true;
  });
  if (error) return *error;
  return keys;
}

Result<std::vector<PublicKey>> loadTrustedIssuers(const std::vector<std::string>& entries) {
  std::vector<PublicKey> keys;
  auto add = [&keys](const PublicKey& key) {
    if (std::find(keys.begin(), keys.end(), key) == keys.end()) keys.push_back(key);
  };
  for (const std::string& entry : entries) {
    if (entry.rfind(kPublicKeyPrefix, 0) == 0) {
      auto key = PublicKey::parse(entry);
      if (!key.ok()) return Error(ErrorCode::kUsage, key.error().message);
      add(*key);
      continue;
    }
    std::ifstream in(entry, std::ios::binary);
    if (!in) {
      return Error(ErrorCode::kUsage, internal::quoted(entry) +
                                          " is neither a public key (compono1...) nor a "
                                          "readable trust file");
    }
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto list = parseTrustList(text);
    if (!list.ok()) return Error(ErrorCode::kUsage, entry + ": " + list.error().message);
    for (const PublicKey& key : *list) add(key);
  }
  return keys;
}

}  // namespace compono::capability
