#include "promql/label_hash.h"

#include <gtest/gtest.h>

#include <string>

namespace kubescrape::promql {
namespace {

TEST(XxHash64, KnownVectors) {
  EXPECT_EQ(XxHash64(""), 0xEF46DB3751D8E999ULL);
  EXPECT_EQ(XxHash64("a"), 0xD24EC4F1A98C6E5BULL);
  EXPECT_EQ(XxHash64("abc"), 0x44BC2CF5AD770999ULL);
  // 39 bytes: one 32-byte stripe, then a 4-byte and three 1-byte tails.
  EXPECT_EQ(XxHash64("Nobody inspects the spammish repetition"), 0xFBCEA83C8A378BF1ULL);
}

TEST(PrometheusLabelsHash, HashesLengthPrefixedEncoding) {
  model::Labels l = model::Labels::FromUnsorted({{"b", "2"}, {"a", "1"}});
  EXPECT_EQ(PrometheusLabelsHash(l), XxHash64(std::string("\x01" "a" "\x01" "1" "\x01" "b" "\x01" "2")));
  std::string long_value(300, 'x');
  model::Labels big = model::Labels::FromUnsorted({{"n", long_value}});
  EXPECT_EQ(PrometheusLabelsHash(big),
            XxHash64(std::string("\x01" "n" "\xff\x2c\x01\x00", 6) + long_value));
  EXPECT_EQ(PrometheusLabelsHash(model::Labels()), XxHash64(""));
}

}  // namespace
}  // namespace kubescrape::promql
