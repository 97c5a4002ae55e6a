#pragma once
// Target-group helpers shared by the discoverers and the manager: the static
// discoverer (static_configs) and group equality.
//
// Thread-safety: pure functions.

#include <vector>

#include "discovery/config.h"
#include "model/target_group.h"

namespace kubescrape::discovery {

// The target groups of a job's static_configs, as Prometheus's static
// provider emits them: one group per entry, with source "0", "1", ... (the
// index of the entry within the job's static_configs). All of a job's
// static_configs form one provider.
std::vector<model::TargetGroup> StaticGroups(const std::vector<StaticConfig>& configs);

// True when `a` and `b` have the same source, group labels and targets in the
// same order (Prometheus's targetgroup.Group.Equal).
bool TargetGroupsEqual(const model::TargetGroup& a, const model::TargetGroup& b);

}  // namespace kubescrape::discovery
