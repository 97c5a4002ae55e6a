#pragma once
// Standard base64 (RFC 4648 §4, with padding), as HTTP Basic auth and
// Kubernetes' `*-data` fields use it.
//
// Thread-safety: pure functions.

#include <string>
#include <string_view>

#include "util/status.h"

namespace kubescrape::util {

std::string Base64Encode(std::string_view in);

// Decodes padded standard base64; ASCII whitespace is ignored (kubeconfig
// values are sometimes wrapped). InvalidArgument on other characters or bad
// padding.
StatusOr<std::string> Base64Decode(std::string_view in);

}  // namespace kubescrape::util
