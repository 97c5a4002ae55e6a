#include "api/query.h"

#include <gtest/gtest.h>

#include <rapidjson/document.h>

#include "tsdb/memory_storage.h"

namespace kubescrape::api {
namespace {

class QueryApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto app = storage_.NewAppender();
    for (int64_t t = 0; t <= 60'000; t += 15'000) {
      app->Append(0, model::Labels::FromPairs({{"__name__", "up"}, {"job", "api"}, {"instance", "a:1"}}), t, 1);
      app->Append(0, model::Labels::FromPairs({{"__name__", "up"}, {"job", "db"}, {"instance", "b:1"}}), t, 0);
      app->Append(0, model::Labels::FromPairs({{"__name__", "http_requests_total"}, {"job", "api"}}), t,
                  static_cast<double>(t) / 1000);
    }
    ASSERT_TRUE(app->Commit().ok());
  }

  HttpResponse Call(HttpResponse (*fn)(const QueryContext&, const Params&), std::string query) {
    HttpRequest r;
    r.method = "GET";
    r.query = std::move(query);
    QueryContext ctx{engine_, storage_, 60'000};
    return fn(ctx, *Params::Parse(r));
  }

  static rapidjson::Document Json(const HttpResponse& r) {
    rapidjson::Document d;
    d.Parse(r.body.c_str());
    EXPECT_FALSE(d.HasParseError()) << r.body;
    return d;
  }

  tsdb::MemoryStorage storage_;
  promql::Engine engine_;
};

TEST_F(QueryApiTest, GrafanaHealthCheckGetsAScalar) {
  HttpResponse r = Call(InstantQuery, "query=1%2B1&time=4");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"status":"success","data":{"resultType":"scalar","result":[4,"2"]}})");
}

TEST_F(QueryApiTest, VectorAndMatrixShapes) {
  HttpResponse v = Call(InstantQuery, "query=up&time=30.5");
  EXPECT_EQ(v.body,
            R"({"status":"success","data":{"resultType":"vector","result":[)"
            R"({"metric":{"__name__":"up","instance":"a:1","job":"api"},"value":[30.500,"1"]},)"
            R"({"metric":{"__name__":"up","instance":"b:1","job":"db"},"value":[30.500,"0"]}]}})");
  HttpResponse m = Call(RangeQuery, "query=sum(up)&start=0&end=30&step=15");
  EXPECT_EQ(m.body, R"({"status":"success","data":{"resultType":"matrix","result":[)"
                    R"({"metric":{},"values":[[0,"1"],[15,"1"],[30,"1"]]}]}})");
}

TEST_F(QueryApiTest, ErrorsAsPrometheus) {
  HttpResponse parse = Call(InstantQuery, "query=sum(up");
  EXPECT_EQ(parse.status, 400);
  EXPECT_EQ(Json(parse)["error"].GetString(),
            std::string("invalid parameter \"query\": 1:7: parse error: unclosed left parenthesis"));
  HttpResponse bad_time = Call(InstantQuery, "query=up&time=30s");
  EXPECT_EQ(Json(bad_time)["error"].GetString(),
            std::string("invalid parameter \"time\": cannot parse \"30s\" to a valid timestamp"));
  HttpResponse order = Call(RangeQuery, "query=up&start=10&end=5&step=1");
  EXPECT_EQ(Json(order)["error"].GetString(),
            std::string("invalid parameter \"end\": end timestamp must not be before start time"));
  HttpResponse step = Call(RangeQuery, "query=up&start=0&end=5&step=0");
  EXPECT_EQ(step.status, 400);
  HttpResponse points = Call(RangeQuery, "query=up&start=0&end=11001&step=1");
  EXPECT_EQ(Json(points)["error"].GetString(),
            std::string("exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query "
                        "resolution (?step=XX)"));
  EXPECT_EQ(Call(RangeQuery, "query=up&start=0&end=11000&step=1").status, 200);  // 11000 steps are allowed
  EXPECT_EQ(Json(Call(InstantQuery, "query=up&timeout=soon"))["error"].GetString(),
            std::string("invalid parameter \"timeout\": cannot parse \"soon\" to a valid duration"));
  HttpResponse exec = Call(InstantQuery, "query=up%20%2B%20on()%20up&time=30");
  EXPECT_EQ(exec.status, 422);
  EXPECT_STREQ(Json(exec)["errorType"].GetString(), "execution");
}

TEST_F(QueryApiTest, SeriesLabelsAndValues) {
  HttpResponse series = Call(Series, "match[]=up%7Bjob%3D%22db%22%7D&match[]=http_requests_total");
  auto s = Json(series);
  ASSERT_EQ(s["data"].Size(), 2u);
  EXPECT_STREQ(s["data"][0]["__name__"].GetString(), "http_requests_total");
  EXPECT_EQ(Json(Call(Series, ""))["error"].GetString(), std::string("no match[] parameter provided"));
  EXPECT_EQ(Json(Call(Series, "match[]=%7Bjob%3D~%22.*%22%7D"))["error"].GetString(),
            std::string("match[] must contain at least one non-empty matcher"));
  EXPECT_EQ(Call(LabelNames, "").body, R"({"status":"success","data":["__name__","instance","job"]})");
  EXPECT_EQ(Call(LabelNames, "match[]=http_requests_total").body, R"({"status":"success","data":["__name__","job"]})");
  HttpRequest r;
  r.query = "limit=1";
  QueryContext ctx{engine_, storage_, 0};
  EXPECT_EQ(LabelValues(ctx, *Params::Parse(r), "job").body,
            R"({"status":"success","data":["api"],"warnings":["results truncated due to limit"]})");
  r.query = "start=100&end=200";
  EXPECT_EQ(LabelValues(ctx, *Params::Parse(r), "job").body, R"({"status":"success","data":[]})");
  r.query = "";
  EXPECT_EQ(LabelValues(ctx, *Params::Parse(r), "U__job").body, R"({"status":"success","data":["api","db"]})");
  // "_62_" is 'b': Grafana's escaping of names outside the legacy charset.
  EXPECT_EQ(LabelValues(ctx, *Params::Parse(r), "U__jo_62_").body, R"({"status":"success","data":["api","db"]})");
}

TEST_F(QueryApiTest, FormatQueryAndExemplars) {
  HttpRequest r;
  r.query = "query=sum(up)by(job)";
  EXPECT_EQ(FormatQuery(*Params::Parse(r)).body, R"j({"status":"success","data":"sum by (job) (up)"})j");
  EXPECT_EQ(QueryExemplars(*Params::Parse(r)).body, R"({"status":"success","data":[]})");
}

TEST(QueryFormatTest, TimestampsValuesAndTimes) {
  EXPECT_EQ(MarshalTimestamp(1500), "1.500");
  EXPECT_EQ(MarshalTimestamp(1050), "1.050");
  EXPECT_EQ(MarshalTimestamp(1000), "1");
  EXPECT_EQ(MarshalTimestamp(-1500), "-1.500");
  EXPECT_EQ(MarshalValue(0.5), "0.5");
  EXPECT_EQ(MarshalValue(1e-7), "1e-07");
  EXPECT_EQ(MarshalValue(1e21), "1e+21");
  EXPECT_EQ(MarshalValue(123456789), "123456789");
  EXPECT_EQ(MarshalValue(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(*ParseTimeParam("1.2346"), 1235);  // the fraction rounded to ms, as Go does
  EXPECT_EQ(*ParseTimeParam("2015-06-03T14:21:58.555+01:00"), 1433337718555);
  EXPECT_EQ(*ParseTimeParam("1970-01-01T00:00:01Z"), 1000);
  EXPECT_FALSE(ParseTimeParam("yesterday").ok());
  EXPECT_EQ(*ParseDurationParam("0.5"), 500);
  EXPECT_EQ(*ParseDurationParam("1h30m"), 5'400'000);
  EXPECT_FALSE(ParseDurationParam("fast").ok());
}

}  // namespace
}  // namespace kubescrape::api
