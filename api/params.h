#pragma once
// Params: a request's parameters as Prometheus's handlers read them
// (r.FormValue / r.Form): the URL query and, for POST with
// application/x-www-form-urlencoded, the body, body values first (Go's
// ParseForm puts post-form values before query values).
//
// Thread-safety: immutable after Parse().

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/http_types.h"
#include "util/status.h"

namespace kubescrape::api {

class Params {
 public:
  // Fails (bad_data) on malformed percent-encoding, as Go's ParseForm does.
  static util::StatusOr<Params> Parse(const HttpRequest& request);

  // The first value of `name`, or "" (Go's FormValue).
  std::string_view Get(std::string_view name) const;
  bool Has(std::string_view name) const;
  // Every value of `name`, in order (e.g. match[]).
  std::vector<std::string> GetAll(std::string_view name) const;

 private:
  std::vector<std::pair<std::string, std::string>> values_;
};

// Appends the decoded pairs of an application/x-www-form-urlencoded string.
util::Status ParseFormEncoded(std::string_view text, std::vector<std::pair<std::string, std::string>>* out);

}  // namespace kubescrape::api
