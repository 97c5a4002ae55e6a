#include "model/byte_size.h"

#include <cmath>
#include <fmt/format.h>

namespace kubescrape::model {
namespace {

// The unit table of units.ParseBase2Bytes: both spellings, base 1024.
double UnitScale(std::string_view u) {
  constexpr double k = 1024;
  if (u == "B") return 1;
  if (u == "KB" || u == "KiB") return k;
  if (u == "MB" || u == "MiB") return k * k;
  if (u == "GB" || u == "GiB") return k * k * k;
  if (u == "TB" || u == "TiB") return k * k * k * k;
  if (u == "PB" || u == "PiB") return k * k * k * k * k;
  if (u == "EB" || u == "EiB") return k * k * k * k * k * k;
  return -1;
}

inline bool IsDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

util::StatusOr<int64_t> ParseByteSize(std::string_view s) {
  const std::string_view orig = s;
  auto invalid = [&] { return util::InvalidArgumentError(fmt::format("units: invalid {}", orig)); };
  if (!s.empty() && s[0] == '+') s.remove_prefix(1);
  if (!s.empty() && s[0] == '-') {
    return util::InvalidArgumentError(fmt::format("size must not be negative: {}", orig));
  }
  if (s == "0") return int64_t{0};
  if (s.empty()) return invalid();
  double total = 0;
  while (!s.empty()) {
    if (!(s[0] == '.' || IsDigit(s[0]))) return invalid();
    double g = 0;
    size_t i = 0;
    for (; i < s.size() && IsDigit(s[i]); ++i) g = g * 10 + (s[i] - '0');
    bool pre = i > 0;
    s.remove_prefix(i);
    bool post = false;
    if (!s.empty() && s[0] == '.') {
      s.remove_prefix(1);
      double scale = 1;
      size_t j = 0;
      for (; j < s.size() && IsDigit(s[j]); ++j) {
        scale *= 10;
        g += (s[j] - '0') / scale;
      }
      post = j > 0;
      s.remove_prefix(j);
    }
    if (!pre && !post) return invalid();
    size_t k = 0;
    while (k < s.size() && s[k] != '.' && !IsDigit(s[k])) ++k;
    std::string_view unit = s.substr(0, k);
    s.remove_prefix(k);
    double scale = UnitScale(unit);
    if (scale < 0) {
      return util::InvalidArgumentError(fmt::format("units: unknown unit {} in {}", unit, orig));
    }
    total += g * scale;
  }
  if (total > 9.2e18) return util::InvalidArgumentError("units: overflow parsing unit");
  return static_cast<int64_t>(total);
}

std::string FormatByteSize(int64_t bytes) {
  static constexpr std::string_view kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  int unit = 0;
  while (bytes != 0 && bytes % 1024 == 0 && unit < 6) {
    bytes /= 1024;
    ++unit;
  }
  return fmt::format("{}{}", bytes, kUnits[unit]);
}

}  // namespace kubescrape::model
