#include "discovery/file_sd.h"

#include <set>
#include <utility>

#include "discovery/target_groups.h"

namespace kubescrape::discovery {
namespace {

// The group that tells the manager `source` has no targets any more.
model::TargetGroup Removed(std::string source) {
  model::TargetGroup g;
  g.source = std::move(source);
  return g;
}

}  // namespace

FileSd::FileSd(FileSdConfig config, const util::FileSystem& fs, const util::Clock& clock)
    : config_(std::move(config)), fs_(fs), clock_(clock), last_matches_(config_.files.size()) {}

util::Clock::TimePoint FileSd::next_refresh() const {
  if (!refreshed_) return util::Clock::TimePoint{};
  return last_refresh_ + config_.refresh_interval;
}

std::vector<std::string> FileSd::ListFiles(std::vector<util::Status>* errors) {
  std::set<std::string> paths;
  for (size_t i = 0; i < config_.files.size(); ++i) {
    auto matches = fs_.Glob(config_.files[i]);
    if (matches.ok()) {
      last_matches_[i] = std::move(matches).value();
    } else {
      // Keep the previous matches: a transient failure must not drop targets.
      errors->push_back(matches.status());
    }
    paths.insert(last_matches_[i].begin(), last_matches_[i].end());
  }
  return {paths.begin(), paths.end()};
}

FileSdRefresh FileSd::Refresh() {
  FileSdRefresh out;
  last_refresh_ = clock_.Now();
  refreshed_ = true;
  ++refreshes_total_;

  std::set<std::string> present;
  for (const std::string& path : ListFiles(&out.errors)) {
    present.insert(path);
    util::StatusOr<std::string> content = fs_.ReadFile(path);
    util::StatusOr<std::vector<model::TargetGroup>> parsed =
        content.ok() ? ParseFileSdFile(path, *content) : content.status();
    if (!parsed.ok()) {
      // Keep this file's previous groups (if any): nothing is emitted for it.
      ++read_errors_total_;
      out.errors.push_back(parsed.status());
      continue;
    }
    std::vector<model::TargetGroup>& now = *parsed;
    std::vector<model::TargetGroup>& before = files_[path];
    for (size_t i = 0; i < now.size(); ++i) {
      if (i >= before.size() || !TargetGroupsEqual(now[i], before[i])) out.groups.push_back(now[i]);
    }
    for (size_t i = now.size(); i < before.size(); ++i) {
      out.groups.push_back(Removed(std::move(before[i].source)));
    }
    before = std::move(now);
  }

  // Files no longer matched: every one of their groups is gone.
  for (auto it = files_.begin(); it != files_.end();) {
    if (present.contains(it->first)) {
      ++it;
      continue;
    }
    for (model::TargetGroup& g : it->second) {
      out.groups.push_back(Removed(std::move(g.source)));
    }
    it = files_.erase(it);
  }
  return out;
}

}  // namespace kubescrape::discovery
