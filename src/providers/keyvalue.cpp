// KeyValueStore: buckets on SQLite files in WAL mode.
#include "compono/providers/keyvalue.h"

#include <sqlite3.h>

#include <charconv>
#include <filesystem>
#include <map>
#include <mutex>

namespace compono::providers {

namespace fs = std::filesystem;

std::string checkTableName(std::string_view name) {
  if (name.empty()) return "a table name cannot be empty";
  if (name.size() > 64) return "a table name has at most 64 characters";
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
              (i > 0 && c >= '0' && c <= '9');
    if (!ok) return "a table name is [A-Za-z_][A-Za-z0-9_]* (\"" + std::string(name) + "\" is not)";
  }
  if (name.size() >= 7) {
    std::string head(name.substr(0, 7));
    for (char& c : head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (head == "sqlite_") return "table names starting with sqlite_ are reserved by SQLite";
  }
  return "";
}

namespace {

// One SQLite connection, shared by the buckets stored in its file.
struct Db {
  std::string path;
  sqlite3* db = nullptr;
  std::mutex mu;
  ~Db() {
    if (db) sqlite3_close_v2(db);
  }
};

struct Bucket {
  BucketSpec spec;
  std::shared_ptr<Db> db;
};

// A prepared statement, finalized on scope exit.
class Stmt {
 public:
  Stmt(sqlite3* db, const std::string& sql) {
    rc_ = sqlite3_prepare_v2(db, sql.c_str(), -1, &s_, nullptr);
  }
  ~Stmt() { sqlite3_finalize(s_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  bool ok() const { return rc_ == SQLITE_OK && s_; }
  sqlite3_stmt* get() const { return s_; }
  void text(int i, std::string_view v) {
    sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  }
  void blob(int i, std::span<const uint8_t> v) {
    // A zero-length blob (not NULL) for an empty value.
    sqlite3_bind_blob(s_, i, v.empty() ? "" : static_cast<const void*>(v.data()),
                      static_cast<int>(v.size()), SQLITE_TRANSIENT);
  }
  void int64(int i, int64_t v) { sqlite3_bind_int64(s_, i, v); }
  int step() { return sqlite3_step(s_); }
  void reset() {
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
  }
  Bytes columnBlob(int i) const {
    const auto* p = static_cast<const uint8_t*>(sqlite3_column_blob(s_, i));
    int n = sqlite3_column_bytes(s_, i);
    return p ? Bytes(p, p + n) : Bytes();
  }
  std::string columnText(int i) const {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s_, i));
    int n = sqlite3_column_bytes(s_, i);
    return p ? std::string(p, static_cast<size_t>(n)) : std::string();
  }

 private:
  sqlite3_stmt* s_ = nullptr;
  int rc_ = SQLITE_ERROR;
};

Error sqlError(const Db& db, const std::string& what) {
  return Error(ErrorCode::kIo, db.path + ": " + what + ": " + sqlite3_errmsg(db.db));
}

Status exec(Db& db, const std::string& sql) {
  char* msg = nullptr;
  int rc = sqlite3_exec(db.db, sql.c_str(), nullptr, nullptr, &msg);
  if (rc == SQLITE_OK) return okStatus();
  std::string m = msg ? msg : sqlite3_errstr(rc);
  sqlite3_free(msg);
  return Error(ErrorCode::kIo, db.path + ": " + m);
}

Result<std::shared_ptr<Db>> openDb(const std::string& path) {
  auto db = std::make_shared<Db>();
  db->path = path;
  std::error_code ec;
  fs::path parent = fs::path(path).parent_path();
  if (!parent.empty()) {
    fs::create_directories(parent, ec);
    if (ec) {
      return Error(ErrorCode::kIo,
                   path + ": cannot create its directory " + parent.string() + ": " + ec.message());
    }
  }
  int rc =
      sqlite3_open_v2(path.c_str(), &db->db,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string m = db->db ? sqlite3_errmsg(db->db) : sqlite3_errstr(rc);
    return Error(ErrorCode::kIo, path + ": cannot open as an SQLite database: " + m);
  }
  sqlite3_busy_timeout(db->db, 5000);
  {
    Stmt wal(db->db, "PRAGMA journal_mode=WAL");
    if (!wal.ok()) return sqlError(*db, "not an SQLite database");
    if (wal.step() != SQLITE_ROW) return sqlError(*db, "cannot switch to WAL mode");
    if (wal.columnText(0) != "wal") {
      return Error(ErrorCode::kIo, path + ": cannot switch to WAL mode (journal mode stays " +
                                       wal.columnText(0) + ")");
    }
  }
  COMPONO_TRY(exec(*db, "PRAGMA synchronous=NORMAL"));
  return db;
}

std::string tableRef(const std::string& table) { return "\"" + table + "\""; }

}  // namespace

struct KeyValueStore::Impl {
  std::vector<Bucket> buckets;
  std::map<std::string, uint32_t, std::less<>> byName;

  Bucket& at(uint32_t b) { return buckets.at(b); }
};

KeyValueStore::KeyValueStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
KeyValueStore::~KeyValueStore() = default;

Result<std::shared_ptr<KeyValueStore>> KeyValueStore::open(const std::vector<BucketSpec>& buckets) {
  auto impl = std::make_unique<Impl>();
  std::map<std::string, std::shared_ptr<Db>> dbs;  // by absolute path
  for (const BucketSpec& spec : buckets) {
    if (impl->byName.count(spec.name)) {
      return Error(ErrorCode::kUsage, "bucket \"" + spec.name + "\" is defined twice");
    }
    std::string why = checkTableName(spec.table);
    if (!why.empty()) return Error(ErrorCode::kUsage, "bucket \"" + spec.name + "\": " + why);
    if (spec.path.empty()) {
      return Error(ErrorCode::kUsage, "bucket \"" + spec.name + "\": no SQLite file given");
    }
    std::error_code ec;
    std::string key = fs::absolute(spec.path, ec).lexically_normal().string();
    if (ec) key = spec.path;
    std::shared_ptr<Db>& db = dbs[key];
    if (!db) {
      COMPONO_ASSIGN(db, openDb(spec.path));
    }
    COMPONO_TRY(
        exec(*db, "CREATE TABLE IF NOT EXISTS " + tableRef(spec.table) +
                      " (key TEXT PRIMARY KEY NOT NULL, value BLOB NOT NULL) WITHOUT ROWID"));
    impl->byName[spec.name] = static_cast<uint32_t>(impl->buckets.size());
    impl->buckets.push_back({spec, db});
  }
  return std::shared_ptr<KeyValueStore>(new KeyValueStore(std::move(impl)));
}

size_t KeyValueStore::size() const { return impl_->buckets.size(); }

std::optional<uint32_t> KeyValueStore::find(std::string_view name) const {
  auto it = impl_->byName.find(name);
  if (it == impl_->byName.end()) return std::nullopt;
  return it->second;
}

const BucketSpec& KeyValueStore::spec(uint32_t bucket) const {
  return impl_->buckets.at(bucket).spec;
}

namespace {

// Runs `body` inside BEGIN IMMEDIATE ... COMMIT (ROLLBACK when it fails).
template <typename F>
auto transaction(Db& db, F&& body) -> decltype(body()) {
  COMPONO_TRY(exec(db, "BEGIN IMMEDIATE"));
  auto r = body();
  if (!r.ok()) {
    (void)exec(db, "ROLLBACK");
    return r;
  }
  Status c = exec(db, "COMMIT");
  if (!c.ok()) {
    (void)exec(db, "ROLLBACK");
    return c.error();
  }
  return r;
}

Result<std::optional<Bytes>> getLocked(Bucket& b, std::string_view key) {
  Stmt s(b.db->db, "SELECT value FROM " + tableRef(b.spec.table) + " WHERE key = ?1");
  if (!s.ok()) return sqlError(*b.db, "get");
  s.text(1, key);
  int rc = s.step();
  if (rc == SQLITE_ROW) return std::optional<Bytes>(s.columnBlob(0));
  if (rc == SQLITE_DONE) return std::optional<Bytes>();
  return sqlError(*b.db, "get");
}

Status setLocked(Bucket& b, std::string_view key, std::span<const uint8_t> value) {
  Stmt s(b.db->db, "INSERT INTO " + tableRef(b.spec.table) +
                       " (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = ?2");
  if (!s.ok()) return sqlError(*b.db, "set");
  s.text(1, key);
  s.blob(2, value);
  if (s.step() != SQLITE_DONE) return sqlError(*b.db, "set");
  return okStatus();
}

Status removeLocked(Bucket& b, std::string_view key) {
  Stmt s(b.db->db, "DELETE FROM " + tableRef(b.spec.table) + " WHERE key = ?1");
  if (!s.ok()) return sqlError(*b.db, "delete");
  s.text(1, key);
  if (s.step() != SQLITE_DONE) return sqlError(*b.db, "delete");
  return okStatus();
}

}  // namespace

Result<std::optional<Bytes>> KeyValueStore::get(uint32_t bucket, std::string_view key) {
  Bucket& b = impl_->at(bucket);
  std::lock_guard<std::mutex> lock(b.db->mu);
  return getLocked(b, key);
}

Status KeyValueStore::set(uint32_t bucket, std::string_view key, std::span<const uint8_t> value) {
  Bucket& b = impl_->at(bucket);
  std::lock_guard<std::mutex> lock(b.db->mu);
  return setLocked(b, key, value);
}

Status KeyValueStore::remove(uint32_t bucket, std::string_view key) {
  Bucket& b = impl_->at(bucket);
  std::lock_guard<std::mutex> lock(b.db->mu);
  return removeLocked(b, key);
}

Result<bool> KeyValueStore::exists(uint32_t bucket, std::string_view key) {
  Bucket& b = impl_->at(bucket);
  std::lock_guard<std::mutex> lock(b.db->mu);
  Stmt s(b.db->db, "SELECT 1 FROM " + tableRef(b.spec.table) + " WHERE key = ?1");
  if (!s.ok()) return sqlError(*b.db, "exists");
  s.text(1, key);
  int rc = s.step();
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return sqlError(*b.db, "exists");
}

Result<KeyValueStore::KeyPage> KeyValueStore::listKeys(uint32_t bucket, uint64_t cursor,
                                                       uint32_t pageSize) {
  Bucket& b = impl_->at(bucket);
  if (pageSize == 0) pageSize = 1;
  if (cursor > static_cast<uint64_t>(INT64_MAX)) return KeyPage{};
  std::lock_guard<std::mutex> lock(b.db->mu);
  // One row more than a page tells whether another page follows.
  Stmt s(b.db->db,
         "SELECT key FROM " + tableRef(b.spec.table) + " ORDER BY key LIMIT ?1 OFFSET ?2");
  if (!s.ok()) return sqlError(*b.db, "list-keys");
  s.int64(1, static_cast<int64_t>(pageSize) + 1);
  s.int64(2, static_cast<int64_t>(cursor));
  KeyPage page;
  int rc;
  while ((rc = s.step()) == SQLITE_ROW) {
    if (page.keys.size() == pageSize) {
      page.next = cursor + pageSize;
      break;
    }
    page.keys.push_back(s.columnText(0));
  }
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) return sqlError(*b.db, "list-keys");
  return page;
}

Result<uint64_t> KeyValueStore::increment(uint32_t bucket, std::string_view key, uint64_t delta) {
  Bucket& b = impl_->at(bucket);
  std::lock_guard<std::mutex> lock(b.db->mu);
  return transaction(*b.db, [&]() -> Result<uint64_t> {
    COMPONO_ASSIGN(std::optional<Bytes> cur, getLocked(b, key));
    uint64_t value = 0;
    if (cur) {
      const char* first = reinterpret_cast<const char*>(cur->data());
      const char* last = first + cur->size();
      auto [end, ec] = std::from_chars(first, last, value);
      if (cur->empty() || ec != std::errc() || end != last) {
        return Error(ErrorCode::kUsage, "the value of key \"" + std::string(key) +
                                            "\" is not a decimal number (increment keeps "
                                            "numbers as decimal text)");
      }
    }
    if (value > UINT64_MAX - delta) {
      return Error(ErrorCode::kUsage,
                   "increment of key \"" + std::string(key) + "\" overflows u64");
    }
    value += delta;
    std::string text = std::to_string(value);
    COMPONO_TRY(
        setLocked(b, key, std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size())));
    return value;
  });
}

Result<std::vector<std::optional<Bytes>>> KeyValueStore::getMany(
    uint32_t bucket, std::span<const std::string> keys) {
  Bucket& b = impl_->at(bucket);
  std::lock_guard<std::mutex> lock(b.db->mu);
  std::vector<std::optional<Bytes>> out;
  out.reserve(keys.size());
  for (const std::string& k : keys) {
    COMPONO_ASSIGN(std::optional<Bytes> v, getLocked(b, k));
    out.push_back(std::move(v));
  }
  return out;
}

Status KeyValueStore::setMany(uint32_t bucket,
                              std::span<const std::pair<std::string, Bytes>> pairs) {
  Bucket& b = impl_->at(bucket);
  std::lock_guard<std::mutex> lock(b.db->mu);
  return transaction(*b.db, [&]() -> Status {
    for (const auto& [k, v] : pairs) COMPONO_TRY(setLocked(b, k, v));
    return okStatus();
  });
}

Status KeyValueStore::removeMany(uint32_t bucket, std::span<const std::string> keys) {
  Bucket& b = impl_->at(bucket);
  std::lock_guard<std::mutex> lock(b.db->mu);
  return transaction(*b.db, [&]() -> Status {
    for (const std::string& k : keys) COMPONO_TRY(removeLocked(b, k));
    return okStatus();
  });
}

}  // namespace compono::providers
