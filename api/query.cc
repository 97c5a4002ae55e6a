#include "api/query.h"

#include <charconv>
#include <chrono>
#include <cmath>
#include <ctime>
#include <optional>
#include <set>
#include <variant>

#include <fmt/format.h>

#include "api/envelope.h"
#include "model/duration.h"
#include "promql/parser.h"
#include "util/utf8.h"

namespace kubescrape::api {
namespace {

// Prometheus's MinTime/MaxTime in milliseconds.
constexpr int64_t kMinTime = -9223309901257974;
constexpr int64_t kMaxTime = 9223309901257974;
constexpr int64_t kMaxPointsPerSeries = 11000;

HttpResponse BadParam(std::string_view name, const util::Status& s) {
  return ErrorResponse({ErrorType::kBadData, fmt::format("invalid parameter \"{}\": {}", name, s.message())});
}

// A vector/matrix point: [ts, "v"].
void WritePoint(JsonWriter& w, int64_t t, double v) {
  w.StartArray();
  std::string ts = MarshalTimestamp(t);
  w.RawValue(ts.data(), ts.size(), rapidjson::kNumberType);
  WriteString(w, MarshalValue(v));
  w.EndArray();
}

// A scalar or string result's time: float64(T)/1000 as encoding/json writes it.
void WriteFloatSeconds(JsonWriter& w, int64_t t) {
  std::string s = promql::FormatFloat(static_cast<double>(t) / 1000.0);
  w.RawValue(s.data(), s.size(), rapidjson::kNumberType);
}

ApiError EngineError(const util::Status& s) {
  switch (s.code()) {
    case util::StatusCode::kInvalidArgument:
      return {ErrorType::kBadData, fmt::format("invalid parameter \"query\": {}", s.message())};
    case util::StatusCode::kDeadlineExceeded: return {ErrorType::kTimeout, s.message()};
    case util::StatusCode::kCancelled: return {ErrorType::kCanceled, s.message()};
    default: return {ErrorType::kExecution, s.message()};
  }
}

// Go's encoding/json float64: shortest round-trip, exponent form below
// 1e-6 and from 1e21 with Go's exponent spelling ("1e-7", "1e+21").
std::string JsonFloat(double f) {
  std::string s = MarshalValue(f);
  const size_t e = s.find('e');
  if (e != std::string::npos && e + 2 < s.size() && s[e + 2] == '0') s.erase(e + 2, 1);
  return s;
}

void WriteJsonFloat(JsonWriter& w, double f) {
  const std::string s = JsonFloat(f);
  w.RawValue(s.data(), s.size(), rapidjson::kNumberType);
}

// What the `stats` parameter asks for and what the handler measured.
struct StatsRequest {
  bool wanted = false;
  bool per_step = false;  // stats=all
  double exec_queue = 0;
  double exec_total = 0;
};

// Prometheus's stats.BuiltinStats (util/stats/query_stats.go).
void WriteStats(JsonWriter& w, const promql::QueryStats& stats, const StatsRequest& req) {
  const promql::QueryTimings& t = stats.timings;
  w.StartObject();
  w.Key("timings");
  w.StartObject();
  for (auto [name, v] : {std::pair{"evalTotalTime", t.eval_total},
                         {"resultSortTime", t.result_sort},
                         {"queryPreparationTime", t.query_preparation},
                         {"innerEvalTime", t.inner_eval},
                         {"execQueueTime", req.exec_queue},
                         {"execTotalTime", req.exec_total}}) {
    w.Key(name);
    WriteJsonFloat(w, v);
  }
  w.EndObject();
  w.Key("samples");
  w.StartObject();
  if (req.per_step) {
    w.Key("totalQueryableSamplesPerStep");
    w.StartArray();
    for (const auto& [ts, n] : stats.samples.per_step) {
      w.StartArray();
      WriteFloatSeconds(w, ts);
      w.Int64(n);
      w.EndArray();
    }
    w.EndArray();
  }
  w.Key("totalQueryableSamples");
  w.Int64(stats.samples.total_queryable_samples);
  w.Key("peakSamples");
  w.Int64(stats.samples.peak_samples);
  w.EndObject();
  w.EndObject();
}

HttpResponse ValueResponse(const promql::Result& r, std::string_view query, const StatsRequest& stats) {
  if (!r.status.ok()) {
    return ErrorResponse(EngineError(r.status));
  }
  std::vector<std::string> warnings = r.annotations.Warnings(query);
  std::vector<std::string> infos = r.annotations.Infos(query);
  return SuccessResponse(
      [&](JsonWriter& w) {
        w.StartObject();
        w.Key("resultType");
        if (const auto* m = std::get_if<promql::Matrix>(&r.value)) {
          w.String("matrix");
          w.Key("result");
          w.StartArray();
          for (const promql::Series& s : *m) {
            w.StartObject();
            w.Key("metric");
            WriteLabels(w, s.metric);
            w.Key("values");
            w.StartArray();
            for (const promql::FPoint& p : s.floats) WritePoint(w, p.t, p.f);
            w.EndArray();
            w.EndObject();
          }
          w.EndArray();
        } else if (const auto* v = std::get_if<promql::Vector>(&r.value)) {
          w.String("vector");
          w.Key("result");
          w.StartArray();
          for (const promql::Sample& s : *v) {
            w.StartObject();
            w.Key("metric");
            WriteLabels(w, s.metric);
            w.Key("value");
            WritePoint(w, s.t, s.f);
            w.EndObject();
          }
          w.EndArray();
        } else if (const auto* sc = std::get_if<promql::Scalar>(&r.value)) {
          w.String("scalar");
          w.Key("result");
          w.StartArray();
          WriteFloatSeconds(w, sc->t);
          WriteString(w, promql::FormatFloat(sc->v));
          w.EndArray();
        } else if (const auto* st = std::get_if<promql::String>(&r.value)) {
          w.String("string");
          w.Key("result");
          w.StartArray();
          WriteFloatSeconds(w, st->t);
          WriteString(w, st->v);
          w.EndArray();
        }
        if (stats.wanted) {
          w.Key("stats");
          WriteStats(w, r.stats, stats);
        }
        w.EndObject();
      },
      warnings, infos);
}

// Runs one query through `run`, with the metrics and stats around it.
template <typename Run>
HttpResponse ExecQuery(const QueryContext& ctx, const Params& params, std::string_view query, bool range,
                       promql::QueryOptions& opts, Run run) {
  StatsRequest stats;
  stats.wanted = !params.Get("stats").empty();
  stats.per_step = params.Get("stats") == "all";
  opts.per_step_stats = stats.per_step;
  const auto start = std::chrono::steady_clock::now();
  promql::Result result;
  {
    EngineMetrics::InFlight in_flight(ctx.metrics);
    result = run();
  }
  stats.exec_queue = ctx.queue_seconds;
  stats.exec_total = ctx.queue_seconds + std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (ctx.metrics != nullptr) ctx.metrics->ObserveQuery(ctx.queue_seconds, result.stats, range);
  return ValueResponse(result, query, stats);
}

// Optional start/end of the metadata endpoints.
util::Status TimeRange(const Params& params, int64_t* start, int64_t* end, HttpResponse* err) {
  *start = kMinTime;
  *end = kMaxTime;
  if (params.Has("start") && !params.Get("start").empty()) {
    auto t = ParseTimeParam(params.Get("start"));
    if (!t.ok()) {
      *err = BadParam("start", t.status());
      return t.status();
    }
    *start = *t;
  }
  if (params.Has("end") && !params.Get("end").empty()) {
    auto t = ParseTimeParam(params.Get("end"));
    if (!t.ok()) {
      *err = BadParam("end", t.status());
      return t.status();
    }
    *end = *t;
  }
  return util::Status::Ok();
}

// Parses every match[]; each must have a matcher that does not match "".
util::StatusOr<std::vector<std::vector<model::Matcher>>> MatchSets(const Params& params) {
  std::vector<std::vector<model::Matcher>> sets;
  for (const std::string& m : params.GetAll("match[]")) {
    KS_ASSIGN_OR_RETURN(std::vector<model::Matcher> set, promql::ParseMetricSelector(m));
    bool non_empty = false;
    for (const model::Matcher& x : set) non_empty |= !x.MatchesEmpty();
    if (!non_empty) return util::InvalidArgumentError("match[] must contain at least one non-empty matcher");
    sets.push_back(std::move(set));
  }
  return sets;
}

util::StatusOr<size_t> LimitParam(const Params& params) {
  if (!params.Has("limit") || params.Get("limit").empty()) return size_t{0};
  std::string_view s = params.Get("limit");
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v < 0) {
    return util::InvalidArgumentError("cannot parse \"" + std::string(s) + "\": must be a non-negative integer");
  }
  return static_cast<size_t>(v);
}

// Writes sorted strings, truncated at `limit` (0: none) with Prometheus's warning.
HttpResponse StringList(std::vector<std::string> values, size_t limit) {
  std::vector<std::string> warnings;
  if (limit > 0 && values.size() > limit) {
    values.resize(limit);
    warnings.push_back("results truncated due to limit");
  }
  return SuccessResponse(
      [&](JsonWriter& w) {
        w.StartArray();
        for (const std::string& v : values) WriteString(w, v);
        w.EndArray();
      },
      warnings);
}

// Go's time.Parse(time.RFC3339Nano, s) for the forms the API sees.
util::StatusOr<int64_t> ParseRfc3339(std::string_view s) {
  std::tm tm{};
  std::string str(s);
  const char* rest = strptime(str.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (rest == nullptr) return util::InvalidArgumentError("");
  int64_t ms = 0;
  if (*rest == '.') {
    ++rest;
    int digits = 0;
    int64_t frac = 0;
    while (*rest >= '0' && *rest <= '9') {
      if (digits < 3) frac = frac * 10 + (*rest - '0');
      ++digits;
      ++rest;
    }
    if (digits == 0) return util::InvalidArgumentError("");
    for (int d = std::min(digits, 3); d < 3; ++d) frac *= 10;
    ms = frac;
  }
  int64_t offset_s = 0;
  if (*rest == 'Z') {
    ++rest;
  } else if (*rest == '+' || *rest == '-') {
    int sign = *rest == '-' ? -1 : 1;
    int hh = 0, mm = 0;
    if (std::sscanf(rest + 1, "%2d:%2d", &hh, &mm) != 2) return util::InvalidArgumentError("");
    offset_s = sign * (hh * 3600 + mm * 60);
    rest += 6;
  } else {
    return util::InvalidArgumentError("");
  }
  if (*rest != '\0') return util::InvalidArgumentError("");
  return (static_cast<int64_t>(timegm(&tm)) - offset_s) * 1000 + ms;
}

// The parsed parameters of /series, /labels and /label/<n>/values, with a
// querier over their time range.
struct MetadataRequest {
  size_t limit = 0;
  std::vector<std::vector<model::Matcher>> sets;
  std::unique_ptr<tsdb::Querier> querier;
};

// Parses start, end, limit and match[]; on a bad parameter, the response.
std::variant<MetadataRequest, HttpResponse> ParseMetadataRequest(const QueryContext& ctx, const Params& params) {
  int64_t start = 0, end = 0;
  HttpResponse err;
  if (!TimeRange(params, &start, &end, &err).ok()) return err;
  auto limit = LimitParam(params);
  if (!limit.ok()) return BadParam("limit", limit.status());
  auto sets = MatchSets(params);
  if (!sets.ok()) return ErrorResponse({ErrorType::kBadData, sets.status().message()});
  auto querier = ctx.storage.NewQuerier(start, end);
  if (!querier.ok()) return ErrorResponse({ErrorType::kInternal, querier.status().message()});
  return MetadataRequest{*limit, *std::move(sets), *std::move(querier)};
}

// Prometheus's model.UnescapeName for names Grafana sends as "U__...":
// "__" is '_', "_HEX_" a code point; other names (and bad escapes) as given.
std::string UnescapeName(std::string_view name) {
  if (!name.starts_with("U__")) return std::string(name);
  std::string out;
  std::string_view s = name.substr(3);
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '_') {
      out += s[i];
      continue;
    }
    if (i + 1 < s.size() && s[i + 1] == '_') {
      out += '_';
      ++i;
      continue;
    }
    size_t close = s.find('_', i + 1);
    if (close == std::string_view::npos) return std::string(name);
    uint32_t cp = 0;
    auto [p, ec] = std::from_chars(s.data() + i + 1, s.data() + close, cp, 16);
    if (ec != std::errc() || p != s.data() + close || cp >= 0x110000) return std::string(name);
    util::AppendRune(&out, static_cast<char32_t>(cp));
    i = close;
  }
  return out;
}

}  // namespace

std::string MarshalTimestamp(int64_t ms) {
  std::string out;
  if (ms < 0) {
    out = "-";
    ms = -ms;
  }
  out += std::to_string(ms / 1000);
  if (ms % 1000 != 0) out += fmt::format(".{:03}", ms % 1000);
  return out;
}

std::string MarshalValue(double f) {
  if (std::isnan(f)) return "NaN";
  if (std::isinf(f)) return f > 0 ? "+Inf" : "-Inf";
  const double a = std::fabs(f);
  char buf[400];
  const bool exp = a != 0 && (a < 1e-6 || a >= 1e21);
  auto res = std::to_chars(buf, buf + sizeof(buf), f, exp ? std::chars_format::scientific : std::chars_format::fixed);
  return std::string(buf, res.ptr);
}

util::StatusOr<int64_t> ParseTimeParam(std::string_view s) {
  double secs = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), secs);
  if (ec == std::errc() && p == s.data() + s.size() && std::isfinite(secs)) {
    double whole = std::trunc(secs);
    double frac = std::round((secs - whole) * 1000) / 1000;
    return static_cast<int64_t>(whole) * 1000 + static_cast<int64_t>(std::llround(frac * 1000));
  }
  if (auto t = ParseRfc3339(s); t.ok()) return *t;
  return util::InvalidArgumentError(fmt::format("cannot parse \"{}\" to a valid timestamp", s));
}

util::StatusOr<int64_t> ParseDurationParam(std::string_view s) {
  double secs = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), secs);
  if (ec == std::errc() && p == s.data() + s.size()) {
    double ms = secs * 1000;
    if (!std::isfinite(ms) || ms > 9.2e18 || ms < -9.2e18) {
      return util::InvalidArgumentError(fmt::format("cannot parse \"{}\" to a valid duration. It overflows int64", s));
    }
    return static_cast<int64_t>(std::llround(ms));
  }
  if (auto d = model::ParseDuration(s); d.ok()) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(*d).count();
  }
  return util::InvalidArgumentError(fmt::format("cannot parse \"{}\" to a valid duration", s));
}

// The optional `timeout` and `lookback_delta` of /query and /query_range;
// on a bad value, the response.
std::optional<HttpResponse> ParseQueryOptions(const Params& params, promql::QueryOptions* opts) {
  for (auto [name, field] : {std::pair{"timeout", &opts->timeout_ms}, {"lookback_delta", &opts->lookback_delta_ms}}) {
    if (!params.Has(name) || params.Get(name).empty()) continue;
    auto d = ParseDurationParam(params.Get(name));
    if (!d.ok()) return BadParam(name, d.status());
    *field = *d;
  }
  return std::nullopt;
}

HttpResponse InstantQuery(const QueryContext& ctx, const Params& params) {
  int64_t t = ctx.now_ms;
  if (params.Has("time") && !params.Get("time").empty()) {
    auto parsed = ParseTimeParam(params.Get("time"));
    if (!parsed.ok()) return BadParam("time", parsed.status());
    t = *parsed;
  }
  promql::QueryOptions opts;
  if (auto err = ParseQueryOptions(params, &opts)) return *err;
  const std::string query(params.Get("query"));
  return ExecQuery(ctx, params, query, false, opts,
                   [&] { return ctx.engine.InstantQuery(ctx.storage, query, t, opts); });
}

HttpResponse RangeQuery(const QueryContext& ctx, const Params& params) {
  auto start = ParseTimeParam(params.Get("start"));
  if (!start.ok()) return BadParam("start", start.status());
  auto end = ParseTimeParam(params.Get("end"));
  if (!end.ok()) return BadParam("end", end.status());
  if (*end < *start) {
    return BadParam("end", util::InvalidArgumentError("end timestamp must not be before start time"));
  }
  auto step = ParseDurationParam(params.Get("step"));
  if (!step.ok()) return BadParam("step", step.status());
  if (*step <= 0) {
    return BadParam("step", util::InvalidArgumentError(
                                "zero or negative query resolution step widths are not accepted. Try a positive "
                                "integer"));
  }
  if ((*end - *start) / *step > kMaxPointsPerSeries) {
    return ErrorResponse({ErrorType::kBadData,
                          "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query "
                          "resolution (?step=XX)"});
  }
  promql::QueryOptions opts;
  if (auto err = ParseQueryOptions(params, &opts)) return *err;
  const std::string query(params.Get("query"));
  return ExecQuery(ctx, params, query, true, opts,
                   [&] { return ctx.engine.RangeQuery(ctx.storage, query, *start, *end, *step, opts); });
}

HttpResponse Series(const QueryContext& ctx, const Params& params) {
  if (params.GetAll("match[]").empty()) {
    return ErrorResponse({ErrorType::kBadData, "no match[] parameter provided"});
  }
  auto req = ParseMetadataRequest(ctx, params);
  if (auto* err = std::get_if<HttpResponse>(&req)) return *err;
  MetadataRequest& r = std::get<MetadataRequest>(req);
  std::set<model::Labels> found;
  for (const auto& set : r.sets) {
    auto ss = r.querier->Select(set);
    while (ss->Next()) found.insert(ss->labels());
    if (!ss->status().ok()) return ErrorResponse({ErrorType::kInternal, ss->status().message()});
  }
  std::vector<std::string> warnings;
  size_t n = found.size();
  if (r.limit > 0 && n > r.limit) {
    n = r.limit;
    warnings.push_back("results truncated due to limit");
  }
  return SuccessResponse(
      [&](JsonWriter& w) {
        w.StartArray();
        size_t i = 0;
        for (const model::Labels& l : found) {
          if (i++ == n) break;
          WriteLabels(w, l);
        }
        w.EndArray();
      },
      warnings);
}

HttpResponse LabelNames(const QueryContext& ctx, const Params& params) {
  auto req = ParseMetadataRequest(ctx, params);
  if (auto* err = std::get_if<HttpResponse>(&req)) return *err;
  MetadataRequest& r = std::get<MetadataRequest>(req);
  std::set<std::string> names;
  if (r.sets.empty()) r.sets.emplace_back();
  for (const auto& set : r.sets) {
    auto got = r.querier->LabelNames(set);
    if (!got.ok()) return ErrorResponse({ErrorType::kInternal, got.status().message()});
    names.insert(got->begin(), got->end());
  }
  return StringList({names.begin(), names.end()}, r.limit);
}

HttpResponse LabelValues(const QueryContext& ctx, const Params& params, std::string_view name) {
  const std::string label = UnescapeName(name);
  auto req = ParseMetadataRequest(ctx, params);
  if (auto* err = std::get_if<HttpResponse>(&req)) return *err;
  MetadataRequest& r = std::get<MetadataRequest>(req);
  std::set<std::string> values;
  if (r.sets.empty()) r.sets.emplace_back();
  for (const auto& set : r.sets) {
    auto got = r.querier->LabelValues(label, set);
    if (!got.ok()) return ErrorResponse({ErrorType::kInternal, got.status().message()});
    values.insert(got->begin(), got->end());
  }
  return StringList({values.begin(), values.end()}, r.limit);
}

HttpResponse FormatQuery(const Params& params) {
  auto expr = promql::ParseExpr(params.Get("query"));
  if (!expr.ok()) {
    return ErrorResponse({ErrorType::kBadData, fmt::format("invalid parameter \"query\": {}", expr.status().message())});
  }
  const std::string text = (*expr)->String();
  return SuccessResponse([&](JsonWriter& w) { WriteString(w, text); });
}

HttpResponse QueryExemplars(const Params&) {
  return SuccessResponse([](JsonWriter& w) {
    w.StartArray();
    w.EndArray();
  });
}

}  // namespace kubescrape::api
