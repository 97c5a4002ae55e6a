#pragma once
// A compact, comparable rendering of a query result for the promql tests:
// "labels=value " per sample, "labels: t=v ...; " per series (t in
// seconds), "scalar v", "string s", or "error: message".

#include <string>
#include <variant>

#include "promql/engine.h"

namespace kubescrape::promql::testing {

inline std::string ResultString(const Result& r) {
  if (!r.status.ok()) return "error: " + r.status.message();
  std::string out;
  if (const auto* v = std::get_if<Vector>(&r.value)) {
    for (const Sample& s : *v) out += s.metric.ToString() + "=" + FormatFloat(s.f) + " ";
  } else if (const auto* m = std::get_if<Matrix>(&r.value)) {
    for (const Series& s : *m) {
      out += s.metric.ToString() + ":";
      for (const FPoint& p : s.floats) out += " " + std::to_string(p.t / 1000) + "=" + FormatFloat(p.f);
      out += "; ";
    }
  } else if (const auto* sc = std::get_if<Scalar>(&r.value)) {
    out = "scalar " + FormatFloat(sc->v);
  } else {
    out = "string " + std::get<String>(r.value).v;
  }
  return out;
}

}  // namespace kubescrape::promql::testing
