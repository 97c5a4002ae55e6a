#pragma once
// FileSd: file-based service discovery (Prometheus's file_sd_configs).
//
// Each Refresh() expands the configured glob patterns, reads every matching
// file as a JSON (`.json`) or YAML (`.yml`, `.yaml`) list of
// `{targets: [...], labels: {...}}` objects, and returns the target groups
// that changed since the previous Refresh() (all of them on the first call).
// Group i of file F has source "F:i", carries the label __meta_filepath=F
// (overriding one in the file), and each target is {__address__=<target>}.
// When a file disappears or holds fewer groups than before, the lost sources
// come back as groups without targets: that is how the manager learns they
// are gone. A file that cannot be read or parsed keeps its previous groups
// (nothing is removed) and is reported in FileSdRefresh::errors.
//
// FileSd holds no timer: the caller calls Refresh() every refresh_interval()
// (or earlier, e.g. on a file-change notification) and may ask next_refresh().
//
// Thread-safety: none; one owner at a time (e.g. one strand).
// Lifetime: the FileSystem and Clock passed to the constructor must outlive
// the FileSd.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "discovery/config.h"
#include "model/duration.h"
#include "model/target_group.h"
#include "util/clock.h"
#include "util/file_system.h"
#include "util/status.h"

namespace kubescrape::discovery {

// The label naming the file a group came from.
inline constexpr std::string_view kFileSdFilepathLabel = "__meta_filepath";

// What one Refresh() found.
struct [[nodiscard]] FileSdRefresh {
  // Changed groups (new, modified, or emptied to remove a lost source), by
  // file path then index; the groups of files no longer matched come last.
  std::vector<model::TargetGroup> groups;
  // One per file that failed to read or parse, and per pattern that failed to
  // expand. Each message starts with the path, e.g.
  // `targets/a.yml:3:5: group 0: unknown field "target"`.
  std::vector<util::Status> errors;
};

// Parses the content of a file SD file named `path` (its extension picks
// JSON or YAML, case-insensitively) into target groups with sources, labels
// and __meta_filepath set as described above. Strict like Prometheus: unknown
// fields, invalid label names or values, empty targets and null groups are
// errors whose message starts with `path`. An empty YAML file is no groups;
// an empty JSON file is an error.
util::StatusOr<std::vector<model::TargetGroup>> ParseFileSdFile(std::string_view path,
                                                                std::string_view content);

class FileSd {
 public:
  // REQUIRES: `config` passed ValidateFileSdConfig; `fs` and `clock` outlive
  // this object.
  FileSd(FileSdConfig config, const util::FileSystem& fs, const util::Clock& clock);
  FileSd(const FileSd&) = delete;
  FileSd& operator=(const FileSd&) = delete;

  // Re-reads every file matching the patterns; see the class comment.
  FileSdRefresh Refresh();

  const FileSdConfig& config() const { return config_; }
  model::Duration refresh_interval() const { return config_.refresh_interval; }

  // When the next periodic Refresh() is due: the last Refresh() plus the
  // refresh interval, or the epoch (due now) before the first Refresh().
  util::Clock::TimePoint next_refresh() const;

  // Totals since construction (prometheus_sd_file_read_errors_total and
  // prometheus_sd_file_scan_duration_seconds_count).
  uint64_t read_errors_total() const { return read_errors_total_; }
  uint64_t refreshes_total() const { return refreshes_total_; }

 private:
  // Paths matched by the patterns, sorted and unique; failed patterns reuse
  // their previous matches and add an error to `errors`.
  std::vector<std::string> ListFiles(std::vector<util::Status>* errors);

  // Immutable after construction.
  const FileSdConfig config_;
  const util::FileSystem& fs_;
  const util::Clock& clock_;

  // The last successfully read groups of each file, by path.
  std::map<std::string, std::vector<model::TargetGroup>> files_;
  // The last successful expansion of each pattern (indexed like config_.files).
  std::vector<std::vector<std::string>> last_matches_;
  bool refreshed_ = false;
  util::Clock::TimePoint last_refresh_{};
  uint64_t read_errors_total_ = 0;
  uint64_t refreshes_total_ = 0;
};

}  // namespace kubescrape::discovery
