// WASI preview 1 poll_oneoff: clocks (relative, absolute realtime and
// monotonic, several at once), fd subscriptions on stdin and stdout, errors
// reported per event, and the Store deadline ending a blocked poll.
#include <gtest/gtest.h>

#include <regex>

#include "wasi/wasi_harness.h"

namespace compono::test {
namespace {

// elapsed_ms=N of a report line.
long elapsedMs(const std::string& line) {
  std::smatch m;
  if (!std::regex_search(line, m, std::regex("elapsed_ms=(\\d+)"))) return -1;
  return std::stol(m[1]);
}

GuestResult runPoll(const std::vector<std::string>& args, const std::string& stdinData = "") {
  wasi::WasiConfig config;
  config.args = {"poll"};
  for (const auto& a : args) config.args.push_back(a);
  return runGuest("wasi_poll", config, stdinData);
}

TEST(WasiPoll, ClocksRelativeAndAbsolute) {
  GuestResult r =
      runPoll({"rel", "100", "abs", "100", "absmono", "100", "two", "past", "sleep", "60"});
  ASSERT_TRUE(r.ok) << describe(r);
  std::vector<std::string> got = lines(r.out);
  ASSERT_GE(got.size(), 6u) << r.out;
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(got[i].find(" 0 n=1 "), got[i].find(' ')) << got[i];
    EXPECT_GE(elapsedMs(got[i]), 99) << got[i];
    EXPECT_LT(elapsedMs(got[i]), 2000) << got[i];
  }
  EXPECT_NE(got[0].find("[ud=1 type=0 err=0 nbytes=0 flags=0]"), std::string::npos) << got[0];
  EXPECT_NE(got[1].find("[ud=2 type=0 err=0"), std::string::npos) << got[1];
  EXPECT_NE(got[2].find("[ud=3 type=0 err=0"), std::string::npos) << got[2];
  // Two clocks: only the 50 ms one fires.
  EXPECT_NE(got[3].find("two 0 n=1 "), std::string::npos) << got[3];
  EXPECT_NE(got[3].find("[ud=11 type=0 err=0"), std::string::npos) << got[3];
  EXPECT_LT(elapsedMs(got[3]), 2000);
  // A deadline in the past fires at once.
  EXPECT_NE(got[4].find("past 0 n=1 "), std::string::npos) << got[4];
  EXPECT_LT(elapsedMs(got[4]), 1000);
  // libc's nanosleep is poll_oneoff underneath.
  EXPECT_EQ(got[5].rfind("sleep 0 ", 0), 0u) << got[5];
  EXPECT_GE(elapsedMs(got[5]), 59);
}

TEST(WasiPoll, ErrorsArePerEventOrPerCall) {
  GuestResult r = runPoll({"badfd", "cputime", "zero", "fault", "stdout"});
  ASSERT_TRUE(r.ok) << describe(r);
  std::vector<std::string> got = lines(r.out);
  ASSERT_GE(got.size(), 5u) << r.out;
  EXPECT_NE(got[0].find("badfd 0 n=1 "), std::string::npos) << got[0];
  EXPECT_NE(got[0].find("[ud=40 type=1 err=8 "), std::string::npos) << got[0];
  EXPECT_NE(got[1].find("[ud=50 type=0 err=58 "), std::string::npos) << got[1];
  EXPECT_EQ(got[2], "zero 28");
  EXPECT_EQ(got[3], "fault 21");
  EXPECT_NE(got[4].find("[ud=30 type=2 err=0 "), std::string::npos) << got[4];
}

TEST(WasiPoll, StdinBecomesReadable) {
  wasi::WasiConfig config;
  config.args = {"poll", "stdin", "10000"};
  GuestRun run("wasi_poll", config);
  std::this_thread::sleep_for(std::chrono::milliseconds(150));
  run.writeStdin("ping");
  ASSERT_TRUE(run.waitForOutput("stdin_read"));
  GuestResult r = run.wait();
  ASSERT_TRUE(r.ok) << describe(r);
  std::vector<std::string> got = lines(r.out);
  ASSERT_GE(got.size(), 2u) << r.out;
  EXPECT_NE(got[0].find("stdin 0 n=1 "), std::string::npos) << got[0];
  EXPECT_NE(got[0].find("[ud=20 type=1 err=0 nbytes=4 flags=0]"), std::string::npos) << got[0];
  EXPECT_LT(elapsedMs(got[0]), 5000);  // woken by stdin, not by the 10 s clock
  EXPECT_EQ(got[1], "stdin_read ping");
}

TEST(WasiPoll, StdinTimeoutAndHangup) {
  {
    wasi::WasiConfig config;
    config.args = {"poll", "stdin", "100"};
    GuestRun run("wasi_poll", config);
    ASSERT_TRUE(run.waitForOutput("stdin 0"));
    GuestResult r = run.wait();
    ASSERT_TRUE(r.ok) << describe(r);
    EXPECT_NE(r.out.find("stdin 0 n=1 "), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("[ud=21 type=0 err=0"), std::string::npos) << r.out;  // the clock
  }
  {
    wasi::WasiConfig config;
    config.args = {"poll", "stdin", "10000"};
    GuestRun run("wasi_poll", config);
    run.closeStdin();  // EOF: readable, with the hangup flag
    GuestResult r = run.wait();
    ASSERT_TRUE(r.ok) << describe(r);
    EXPECT_NE(r.out.find("[ud=20 type=1 err=0 nbytes=0 flags=1]"), std::string::npos) << r.out;
    EXPECT_LT(elapsedMs(r.out), 5000);
  }
}

TEST(WasiPoll, BlockedPollEndsAtTheStoreDeadline) {
  for (const char* what : {"block", "rel"}) {
    SCOPED_TRACE(what);
    wasi::WasiConfig config;
    config.args = {"poll", what, "60000"};
    engine::StoreLimits limits;
    limits.timeout = std::chrono::milliseconds(300);
    auto t0 = std::chrono::steady_clock::now();
    GuestRun run("wasi_poll", config, limits);
    GuestResult r = run.wait(/*closeStdinFirst=*/false);
    EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(10));
    ASSERT_FALSE(r.ok) << describe(r);
    ASSERT_TRUE(r.error);
    EXPECT_EQ(r.error->trap, TrapCode::kDeadline) << r.error->message;
  }
}

}  // namespace
}  // namespace compono::test
