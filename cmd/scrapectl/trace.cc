#include "cmd/scrapectl/trace.h"

#include <fmt/format.h>

#include "model/labels_builder.h"
#include "relabel/process.h"
#include "util/utf8.h"

namespace kubescrape::scrapectl {

Trace RunTrace(std::span<const relabel::Rule> rules, const model::Labels& input) {
  Trace t;
  t.input = input;
  model::LabelsBuilder lb(input);
  t.kept = relabel::ProcessTraced(rules, lb, [&](size_t i, const model::LabelsBuilder& b, bool keep) {
    t.steps.push_back(TraceStep{i, b.Build(), keep});
  });
  if (t.kept) t.output = lb.Build();
  return t;
}

std::vector<std::string> DiffLabels(const model::Labels& before, const model::Labels& after) {
  std::vector<std::string> out;
  auto b = before.begin(), be = before.end();
  auto a = after.begin(), ae = after.end();
  while (b != be || a != ae) {
    if (a == ae || (b != be && (*b).name < (*a).name)) {
      out.push_back(fmt::format("- {}={}", (*b).name, util::GoQuote((*b).value)));
      ++b;
    } else if (b == be || (*a).name < (*b).name) {
      out.push_back(fmt::format("+ {}={}", (*a).name, util::GoQuote((*a).value)));
      ++a;
    } else {
      if ((*a).value != (*b).value) {
        out.push_back(fmt::format("~ {}: {} -> {}", (*a).name, util::GoQuote((*b).value), util::GoQuote((*a).value)));
      }
      ++a;
      ++b;
    }
  }
  return out;
}

std::string FormatTrace(std::span<const relabel::Rule> rules, const Trace& trace, std::string_view indent) {
  std::string out;
  const std::string pad(10, ' ');
  out += fmt::format("{}input:    {}\n", indent, trace.input.ToString());
  const model::Labels* before = &trace.input;
  for (const TraceStep& step : trace.steps) {
    std::string head = fmt::format("rule {}:", step.rule_index + 1);
    out += fmt::format("{}{:<10}{}\n", indent, head, rules[step.rule_index].ToString());
    if (!step.keep) {
      out += fmt::format("{}{}DROPPED\n", indent, pad);
      break;
    }
    std::vector<std::string> diff = DiffLabels(*before, step.after);
    if (diff.empty()) out += fmt::format("{}{}no change\n", indent, pad);
    for (const std::string& line : diff) out += fmt::format("{}{}{}\n", indent, pad, line);
    before = &step.after;
  }
  if (trace.kept) {
    out += fmt::format("{}result:   kept {}\n", indent, trace.output.ToString());
  } else {
    const TraceStep& last = trace.steps.back();
    out += fmt::format("{}result:   dropped by rule {} ({})\n", indent, last.rule_index + 1,
                       relabel::ActionName(rules[last.rule_index].action()));
  }
  return out;
}

}  // namespace kubescrape::scrapectl
