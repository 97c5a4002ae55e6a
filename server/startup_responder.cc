#include "server/startup_responder.h"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <thread>

#include "api/envelope.h"
#include "api/http_server.h"
#include "api/router.h"

namespace kubescrape::server {
struct StartupResponder::Impl {
  boost::asio::io_context ioc{1};
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work{ioc.get_executor()};
  api::Router router;
  std::unique_ptr<api::HttpServer> http;
  std::thread thread;
};

util::StatusOr<std::unique_ptr<StartupResponder>> StartupResponder::Open(std::string_view listen_address) {
  auto impl = std::make_unique<Impl>();
  const std::set<std::string> all = {"GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS"};
  impl->router.Add({"GET"}, "/-/healthy", [](const api::HttpRequest&) { return api::TextResponse(200, "Kubescrape is Healthy.\n"); });
  impl->router.Add(all, "/", [](const api::HttpRequest&) { return api::TextResponse(503, "Service Unavailable\n"); });
  api::HttpServerOptions options;
  options.handler_threads = 1;
  KS_ASSIGN_OR_RETURN(impl->http, api::HttpServer::Open(impl->ioc.get_executor(), listen_address, impl->router, options));
  Impl* raw = impl.get();
  impl->thread = std::thread([raw] { raw->ioc.run(); });
  return std::unique_ptr<StartupResponder>(new StartupResponder(std::move(impl)));
}

StartupResponder::StartupResponder(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

StartupResponder::~StartupResponder() {
  impl_->http->Stop();
  impl_->work.reset();
  impl_->thread.join();  // the io_context runs out of work once the listener is gone
  impl_->http.reset();
}

uint16_t StartupResponder::port() const { return impl_->http->port(); }

}  // namespace kubescrape::server
