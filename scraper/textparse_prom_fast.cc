// The fast path of the text format (see textparse_prom.cc): the common line
// shapes `name{l="v",...} value[ ts]\n`, `# HELP name text\n` and
// `# TYPE name type\n` with single spaces, parsed without the general lexer.
// Anything else returns false before changing any state, and the general
// path parses the line from its first byte.

#include <cmath>
#include <cstring>

#include "model/value.h"
#include "scraper/textparse.h"
#include "scraper/textparse_internal.h"

namespace kubescrape::scraper {

using namespace textparse_internal;  // NOLINT: the parser's own helpers

TextParser::Entry TextParser::NextProm() {
  if (fast_path_enabled_) {
    const size_t n = body_.size();
    while (pos_ < n && body_[pos_] == '\n') ++pos_;  // blank lines
    if (pos_ >= n) return Entry::kEof;
    const char c = body_[pos_];
    if (Is(c, kMetricStart)) {
      if (FastPromSeries()) return Entry::kSeries;
    } else if (c == '#') {
      Entry e;
      if (FastPromMeta(&e)) return e;
    }
  }
  return SlowProm();
}

bool TextParser::FastPromSeries() {
  const char* b = body_.data();
  const size_t n = body_.size();
  size_t i = pos_ + 1;  // b[pos_] is a metric name start
  while (i < n && Is(b[i], kMetricChar)) ++i;
  if (i >= n) return false;
  label_offsets_.clear();
  bool escapes = false;
  if (b[i] == '{') {
    ++i;
    while (i < n && b[i] != '}') {
      const size_t name_begin = i;
      if (!Is(b[i], kLabelStart)) return false;
      ++i;
      while (i < n && Is(b[i], kLabelChar)) ++i;
      const size_t name_end = i;
      if (i + 1 >= n || b[i] != '=' || b[i + 1] != '"') return false;
      i += 2;
      const size_t value_begin = i;
      bool high = false;
      for (;;) {
        while (i < n && !Is(b[i], kValueStop)) ++i;
        if (i >= n) return false;
        const uint8_t c = static_cast<uint8_t>(b[i]);
        if (c == '"') break;
        if (c == '\\') {
          if (i + 1 >= n || b[i + 1] == '\0' || b[i + 1] == '\n') return false;
          escapes = true;
          high |= static_cast<uint8_t>(b[i + 1]) >= 0x80;
          i += 2;
        } else if (c >= 0x80) {
          high = true;
          ++i;
        } else {
          return false;  // NUL or a raw newline: legal but rare, general path
        }
      }
      if (high && !ValidUtf8(std::string_view(b + value_begin - 1, i + 2 - value_begin))) return false;
      label_offsets_.insert(label_offsets_.end(), {static_cast<uint32_t>(name_begin), static_cast<uint32_t>(name_end),
                                                   static_cast<uint32_t>(value_begin), static_cast<uint32_t>(i)});
      ++i;  // closing quote
      if (i < n && b[i] == ',') ++i;
      else if (i >= n || b[i] != '}') return false;
    }
    if (i >= n) return false;
    ++i;  // '}'
  }
  const size_t series_end = i;
  if (i >= n || b[i] != ' ') return false;
  const size_t value_begin = ++i;
  // Integers of up to 15 digits are exact doubles: skip the float parser.
  uint64_t integer = 0;
  while (i < n && Is(b[i], kDigit) && i - value_begin < 15) integer = integer * 10 + static_cast<uint8_t>(b[i++] - '0');
  double value;
  if (i > value_begin && (i >= n || b[i] == ' ' || b[i] == '\n')) {
    value = static_cast<double>(integer);
  } else {
    while (i < n && b[i] != ' ' && b[i] != '\n' && b[i] != '\t' && b[i] != '{' && b[i] != '\0') ++i;
    if (ParseGoFloat(std::string_view(b + value_begin, i - value_begin), true, &value) != FloatStatus::kOk) {
      return false;
    }
  }
  bool has_ts = false;
  int64_t ts = 0;
  if (i < n && b[i] == ' ') {
    const size_t ts_begin = ++i;
    while (i < n && Is(b[i], kDigit)) ++i;
    if (i == ts_begin || !ParseDigits(std::string_view(b + ts_begin, i - ts_begin), &ts)) return false;
    has_ts = true;
  }
  if (i < n) {
    if (b[i] != '\n') return false;
    ++i;
  }
  series_begin_ = static_cast<uint32_t>(pos_);
  series_end_ = static_cast<uint32_t>(series_end);
  value_ = std::isnan(value) ? model::NormalNaN() : value;
  has_timestamp_ = has_ts;
  timestamp_ = ts;
  fast_labels_ = true;
  fast_escapes_ = escapes;
  pos_ = i;
  return true;
}

bool TextParser::FastPromMeta(Entry* entry) {
  // "# HELP name text\n" or "# TYPE name type\n" with single spaces.
  const char* b = body_.data();
  const size_t n = body_.size();
  size_t i = pos_;
  if (n - i < 9 || b[i + 1] != ' ') return false;
  const bool help = std::memcmp(b + i + 2, "HELP ", 5) == 0;
  if (!help && std::memcmp(b + i + 2, "TYPE ", 5) != 0) return false;
  i += 7;
  const size_t name_begin = i;
  if (!Is(b[i], kMetricStart)) return false;
  while (i < n && Is(b[i], kMetricChar)) ++i;
  const size_t name_end = i;
  if (i >= n || b[i] != ' ') return false;
  ++i;
  const char* nl = static_cast<const char*>(std::memchr(b + i, '\n', n - i));
  const size_t line_end = nl != nullptr ? static_cast<size_t>(nl - b) : n;
  if (line_end == i) return false;
  const char last = b[line_end - 1];
  if (last == ' ' || last == '\t' || last == '\0') return false;  // blank-only text: general path
  std::string_view text(b + i, line_end - i);
  if (help) {
    if (!ValidUtf8(text)) return false;
  } else {
    std::optional<MetricType> type = PromTypeFromString(text);
    if (!type) return false;
    type_ = *type;
  }
  name_begin_ = static_cast<uint32_t>(name_begin);
  name_end_ = static_cast<uint32_t>(name_end);
  text_begin_ = static_cast<uint32_t>(i);
  text_end_ = static_cast<uint32_t>(line_end);
  pos_ = line_end < n ? line_end + 1 : n;
  *entry = help ? Entry::kHelp : Entry::kType;
  return true;
}

}  // namespace kubescrape::scraper
