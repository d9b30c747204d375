// KeyValueStore on real SQLite files: CRUD, keys, increment, batches, WAL
// mode, persistence across reopen, shared files, and bad input.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <string>
#include <thread>

#include "compono/providers/keyvalue.h"
#include "support/test_support.h"

using namespace compono;
using namespace compono::providers;

namespace {

Bytes bytes(const std::string& s) { return Bytes(s.begin(), s.end()); }
std::string text(const Bytes& b) { return std::string(b.begin(), b.end()); }

std::shared_ptr<KeyValueStore> openStore(const std::vector<BucketSpec>& specs) {
  auto s = KeyValueStore::open(specs);
  EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message);
  return s.ok() ? *s : nullptr;
}

// What sqlite3 itself says about a file (independent of the provider).
std::string sqliteScalar(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  std::string out;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK &&
      sqlite3_step(st) == SQLITE_ROW) {
    const unsigned char* t = sqlite3_column_text(st, 0);
    out = t ? reinterpret_cast<const char*>(t) : "";
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return out;
}

TEST(KeyValueStore, CrudOnARealFileInWalMode) {
  test::TempDir dir;
  std::string file = dir.file("data/app.db");  // the directory does not exist yet
  auto store = openStore({{"main", file, "kv"}});
  ASSERT_TRUE(store);
  EXPECT_TRUE(std::filesystem::exists(file));
  EXPECT_EQ(sqliteScalar(file, "PRAGMA journal_mode"), "wal");

  auto missing = store->get(0, "a");
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
  ASSERT_TRUE(store->set(0, "a", bytes("one")).ok());
  ASSERT_TRUE(store->set(0, "a", bytes("two")).ok());  // overwrite
  auto got = store->get(0, "a");
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ(text(**got), "two");
  EXPECT_TRUE(*store->exists(0, "a"));
  ASSERT_TRUE(store->set(0, "empty", Bytes{}).ok());
  auto empty = store->get(0, "empty");
  ASSERT_TRUE(empty.ok() && empty->has_value());
  EXPECT_TRUE((*empty)->empty());
  ASSERT_TRUE(store->remove(0, "a").ok());
  ASSERT_TRUE(store->remove(0, "never-there").ok());
  EXPECT_FALSE(*store->exists(0, "a"));
  // The row is in the table the bucket names, as SQLite sees it.
  EXPECT_EQ(sqliteScalar(file, "SELECT count(*) FROM kv WHERE key = 'empty'"), "1");
}

TEST(KeyValueStore, DataSurvivesReopen) {
  test::TempDir dir;
  std::string file = dir.file("persist.db");
  {
    auto store = openStore({{"b", file, "things"}});
    ASSERT_TRUE(store);
    ASSERT_TRUE(store->set(0, "k", bytes("v")).ok());
    ASSERT_EQ(*store->increment(0, "n", 41), 41u);
  }
  auto store = openStore({{"b", file, "things"}});
  ASSERT_TRUE(store);
  EXPECT_EQ(text(**store->get(0, "k")), "v");
  EXPECT_EQ(*store->increment(0, "n", 1), 42u);
}

TEST(KeyValueStore, IncrementKeepsDecimalTextAndRefusesOtherValues) {
  test::TempDir dir;
  auto store = openStore({{"c", dir.file("c.db")}});
  ASSERT_TRUE(store);
  EXPECT_EQ(*store->increment(0, "hits", 5), 5u);
  EXPECT_EQ(*store->increment(0, "hits", 0), 5u);
  EXPECT_EQ(text(**store->get(0, "hits")), "5");
  ASSERT_TRUE(store->set(0, "word", bytes("five")).ok());
  auto bad = store->increment(0, "word", 1);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("not a decimal number"), std::string::npos)
      << bad.error().message;
  ASSERT_TRUE(store->set(0, "big", bytes("18446744073709551615")).ok());
  auto over = store->increment(0, "big", 1);
  ASSERT_FALSE(over.ok());
  EXPECT_NE(over.error().message.find("overflows"), std::string::npos);
  // A failed increment changed nothing (the transaction rolled back).
  EXPECT_EQ(text(**store->get(0, "big")), "18446744073709551615");
}

TEST(KeyValueStore, ConcurrentIncrementsFromTwoStoresOnOneFileLoseNothing) {
  test::TempDir dir;
  std::string file = dir.file("shared.db");
  // Two stores = two connections, as two processes would have.
  auto a = openStore({{"x", file}});
  auto b = openStore({{"x", file}});
  ASSERT_TRUE(a && b);
  constexpr int kEach = 200;
  auto bump = [](KeyValueStore* s) {
    for (int i = 0; i < kEach; ++i) ASSERT_TRUE(s->increment(0, "n", 1).ok());
  };
  std::thread t1(bump, a.get()), t2(bump, b.get()), t3(bump, a.get());
  t1.join();
  t2.join();
  t3.join();
  EXPECT_EQ(text(**a->get(0, "n")), std::to_string(3 * kEach));
}

TEST(KeyValueStore, ListKeysPagesInOrder) {
  test::TempDir dir;
  auto store = openStore({{"p", dir.file("p.db")}});
  ASSERT_TRUE(store);
  for (char c = 'e'; c >= 'a'; --c) ASSERT_TRUE(store->set(0, std::string(1, c), bytes("x")).ok());
  auto p1 = store->listKeys(0, 0, 2);
  ASSERT_TRUE(p1.ok());
  EXPECT_EQ(p1->keys, (std::vector<std::string>{"a", "b"}));
  ASSERT_TRUE(p1->next.has_value());
  auto p2 = store->listKeys(0, *p1->next, 2);
  EXPECT_EQ(p2->keys, (std::vector<std::string>{"c", "d"}));
  auto p3 = store->listKeys(0, *p2->next, 2);
  EXPECT_EQ(p3->keys, (std::vector<std::string>{"e"}));
  EXPECT_FALSE(p3->next.has_value());
}

TEST(KeyValueStore, BatchesAndBucketsSharingAFile) {
  test::TempDir dir;
  std::string file = dir.file("two.db");
  auto store = openStore({{"left", file, "l"}, {"right", file, "r"}});
  ASSERT_TRUE(store);
  std::vector<std::pair<std::string, Bytes>> pairs = {{"a", bytes("1")}, {"b", bytes("2")}};
  ASSERT_TRUE(store->setMany(0, pairs).ok());
  std::vector<std::string> keys = {"a", "zz", "b"};
  auto many = store->getMany(0, keys);
  ASSERT_TRUE(many.ok());
  ASSERT_EQ(many->size(), 3u);
  EXPECT_EQ(text(*(*many)[0]), "1");
  EXPECT_FALSE((*many)[1].has_value());
  EXPECT_EQ(text(*(*many)[2]), "2");
  // The other bucket of the same file is another table: empty.
  EXPECT_FALSE(store->get(1, "a")->has_value());
  std::vector<std::string> del = {"a", "missing"};
  ASSERT_TRUE(store->removeMany(0, del).ok());
  EXPECT_FALSE(store->get(0, "a")->has_value());
  EXPECT_TRUE(store->get(0, "b")->has_value());
  EXPECT_EQ(*store->find("right"), 1u);
  EXPECT_FALSE(store->find("nope").has_value());
}

TEST(KeyValueStore, BadInputIsAnErrorNotACrash) {
  test::TempDir dir;
  auto dup = KeyValueStore::open({{"a", dir.file("a.db")}, {"a", dir.file("b.db")}});
  ASSERT_FALSE(dup.ok());
  EXPECT_NE(dup.error().message.find("defined twice"), std::string::npos);
  auto table = KeyValueStore::open({{"a", dir.file("a.db"), "x; DROP TABLE y"}});
  ASSERT_FALSE(table.ok());
  EXPECT_NE(table.error().message.find("table name"), std::string::npos);
  dir.write("not-sqlite.db", std::string(4096, 'z'));
  auto junk = KeyValueStore::open({{"a", dir.file("not-sqlite.db")}});
  ASSERT_FALSE(junk.ok());
  EXPECT_EQ(junk.error().code, ErrorCode::kIo);
  EXPECT_NE(junk.error().message.find("not-sqlite.db"), std::string::npos) << junk.error().message;
  dir.write("blocker", "a file where a directory should be");
  auto nodir = KeyValueStore::open({{"a", dir.file("blocker/x.db")}});
  ASSERT_FALSE(nodir.ok());
  EXPECT_NE(nodir.error().message.find("blocker"), std::string::npos);
}

}  // namespace
