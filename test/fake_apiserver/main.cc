// fake_apiserver: a Kubernetes API server for demos and manual tests.
//
//   fake_apiserver [--listen 127.0.0.1:0] [--tls|--no-tls] [--token T]
//                  [--pods FILE] [--kubeconfig-out PATH] [--bookmark-interval-ms N]
//
// Prints the server URL on stdout once it serves, then runs until SIGINT or
// SIGTERM. With --kubeconfig-out, `kubectl --kubeconfig PATH get pods -A -w`
// works against it. See docs/fake-apiserver.md.
#include <signal.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "test/fake_apiserver/fake_apiserver.h"
#include "test/fake_apiserver/manifest.h"
#include "util/flags.h"

namespace fa = kubescrape::fake_apiserver;
namespace util = kubescrape::util;

namespace {

// "host:port", "[v6]:port" or ":port".
bool SplitHostPort(const std::string& s, std::string* host, uint16_t* port) {
  size_t colon = s.rfind(':');
  if (colon == std::string::npos) return false;
  *host = s.substr(0, colon);
  if (host->size() >= 2 && host->front() == '[' && host->back() == ']') *host = host->substr(1, host->size() - 2);
  if (host->empty()) *host = "0.0.0.0";
  char* end = nullptr;
  long p = std::strtol(s.c_str() + colon + 1, &end, 10);
  if (*end != '\0' || p < 0 || p > 65535 || colon + 1 == s.size()) return false;
  *port = static_cast<uint16_t>(p);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  std::string listen = "127.0.0.1:0";
  bool tls = true;
  std::string token;
  std::string pods_file;
  std::string kubeconfig_out;
  std::string bookmark_ms = "60000";
  util::FlagSet flags("fake_apiserver");
  flags.String("listen", &listen, "Address to listen on (host:port; port 0 picks one).");
  flags.Bool("tls", &tls, "Serve HTTPS with a CA and certificate generated at start (--no-tls: plain HTTP).");
  flags.String("token", &token, "Bearer token clients must send (default: no authentication).");
  flags.String("pods", &pods_file, "A PodList (JSON) or YAML documents with pods, namespaces or nodes to load at start.");
  flags.String("kubeconfig-out", &kubeconfig_out, "Write a kubeconfig for this server (URL, CA data, token) here.");
  flags.String("bookmark-interval-ms", &bookmark_ms, "Interval between BOOKMARK events on watches that allow them.");
  std::vector<std::string> args(argv + 1, argv + argc);
  if (util::Status s = flags.Parse(args); !s.ok()) {
    std::cerr << "fake_apiserver: " << s.message() << "\n" << flags.Usage();
    return 2;
  }
  if (flags.help_requested()) {
    std::cout << flags.Usage();
    return 0;
  }
  fa::FakeApiServer::Options options;
  if (!SplitHostPort(listen, &options.address, &options.port)) {
    std::cerr << "fake_apiserver: --listen: expected host:port, got \"" << listen << "\"\n";
    return 2;
  }
  char* end = nullptr;
  long long ms = std::strtoll(bookmark_ms.c_str(), &end, 10);
  if (*end != '\0' || ms <= 0) {
    std::cerr << "fake_apiserver: --bookmark-interval-ms: a positive integer is required\n";
    return 2;
  }
  options.tls = tls;
  options.token = token;
  options.bookmark_interval = std::chrono::milliseconds(ms);

  // Block the stop signals before any thread starts, then wait for them.
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);

  auto server = fa::FakeApiServer::Start(options);
  if (!server.ok()) {
    std::cerr << "fake_apiserver: " << server.status().message() << "\n";
    return 1;
  }
  if (!pods_file.empty()) {
    std::ifstream in(pods_file, std::ios::binary);
    if (!in) {
      std::cerr << "fake_apiserver: cannot read " << pods_file << "\n";
      return 1;
    }
    std::stringstream text;
    text << in.rdbuf();
    auto objects = fa::ParseManifests(text.str());
    if (!objects.ok()) {
      std::cerr << "fake_apiserver: " << pods_file << ": " << objects.status().message() << "\n";
      return 1;
    }
    for (const fa::ManifestObject& obj : *objects) {
      auto created = (*server)->CreateObject(*obj.type, obj.json);
      if (!created.ok()) {
        std::cerr << "fake_apiserver: " << pods_file << ": " << created.status().message() << "\n";
        return 1;
      }
    }
  }
  if (!kubeconfig_out.empty()) {
    if (util::Status s = (*server)->WriteKubeconfig(kubeconfig_out); !s.ok()) {
      std::cerr << "fake_apiserver: " << s.message() << "\n";
      return 1;
    }
  }
  std::cout << (*server)->url() << std::endl;
  int sig = 0;
  sigwait(&stop, &sig);
  return 0;
}
