// WASI 0.2 (compono/wasi/wasi_p2.h) through real components:
//  - tests/guests/components/p2probe (built with `compono bindgen c` + clang
//    + `compono componentize`) calls wasi:filesystem and wasi:sockets on a
//    real temporary directory tree: round trips, escapes (.., absolute
//    paths, symlinks out of the preopen), :ro grants, denied sockets;
//  - `compono run` of the hello-command fixture (wasi:cli/run);
//  - the IoTable contract (compono/component/wasi_p2_io.h).
// Each escape test also checks the host side: the file outside the sandbox
// is unchanged / was not created.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <vector>

#include "compono/component/component.h"
#include "compono/component/instance.h"
#include "compono/component/linker.h"
#include "compono/component/wasi_p2_io.h"
#include "compono/engine/engine.h"
#include "compono/wasi/wasi_p2.h"
#include "support/test_support.h"

using namespace compono;
using namespace compono::component;

namespace {

engine::Tier testTier() {
  const char* t = std::getenv("COMPONO_TEST_TIER");
  return t && std::string(t) == "aot" ? engine::Tier::kAot : engine::Tier::kInterp;
}

bool exists(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

// A sandbox tree in a temporary directory:
//   outside/secret.txt          "top secret" (must stay unreachable)
//   box/hello.txt               "hi there"
//   box/sub/inner-link -> ../hello.txt          (stays inside: allowed)
//   box/link-out -> ../outside/secret.txt       (relative, leads out)
//   box/abs-link -> <tmp>/outside/secret.txt    (absolute)
//   box/dir-out -> ../outside                   (a directory out)
// and the p2probe component instantiated with box/ preopened as "/box".
class P2Probe : public ::testing::Test {
 protected:
  void SetUp() override { build(false); }

  void build(bool readOnly) {
    instance_.reset();
    store_.reset();
    ctx_.reset();
    if (!exists(tmp_.file("box"))) {
      tmp_.write("outside/secret.txt", "top secret");
      tmp_.write("box/hello.txt", "hi there");
      ASSERT_EQ(::mkdir(tmp_.file("box/sub").c_str(), 0755), 0);
      ASSERT_EQ(::symlink("../hello.txt", tmp_.file("box/sub/inner-link").c_str()), 0);
      ASSERT_EQ(::symlink("../outside/secret.txt", tmp_.file("box/link-out").c_str()), 0);
      ASSERT_EQ(::symlink(tmp_.file("outside/secret.txt").c_str(), tmp_.file("box/abs-link").c_str()), 0);
      ASSERT_EQ(::symlink("../outside", tmp_.file("box/dir-out").c_str()), 0);
    }
    wasi::WasiConfig config;
    config.preopens.push_back({tmp_.file("box"), "/box", readOnly});
    auto ctx = wasi::WasiCtx::create(std::move(config));
    ASSERT_TRUE(ctx.ok()) << ctx.error().message;
    ctx_ = std::move(*ctx);
    Linker linker;
    ASSERT_TRUE(wasi::addWasiP2ToLinker(linker, *ctx_).ok());
    auto loaded = LoadedComponent::fromFile(engine_, test::guestPath("p2probe"));
    ASSERT_TRUE(loaded.ok()) << loaded.error().message;
    ASSERT_TRUE(linker.unresolvedImports(**loaded).empty());
    store_ = std::make_unique<engine::Store>(engine_);
    auto inst = linker.instantiate(*store_, *loaded);
    ASSERT_TRUE(inst.ok()) << inst.error().message;
    instance_ = std::move(*inst);
  }

  Value call(const std::string& name, std::vector<Value> args) {
    auto r = instance_->call(name, args);
    EXPECT_TRUE(r.ok()) << name << ": " << (r.ok() ? "" : r.error().withBacktrace());
    if (!r.ok() || r->empty()) return Value();
    return (*r)[0];
  }
  // The error text of a result<_, string>, or "ok".
  std::string outcome(const std::string& name, std::vector<Value> args) {
    Value v = call(name, std::move(args));
    EXPECT_EQ(v.kind, ValueKind::kResult) << name;
    if (v.kind != ValueKind::kResult) return "?";
    return v.discriminant == 0 ? "ok" : v.items.at(0).str;
  }
  std::string readFile(const std::string& path, bool follow = true) {
    Value v = call("read-file", {Value::string(path), Value::boolean(follow)});
    if (v.kind != ValueKind::kResult) return "?";
    return v.discriminant == 0 ? "ok: " + v.items.at(0).str : v.items.at(0).str;
  }
  std::string writeFile(const std::string& path, const std::string& contents) {
    return outcome("write-file", {Value::string(path), Value::string(contents)});
  }
  std::string secret() const { return test::readFile(tmp_.file("outside/secret.txt")); }

  test::TempDir tmp_;
  engine::Engine engine_{[] {
    engine::EngineConfig ec;
    ec.tier = testTier();
    return ec;
  }()};
  std::unique_ptr<wasi::WasiCtx> ctx_;
  std::unique_ptr<engine::Store> store_;
  std::unique_ptr<ComponentInstance> instance_;
};

TEST_F(P2Probe, PreopensNameTheGrant) {
  Value v = call("preopens", {});
  ASSERT_EQ(v.items.size(), 1u);
  EXPECT_EQ(v.items[0].str, "/box");
}

TEST_F(P2Probe, FilesRoundTripThroughStreamsAndDescriptors) {
  EXPECT_EQ(readFile("hello.txt"), "ok: hi there");
  EXPECT_EQ(writeFile("new.txt", "hello"), "ok");
  EXPECT_EQ(test::readFile(tmp_.file("box/new.txt")), "hello");
  EXPECT_EQ(outcome("append-file", {Value::string("new.txt"), Value::string(" world")}), "ok");
  EXPECT_EQ(test::readFile(tmp_.file("box/new.txt")), "hello world");
  EXPECT_EQ(readFile("new.txt"), "ok: hello world");

  Value pr = call("pread", {Value::string("new.txt"), Value::u64(5), Value::u64(6)});
  ASSERT_EQ(pr.discriminant, 0u) << pr.items.at(0).str;
  EXPECT_EQ(pr.items[0].items[0].str, "world");
  Value pw = call("pwrite", {Value::string("new.txt"), Value::string("W"), Value::u64(6)});
  ASSERT_EQ(pw.discriminant, 0u);
  EXPECT_EQ(pw.items[0].u, 1u);
  EXPECT_EQ(test::readFile(tmp_.file("box/new.txt")), "hello World");

  // Streams between files: blocking-splice, and write-zeroes after poll.
  std::string big(10000, 'x');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>('a' + i % 26);
  tmp_.write("box/big.txt", big);
  Value copied = call("copy-file", {Value::string("big.txt"), Value::string("copy.txt")});
  ASSERT_EQ(copied.discriminant, 0u) << copied.items.at(0).str;
  EXPECT_EQ(copied.items[0].u, big.size());
  EXPECT_EQ(test::readFile(tmp_.file("box/copy.txt")), big);
  EXPECT_EQ(outcome("zero-file", {Value::string("zeros.bin"), Value::u64(300)}), "ok");
  EXPECT_EQ(test::readFile(tmp_.file("box/zeros.bin")), std::string(300, '\0'));
  EXPECT_EQ(outcome("unlink", {Value::string("big.txt")}), "ok");
  EXPECT_EQ(outcome("unlink", {Value::string("copy.txt")}), "ok");
  EXPECT_EQ(outcome("unlink", {Value::string("zeros.bin")}), "ok");

  Value size = call("stat-size", {Value::string("new.txt"), Value::boolean(false)});
  ASSERT_EQ(size.discriminant, 0u);
  EXPECT_EQ(size.items[0].u, 11u);
  Value type = call("stat-type", {Value::string("sub")});
  EXPECT_EQ(type.items.at(0).str, "directory");

  EXPECT_EQ(outcome("mkdir", {Value::string("made")}), "ok");
  EXPECT_TRUE(exists(tmp_.file("box/made")));
  EXPECT_EQ(outcome("rename", {Value::string("new.txt"), Value::string("made/moved.txt")}), "ok");
  EXPECT_EQ(test::readFile(tmp_.file("box/made/moved.txt")), "hello World");
  EXPECT_EQ(outcome("rmdir", {Value::string("made")}), "not-empty");
  EXPECT_EQ(outcome("unlink", {Value::string("made/moved.txt")}), "ok");
  EXPECT_EQ(outcome("rmdir", {Value::string("made")}), "ok");
  EXPECT_FALSE(exists(tmp_.file("box/made")));

  // A directory opened with open-at inherits the right to mutate.
  EXPECT_EQ(outcome("mkdir-in", {Value::string("sub"), Value::string("deeper")}), "ok");
  EXPECT_TRUE(exists(tmp_.file("box/sub/deeper")));
  EXPECT_EQ(outcome("mkdir-in", {Value::string("sub"), Value::string("../../up")}), "not-permitted");
  EXPECT_FALSE(exists(tmp_.file("up")));
  EXPECT_EQ(outcome("rmdir", {Value::string("sub/deeper")}), "ok");

  EXPECT_EQ(outcome("symlink", {Value::string("hello.txt"), Value::string("ln")}), "ok");
  Value link = call("readlink", {Value::string("ln")});
  EXPECT_EQ(link.items.at(0).str, "hello.txt");
  EXPECT_EQ(readFile("ln"), "ok: hi there");
  EXPECT_EQ(readFile("sub/inner-link"), "ok: hi there");

  Value list = call("list-dir", {Value::string(".")});
  ASSERT_EQ(list.discriminant, 0u) << list.items.at(0).str;
  std::vector<std::string> names;
  for (const Value& n : list.items[0].items) names.push_back(n.str);
  EXPECT_EQ(names, (std::vector<std::string>{"abs-link", "dir-out", "hello.txt", "link-out", "ln",
                                             "sub"}));

  Value same = call("same-object", {Value::string("hello.txt"), Value::string("sub/inner-link")});
  ASSERT_EQ(same.discriminant, 0u) << same.items.at(0).str;
  EXPECT_TRUE(same.items[0].u);
  Value other = call("same-object", {Value::string("hello.txt"), Value::string("ln/../sub")});
  EXPECT_EQ(other.discriminant, 1u);  // ln is a file: not-directory
  Value diff = call("same-object", {Value::string("hello.txt"), Value::string("sub")});
  ASSERT_EQ(diff.discriminant, 0u) << diff.items.at(0).str;
  EXPECT_FALSE(diff.items[0].u);

  EXPECT_EQ(readFile("missing.txt"), "no-entry");
  EXPECT_EQ(readFile("sub"), "is-directory");
}

TEST_F(P2Probe, DotDotOutOfThePreopenIsRefused) {
  EXPECT_EQ(readFile("../outside/secret.txt"), "not-permitted");
  EXPECT_EQ(readFile("sub/../../outside/secret.txt"), "not-permitted");
  EXPECT_EQ(readFile(".."), "not-permitted");
  EXPECT_EQ(outcome("stat-size", {Value::string("../outside/secret.txt"), Value::boolean(true)}),
            "not-permitted");
  EXPECT_EQ(writeFile("../outside/secret.txt", "pwned"), "not-permitted");
  EXPECT_EQ(writeFile("../outside/new.txt", "pwned"), "not-permitted");
  EXPECT_EQ(outcome("mkdir", {Value::string("../escaped")}), "not-permitted");
  EXPECT_EQ(outcome("rename", {Value::string("hello.txt"), Value::string("../stolen.txt")}),
            "not-permitted");
  EXPECT_EQ(outcome("list-dir", {Value::string("..")}), "not-permitted");
  EXPECT_EQ(secret(), "top secret");
  EXPECT_FALSE(exists(tmp_.file("outside/new.txt")));
  EXPECT_FALSE(exists(tmp_.file("escaped")));
  EXPECT_FALSE(exists(tmp_.file("stolen.txt")));
  EXPECT_TRUE(exists(tmp_.file("box/hello.txt")));
}

TEST_F(P2Probe, AbsolutePathsAreRefused) {
  EXPECT_EQ(readFile("/etc/passwd"), "not-permitted");
  EXPECT_EQ(readFile(tmp_.file("outside/secret.txt")), "not-permitted");
  EXPECT_EQ(readFile("/box/hello.txt"), "not-permitted");  // guest names are not host paths
  EXPECT_EQ(writeFile(tmp_.file("outside/abs.txt"), "pwned"), "not-permitted");
  EXPECT_FALSE(exists(tmp_.file("outside/abs.txt")));
}

TEST_F(P2Probe, SymlinksOutOfThePreopenAreRefused) {
  EXPECT_EQ(readFile("link-out"), "not-permitted");
  EXPECT_EQ(readFile("abs-link"), "not-permitted");
  EXPECT_EQ(readFile("dir-out/secret.txt"), "not-permitted");
  EXPECT_EQ(outcome("list-dir", {Value::string("dir-out")}), "not-permitted");
  EXPECT_EQ(writeFile("dir-out/new.txt", "pwned"), "not-permitted");
  // Not following the final link: open-at refuses to open a symlink itself.
  EXPECT_EQ(readFile("link-out", false), "loop");
  // Creating a link that leads out is refused too.
  EXPECT_EQ(outcome("symlink", {Value::string("../outside/secret.txt"), Value::string("l2")}),
            "not-permitted");
  EXPECT_EQ(outcome("symlink", {Value::string("/etc/passwd"), Value::string("l3")}),
            "not-permitted");
  EXPECT_EQ(secret(), "top secret");
  EXPECT_FALSE(exists(tmp_.file("outside/new.txt")));
  EXPECT_FALSE(exists(tmp_.file("box/l2")));
}

TEST_F(P2Probe, ReadOnlyGrantRefusesEveryMutation) {
  build(true);
  EXPECT_EQ(readFile("hello.txt"), "ok: hi there");
  EXPECT_EQ(writeFile("hello.txt", "changed"), "read-only");
  EXPECT_EQ(writeFile("new.txt", "x"), "read-only");
  EXPECT_EQ(outcome("append-file", {Value::string("hello.txt"), Value::string("x")}), "read-only");
  Value pw = call("pwrite", {Value::string("hello.txt"), Value::string("x"), Value::u64(0)});
  EXPECT_EQ(pw.discriminant, 1u);
  EXPECT_EQ(pw.items.at(0).str, "read-only");
  EXPECT_EQ(outcome("mkdir", {Value::string("d")}), "read-only");
  EXPECT_EQ(outcome("mkdir-in", {Value::string("sub"), Value::string("d")}), "read-only");
  EXPECT_FALSE(exists(tmp_.file("box/sub/d")));
  EXPECT_EQ(outcome("unlink", {Value::string("hello.txt")}), "read-only");
  EXPECT_EQ(outcome("rmdir", {Value::string("sub")}), "read-only");
  EXPECT_EQ(outcome("rename", {Value::string("hello.txt"), Value::string("h2")}), "read-only");
  EXPECT_EQ(outcome("symlink", {Value::string("hello.txt"), Value::string("l")}), "read-only");
  EXPECT_EQ(test::readFile(tmp_.file("box/hello.txt")), "hi there");
  EXPECT_FALSE(exists(tmp_.file("box/new.txt")));
  EXPECT_FALSE(exists(tmp_.file("box/d")));
  EXPECT_TRUE(exists(tmp_.file("box/sub")));
  EXPECT_FALSE(exists(tmp_.file("box/h2")));
}

TEST_F(P2Probe, SocketsAreDenied) {
  EXPECT_EQ(outcome("tcp-socket", {}), "access-denied");
  EXPECT_EQ(outcome("resolve", {Value::string("localhost")}), "access-denied");
}

TEST_F(P2Probe, MonotonicClockPollableBlocks) {
  Value slept = call("sleep", {Value::u64(30'000'000)});
  EXPECT_GE(slept.u, 30'000'000u);
  EXPECT_LT(slept.u, 5'000'000'000u);
}

// The IoTable contract that providers code against.
TEST(WasiP2Io, TableKeepsKindsApartAndForgetsDroppedReps) {
  wasi_p2::IoTable io;
  Value in = io.own(wasi_p2::bytesInputStream({'a', 'b', 'c'}));
  Value p = io.own(wasi_p2::readyPollable());
  Value e = io.ownError("boom");
  EXPECT_EQ(in.kind, ValueKind::kOwn);
  EXPECT_NE(in.handle, p.handle);
  EXPECT_NE(in.handle, 0u);
  EXPECT_EQ(io.size(), 3u);
  EXPECT_NE(io.inputStream(Value::borrow(in.handle)), nullptr);
  EXPECT_EQ(io.pollable(in), nullptr);      // a rep of another kind
  EXPECT_EQ(io.outputStream(in), nullptr);
  EXPECT_EQ(io.errorMessage(e).value_or(""), "boom");

  auto stream = io.inputStream(in);
  auto got = stream->read(2);
  ASSERT_TRUE(std::holds_alternative<wasi_p2::Bytes>(got));
  EXPECT_EQ(std::get<wasi_p2::Bytes>(got), (wasi_p2::Bytes{'a', 'b'}));
  EXPECT_EQ(std::get<uint64_t>(stream->skip(5)), 1u);
  EXPECT_TRUE(std::holds_alternative<wasi_p2::StreamError>(stream->read(1)));

  Value closed = io.streamError(wasi_p2::StreamError::closed());
  EXPECT_EQ(closed.kind, ValueKind::kVariant);
  EXPECT_EQ(closed.discriminant, 1u);
  Value failed = io.streamError(wasi_p2::StreamError::failed("disk on fire"));
  EXPECT_EQ(failed.discriminant, 0u);
  EXPECT_EQ(io.errorMessage(failed.items.at(0)).value_or(""), "disk on fire");

  io.take(in);
  EXPECT_EQ(io.inputStream(in), nullptr);
  io.drop(p.handle);
  EXPECT_EQ(io.pollable(p), nullptr);
  EXPECT_EQ(io.size(), 2u);  // e and the error inside `failed`
}

TEST(WasiP2Io, PollReadyWaitsForTheEarliestDeadline) {
  engine::Engine engine;
  engine::Store store(engine);
  struct timespec ts;
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  uint64_t now = static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000ull + ts.tv_nsec;
  auto late = wasi_p2::deadlinePollable(now + 10'000'000'000ull);
  auto soon = wasi_p2::deadlinePollable(now + 20'000'000ull);
  wasi_p2::Pollable* both[] = {late.get(), soon.get()};
  auto ready = wasi_p2::pollReady(store, both);
  ASSERT_TRUE(ready.ok()) << ready.error().message;
  EXPECT_EQ(*ready, (std::vector<uint32_t>{1}));
  EXPECT_FALSE(late->ready());
  EXPECT_FALSE(wasi_p2::pollReady(store, {}).ok());  // an empty poll would never return
}

// An fd output stream never blocks the guest's thread: what a non-blocking
// pipe does not take waits in the stream (check-write says 0 meanwhile) and
// reaches the pipe, in order, as the reader drains it.
TEST(WasiP2Io, FdOutputStreamKeepsWhatAFullPipeRefuses) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  ASSERT_EQ(::fcntl(fds[1], F_SETFL, O_NONBLOCK), 0);
  auto out = wasi_p2::fdOutputStream(fds[1], true);
  auto allowed = out->checkWrite();
  ASSERT_TRUE(std::holds_alternative<uint64_t>(allowed));
  uint64_t n = std::get<uint64_t>(allowed);
  ASSERT_GT(n, 65536u);  // more than a pipe holds
  wasi_p2::Bytes data(n);
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>(i * 7);
  ASSERT_TRUE(std::holds_alternative<std::monostate>(out->write(data)));  // returns at once
  EXPECT_EQ(std::get<uint64_t>(out->checkWrite()), 0u);
  EXPECT_FALSE(out->subscribe()->ready());
  wasi_p2::Bytes got;
  std::vector<uint8_t> buf(65536);
  while (got.size() < data.size()) {
    ssize_t r = ::read(fds[0], buf.data(), buf.size());
    ASSERT_GT(r, 0);
    got.insert(got.end(), buf.begin(), buf.begin() + r);
    (void)out->checkWrite();  // pushes what is pending
  }
  EXPECT_TRUE(got == data);
  EXPECT_GT(std::get<uint64_t>(out->checkWrite()), 0u);
  ::close(fds[0]);
  auto closed = out->write(wasi_p2::Bytes{1});
  EXPECT_TRUE(std::holds_alternative<wasi_p2::StreamError>(closed));  // EPIPE: closed, no SIGPIPE
}

// An fd input stream reads what is there, says "nothing yet" with an empty
// read, and `closed` at the end; blocking on it obeys the Store's --timeout.
TEST(WasiP2Io, FdInputStreamNeverWaitsAndBlockingEndsAtTheDeadline) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  auto in = wasi_p2::fdInputStream(fds[0], true);
  auto none = in->read(10);
  ASSERT_TRUE(std::holds_alternative<wasi_p2::Bytes>(none));
  EXPECT_TRUE(std::get<wasi_p2::Bytes>(none).empty());
  EXPECT_FALSE(in->subscribe()->ready());

  engine::Engine engine;
  engine::StoreLimits limits;
  limits.timeout = std::chrono::milliseconds(50);
  engine::Store store(engine, limits);
  auto p = in->subscribe();
  Status waited = wasi_p2::blockOn(store, *p);
  ASSERT_FALSE(waited.ok());
  EXPECT_EQ(waited.error().trap, TrapCode::kDeadline) << waited.error().message;

  ASSERT_EQ(::write(fds[1], "abc", 3), 3);
  EXPECT_TRUE(in->subscribe()->ready());
  auto got = in->read(10);
  ASSERT_TRUE(std::holds_alternative<wasi_p2::Bytes>(got));
  EXPECT_EQ(std::get<wasi_p2::Bytes>(got), (wasi_p2::Bytes{'a', 'b', 'c'}));
  ::close(fds[1]);
  EXPECT_TRUE(std::holds_alternative<wasi_p2::StreamError>(in->read(10)));
}

// wasi:cli/run through `compono run`: the command fixture prints its argc.
TEST(WasiP2Cli, RunHelloCommandPrintsTheFixtureOutput) {
  std::string want = test::readFile(test::sharedPath("fixtures/components/hello-command.stdout"));
  auto r = test::runCompono(
      {"run", test::sharedPath("fixtures/components/hello-command.wasm"), "a", "b"});
  EXPECT_EQ(r.exitCode, 0) << r.err;
  EXPECT_EQ(r.out, want);
}

}  // namespace
