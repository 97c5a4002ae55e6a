#pragma once
// Relabel traces for humans: the label set after each rule, what the rule
// added, changed or removed, and the verdict. Used by `scrapectl relabel` and
// by the failure reports of `scrapectl test relabel`.
//
// Thread-safety: pure functions.

#include <span>
#include <string>
#include <vector>

#include "model/labels.h"
#include "relabel/rule.h"

namespace kubescrape::scrapectl {

struct TraceStep {
  size_t rule_index;     // 0-based
  model::Labels after;   // labels after the rule (as the rule left them)
  bool keep;
};

struct Trace {
  model::Labels input;
  std::vector<TraceStep> steps;  // stops at the first dropping rule
  bool kept = true;
  model::Labels output;          // final labels when kept
};

// Runs `rules` on `input`, recording every step.
Trace RunTrace(std::span<const relabel::Rule> rules, const model::Labels& input);

// The differences from `before` to `after`, one per line, prefixed:
// "+ name=\"v\"" added, "~ name: \"old\" -> \"new\"" changed, "- name=\"v\"" removed.
std::vector<std::string> DiffLabels(const model::Labels& before, const model::Labels& after);

// A readable, indented report:
//   input:   {a="1"}
//   rule 1:  {source_labels: [a], regex: "1", action: keep}
//            kept, no change
//   rule 2:  {...}
//            + b="2"
//   result:  kept {a="1", b="2"}      (or: dropped by rule 3)
std::string FormatTrace(std::span<const relabel::Rule> rules, const Trace& trace, std::string_view indent = "");

}  // namespace kubescrape::scrapectl
