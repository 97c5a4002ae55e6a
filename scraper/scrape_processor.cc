#include "scraper/scrape_processor.h"

#include <algorithm>
#include <bit>

#include <fmt/format.h>

#include "model/label_names.h"
#include "model/validation.h"
#include "model/value.h"
#include "relabel/process.h"
#include "scraper/protocol.h"
#include "util/utf8.h"

namespace kubescrape::scraper {
namespace {

// The synthetic series, in report order.
constexpr std::string_view kReportNames[] = {
    "up", "scrape_duration_seconds", "scrape_samples_scraped", "scrape_samples_post_metric_relabeling",
    "scrape_series_added",
};
constexpr std::string_view kExportedPrefix = "exported_";

// Go's "%.50s": at most 50 runes... Prometheus truncates bytes of the UTF-8
// string by runes; bytes are close enough for an error message.
std::string_view Truncate50(std::string_view s) { return s.substr(0, std::min<size_t>(s.size(), 50)); }

util::Status CheckLabelLimits(const model::Labels& lset, const ScrapeLimits& limits) {
  std::string_view metric = lset.Get(model::kMetricName);
  if (limits.label_limit > 0 && lset.size() > limits.label_limit) {
    return util::InvalidArgumentError(fmt::format("label_limit exceeded (metric: {}, number of labels: {}, limit: {})",
                                                  Truncate50(metric), lset.size(), limits.label_limit));
  }
  if (limits.label_name_length_limit == 0 && limits.label_value_length_limit == 0) return util::Status::Ok();
  for (const model::Label& l : lset) {
    if (limits.label_name_length_limit > 0 && l.name.size() > limits.label_name_length_limit) {
      return util::InvalidArgumentError(
          fmt::format("label_name_length_limit exceeded (metric: {}, label name: {}, length: {}, limit: {})",
                      Truncate50(metric), Truncate50(l.name), l.name.size(), limits.label_name_length_limit));
    }
    if (limits.label_value_length_limit > 0 && l.value.size() > limits.label_value_length_limit) {
      return util::InvalidArgumentError(fmt::format(
          "label_value_length_limit exceeded (metric: {}, label name: {}, value: {}, length: {}, limit: {})",
          Truncate50(metric), Truncate50(l.name), util::GoQuote(Truncate50(l.value)), l.value.size(),
          limits.label_value_length_limit));
    }
  }
  return util::Status::Ok();
}

void CountAppendError(tsdb::AppendError e, ScrapeReport* report) {
  switch (e) {
    case tsdb::AppendError::kNone: break;
    case tsdb::AppendError::kOutOfOrder: ++report->out_of_order; break;
    case tsdb::AppendError::kOutOfBounds: ++report->out_of_bounds; break;
    case tsdb::AppendError::kDuplicateSample: ++report->duplicate_timestamp; break;
    case tsdb::AppendError::kUnknownRef: break;  // retried with labels, or a stale marker for a gone series
  }
}

// Appends by ref alone: the cache keeps refs, the storage the labels.
const model::Labels& NoLabels() {
  static const model::Labels empty;
  return empty;
}

}  // namespace

bool SameSampleProcessing(const ScrapeConfig& a, const ScrapeConfig& b) {
  if (a.honor_labels != b.honor_labels || a.honor_timestamps != b.honor_timestamps ||
      a.track_timestamps_staleness != b.track_timestamps_staleness || a.name_validation != b.name_validation ||
      a.limits.sample_limit != b.limits.sample_limit || a.limits.label_limit != b.limits.label_limit ||
      a.limits.label_name_length_limit != b.limits.label_name_length_limit ||
      a.limits.label_value_length_limit != b.limits.label_value_length_limit ||
      a.metric_relabel_configs.size() != b.metric_relabel_configs.size()) {
    return false;
  }
  for (size_t i = 0; i < a.metric_relabel_configs.size(); ++i) {
    if (!(a.metric_relabel_configs[i].config() == b.metric_relabel_configs[i].config())) return false;
  }
  return true;
}

ScrapeProcessor::ScrapeProcessor(std::shared_ptr<const ScrapeConfig> config, model::Labels target_series_labels,
                                 tsdb::Storage& storage, const util::Clock& clock)
    : config_(std::move(config)), target_labels_(std::move(target_series_labels)), storage_(storage), clock_(clock) {
  for (std::string_view name : kReportNames) {
    lb_.Reset(target_labels_);
    lb_.Set(model::kMetricName, name);
    report_labels_.push_back(lb_.Build());
  }
  report_refs_.assign(report_labels_.size(), 0);
}

ScrapeReport ScrapeProcessor::Process(util::Clock::TimePoint start, const util::StatusOr<FetchedBody>& fetched) {
  ScrapeReport report;
  report.timestamp_ms = std::chrono::duration_cast<std::chrono::milliseconds>(start.time_since_epoch()).count();
  const int64_t t = report.timestamp_ms;
  std::unique_ptr<tsdb::Appender> app = storage_.NewAppender();
  util::Status error = fetched.status();
  if (error.ok()) {
    error = AppendBody(*fetched, t, *app, &report);
    if (!error.ok()) {
      // Keep nothing of a failed scrape (Prometheus rolls back, then appends
      // an empty scrape for the stale markers).
      app->Rollback();
      app = storage_.NewAppender();
    }
  }
  AppendStaleMarkers(error.ok(), t, *app, &report);
  report.error = error;
  report.duration_seconds = std::chrono::duration<double>(clock_.Now() - start).count();
  AppendReport(*app, t, report);
  if (util::Status s = app->Commit(); !s.ok() && report.error.ok()) report.error = s;
  return report;
}

util::Status ScrapeProcessor::AppendBody(const FetchedBody& fetched, int64_t t, tsdb::Appender& app,
                                         ScrapeReport* report) {
  KS_ASSIGN_OR_RETURN(FormatChoice choice, ChooseFormat(fetched.content_type, config_->fallback_scrape_protocol));
  report->warning = std::move(choice.warning);
  if (fetched.body.empty()) return util::Status::Ok();  // an empty scrape: only staleness
  parser_.Reset(choice.format, fetched.body);
  TextParser& p = parser_;
  const ScrapeConfig& cfg = *config_;
  const uint64_t sample_limit = cfg.limits.sample_limit;
  sample_limit_hit_ = false;
  metadata_.BeginScrape();
  struct EndScrape {
    MetadataTracker& m;
    ~EndScrape() { m.EndScrape(); }
  } end_scrape{metadata_};
  while (true) {
    TextParser::Entry entry = p.Next();
    if (entry == TextParser::Entry::kSeries) {
      // Handled below.
    } else if (entry == TextParser::Entry::kEof) {
      break;
    } else if (entry == TextParser::Entry::kError) {
      return p.error();
    } else {
      if (entry == TextParser::Entry::kType) metadata_.OnType(p.MetricName(), p.Type());
      else if (entry == TextParser::Entry::kHelp) metadata_.OnHelp(p.MetricName(), p.Help());
      else if (entry == TextParser::Entry::kUnit) metadata_.OnUnit(p.MetricName(), p.Unit());
      continue;
    }
    ++report->samples_scraped;
    std::string_view raw = p.Series();
    std::optional<int64_t> ts = p.Timestamp();
    int64_t sample_t = (cfg.honor_timestamps && ts) ? *ts : t;
    bool tracked = !ts || cfg.track_timestamps_staleness;
    double v = p.Value();
    // Let the storage fetch what the series expected shortly will need.
    if (tsdb::SeriesRef far = cache_.PredictedRef(16); far != 0) {
      app.Prefetch(far, tsdb::Appender::PrefetchStage::kFar);
    }
    if (tsdb::SeriesRef near = cache_.PredictedRef(8); near != 0) {
      app.Prefetch(near, tsdb::Appender::PrefetchStage::kNear);
    }
    // Cached series first (the steady state); a raw series is never both
    // cached and dropped.
    ScrapeCache::Entry* e = cache_.Find(raw);
    if (e == nullptr) {
      if (cache_.IsDropped(raw)) continue;
      KS_RETURN_IF_ERROR(AppendNewSeries(p, raw, sample_t, v, tracked, app, report));
      continue;
    }
    if (!cache_.MarkSeen(e) && !ts) {
      ++report->duplicate_timestamp;  // the same series twice in one scrape
      continue;
    }
    ++report->samples_post_relabeling;
    if (sample_limit > 0 && report->samples_post_relabeling > sample_limit) {
      sample_limit_hit_ = true;
      continue;  // keep parsing for an accurate scrape_samples_scraped
    }
    tsdb::AppendResult r = app.Append(e->ref, NoLabels(), sample_t, v);
    if (r.error == tsdb::AppendError::kUnknownRef) {
      // The storage garbage-collected the series (e.g. after hours of failed
      // scrapes): build its labels again, as for a new series.
      model::Labels lset;
      KS_ASSIGN_OR_RETURN(bool kept, SeriesLabels(p, &lset));
      if (!kept) continue;  // not reached: the same rules kept it before
      r = app.Append(0, lset, sample_t, v);
      if (r.ref != 0) e->ref = r.ref;
    }
    if (r.error != tsdb::AppendError::kNone) {
      CountAppendError(r.error, report);
      continue;
    }
    e->ref = r.ref;
    if (tracked) cache_.Track(e);
  }
  if (sample_limit_hit_) return util::ResourceExhaustedError("sample limit exceeded");
  return util::Status::Ok();
}

util::StatusOr<bool> ScrapeProcessor::SeriesLabels(TextParser& p, model::Labels* out) {
  const ScrapeConfig& cfg = *config_;
  parsed_.clear();
  p.Labels(&parsed_);
  std::erase_if(parsed_, [](const model::Label& l) { return l.value.empty(); });
  scraped_ = model::Labels::FromUnsorted(parsed_);
  lb_.Reset(scraped_);  // the builder reads its base in place: keep it alive
  BuildSampleLabels();
  if (!cfg.metric_relabel_configs.empty() && !relabel::Process(cfg.metric_relabel_configs, lb_)) return false;
  model::Labels lset = lb_.Build();
  std::string_view name = lset.Get(model::kMetricName);
  if (name.empty()) return util::InvalidArgumentError("missing metric name (__name__ label)");
  for (const model::Label& l : lset) {
    bool valid = l.name == model::kMetricName ? model::IsValidMetricName(l.value, cfg.name_validation)
                                               : model::IsValidLabelName(l.name, cfg.name_validation);
    if (!valid) {
      return util::InvalidArgumentError(fmt::format("invalid metric name or label names: {}", lset.ToString()));
    }
  }
  KS_RETURN_IF_ERROR(CheckLabelLimits(lset, cfg.limits));
  *out = std::move(lset);
  return true;
}

util::Status ScrapeProcessor::AppendNewSeries(TextParser& p, std::string_view raw, int64_t t, double v, bool tracked,
                                              tsdb::Appender& app, ScrapeReport* report) {
  const ScrapeConfig& cfg = *config_;
  model::Labels lset;
  KS_ASSIGN_OR_RETURN(bool kept, SeriesLabels(p, &lset));
  if (!kept) {
    cache_.AddDropped(raw);
    return util::Status::Ok();
  }
  ++report->samples_post_relabeling;
  const uint64_t sample_limit = cfg.limits.sample_limit;
  if (sample_limit > 0 && report->samples_post_relabeling > sample_limit) {
    sample_limit_hit_ = true;
    return util::Status::Ok();
  }
  tsdb::AppendResult r = app.Append(0, lset, t, v);
  CountAppendError(r.error, report);
  if (r.ref == 0) return util::Status::Ok();
  ScrapeCache::Entry* e = cache_.Add(raw, r.ref);
  cache_.MarkSeen(e);
  if (r.error == tsdb::AppendError::kNone) {
    if (tracked) cache_.Track(e);
    ++report->series_added;
  }
  return util::Status::Ok();
}

// Attaches the target's labels to the scraped set in lb_ (Prometheus's
// mutateSampleLabels): with honor_labels the scraped values win; otherwise
// the target's win and scraped values move to exported_<name>, resolving
// conflicts shortest name first.
void ScrapeProcessor::BuildSampleLabels() {
  if (config_->honor_labels) {
    for (const model::Label& l : target_labels_) {
      if (lb_.Get(l.name).empty()) lb_.Set(l.name, l.value);
    }
    return;
  }
  std::vector<std::pair<std::string, std::string>> conflicts;
  for (const model::Label& l : target_labels_) {
    std::string_view existing = lb_.Get(l.name);
    if (!existing.empty()) conflicts.emplace_back(std::string(l.name), std::string(existing));
    lb_.Set(l.name, l.value);
  }
  if (conflicts.empty()) return;
  std::stable_sort(conflicts.begin(), conflicts.end(),
                   [](const auto& a, const auto& b) { return a.first.size() < b.first.size(); });
  for (const auto& [name, value] : conflicts) {
    std::string exported = name;
    while (true) {
      exported.insert(0, kExportedPrefix);
      if (lb_.Get(exported).empty()) {
        lb_.Set(exported, value);
        break;
      }
    }
  }
}

void ScrapeProcessor::AppendStaleMarkers(bool success, int64_t t, tsdb::Appender& app, ScrapeReport* report) {
  const double stale = model::StaleNaN();
  cache_.EndIteration(success, [&](const ScrapeCache::Entry& e) {
    // Rejections (a newer sample exists) are expected and ignored.
    // An unknown ref (a series the storage already dropped) needs no marker.
    if (app.Append(e.ref, NoLabels(), t, stale).error == tsdb::AppendError::kNone) ++report->stale_markers;
  });
}

void ScrapeProcessor::AppendReport(tsdb::Appender& app, int64_t t, const ScrapeReport& report) {
  const double values[] = {
      report.up() ? 1.0 : 0.0,
      report.duration_seconds,
      static_cast<double>(report.samples_scraped),
      static_cast<double>(report.samples_post_relabeling),
      static_cast<double>(report.series_added),
  };
  for (size_t i = 0; i < report_labels_.size(); ++i) {
    tsdb::AppendResult r = app.Append(report_refs_[i], report_labels_[i], t, values[i]);
    if (r.ref != 0) report_refs_[i] = r.ref;
  }
  reported_ = true;
}

void ScrapeProcessor::MarkAllStale(int64_t t_ms) {
  std::unique_ptr<tsdb::Appender> app = storage_.NewAppender();
  const double stale = model::StaleNaN();
  cache_.ForEachTracked([&](const ScrapeCache::Entry& e) { app->Append(e.ref, NoLabels(), t_ms, stale); });
  if (reported_) {
    for (size_t i = 0; i < report_labels_.size(); ++i) app->Append(report_refs_[i], report_labels_[i], t_ms, stale);
  }
  app->Commit().IgnoreError();  // best effort, as Prometheus's end-of-run markers
}

}  // namespace kubescrape::scraper
