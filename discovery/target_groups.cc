#include "discovery/target_groups.h"

#include <string>

namespace kubescrape::discovery {

std::vector<model::TargetGroup> StaticGroups(const std::vector<StaticConfig>& configs) {
  std::vector<model::TargetGroup> out;
  out.reserve(configs.size());
  for (size_t i = 0; i < configs.size(); ++i) {
    model::TargetGroup g = configs[i].group;
    g.source = std::to_string(i);
    out.push_back(std::move(g));
  }
  return out;
}

bool TargetGroupsEqual(const model::TargetGroup& a, const model::TargetGroup& b) {
  return a.source == b.source && a.labels == b.labels && a.targets == b.targets;
}

}  // namespace kubescrape::discovery
