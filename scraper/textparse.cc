// TextParser: the parts shared by both formats (entry dispatch, errors,
// label extraction). The formats live in textparse_prom.cc and
// textparse_om.cc.

#include "scraper/textparse.h"

#include <algorithm>

#include "model/label_names.h"
#include "scraper/textparse_internal.h"

namespace kubescrape::scraper {

using textparse_internal::Is;
using textparse_internal::kLabelChar;
using textparse_internal::kMetricChar;
using textparse_internal::NormalizeFloatLabelValue;
using textparse_internal::Unescape;

std::string_view MetricTypeName(MetricType type) {
  switch (type) {
    case MetricType::kUnknown: return "unknown";
    case MetricType::kCounter: return "counter";
    case MetricType::kGauge: return "gauge";
    case MetricType::kHistogram: return "histogram";
    case MetricType::kGaugeHistogram: return "gaugehistogram";
    case MetricType::kSummary: return "summary";
    case MetricType::kInfo: return "info";
    case MetricType::kStateset: return "stateset";
  }
  return "unknown";
}

TextParser::TextParser() { done_ = true; }

TextParser::TextParser(ExpositionFormat format, std::string_view body) { Reset(format, body); }

TextParser::~TextParser() = default;

void TextParser::Reset(ExpositionFormat format, std::string_view body) {
  format_ = format;
  body_ = body;
  pos_ = 0;
  done_ = false;
  entry_ = Entry::kEof;
  series_begin_ = series_end_ = name_begin_ = name_end_ = text_begin_ = text_end_ = 0;
  value_ = 0;
  timestamp_ = 0;
  has_timestamp_ = false;
  has_exemplar_ = false;
  type_ = MetricType::kUnknown;
  error_ = util::Status();
  if (scratch_used_) scratch_.Reset();
  scratch_used_ = false;
  fast_labels_ = false;
}

TextParser::Entry TextParser::Next() {
  if (done_) return entry_;
  if (scratch_used_) {
    scratch_.Reset();
    scratch_used_ = false;
  }
  has_exemplar_ = false;
  fast_labels_ = false;
  entry_ = format_ == ExpositionFormat::kPrometheusText ? NextProm() : NextOm();
  if (entry_ == Entry::kEof || entry_ == Entry::kError) done_ = true;
  return entry_;
}

TextParser::Entry TextParser::Fail(size_t pos, std::string message) {
  // Cold path: count lines only now.
  pos = std::min(pos, body_.size());
  size_t line = 1 + static_cast<size_t>(std::count(body_.begin(), body_.begin() + pos, '\n'));
  size_t line_start = body_.rfind('\n', pos == 0 ? std::string_view::npos : pos - 1);
  line_start = (line_start == std::string_view::npos || pos == 0) ? 0 : line_start + 1;
  size_t col = pos - line_start + 1;
  error_ = util::InvalidArgumentError(std::to_string(line) + ":" + std::to_string(col) + ": " +
                                      std::move(message));
  return Entry::kError;
}

std::string_view TextParser::Help() {
  scratch_used_ = true;
  return Unescape(Text(), /*quote=*/format_ == ExpositionFormat::kOpenMetrics, &scratch_);
}

void TextParser::Labels(std::vector<model::Label>* out) {
  if (fast_labels_) {
    // The fast path recorded where everything is.
    const char* b = body_.data();
    size_t name_end = series_begin_ + 1;
    while (Is(b[name_end], kMetricChar)) ++name_end;
    out->push_back(model::Label{model::kMetricName, body_.substr(series_begin_, name_end - series_begin_)});
    const bool normalize = type_ == MetricType::kHistogram || type_ == MetricType::kSummary;
    const std::string_view special = type_ == MetricType::kHistogram ? model::kBucketLabel : model::kQuantileLabel;
    for (size_t k = 0; k < label_offsets_.size(); k += 4) {
      std::string_view name(b + label_offsets_[k], label_offsets_[k + 1] - label_offsets_[k]);
      std::string_view value(b + label_offsets_[k + 2], label_offsets_[k + 3] - label_offsets_[k + 2]);
      if (fast_escapes_ && value.find('\\') != std::string_view::npos) {
        scratch_used_ = true;
        value = Unescape(value, /*quote=*/true, &scratch_);
      }
      if (normalize && name == special) {
        scratch_used_ = true;
        value = NormalizeFloatLabelValue(value, &scratch_);
      }
      out->push_back(model::Label{name, value});
    }
    return;
  }
  // The series was validated by Next(); this re-scan only has to find the
  // pieces. Blanks can only appear in the text format.
  const char* b = body_.data();
  size_t i = series_begin_;
  const size_t end = series_end_;
  auto skip_blanks = [&] {
    while (i < end && (b[i] == ' ' || b[i] == '\t')) ++i;
  };
  // REQUIRES: b[i] == '"'. Returns the bytes between the quotes.
  auto quoted = [&] {
    size_t begin = ++i;
    while (b[i] != '"') {
      if (b[i] == '\\') {
        ++i;
        while (b[i] == '\0') ++i;  // the lexer skips NULs inside label values
      }
      ++i;
    }
    return std::string_view(b + begin, i++ - begin);
  };
  auto escaped = [&](std::string_view s) {
    if (s.find('\\') == std::string_view::npos) return s;
    scratch_used_ = true;
    return Unescape(s, /*quote=*/true, &scratch_);
  };

  const size_t name_index = out->size();
  out->push_back(model::Label{model::kMetricName, {}});
  skip_blanks();
  if (i < end && b[i] != '{') {
    size_t begin = i;
    while (i < end && Is(b[i], kMetricChar)) ++i;
    (*out)[name_index].value = std::string_view(b + begin, i - begin);
    skip_blanks();
  }
  if (i >= end || b[i] != '{') return;
  ++i;
  for (;;) {
    // NULs right after a label value's closing quote are skipped by the
    // lexer (it advances before leaving the label-value state).
    while (b[i] == ' ' || b[i] == '\t' || b[i] == ',' || b[i] == '\0') ++i;
    if (b[i] == '}') return;
    std::string_view name;
    if (b[i] == '"') {
      name = escaped(quoted());
      skip_blanks();
      if (b[i] != '=') {  // a quoted metric name inside the braces
        (*out)[name_index].value = name;
        continue;
      }
    } else {
      size_t begin = i;
      while (Is(b[i], kLabelChar)) ++i;
      name = std::string_view(b + begin, i - begin);
      skip_blanks();
    }
    ++i;  // '='
    // Blanks after '=' are lexed in the label-value state, which skips NULs.
    while (b[i] == ' ' || b[i] == '\t' || b[i] == '\0') ++i;
    std::string_view value = escaped(quoted());
    if ((type_ == MetricType::kHistogram && name == model::kBucketLabel) ||
        (type_ == MetricType::kSummary && name == model::kQuantileLabel)) {
      scratch_used_ = true;
      value = NormalizeFloatLabelValue(value, &scratch_);
    }
    out->push_back(model::Label{name, value});
  }
}

}  // namespace kubescrape::scraper
