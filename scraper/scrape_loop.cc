#include "scraper/scrape_loop.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "net/http_fetcher.h"
#include "scraper/protocol.h"
#include "util/logging.h"

namespace kubescrape::scraper {
namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

// Prometheus's ScrapeTimestampTolerance.
std::chrono::nanoseconds AlignTolerance(std::chrono::nanoseconds interval) {
  return std::min<std::chrono::nanoseconds>(interval / 100, 2ms);
}

}  // namespace

std::shared_ptr<ScrapeLoop> ScrapeLoop::Create(asio::any_io_executor executor, Target target,
                                               std::shared_ptr<const ScrapeConfig> config, tsdb::Storage& storage,
                                               const util::Clock& clock, Options options) {
  return std::shared_ptr<ScrapeLoop>(
      new ScrapeLoop(std::move(executor), std::move(target), std::move(config), storage, clock, std::move(options)));
}

ScrapeLoop::ScrapeLoop(asio::any_io_executor executor, Target target, std::shared_ptr<const ScrapeConfig> config,
                       tsdb::Storage& storage, const util::Clock& clock, Options options)
    : strand_(asio::make_strand(executor)),
      target_(std::move(target)),
      clock_(clock),
      options_(std::move(options)),
      config_(config),
      processor_(config, target_.series_labels, storage, clock),
      timer_(strand_) {
  accept_ = AcceptHeader(config_->scrape_protocols, config_->name_escaping);
}

ScrapeLoop::~ScrapeLoop() = default;

void ScrapeLoop::Start() {
  asio::co_spawn(strand_, [self = shared_from_this()]() { return self->Run(); }, asio::detached);
}

void ScrapeLoop::Stop(bool end_of_run_staleness) {
  end_of_run_staleness_ = end_of_run_staleness;
  stopping_ = true;
  asio::dispatch(strand_, [self = shared_from_this()] {
    // An in-flight scrape finishes (it is bounded by the timeout): cutting
    // it short would report the target down.
    self->timer_.cancel();
  });
}

void ScrapeLoop::UpdateConfig(std::shared_ptr<const ScrapeConfig> config) {
  asio::dispatch(strand_, [self = shared_from_this(), config = std::move(config)]() mutable {
    self->accept_ = AcceptHeader(config->scrape_protocols, config->name_escaping);
    // New credentials or TLS settings: a new client before the next scrape
    // (not now: a fetch may be in flight on this strand).
    if (!(config->http_client == self->config_->http_client)) self->reopen_fetcher_ = true;
    self->processor_.SetConfig(config);
    self->config_ = std::move(config);
  });
}

TargetHealth ScrapeLoop::Health() const {
  std::lock_guard<std::mutex> lock(health_mu_);
  return health_;
}

asio::awaitable<void> ScrapeLoop::Run() {
  // The fetcher is opened by the first scrape (ScrapeOnce), which reports a
  // set-up failure (bad TLS files...) as a failed scrape and retries it.
  const auto interval = std::chrono::duration_cast<std::chrono::nanoseconds>(target_.interval);
  const auto wall_now = clock_.Now();
  auto offset = ScrapeOffset(target_.hash, options_.offset_seed, interval, wall_now.time_since_epoch());
  // The ideal tick in wall time and in monotonic time advance together.
  auto ideal_wall = wall_now + std::chrono::duration_cast<util::Clock::TimePoint::duration>(offset);
  auto tick = std::chrono::steady_clock::now() + offset;
  boost::system::error_code ec;
  while (!stopping_) {
    timer_.expires_at(tick);
    co_await timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    if (stopping_) break;
    auto start = clock_.Now();
    auto drift = start - ideal_wall;
    if (drift < 0s) drift = -drift;
    if (drift <= AlignTolerance(interval)) start = ideal_wall;
    co_await ScrapeOnce(start);
    // Next tick; skip ticks missed while a scrape overran (as a Go ticker drops them).
    auto now = std::chrono::steady_clock::now();
    do {
      tick += interval;
      ideal_wall += std::chrono::duration_cast<util::Clock::TimePoint::duration>(interval);
    } while (tick <= now);
  }
  if (end_of_run_staleness_) co_await EndOfRunStaleness(tick);
}

void ScrapeLoop::SetForcedError(std::string error) {
  std::lock_guard<std::mutex> lock(health_mu_);
  forced_error_ = std::move(error);
}

std::string ScrapeLoop::forced_error() const {
  std::lock_guard<std::mutex> lock(health_mu_);
  return forced_error_;
}

asio::awaitable<void> ScrapeLoop::ScrapeOnce(util::Clock::TimePoint start) {
  const ScrapeConfig& cfg = *config_;
  util::StatusOr<FetchedBody> fetched = util::UnavailableError("scrape not attempted");
  std::string forced;
  {
    std::lock_guard<std::mutex> lock(health_mu_);
    forced = forced_error_;
  }
  if (!forced.empty()) fetched = util::FailedPreconditionError(forced);
  if (reopen_fetcher_) {
    fetcher_.reset();
    reopen_fetcher_ = false;
  }
  if (!fetcher_) {
    auto opened = net::HttpFetcher::Open(strand_, cfg.http_client, options_.user_agent);
    if (opened.ok()) {
      fetcher_ = std::move(*opened);
    } else {
      fetched = opened.status();
    }
  }
  if (fetcher_ && forced.empty()) {
    net::FetchRequest req;
    req.scheme = target_.scheme;
    req.host_port = target_.host_port;
    req.target = target_.request_target;
    req.accept = accept_;
    req.gzip = cfg.enable_compression;
    req.timeout = std::chrono::duration_cast<std::chrono::nanoseconds>(target_.timeout);
    req.body_size_limit = cfg.limits.body_size_limit;
    util::StatusOr<net::FetchResponse> resp = co_await fetcher_->Fetch(req);
    if (resp.ok()) {
      fetched = FetchedBody{resp->content_type, resp->body};
    } else {
      fetched = resp.status();
    }
  }
  ScrapeReport report = processor_.Process(start, fetched);
  if (!report.error.ok()) {
    util::log::Debug("Scrape failed", {{"scrape_pool", cfg.job_name}, {"target", target_.Url()},
                                 {"err", report.error.message()}});
  } else if (!report.warning.empty()) {
    util::log::Warn("Scrape warning", {{"scrape_pool", cfg.job_name}, {"target", target_.Url()},
                                 {"warning", report.warning}});
  }
  std::lock_guard<std::mutex> lock(health_mu_);
  health_.state = report.up() ? TargetHealth::State::kUp : TargetHealth::State::kDown;
  health_.last_error = report.error.ok() ? "" : report.error.message();
  health_.last_scrape_ms = report.timestamp_ms;
  health_.last_duration_seconds = report.duration_seconds;
  health_.last_samples = report.samples_scraped;
}

asio::awaitable<void> ScrapeLoop::EndOfRunStaleness(std::chrono::steady_clock::time_point next_tick) {
  // The first tick this loop missed, in wall time.
  const auto missed_wall = clock_.Now() + (next_tick - std::chrono::steady_clock::now());
  const auto interval = std::chrono::duration_cast<std::chrono::nanoseconds>(target_.interval);
  boost::system::error_code ec;
  timer_.expires_at(next_tick + 2 * interval + interval / 10);
  co_await timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return;  // cancelled: shutting down
  processor_.MarkAllStale(
      std::chrono::duration_cast<std::chrono::milliseconds>(missed_wall.time_since_epoch()).count());
}

}  // namespace kubescrape::scraper
