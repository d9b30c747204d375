// The reusable SandboxDir (src/wasi/sandbox.h) on its own, without a guest:
// the resolution rules every WASI version relies on.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "support/test_support.h"
#include "wasi/sandbox.h"

namespace compono::test {
namespace {

namespace fs = std::filesystem;
using wasi::kErrNotCapable;
using wasi::SandboxDir;

class WasiSandboxDir : public ::testing::Test {
 protected:
  void SetUp() override {
    t_.write("root/a/b/file.txt", "deep");
    t_.write("root/top.txt", "top");
    t_.write("outside/secret.txt", "TOP-SECRET");
    auto r = SandboxDir::openRoot(t_.file("root"), false);
    ASSERT_TRUE(r.ok()) << r.error().message;
    root_ = *r;
  }
  std::string readAll(int fd) {
    std::string s;
    char buf[256];
    ssize_t n;
    while ((n = ::read(fd, buf, sizeof buf)) > 0) s.append(buf, static_cast<size_t>(n));
    return s;
  }
  int openErr(const SandboxDir& d, std::string_view path, bool follow = true) {
    auto r = d.open(path, follow, O_RDONLY, 0);
    return r.ok() ? 0 : r.error();
  }
  TempDir t_;
  SandboxDir root_;
};

TEST_F(WasiSandboxDir, ResolvesInsideAndSplitsTheLastComponent) {
  auto r = root_.resolve("a/./b//file.txt", false);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->name, "file.txt");
  EXPECT_EQ(r->dir->depth, 2u);
  EXPECT_FALSE(r->mustBeDir);
  auto dot = root_.resolve("a/b/..", false);
  ASSERT_TRUE(dot.ok());
  EXPECT_EQ(dot->name, ".");
  EXPECT_EQ(dot->dir->depth, 1u);
  auto slash = root_.resolve("a/b/", false);
  ASSERT_TRUE(slash.ok());
  EXPECT_EQ(slash->name, "b");
  EXPECT_TRUE(slash->mustBeDir);
  auto opened = root_.open("a/../a/b/file.txt", false, O_RDONLY, 0);
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(readAll(opened->file.get()), "deep");
}

TEST_F(WasiSandboxDir, RefusesEscapesAndBadPaths) {
  EXPECT_EQ(root_.resolve("", false).error(), ENOENT);
  std::string huge;
  while (huge.size() < 8192) huge += "a/../";
  EXPECT_EQ(root_.resolve(huge + "top.txt", false).error(), ENAMETOOLONG);
  EXPECT_EQ(root_.resolve(std::string_view("top.txt\0/../x", 13), false).error(), EINVAL);
  EXPECT_EQ(root_.resolve("/etc/passwd", false).error(), kErrNotCapable);
  EXPECT_EQ(root_.resolve("..", false).error(), kErrNotCapable);
  EXPECT_EQ(root_.resolve("a/../../outside/secret.txt", false).error(), kErrNotCapable);
  EXPECT_EQ(openErr(root_, "a/b/../../../outside/secret.txt"), kErrNotCapable);
}

TEST_F(WasiSandboxDir, ExpandsSymlinksItselfAndRefusesTheWayOut) {
  fs::create_symlink("b/file.txt", t_.file("root/a/inner"));
  fs::create_symlink(t_.file("outside/secret.txt"), t_.file("root/abs"));
  fs::create_symlink("../outside/secret.txt", t_.file("root/rel"));
  fs::create_symlink("self", t_.file("root/self"));
  auto ok = root_.open("a/inner", true, O_RDONLY, 0);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(readAll(ok->file.get()), "deep");
  EXPECT_EQ(openErr(root_, "a/inner", false), ELOOP);  // not followed: the link itself
  EXPECT_EQ(openErr(root_, "abs"), kErrNotCapable);
  EXPECT_EQ(openErr(root_, "rel"), kErrNotCapable);
  EXPECT_EQ(openErr(root_, "self"), ELOOP);
  auto st = root_.stat("abs", false);
  ASSERT_TRUE(st.ok());
  EXPECT_TRUE(S_ISLNK(st->st_mode));
  EXPECT_EQ(root_.stat("abs", true).error(), kErrNotCapable);
}

TEST_F(WasiSandboxDir, SymlinkChainsAreBounded) {
  // 41 links, each to the next: one more than kMaxSymlinks.
  for (int i = 0; i < SandboxDir::kMaxSymlinks + 1; ++i) {
    fs::create_symlink("l" + std::to_string(i + 1), t_.file("root/l" + std::to_string(i)));
  }
  t_.write("root/l" + std::to_string(SandboxDir::kMaxSymlinks + 1), "end");
  EXPECT_EQ(openErr(root_, "l0"), ELOOP);
  EXPECT_EQ(openErr(root_, "l1"), 0);  // exactly kMaxSymlinks expansions
}

TEST_F(WasiSandboxDir, HeldHandlesKeepTheirOwnParentChain) {
  auto sub = root_.open("a/b", false, O_RDONLY | O_DIRECTORY, 0);
  ASSERT_TRUE(sub.ok());
  ASSERT_TRUE(sub->isDir());
  SandboxDir b = sub->dir;
  EXPECT_EQ(b.depth(), 2u);
  // Move b next to the secret: the host's ".." of b is now T/outside.
  fs::rename(t_.file("root/a/b"), t_.file("outside/b"));
  EXPECT_EQ(openErr(b, "../secret.txt"), ENOENT);  // our ".." is still root/a
  EXPECT_EQ(openErr(b, "../../top.txt"), 0);
  EXPECT_EQ(openErr(b, "../../../outside/secret.txt"), kErrNotCapable);
  EXPECT_EQ(openErr(b, "file.txt"), 0);  // the held directory itself still works
}

TEST_F(WasiSandboxDir, DepthIsBounded) {
  std::string path;
  int fd = ::open(t_.file("root").c_str(), O_RDONLY | O_DIRECTORY);
  for (uint32_t i = 0; i < SandboxDir::kMaxDepth + 2; ++i) {
    ASSERT_EQ(::mkdirat(fd, "d", 0755), 0);
    int next = ::openat(fd, "d", O_RDONLY | O_DIRECTORY);
    ::close(fd);
    fd = next;
    path += "d/";
  }
  ::close(fd);
  EXPECT_EQ(root_.resolve(path + "x", false).error(), ENAMETOOLONG);
  std::string ok;
  for (uint32_t i = 0; i < 100; ++i) ok += "d/";
  EXPECT_TRUE(root_.resolve(ok + "x", false).ok());
}

TEST_F(WasiSandboxDir, ReadOnlyRefusesEveryMutation) {
  auto ro = SandboxDir::openRoot(t_.file("root"), true);
  ASSERT_TRUE(ro.ok());
  struct timespec times[2] = {{0, UTIME_NOW}, {0, UTIME_NOW}};
  EXPECT_EQ(ro->createDirectory("n").error(), kErrNotCapable);
  EXPECT_EQ(ro->removeDirectory("a").error(), kErrNotCapable);
  EXPECT_EQ(ro->unlinkFile("top.txt").error(), kErrNotCapable);
  EXPECT_EQ(ro->symlink("top.txt", "l").error(), kErrNotCapable);
  EXPECT_EQ(ro->setTimes("top.txt", false, times).error(), kErrNotCapable);
  EXPECT_EQ(SandboxDir::rename(*ro, "top.txt", *ro, "x").error(), kErrNotCapable);
  EXPECT_EQ(SandboxDir::link(*ro, "top.txt", false, root_, "x").error(), kErrNotCapable);
  EXPECT_EQ(SandboxDir::rename(root_, "top.txt", *ro, "x").error(), kErrNotCapable);
  EXPECT_EQ(ro->open("top.txt", false, O_WRONLY, 0).error(), kErrNotCapable);
  EXPECT_EQ(ro->open("new", false, O_RDONLY | O_CREAT, 0644).error(), kErrNotCapable);
  EXPECT_EQ(ro->open("top.txt", false, O_RDONLY | O_TRUNC, 0).error(), kErrNotCapable);
  auto sub = ro->open("a", false, O_RDONLY | O_DIRECTORY, 0);
  ASSERT_TRUE(sub.ok());
  EXPECT_TRUE(sub->dir.readOnly());
  EXPECT_EQ(sub->dir.createDirectory("n").error(), kErrNotCapable);
  EXPECT_EQ(t_.read("root/top.txt"), "top");
}

TEST_F(WasiSandboxDir, DirStreamCookiesResume) {
  auto s = wasi::DirStream::open(root_);
  ASSERT_TRUE(s.ok());
  std::vector<std::pair<std::string, uint64_t>> all;
  for (;;) {
    auto e = (*s)->next();
    ASSERT_TRUE(e.ok());
    if (!*e) break;
    all.emplace_back((*e)->name, (*e)->next);
  }
  ASSERT_EQ(all.size(), 4u);  // . .. a top.txt
  (*s)->seek(all[1].second);
  auto e = (*s)->next();
  ASSERT_TRUE(e.ok() && *e);
  EXPECT_EQ((*e)->name, all[2].first);
  (*s)->seek(0);
  e = (*s)->next();
  ASSERT_TRUE(e.ok() && *e);
  EXPECT_EQ((*e)->name, all[0].first);
}

}  // namespace
}  // namespace compono::test
