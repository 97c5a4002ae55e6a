#pragma once
// Kubernetes name and label validation with the API server's messages
// (k8s.io/apimachinery/pkg/util/validation, v1.32 wording). Each function
// returns the list of problems; empty means valid.
//
// Thread-safety: pure functions.

#include <string>
#include <string_view>
#include <vector>

namespace kubescrape::fake_apiserver {

// A label key: [prefix/]name, prefix a DNS subdomain, name <= 63 characters.
std::vector<std::string> QualifiedNameErrors(std::string_view value);
// A label value: empty, or <= 63 characters of [-A-Za-z0-9_.] starting and
// ending alphanumeric.
std::vector<std::string> LabelValueErrors(std::string_view value);
// An RFC 1123 subdomain (object names such as pods).
std::vector<std::string> Dns1123SubdomainErrors(std::string_view value);
// An RFC 1123 label (namespace names).
std::vector<std::string> Dns1123LabelErrors(std::string_view value);

// Go's field.Invalid(path, value, detail).Error():
// `<path>: Invalid value: "<value>": <detail>`.
std::string InvalidValueError(std::string_view path, std::string_view value, std::string_view detail);

// Joins `errors` the way an aggregate error prints: the message alone for
// one, "[a, b]" for several. REQUIRES: !errors.empty().
std::string AggregateError(const std::vector<std::string>& errors);

// Joins with "; " (how validators combine messages of one field).
std::string JoinMessages(const std::vector<std::string>& messages);

}  // namespace kubescrape::fake_apiserver
