// compono/providers/logging.h — wasi:logging/logging@0.1.0-draft: structured
// log lines from components (wit/logging/logging.wit).
//
// A LogSink writes one line per call, naming the component, to a file
// descriptor (stderr by default):
//   text: 2026-11-26T08:01:02.345Z INFO  counter [context] message
//   json: {"time":"2026-11-26T08:01:02.345Z","level":"info","component":"counter",
//          "context":"...","message":"..."}
// Control characters in text lines are escaped (\n, \t, \xNN), so a call is
// always exactly one line. Each line goes out in one write(2).
//
// Thread safety: LogSink is thread safe (calls from many instances at once
// never interleave within a line). Ownership: shared by the linkers that
// use it (shared_ptr); the file descriptor is not owned.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "compono/component/linker.h"
#include "compono/result.h"

namespace compono::providers {

inline constexpr std::string_view kLoggingInterface = "wasi:logging/logging@0.1.0-draft";

enum class LogFormat : uint8_t { kText, kJson };
// "text" or "json"; nullopt otherwise.
std::optional<LogFormat> parseLogFormat(std::string_view text);

// The levels of wasi:logging, in the WIT enum's order.
enum class LogLevel : uint8_t { kTrace, kDebug, kInfo, kWarn, kError, kCritical };
// "trace", "debug", "info", "warn", "error", "critical".
const char* logLevelName(LogLevel level);

class LogSink {
 public:
  explicit LogSink(LogFormat format = LogFormat::kText, int fd = 2) : format_(format), fd_(fd) {}
  // Writes one line. `component` names the component (or "compono" for the host).
  void write(LogLevel level, std::string_view component, std::string_view context,
             std::string_view message);
  // The line write() would emit (without the newline), with `time` as its timestamp.
  std::string format(std::string_view time, LogLevel level, std::string_view component,
                     std::string_view context, std::string_view message) const;
  LogFormat logFormat() const { return format_; }

 private:
  LogFormat format_;
  int fd_;
  std::mutex mu_;
};

// Defines wasi:logging/logging@0.1.0-draft#log in `linker`, writing to `sink`
// under the name `component`.
Status addLoggingToLinker(component::Linker& linker, std::shared_ptr<LogSink> sink,
                          std::string component);

}  // namespace compono::providers
