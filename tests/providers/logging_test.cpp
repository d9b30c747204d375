// LogSink: one line per call, text and JSON-lines formats, escaping, and
// no interleaving across threads.
#include "compono/providers/logging.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "support/test_support.h"

using namespace compono;
using namespace compono::providers;

namespace {

std::vector<std::string> lines(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

TEST(LogSink, TextLineNamesLevelComponentContextAndMessage) {
  LogSink sink(LogFormat::kText);
  EXPECT_EQ(sink.format("T", LogLevel::kWarn, "counter", "db", "slow"),
            "T WARN    counter [db] slow");
  EXPECT_EQ(sink.format("T", LogLevel::kInfo, "c", "", "no context"), "T INFO    c no context");
  // Control characters cannot start a new line.
  EXPECT_EQ(sink.format("T", LogLevel::kError, "c", "x", "two\nlines\x01"),
            "T ERROR   c [x] two\\nlines\\x01");
}

TEST(LogSink, JsonLinesCarryEveryField) {
  LogSink sink(LogFormat::kJson);
  auto j = nlohmann::json::parse(sink.format("2026-01-01T00:00:00.000Z", LogLevel::kCritical, "app",
                                             "ctx", "a \"quoted\"\nmsg"));
  EXPECT_EQ(j["time"], "2026-01-01T00:00:00.000Z");
  EXPECT_EQ(j["level"], "critical");
  EXPECT_EQ(j["component"], "app");
  EXPECT_EQ(j["context"], "ctx");
  EXPECT_EQ(j["message"], "a \"quoted\"\nmsg");
}

TEST(LogSink, WritesWholeLinesFromManyThreads) {
  test::TempDir dir;
  int fd = ::open(dir.file("log").c_str(), O_CREAT | O_WRONLY | O_APPEND, 0600);
  ASSERT_GE(fd, 0);
  {
    LogSink sink(LogFormat::kJson, fd);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < 100; ++i) {
          sink.write(LogLevel::kInfo, "c" + std::to_string(t), "n", std::string(300, 'a' + t));
        }
      });
    }
    for (auto& th : threads) th.join();
  }
  ::close(fd);
  auto ls = lines(dir.read("log"));
  ASSERT_EQ(ls.size(), 400u);
  for (const std::string& l : ls) {
    auto j = nlohmann::json::parse(l);  // throws (fails the test) on a torn line
    std::string c = j["component"];
    EXPECT_EQ(j["message"], std::string(300, 'a' + (c[1] - '0')));
  }
}

TEST(LogSink, ParsesFormats) {
  EXPECT_EQ(parseLogFormat("json"), LogFormat::kJson);
  EXPECT_EQ(parseLogFormat("text"), LogFormat::kText);
  EXPECT_FALSE(parseLogFormat("xml").has_value());
}

}  // namespace
