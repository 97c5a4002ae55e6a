#include "api/status.h"

#include <algorithm>
#include <limits>
#include <map>
#include <vector>

#include "api/envelope.h"
#include "api/targets.h"

namespace kubescrape::api {
namespace {

using Counts = std::vector<std::pair<std::string, uint64_t>>;

// The `limit` largest, by count then name.
Counts Top(const std::map<std::string, uint64_t>& all, size_t limit) {
  Counts v(all.begin(), all.end());
  std::sort(v.begin(), v.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  if (v.size() > limit) v.resize(limit);
  return v;
}

void WriteCounts(JsonWriter& w, const char* key, const Counts& counts) {
  w.Key(key);
  w.StartArray();
  for (const auto& [name, n] : counts) {
    w.StartObject();
    w.Key("name");
    WriteString(w, name);
    w.Key("value");
    w.Uint64(n);
    w.EndObject();
  }
  w.EndArray();
}

}  // namespace

HttpResponse RuntimeInfoResponse(const RuntimeInfo& info) {
  return SuccessResponse([&](JsonWriter& w) {
    w.StartObject();
    w.Key("startTime");
    WriteString(w, FormatRfc3339(info.start_time_ms));
    w.Key("CWD");
    WriteString(w, info.cwd);
    w.Key("reloadConfigSuccess");
    w.Bool(info.reload_config_success);
    w.Key("lastConfigTime");
    WriteString(w, FormatRfc3339(info.last_config_time_ms));
    w.Key("corruptionCount");
    w.Int(0);
    w.Key("goroutineCount");
    w.Int(info.threads);
    w.Key("GOMAXPROCS");
    w.Int(info.threads);
    w.Key("GOMEMLIMIT");
    w.Int64(std::numeric_limits<int64_t>::max());
    w.Key("GOGC");
    w.String("");
    w.Key("GODEBUG");
    w.String("");
    w.Key("storageRetention");
    WriteString(w, info.storage_retention);
    w.EndObject();
  });
}

HttpResponse WalReplayResponse() {
  return SuccessResponse([](JsonWriter& w) {
    w.StartObject();
    w.Key("min");
    w.Int(0);
    w.Key("max");
    w.Int(0);
    w.Key("current");
    w.Int(0);
    w.EndObject();
  });
}

HttpResponse TsdbStatusResponse(tsdb::Storage& storage, int64_t mint, int64_t maxt, uint64_t chunks, size_t limit) {
  auto querier = storage.NewQuerier(mint, maxt);
  if (!querier.ok()) return ErrorResponse({ErrorType::kInternal, querier.status().message()});
  std::map<std::string, uint64_t> by_metric, values_by_name, by_pair;
  uint64_t series = 0;
  int64_t min_t = std::numeric_limits<int64_t>::max(), max_t = std::numeric_limits<int64_t>::min();
  auto set = (*querier)->Select({});
  while (set->Next()) {
    ++series;
    for (const model::Label& l : set->labels()) {
      if (l.name == "__name__") ++by_metric[std::string(l.value)];
      ++by_pair[std::string(l.name) + "=" + std::string(l.value)];
    }
    auto it = set->Samples();
    if (it->Next()) {
      min_t = std::min(min_t, it->t());
      int64_t last = it->t();
      while (it->Next()) last = it->t();
      max_t = std::max(max_t, last);
    }
  }
  for (const auto& [pair, n] : by_pair) ++values_by_name[pair.substr(0, pair.find('='))];
  if (series == 0) min_t = max_t = 0;
  return SuccessResponse([&](JsonWriter& w) {
    w.StartObject();
    w.Key("headStats");
    w.StartObject();
    w.Key("numSeries");
    w.Uint64(series);
    w.Key("numLabelPairs");
    w.Uint64(by_pair.size());
    w.Key("chunkCount");
    w.Uint64(chunks);
    w.Key("minTime");
    w.Int64(min_t);
    w.Key("maxTime");
    w.Int64(max_t);
    w.EndObject();
    WriteCounts(w, "seriesCountByMetricName", Top(by_metric, limit));
    WriteCounts(w, "labelValueCountByLabelName", Top(values_by_name, limit));
    w.Key("memoryInBytesByLabelName");
    w.StartArray();
    w.EndArray();
    WriteCounts(w, "seriesCountByLabelValuePair", Top(by_pair, limit));
    w.EndObject();
  });
}

}  // namespace kubescrape::api
