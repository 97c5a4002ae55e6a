#include "cmd/scrapectl/query.h"

#include <gtest/gtest.h>

#include <sstream>

#include "api/params.h"
#include "api/query.h"
#include "cmd/scrapectl/commands.h"
#include "tsdb/memory_storage.h"

namespace kubescrape::scrapectl {
namespace {

// The daemon's query handlers over memory.
class FakeQueryDaemon {
 public:
  FakeQueryDaemon() {
    auto app = storage_.NewAppender();
    app->Append(0, model::Labels::FromPairs({{"__name__", "up"}, {"job", "api"}}), 10'000, 1);
    app->Append(0, model::Labels::FromPairs({{"__name__", "up"}, {"job", "api"}}), 20'000, 0);
    EXPECT_TRUE(app->Commit().ok());
  }
  HttpGet Getter() {
    return [this](const std::string& path) -> util::StatusOr<std::string> {
      api::HttpRequest r;
      size_t q = path.find('?');
      r.method = "GET";
      r.query = path.substr(q + 1);
      api::QueryContext ctx{engine_, storage_, 20'000};
      auto params = api::Params::Parse(r);
      return path.starts_with("/api/v1/query_range") ? api::RangeQuery(ctx, *params).body
                                                     : api::InstantQuery(ctx, *params).body;
    };
  }

 private:
  tsdb::MemoryStorage storage_;
  promql::Engine engine_;
};

TEST(QueryCommandTest, InstantRangeScalarAndErrors) {
  FakeQueryDaemon d;
  std::ostringstream out, err;
  QueryOptions o;
  o.expr = "up";
  o.time = "15";
  ASSERT_EQ(Query(o, d.Getter(), out, err), kExitOk) << err.str();
  EXPECT_EQ(out.str(), "up{job=\"api\"} => 1 @15\n");

  std::ostringstream range_out, range_err;
  QueryOptions r;
  r.expr = "up";
  r.start = "10";
  r.end = "20";
  r.step = "10";
  ASSERT_EQ(Query(r, d.Getter(), range_out, range_err), kExitOk);
  EXPECT_EQ(range_out.str(), "up{job=\"api\"} =>\n  1 @10\n  0 @20\n");

  std::ostringstream s_out, s_err;
  QueryOptions scalar;
  scalar.expr = "1+1";
  scalar.time = "4";
  ASSERT_EQ(Query(scalar, d.Getter(), s_out, s_err), kExitOk);
  EXPECT_EQ(s_out.str(), "2 @4\n");

  std::ostringstream e_out, e_err;
  QueryOptions bad;
  bad.expr = "sum(";
  EXPECT_EQ(Query(bad, d.Getter(), e_out, e_err), kExitFailure);
  EXPECT_EQ(e_err.str(), "bad_data: invalid parameter \"query\": 1:5: parse error: unclosed left parenthesis\n");
  EXPECT_EQ(Query(QueryOptions{}, d.Getter(), e_out, e_err), kExitUsage);
}

}  // namespace
}  // namespace kubescrape::scrapectl
