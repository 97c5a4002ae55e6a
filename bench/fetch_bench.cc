// HttpFetcher::Fetch over loopback keep-alive: the client side of every
// scrape. A plain blocking server thread answers each request with a fixed
// text-format body (62 KB, the size of one bench/targets.py target), so the
// CPU time measured on the benchmark thread is the fetcher's alone: request
// write, header parse, body reads, the reactor round trips in between.
//
//   ./build-bench/bench/fetch_bench --benchmark_min_time=1
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <benchmark/benchmark.h>

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <thread>

#include "net/http_fetcher.h"

namespace kubescrape::net {
namespace {

std::string MetricsBody(size_t bytes) {
  std::string body;
  for (int i = 0; body.size() < bytes; ++i) {
    body += "node_cpu_seconds_total{cpu=\"" + std::to_string(i % 64) + "\",mode=\"user\"} " +
            std::to_string(1000.25 + i) + "\n";
  }
  return body;
}

// Answers every request on every connection with `response`, until stopped.
class BlockingServer {
 public:
  explicit BlockingServer(std::string response) : response_(std::move(response)) {
    listen_fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(addr);
    if (listen_fd_ < 0 || bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
        listen(listen_fd_, 4) != 0 || getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      std::perror("fetch_bench: listen");
      std::exit(1);
    }
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~BlockingServer() {
    stop_ = true;
    shutdown(listen_fd_, SHUT_RDWR);
    if (conn_fd_ >= 0) shutdown(conn_fd_, SHUT_RDWR);
    thread_.join();
    close(listen_fd_);
  }
  std::string host_port() const { return "127.0.0.1:" + std::to_string(port_); }

 private:
  void Serve() {
    while (!stop_) {
      int fd = accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) return;
      conn_fd_ = fd;
      std::string pending;
      char buf[4096];
      for (;;) {
        ssize_t n = read(fd, buf, sizeof(buf));
        if (n <= 0) break;
        pending.append(buf, static_cast<size_t>(n));
        size_t end;
        while ((end = pending.find("\r\n\r\n")) != std::string::npos) {
          pending.erase(0, end + 4);
          if (!WriteAll(fd)) break;
        }
      }
      close(fd);
      conn_fd_ = -1;
    }
  }
  bool WriteAll(int fd) {
    size_t done = 0;
    while (done < response_.size()) {
      ssize_t n = write(fd, response_.data() + done, response_.size() - done);
      if (n <= 0) return false;
      done += static_cast<size_t>(n);
    }
    return true;
  }

  const std::string response_;
  int listen_fd_ = -1;
  std::atomic<int> conn_fd_{-1};
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

void BM_FetchKeepAlive(benchmark::State& state) {
  const std::string body = MetricsBody(static_cast<size_t>(state.range(0)));
  BlockingServer server("HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\n"
                        "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
  boost::asio::io_context ioc(1);
  auto fetcher = HttpFetcher::Open(ioc.get_executor(), model::HttpClientConfig(), "fetch_bench");
  if (!fetcher.ok()) {
    state.SkipWithError(fetcher.status().ToString().c_str());
    return;
  }
  FetchRequest request;
  request.scheme = "http";
  request.host_port = server.host_port();
  request.target = "/metrics";
  request.accept = "text/plain;version=0.0.4";
  request.gzip = false;
  for (auto _ : state) {
    std::optional<util::StatusOr<FetchResponse>> result;
    boost::asio::co_spawn(
        ioc, [&]() -> boost::asio::awaitable<void> { result.emplace(co_await (*fetcher)->Fetch(request)); },
        boost::asio::detached);
    ioc.restart();
    ioc.run();
    if (!result || !result->ok() || (*result)->body.size() != body.size()) {
      state.SkipWithError("fetch failed");
      break;
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * body.size()));
  state.counters["connections"] = static_cast<double>((*fetcher)->connections_opened());
  (*fetcher).reset();
}
BENCHMARK(BM_FetchKeepAlive)->Arg(62 * 1024)->Arg(1 << 20)->UseRealTime();

}  // namespace
}  // namespace kubescrape::net

BENCHMARK_MAIN();
