// compono/providers/keyvalue.h — wasi:keyvalue@0.2.0-draft (store, atomics,
// batch) on SQLite files (wit/keyvalue/).
//
// A KeyValueStore holds the buckets of one deployment. A bucket is a name
// (what components pass to `store.open`) that the deployment maps to an
// SQLite file and a table in it; several buckets may share a file (with
// different tables). Files are opened in WAL mode (created, with their
// parent directories, when missing) and keep their data across runs. Values
// are BLOBs; `atomics.increment` keeps its number as decimal ASCII text
// ("42"), and runs, like `batch.set-many` and `batch.delete-many`, as one
// transaction (BEGIN IMMEDIATE), so it is atomic even against other
// processes using the same file.
//
// addKeyValueToLinker gives one component the buckets it is linked to and
// no other: `open` of any other name returns `error::access-denied` (the
// WIT's error for a store the component may not use, "which may or may not
// exist"); nothing about other buckets is revealed.
//
// Errors (kIo) name the file and say what SQLite said. Inside components,
// failures become `error::other(message)`.
//
// Thread safety: a KeyValueStore is thread safe (one connection per file,
// used under a mutex). Ownership: shared_ptr, shared by every linker that
// links its buckets; it closes its files when the last owner goes.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "compono/component/linker.h"
#include "compono/result.h"

namespace compono::providers {

inline constexpr std::string_view kKeyValueStoreInterface = "wasi:keyvalue/store@0.2.0-draft";
inline constexpr std::string_view kKeyValueAtomicsInterface = "wasi:keyvalue/atomics@0.2.0-draft";
inline constexpr std::string_view kKeyValueBatchInterface = "wasi:keyvalue/batch@0.2.0-draft";

struct BucketSpec {
  std::string name;          // what components open
  std::string path;          // the SQLite file
  std::string table = "kv";  // [A-Za-z_][A-Za-z0-9_]*, at most 64 characters
};

// "" when `name` is a valid table name, else why not.
std::string checkTableName(std::string_view name);

using Bytes = std::vector<uint8_t>;

class KeyValueStore {
 public:
  // Opens (creating when missing) every bucket's file and table. Errors:
  // kUsage for a duplicate bucket name or a bad table name, kIo when a file
  // cannot be opened or is not an SQLite database.
  static Result<std::shared_ptr<KeyValueStore>> open(const std::vector<BucketSpec>& buckets);
  ~KeyValueStore();
  KeyValueStore(const KeyValueStore&) = delete;
  KeyValueStore& operator=(const KeyValueStore&) = delete;

  // Buckets are numbered 0..size()-1 in the order given to open().
  size_t size() const;
  std::optional<uint32_t> find(std::string_view name) const;
  const BucketSpec& spec(uint32_t bucket) const;

  Result<std::optional<Bytes>> get(uint32_t bucket, std::string_view key);
  Status set(uint32_t bucket, std::string_view key, std::span<const uint8_t> value);
  Status remove(uint32_t bucket, std::string_view key);
  Result<bool> exists(uint32_t bucket, std::string_view key);
  // Keys in ascending (bytewise) order from position `cursor`; `next` is the
  // position of the following page, none after the last.
  struct KeyPage {
    std::vector<std::string> keys;
    std::optional<uint64_t> next;
  };
  Result<KeyPage> listKeys(uint32_t bucket, uint64_t cursor, uint32_t pageSize = 1000);
  // Adds `delta` to the number at `key` (absent: 0) and returns the sum.
  // kUsage when the value is not a decimal u64 or the sum overflows.
  Result<uint64_t> increment(uint32_t bucket, std::string_view key, uint64_t delta);
  Result<std::vector<std::optional<Bytes>>> getMany(uint32_t bucket,
                                                    std::span<const std::string> keys);
  Status setMany(uint32_t bucket, std::span<const std::pair<std::string, Bytes>> pairs);
  Status removeMany(uint32_t bucket, std::span<const std::string> keys);

  struct Impl;

 private:
  explicit KeyValueStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

struct KeyValueLinkOptions {
  // Called once for each refused `open` ("bucket "x" is not linked to this
  // component") so a host can audit denials; may be empty.
  std::function<void(const std::string& message)> onDenied;
};

// Defines wasi:keyvalue/store, atomics and batch @0.2.0-draft in `linker`
// (the `bucket` resource and every function). The component may open the
// buckets of `store` named in `linked` (each must exist in `store`: kUsage
// otherwise) and nothing else.
Status addKeyValueToLinker(component::Linker& linker, std::shared_ptr<KeyValueStore> store,
                           const std::vector<std::string>& linked,
                           KeyValueLinkOptions options = {});

}  // namespace compono::providers
