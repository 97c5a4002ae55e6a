#include "cmd/scrapectl/query.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <vector>

#include <fmt/format.h>
#include <fmt/ostream.h>

#include "cmd/scrapectl/commands.h"
#include "util/url.h"

namespace kubescrape::scrapectl {
namespace {

using Value = rapidjson::Value;

std::string Metric(const Value& m) {
  std::string name;
  std::vector<std::string> labels;
  for (auto it = m.MemberBegin(); it != m.MemberEnd(); ++it) {
    std::string k = it->name.GetString(), v = it->value.GetString();
    if (k == "__name__") {
      name = v;
    } else {
      labels.push_back(fmt::format("{}=\"{}\"", k, v));
    }
  }
  return name + "{" + fmt::format("{}", fmt::join(labels, ", ")) + "}";
}

std::string Point(const Value& p) {
  // [time, "value"]: the time is a JSON number, printed as the API wrote it.
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  p[0].Accept(w);
  return fmt::format("{} @{}", p[1].GetString(), buf.GetString());
}

void AppendParam(std::string* target, std::string_view key, std::string_view value) {
  if (value.empty()) return;
  target->push_back(target->find('?') == std::string::npos ? '?' : '&');
  target->append(key);
  target->push_back('=');
  util::AppendQueryEscaped(target, value);
}

}  // namespace

int Query(const QueryOptions& o, const HttpGet& get, std::ostream& out, std::ostream& err) {
  if (o.expr.empty()) {
    fmt::print(err, "scrapectl query: an expression is required\n");
    return kExitUsage;
  }
  const bool range = !o.start.empty();
  std::string target = range ? "/api/v1/query_range" : "/api/v1/query";
  AppendParam(&target, "query", o.expr);
  if (range) {
    AppendParam(&target, "start", o.start);
    AppendParam(&target, "end", o.end);
    AppendParam(&target, "step", o.step);
  } else {
    AppendParam(&target, "time", o.time);
  }
  auto body = get(target);
  if (!body.ok()) {
    fmt::print(err, "scrapectl query: {}\n", body.status().message());
    return kExitFailure;
  }
  rapidjson::Document doc;
  doc.Parse(body->c_str());
  if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("status")) {
    fmt::print(err, "scrapectl query: the response is not the API's JSON\n");
    return kExitFailure;
  }
  if (std::string(doc["status"].GetString()) != "success") {
    fmt::print(err, "{}: {}\n", doc["errorType"].GetString(), doc["error"].GetString());
    return kExitFailure;
  }
  if (o.json) {
    fmt::print(out, "{}\n", *body);
    return kExitOk;
  }
  const Value& data = doc["data"];
  const std::string type = data["resultType"].GetString();
  const Value& result = data["result"];
  if (type == "scalar" || type == "string") {
    fmt::print(out, "{}\n", Point(result));
  } else if (type == "vector") {
    for (const Value& s : result.GetArray()) fmt::print(out, "{} => {}\n", Metric(s["metric"]), Point(s["value"]));
  } else {
    for (const Value& s : result.GetArray()) {
      fmt::print(out, "{} =>\n", Metric(s["metric"]));
      for (const Value& p : s["values"].GetArray()) fmt::print(out, "  {}\n", Point(p));
    }
  }
  if (doc.HasMember("warnings")) {
    for (const Value& w : doc["warnings"].GetArray()) fmt::print(err, "warning: {}\n", w.GetString());
  }
  if (doc.HasMember("infos")) {
    for (const Value& i : doc["infos"].GetArray()) fmt::print(err, "info: {}\n", i.GetString());
  }
  return kExitOk;
}

}  // namespace kubescrape::scrapectl
