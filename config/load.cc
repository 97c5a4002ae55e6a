#include <fmt/format.h>

#include <map>

#include "config/config.h"
#include "config/load_internal.h"

namespace kubescrape::config {
namespace {

using internal::LoadScrapeJob;

// Top-level sections of prometheus.yml that Kubescrape does not implement.
// They are accepted, so an existing file loads, and reported as warnings.
constexpr std::string_view kIgnoredSections[] = {
    "rule_files", "alerting", "remote_write", "remote_read", "storage", "tracing", "otlp", "runtime",
};

// Prometheus's rule for scrape_config_files patterns: at most one `*`, in the
// last path element.
bool IsValidFilePattern(const std::string& p) {
  size_t star = p.find('*');
  if (star == std::string::npos) return true;
  return p.find('*', star + 1) == std::string::npos && p.find('/', star) == std::string::npos;
}

// Loads the scrape_configs list of `node` into `cfg`, checking job names
// against `seen` (job name -> where it was first defined).
void LoadScrapeList(const Node& list, const std::string& dir, Config* cfg,
                    std::map<std::string, std::string>* seen, ErrorList* errors) {
  auto elements = list.Elements();
  if (!elements.ok()) {
    errors->Add(elements.status());
    return;
  }
  for (const Node& element : *elements) {
    if (element.IsNull()) {
      errors->Add(element.Error("empty or null scrape config section"));
      continue;
    }
    ScrapeJob job;
    job.source_file = element.filename();
    if (!LoadScrapeJob(element, cfg->global, &job, errors, &cfg->warnings)) continue;
    auto [it, inserted] = seen->emplace(job.scrape.job_name, element.filename());
    if (!inserted) {
      std::string msg = fmt::format("found multiple scrape configs with job name \"{}\"", job.scrape.job_name);
      if (it->second != element.filename()) msg += fmt::format(", first found in \"{}\"", it->second);
      errors->Add(element.Error(msg));
      continue;
    }
    internal::SetJobDirectory(&job, dir);
    cfg->scrape_configs.push_back(std::move(job));
  }
}

util::StatusOr<Config> Load(std::string_view content, const std::string& filename, const util::FileSystem& fs) {
  KS_ASSIGN_OR_RETURN(Node root, internal::ParseYaml(content, filename));
  Config cfg;
  cfg.filename = filename;
  KS_ASSIGN_OR_RETURN(MapReader m, MapReader::Open(root));
  ErrorList errors;

  if (auto global = m.Take("global")) errors.Add(internal::LoadGlobal(*global, &cfg.global, &cfg.warnings));
  if (!errors.ok()) return errors.ToStatus();  // every job depends on the global defaults

  const std::string dir = util::DirName(filename);
  cfg.global.query_log_file = util::JoinDir(dir, cfg.global.query_log_file);
  cfg.global.scrape_failure_log_file = util::JoinDir(dir, cfg.global.scrape_failure_log_file);

  std::map<std::string, std::string> seen_jobs;
  if (auto list = m.Take("scrape_configs")) LoadScrapeList(*list, dir, &cfg, &seen_jobs, &errors);

  if (auto files = m.Take("scrape_config_files")) {
    auto patterns = files->AsStringList();
    if (!patterns.ok()) {
      errors.Add(patterns.status());
    } else {
      for (const std::string& pattern : *patterns) {
        if (!IsValidFilePattern(pattern)) {
          errors.Add(files->Error(fmt::format("invalid scrape config file path \"{}\"", pattern)));
          continue;
        }
        auto matches = fs.Glob(util::JoinDir(dir, pattern));
        if (!matches.ok()) {
          errors.Add(files->Error(matches.status().message()));
          continue;
        }
        for (const std::string& path : *matches) {
          auto text = fs.ReadFile(path);
          if (!text.ok()) {
            errors.Add(files->Error(text.status().message()));
            continue;
          }
          auto sub_root = internal::ParseYaml(*text, path);
          if (!sub_root.ok()) {
            errors.Add(sub_root.status());
            continue;
          }
          auto sub = MapReader::Open(*sub_root);
          if (!sub.ok()) {
            errors.Add(sub.status());
            continue;
          }
          if (auto list = sub->Take("scrape_configs")) {
            LoadScrapeList(*list, util::DirName(path), &cfg, &seen_jobs, &errors);
          }
          errors.Add(sub->Finish());
        }
      }
    }
  }

  for (std::string_view section : kIgnoredSections) {
    if (auto node = m.Take(section); node && !node->IsNull()) {
      cfg.warnings.push_back(
          node->Describe(fmt::format("{} is not supported by Kubescrape and is ignored", section)));
    }
  }
  errors.Add(m.Finish());
  if (!errors.ok()) return errors.ToStatus();
  return cfg;
}

}  // namespace

const ScrapeJob* Config::FindJob(std::string_view name) const {
  for (const ScrapeJob& job : scrape_configs) {
    if (job.scrape.job_name == name) return &job;
  }
  return nullptr;
}

util::StatusOr<Config> LoadString(std::string_view content, const std::string& filename,
                                  const util::FileSystem& fs) {
  return Load(content, filename, fs);
}

util::StatusOr<Config> LoadFile(const std::string& path, const util::FileSystem& fs) {
  KS_ASSIGN_OR_RETURN(std::string content, fs.ReadFile(path));
  return Load(content, path, fs);
}

namespace internal {

util::StatusOr<Node> ParseYaml(std::string_view content, const std::string& filename) {
  auto source = std::make_shared<const Source>(Source{filename, std::string(content)});
  try {
    return Node(YAML::Load(source->text), source);
  } catch (const YAML::Exception& e) {
    std::string where = filename;
    if (e.mark.line >= 0) where += fmt::format(":{}:{}", e.mark.line + 1, e.mark.column + 1);
    return util::InvalidArgumentError(fmt::format("{}: invalid YAML: {}", where, e.msg));
  } catch (const std::exception& e) {
    return util::InvalidArgumentError(fmt::format("{}: invalid YAML: {}", filename, e.what()));
  }
}

}  // namespace internal
}  // namespace kubescrape::config
