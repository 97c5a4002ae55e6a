#include "model/duration.h"

#include <cstdint>
#include <fmt/format.h>

namespace kubescrape::model {
namespace {

struct Unit {
  std::string_view name;
  int pos;          // units must appear in increasing pos order
  uint64_t nanos;   // unit length in nanoseconds (Go's time.Duration unit)
};

constexpr uint64_t kMs = 1'000'000;
constexpr Unit kUnits[] = {
    {"y", 1, 365ull * 24 * 3600 * 1000 * kMs}, {"w", 2, 7ull * 24 * 3600 * 1000 * kMs},
    {"d", 3, 24ull * 3600 * 1000 * kMs},        {"h", 4, 3600ull * 1000 * kMs},
    {"m", 5, 60ull * 1000 * kMs},               {"s", 6, 1000 * kMs},
    {"ms", 7, kMs},
};

}  // namespace

util::StatusOr<Duration> ParseDuration(std::string_view s) {
  if (s == "0") return Duration(0);
  if (s.empty()) return util::InvalidArgumentError("empty duration string");
  const std::string_view orig = s;
  auto invalid = [&] {
    return util::InvalidArgumentError(fmt::format("not a valid duration string: \"{}\"", orig));
  };
  uint64_t total = 0;  // nanoseconds, as Go computes it (so the same inputs overflow)
  int last_pos = 0;
  while (!s.empty()) {
    if (s[0] < '0' || s[0] > '9') return invalid();
    size_t i = 0;
    uint64_t v = 0;
    for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {
      if (v > (UINT64_MAX - 9) / 10) return invalid();
      v = v * 10 + static_cast<uint64_t>(s[i] - '0');
    }
    s.remove_prefix(i);
    size_t j = 0;
    while (j < s.size() && !(s[j] >= '0' && s[j] <= '9')) ++j;
    if (j == 0) return invalid();
    std::string_view unit_name = s.substr(0, j);
    s.remove_prefix(j);
    const Unit* unit = nullptr;
    for (const Unit& u : kUnits) {
      if (u.name == unit_name) unit = &u;
    }
    if (unit == nullptr) {
      return util::InvalidArgumentError(
          fmt::format("unknown unit \"{}\" in duration \"{}\"", unit_name, orig));
    }
    if (unit->pos <= last_pos) return invalid();
    last_pos = unit->pos;
    if (v > (uint64_t{1} << 63) / unit->nanos) return util::InvalidArgumentError("duration out of range");
    total += v * unit->nanos;
    if (total > static_cast<uint64_t>(INT64_MAX)) return util::InvalidArgumentError("duration out of range");
  }
  return Duration(static_cast<int64_t>(total / kMs));
}

std::string FormatDuration(Duration d) {
  int64_t ms = d.count();
  if (ms == 0) return "0s";
  std::string out;
  if (ms < 0) {
    out = "-";
    ms = -ms;
  }
  auto emit = [&](std::string_view unit, int64_t mult, bool exact) {
    if (exact && ms % mult != 0) return;
    if (int64_t v = ms / mult; v > 0) {
      out += fmt::format("{}{}", v, unit);
      ms -= v * mult;
    }
  };
  emit("y", 1000LL * 60 * 60 * 24 * 365, true);
  emit("w", 1000LL * 60 * 60 * 24 * 7, true);
  emit("d", 1000LL * 60 * 60 * 24, false);
  emit("h", 1000LL * 60 * 60, false);
  emit("m", 1000LL * 60, false);
  emit("s", 1000, false);
  emit("ms", 1, false);
  return out;
}

}  // namespace kubescrape::model
