// libFuzzer target for the exposition parsers (scraper/textparse.h).
//
// Feeds the input to both formats, drives Next() to the end calling every
// accessor, and checks invariants:
//  - Series() and MetricName() lie inside the body;
//  - Labels() starts with __name__, and every view lies in the body or is a
//    parser-owned copy (readable: ASan checks it);
//  - after kEof or kError, Next() keeps returning the same entry, and an
//    error carries a "line:col: " prefix;
//  - the fast path and the general lexer produce identical entries (text
//    format; OpenMetrics has a single path).
// Any violation aborts.

#include <bit>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "scraper/textparse.h"

namespace {

using kubescrape::scraper::ExpositionFormat;
using kubescrape::scraper::TextParser;
using Entry = TextParser::Entry;

void Check(bool cond, const char* what) {
  if (!cond) {
    std::fprintf(stderr, "invariant violated: %s\n", what);
    std::abort();
  }
}

bool Inside(std::string_view body, std::string_view part) {
  return part.empty() || (part.data() >= body.data() && part.data() + part.size() <= body.data() + body.size());
}

// Parses `body` and returns a transcript of everything the accessors said.
std::string Transcript(ExpositionFormat format, std::string_view body, bool fast) {
  TextParser p(format, body);
  p.set_fast_path_enabled(fast);
  std::string out;
  std::vector<kubescrape::model::Label> labels;
  bool done = false;
  for (int guard = 0; guard <= static_cast<int>(body.size()) + 2; ++guard) {
    Entry e = p.Next();
    out += std::to_string(static_cast<int>(e));
    out += '|';
    if (e == Entry::kEof || e == Entry::kError) {
      if (e == Entry::kError) {
        const std::string& msg = p.error().message();
        Check(!p.error().ok(), "kError with an OK status");
        Check(msg.find(':') != std::string::npos && msg[0] >= '1' && msg[0] <= '9', "error without position");
        out += msg;
      }
      Check(p.Next() == e && p.Next() == e, "entry after end");
      done = true;
      break;
    }
    switch (e) {
      case Entry::kSeries: {
        std::string_view s = p.Series();
        Check(Inside(body, s), "Series() outside the body");
        out.append(s);
        out += '|' + std::to_string(std::bit_cast<uint64_t>(p.Value()));
        if (auto ts = p.Timestamp()) out += '@' + std::to_string(*ts);
        out += p.HasExemplar() ? "+x" : "";
        labels.clear();
        p.Labels(&labels);
        Check(!labels.empty() && labels[0].name == "__name__", "Labels() without __name__ first");
        for (const auto& l : labels) {
          out.append(l.name);
          out += '=';
          out.append(l.value);
          out += ',';
        }
        break;
      }
      case Entry::kType:
      case Entry::kHelp:
      case Entry::kUnit:
        Check(Inside(body, p.MetricName()), "MetricName() outside the body");
        out.append(p.MetricName());
        out += '|';
        out += std::to_string(static_cast<int>(p.Type()));
        out.append(e == Entry::kHelp ? p.Help() : p.Unit());
        break;
      case Entry::kComment:
        Check(Inside(body, p.Comment()), "Comment() outside the body");
        out.append(p.Comment());
        break;
      default:
        Check(false, "unexpected entry");
    }
    out += '\n';
  }
  Check(done, "Next() did not terminate");
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  std::string fast = Transcript(ExpositionFormat::kPrometheusText, body, true);
  std::string general = Transcript(ExpositionFormat::kPrometheusText, body, false);
  if (fast != general) {
    std::fprintf(stderr, "fast path and general path disagree\n--- fast\n%s\n--- general\n%s\n", fast.c_str(),
                 general.c_str());
    std::abort();
  }
  Transcript(ExpositionFormat::kOpenMetrics, body, true);
  return 0;
}
