#pragma once
// Status and StatusOr<T>: errors as values.
//
// A Status is either OK or carries a code and a human-readable message. Every
// fallible function in Kubescrape returns one of these instead of throwing;
// exceptions from libraries (yaml-cpp, Boost, RapidJSON) are caught at the
// adapter that calls them and converted here. Both types are [[nodiscard]]:
// a deliberate ignore is spelled `status.IgnoreError()` so it can be found.
//
// Thread-safety: immutable values; safe to share once constructed.

#include <cassert>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace kubescrape::util {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,     // bad input: config, query, request parameter
  kNotFound,            // a file, series or name that does not exist
  kAlreadyExists,
  kFailedPrecondition,  // the system is not in a state to do this
  kOutOfRange,
  kCorruption,          // stored data failed a checksum or format check
  kIoError,             // the operating system refused a read, write or open
  kUnavailable,         // a peer could not be reached; retrying may help
  kDeadlineExceeded,
  kCancelled,
  kResourceExhausted,   // a limit was hit (sample_limit, body_size_limit, ...)
  kUnimplemented,
  kInternal,            // a bug: an invariant did not hold
};

// The lower-case name of a code, e.g. "invalid argument".
std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // "invalid argument: <message>", or "OK".
  std::string ToString() const;

  // Returns a status with the same code and `prefix + ": " + message`.
  // REQUIRES: !ok().
  Status WithPrefix(std::string_view prefix) const;

  // Marks a deliberately ignored status (greppable).
  void IgnoreError() const {}

  friend bool operator==(const Status&, const Status&) = default;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

Status InvalidArgumentError(std::string message);
Status NotFoundError(std::string message);
Status FailedPreconditionError(std::string message);
Status CorruptionError(std::string message);
Status IoError(std::string message);
Status UnavailableError(std::string message);
Status ResourceExhaustedError(std::string message);
Status UnimplementedError(std::string message);
Status InternalError(std::string message);

// Either a value of type T or a non-OK Status.
template <typename T>
class [[nodiscard]] StatusOr {
 public:
  // REQUIRES: !status.ok().
  StatusOr(Status status) : rep_(std::move(status)) {  // NOLINT: implicit by design
    assert(!std::get<Status>(rep_).ok());
  }
  StatusOr(T value) : rep_(std::move(value)) {}  // NOLINT: implicit by design

  bool ok() const { return std::holds_alternative<T>(rep_); }

  // The error, or OK when a value is held.
  Status status() const { return ok() ? Status() : std::get<Status>(rep_); }

  // REQUIRES: ok().
  T& value() & { return std::get<T>(rep_); }
  const T& value() const& { return std::get<T>(rep_); }
  T&& value() && { return std::get<T>(std::move(rep_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<Status, T> rep_;
};

}  // namespace kubescrape::util

// Propagates a non-OK Status from an expression returning Status.
#define KS_RETURN_IF_ERROR(expr)                        \
  do {                                                  \
    ::kubescrape::util::Status ks_status_ = (expr);     \
    if (!ks_status_.ok()) return ks_status_;            \
  } while (0)

#define KS_CONCAT_INNER_(a, b) a##b
#define KS_CONCAT_(a, b) KS_CONCAT_INNER_(a, b)

// `KS_ASSIGN_OR_RETURN(auto x, FunctionReturningStatusOr());`
#define KS_ASSIGN_OR_RETURN(lhs, expr) \
  KS_ASSIGN_OR_RETURN_IMPL_(KS_CONCAT_(ks_statusor_, __LINE__), lhs, expr)
#define KS_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                              \
  if (!tmp.ok()) return tmp.status();             \
  lhs = std::move(tmp).value()
