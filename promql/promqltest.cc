// Running PromQL test scripts (promqltest/test.go's exec and compare).
#include "promql/promqltest.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <regex>
#include <set>

#include "model/label_names.h"
#include "model/value.h"
#include "promql/functions.h"
#include "promql/promqltest_internal.h"
#include "tsdb/memory_storage.h"

namespace kubescrape::promql {
namespace {

using testscript::EvalCmd;
using testscript::LoadCmd;
using testscript::SpecialSeries;
using testscript::kSkipExperimentalSyntax;
using testscript::kSkipNativeHistograms;

constexpr double kEpsilon = 0.000001;

std::string Fmt(double v) { return FormatFloat(v); }

// Selectors in `e` (for deciding whether an eval touches unsupported series).
void CollectSelectors(Expr& e, std::vector<const VectorSelector*>* out) {
  Inspect(e, [&](Expr& n, const std::vector<Expr*>&) {
    if (n.kind == NodeKind::kVectorSelector) out->push_back(&As<VectorSelector>(n));
  });
}

bool Selects(const VectorSelector& vs, const model::Labels& l) {
  for (const model::Matcher& m : vs.matchers) {
    if (!m.Matches(l.Get(m.name()))) return false;
  }
  return true;
}

// The expression with `@ ts` on every selector and subquery that has none
// (test.go's atModifierTestCases). Empty when it uses a function whose value
// depends on the evaluation time.
std::string WithAtModifier(const std::string& expr, int64_t ts) {
  auto parsed = ParseExpr(expr);
  if (!parsed.ok()) return "";
  static const std::set<std::string_view> kUnsafe = {
      "days_in_month", "day_of_month", "day_of_week", "day_of_year", "hour", "minute", "month", "year",
      "predict_linear", "time", "timestamp", "start", "end", "step", "range"};
  bool unsafe = false;
  Inspect(**parsed, [&](Expr& n, const std::vector<Expr*>& path) {
    for (Expr* p : path) {
      if (p->kind == NodeKind::kSubquery && As<SubqueryExpr>(*p).timestamp) return;
    }
    switch (n.kind) {
      case NodeKind::kVectorSelector:
        if (!As<VectorSelector>(n).timestamp) As<VectorSelector>(n).timestamp = ts;
        break;
      case NodeKind::kSubquery:
        if (!As<SubqueryExpr>(n).timestamp) As<SubqueryExpr>(n).timestamp = ts;
        break;
      case NodeKind::kCall:
        if (kUnsafe.count(As<Call>(n).func->name)) unsafe = true;
        break;
      default: break;
    }
  });
  return unsafe ? "" : (*parsed)->String();
}

class Runner {
 public:
  explicit Runner(const ScriptOptions& o) : options_(o), engine_(o.engine) { Clear(); }

  void Clear() {
    storage_ = std::make_unique<tsdb::MemoryStorage>();
    special_.clear();
  }

  void Load(const LoadCmd& cmd) {
    // A series defined twice in one load keeps its last definition.
    std::map<model::Labels, const testscript::SeriesDesc*> last;
    for (const testscript::SeriesDesc& s : cmd.series) last[s.labels] = &s;
    std::unique_ptr<tsdb::Appender> app = storage_->NewAppender();
    for (const testscript::SeriesDesc& s : cmd.series) {
      if (s.histogram || last[s.labels] != &s) continue;
      for (size_t i = 0; i < s.values.size(); ++i) {
        if (s.values[i].omitted) continue;
        app->Append(0, s.labels, static_cast<int64_t>(i) * cmd.step_ms, s.values[i].v);
      }
      if (cmd.with_nhcb) AddNhcbSeries(s.labels);
    }
    app->Commit().IgnoreError();
    for (const SpecialSeries& l : cmd.special) special_.push_back(l);
  }

  void Eval(const EvalCmd& cmd, ScriptResult* result) {
    if (!cmd.parse_error.empty()) {
      if (cmd.experimental_syntax) {
        Skip(kSkipExperimentalSyntax, result);
      } else {
        Fail(cmd, "parse error: " + cmd.parse_error, result);
      }
      return;
    }
    if (cmd.histogram_expected) {
      Skip(kSkipNativeHistograms, result);
      return;
    }
    if (std::string_view reason = SpecialSeriesReason(cmd.expr); !reason.empty()) {
      Skip(reason, result);
      return;
    }
    std::string err = cmd.is_range ? RunRange(cmd) : RunInstant(cmd);
    if (err.empty()) {
      ++result->passed;
    } else {
      Fail(cmd, err, result);
    }
  }

 private:
  static void Skip(std::string_view reason, ScriptResult* result) {
    ++result->skipped;
    ++result->skip_reasons[std::string(reason)];
  }

  static void Fail(const EvalCmd& cmd, std::string msg, ScriptResult* result) {
    ++result->failed;
    result->failures.push_back(EvalFailure{cmd.line, cmd.expr, std::move(msg)});
  }

  // load_with_nhcb also writes native histograms made of the classic
  // _bucket/_count/_sum series; evals on those are skipped.
  void AddNhcbSeries(const model::Labels& l) {
    std::string_view name = l.Get(model::kMetricName);
    for (std::string_view suffix : {"_bucket", "_count", "_sum"}) {
      if (!name.ends_with(suffix)) continue;
      std::vector<model::Label> kept;
      std::string base(name.substr(0, name.size() - suffix.size()));
      for (const model::Label& x : l) {
        if (x.name == model::kBucketLabel || x.name == model::kMetricName) continue;
        kept.push_back(x);
      }
      kept.push_back({model::kMetricName, base});
      special_.push_back({model::Labels::FromUnsorted(std::move(kept)), kSkipNativeHistograms});
      return;
    }
  }

  // The skip reason of the first unsupported series `expr` selects, or "".
  std::string_view SpecialSeriesReason(const std::string& expr) {
    if (special_.empty()) return {};
    auto parsed = ParseExpr(expr);
    if (!parsed.ok()) return {};
    std::vector<const VectorSelector*> selectors;
    CollectSelectors(**parsed, &selectors);
    for (const VectorSelector* vs : selectors) {
      for (const SpecialSeries& s : special_) {
        if (Selects(*vs, s.labels)) return s.reason;
      }
    }
    return {};
  }

  std::string CheckFailure(const EvalCmd& cmd, const util::Status& st) {
    const std::string& msg = st.message();
    if (!cmd.expected_fail_message.empty() && cmd.expected_fail_message != msg) {
      return fmt::format("expected error \"{}\" but got: {}", cmd.expected_fail_message, msg);
    }
    if (cmd.expected_fail_regexp && !cmd.expected_fail_regexp->FullMatch(msg)) {
      return fmt::format("expected error matching pattern {} but got: {}", cmd.expected_fail_regexp->pattern(), msg);
    }
    if (!cmd.expect_fail.empty() && !cmd.expect_fail[0].Matches(msg)) {
      return fmt::format("expected error matching \"{}\" but got: {}",
                         cmd.expect_fail[0].regex ? cmd.expect_fail[0].regex->pattern() : cmd.expect_fail[0].message,
                         msg);
    }
    return "";
  }

  // An annotation without its " (line:col)" suffix: newer Prometheus test
  // files expect annotation messages without positions.
  static std::string_view WithoutPosition(std::string_view a) {
    static const std::regex kPos(R"( \(\d+:\d+\)$)");
    std::match_results<std::string_view::const_iterator> m;
    if (!std::regex_search(a.begin(), a.end(), m, kPos)) return a;
    return a.substr(0, static_cast<size_t>(m.position(0)));
  }

  static bool AnnotationMatches(const testscript::AnnotationExpectation& e, std::string_view a) {
    return e.Matches(a) || (!e.regex && e.Matches(WithoutPosition(a)));
  }

  static std::string CheckAnnotationsOfType(const std::vector<testscript::AnnotationExpectation>& expected,
                                            const std::vector<std::string>& actual, std::string_view kind) {
    if (expected.empty()) return "";
    if (actual.empty()) return fmt::format("expected {} annotations but none were found", kind);
    for (const auto& e : expected) {
      bool found = std::any_of(actual.begin(), actual.end(), [&](const std::string& a) { return AnnotationMatches(e, a); });
      if (!found) {
        return fmt::format("expected {} annotation matching \"{}\" but no matching annotation was found, found: [{}]",
                           kind, e.regex ? e.regex->pattern() : e.message, fmt::join(actual, "; "));
      }
    }
    for (const std::string& a : actual) {
      bool found = std::any_of(expected.begin(), expected.end(), [&](const auto& e) { return AnnotationMatches(e, a); });
      if (!found) return fmt::format("unexpected {} annotation \"{}\"", kind, a);
    }
    return "";
  }

  std::string CheckAnnotations(const EvalCmd& cmd, const std::string& query, const Annotations& annos) {
    std::vector<std::string> warnings = annos.Warnings(query), infos = annos.Infos(query);
    if (cmd.warn && warnings.empty()) return "expected warnings but got none";
    if (cmd.info && infos.empty()) return "expected info annotations but got none";
    if (std::string e = CheckAnnotationsOfType(cmd.expect_warn, warnings, "warn"); !e.empty()) return e;
    if (std::string e = CheckAnnotationsOfType(cmd.expect_info, infos, "info"); !e.empty()) return e;
    if (cmd.no_warn && !warnings.empty()) return fmt::format("unexpected warning annotations: [{}]", fmt::join(warnings, "; "));
    if (cmd.no_info && !infos.empty()) return fmt::format("unexpected info annotations: [{}]", fmt::join(infos, "; "));
    return "";
  }

  std::string CompareMatrix(const EvalCmd& cmd, const Matrix& m) {
    if (cmd.ordered) return "expected ordered result, but query returned a matrix";
    if (cmd.expect_scalar) return "expected scalar result, but got a matrix";
    for (size_t i = 1; i < m.size(); ++i) {
      if (m[i].metric < m[i - 1].metric) return "matrix results should always be sorted by labels";
    }
    std::set<model::Labels> seen;
    for (const Series& s : m) {
      auto it = cmd.expected.find(s.metric);
      if (it == cmd.expected.end()) return fmt::format("unexpected metric {} in result", s.metric.ToString());
      seen.insert(s.metric);
      std::vector<FPoint> want;
      for (size_t i = 0; i < it->second.values.size(); ++i) {
        const int64_t t = cmd.start + static_cast<int64_t>(i) * cmd.step;
        if (t > cmd.end) return "expected more points than the query time range can return";
        if (!it->second.values[i].omitted) want.push_back({t, it->second.values[i].v});
      }
      if (want.size() != s.floats.size()) {
        return fmt::format("expected {} points for {}, but got {}", want.size(), s.metric.ToString(), s.floats.size());
      }
      for (size_t i = 0; i < want.size(); ++i) {
        if (want[i].t != s.floats[i].t) {
          return fmt::format("expected timestamp {} at index {} for {}, but got {}", want[i].t, i, s.metric.ToString(),
                             s.floats[i].t);
        }
        if (!AlmostEqual(s.floats[i].f, want[i].f, kEpsilon)) {
          return fmt::format("expected {} at t={} for {}, but got {}", Fmt(want[i].f), want[i].t, s.metric.ToString(),
                             Fmt(s.floats[i].f));
        }
      }
    }
    for (const auto& [labels, e] : cmd.expected) {
      if (!seen.count(labels)) return fmt::format("expected metric {} not found", labels.ToString());
    }
    return "";
  }

  std::string CompareVector(const EvalCmd& cmd, const Vector& v) {
    if (cmd.expect_scalar) return "expected scalar result, but got a vector";
    std::set<model::Labels> seen;
    for (size_t pos = 0; pos < v.size(); ++pos) {
      auto it = cmd.expected.find(v[pos].metric);
      if (it == cmd.expected.end()) {
        return fmt::format("unexpected metric {} in result, has value {}", v[pos].metric.ToString(), Fmt(v[pos].f));
      }
      if (cmd.ordered && it->second.pos != static_cast<int>(pos) + 1) {
        return fmt::format("expected metric {} at position {} but was at {}", v[pos].metric.ToString(), it->second.pos,
                           pos + 1);
      }
      const double want = it->second.values.empty() ? 0 : it->second.values[0].v;
      if (!AlmostEqual(want, v[pos].f, kEpsilon)) {
        return fmt::format("expected {} for {} but got {}", Fmt(want), v[pos].metric.ToString(), Fmt(v[pos].f));
      }
      seen.insert(v[pos].metric);
    }
    for (const auto& [labels, e] : cmd.expected) {
      if (!seen.count(labels)) return fmt::format("expected metric {} not found", labels.ToString());
    }
    return "";
  }

  std::string Compare(const EvalCmd& cmd, const Value& value) {
    if (const auto* m = std::get_if<Matrix>(&value)) return CompareMatrix(cmd, *m);
    if (const auto* v = std::get_if<Vector>(&value)) return CompareVector(cmd, *v);
    if (const auto* s = std::get_if<Scalar>(&value)) {
      if (!cmd.expect_scalar) return fmt::format("expected vector or matrix result, but got scalar {}", Fmt(s->v));
      if (!AlmostEqual(cmd.scalar, s->v, kEpsilon)) {
        return fmt::format("expected scalar {} but got {}", Fmt(cmd.scalar), Fmt(s->v));
      }
      return "";
    }
    const auto& str = std::get<String>(value);
    if (cmd.expected_string.value_or("") != str.v) {
      return fmt::format("expected string \"{}\" but got \"{}\"", cmd.expected_string.value_or(""), str.v);
    }
    return "";
  }

  bool IsFail(const EvalCmd& cmd) const { return cmd.fail || !cmd.expect_fail.empty(); }

  std::string RunRange(const EvalCmd& cmd) {
    Result r = engine_.RangeQuery(*storage_, cmd.expr, cmd.start, cmd.end, cmd.step);
    if (!r.status.ok()) {
      if (IsFail(cmd)) return CheckFailure(cmd, r.status);
      return "error evaluating query: " + r.status.message();
    }
    if (IsFail(cmd)) return "expected error evaluating query but got none";
    if (std::string e = CheckAnnotations(cmd, cmd.expr, r.annotations); !e.empty()) return e;
    return Compare(cmd, r.value);
  }

  std::string RunInstant(const EvalCmd& cmd) {
    std::vector<std::pair<std::string, int64_t>> queries = {{cmd.expr, cmd.eval_time}};
    if (options_.extra_checks) {
      std::string at = WithAtModifier(cmd.expr, cmd.eval_time);
      if (!at.empty()) {
        const int64_t ts = cmd.eval_time;
        std::vector<int64_t> times = ts == 0 ? std::vector<int64_t>{-1000, 0, 1000}
                                             : std::vector<int64_t>{-10 * ts, 0, ts / 5, ts, 10 * ts};
        for (int64_t t : times) queries.emplace_back(at, t);
      }
    }
    for (const auto& [query, t] : queries) {
      if (std::string e = RunInstantQuery(cmd, query, t); !e.empty()) {
        return query == cmd.expr && t == cmd.eval_time ? e : fmt::format("{} (for \"{}\" at {})", e, query, t);
      }
    }
    return "";
  }

  std::string RunInstantQuery(const EvalCmd& cmd, const std::string& query, int64_t t) {
    Result r = engine_.InstantQuery(*storage_, query, t);
    if (!r.status.ok()) {
      if (IsFail(cmd)) return CheckFailure(cmd, r.status);
      return "error evaluating query: " + r.status.message();
    }
    if (IsFail(cmd)) return "expected error evaluating query but got none";
    if (std::string e = CheckAnnotations(cmd, query, r.annotations); !e.empty()) return e;
    if (std::string e = Compare(cmd, r.value); !e.empty()) return e;
    if (!options_.extra_checks || cmd.exclude_from_range_query) return "";
    for (std::string_view f : {"start()", "end()", "range()", "step()"}) {
      if (query.find(f) != std::string::npos) return "";
    }
    Result rr = engine_.RangeQuery(*storage_, query, t - 60000, t + 60000, 60000);
    if (!rr.status.ok()) return "error evaluating query in range mode: " + rr.status.message();
    if (cmd.ordered) return "";
    const Matrix& m = std::get<Matrix>(rr.value);
    for (size_t i = 1; i < m.size(); ++i) {
      if (m[i].metric < m[i - 1].metric) return "range mode: matrix results should always be sorted by labels";
    }
    Vector vec;
    for (const Series& s : m) {
      for (const FPoint& p : s.floats) {
        if (p.t == t) vec.push_back(Sample{s.metric, p.t, p.f});
      }
    }
    std::string e;
    if (std::holds_alternative<Scalar>(r.value)) {
      e = vec.empty() ? "range mode: no scalar value" : Compare(cmd, Value(Scalar{t, vec[0].f}));
    } else {
      e = Compare(cmd, Value(vec));
    }
    return e.empty() ? "" : "range mode: " + e;
  }

  const ScriptOptions& options_;
  Engine engine_;
  std::unique_ptr<tsdb::MemoryStorage> storage_;
  std::vector<SpecialSeries> special_;
};

}  // namespace

EngineOptions ScriptOptions::TestEngineOptions() {
  EngineOptions o;
  o.lookback_delta_ms = 5 * 60 * 1000;
  o.max_samples = 10000;
  o.timeout_ms = 100 * 1000;
  o.no_step_subquery_interval_ms = 60 * 1000;
  o.delayed_name_removal = true;
  o.parse.enable_experimental_functions = true;
  return o;
}

bool AlmostEqual(double a, double b, double epsilon) {
  if (model::IsStaleNaN(a) || model::IsStaleNaN(b)) return model::IsStaleNaN(a) && model::IsStaleNaN(b);
  if (std::isnan(a) && std::isnan(b)) return true;
  if (a == b) return true;
  const double min_normal = 2.2250738585072014e-308;
  const double abs_sum = std::fabs(a) + std::fabs(b);
  const double diff = std::fabs(a - b);
  if (a == 0 || b == 0 || abs_sum < min_normal) return diff < epsilon * min_normal;
  return diff / std::min(abs_sum, 1.7976931348623157e308) < epsilon;
}

util::StatusOr<ScriptResult> RunScript(std::string_view script, const ScriptOptions& options) {
  KS_ASSIGN_OR_RETURN(std::vector<testscript::Command> cmds, testscript::ParseScript(script));
  ScriptResult result;
  Runner runner(options);
  for (const testscript::Command& c : cmds) {
    if (std::holds_alternative<testscript::ClearCmd>(c)) {
      runner.Clear();
    } else if (const auto* load = std::get_if<LoadCmd>(&c)) {
      runner.Load(*load);
    } else {
      runner.Eval(std::get<EvalCmd>(c), &result);
    }
  }
  return result;
}

}  // namespace kubescrape::promql
