#include "test/fake_apiserver/api_status.h"

#include <fmt/format.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace kubescrape::fake_apiserver {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void Key(Writer& w, std::string_view k) { w.Key(k.data(), static_cast<rapidjson::SizeType>(k.size())); }
void Str(Writer& w, std::string_view s) { w.String(s.data(), static_cast<rapidjson::SizeType>(s.size())); }

// {"name":..,"kind":..} in StatusDetails order (name, group, kind, uid,
// causes, retryAfterSeconds); empty strings are omitted as Go does.
std::string Details(std::string_view name, std::string_view group, std::string_view kind) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  if (!name.empty()) Key(w, "name"), Str(w, name);
  if (!group.empty()) Key(w, "group"), Str(w, group);
  if (!kind.empty()) Key(w, "kind"), Str(w, kind);
  w.EndObject();
  return buf.GetString();
}

ApiError Make(int code, std::string reason, std::string message, std::string details = "") {
  ApiError e;
  e.code = code;
  e.reason = std::move(reason);
  e.message = std::move(message);
  e.details = std::move(details);
  return e;
}

}  // namespace

std::string ApiError::StatusJson() const {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  Key(w, "kind"), Str(w, "Status");
  Key(w, "apiVersion"), Str(w, "v1");
  Key(w, "metadata");
  w.StartObject();
  if (!list_continue.empty()) Key(w, "continue"), Str(w, list_continue);
  w.EndObject();
  Key(w, "status"), Str(w, "Failure");
  Key(w, "message"), Str(w, message);
  Key(w, "reason"), Str(w, reason);
  std::string head(buf.GetString(), buf.GetSize());
  // Splice the details object (already JSON) and the code.
  std::string out = head;
  if (!details.empty()) out += ",\"details\":" + details;
  out += fmt::format(",\"code\":{}}}", code);
  return out;
}

ApiResponse ApiError::ToResponse() const {
  ApiResponse r;
  r.code = code;
  r.body = StatusJson();
  return r;
}

util::Status ApiError::ToStatus() const {
  util::StatusCode c = util::StatusCode::kInternal;
  switch (code) {
    case 400: c = util::StatusCode::kInvalidArgument; break;
    case 401: c = util::StatusCode::kFailedPrecondition; break;
    case 404: c = util::StatusCode::kNotFound; break;
    case 409: c = reason == "AlreadyExists" ? util::StatusCode::kAlreadyExists : util::StatusCode::kFailedPrecondition; break;
    case 410: c = util::StatusCode::kOutOfRange; break;
    case 422: c = util::StatusCode::kInvalidArgument; break;
    default: break;
  }
  return util::Status(c, fmt::format("{}: {}", reason, message));
}

ApiError NotFoundError(std::string_view resource, std::string_view name) {
  return Make(404, "NotFound", fmt::format("{} \"{}\" not found", resource, name), Details(name, "", resource));
}

ApiError UnknownPathError() {
  return Make(404, "NotFound", "the server could not find the requested resource", "{}");
}

ApiError AlreadyExistsError(std::string_view resource, std::string_view name) {
  return Make(409, "AlreadyExists", fmt::format("{} \"{}\" already exists", resource, name),
              Details(name, "", resource));
}

ApiError ConflictError(std::string_view resource, std::string_view name, std::string_view detail) {
  return Make(409, "Conflict", fmt::format("Operation cannot be fulfilled on {} \"{}\": {}", resource, name, detail),
              Details(name, "", resource));
}

ApiError BadRequestError(std::string message) { return Make(400, "BadRequest", std::move(message)); }

ApiError ExpiredError(std::string message) { return Make(410, "Expired", std::move(message)); }

ApiError InvalidError(std::string_view kind, std::string_view group, std::string_view name,
                      const std::vector<FieldCause>& causes) {
  std::vector<std::string> parts;
  for (const FieldCause& c : causes) parts.push_back(fmt::format("{}: {}", c.field, c.message));
  std::string joined;
  if (parts.size() == 1) {
    joined = parts[0];
  } else {
    joined = "[";
    for (size_t i = 0; i < parts.size(); ++i) joined += (i > 0 ? ", " : "") + parts[i];
    joined += "]";
  }
  std::string kind_name = group.empty() ? std::string(kind) : fmt::format("{}.{}", kind, group);
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  Key(w, "name"), Str(w, name);
  if (!group.empty()) Key(w, "group"), Str(w, group);
  Key(w, "kind"), Str(w, kind);
  Key(w, "causes");
  w.StartArray();
  for (const FieldCause& c : causes) {
    w.StartObject();
    Key(w, "reason"), Str(w, c.type);
    Key(w, "message"), Str(w, c.message);
    Key(w, "field"), Str(w, c.field);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return Make(422, "Invalid", fmt::format("{} \"{}\" is invalid: {}", kind_name, name, joined), buf.GetString());
}

ApiError UnauthorizedError() { return Make(401, "Unauthorized", "Unauthorized"); }

ApiError MethodNotAllowedError() {
  return Make(405, "MethodNotAllowed", "the server does not allow this method on the requested resource", "{}");
}

ApiError NotAcceptableError() {
  return Make(406, "NotAcceptable", "the server was unable to respond with a content type that the client supports");
}

ApiError UnsupportedMediaTypeError() {
  return Make(415, "UnsupportedMediaType",
              "the body of the request was in an unknown format - accepted media types include: "
              "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, "
              "application/strategic-merge-patch+json");
}

ApiError TooLargeResourceVersionError(uint64_t rv, uint64_t current) {
  return Make(504, "Timeout", fmt::format("Too large resource version: {}, current: {}", rv, current),
              "{\"causes\":[{\"reason\":\"ResourceVersionTooLarge\",\"message\":\"Too large resource "
              "version\"}],\"retryAfterSeconds\":1}");
}

ApiError InternalError(std::string message) { return Make(500, "InternalError", std::move(message)); }

}  // namespace kubescrape::fake_apiserver
