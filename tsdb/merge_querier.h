#pragma once
// A Querier over several others whose data may overlap in time: the Db's
// view of its blocks plus the head (Prometheus's mergeGenericQuerier with
// the chaining series merger).
//
//  - Select() merges the sorted series sets; a series present in several
//    queriers is one series whose samples are the union in time order; at
//    equal timestamps the querier listed first wins and the others' samples
//    are dropped.
//  - LabelNames()/LabelValues() are the sorted union.
//  - The first error of any part is the set's (or call's) error.
//
// Thread-safety: as any Querier (one caller at a time).

#include <memory>
#include <vector>

#include "tsdb/storage.h"

namespace kubescrape::tsdb {

// REQUIRES: the queriers cover the same [mint, maxt]. With one querier it is
// returned as is; with none, an empty querier.
std::unique_ptr<Querier> NewMergeQuerier(std::vector<std::unique_ptr<Querier>> queriers);

// The samples of `its` merged by time (first wins on equal timestamps).
// REQUIRES: its non-empty.
std::unique_ptr<SampleIterator> NewMergedSampleIterator(std::vector<std::unique_ptr<SampleIterator>> its);

}  // namespace kubescrape::tsdb
