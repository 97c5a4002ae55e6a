#pragma once
// HTTP responses of the fake API server and its errors: an ApiError is the
// `Status` object (kind Status, apiVersion v1, status Failure, message,
// reason, details, code) the API server answers a failed request with, and
// the constructors below produce the messages and details the real server
// uses for each case (`pods "x" not found`, 409 AlreadyExists, 410 Expired,
// 422 Invalid, ...).
//
// Thread-safety: values.

#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "util/status.h"

namespace kubescrape::fake_apiserver {

struct ApiResponse {
  int code = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers
};

struct ApiError {
  int code = 500;
  std::string reason;   // "NotFound", "Expired", ...
  std::string message;
  std::string details;  // a JSON object, or "" for none
  std::string list_continue;  // metadata.continue of the Status (410 on a continue token)

  // The Status object as JSON.
  std::string StatusJson() const;
  ApiResponse ToResponse() const;
  // For the C++ API: a util::Status carrying "<reason>: <message>".
  util::Status ToStatus() const;
};

// A value or the ApiError to answer with.
template <typename T>
class [[nodiscard]] ApiOr {
 public:
  ApiOr(ApiError error) : rep_(std::move(error)) {}  // NOLINT: implicit by design
  ApiOr(T value) : rep_(std::move(value)) {}         // NOLINT: implicit by design
  bool ok() const { return std::holds_alternative<T>(rep_); }
  // REQUIRES: !ok().
  const ApiError& error() const { return std::get<ApiError>(rep_); }
  // REQUIRES: ok().
  T& value() { return std::get<T>(rep_); }
  const T& value() const { return std::get<T>(rep_); }
  T& operator*() { return value(); }
  T* operator->() { return &value(); }

 private:
  std::variant<T, ApiError> rep_;
};

// `<resource> "<name>" not found` (404), e.g. resource "pods".
ApiError NotFoundError(std::string_view resource, std::string_view name);
// 404 "the server could not find the requested resource".
ApiError UnknownPathError();
// `<resource> "<name>" already exists` (409).
ApiError AlreadyExistsError(std::string_view resource, std::string_view name);
// `Operation cannot be fulfilled on <resource> "<name>": <detail>` (409).
ApiError ConflictError(std::string_view resource, std::string_view name, std::string_view detail);
// 400 BadRequest with `message`.
ApiError BadRequestError(std::string message);
// 410 Expired with `message`.
ApiError ExpiredError(std::string message);
// `<Kind> "<name>" is invalid: <field>: <error>` (422); `causes` are
// {field, message} pairs where message is the field error without its path.
struct FieldCause {
  std::string field;
  std::string type;     // "FieldValueInvalid", "FieldValueRequired", "FieldValueForbidden"
  std::string message;  // e.g. `Invalid value: "x": must be ...`
};
ApiError InvalidError(std::string_view kind, std::string_view group, std::string_view name,
                      const std::vector<FieldCause>& causes);
// 401 Unauthorized.
ApiError UnauthorizedError();
// 405 MethodNotAllowed.
ApiError MethodNotAllowedError();
// 406 NotAcceptable.
ApiError NotAcceptableError();
// 415 UnsupportedMediaType (a PATCH body type the server does not take).
ApiError UnsupportedMediaTypeError();
// 504 Timeout: "Too large resource version: <rv>, current: <current>".
ApiError TooLargeResourceVersionError(uint64_t rv, uint64_t current);
// 500 InternalError.
ApiError InternalError(std::string message);

}  // namespace kubescrape::fake_apiserver
