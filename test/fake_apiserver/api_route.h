#pragma once
// Internal to api*.cc: a resolved /api/v1/... path.

#include <string>

#include "test/fake_apiserver/api.h"

namespace kubescrape::fake_apiserver {

struct Api::Route {
  const ResourceType* type = nullptr;
  std::string ns;            // "" for cluster-scoped types and cluster-wide lists
  std::string name;          // "" for the collection
  std::string subresource;   // "" or "status"
  bool legacy_watch = false;  // /api/v1/watch/...

  // The store key prefix of the collection: "ns/" or "".
  std::string KeyPrefix() const { return ns.empty() ? "" : ns + "/"; }
};

}  // namespace kubescrape::fake_apiserver
