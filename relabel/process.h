#pragma once
// Applying relabel rules (Prometheus's relabel.ProcessBuilder).
//
// Rules run in order on a LabelsBuilder; the first keep/drop-type rule that
// rejects the set stops processing. Semantics per action follow Prometheus
// 3.x exactly (see docs/relabeling.md); notably a `replace` whose expansion
// is empty deletes the target label, and a `replace` whose expanded target is
// not a valid label name does nothing.
//
// Thread-safety: the functions are reentrant; each call needs its own
// builder. Rules are shared read-only.

#include <functional>
#include <optional>
#include <span>

#include "model/labels.h"
#include "model/labels_builder.h"
#include "relabel/rule.h"

namespace kubescrape::relabel {

// Applies `rules` to `lb`. Returns false when the set was dropped (lb is
// then left as the dropping rule saw it).
bool Process(std::span<const Rule> rules, model::LabelsBuilder& lb);

// Applies `rules` to `labels`; nullopt when dropped.
std::optional<model::Labels> Process(std::span<const Rule> rules, const model::Labels& labels);

// Like Process, calling `step(index, lb, keep)` after each rule that ran;
// stops after the first rule with keep == false.
using StepFn = std::function<void(size_t index, const model::LabelsBuilder& lb, bool keep)>;
bool ProcessTraced(std::span<const Rule> rules, model::LabelsBuilder& lb, const StepFn& step);

// Applies one rule. Returns false when it drops the set.
bool Apply(const Rule& rule, model::LabelsBuilder& lb);

// hashmod's value: MD5 of `value`, last 8 bytes as a big-endian integer,
// modulo `modulus` (bit-identical to Prometheus). REQUIRES: modulus > 0.
uint64_t HashMod(std::string_view value, uint64_t modulus);

}  // namespace kubescrape::relabel
