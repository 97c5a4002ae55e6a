#include "test/server/api_answer.h"

#include <fmt/format.h>
#include <rapidjson/document.h>

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <cmath>
#include <cstdlib>

#include "util/url.h"

namespace kubescrape::testing {

namespace asio = boost::asio;

namespace {

std::string LabelKey(const rapidjson::Value& metric) {
  std::vector<std::string> pairs;
  for (const auto& m : metric.GetObject())
    pairs.push_back(fmt::format("{}={:?}", m.name.GetString(), m.value.GetString()));
  std::sort(pairs.begin(), pairs.end());
  return "{" + fmt::format("{}", fmt::join(pairs, ",")) + "}";
}

void AddPoint(const rapidjson::Value& p, std::vector<std::pair<double, std::string>>* out) {
  out->emplace_back(p[0].GetDouble(), p[1].GetString());
}

}  // namespace

Reply Call(int port, const std::string& method, const std::string& target,
           const std::string& form) {
  Reply r;
  asio::io_context ioc;
  asio::ip::tcp::socket s(ioc);
  boost::system::error_code ec;
  s.connect({asio::ip::make_address("127.0.0.1"), static_cast<uint16_t>(port)}, ec);
  if (ec) return r;
  std::string req =
      fmt::format("{} {} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n", method, target);
  if (method == "POST") {
    req += fmt::format("Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n",
                       form.size());
  }
  req += "\r\n" + form;
  asio::write(s, asio::buffer(req), ec);
  if (ec) return r;
  std::string raw;
  char buf[65536];
  for (;;) {
    size_t n = s.read_some(asio::buffer(buf), ec);
    raw.append(buf, n);
    if (ec) break;
  }
  if (raw.size() < 12) return r;
  r.status = std::atoi(raw.c_str() + 9);
  size_t body = raw.find("\r\n\r\n");
  if (body != std::string::npos) r.body = raw.substr(body + 4);
  if (raw.find("Transfer-Encoding: chunked") != std::string::npos ||
      raw.find("transfer-encoding: chunked") != std::string::npos) {
    std::string out;
    size_t pos = 0;
    while (pos < r.body.size()) {
      size_t eol = r.body.find("\r\n", pos);
      if (eol == std::string::npos) break;
      size_t len = std::strtoul(r.body.c_str() + pos, nullptr, 16);
      if (len == 0) break;
      out += r.body.substr(eol + 2, len);
      pos = eol + 2 + len + 2;
    }
    r.body = out;
  }
  return r;
}

std::string Form(const std::vector<std::pair<std::string, std::string>>& params) {
  std::string out;
  for (const auto& [k, v] : params) {
    if (!out.empty()) out += '&';
    util::AppendQueryEscaped(&out, k);
    out += '=';
    util::AppendQueryEscaped(&out, v);
  }
  return out;
}

Answer Parse(const Reply& r) {
  Answer a;
  a.http = r.status;
  a.raw = r.body.substr(0, 600);
  rapidjson::Document d;
  d.Parse(r.body.c_str());
  if (d.HasParseError() || !d.IsObject()) {
    a.status = "unparsable";
    return a;
  }
  a.status = d["status"].GetString();
  if (d.HasMember("errorType")) a.error_type = d["errorType"].GetString();
  if (d.HasMember("warnings")) {
    for (const auto& w : d["warnings"].GetArray()) a.warnings.insert(w.GetString());
  }
  if (a.status != "success") return a;
  const rapidjson::Value& data = d["data"];
  if (!data.IsObject()) {  // metadata endpoints: an array
    for (const auto& e : data.GetArray()) a.series[e.IsString() ? e.GetString() : LabelKey(e)];
    return a;
  }
  a.result_type = data["resultType"].GetString();
  const rapidjson::Value& result = data["result"];
  if (a.result_type == "scalar" || a.result_type == "string") {
    AddPoint(result, &a.series["{}"]);
  } else {
    for (const auto& s : result.GetArray()) {
      auto& points = a.series[LabelKey(s["metric"])];
      if (s.HasMember("value")) AddPoint(s["value"], &points);
      if (s.HasMember("values")) {
        for (const auto& p : s["values"].GetArray()) AddPoint(p, &points);
      }
    }
  }
  return a;
}

static bool SameValue(const std::string& a, const std::string& b) {
  if (a == b) return true;
  double x = std::strtod(a.c_str(), nullptr), y = std::strtod(b.c_str(), nullptr);
  if (std::isnan(x) && std::isnan(y)) return true;
  if (x == y) return true;
  return std::fabs(x - y) <= 1e-9 * std::max(std::fabs(x), std::fabs(y));
}

std::string Diff(const Answer& p, const Answer& k, bool warnings) {
  if (p.status != k.status || p.error_type != k.error_type) {
    return fmt::format("status {}/{} vs {}/{}", p.status, p.error_type, k.status, k.error_type);
  }
  if (p.http != k.http) return fmt::format("http {} vs {}", p.http, k.http);
  if (p.result_type != k.result_type)
    return fmt::format("resultType {} vs {}", p.result_type, k.result_type);
  for (const auto& [labels, points] : p.series) {
    auto it = k.series.find(labels);
    if (it == k.series.end()) return "only prometheus has " + labels;
    if (points.size() != it->second.size()) {
      return fmt::format("{}: {} vs {} points", labels, points.size(), it->second.size());
    }
    for (size_t i = 0; i < points.size(); ++i) {
      if (points[i].first != it->second[i].first ||
          !SameValue(points[i].second, it->second[i].second)) {
        return fmt::format("{}: [{:.3f}, {}] vs [{:.3f}, {}]", labels, points[i].first,
                           points[i].second, it->second[i].first, it->second[i].second);
      }
    }
  }
  for (const auto& [labels, points] : k.series) {
    if (!p.series.contains(labels)) return "only kubescrape has " + labels;
  }
  if (warnings && p.warnings != k.warnings) {
    return fmt::format("warnings [{}] vs [{}]", fmt::join(p.warnings, "; "),
                       fmt::join(k.warnings, "; "));
  }
  return "";
}

}  // namespace kubescrape::testing
