// Escape attempts against the preview 1 sandbox, one per test. Each test
// plants a secret outside the preopen and fails if the guest ever reads it,
// or if anything outside the preopen changes.
//
// Layout (TempDir T; the preopen is T/root, seen by the guest as fd 3 "/sandbox"):
//   T/root/f.txt           "inside"
//   T/root/d/g.txt         "inside-g"
//   T/root/d/sub/          (empty)
//   T/outside/secret.txt   "TOP-SECRET"
//   T/outside/g.txt        "TOP-SECRET-G"
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <map>

#include "wasi/wasi_harness.h"

namespace compono::test {
namespace {

namespace fs = std::filesystem;

class WasiSandbox : public ::testing::Test {
 protected:
  void SetUp() override {
    t_.write("root/f.txt", "inside");
    t_.write("root/d/g.txt", "inside-g");
    fs::create_directories(t_.file("root/d/sub"));
    t_.write("outside/secret.txt", "TOP-SECRET");
    t_.write("outside/g.txt", "TOP-SECRET-G");
    outsideBefore_ = snapshot(t_.file("outside"));
  }

  std::string root() const { return t_.file("root"); }
  std::string outside() const { return t_.file("outside"); }
  wasi::Preopen preopen(bool readOnly = false) const { return {root(), "/sandbox", readOnly}; }

  // Every path under `dir` with its type, size, content and mtime.
  static std::map<std::string, std::string> snapshot(const std::string& dir) {
    std::map<std::string, std::string> out;
    for (auto& e : fs::recursive_directory_iterator(dir)) {
      struct stat st;
      ::lstat(e.path().c_str(), &st);
      std::string v = std::to_string(st.st_mode) + ":" + std::to_string(st.st_size) + ":" +
                      std::to_string(st.st_nlink) + ":" + std::to_string(st.st_mtim.tv_sec) + "." +
                      std::to_string(st.st_mtim.tv_nsec);
      if (S_ISREG(st.st_mode)) v += ":" + readFile(e.path().string());
      if (S_ISLNK(st.st_mode)) v += "->" + fs::read_symlink(e.path()).string();
      out[fs::relative(e.path(), dir).string()] = v;
    }
    return out;
  }

  // The run must end normally, never show a secret, and leave outside alone.
  void expectContained(const GuestResult& r) {
    ASSERT_TRUE(r.ok) << describe(r);
    EXPECT_EQ(r.out.find("TOP-SECRET"), std::string::npos) << r.out;
    EXPECT_EQ(snapshot(outside()), outsideBefore_) << "something outside the preopen changed";
  }

  // Line i of the output must be exactly `want`.
  static void expectLines(const GuestResult& r, const std::vector<std::string>& want) {
    std::vector<std::string> got = lines(r.out);
    ASSERT_GE(got.size(), want.size()) << r.out;
    for (size_t i = 0; i < want.size(); ++i) EXPECT_EQ(got[i], want[i]) << "line " << i;
  }

  TempDir t_;
  std::map<std::string, std::string> outsideBefore_;
};

TEST_F(WasiSandbox, DotDotCannotClimbAboveThePreopen) {
  GuestResult r = runProbe({preopen()}, {
                                            "catfile 3 ../outside/secret.txt",
                                            "catfile 3 d/../../outside/secret.txt",
                                            "catfile 3 d/sub/../../../outside/secret.txt",
                                            "open A 3 .. d",
                                            "stat 3 ..",
                                            "stat 3 d/../..",
                                            "mkdir 3 ../newdir",
                                            "open B 3 ../outside/new.txt rwc",
                                            "catfile 3 d/../f.txt",
                                            "open C 3 d d",
                                            "catfile C ../f.txt",
                                            "catfile C ../../outside/secret.txt",
                                            "open D C ../.. d",
                                        });
  expectContained(r);
  expectLines(r, {
                     "catfile 76",
                     "catfile 76",
                     "catfile 76",
                     "open 76",
                     "stat 76",
                     "stat 76",
                     "mkdir 76",
                     "open 76",
                     "catfile 0 content=inside",
                     "open 0 fd=4",
                     "catfile 0 content=inside",
                     "catfile 76",
                     "open 76",
                 });
}

TEST_F(WasiSandbox, AbsolutePathsAreRefused) {
  std::string secret = outside() + "/secret.txt";
  GuestResult r = runProbe({preopen()}, {
                                            "catfile 3 /etc/passwd",
                                            "catfile 3 " + secret,
                                            "catfile 3 /sandbox/f.txt",
                                            "stat 3 /",
                                            "open A 3 / d",
                                            "mkdir 3 " + outside() + "/newdir",
                                            "unlink 3 " + secret,
                                            "symlink /etc/passwd 3 abs-link",
                                            "symlink " + secret + " 3 abs-link2",
                                        });
  expectContained(r);
  expectLines(r, {"catfile 76", "catfile 76", "catfile 76", "stat 76", "open 76", "mkdir 76",
                  "unlink 76", "symlink 76", "symlink 76"});
  EXPECT_FALSE(fs::exists(fs::symlink_status(root() + "/abs-link")));
}

TEST_F(WasiSandbox, SymlinksToOutsideMadeBeforeTheRunAreNotFollowed) {
  fs::create_directory_symlink(outside(), root() + "/abs");
  fs::create_symlink(outside() + "/secret.txt", root() + "/absfile");
  fs::create_directory_symlink("../outside", root() + "/rel");
  fs::create_symlink("../outside/secret.txt", root() + "/relfile");
  fs::create_symlink("../../outside/secret.txt", root() + "/d/deep");
  fs::create_symlink("d/deep", root() + "/chain");
  GuestResult r = runProbe({preopen()}, {
                                            "catfile 3 abs/secret.txt",
                                            "open A 3 absfile rf",
                                            "open A 3 absfile r",
                                            "catfile 3 rel/secret.txt",
                                            "open A 3 relfile rf",
                                            "open A 3 d/deep rf",
                                            "open A 3 chain rf",
                                            "open A 3 abs rdf",
                                            "stat 3 absfile f",
                                            "stat 3 relfile f",
                                            "open A 3 absfile rwcf",
                                            "mkdir 3 abs/new",
                                            "unlink 3 abs/secret.txt",
                                            "rename 3 f.txt 3 rel/stolen",
                                            "utimes 3 relfile 1000000000 f",
                                            "stat 3 absfile",
                                            "readlink 3 relfile 100",
                                        });
  expectContained(r);
  expectLines(r, {
                     "catfile 76",
                     "open 76",
                     "open 32",  // the final symlink itself, not followed: ELOOP
                     "catfile 76",
                     "open 76",
                     "open 76",
                     "open 76",
                     "open 76",
                     "stat 76",
                     "stat 76",
                     "open 76",
                     "mkdir 76",
                     "unlink 76",
                     "rename 76",
                     "utimes 76",
                 });
  std::vector<std::string> got = lines(r.out);
  EXPECT_EQ(got[15].rfind("stat 0 type=7 ", 0), 0u) << got[15];  // lstat of the link is fine
  EXPECT_EQ(got[16], "readlink 0 target=../outside/secret.txt");
}

TEST_F(WasiSandbox, SymlinkSwappedInForADirectoryDuringTheRun) {
  for (bool absolute : {true, false}) {
    SCOPED_TRACE(absolute ? "absolute target" : "relative target");
    TempDir t;
    t.write("root/d/g.txt", "inside-g");
    t.write("outside/g.txt", "TOP-SECRET-G");
    wasi::WasiConfig config;
    config.args = {"probe",
                   "catfile 3 d/g.txt",
                   "waitstdin",
                   "catfile 3 d/g.txt",
                   "open A 3 d/g.txt rf",
                   "open B 3 d rdf",
                   "stat 3 d/g.txt f"};
    config.preopens = {{t.file("root"), "/sandbox", false}};
    GuestRun run("wasi_probe", config);
    ASSERT_TRUE(run.waitForOutput("catfile 0 content=inside-g"));
    // The guest now blocks reading stdin. Swap d for a symlink leading out.
    fs::rename(t.file("root/d"), t.file("root/d.old"));
    fs::create_directory_symlink(absolute ? t.file("outside") : "../outside", t.file("root/d"));
    run.writeStdin("go\n");
    GuestResult r = run.wait();
    ASSERT_TRUE(r.ok) << describe(r);
    EXPECT_EQ(r.out.find("TOP-SECRET"), std::string::npos) << r.out;
    std::vector<std::string> got = lines(r.out);
    ASSERT_GE(got.size(), 6u) << r.out;
    EXPECT_EQ(got[2], "catfile 76");
    EXPECT_EQ(got[3], "open 76");
    EXPECT_EQ(got[4], "open 76");
    EXPECT_EQ(got[5], "stat 76");
  }
}

TEST_F(WasiSandbox, SymlinkSwappedInForAFileDuringTheRun) {
  wasi::WasiConfig config;
  config.args = {"probe",
                 "catfile 3 f.txt",
                 "waitstdin",
                 "open A 3 f.txt r",
                 "open B 3 f.txt rf",
                 "open C 3 f.txt rwf",
                 "stat 3 f.txt f"};
  config.preopens = {preopen()};
  GuestRun run("wasi_probe", config);
  ASSERT_TRUE(run.waitForOutput("catfile 0 content=inside"));
  fs::remove(root() + "/f.txt");
  fs::create_symlink(outside() + "/secret.txt", root() + "/f.txt");
  run.writeStdin("go\n");
  GuestResult r = run.wait();
  expectContained(r);
  expectLines(r, {"catfile 0 content=inside", "waitstdin 0 got=3", "open 32", "open 76", "open 76",
                  "stat 76"});
}

TEST_F(WasiSandbox, DirectoryMovedOutWhileHeldCannotBeClimbedFrom) {
  // The guest holds an fd on d/sub; the host moves sub out of the preopen,
  // next to the secret. The host's ".." of sub is now T/outside.
  wasi::WasiConfig config;
  config.args = {"probe",
                 "open A 3 d/sub d",
                 "waitstdin",
                 "catfile A ../secret.txt",
                 "catfile A ../g.txt",
                 "catfile A ../../f.txt",
                 "catfile A ../../secret.txt",
                 "catfile A ../../../secret.txt",
                 "catfile A ../../outside/secret.txt",
                 "open B A ../../.. d",
                 "stat A ../../.."};
  config.preopens = {preopen()};
  GuestRun run("wasi_probe", config);
  ASSERT_TRUE(run.waitForOutput("open 0 fd=4"));
  fs::rename(root() + "/d/sub", outside() + "/sub");
  outsideBefore_ = snapshot(outside());
  run.writeStdin("go\n");
  GuestResult r = run.wait();
  expectContained(r);
  expectLines(r, {
                     "open 0 fd=4",
                     "waitstdin 0 got=3",
                     "catfile 44",                  // d/secret.txt: no such file
                     "catfile 0 content=inside-g",  // ".." is still the d we walked through
                     "catfile 0 content=inside",
                     "catfile 44",  // root/secret.txt: no such file
                     "catfile 76",
                     "catfile 44",  // root/outside: no such directory (host "..": T/outside)
                     "open 76",
                     "stat 76",
                 });
}

TEST_F(WasiSandbox, ParentDirectoryMovedOutWhileHeldCannotBeClimbedFrom) {
  // Same with the parent: d (with sub inside) moves next to the secret.
  wasi::WasiConfig config;
  config.args = {"probe",
                 "open A 3 d/sub d",
                 "waitstdin",
                 "catfile A ../../secret.txt",
                 "catfile A ../../../secret.txt",
                 "catfile A ../../../outside/secret.txt",
                 "catfile A ../../f.txt"};
  config.preopens = {preopen()};
  GuestRun run("wasi_probe", config);
  ASSERT_TRUE(run.waitForOutput("open 0 fd=4"));
  fs::rename(root() + "/d", outside() + "/d");
  outsideBefore_ = snapshot(outside());
  run.writeStdin("go\n");
  GuestResult r = run.wait();
  expectContained(r);
  expectLines(r, {"open 0 fd=4", "waitstdin 0 got=3", "catfile 44", "catfile 76", "catfile 76",
                  "catfile 0 content=inside"});
}

TEST_F(WasiSandbox, HardLinksCannotReachOutside) {
  fs::create_symlink(outside() + "/secret.txt", root() + "/absfile");
  fs::create_directory_symlink(outside(), root() + "/out");
  GuestResult r = runProbe({preopen()}, {
                                            "link 3 ../outside/secret.txt 3 stolen",
                                            "link 3 out/secret.txt 3 stolen",
                                            "link 3 absfile 3 stolen f",
                                            "link 3 f.txt 3 ../outside/planted",
                                            "link 3 f.txt 3 out/planted",
                                            "link 3 f.txt 3 " + outside() + "/planted",
                                            "link 3 f.txt 3 hard",
                                            "stat 3 hard",
                                            "link 3 absfile 3 linkcopy",
                                            "open A 3 linkcopy rf",
                                        });
  expectContained(r);
  expectLines(r, {"link 76", "link 76", "link 76", "link 76", "link 76", "link 76", "link 0"});
  std::vector<std::string> got = lines(r.out);
  EXPECT_EQ(got[7].rfind("stat 0 type=4 size=6 nlink=2", 0), 0u) << got[7];
  EXPECT_EQ(got[8], "link 0");  // a link to the symlink itself, which stays a symlink
  EXPECT_EQ(got[9], "open 76");
  EXPECT_FALSE(fs::exists(fs::symlink_status(root() + "/stolen")));
  EXPECT_TRUE(fs::is_symlink(fs::symlink_status(root() + "/linkcopy")));
  struct stat st;
  ASSERT_EQ(::stat((outside() + "/secret.txt").c_str(), &st), 0);
  EXPECT_EQ(st.st_nlink, 1u);
}

TEST_F(WasiSandbox, RenameCannotMoveAcrossTheBoundary) {
  fs::create_directory_symlink(outside(), root() + "/out");
  GuestResult r = runProbe({preopen()}, {
                                            "rename 3 f.txt 3 ../moved",
                                            "rename 3 f.txt 3 " + outside() + "/moved",
                                            "rename 3 f.txt 3 out/moved",
                                            "rename 3 ../outside/secret.txt 3 got",
                                            "rename 3 out/secret.txt 3 got",
                                            "rename 3 d 3 ../d",
                                            "rename 3 d/g.txt 3 d/moved.txt",
                                        });
  expectContained(r);
  expectLines(r, {"rename 76", "rename 76", "rename 76", "rename 76", "rename 76", "rename 76",
                  "rename 0"});
  EXPECT_TRUE(fs::exists(root() + "/f.txt"));
  EXPECT_TRUE(fs::exists(root() + "/d/moved.txt"));
}

TEST_F(WasiSandbox, GuestCannotPlantEscapingSymlinks) {
  GuestResult r = runProbe({preopen()}, {
                                            "symlink ../outside 3 l1",
                                            "symlink d/../../outside/secret.txt 3 l2",
                                            "symlink ../../outside 3 d/l3",
                                            "symlink " + outside() + " 3 l4",
                                            "symlink ../f.txt 3 d/ok",
                                            "open A 3 d/ok rf",
                                            "read A 6",
                                            "symlink loop 3 loop",
                                            "open B 3 loop rf",
                                            "symlink b 3 a",
                                            "symlink a 3 b",
                                            "stat 3 a f",
                                        });
  expectContained(r);
  expectLines(r,
              {"symlink 76", "symlink 76", "symlink 76", "symlink 76", "symlink 0", "open 0 fd=4",
               "read 0 data=inside", "symlink 0", "open 32", "symlink 0", "symlink 0", "stat 32"});
  for (const char* name : {"l1", "l2", "d/l3", "l4"}) {
    EXPECT_FALSE(fs::exists(fs::symlink_status(root() + "/" + name))) << name;
  }
}

TEST_F(WasiSandbox, ReadOnlyPreopenRefusesEveryMutation) {
  TempDir rw;
  rw.write("w.txt", "writable");
  auto before = snapshot(root());
  GuestResult r = runProbe({preopen(/*readOnly=*/true), {rw.path(), "/rw", false}},
                           {
                               "open A 3 new.txt rwc",
                               "open A 3 f.txt w",
                               "open A 3 f.txt rt",
                               "open A 3 f.txt ra",
                               "mkdir 3 nd",
                               "rmdir 3 d/sub",
                               "unlink 3 f.txt",
                               "rename 3 f.txt 3 g.txt",
                               "rename 3 f.txt 4 moved",
                               "rename 4 w.txt 3 in",
                               "link 3 f.txt 4 hl",
                               "link 4 w.txt 3 hl",
                               "symlink f.txt 3 sl",
                               "utimes 3 f.txt 1000000000",
                               "open B 3 f.txt r",
                               "write B x",
                               "pwrite B x 0",
                               "truncate B 0",
                               "allocate B 0 10",
                               "futimes B 1000000000",
                               "setrights B 7fffffff 0",
                               "open C 3 d rd",
                               "mkdir C x",
                               "unlink C g.txt",
                               "open D C new rwc",
                               "futimes C 1000000000",
                               "renumber C 4",
                               "catfile 3 f.txt",
                               "catfile C g.txt",
                           });
  ASSERT_TRUE(r.ok) << describe(r);
  expectLines(r, {
                     "open 76",  // create
                     "open 76",  // write access
                     "open 76",  // truncate
                     "open 76",  // append
                     "mkdir 76",
                     "rmdir 76",
                     "unlink 76",
                     "rename 76",
                     "rename 76",  // out of the read-only tree
                     "rename 76",  // into it
                     "link 76",    // a writable name for a read-only file
                     "link 76",
                     "symlink 76",
                     "utimes 76",
                     "open 0 fd=5",
                     "write 76",
                     "pwrite 76",
                     "truncate 76",
                     "allocate 76",
                     "futimes 76",
                     "setrights 76",
                     "open 0 fd=6",
                     "mkdir 76",
                     "unlink 76",
                     "open 76",
                     "futimes 76",
                     "renumber 58",  // nor can it take the writable preopen's place
                     "catfile 0 content=inside",
                     "catfile 0 content=inside-g",
                 });
  EXPECT_EQ(snapshot(root()), before);
  EXPECT_EQ(rw.read("w.txt"), "writable");
  EXPECT_FALSE(fs::exists(rw.file("moved")));
  EXPECT_FALSE(fs::exists(rw.file("hl")));
}

TEST_F(WasiSandbox, FdsNeverGrantedAreUnreachable) {
  // A host fd the test process holds open at a number the guest might guess.
  int hostFd = ::open((outside() + "/secret.txt").c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(hostFd, 0);
  ASSERT_EQ(::dup2(hostFd, 57), 57);
  GuestResult r = runProbe({preopen()}, {
                                            "scan 0 200",
                                            "read 57 20",
                                            "read 4 20",
                                            "write 50 x",
                                            "catfile 99 f.txt",
                                            "fdstat 1000",
                                            "close 77",
                                            "prestat 4",
                                            "prestat 0",
                                            "seek 5 0 s",
                                            "renumber 3 57",
                                            "open A 4294967295 f.txt r",
                                        });
  ::close(57);
  ::close(hostFd);
  expectContained(r);
  expectLines(r, {"scan 0 1 2 3", "read 8", "read 8", "write 8", "catfile 8", "fdstat 8", "close 8",
                  "prestat 8", "prestat 8", "seek 8", "renumber 8", "open 8"});
}

TEST_F(WasiSandbox, RenumberCannotReplaceOrMovePreopens) {
  GuestResult r = runProbe({preopen()}, {
                                            "open A 3 f.txt r",
                                            "renumber A 3",
                                            "renumber 3 A",
                                            "catfile 3 f.txt",
                                            "prestat 3",
                                            "renumber A 60",
                                            "open B 3 d/g.txt r",
                                            "renumber B A",
                                            "read A 8",
                                            "read B 8",
                                            "prestat A",
                                            "renumber A 0",
                                            "fdstat 0",
                                            "scan 0 10",
                                        });
  expectContained(r);
  std::vector<std::string> got = lines(r.out);
  expectLines(r, {"open 0 fd=4", "renumber 58", "renumber 58", "catfile 0 content=inside",
                  "prestat 0 0 name=/sandbox", "renumber 8", "open 0 fd=5", "renumber 0",
                  "read 0 data=inside-g", "read 8", "prestat 8", "renumber 0"});
  EXPECT_EQ(got[12].rfind("fdstat 0 type=4 ", 0), 0u) << got[12];
  EXPECT_EQ(got[13], "scan 0 1 2 3");
}

}  // namespace
}  // namespace compono::test
