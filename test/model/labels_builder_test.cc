#include "model/labels_builder.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>
#include <vector>

namespace kubescrape::model {
namespace {

std::vector<std::string> RangeNames(LabelsBuilder& b) {
  std::vector<std::string> out;
  b.Range([&](const Label& l) { out.push_back(std::string(l.name) + "=" + std::string(l.value)); });
  return out;
}

TEST(LabelsBuilderTest, GetSetDel) {
  Labels base = Labels::FromPairs({{"a", "1"}, {"b", "2"}});
  LabelsBuilder b(base);
  EXPECT_EQ(b.Get("a"), "1");
  b.Set("c", "3");
  b.Set("a", "10");
  b.Del("b");
  EXPECT_EQ(b.Get("a"), "10");
  EXPECT_EQ(b.Get("b"), "");
  EXPECT_EQ(b.Get("c"), "3");
  EXPECT_EQ(b.size(), 2u);
  EXPECT_EQ(b.Build(), Labels::FromPairs({{"a", "10"}, {"c", "3"}}));
}

TEST(LabelsBuilderTest, SetEmptyDeletes) {
  Labels base = Labels::FromPairs({{"a", "1"}});
  LabelsBuilder b(base);
  b.Set("a", "");
  b.Set("n", "x");
  b.Set("n", "");
  EXPECT_TRUE(b.Build().empty());
}

TEST(LabelsBuilderTest, DeleteThenRecreate) {
  // Prometheus issue 12283: labeldrop, then set again, then read it.
  Labels base = Labels::FromPairs({{"port", "foo"}});
  LabelsBuilder b(base);
  b.Del("port");
  EXPECT_EQ(b.Get("port"), "");
  b.Set("port", "metrics");
  EXPECT_EQ(b.Get("port"), "metrics");
  EXPECT_EQ(b.Build(), Labels::FromPairs({{"port", "metrics"}}));
}

TEST(LabelsBuilderTest, SetCopiesTemporaries) {
  Labels base;
  LabelsBuilder b(base);
  {
    std::string name = "temp_name", value = "temp_value";
    b.Set(name, value);
  }
  EXPECT_EQ(b.Get("temp_name"), "temp_value");
}

TEST(LabelsBuilderTest, RangeOrderIsBaseThenAdditionsInInsertionOrder) {
  Labels base = Labels::FromPairs({{"a", "1"}, {"c", "3"}, {"e", "5"}});
  LabelsBuilder b(base);
  b.Set("z", "26");
  b.Set("b", "2");
  b.Set("c", "33");  // overriding a base label moves it to the additions
  b.Set("a", "1");   // even with the same value
  EXPECT_EQ(RangeNames(b), (std::vector<std::string>{"e=5", "z=26", "b=2", "c=33", "a=1"}));
}

TEST(LabelsBuilderTest, RangeVisitsASnapshot) {
  Labels base = Labels::FromPairs({{"a", "1"}, {"b", "2"}});
  LabelsBuilder b(base);
  std::vector<std::string> seen;
  b.Range([&](const Label& l) {
    seen.emplace_back(l.name);
    b.Set("new_" + std::string(l.name), l.value);  // not revisited
    b.Del("b");                                     // b is still visited
  });
  EXPECT_EQ(seen, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(b.Build(), Labels::FromPairs({{"a", "1"}, {"new_a", "1"}, {"new_b", "2"}}));
}

TEST(LabelsBuilderTest, ResetReusesTheBuilder) {
  Labels first = Labels::FromPairs({{"a", "1"}});
  Labels second = Labels::FromPairs({{"b", "2"}});
  LabelsBuilder b(first);
  b.Set("x", "y");
  b.Reset(second);
  EXPECT_EQ(b.Get("a"), "");
  EXPECT_EQ(b.Get("x"), "");
  EXPECT_EQ(b.Build(), second);
}

}  // namespace
}  // namespace kubescrape::model

namespace kubescrape::model {
namespace {

// Random Set/Del sequences against a std::map reference: Get() and Build()
// must agree with it whatever runs of base labels are shadowed.
TEST(LabelsBuilderTest, RandomOperationsMatchAReferenceMap) {
  std::mt19937 rng(7);
  const std::vector<std::string> names = {"__address__", "__meta_a", "__meta_b", "__meta_c", "a", "b", "job",
                                          "zz", std::string(200, 'n')};
  const std::vector<std::string> values = {"", "1", "two", std::string(150, 'v')};
  for (int round = 0; round < 500; ++round) {
    std::map<std::string, std::string> ref;
    for (const std::string& n : names) {
      if (rng() % 2) ref[n] = values[1 + rng() % 3];
    }
    Labels base = Labels::FromMap(ref);
    LabelsBuilder b(base);
    for (int op = 0; op < 12; ++op) {
      const std::string& n = names[rng() % names.size()];
      if (rng() % 3 == 0) {
        b.Del(n);
        ref.erase(n);
      } else {
        const std::string& v = values[rng() % values.size()];
        b.Set(n, v);
        if (v.empty()) {
          ref.erase(n);
        } else {
          ref[n] = v;
        }
      }
      for (const std::string& probe : names) {
        auto it = ref.find(probe);
        ASSERT_EQ(b.Get(probe), it == ref.end() ? "" : it->second) << "round " << round;
      }
    }
    ASSERT_EQ(b.Build(), Labels::FromMap(ref)) << "round " << round;
    ASSERT_EQ(b.size(), ref.size());
  }
}

TEST(LabelsBuilderTest, RangeWithPrefixVisitsOnlyThePrefix) {
  Labels base = Labels::FromPairs({{"__meta_a", "1"}, {"__meta_b", "2"}, {"app", "x"}, {"__other", "o"}});
  LabelsBuilder b(base);
  b.Set("__meta_z", "26");
  b.Del("__meta_b");
  std::vector<std::string> seen;
  b.RangeWithPrefix("__meta_", [&](const Label& l) { seen.emplace_back(l.name); });
  EXPECT_EQ(seen, (std::vector<std::string>{"__meta_a", "__meta_z"}));
}

}  // namespace
}  // namespace kubescrape::model
