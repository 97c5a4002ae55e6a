#pragma once
// An HTTP request as the fake API server's handlers see it (the socket shell
// fills one in), plus the pure parsing the handlers need: the query string
// with Go's url.ParseQuery rules, list/watch options with the API server's
// validation, continue tokens, and Accept negotiation.
//
// Thread-safety: values and pure functions.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "test/fake_apiserver/api_status.h"

namespace kubescrape::fake_apiserver {

struct ApiRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // path and query, e.g. "/api/v1/pods?watch=1"
  std::string authorization;
  std::string accept;
  std::string content_type;
  std::string body;
};

// name -> values, as Go's url.ParseQuery decodes them ('+' is a space,
// %XX escapes; pairs that fail to decode are dropped).
using QueryMap = std::map<std::string, std::vector<std::string>, std::less<>>;
QueryMap ParseQuery(std::string_view query);

// The path's percent-decoded segments, without empty ones.
std::vector<std::string> SplitPath(std::string_view path);

// metav1.ListOptions as the API server decodes and validates them.
struct ListOptions {
  std::string label_selector;
  std::string field_selector;
  bool watch = false;
  bool allow_watch_bookmarks = false;
  std::string resource_version;        // "" when unset
  std::string resource_version_match;  // "", "Exact", "NotOlderThan"
  std::optional<int64_t> timeout_seconds;
  int64_t limit = 0;
  std::string continue_token;
  std::optional<bool> send_initial_events;
};

// Decodes and validates the options (400 for undecodable values, 422
// `ListOptions.meta.k8s.io "" is invalid: ...` for forbidden combinations).
ApiOr<ListOptions> ParseListOptions(const QueryMap& query);

// A parsed resourceVersion parameter: InvalidArgument-style 400 for text
// that is not an unsigned integer.
ApiOr<uint64_t> ParseResourceVersion(std::string_view rv);

// Continue tokens: base64url (no padding) of
// {"v":"meta.k8s.io/v1","rv":<rv>,"start":"<key after the prefix>"}.
struct ContinueToken {
  int64_t resource_version = 0;  // -1: continue at the newest version
  std::string start;             // relative key to start at (inclusive)
};
std::string EncodeContinue(const ContinueToken& token);
// 400 "invalid continue token: ..." on a malformed token.
ApiOr<ContinueToken> DecodeContinue(std::string_view token);

// What the client accepts: JSON objects, or meta.k8s.io Tables.
enum class OutputFormat { kJson, kTable };
// The first acceptable media range of `accept` wins; 406 when none is.
ApiOr<OutputFormat> NegotiateFormat(std::string_view accept);

// The Content-Type of a Table response.
inline constexpr std::string_view kTableContentType = "application/json;as=Table;v=v1;g=meta.k8s.io";

}  // namespace kubescrape::fake_apiserver
