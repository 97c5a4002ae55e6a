#include "api/status.h"

#include <gtest/gtest.h>

#include <rapidjson/document.h>

#include "tsdb/memory_storage.h"

namespace kubescrape::api {
namespace {

TEST(StatusTest, TsdbHeadStatsAndTopLists) {
  tsdb::MemoryStorage storage;
  auto app = storage.NewAppender();
  for (int i = 0; i < 3; ++i) {
    app->Append(0, model::Labels::FromPairs({{"__name__", "up"}, {"job", "j" + std::to_string(i)}}), 1000 + i, 1);
  }
  app->Append(0, model::Labels::FromPairs({{"__name__", "other"}, {"job", "j0"}}), 5000, 1);
  ASSERT_TRUE(app->Commit().ok());
  HttpResponse r = TsdbStatusResponse(storage, 0, 10000, 7, 2);
  rapidjson::Document d;
  d.Parse(r.body.c_str());
  const auto& data = d["data"];
  EXPECT_EQ(data["headStats"]["numSeries"].GetUint64(), 4u);
  EXPECT_EQ(data["headStats"]["chunkCount"].GetUint64(), 7u);
  EXPECT_EQ(data["headStats"]["minTime"].GetInt64(), 1000);
  EXPECT_EQ(data["headStats"]["maxTime"].GetInt64(), 5000);
  EXPECT_EQ(data["headStats"]["numLabelPairs"].GetUint64(), 5u);  // up, other, j0, j1, j2
  ASSERT_EQ(data["seriesCountByMetricName"].Size(), 2u);
  EXPECT_STREQ(data["seriesCountByMetricName"][0]["name"].GetString(), "up");
  EXPECT_EQ(data["seriesCountByMetricName"][0]["value"].GetUint64(), 3u);
  EXPECT_STREQ(data["labelValueCountByLabelName"][0]["name"].GetString(), "job");
  EXPECT_EQ(data["labelValueCountByLabelName"][0]["value"].GetUint64(), 3u);
  EXPECT_STREQ(data["seriesCountByLabelValuePair"][0]["name"].GetString(), "__name__=up");
}

TEST(StatusTest, RuntimeInfoAndWalReplay) {
  RuntimeInfo info;
  info.start_time_ms = 1700000000000;
  info.cwd = "/data";
  info.threads = 2;
  info.storage_retention = "15d";
  rapidjson::Document d;
  d.Parse(RuntimeInfoResponse(info).body.c_str());
  EXPECT_STREQ(d["data"]["startTime"].GetString(), "2023-11-14T22:13:20Z");
  EXPECT_STREQ(d["data"]["storageRetention"].GetString(), "15d");
  EXPECT_TRUE(d["data"]["reloadConfigSuccess"].GetBool());
  EXPECT_EQ(WalReplayResponse().body, R"({"status":"success","data":{"min":0,"max":0,"current":0}})");
}

}  // namespace
}  // namespace kubescrape::api
