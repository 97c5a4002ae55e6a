#include "util/units.h"

#include <array>
#include <limits>
#include <string>
#include <utility>

namespace kubescrape::util {

StatusOr<uint64_t> ParseBase2Bytes(std::string_view s) {
  const std::string quoted = "\"" + std::string(s) + "\"";
  size_t i = 0;
  uint64_t n = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
    const uint64_t d = static_cast<uint64_t>(s[i] - '0');
    if (n > (std::numeric_limits<uint64_t>::max() - d) / 10) return InvalidArgumentError("units: size " + quoted + " overflows");
    n = n * 10 + d;
    ++i;
  }
  if (i == 0) return InvalidArgumentError("units: invalid size " + quoted);
  const std::string_view unit = s.substr(i);
  if (unit.empty()) {
    if (n == 0) return uint64_t{0};
    return InvalidArgumentError("units: missing unit in " + quoted);
  }
  static constexpr std::array<std::pair<std::string_view, int>, 13> kUnits = {{
      {"B", 0}, {"KB", 1}, {"KiB", 1}, {"MB", 2}, {"MiB", 2}, {"GB", 3}, {"GiB", 3},
      {"TB", 4}, {"TiB", 4}, {"PB", 5}, {"PiB", 5}, {"EB", 6}, {"EiB", 6},
  }};
  for (const auto& [name, power] : kUnits) {
    if (unit != name) continue;
    uint64_t v = n;
    for (int p = 0; p < power; ++p) {
      if (v > std::numeric_limits<uint64_t>::max() / 1024) return InvalidArgumentError("units: size " + quoted + " overflows");
      v *= 1024;
    }
    return v;
  }
  return InvalidArgumentError("units: unknown unit " + std::string(unit) + " in " + std::string(s));
}

}  // namespace kubescrape::util
