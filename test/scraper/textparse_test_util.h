#pragma once
// Test helpers for the exposition parsers: drive a TextParser over a body and
// record every entry in a comparable form.

#include <algorithm>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "scraper/textparse.h"

namespace kubescrape::scraper::testing {

struct Parsed {
  TextParser::Entry kind = TextParser::Entry::kEof;
  std::string m;  // Series() for series, MetricName() for metadata
  double v = 0;
  std::optional<int64_t> t;
  std::vector<std::pair<std::string, std::string>> lset;  // sorted by name
  MetricType typ = MetricType::kUnknown;
  std::string text;  // help, unit or comment
  bool exemplar = false;

  friend bool operator==(const Parsed& a, const Parsed& b) {
    // Values compare by bits so NaNs compare equal.
    return a.kind == b.kind && a.m == b.m && std::memcmp(&a.v, &b.v, sizeof(double)) == 0 && a.t == b.t &&
           a.lset == b.lset && a.typ == b.typ && a.text == b.text && a.exemplar == b.exemplar;
  }
};

struct ParseResult {
  std::vector<Parsed> entries;
  bool ok = true;        // ended with kEof
  std::string error;     // error().message() when !ok
};

inline ParseResult ParseAll(ExpositionFormat format, std::string_view body, bool fast_path = true) {
  TextParser p(format, body);
  p.set_fast_path_enabled(fast_path);
  ParseResult r;
  std::vector<model::Label> labels;
  for (;;) {
    TextParser::Entry e = p.Next();
    if (e == TextParser::Entry::kEof) break;
    if (e == TextParser::Entry::kError) {
      r.ok = false;
      r.error = p.error().message();
      break;
    }
    Parsed x;
    x.kind = e;
    switch (e) {
      case TextParser::Entry::kSeries: {
        x.m = std::string(p.Series());
        x.v = p.Value();
        x.t = p.Timestamp();
        x.exemplar = p.HasExemplar();
        labels.clear();
        p.Labels(&labels);
        for (const model::Label& l : labels) x.lset.emplace_back(l.name, l.value);
        std::stable_sort(x.lset.begin(), x.lset.end(),
                         [](const auto& a, const auto& b) { return a.first < b.first; });
        break;
      }
      case TextParser::Entry::kType:
        x.m = std::string(p.MetricName());
        x.typ = p.Type();
        break;
      case TextParser::Entry::kHelp:
        x.m = std::string(p.MetricName());
        x.text = std::string(p.Help());
        break;
      case TextParser::Entry::kUnit:
        x.m = std::string(p.MetricName());
        x.text = std::string(p.Unit());
        break;
      case TextParser::Entry::kComment:
        x.text = std::string(p.Comment());
        break;
      default:
        break;
    }
    r.entries.push_back(std::move(x));
  }
  return r;
}

inline Parsed Series(std::string m, double v, std::vector<std::pair<std::string, std::string>> lset,
                     std::optional<int64_t> t = std::nullopt, bool exemplar = false) {
  Parsed p;
  p.kind = TextParser::Entry::kSeries;
  p.m = std::move(m);
  p.v = v;
  p.t = t;
  std::stable_sort(lset.begin(), lset.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  p.lset = std::move(lset);
  p.exemplar = exemplar;
  return p;
}
inline Parsed Help(std::string m, std::string text) {
  Parsed p;
  p.kind = TextParser::Entry::kHelp;
  p.m = std::move(m);
  p.text = std::move(text);
  return p;
}
inline Parsed Type(std::string m, MetricType typ) {
  Parsed p;
  p.kind = TextParser::Entry::kType;
  p.m = std::move(m);
  p.typ = typ;
  return p;
}
inline Parsed Unit(std::string m, std::string unit) {
  Parsed p;
  p.kind = TextParser::Entry::kUnit;
  p.m = std::move(m);
  p.text = std::move(unit);
  return p;
}
inline Parsed Comment(std::string text) {
  Parsed p;
  p.kind = TextParser::Entry::kComment;
  p.text = std::move(text);
  return p;
}

inline std::ostream& operator<<(std::ostream& os, const Parsed& p) {
  os << "{kind=" << static_cast<int>(p.kind) << " m=" << p.m << " v=" << p.v;
  if (p.t) os << " t=" << *p.t;
  os << " typ=" << MetricTypeName(p.typ) << " text=" << p.text << " lset={";
  for (const auto& [n, v] : p.lset) os << n << "=" << v << ",";
  return os << "} exemplar=" << p.exemplar << "}";
}

// The message without its "line:col: " prefix.
inline std::string StripPosition(const std::string& msg) {
  size_t colon = msg.find(": ");
  return colon == std::string::npos ? msg : msg.substr(colon + 2);
}

// Reads a conformance body; nullopt when the shared directory is absent.
inline std::optional<std::string> ReadConformance(const std::string& name) {
  std::ifstream f(std::string(KS_SOURCE_DIR) + "/../shared/conformance/exposition/" + name, std::ios::binary);
  if (!f) return std::nullopt;
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

}  // namespace kubescrape::scraper::testing
