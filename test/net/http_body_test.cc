#include "net/http_body.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "test/net/test_http_server.h"

namespace kubescrape::net {
namespace {


using util::StatusCode;

util::Status Feed(BodySink& sink, const std::string& data, size_t piece) {
  for (size_t i = 0; i < data.size(); i += piece) {
    util::Status st = sink.Append(data.data() + i, std::min(piece, data.size() - i));
    if (!st.ok()) return st;
  }
  return sink.Finish();
}

TEST(BodySinkTest, IdentityLimitBoundary) {
  BodySink sink;
  ASSERT_TRUE(sink.Start(false, 10).ok());
  EXPECT_TRUE(Feed(sink, std::string(9, 'a'), 4).ok());
  EXPECT_EQ(sink.body(), std::string(9, 'a'));
  ASSERT_TRUE(sink.Start(false, 10).ok());
  util::Status st = Feed(sink, std::string(10, 'a'), 3);
  EXPECT_EQ(st.code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(st.message(), kBodySizeLimitExceeded);
  EXPECT_EQ(sink.CheckContentLength(10).code(), StatusCode::kResourceExhausted);
  EXPECT_TRUE(sink.CheckContentLength(9).ok());
  ASSERT_TRUE(sink.Start(false, 0).ok());
  EXPECT_TRUE(Feed(sink, std::string(300000, 'b'), 70000).ok());
  EXPECT_EQ(sink.body().size(), 300000u);
}

TEST(BodySinkTest, GzipInAnyPieceSizeAndMultipleMembers) {
  std::string plain;
  for (int i = 0; i < 30000; ++i) plain += "series_" + std::to_string(i % 97) + " 1\n";
  const std::string gz = testing::Gzip(plain) + testing::Gzip("tail 1\n");
  BodySink sink;
  for (size_t piece : {1ul, 7ul, 4096ul, gz.size()}) {
    ASSERT_TRUE(sink.Start(true, 0).ok());
    ASSERT_TRUE(Feed(sink, gz, piece).ok()) << piece;
    EXPECT_EQ(sink.body(), plain + "tail 1\n");
    EXPECT_EQ(sink.wire_bytes(), gz.size());
  }
}

TEST(BodySinkTest, GzipLimitOnInflatedBytes) {
  const std::string gz = testing::Gzip(std::string(5000, 'q'));
  BodySink sink;
  ASSERT_TRUE(sink.Start(true, 5001).ok());
  EXPECT_TRUE(Feed(sink, gz, 100).ok());
  ASSERT_TRUE(sink.Start(true, 5000).ok());
  EXPECT_EQ(Feed(sink, gz, 100).code(), StatusCode::kResourceExhausted);
  EXPECT_LE(sink.capacity(), 64u * 1024);
}

TEST(BodySinkTest, CorruptAndTruncatedGzip) {
  const std::string gz = testing::Gzip("abc 1\n");
  BodySink sink;
  ASSERT_TRUE(sink.Start(true, 0).ok());
  EXPECT_EQ(Feed(sink, "plain text", 3).code(), StatusCode::kCorruption);
  ASSERT_TRUE(sink.Start(true, 0).ok());
  util::Status st = Feed(sink, gz.substr(0, gz.size() - 4), 3);
  EXPECT_EQ(st.code(), StatusCode::kCorruption);
  EXPECT_EQ(st.message(), "gzip: unexpected EOF");
  ASSERT_TRUE(sink.Start(true, 0).ok());
  EXPECT_EQ(sink.Finish().code(), StatusCode::kCorruption);  // empty gzip body
  ASSERT_TRUE(sink.Start(true, 0).ok());  // usable again after errors
  EXPECT_TRUE(Feed(sink, gz, 5).ok());
  EXPECT_EQ(sink.body(), "abc 1\n");
}

}  // namespace
}  // namespace kubescrape::net
