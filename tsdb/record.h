#pragma once
// WAL record payloads: what the head logs on commit and replays on start.
// The byte encoding is specified in docs/format/wal.md.
//
// Thread-safety: plain values and pure functions.

#include <cstdint>

#include "model/labels.h"
#include "tsdb/storage.h"

namespace kubescrape::tsdb {

// A series created by a commit: its head reference and labels.
struct RefSeries {
  SeriesRef ref = 0;
  model::Labels labels;
};

// A float sample appended by a commit.
struct RefSample {
  SeriesRef ref = 0;
  int64_t t = 0;
  double v = 0;
};

}  // namespace kubescrape::tsdb
