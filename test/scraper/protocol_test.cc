#include "scraper/protocol.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace kubescrape::scraper {
namespace {

TEST(AcceptHeaderTest, PrometheusDefault) {
  EXPECT_EQ(AcceptHeader(DefaultScrapeProtocols(), "allow-utf-8"),
            "application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,"
            "application/openmetrics-text;version=0.0.1;q=0.5,"
            "text/plain;version=1.0.0;escaping=allow-utf-8;q=0.4,"
            "text/plain;version=0.0.4;q=0.3,*/*;q=0.2");
  EXPECT_EQ(AcceptHeader({ScrapeProtocol::kPrometheusText0_0_4}, "underscores"),
            "text/plain;version=0.0.4;q=0.6,*/*;q=0.5");
  EXPECT_EQ(AcceptHeader({ScrapeProtocol::kPrometheusText1_0_0}, "underscores"),
            "text/plain;version=1.0.0;escaping=underscores;q=0.6,*/*;q=0.5");
}

TEST(ChooseFormatTest, KnownTypes) {
  EXPECT_EQ(ChooseFormat("text/plain; version=0.0.4", std::nullopt)->format, ExpositionFormat::kPrometheusText);
  EXPECT_EQ(ChooseFormat("application/openmetrics-text; version=1.0.0; charset=utf-8", std::nullopt)->format,
            ExpositionFormat::kOpenMetrics);
  EXPECT_EQ(ChooseFormat("Text/Plain", std::nullopt)->format, ExpositionFormat::kPrometheusText);
  // What prometheus_client under Flask really sends (a repeated parameter).
  auto flask = ChooseFormat("text/plain; version=0.0.4; charset=utf-8; charset=utf-8", std::nullopt);
  ASSERT_TRUE(flask.ok()) << flask.status().message();
  EXPECT_EQ(flask->format, ExpositionFormat::kPrometheusText);
  EXPECT_TRUE(flask->warning.empty());
}

TEST(ChooseFormatTest, FailuresAndFallback) {
  EXPECT_EQ(ChooseFormat("", std::nullopt).status().message(),
            "non-compliant scrape target sending blank Content-Type and no fallback_scrape_protocol specified for "
            "target");
  EXPECT_EQ(ChooseFormat("application/json", std::nullopt).status().message(),
            "received unsupported Content-Type \"application/json\" and no fallback_scrape_protocol specified for "
            "target");
  EXPECT_EQ(ChooseFormat("garbage", std::nullopt).status().message(),
            "cannot parse Content-Type \"garbage\" and no fallback_scrape_protocol for target");
  auto fb = ChooseFormat("application/json", ScrapeProtocol::kOpenMetricsText1_0_0);
  ASSERT_TRUE(fb.ok());
  EXPECT_EQ(fb->format, ExpositionFormat::kOpenMetrics);
  EXPECT_EQ(fb->warning,
            "received unsupported Content-Type \"application/json\", using fallback_scrape_protocol "
            "\"OpenMetricsText1.0.0\"");
}

}  // namespace
}  // namespace kubescrape::scraper
