#pragma once
// Prometheus durations (common/model.Duration): "1y2w3d4h5m6s7ms", units in
// decreasing order, each at most once, integers only; "0" is allowed without
// a unit. A year is 365 days, a week 7 days.
//
// Thread-safety: pure functions.

#include <chrono>
#include <string>
#include <string_view>

#include "util/status.h"

namespace kubescrape::model {

using Duration = std::chrono::milliseconds;

// Parses a Prometheus duration. Errors carry Prometheus's messages, e.g.
// `not a valid duration string: "5x"`, `unknown unit "x" in duration "5x"`.
util::StatusOr<Duration> ParseDuration(std::string_view s);

// Formats as Prometheus does: "0s", "1m30s", "2h", "90d" (years and weeks only
// when exact).
std::string FormatDuration(Duration d);

}  // namespace kubescrape::model
