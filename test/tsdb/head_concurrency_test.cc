// Appends from several threads while queries and truncations run. Small and
// deterministic in its checks (not in its interleaving); meant to also run
// under ThreadSanitizer.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "test/tsdb/head_test_util.h"
#include "tsdb/head.h"

namespace kubescrape::tsdb {
namespace {

using model::MatchType;
using testing::M;

constexpr int kWriters = 3;
constexpr int kSeriesPerWriter = 40;
constexpr int kRounds = 150;
constexpr int64_t kStep = 1000;

model::Labels SeriesLabels(int writer, int i) {
  return model::Labels::FromPairs({{"__name__", "m"},
                                   {"writer", std::to_string(writer)},
                                   {"i", std::to_string(i)},
                                   {"shared", i % 2 ? "odd" : "even"}});
}

TEST(HeadConcurrencyTest, AppendersQueriersAndTruncation) {
  HeadOptions o;
  o.stripe_bits = 3;  // few stripes: more sharing, more contention
  o.samples_per_chunk = 8;
  Head head(o);
  std::atomic<int> writers_done{0};
  std::atomic<int> violations{0};
  std::atomic<int> progress[kWriters] = {};  // rounds each writer committed

  // Each commit appends two samples per series (t and t + 1): a reader must
  // never see the first without the second.
  auto writer = [&](int w) {
    std::vector<SeriesRef> refs(kSeriesPerWriter, 0);
    auto app = head.NewAppender();
    for (int r = 0; r < kRounds; ++r) {
      const int64_t t = r * kStep;
      for (int i = 0; i < kSeriesPerWriter; ++i) {
        const model::Labels l = SeriesLabels(w, i);
        refs[i] = app->Append(refs[i], l, t, r).ref;
        app->Append(refs[i], l, t + 1, r);
      }
      ASSERT_TRUE(app->Commit().ok());
      progress[w].store(r + 1);
    }
    writers_done.fetch_add(1);
  };

  auto reader = [&] {
    int passes = 0;
    while (writers_done.load() < kWriters || passes < 3) {
      ++passes;
      auto q = head.NewQuerier(INT64_MIN, INT64_MAX);
      ASSERT_TRUE(q.ok());
      std::vector<model::Matcher> ms = {M(MatchType::kEqual, "__name__", "m"),
                                        M(MatchType::kRegexMatch, "shared", "odd|even")};
      auto set = (*q)->Select(ms);
      model::Labels prev;
      while (set->Next()) {
        if (!prev.empty() && !(prev < set->labels())) violations.fetch_add(1);
        prev = set->labels();
        auto it = set->Samples();
        int64_t last = INT64_MIN;
        while (it->Next()) {
          if (it->t() <= last) violations.fetch_add(1);
          last = it->t();
        }
        if (!it->status().ok()) violations.fetch_add(1);
        if (last != INT64_MIN && last % kStep != 1) violations.fetch_add(1);  // half a commit
      }
      auto names = (*q)->LabelValues("writer", {});
      if (!names.ok()) violations.fetch_add(1);
    }
  };

  // Truncates a few rounds behind the slowest writer: old chunks and
  // nothing a writer still appends.
  auto truncator = [&] {
    while (writers_done.load() < kWriters) {
      int slowest = kRounds;
      for (const auto& p : progress) slowest = std::min(slowest, p.load());
      head.Truncate((slowest - 5) * kStep);
      std::this_thread::yield();
    }
  };

  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; ++w) threads.emplace_back(writer, w);
  threads.emplace_back(reader);
  threads.emplace_back(reader);
  threads.emplace_back(truncator);
  for (std::thread& t : threads) t.join();

  EXPECT_EQ(violations.load(), 0);
  HeadStats st = head.stats();
  EXPECT_EQ(st.num_series, static_cast<uint64_t>(kWriters * kSeriesPerWriter));
  EXPECT_EQ(st.out_of_order + st.duplicates + st.out_of_bounds, 0u);
  EXPECT_EQ(st.samples_appended, static_cast<uint64_t>(kWriters * kSeriesPerWriter * kRounds * 2));
  // How much the concurrent truncations dropped depends on the interleaving;
  // a last one must drop old chunks and keep the newest rounds.
  head.Truncate((kRounds - 5) * kStep);
  EXPECT_GT(head.stats().chunks_removed, 0u);
  EXPECT_EQ(head.stats().num_series, static_cast<uint64_t>(kWriters * kSeriesPerWriter));
  // The newest round is intact for every series.
  const int64_t last_t = (kRounds - 1) * kStep;
  for (int w = 0; w < kWriters; ++w) {
    for (int i = 0; i < kSeriesPerWriter; ++i) {
      std::vector<testing::Sample> got = testing::SamplesOf(head, SeriesLabels(w, i), last_t, INT64_MAX);
      ASSERT_EQ(got.size(), 2u);
      EXPECT_EQ(got[1].t, last_t + 1);
    }
  }
}

}  // namespace
}  // namespace kubescrape::tsdb
