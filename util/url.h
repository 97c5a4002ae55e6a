#pragma once
// URL escaping as Go's net/url does it, for the request targets Kubescrape
// builds (scrape URLs with params, Kubernetes API queries with selectors).
//
// Thread-safety: pure functions.

#include <string>
#include <string_view>

namespace kubescrape::util {

// Go's url.QueryEscape: unreserved bytes stay, space becomes '+', others %XX.
void AppendQueryEscaped(std::string* out, std::string_view s);

// Go's URL.EscapedPath for a path set from a label: bytes legal in a path
// stay (including an existing %XX), others are percent-encoded.
void AppendPathEscaped(std::string* out, std::string_view s);

}  // namespace kubescrape::util
