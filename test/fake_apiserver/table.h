#pragma once
// Server-side printing: the meta.k8s.io/v1 Table representation `kubectl
// get` asks for (Accept: application/json;as=Table;v=v1;g=meta.k8s.io).
// Pods get the columns of the API server's pod printer (Name, Ready,
// Status, Restarts, Age, and at priority 1 IP, Node, Nominated Node,
// Readiness Gates); namespaces and nodes their usual columns.
//
// Thread-safety: pure functions.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "test/fake_apiserver/object_store.h"
#include "util/clock.h"

namespace kubescrape::fake_apiserver {

struct TableOptions {
  // includeObject: "None", "Metadata" (default) or "Object".
  std::string include_object = "Metadata";
  bool include_column_definitions = true;
  // For the Age column, read when rendering (a watch renders over time).
  // REQUIRES: set, and outlives the options.
  const util::Clock* clock = nullptr;
};

// A Table of `objects` with list metadata (resourceVersion, and continue /
// remainingItemCount when set).
std::string RenderTable(const ResourceType& type, const std::vector<ObjectPtr>& objects, const TableOptions& options,
                        uint64_t list_resource_version, std::string_view continue_token = "",
                        std::optional<int64_t> remaining_items = std::nullopt);

// kubectl's duration.HumanDuration: "45s", "5m30s", "3h", "2d4h", ...
std::string HumanDuration(int64_t seconds);

}  // namespace kubescrape::fake_apiserver
