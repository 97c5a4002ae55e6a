// ScrapeCache (scraper/scrape_cache.h): lookups by raw bytes through the
// order prediction and the hash index, eviction, slot reuse, staleness.
#include "scraper/scrape_cache.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace kubescrape::scraper {
namespace {

// One successful scrape exposing `raws` in order: finds or adds each, marks
// it seen and tracked; returns the refs found (0 for added ones) and the
// stale ones at the end.
struct ScrapeResult {
  std::vector<tsdb::SeriesRef> found;
  std::vector<std::string> stale;
};
ScrapeResult Scrape(ScrapeCache& c, const std::vector<std::string>& raws, bool success = true) {
  ScrapeResult r;
  for (const std::string& raw : raws) {
    ScrapeCache::Entry* e = c.Find(raw);
    if (e == nullptr) {
      r.found.push_back(0);
      e = c.Add(raw, 1000 + raw.size() * 10 + static_cast<tsdb::SeriesRef>(raw.back()));
    } else {
      r.found.push_back(e->ref);
      EXPECT_EQ(c.Raw(*e), raw);  // the entry of this raw series, not a neighbour's
    }
    c.MarkSeen(e);
    c.Track(e);
  }
  c.EndIteration(success, [&](const ScrapeCache::Entry& e) { r.stale.push_back(std::string(c.Raw(e))); });
  return r;
}

tsdb::SeriesRef Ref(const std::string& raw) { return 1000 + raw.size() * 10 + static_cast<tsdb::SeriesRef>(raw.back()); }

TEST(ScrapeCacheTest, FindsEverySeriesWhateverTheOrder) {
  ScrapeCache c;
  Scrape(c, {"a", "b", "c", "d"});
  // Same order (the prediction), then reordered, with one new and one gone.
  EXPECT_EQ(Scrape(c, {"a", "b", "c", "d"}).found, (std::vector<tsdb::SeriesRef>{Ref("a"), Ref("b"), Ref("c"), Ref("d")}));
  auto r = Scrape(c, {"c", "a", "e", "d"});
  EXPECT_EQ(r.found, (std::vector<tsdb::SeriesRef>{Ref("c"), Ref("a"), 0, Ref("d")}));
  EXPECT_EQ(r.stale, (std::vector<std::string>{"b"}));
  EXPECT_EQ(c.size(), 4u);  // b evicted
  // The new order is the prediction now; b's slot is reused by f.
  r = Scrape(c, {"c", "a", "f", "e", "d"});
  EXPECT_EQ(r.found, (std::vector<tsdb::SeriesRef>{Ref("c"), Ref("a"), 0, Ref("e"), Ref("d")}));
  EXPECT_EQ(Scrape(c, {"c", "a", "f", "e", "d"}).found,
            (std::vector<tsdb::SeriesRef>{Ref("c"), Ref("a"), Ref("f"), Ref("e"), Ref("d")}));
}

TEST(ScrapeCacheTest, DuplicatesAndFailedScrapes) {
  ScrapeCache c;
  Scrape(c, {"a", "b"});
  // The same series twice in one scrape: both lookups find it.
  EXPECT_EQ(Scrape(c, {"a", "a", "b"}).found, (std::vector<tsdb::SeriesRef>{Ref("a"), Ref("a"), Ref("b")}));
  EXPECT_EQ(Scrape(c, {"a", "b"}).found, (std::vector<tsdb::SeriesRef>{Ref("a"), Ref("b")}));
  // A failed scrape that saw only part keeps the entries and the order.
  Scrape(c, {"b"}, /*success=*/false);
  EXPECT_EQ(c.size(), 2u);
  EXPECT_EQ(Scrape(c, {"a", "b"}).found, (std::vector<tsdb::SeriesRef>{Ref("a"), Ref("b")}));
}

TEST(ScrapeCacheTest, APrefixOfAnotherSeriesIsNotItsMatch) {
  ScrapeCache c;
  Scrape(c, {"up{a=\"1\"}", "up{a=\"10\"}"});
  // Swapped: the prediction sees different bytes and falls back.
  EXPECT_EQ(Scrape(c, {"up{a=\"10\"}", "up{a=\"1\"}"}).found,
            (std::vector<tsdb::SeriesRef>{Ref("up{a=\"10\"}"), Ref("up{a=\"1\"}")}));
  EXPECT_EQ(c.Find("up{a=\"100\"}"), nullptr);
}

// Series churn: evicted raw bytes are reclaimed (the arena is compacted)
// and every live entry stays findable through the rebuilt index.
TEST(ScrapeCacheTest, ChurnReclaimsEvictedBytesAndKeepsEntriesFindable) {
  ScrapeCache c;
  auto window = [](int from) {
    std::vector<std::string> raws;
    for (int i = from; i < from + 1000; ++i) raws.push_back("http_requests_total{pod=\"web-" + std::to_string(i) + "\"}");
    return raws;
  };
  Scrape(c, window(0));
  const size_t steady = c.MemoryBytes();
  for (int round = 1; round <= 30; ++round) {
    ScrapeResult r = Scrape(c, window(round * 400));  // 400 gone, 600 kept, 400 new
    EXPECT_EQ(r.stale.size(), 400u);
    EXPECT_EQ(c.size(), 1000u);
    ScrapeResult again = Scrape(c, window(round * 400));  // all found (the check is inside Scrape)
    EXPECT_EQ(std::count(again.found.begin(), again.found.end(), 0), 0) << round;
  }
  EXPECT_LT(c.MemoryBytes(), 3 * steady);  // not growing with every round
}

TEST(ScrapeCacheTest, DroppedSeriesAreRememberedUntilUnseen) {
  ScrapeCache c;
  c.AddDropped("x");
  EXPECT_TRUE(c.IsDropped("x"));
  Scrape(c, {"a"});  // x seen (IsDropped above) in this iteration
  EXPECT_EQ(c.dropped_size(), 1u);
  Scrape(c, {"a"});  // not seen: forgotten
  EXPECT_EQ(c.dropped_size(), 0u);
}

}  // namespace
}  // namespace kubescrape::scraper
