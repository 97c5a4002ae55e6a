#include "util/logging.h"

#include <time.h>

#include <cstdio>
#include <fmt/format.h>

namespace kubescrape::util::log {
namespace {

std::string_view LevelName(Level level) {
  switch (level) {
    case Level::kDebug: return "DEBUG";
    case Level::kInfo: return "INFO";
    case Level::kWarn: return "WARN";
    case Level::kError: return "ERROR";
  }
  return "INFO";
}

// RFC 3339 with milliseconds and the local UTC offset, as Go's slog prints.
std::string FormatTime(Clock::TimePoint tp) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(tp.time_since_epoch()).count();
  time_t secs = static_cast<time_t>(ms / 1000);
  int millis = static_cast<int>(ms % 1000);
  if (millis < 0) {
    millis += 1000;
    --secs;
  }
  struct tm tm {};
  localtime_r(&secs, &tm);
  long off = tm.tm_gmtoff / 60;
  std::string zone;
  if (off == 0) {
    zone = "Z";
  } else {
    char sign = off < 0 ? '-' : '+';
    if (off < 0) off = -off;
    zone = fmt::format("{}{:02}:{:02}", sign, off / 60, off % 60);
  }
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}{}", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, millis, zone);
}

// go-logfmt quotes values that are empty or hold spaces, '=', '"' or control bytes.
bool NeedsQuote(std::string_view v) {
  if (v.empty()) return true;
  for (unsigned char c : v) {
    if (c <= ' ' || c == '=' || c == '"' || c == 0x7F) return true;
  }
  return false;
}

void AppendEscaped(std::string* out, std::string_view v) {
  for (unsigned char c : v) {
    switch (c) {
      case '"': *out += "\\\""; break;
      case '\\': *out += "\\\\"; break;
      case '\n': *out += "\\n"; break;
      case '\r': *out += "\\r"; break;
      case '\t': *out += "\\t"; break;
      default:
        if (c < 0x20 || c == 0x7F) {
          *out += fmt::format("\\u{:04x}", c);
        } else {
          out->push_back(static_cast<char>(c));
        }
    }
  }
}

void AppendLogfmt(std::string* out, std::string_view key, std::string_view value) {
  if (!out->empty()) out->push_back(' ');
  out->append(key);
  out->push_back('=');
  if (NeedsQuote(value)) {
    out->push_back('"');
    AppendEscaped(out, value);
    out->push_back('"');
  } else {
    out->append(value);
  }
}

void AppendJson(std::string* out, std::string_view key, std::string_view value, Field::Kind kind) {
  if (out->size() > 1) out->push_back(',');  // `out` starts as "{"
  out->push_back('"');
  AppendEscaped(out, key);
  *out += "\":";
  if (kind == Field::Kind::kString) {
    out->push_back('"');
    AppendEscaped(out, value);
    out->push_back('"');
  } else {
    out->append(value);
  }
}

std::string_view BaseName(std::string_view path) {
  size_t slash = path.find_last_of('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

std::unique_ptr<Logger>& DefaultSlot() {
  static std::unique_ptr<Logger> logger = std::make_unique<Logger>(Level::kInfo, Format::kLogfmt);
  return logger;
}

}  // namespace

Field::Field(std::string_view key, double value)
    : key_(key), value_(fmt::format("{}", value)), kind_(Kind::kNumber) {}

StatusOr<Level> ParseLevel(std::string_view s) {
  if (s == "debug") return Level::kDebug;
  if (s == "info") return Level::kInfo;
  if (s == "warn") return Level::kWarn;
  if (s == "error") return Level::kError;
  return InvalidArgumentError(
      fmt::format("unrecognized log level \"{}\" (one of: debug, info, warn, error)", s));
}

StatusOr<Format> ParseFormat(std::string_view s) {
  if (s == "logfmt") return Format::kLogfmt;
  if (s == "json") return Format::kJson;
  return InvalidArgumentError(
      fmt::format("unrecognized log format \"{}\" (one of: logfmt, json)", s));
}

Logger::Logger(Level level, log::Format format, Sink sink, const Clock* clock)
    : level_(level),
      format_(format),
      sink_(std::move(sink)),
      clock_(clock != nullptr ? clock : &SystemClock::Default()) {}

std::string Logger::Format(Level level, std::string_view msg, std::initializer_list<Field> fields,
                           const std::source_location& loc) const {
  std::string time = FormatTime(clock_->Now());
  std::string source = fmt::format("{}:{}", BaseName(loc.file_name()), loc.line());
  std::string out;
  out.reserve(128);
  if (format_ == Format::kJson) {
    out.push_back('{');
    AppendJson(&out, "time", time, Field::Kind::kString);
    AppendJson(&out, "level", LevelName(level), Field::Kind::kString);
    AppendJson(&out, "source", source, Field::Kind::kString);
    AppendJson(&out, "msg", msg, Field::Kind::kString);
    for (const Field& f : fields) AppendJson(&out, f.key(), f.value(), f.kind());
    out += "}\n";
    return out;
  }
  AppendLogfmt(&out, "time", time);
  AppendLogfmt(&out, "level", LevelName(level));
  AppendLogfmt(&out, "source", source);
  AppendLogfmt(&out, "msg", msg);
  for (const Field& f : fields) AppendLogfmt(&out, f.key(), f.value());
  out.push_back('\n');
  return out;
}

void Logger::Log(Level level, std::string_view msg, std::initializer_list<Field> fields,
                 const std::source_location& loc) {
  if (!Enabled(level)) return;
  std::string line = Format(level, msg, fields, loc);
  std::lock_guard<std::mutex> lock(mu_);
  if (sink_) {
    sink_(line);
  } else {
    std::fwrite(line.data(), 1, line.size(), stderr);
  }
}

Logger& Default() { return *DefaultSlot(); }

void SetDefault(std::unique_ptr<Logger> logger) { DefaultSlot() = std::move(logger); }

Status SetDefaultFromFlags(std::string_view level, std::string_view format) {
  KS_ASSIGN_OR_RETURN(Level l, ParseLevel(level));
  KS_ASSIGN_OR_RETURN(log::Format f, ParseFormat(format));
  SetDefault(std::make_unique<Logger>(l, f));
  return Status::Ok();
}

}  // namespace kubescrape::util::log
