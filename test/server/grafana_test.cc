// Grafana's Prometheus datasource, replayed against the daemon over HTTP:
// the health check, the calls its editor makes on load (buildinfo, rules,
// exemplar probe, metric names, label names, metadata, label values,
// series) and a panel's range query, with the methods Grafana uses (POST
// form bodies where it may). The daemon scrapes its own /metrics so there
// is data; storage is in memory.
#include <gtest/gtest.h>

#include <rapidjson/document.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <fmt/format.h>

#include "server/server.h"
#include "test/testing/subprocess.h"
#include "tsdb/memory_storage.h"
#include "util/clock.h"

namespace kubescrape {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

struct Reply {
  int status = 0;
  std::string content_type;
  rapidjson::Document json;
};

// One HTTP/1.1 exchange with Connection: close.
Reply Call(uint16_t port, const std::string& method, const std::string& target, const std::string& form = "") {
  asio::io_context ioc;
  asio::ip::tcp::socket s(ioc);
  s.connect({asio::ip::make_address("127.0.0.1"), port});
  std::string req = fmt::format("{} {} HTTP/1.1\r\nHost: localhost\r\nUser-Agent: Grafana/11.0.0\r\nConnection: close\r\n",
                                method, target);
  if (method == "POST") {
    req += fmt::format("Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n", form.size());
  }
  req += "\r\n" + form;
  asio::write(s, asio::buffer(req));
  std::string raw;
  boost::system::error_code ec;
  char buf[8192];
  for (;;) {
    size_t n = s.read_some(asio::buffer(buf), ec);
    raw.append(buf, n);
    if (ec) break;
  }
  Reply r;
  r.status = std::stoi(raw.substr(9, 3));
  size_t ct = raw.find("Content-Type: ");
  if (ct != std::string::npos) r.content_type = raw.substr(ct + 14, raw.find("\r\n", ct) - ct - 14);
  size_t body = raw.find("\r\n\r\n");
  r.json.Parse(raw.c_str() + body + 4);
  EXPECT_FALSE(r.json.HasParseError()) << raw;
  return r;
}

bool HasString(const rapidjson::Value& array, const char* s) {
  for (const auto& v : array.GetArray()) {
    if (v.IsString() && std::string(v.GetString()) == s) return true;
  }
  return false;
}

TEST(GrafanaTest, DatasourceCallsSucceedWithPrometheusShapes) {
  const int port = testing::FreePort();
  auto dir = std::filesystem::temp_directory_path() / fmt::format("ks-grafana-{}", getpid());
  std::filesystem::create_directories(dir);
  const std::string config = (dir / "prometheus.yml").string();
  std::ofstream(config) << fmt::format(
      "global: {{scrape_interval: 1s}}\nscrape_configs:\n- job_name: kubescrape\n"
      "  static_configs: [{{targets: ['127.0.0.1:{}']}}]\n",
      port);
  tsdb::MemoryStorage storage;
  server::ServerOptions opts;
  opts.config_file = config;
  opts.threads = 2;
  opts.discovery_update_interval = 100ms;
  opts.handle_signals = false;
  opts.listen_address = fmt::format("127.0.0.1:{}", port);
  auto server = server::Server::Open(opts, storage, util::FileSystem::Default(), util::SystemClock::Default());
  ASSERT_TRUE(server.ok()) << server.status().message();
  std::thread runner([&] { (*server)->Run(); });
  const uint16_t p = static_cast<uint16_t>(port);

  // Wait for the first self-scrape.
  bool scraped = false;
  for (int i = 0; i < 200 && !scraped; ++i) {
    Reply up = Call(p, "GET", "/api/v1/query?query=up");
    scraped = up.json["data"]["result"].Size() > 0;
    if (!scraped) std::this_thread::sleep_for(50ms);
  }
  ASSERT_TRUE(scraped);
  const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::system_clock::now().time_since_epoch()).count();

  // "Save & test".
  Reply health = Call(p, "POST", "/api/v1/query", "query=1%2B1&time=4");
  EXPECT_EQ(health.status, 200);
  EXPECT_STREQ(health.content_type.c_str(), "application/json");
  EXPECT_STREQ(health.json["data"]["resultType"].GetString(), "scalar");
  EXPECT_EQ(health.json["data"]["result"][0].GetDouble(), 4);
  EXPECT_STREQ(health.json["data"]["result"][1].GetString(), "2");
  Reply build = Call(p, "GET", "/api/v1/status/buildinfo");
  EXPECT_STREQ(build.json["status"].GetString(), "success");
  EXPECT_FALSE(build.json["data"].HasMember("features"));  // else Grafana assumes Mimir

  // The editor's start-up calls.
  EXPECT_EQ(Call(p, "GET", "/api/v1/rules").json["data"]["groups"].Size(), 0u);
  Reply exemplars = Call(p, "GET", fmt::format("/api/v1/query_exemplars?query=test&start={}000&end={}000", now - 3600, now));
  EXPECT_STREQ(exemplars.json["status"].GetString(), "success");
  Reply names = Call(p, "GET", fmt::format("/api/v1/label/__name__/values?start={}&end={}&limit=40000", now - 3600, now + 60));
  EXPECT_TRUE(HasString(names.json["data"], "up"));
  EXPECT_TRUE(HasString(names.json["data"], "prometheus_build_info"));
  Reply labels = Call(p, "POST", "/api/v1/labels", fmt::format("start={}&end={}&limit=40000", now - 3600, now + 60));
  EXPECT_TRUE(HasString(labels.json["data"], "job"));
  EXPECT_TRUE(Call(p, "GET", "/api/v1/metadata").json["data"].IsObject());
  Reply jobs = Call(p, "GET", fmt::format("/api/v1/label/job/values?match%5B%5D=up&start={}&end={}", now - 3600, now + 60));
  EXPECT_TRUE(HasString(jobs.json["data"], "kubescrape"));
  Reply series = Call(p, "POST", "/api/v1/series",
                      fmt::format("match%5B%5D=%7B__name__%21%3D%22%22%7D&start={}&end={}&limit=40000", now - 3600, now + 60));
  EXPECT_GT(series.json["data"].Size(), 5u);

  // A panel: rate over the self-scraped counters, start/end aligned to the step.
  Reply range = Call(p, "POST", "/api/v1/query_range",
                     fmt::format("query=sum%20by%20(job)%20(up)&start={}&end={}&step=1", now - 5, now + 1));
  EXPECT_EQ(range.status, 200);
  EXPECT_STREQ(range.json["data"]["resultType"].GetString(), "matrix");
  ASSERT_EQ(range.json["data"]["result"].Size(), 1u);
  EXPECT_STREQ(range.json["data"]["result"][0]["metric"]["job"].GetString(), "kubescrape");

  // Errors are JSON, never HTML.
  Reply bad = Call(p, "POST", "/api/v1/query", "query=rate(up");
  EXPECT_EQ(bad.status, 400);
  EXPECT_STREQ(bad.json["errorType"].GetString(), "bad_data");
  Reply missing = Call(p, "GET", "/api/v1/labels/job/values");
  EXPECT_EQ(missing.status, 404);
  EXPECT_STREQ(missing.json["errorType"].GetString(), "not_found");

  (*server)->Shutdown();
  runner.join();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace kubescrape
