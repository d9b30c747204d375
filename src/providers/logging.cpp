// wasi:logging on a LogSink (one line per call).
#include "compono/providers/logging.h"

#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <ctime>
#include <nlohmann/json.hpp>

#include "providers/wit_sources.h"

namespace compono::providers {

using component::HostCall;
using component::Value;

std::optional<LogFormat> parseLogFormat(std::string_view text) {
  if (text == "text") return LogFormat::kText;
  if (text == "json") return LogFormat::kJson;
  return std::nullopt;
}

const char* logLevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kTrace:
      return "trace";
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
    case LogLevel::kCritical:
      return "critical";
  }
  return "?";
}

namespace {

// RFC 3339 UTC with milliseconds: 2026-11-26T08:01:02.345Z.
std::string nowUtc() {
  auto now = std::chrono::system_clock::now();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(ms % 1000));
  return buf;
}

// Escapes control characters so that the text stays on one line.
void appendEscaped(std::string& out, std::string_view s) {
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\\') {
      out += "\\\\";
    } else if (u < 0x20 || u == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", u);
      out += buf;
    } else {
      out += c;
    }
  }
}

}  // namespace

std::string LogSink::format(std::string_view time, LogLevel level, std::string_view component,
                            std::string_view context, std::string_view message) const {
  if (format_ == LogFormat::kJson) {
    nlohmann::ordered_json j;
    j["time"] = time;
    j["level"] = logLevelName(level);
    j["component"] = component;
    j["context"] = context;
    j["message"] = message;
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  std::string line(time);
  std::string lvl = logLevelName(level);
  for (char& c : lvl) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  line += ' ';
  line += lvl;
  line.append(lvl.size() < 8 ? 8 - lvl.size() : 1, ' ');
  appendEscaped(line, component);
  if (!context.empty()) {
    line += " [";
    appendEscaped(line, context);
    line += ']';
  }
  line += ' ';
  appendEscaped(line, message);
  return line;
}

void LogSink::write(LogLevel level, std::string_view component, std::string_view context,
                    std::string_view message) {
  std::string line = format(nowUtc(), level, component, context, message);
  line += '\n';
  std::lock_guard<std::mutex> lock(mu_);
  size_t off = 0;
  while (off < line.size()) {
    ssize_t n = ::write(fd_, line.data() + off, line.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // a closed stderr loses the line; the component goes on
    off += static_cast<size_t>(n);
  }
}

Status addLoggingToLinker(component::Linker& linker, std::shared_ptr<LogSink> sink,
                          std::string component) {
  COMPONO_ASSIGN(auto model, internal::embeddedPackage("logging"));
  const component::wit::Function* log = internal::findFunc(*model, "logging", "log");
  if (!log) return Error(ErrorCode::kInternal, "wit/logging: no function logging.log");
  return linker.defineFunc(
      kLoggingInterface, model, *log,
      [sink = std::move(sink), component = std::move(component)](
          HostCall&, std::span<const Value> args, std::vector<Value>&) -> Status {
        uint32_t lvl = args[0].discriminant;
        if (lvl > static_cast<uint32_t>(LogLevel::kCritical)) lvl = 0;
        sink->write(static_cast<LogLevel>(lvl), component, args[1].str, args[2].str);
        return okStatus();
      });
}

}  // namespace compono::providers
