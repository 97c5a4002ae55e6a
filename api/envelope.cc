#include "api/envelope.h"

namespace kubescrape::api {

std::string_view ErrorTypeName(ErrorType t) {
  switch (t) {
    case ErrorType::kBadData: return "bad_data";
    case ErrorType::kExecution: return "execution";
    case ErrorType::kTimeout: return "timeout";
    case ErrorType::kCanceled: return "canceled";
    case ErrorType::kNotFound: return "not_found";
    case ErrorType::kInternal: return "internal";
    case ErrorType::kUnavailable: return "unavailable";
  }
  return "internal";
}

int ErrorTypeStatus(ErrorType t) {
  switch (t) {
    case ErrorType::kBadData: return 400;
    case ErrorType::kExecution: return 422;
    case ErrorType::kTimeout: return 503;
    case ErrorType::kCanceled: return 499;  // nginx's "client closed request", as Prometheus
    case ErrorType::kNotFound: return 404;
    case ErrorType::kInternal: return 500;
    case ErrorType::kUnavailable: return 500;  // Prometheus's default branch
  }
  return 500;
}

void WriteString(JsonWriter& w, std::string_view s) { w.String(s.data(), static_cast<rapidjson::SizeType>(s.size())); }

void WriteLabels(JsonWriter& w, const model::Labels& labels) {
  w.StartObject();
  for (const model::Label& l : labels) {
    WriteString(w, l.name);
    WriteString(w, l.value);
  }
  w.EndObject();
}

HttpResponse ErrorResponse(const ApiError& error) {
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  w.Key("status");
  w.String("error");
  w.Key("errorType");
  WriteString(w, ErrorTypeName(error.type));
  w.Key("error");
  WriteString(w, error.message);
  w.EndObject();
  HttpResponse r;
  r.status = ErrorTypeStatus(error.type);
  r.body.assign(buf.GetString(), buf.GetSize());
  return r;
}

HttpResponse SuccessResponse(const std::function<void(JsonWriter&)>& write_data,
                             const std::vector<std::string>& warnings, const std::vector<std::string>& infos) {
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  w.Key("status");
  w.String("success");
  w.Key("data");
  write_data(w);
  if (!warnings.empty()) {
    w.Key("warnings");
    w.StartArray();
    for (const std::string& s : warnings) WriteString(w, s);
    w.EndArray();
  }
  if (!infos.empty()) {
    w.Key("infos");
    w.StartArray();
    for (const std::string& s : infos) WriteString(w, s);
    w.EndArray();
  }
  w.EndObject();
  HttpResponse r;
  r.body.assign(buf.GetString(), buf.GetSize());
  return r;
}

HttpResponse TextResponse(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.content_type = "text/plain; charset=utf-8";
  r.body = std::move(body);
  return r;
}

}  // namespace kubescrape::api
