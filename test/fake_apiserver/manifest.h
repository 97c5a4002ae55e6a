#pragma once
// Reads the objects to preload into the fake API server from a file's text:
// a JSON or YAML document (or a YAML stream of documents separated by
// `---`), each a Pod, Namespace or Node, or a list (kind List, PodList, ...
// with `items`). YAML scalars become JSON values the way Kubernetes reads
// them: unquoted numbers, booleans and null keep their type.
//
// Thread-safety: pure functions.

#include <string>
#include <string_view>
#include <vector>

#include "test/fake_apiserver/resource.h"
#include "util/status.h"

namespace kubescrape::fake_apiserver {

struct ManifestObject {
  const ResourceType* type = nullptr;
  std::string json;
};

// InvalidArgument for unparsable text ("line:col: message") or an object
// of a kind the fake does not serve.
util::StatusOr<std::vector<ManifestObject>> ParseManifests(std::string_view text);

}  // namespace kubescrape::fake_apiserver
