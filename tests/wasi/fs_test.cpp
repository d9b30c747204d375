// WASI preview 1 file system functions inside a preopen: files, seeking,
// sizes and times, flags and rights, directories, links, readdir, prestat,
// and the same through wasi-libc's own calls.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <set>
#include <sstream>

#include "wasi/wasi_harness.h"

namespace compono::test {
namespace {

namespace fs = std::filesystem;

void expectLines(const GuestResult& r, const std::vector<std::string>& want) {
  ASSERT_TRUE(r.ok) << describe(r);
  std::vector<std::string> got = lines(r.out);
  ASSERT_GE(got.size(), want.size()) << r.out;
  for (size_t i = 0; i < want.size(); ++i) {
    if (want[i] == "*") continue;
    EXPECT_EQ(got[i], want[i]) << "line " << i;
  }
}

bool startsWith(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

TEST(WasiFs, ReadWriteSeekTruncateAllocate) {
  TempDir t;
  GuestResult r = runProbe({{t.path(), "/sandbox", false}}, {"open A 3 new.txt rwc",
                                                             "write A hello-world",
                                                             "tell A",
                                                             "seek A 0 s",
                                                             "read A 5",
                                                             "pread A 5 6",
                                                             "pwrite A WORLD 6",
                                                             "seek A -5 e",
                                                             "read A 10",
                                                             "read A 10",
                                                             "fstat A",
                                                             "truncate A 4",
                                                             "fstat A",
                                                             "allocate A 0 100",
                                                             "fstat A",
                                                             "advise A",
                                                             "sync A",
                                                             "datasync A",
                                                             "fdstat A",
                                                             "seek A 0 e",
                                                             "close A",
                                                             "close A"});
  expectLines(r, {"open 0 fd=4",
                  "write 0 n=11",
                  "tell 0 pos=11",
                  "seek 0 pos=0",
                  "read 0 data=hello",
                  "pread 0 data=world",
                  "pwrite 0 n=5",
                  "seek 0 pos=6",
                  "read 0 data=WORLD",
                  "read 0 data=",
                  "*",
                  "truncate 0",
                  "*",
                  "allocate 0",
                  "*",
                  "advise 0",
                  "sync 0",
                  "datasync 0",
                  "*",
                  "seek 0 pos=100",
                  "close 0",
                  "close 8"});
  std::vector<std::string> got = lines(r.out);
  EXPECT_TRUE(startsWith(got[10], "fstat 0 type=4 size=11 ")) << got[10];
  EXPECT_TRUE(startsWith(got[12], "fstat 0 type=4 size=4 ")) << got[12];
  EXPECT_TRUE(startsWith(got[14], "fstat 0 type=4 size=100 ")) << got[14];
  EXPECT_TRUE(startsWith(got[18], "fdstat 0 type=4 flags=0 ")) << got[18];
  std::string content = t.read("new.txt");
  ASSERT_EQ(content.size(), 100u);
  EXPECT_EQ(content.substr(0, 4), "hell");
  EXPECT_EQ(content.substr(4), std::string(96, '\0'));
}

TEST(WasiFs, OpenFlagsAppendAndRights) {
  TempDir t;
  t.write("log.txt", "one");
  GuestResult r = runProbe({{t.path(), "/sandbox", false}}, {"open A 3 log.txt wa",
                                                             "write A two",
                                                             "fdstat A",
                                                             "open B 3 log.txt w",
                                                             "setflags B a",
                                                             "write B three",
                                                             "setflags B n",
                                                             "fdstat B",
                                                             "open C 3 log.txt r",
                                                             "setrights C 2 0",
                                                             "fstat C",
                                                             "read C 3",
                                                             "setrights C 6 0",
                                                             "open D 3 log.txt rcx",
                                                             "open D 3 log.txt rd",
                                                             "open D 3 missing.txt r",
                                                             "write 3 x",
                                                             "read 3 10",
                                                             "open D 3 log.txt rt",
                                                             "fstat D",
                                                             "write C nope",
                                                             "open E 3 ./log.txt/ r"});
  expectLines(
      r,
      {"open 0 fd=4",  "write 0 n=3", "*",           "*",           "setflags 0", "write 0 n=5",
       "setflags 0",   "*",           "open 0 fd=6", "setrights 0", "fstat 76",   "read 0 data=one",
       "setrights 76", "open 20",     "open 54",     "open 44",     "write 76",   "read 76",
       "open 0 fd=7",  "*",           "write 76",    "open 54"});
  std::vector<std::string> got = lines(r.out);
  EXPECT_TRUE(startsWith(got[2], "fdstat 0 type=4 flags=1 ")) << got[2];
  // set_flags replaces the flags: NONBLOCK alone turns APPEND off again.
  EXPECT_TRUE(startsWith(got[7], "fdstat 0 type=4 flags=4 ")) << got[7];
  EXPECT_TRUE(startsWith(got[19], "fstat 0 type=4 size=0 ")) << got[19];  // O_TRUNC
  EXPECT_EQ(t.read("log.txt"), "");
}

TEST(WasiFs, AppendWritesLandAtTheEnd) {
  TempDir t;
  t.write("log.txt", "one");
  GuestResult r = runProbe({{t.path(), "/sandbox", false}},
                           {"open A 3 log.txt wa", "write A two", "open B 3 log.txt w",
                            "setflags B a", "write B three"});
  expectLines(r, {"open 0 fd=4", "write 0 n=3", "open 0 fd=5", "setflags 0", "write 0 n=5"});
  EXPECT_EQ(t.read("log.txt"), "onetwothree");
}

TEST(WasiFs, DirectoriesLinksAndSymlinks) {
  TempDir t;
  t.write("f.txt", "inside");
  GuestResult r = runProbe({{t.path(), "/sandbox", false}}, {"mkdir 3 a",
                                                             "mkdir 3 a",
                                                             "mkdir 3 a/b/",
                                                             "rmdir 3 a",
                                                             "rmdir 3 a/b",
                                                             "rmdir 3 a",
                                                             "rmdir 3 a",
                                                             "unlink 3 f.txt/",
                                                             "rmdir 3 f.txt",
                                                             "rename 3 f.txt 3 g.txt",
                                                             "stat 3 f.txt",
                                                             "link 3 g.txt 3 h.txt",
                                                             "stat 3 h.txt",
                                                             "unlink 3 h.txt",
                                                             "symlink g.txt 3 s",
                                                             "readlink 3 s 100",
                                                             "readlink 3 s 3",
                                                             "readlink 3 g.txt 100",
                                                             "open A 3 s rf",
                                                             "read A 6",
                                                             "open B 3 s r",
                                                             "mkdir 3 dir",
                                                             "unlink 3 dir",
                                                             "rename 3 g.txt 3 dir/g.txt",
                                                             "catfile 3 dir/./g.txt",
                                                             "catfile 3 dir/../dir/g.txt",
                                                             "mkdir 3 .",
                                                             "rmdir 3 ."});
  expectLines(r, {"mkdir 0",
                  "mkdir 20",
                  "mkdir 0",
                  "rmdir 55",
                  "rmdir 0",
                  "rmdir 0",
                  "rmdir 44",
                  "unlink 54",
                  "rmdir 54",
                  "rename 0",
                  "stat 44",
                  "link 0",
                  "*",
                  "unlink 0",
                  "symlink 0",
                  "readlink 0 target=g.txt",
                  "readlink 0 target=g.t",
                  "readlink 28",
                  "open 0 fd=4",
                  "read 0 data=inside",
                  "open 32",
                  "mkdir 0",
                  "unlink 31",
                  "rename 0",
                  "catfile 0 content=inside",
                  "catfile 0 content=inside",
                  "mkdir 20",
                  "rmdir 28"});
  std::vector<std::string> got = lines(r.out);
  EXPECT_TRUE(startsWith(got[12], "stat 0 type=4 size=6 nlink=2 ")) << got[12];
  EXPECT_TRUE(fs::is_symlink(fs::symlink_status(t.file("s"))));
  EXPECT_EQ(t.read("dir/g.txt"), "inside");
}

TEST(WasiFs, StatAndTimes) {
  TempDir t;
  t.write("f.txt", "inside");
  fs::create_symlink("f.txt", t.file("s"));
  GuestResult r =
      runProbe({{t.path(), "/sandbox", false}},
               {"stat 3 s", "stat 3 s f", "stat 3 .", "utimes 3 f.txt 1234567890123456789",
                "stat 3 f.txt", "utimes 3 s 1111111111000000000 f", "open A 3 f.txt rw",
                "futimes A 1000000000000000000", "fstat A", "fstat 3"});
  ASSERT_TRUE(r.ok) << describe(r);
  std::vector<std::string> got = lines(r.out);
  ASSERT_GE(got.size(), 10u) << r.out;
  EXPECT_TRUE(startsWith(got[0], "stat 0 type=7 size=5 ")) << got[0];
  EXPECT_TRUE(startsWith(got[1], "stat 0 type=4 size=6 ")) << got[1];
  EXPECT_TRUE(startsWith(got[2], "stat 0 type=3 ")) << got[2];
  EXPECT_EQ(got[3], "utimes 0");
  EXPECT_TRUE(got[4].find("mtim=1234567890123456789") != std::string::npos) << got[4];
  EXPECT_EQ(got[5], "utimes 0");  // through the symlink, to f.txt
  EXPECT_EQ(got[7], "futimes 0");
  EXPECT_TRUE(got[8].find("mtim=1000000000000000000") != std::string::npos) << got[8];
  EXPECT_TRUE(startsWith(got[9], "fstat 0 type=3 ")) << got[9];
  struct stat st;
  ASSERT_EQ(::stat(t.file("f.txt").c_str(), &st), 0);
  EXPECT_EQ(st.st_mtim.tv_sec, 1000000000);
  ASSERT_EQ(::lstat(t.file("s").c_str(), &st), 0);
  EXPECT_NE(st.st_mtim.tv_sec, 1111111111);  // the link itself was not touched
}

TEST(WasiFs, PrestatNamesEveryPreopenInOrder) {
  TempDir a, b;
  GuestResult r = runProbe({{a.path(), "/data", false}, {b.path(), ".", true}},
                           {"prestat 3", "prestat 4", "prestat 5", "fdstat 3", "fdstat 4"});
  expectLines(r, {"prestat 0 0 name=/data", "prestat 0 0 name=.", "prestat 8"});
  std::vector<std::string> got = lines(r.out);
  EXPECT_TRUE(startsWith(got[3], "fdstat 0 type=3 flags=0 ")) << got[3];
  EXPECT_TRUE(startsWith(got[4], "fdstat 0 type=3 flags=0 ")) << got[4];
  EXPECT_NE(got[3], got[4]);  // the read-only preopen holds fewer rights
}

std::vector<std::string> readdirNames(const std::string& line) {
  std::vector<std::string> names;
  std::istringstream in(line);
  std::string tok;
  in >> tok;  // "readdir"
  while (in >> tok) {
    if (startsWith(tok, "count=")) break;
    names.push_back(tok);
  }
  std::sort(names.begin(), names.end());
  return names;
}

TEST(WasiFs, ReaddirCookiesLayoutAndTruncation) {
  TempDir t;
  std::vector<std::string> want = {".:3", "..:3", "sub:3", "link:7"};
  for (int i = 0; i < 40; ++i) {
    std::string name = "file-" + std::to_string(i) + "-with-a-rather-long-name.txt";
    t.write(name, "x");
    want.push_back(name + ":4");
  }
  fs::create_directory(t.file("sub"));
  fs::create_symlink("sub", t.file("link"));
  std::sort(want.begin(), want.end());
  GuestResult r =
      runProbe({{t.path(), "/sandbox", false}},
               {"readdir 3 65536", "readdir 3 64", "readdir 3 24", "readdirraw 3 30 0",
                "readdirfrom 3 5", "open A 3 sub rd", "readdir A 100",
                "open B 3 sub/../file-1-with-a-rather-long-name.txt r", "readdir B 100"});
  ASSERT_TRUE(r.ok) << describe(r);
  std::vector<std::string> got = lines(r.out);
  ASSERT_GE(got.size(), 9u) << r.out;
  EXPECT_EQ(readdirNames(got[0]), want);
  EXPECT_NE(got[0].find("count=44"), std::string::npos);
  // A buffer smaller than most entries: every entry still arrives exactly once.
  EXPECT_EQ(readdirNames(got[1]), want);
  // A buffer that holds only a header: the caller cannot make progress.
  EXPECT_NE(got[2].find("buffer-too-small"), std::string::npos) << got[2];
  // 30 bytes: a 24-byte header and the first 6 bytes of the name; namlen is
  // the full length and bufused == buf_len says "there is more".
  EXPECT_TRUE(startsWith(got[3], "readdirraw 0 used=30 [")) << got[3];
  EXPECT_EQ(got[3].find("namlen=1 next"), std::string::npos);
  // From entry 5's cookie: exactly the entries after it.
  std::string all = got[4].substr(got[4].find("all:") + 4);
  all = all.substr(0, all.find(" |"));
  std::string tail = got[4].substr(got[4].find("tail:") + 5);
  std::vector<std::string> allNames, tailNames;
  std::istringstream ai(all), ti(tail);
  for (std::string s; ai >> s;) allNames.push_back(s);
  for (std::string s; ti >> s;) tailNames.push_back(s);
  ASSERT_EQ(allNames.size(), 44u) << got[4];
  EXPECT_EQ(tailNames, std::vector<std::string>(allNames.begin() + 6, allNames.end()));
  EXPECT_EQ(got[5], "open 0 fd=4");
  EXPECT_EQ(readdirNames(got[6]), (std::vector<std::string>{"..:3", ".:3"}));
  EXPECT_EQ(got[8], "readdir error=76 count=0");  // a file has no readdir right
}

TEST(WasiFs, LibcCallsWorkOnAPreopen) {
  TempDir t;
  t.write("existing.txt", "x");
  wasi::WasiConfig config;
  config.args = {"libc_fs"};
  config.preopens = {{t.path(), "/sandbox", false}};
  // A listener after the preopen must not disturb libc's preopen discovery.
  config.listeners = {{"127.0.0.1:0"}};
  GuestResult r = runGuest("wasi_libc_fs", config);
  ASSERT_TRUE(r.ok) << describe(r);
  EXPECT_EQ(r.exitCode, 0) << r.out;
  std::vector<std::string> want = {
      "fopen_w ok",
      "content hello from wasm|appended|",
      "mkdir 0",
      "mkdir_again File exists",
      "rename 0",
      "stat 0 size=25 isreg=1",
      "stat_old No such file or directory",
      "ls . .. existing.txt newdir",
      "escape_open Capabilities insufficient",
      "outside_open Capabilities insufficient",
      "unlink 0",
      "rmdir 0",
  };
  std::vector<std::string> got = lines(r.out);
  ASSERT_GE(got.size(), want.size()) << r.out;
  for (size_t i = 0; i < want.size(); ++i) EXPECT_EQ(got[i], want[i]) << "line " << i;
  EXPECT_FALSE(fs::exists(t.file("newdir")));
}

}  // namespace
}  // namespace compono::test
