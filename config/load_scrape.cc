#include <fmt/format.h>

#include "config/load_internal.h"
#include "config/relabel_rules.h"
#include "model/label_names.h"

namespace kubescrape::config::internal {
namespace {

// Native-histogram knobs: they cannot change what a float-only store
// scrapes (classic histograms are always kept), so they are accepted.
constexpr std::string_view kHistogramBoolKeys[] = {
    "always_scrape_classic_histograms", "convert_classic_histograms_to_nhcb", "scrape_native_histograms",
    "extra_scrape_metrics",
};

util::Status LoadParams(MapReader& m, std::map<std::string, std::vector<std::string>>* params) {
  auto node = m.Take("params");
  if (!node) return util::Status::Ok();
  KS_ASSIGN_OR_RETURN(MapReader pm, MapReader::Open(*node));
  for (const std::string& key : pm.Keys()) {
    KS_RETURN_IF_ERROR(pm.StringList(key, &(*params)[key]));
  }
  return util::Status::Ok();
}

// Prometheus's checkStaticTargets, applied when a job has no relabel_configs:
// a static target that looks like a URL is a mistake.
util::Status CheckStaticTargets(const ScrapeJob& job, const Node& node) {
  for (const discovery::StaticConfig& sc : job.discovery.static_configs) {
    for (const model::Labels& t : sc.group.targets) {
      std::string_view address = t.Get(model::kAddressLabel);
      if (address.find('/') != std::string_view::npos) {
        return node.Error(fmt::format("\"{}\" is not a valid hostname", address));
      }
    }
  }
  return util::Status::Ok();
}

struct RawScrapeConfig {
  std::optional<model::NameValidationScheme> name_validation;
  std::optional<Node> relabel_configs;
  std::optional<Node> metric_relabel_configs;
  std::optional<Node> scrape_timeout;
  bool convert_to_nhcb = false;
};

// Reads every key of one scrape config mapping into `job` and `raw`.
util::Status ReadScrapeKeys(MapReader& m, ScrapeJob* job, RawScrapeConfig* raw) {
  scraper::ScrapeConfig& c = job->scrape;
  KS_RETURN_IF_ERROR(m.String("job_name", &c.job_name));
  KS_RETURN_IF_ERROR(m.Bool("honor_labels", &c.honor_labels));
  KS_RETURN_IF_ERROR(m.Bool("honor_timestamps", &c.honor_timestamps));
  KS_RETURN_IF_ERROR(m.Bool("track_timestamps_staleness", &c.track_timestamps_staleness));
  KS_RETURN_IF_ERROR(LoadParams(m, &c.params));
  KS_RETURN_IF_ERROR(m.Duration("scrape_interval", &c.scrape_interval));
  raw->scrape_timeout = m.Take("scrape_timeout");
  if (raw->scrape_timeout) {
    KS_ASSIGN_OR_RETURN(c.scrape_timeout, raw->scrape_timeout->AsDuration());
  }
  KS_RETURN_IF_ERROR(LoadProtocols(m, &c.scrape_protocols));
  if (auto fb = m.Take("fallback_scrape_protocol"); fb && !fb->IsNull()) {
    KS_ASSIGN_OR_RETURN(std::string name, fb->AsString());
    c.fallback_scrape_protocol = scraper::ParseScrapeProtocol(name);
    if (!c.fallback_scrape_protocol) {
      return fb->Error(fmt::format(
          "invalid fallback_scrape_protocol for scrape config with job name \"{}\": unknown scrape protocol {}, "
          "supported: {}",
          c.job_name, name, scraper::SupportedScrapeProtocols()));
    }
  }
  KS_RETURN_IF_ERROR(m.String("scrape_failure_log_file", &c.scrape_failure_log_file));
  KS_RETURN_IF_ERROR(m.String("metrics_path", &c.metrics_path));
  KS_RETURN_IF_ERROR(m.String("scheme", &c.scheme));
  KS_RETURN_IF_ERROR(m.Bool("enable_compression", &c.enable_compression));
  KS_RETURN_IF_ERROR(LoadLimits(m, &c.limits));
  c.name_escaping.clear();  // unset: resolved from the validation scheme below
  KS_RETURN_IF_ERROR(LoadNameSchemes(m, &raw->name_validation, &c.name_escaping));
  for (std::string_view key : kHistogramBoolKeys) {
    bool value = false;
    KS_RETURN_IF_ERROR(m.Bool(key, &value));
    if (key == "convert_classic_histograms_to_nhcb") raw->convert_to_nhcb = value;
  }
  uint64_t bucket_limit = 0;
  KS_RETURN_IF_ERROR(m.Uint("native_histogram_bucket_limit", &bucket_limit));
  if (auto f = m.Take("native_histogram_min_bucket_factor")) KS_RETURN_IF_ERROR(f->AsFloat().status());
  KS_RETURN_IF_ERROR(LoadHttpClientConfig(m, &c.http_client));
  KS_RETURN_IF_ERROR(LoadJobDiscovery(m, &job->discovery));
  raw->relabel_configs = m.Take("relabel_configs");
  raw->metric_relabel_configs = m.Take("metric_relabel_configs");
  return m.Finish();
}

// Prometheus's ScrapeConfig.Validate: inherit from global, then check.
util::Status ResolveAgainstGlobal(const Node& node, const GlobalConfig& g, const RawScrapeConfig& raw,
                                  scraper::ScrapeConfig* c) {
  if (c->scrape_interval.count() == 0) c->scrape_interval = g.scrape_interval;
  if (c->scrape_timeout > c->scrape_interval) {
    return (raw.scrape_timeout ? *raw.scrape_timeout : node)
        .Error(fmt::format("scrape timeout greater than scrape interval for scrape config with job name \"{}\"",
                           c->job_name));
  }
  if (c->scrape_timeout.count() == 0) c->scrape_timeout = std::min(g.scrape_timeout, c->scrape_interval);
  scraper::ScrapeLimits& l = c->limits;
  const scraper::ScrapeLimits& gl = g.limits;
  if (l.body_size_limit == 0) l.body_size_limit = gl.body_size_limit;
  if (l.sample_limit == 0) l.sample_limit = gl.sample_limit;
  if (l.target_limit == 0) l.target_limit = gl.target_limit;
  if (l.label_limit == 0) l.label_limit = gl.label_limit;
  if (l.label_name_length_limit == 0) l.label_name_length_limit = gl.label_name_length_limit;
  if (l.label_value_length_limit == 0) l.label_value_length_limit = gl.label_value_length_limit;
  if (l.keep_dropped_targets == 0) l.keep_dropped_targets = gl.keep_dropped_targets;
  // The job's own path is relative to its file; global's is already resolved.
  if (c->scrape_failure_log_file.empty()) {
    c->scrape_failure_log_file = g.scrape_failure_log_file;
  } else {
    c->scrape_failure_log_file = util::JoinDir(util::DirName(node.filename()), c->scrape_failure_log_file);
  }
  if (c->scrape_protocols.empty()) c->scrape_protocols = g.scrape_protocols;
  if (c->scheme != "http" && c->scheme != "https") {
    return node.Error(fmt::format("invalid scheme \"{}\" for scrape config with job name \"{}\" (want http or https)",
                                  c->scheme, c->job_name));
  }
  // Name validation inherits from global; escaping follows validation.
  c->name_validation = raw.name_validation.value_or(g.name_validation);
  if (c->name_escaping.empty()) {
    if (!raw.name_validation.has_value() && !g.name_escaping.empty()) {
      c->name_escaping = g.name_escaping;
    } else {
      c->name_escaping =
          c->name_validation == model::NameValidationScheme::kLegacy ? "underscores" : "allow-utf-8";
    }
  }
  if (c->name_escaping == "allow-utf-8" && c->name_validation != model::NameValidationScheme::kUtf8) {
    return node.Error("utf8 metric names requested but validation scheme is not set to UTF8");
  }
  return util::Status::Ok();
}

}  // namespace

bool LoadScrapeJob(const Node& node, const GlobalConfig& global, ScrapeJob* job, ErrorList* errors,
                   std::vector<std::string>* warnings) {
  auto m = MapReader::Open(node);
  if (!m.ok()) {
    errors->Add(m.status());
    return false;
  }
  RawScrapeConfig raw;
  if (auto s = ReadScrapeKeys(*m, job, &raw); !s.ok()) {
    errors->Add(s);
    return false;
  }
  scraper::ScrapeConfig& c = job->scrape;
  if (c.job_name.empty()) {
    errors->Add(node.Error("job_name is empty"));
    return false;
  }
  if (auto s = ResolveAgainstGlobal(node, global, raw, &c); !s.ok()) {
    errors->Add(s);
    return false;
  }
  if (raw.convert_to_nhcb) {
    warnings->push_back(node.Describe(
        "convert_classic_histograms_to_nhcb is ignored: Kubescrape stores classic histograms as float series"));
  }
  bool ok = true;
  auto load_rules = [&](const std::optional<Node>& list, RuleKind kind, std::vector<relabel::Rule>* out) {
    if (!list) return;
    auto rules = LoadRelabelRules(*list, kind, c.name_validation);
    if (rules.ok()) {
      *out = std::move(rules).value();
    } else {
      errors->Add(rules.status());
      ok = false;
    }
  };
  load_rules(raw.relabel_configs, RuleKind::kTarget, &c.relabel_configs);
  load_rules(raw.metric_relabel_configs, RuleKind::kMetric, &c.metric_relabel_configs);
  if (ok && c.relabel_configs.empty()) {
    if (auto s = CheckStaticTargets(*job, node); !s.ok()) {
      errors->Add(s);
      ok = false;
    }
  }
  return ok;
}

void SetJobDirectory(ScrapeJob* job, const std::string& dir) {
  model::SetHttpClientConfigDirectory(&job->scrape.http_client, dir);
  for (discovery::FileSdConfig& f : job->discovery.file_sd_configs) {
    for (std::string& file : f.files) file = util::JoinDir(dir, file);
  }
  for (discovery::KubernetesSdConfig& k : job->discovery.kubernetes_sd_configs) {
    k.kubeconfig_file = util::JoinDir(dir, k.kubeconfig_file);
    model::SetHttpClientConfigDirectory(&k.http_client, dir);
  }
}

}  // namespace kubescrape::config::internal
