#pragma once
// Test helper: one call to a Prometheus-compatible HTTP API, and its JSON
// answer reduced to what two servers must agree on (for
// differential_test.cc, which asks Debian's prometheus and kubescrape).
//
// Thread-safety: pure functions (Call does blocking I/O).

#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace kubescrape::testing {

struct Reply {
  int status = 0;    // HTTP status; 0 when the exchange failed
  std::string body;  // de-chunked
};

// One HTTP/1.1 exchange with 127.0.0.1:port (Connection: close). `form` is
// the body of a POST (application/x-www-form-urlencoded).
Reply Call(int port, const std::string& method, const std::string& target,
           const std::string& form = "");

// key=value&... with Go's query escaping.
std::string Form(const std::vector<std::pair<std::string, std::string>>& params);

// A query or metadata answer reduced to what must agree.
struct Answer {
  int http = 0;
  std::string status, error_type, result_type;
  // Series labels ({a="b",...}, sorted) -> points (t, value string); for
  // metadata endpoints the listed names/values/label sets with no points.
  std::map<std::string, std::vector<std::pair<double, std::string>>> series;
  std::set<std::string> warnings;  // `infos` are ignored
  std::string raw;                 // the first 600 bytes, for messages
};

Answer Parse(const Reply& r);

// Empty when the answers agree (status, errorType, HTTP status, result type,
// series, timestamps exactly, values within a relative 1e-9 with NaN == NaN,
// and the warnings when `warnings` is set), else what differs first.
std::string Diff(const Answer& p, const Answer& k, bool warnings);

}  // namespace kubescrape::testing
