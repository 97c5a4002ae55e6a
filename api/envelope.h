#pragma once
// The Prometheus HTTP API's JSON envelope, written in one place:
//   {"status":"success","data":...[,"warnings":[...]][,"infos":[...]]}
//   {"status":"error","errorType":"bad_data","error":"..."}
// with Prometheus's status codes per error type (respondError).
//
// Thread-safety: pure functions.

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "api/http_types.h"
#include "model/labels.h"

namespace kubescrape::api {

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

enum class ErrorType { kBadData, kExecution, kTimeout, kCanceled, kNotFound, kInternal, kUnavailable };

// "bad_data", "execution", "timeout", "canceled", "not_found", "internal",
// "unavailable".
std::string_view ErrorTypeName(ErrorType t);
// 400, 422, 503, 499, 404, 500, 500 (Prometheus's respondError).
int ErrorTypeStatus(ErrorType t);

struct ApiError {
  ErrorType type = ErrorType::kBadData;
  std::string message;
};

HttpResponse ErrorResponse(const ApiError& error);

// A plain-text answer (the /-/ lifecycle endpoints).
HttpResponse TextResponse(int status, std::string body);

// Writes `data` with `write_data` inside the success envelope.
HttpResponse SuccessResponse(const std::function<void(JsonWriter&)>& write_data,
                             const std::vector<std::string>& warnings = {},
                             const std::vector<std::string>& infos = {});

// Helpers for handlers.
void WriteString(JsonWriter& w, std::string_view s);
void WriteLabels(JsonWriter& w, const model::Labels& labels);  // {"name":"value",...}

}  // namespace kubescrape::api
