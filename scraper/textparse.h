#pragma once
// TextParser: a pull parser for scraped exposition bodies, in the Prometheus
// text format 0.0.4 and OpenMetrics 1.0, with the semantics of Prometheus's
// scraper parsers (model/textparse promparse/openmetricsparse), including
// their leniencies and their error messages. The grammar we accept and the
// deliberate differences are written down in docs/format/exposition.md.
//
// Usage: Reset() with a body, then call Next() until it returns kEof or
// kError. Each entry's accessors are valid until the following Next() or
// Reset(). One parser is meant to be reused across scrapes: Reset() keeps all
// buffers, so the steady state does not allocate.
//
// Validation: Next() validates the whole entry (structure, value, timestamp,
// UTF-8 of label values and HELP text), so a malformed body fails at Next()
// exactly where Prometheus fails. Labels() never fails; it only unescapes,
// and is lazy: a scrape loop whose cache already knows Series() need not call
// it.
//
// Errors: kError leaves error() holding InvalidArgument with Prometheus's
// message prefixed by the 1-based position of the offending token, e.g.
// `3:12: expected value after metric, got "\n" ("INVALID") while parsing:
// "foo{a=\"b\"} \n"`. After kError, Next() keeps returning kError.
//
// Lifetime: the body passed to Reset() must outlive the parser's use of it
// (until the next Reset() or destruction); views returned by the accessors
// point into the body or into parser-owned scratch memory.
//
// Thread-safety: none; one parser per scrape loop.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/labels.h"
#include "util/arena.h"
#include "util/status.h"

namespace kubescrape::scraper {

enum class ExpositionFormat { kPrometheusText, kOpenMetrics };

enum class MetricType {
  kUnknown,
  kCounter,
  kGauge,
  kHistogram,
  kGaugeHistogram,
  kSummary,
  kInfo,
  kStateset,
};

// Prometheus's name of a metric type: "counter", "gaugehistogram", "unknown"...
std::string_view MetricTypeName(MetricType type);

class TextParser {
 public:
  enum class Entry { kSeries, kType, kHelp, kUnit, kComment, kEof, kError };

  // An empty parser: Next() returns kEof until Reset().
  TextParser();
  // Same as TextParser() followed by Reset(format, body).
  TextParser(ExpositionFormat format, std::string_view body);
  ~TextParser();
  TextParser(const TextParser&) = delete;
  TextParser& operator=(const TextParser&) = delete;

  // Starts parsing `body`, keeping the buffers of the previous body.
  // REQUIRES: `body` outlives the parser's use of it; body.size() < 4 GiB.
  void Reset(ExpositionFormat format, std::string_view body);

  // Advances to the next entry. Blank lines (text format) are skipped.
  Entry Next();

  // --- kSeries ---------------------------------------------------------
  // The bytes of `name{labels}` as they appear in the body (the scrape-cache
  // key): from the start of the line (leading blanks included, as
  // Prometheus) to the closing brace, or to the end of the name when there
  // are no braces.
  std::string_view Series() const { return body_.substr(series_begin_, series_end_ - series_begin_); }
  // The sample value; any NaN is canonicalised to model::NormalNaN().
  double Value() const { return value_; }
  // The timestamp in milliseconds, when the line has one (OpenMetrics float
  // seconds are converted as Prometheus does: int64(seconds * 1000)).
  std::optional<int64_t> Timestamp() const {
    return has_timestamp_ ? std::optional<int64_t>(timestamp_) : std::nullopt;
  }
  // Whether an (already validated, otherwise ignored) OpenMetrics exemplar
  // follows the sample.
  bool HasExemplar() const { return has_exemplar_; }

  // Appends the series' labels to `*out`: first {"__name__", name}, then the
  // labels in the order they appear (not sorted; duplicates are kept).
  // Values are unescaped (\" \\ \n), and `le` (current TYPE histogram) and
  // `quantile` (current TYPE summary) are normalised as Prometheus does
  // ("1" -> "1.0"). Views point into the body or into scratch memory owned
  // by the parser, valid until the next Next() or Reset().
  // REQUIRES: the last Next() returned kSeries.
  void Labels(std::vector<model::Label>* out);

  // --- kType, kHelp, kUnit ----------------------------------------------
  // The metric family name (without quotes when written quoted, otherwise
  // as written; not unescaped).
  std::string_view MetricName() const { return body_.substr(name_begin_, name_end_ - name_begin_); }
  // kType: the type just read. Other entries: the most recent TYPE (the type
  // Labels() normalises for; Prometheus does not reset it per family).
  MetricType Type() const { return type_; }
  // kHelp: the help text, unescaped (text format: \\ and \n; OpenMetrics:
  // also \"). The view may point into parser scratch memory.
  std::string_view Help();
  // kUnit: the unit ("" when empty).
  std::string_view Unit() const { return Text(); }

  // --- kComment (text format only) ---------------------------------------
  // The whole comment line from '#', without the line break.
  std::string_view Comment() const { return Text(); }

  // --- kError -------------------------------------------------------------
  const util::Status& error() const { return error_; }

  // Testing hook: with false, every line goes through the general lexer
  // instead of the fast path. Both must give identical results.
  void set_fast_path_enabled(bool enabled) { fast_path_enabled_ = enabled; }

 private:
  std::string_view Text() const { return body_.substr(text_begin_, text_end_ - text_begin_); }

  // Text format (textparse_prom.cc).
  Entry NextProm();
  bool FastPromSeries();
  bool FastPromMeta(Entry* entry);
  Entry SlowProm();
  // OpenMetrics (textparse_om.cc).
  Entry NextOm();

  // Error helpers (textparse.cc). Record the error at byte `pos` and return
  // kError.
  Entry Fail(size_t pos, std::string message);

  // Immutable after Reset().
  ExpositionFormat format_ = ExpositionFormat::kPrometheusText;
  std::string_view body_;
  bool fast_path_enabled_ = true;

  // Lexer state between entries.
  size_t pos_ = 0;      // where the next entry starts
  bool done_ = false;   // kEof or kError returned

  // The current entry.
  Entry entry_ = Entry::kEof;
  uint32_t series_begin_ = 0, series_end_ = 0;
  uint32_t name_begin_ = 0, name_end_ = 0;
  uint32_t text_begin_ = 0, text_end_ = 0;
  double value_ = 0;
  int64_t timestamp_ = 0;
  bool has_timestamp_ = false;
  bool has_exemplar_ = false;
  MetricType type_ = MetricType::kUnknown;  // most recent TYPE
  util::Status error_;

  // Label offsets recorded by the fast path for the current series, so that
  // Labels() need not scan again: (name begin, name end, value begin, value
  // end) per label, into body_. Valid when fast_labels_ is set.
  std::vector<uint32_t> label_offsets_;
  bool fast_labels_ = false;
  bool fast_escapes_ = false;  // a backslash appeared in a label value

  // Scratch for unescaped and normalised strings; reset by Next().
  util::Arena scratch_;
  bool scratch_used_ = false;
};

}  // namespace kubescrape::scraper
