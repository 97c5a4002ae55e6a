#include <fmt/format.h>
#include <fmt/ostream.h>

#include "cmd/scrapectl/commands.h"
#include "config/config.h"

namespace kubescrape::scrapectl {
namespace {

// Files a configuration refers to must exist (promtool checks the same);
// the daemon itself reads them only when it needs them.
std::vector<std::string> MissingFiles(const config::Config& cfg, const util::FileSystem& fs) {
  std::vector<std::string> problems;
  auto check = [&](const std::string& job, std::string_view what, const std::string& path) {
    if (path.empty()) return;
    auto r = fs.ReadFile(path);
    if (!r.ok()) problems.push_back(fmt::format("job \"{}\": {}: {}", job, what, r.status().message()));
  };
  auto check_http = [&](const std::string& job, const model::HttpClientConfig& h) {
    check(job, "tls_config.ca_file", h.tls_config.ca_file);
    check(job, "tls_config.cert_file", h.tls_config.cert_file);
    check(job, "tls_config.key_file", h.tls_config.key_file);
    if (h.basic_auth) {
      check(job, "basic_auth.username_file", h.basic_auth->username_file);
      check(job, "basic_auth.password_file", h.basic_auth->password_file);
    }
    if (h.authorization) check(job, "authorization.credentials_file", h.authorization->credentials_file);
  };
  for (const config::ScrapeJob& job : cfg.scrape_configs) {
    const std::string& name = job.scrape.job_name;
    check_http(name, job.scrape.http_client);
    for (const auto& k : job.discovery.kubernetes_sd_configs) {
      check(name, "kubernetes_sd_configs.kubeconfig_file", k.kubeconfig_file);
      check_http(name, k.http_client);
    }
  }
  return problems;
}

void PrintIndented(std::ostream& os, std::string_view label, std::string_view text) {
  // Multi-line errors: each on its own line under the label.
  size_t start = 0;
  bool first = true;
  while (start <= text.size()) {
    size_t nl = text.find('\n', start);
    std::string_view line = text.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start);
    if (first) {
      fmt::print(os, "  {}: {}\n", label, line);
      first = false;
    } else {
      fmt::print(os, "    {}\n", line);
    }
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
}

}  // namespace

int CheckConfig(const std::vector<std::string>& files, std::ostream& out, std::ostream& err,
                const util::FileSystem& fs) {
  if (files.empty()) {
    fmt::print(err, "usage: scrapectl check config FILE...\n");
    return kExitUsage;
  }
  int rc = kExitOk;
  for (const std::string& file : files) {
    fmt::print(out, "Checking {}\n", file);
    out.flush();  // keep the order when stdout and stderr share a pipe
    auto cfg = config::LoadFile(file, fs);
    if (!cfg.ok()) {
      PrintIndented(err, "FAILED", cfg.status().message());
      rc = kExitFailure;
      continue;
    }
    std::vector<std::string> missing = MissingFiles(*cfg, fs);
    if (!missing.empty()) {
      for (const std::string& m : missing) PrintIndented(err, "FAILED", m);
      rc = kExitFailure;
      continue;
    }
    for (const std::string& w : cfg->warnings) PrintIndented(out, "WARNING", w);
    std::vector<std::string> jobs;
    for (const auto& j : cfg->scrape_configs) jobs.push_back(j.scrape.job_name);
    fmt::print(out, "  SUCCESS: {} is valid prometheus config file syntax ({} scrape config{}{}{})\n", file,
               jobs.size(), jobs.size() == 1 ? "" : "s", jobs.empty() ? "" : ": ", fmt::join(jobs, ", "));
  }
  return rc;
}

}  // namespace kubescrape::scrapectl
