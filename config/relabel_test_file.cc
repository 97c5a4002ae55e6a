#include "config/relabel_test_file.h"

#include <fmt/format.h>

#include <map>

#include "config/config.h"
#include "config/load_internal.h"
#include "config/relabel_rules.h"

namespace kubescrape::config {
namespace {

// Label maps in tests keep empty values out, as everywhere else.
util::StatusOr<model::Labels> LoadTestLabels(const Node& node) {
  return internal::LoadLabelMap(node, model::NameValidationScheme::kUtf8, /*expand_env=*/false);
}

class ConfigCache {
 public:
  explicit ConfigCache(const util::FileSystem& fs) : fs_(fs) {}
  const util::StatusOr<Config>& Get(const std::string& path) {
    auto it = cache_.find(path);
    if (it == cache_.end()) it = cache_.emplace(path, LoadFile(path, fs_)).first;
    return it->second;
  }

 private:
  const util::FileSystem& fs_;
  std::map<std::string, util::StatusOr<Config>> cache_;
};

util::Status LoadTest(const Node& node, ConfigCache& configs, RelabelTestCase* t) {
  KS_ASSIGN_OR_RETURN(MapReader m, MapReader::Open(node));
  Position p = node.position();
  t->location = fmt::format("{}:{}:{}", node.filename(), p.line, p.column);
  KS_RETURN_IF_ERROR(m.String("name", &t->name));
  if (t->name.empty()) t->name = node.path();

  auto inline_rules = m.Take("relabel_configs");
  std::string config_path, job_name, rules_key = "relabel_configs";
  KS_RETURN_IF_ERROR(m.String("config", &config_path));
  KS_RETURN_IF_ERROR(m.String("job", &job_name));
  KS_RETURN_IF_ERROR(m.String("rules", &rules_key));
  if (inline_rules.has_value() == !config_path.empty()) {
    return node.Error("a test needs exactly one of relabel_configs or config (with job)");
  }
  if (!config_path.empty() && job_name.empty()) return node.Error("a test with config needs job");
  if (inline_rules && (!job_name.empty() || rules_key != "relabel_configs")) {
    return node.Error("job and rules apply only to a test with config, not to inline relabel_configs");
  }
  if (rules_key != "relabel_configs" && rules_key != "metric_relabel_configs") {
    return node.Error(fmt::format("rules must be relabel_configs or metric_relabel_configs, got \"{}\"", rules_key));
  }

  if (auto input = m.Take("input")) {

    KS_ASSIGN_OR_RETURN(t->input, LoadTestLabels(*input));

  }
  auto output = m.Take("output");
  bool dropped = false;
  KS_RETURN_IF_ERROR(m.Bool("dropped", &dropped));
  auto error = m.Take("error_contains");
  KS_RETURN_IF_ERROR(m.Finish());
  int expectations = (output ? 1 : 0) + (dropped ? 1 : 0) + (error ? 1 : 0);
  if (expectations != 1) {
    return node.Error("a test needs exactly one of output, dropped: true or error_contains");
  }
  if (output) {
    t->expect = RelabelTestCase::Expect::kOutput;
    KS_ASSIGN_OR_RETURN(t->output, LoadTestLabels(*output));
  } else if (dropped) {
    t->expect = RelabelTestCase::Expect::kDropped;
  } else {
    t->expect = RelabelTestCase::Expect::kError;
    KS_ASSIGN_OR_RETURN(t->error_contains, error->AsString());
  }

  if (inline_rules) {
    auto rules = LoadRelabelRules(*inline_rules, RuleKind::kTarget, model::NameValidationScheme::kUtf8);
    if (rules.ok()) {
      t->rules = std::move(rules).value();
    } else {
      t->rules_status = rules.status();
    }
    return util::Status::Ok();
  }
  const auto& cfg = configs.Get(util::JoinDir(util::DirName(node.filename()), config_path));
  if (!cfg.ok()) {
    t->rules_status = cfg.status();
    return util::Status::Ok();
  }
  const ScrapeJob* job = cfg->FindJob(job_name);
  if (job == nullptr) {
    t->rules_status = util::NotFoundError(fmt::format("{}: no job \"{}\" in {}", t->location, job_name, config_path));
    return util::Status::Ok();
  }
  t->rules = rules_key == "relabel_configs" ? job->scrape.relabel_configs : job->scrape.metric_relabel_configs;
  return util::Status::Ok();
}

}  // namespace

util::StatusOr<RelabelTestFile> LoadRelabelTestFile(const std::string& path, const util::FileSystem& fs) {
  KS_ASSIGN_OR_RETURN(std::string content, fs.ReadFile(path));
  KS_ASSIGN_OR_RETURN(Node root, internal::ParseYaml(content, path));
  KS_ASSIGN_OR_RETURN(MapReader m, MapReader::Open(root));
  auto tests = m.Take("tests");
  KS_RETURN_IF_ERROR(m.Finish());
  if (!tests) return root.Error("a relabel test file needs a tests: list");
  KS_ASSIGN_OR_RETURN(std::vector<Node> elements, tests->Elements());
  RelabelTestFile file;
  file.filename = path;
  ConfigCache configs(fs);
  ErrorList errors;
  for (const Node& e : elements) {
    RelabelTestCase t;
    if (auto s = LoadTest(e, configs, &t); !s.ok()) {
      errors.Add(s);
      continue;
    }
    file.tests.push_back(std::move(t));
  }
  if (!errors.ok()) return errors.ToStatus();
  return file;
}

}  // namespace kubescrape::config
