#pragma once
// Structured logging in Prometheus 3's style (prometheus/common promslog):
//
//   time=2026-11-24T18:30:00.123+01:00 level=INFO source=main.cc:42 msg="Loading configuration file" filename=prometheus.yml
//
// or the same keys as one JSON object per line with --log.format=json. Lines
// go to stderr by default, each written whole (concurrent callers never
// interleave within a line).
//
// Usage:
//   log::Info("Loading configuration file", {{"filename", path}});
//   log::Warn("Error reloading config", {{"err", status.ToString()}});
//
// Thread-safety: Logger is thread-safe; SetDefault is not (call it at start-up).

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <source_location>
#include <string>
#include <string_view>

#include "util/clock.h"
#include "util/status.h"

namespace kubescrape::util::log {

enum class Level { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };
enum class Format { kLogfmt, kJson };

// Parses --log.level / --log.format values ("debug|info|warn|error",
// "logfmt|json"); the error message lists the accepted values.
StatusOr<Level> ParseLevel(std::string_view s);
StatusOr<Format> ParseFormat(std::string_view s);

// One key=value pair. Numbers and booleans stay unquoted in JSON.
class Field {
 public:
  enum class Kind { kString, kNumber, kBool };
  Field(std::string_view key, std::string_view value) : key_(key), value_(value) {}
  Field(std::string_view key, const char* value) : key_(key), value_(value) {}
  Field(std::string_view key, const std::string& value) : key_(key), value_(value) {}
  Field(std::string_view key, const Status& status)
      : key_(key), value_(status.ok() ? "OK" : status.message()) {}
  Field(std::string_view key, bool value)
      : key_(key), value_(value ? "true" : "false"), kind_(Kind::kBool) {}
  Field(std::string_view key, int value) : Field(key, static_cast<long long>(value)) {}
  Field(std::string_view key, long value) : Field(key, static_cast<long long>(value)) {}
  Field(std::string_view key, long long value)
      : key_(key), value_(std::to_string(value)), kind_(Kind::kNumber) {}
  Field(std::string_view key, unsigned long value)
      : key_(key), value_(std::to_string(value)), kind_(Kind::kNumber) {}
  Field(std::string_view key, unsigned value) : Field(key, static_cast<unsigned long>(value)) {}
  Field(std::string_view key, double value);

  std::string_view key() const { return key_; }
  const std::string& value() const { return value_; }
  Kind kind() const { return kind_; }

 private:
  std::string_view key_;
  std::string value_;
  Kind kind_ = Kind::kString;
};

using Sink = std::function<void(std::string_view line)>;

class Logger {
 public:
  // `sink` receives each finished line including its '\n'; null means stderr.
  // `clock` must outlive the logger; null means the system clock.
  Logger(Level level, Format format, Sink sink = nullptr, const Clock* clock = nullptr);

  bool Enabled(Level level) const { return level >= level_; }
  void Log(Level level, std::string_view msg, std::initializer_list<Field> fields,
           const std::source_location& loc);

  // Formats one line without writing it (exposed for tests).
  std::string Format(Level level, std::string_view msg, std::initializer_list<Field> fields,
                     const std::source_location& loc) const;

 private:
  Level level_;
  log::Format format_;
  Sink sink_;
  const Clock* clock_;
  std::mutex mu_;  // serialises writes to the sink
};

// The process-wide logger (info, logfmt, stderr until SetDefault).
Logger& Default();
void SetDefault(std::unique_ptr<Logger> logger);

// Installs the default logger from --log.level / --log.format values.
// On error nothing changes and the message lists the accepted values.
Status SetDefaultFromFlags(std::string_view level, std::string_view format);

inline void Debug(std::string_view msg, std::initializer_list<Field> fields = {},
                  const std::source_location& loc = std::source_location::current()) {
  if (Default().Enabled(Level::kDebug)) Default().Log(Level::kDebug, msg, fields, loc);
}
inline void Info(std::string_view msg, std::initializer_list<Field> fields = {},
                 const std::source_location& loc = std::source_location::current()) {
  if (Default().Enabled(Level::kInfo)) Default().Log(Level::kInfo, msg, fields, loc);
}
inline void Warn(std::string_view msg, std::initializer_list<Field> fields = {},
                 const std::source_location& loc = std::source_location::current()) {
  if (Default().Enabled(Level::kWarn)) Default().Log(Level::kWarn, msg, fields, loc);
}
inline void Error(std::string_view msg, std::initializer_list<Field> fields = {},
                  const std::source_location& loc = std::source_location::current()) {
  if (Default().Enabled(Level::kError)) Default().Log(Level::kError, msg, fields, loc);
}

}  // namespace kubescrape::util::log
