// scrapectl tsdb create-blocks-from openmetrics (promtool's backfill): two
// passes over the file per block range, as promtool does, so memory is one
// block's worth of series.
#include <fmt/format.h>
#include <fmt/ostream.h>

#include <limits>
#include <random>

#include "cmd/scrapectl/commands.h"
#include "cmd/scrapectl/tsdb.h"
#include "scraper/textparse.h"
#include "tsdb/block.h"
#include "tsdb/block_writer.h"
#include "tsdb/head.h"
#include "tsdb/ulid.h"

namespace kubescrape::scrapectl {
namespace {

// Samples committed per appender (promtool's maxSamplesInAppender).
constexpr int kSamplesPerCommit = 5000;

struct TimeRange {
  int64_t min = std::numeric_limits<int64_t>::max();
  int64_t max = std::numeric_limits<int64_t>::min();
};

// Checks the whole file parses, every sample has a timestamp, and returns
// the time range.
util::StatusOr<TimeRange> ScanFile(std::string_view body) {
  scraper::TextParser p(scraper::ExpositionFormat::kOpenMetrics, body);
  TimeRange r;
  std::vector<model::Label> labels;
  for (;;) {
    switch (p.Next()) {
      case scraper::TextParser::Entry::kEof:
        return r;
      case scraper::TextParser::Entry::kError:
        return p.error();
      case scraper::TextParser::Entry::kSeries: {
        std::optional<int64_t> t = p.Timestamp();
        if (!t) {
          labels.clear();
          p.Labels(&labels);
          return util::InvalidArgumentError(
              fmt::format("expected timestamp for series {}, got none", model::Labels::FromUnsorted(labels).ToString()));
        }
        r.min = std::min(r.min, *t);
        r.max = std::max(r.max, *t);
        break;
      }
      default:
        break;
    }
  }
}

// Appends the samples in [mint, maxt) to `head`.
util::Status Load(std::string_view body, tsdb::Head& head, int64_t mint, int64_t maxt) {
  scraper::TextParser p(scraper::ExpositionFormat::kOpenMetrics, body);
  std::vector<model::Label> labels;
  std::unique_ptr<tsdb::Appender> app = head.NewAppender();
  int pending = 0;
  for (;;) {
    scraper::TextParser::Entry e = p.Next();
    if (e == scraper::TextParser::Entry::kEof) break;
    if (e == scraper::TextParser::Entry::kError) return p.error();
    if (e != scraper::TextParser::Entry::kSeries) continue;
    const int64_t t = *p.Timestamp();
    if (t < mint || t >= maxt) continue;
    labels.clear();
    p.Labels(&labels);
    model::Labels ls = model::Labels::FromUnsorted(labels);
    tsdb::AppendResult r = app->Append(0, ls, t, p.Value());
    if (r.error != tsdb::AppendError::kNone) {
      return util::InvalidArgumentError(fmt::format("add sample for series {} at {}: {}", ls.ToString(), t,
                                                    tsdb::AppendErrorName(r.error)));
    }
    if (++pending == kSamplesPerCommit) {
      KS_RETURN_IF_ERROR(app->Commit());
      app = head.NewAppender();
      pending = 0;
    }
  }
  return app->Commit();
}

// promtool's getCompatibleBlockDuration: 2 h, or the largest of 2 h * 3^k
// (k < 10) not above the maximum asked for.
int64_t CompatibleBlockDuration(int64_t max_ms) {
  constexpr int64_t kDefault = 2 * 3600 * 1000;
  int64_t d = kDefault;
  for (int k = 1; k < 10 && d * 3 <= max_ms; ++k) d *= 3;
  return d;
}

std::string NewRandomUlid(int64_t now_ms) {
  std::random_device rd;
  const uint64_t hi = (static_cast<uint64_t>(rd()) << 32) | rd();
  const uint64_t lo = (static_cast<uint64_t>(rd()) << 32) | rd();
  return tsdb::NewUlid(now_ms, hi, lo);
}

}  // namespace

void PrintBlockTable(const std::vector<tsdb::BlockMeta>& metas, const std::vector<uint64_t>& sizes,
                     bool human_readable, std::ostream& out);

int CreateBlocksFromOpenMetrics(const CreateBlocksOptions& o, std::ostream& out, std::ostream& err,
                                util::FileSystem& fs) {
  // Mapped, not read: backfill files run to gigabytes.
  util::StatusOr<std::unique_ptr<util::MappedFile>> mapped = fs.MapFile(o.input_file);
  if (!mapped.ok()) {
    fmt::print(err, "getting min and max timestamp: {}\n", mapped.status().message());
    return kExitFailure;
  }
  const std::string_view body_view = (*mapped)->data();
  if (body_view.size() >= (uint64_t{4} << 30)) {
    // The parser addresses a body with 32-bit offsets.
    fmt::print(err, "{}: {} bytes: files of 4 GiB or more are not supported; split it at a metric family "
                    "boundary (each part ending with \"# EOF\") and import the parts one after the other\n",
               o.input_file, body_view.size());
    return kExitFailure;
  }
  util::StatusOr<TimeRange> range = ScanFile(body_view);
  if (!range.ok()) {
    fmt::print(err, "getting min and max timestamp: {}: {}\n", o.input_file, range.status().message());
    return kExitFailure;
  }
  if (range->min > range->max) {
    fmt::print(err, "no samples in {}\n", o.input_file);
    return kExitOk;
  }
  if (util::Status s = fs.CreateDirAll(o.output_dir); !s.ok()) {
    fmt::print(err, "create output dir: {}\n", s.message());
    return kExitFailure;
  }
  const int64_t d = CompatibleBlockDuration(o.max_block_duration_ms);
  // Aligned down (Go's truncating division, as promtool).
  const int64_t first = d * (range->min / d);
  std::vector<tsdb::BlockMeta> written;
  std::vector<uint64_t> sizes;
  for (int64_t t = first; t <= range->max; t += d) {
    // Twice the block duration, as promtool's block writer: a series may
    // start anywhere in the range after another one ended.
    tsdb::HeadOptions head_options;
    head_options.chunk_range_ms = 2 * d;
    head_options.stripe_bits = 10;
    tsdb::Head head(head_options);
    if (util::Status s = Load(body_view, head, t, t + d); !s.ok()) {
      fmt::print(err, "process blocks: {}\n", s.message());
      return kExitFailure;
    }
    if (head.MinTime() > head.MaxTime()) continue;  // nothing in this range
    std::unique_ptr<tsdb::ChunkQuerier> q = head.NewChunkQuerier(head.MinTime(), head.MaxTime());
    std::unique_ptr<tsdb::ChunkSeriesSet> set = q->SelectChunks({});
    const std::string ulid =
        NewRandomUlid(std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count());
    util::StatusOr<std::optional<tsdb::BlockMeta>> meta =
        tsdb::WriteBlock(fs, o.output_dir, *set, head.MinTime(), head.MaxTime() + 1, tsdb::WriteInfo(ulid));
    if (!meta.ok()) {
      fmt::print(err, "write block: {}\n", meta.status().message());
      return kExitFailure;
    }
    if (!meta->has_value()) continue;
    written.push_back(**meta);
    util::StatusOr<std::shared_ptr<tsdb::Block>> b = tsdb::Block::Open(fs, o.output_dir + "/" + ulid);
    sizes.push_back(b.ok() ? (*b)->size_bytes() : 0);
  }
  if (!o.quiet) PrintBlockTable(written, sizes, o.human_readable, out);
  return kExitOk;
}

}  // namespace kubescrape::scrapectl
