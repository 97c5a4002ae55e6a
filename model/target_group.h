#pragma once
// TargetGroup: what a discoverer emits. A set of targets sharing group-level
// labels, identified by `source` within its discoverer. A group with no
// targets and a known source means "that group is gone".
//
// Thread-safety: a plain value; immutable once published.

#include <string>
#include <vector>

#include "model/labels.h"

namespace kubescrape::model {

struct TargetGroup {
  std::string source;
  Labels labels;                 // common to every target; a target's own labels win
  std::vector<Labels> targets;   // each holds at least __address__
};

}  // namespace kubescrape::model
