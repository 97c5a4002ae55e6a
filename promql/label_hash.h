#pragma once
// Prometheus's label-set hash, for the places where PromQL's output depends
// on it (limit_ratio picks series by hash).
//
// Prometheus 3's default build stores a label set as one string of
// length-prefixed names and values (labels_stringlabels.go) and hashes that
// string with xxHash64 (seed 0). PrometheusLabelsHash reproduces that value,
// so limit_ratio keeps the same series as Prometheus does.
//
// Thread-safety: pure functions.

#include <cstdint>
#include <string_view>

#include "model/labels.h"

namespace kubescrape::promql {

// xxHash64 of `data` with seed 0 (the XXH64 specification).
uint64_t XxHash64(std::string_view data);

// xxHash64 of the stringlabels encoding of `labels`: for each label in name
// order, size(name) name size(value) value, where a size below 255 is one
// byte and a larger one is 0xff followed by 3 little-endian bytes.
uint64_t PrometheusLabelsHash(const model::Labels& labels);

}  // namespace kubescrape::promql
