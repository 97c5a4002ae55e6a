// Parsing PromQL test scripts into commands (promqltest/test.go's parse).
#include <fmt/format.h>

#include <regex>

#include "model/duration.h"
#include "promql/parser.h"
#include "promql/promqltest_internal.h"

namespace kubescrape::promql::testscript {
namespace {

std::string_view Trim(std::string_view s) {
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

util::Status Err(int line, std::string_view msg) {
  return util::InvalidArgumentError(fmt::format("line {}: {}", line + 1, msg));
}

util::StatusOr<int64_t> Duration(std::string_view s) {
  KS_ASSIGN_OR_RETURN(model::Duration d, model::ParseDuration(s));
  return d.count();
}

std::vector<std::string> GetLines(std::string_view input) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start <= input.size()) {
    size_t nl = input.find('\n', start);
    std::string_view l = input.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start);
    l = Trim(l);
    lines.emplace_back(l.starts_with("#") ? std::string_view() : l);
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
  return lines;
}

// Syntax Prometheus gates behind experimental feature flags that this
// parser does not implement.
bool LooksExperimental(const std::string& expr) {
  static const std::regex kPatterns(
      R"((</|>/|start_timestamp\s*\(|offset\s*[-+]?\s*[A-Za-z_]|anchored|smoothed|fill(_left|_right)?\s*\(|\binfo\s*\(|@st\b|\[[^\]]*(step\(\)|range\(\)|min\(|max\(|[-+*/%^(])[^\]]*\]|offset\s*[-+]?\s*\(|offset\s+(-\s*)?(step|range)\(\)))");
  return std::regex_search(expr, kPatterns);
}

util::StatusOr<model::Regex> UnanchoredRegex(std::string_view pattern) {
  return model::Regex::Compile(".*(?:" + std::string(pattern) + ").*");
}

util::StatusOr<LoadCmd> ParseLoad(const std::vector<std::string>& lines, size_t* i) {
  static const std::regex kLoad(R"(^load(?:_(with_nhcb))?\s+(.+?)$)");
  std::smatch m;
  if (!std::regex_match(lines[*i], m, kLoad)) {
    return Err(static_cast<int>(*i), "invalid load command. (load[_with_nhcb] <step:duration>)");
  }
  LoadCmd cmd;
  cmd.with_nhcb = m[1].matched;
  auto step = Duration(m[2].str());
  if (!step.ok()) {
    return Err(static_cast<int>(*i), fmt::format("invalid step definition \"{}\": {}", m[2].str(),
                                                 step.status().message()));
  }
  cmd.step_ms = *step;
  while (*i + 1 < lines.size() && !lines[*i + 1].empty()) {
    ++*i;
    const std::string& def = lines[*i];
    size_t space = def.find_first_of(" \t");
    if (space != std::string::npos && std::string_view(def).substr(0, space).ends_with("@st")) {
      // Start timestamps are not supported: remember the series to skip evals on it.
      std::string metric = def.substr(0, space - 3);
      if (!metric.empty()) {
        auto d = ParseSeriesDesc(metric + " _");
        if (d.ok()) cmd.special.push_back({d->labels, kSkipStartTimestamps});
      }
      continue;
    }
    auto d = ParseSeriesDesc(def);
    if (!d.ok()) return Err(static_cast<int>(*i), d.status().message());
    if (d->histogram) cmd.special.push_back({d->labels, kSkipNativeHistograms});
    cmd.series.push_back(std::move(*d));
  }
  return cmd;
}

util::Status ParseExpectLine(const std::string& line, EvalCmd* cmd) {
  static const std::regex kExpect(R"(^expect\s+(ordered|fail|warn|no_warn|info|no_info)(?:\s+(regex|msg):(.+))?$)");
  std::smatch m;
  if (!std::regex_match(line, m, kExpect)) {
    return util::InvalidArgumentError("invalid expect statement, must match `expect <type> <match_type>: <string>` format");
  }
  const std::string mode = m[1].str();
  AnnotationExpectation e;
  if (m[2].matched) {
    std::string text(Trim(m[3].str()));
    if (m[2].str() == "msg") {
      e.message = text;
    } else {
      auto re = UnanchoredRegex(text);
      if (!re.ok()) return util::InvalidArgumentError(fmt::format("invalid regex {} for {}", text, mode));
      e.regex = std::move(*re);
    }
  } else {
    e.any = true;
  }
  if (mode == "ordered") {
    cmd->ordered = true;
  } else if (mode == "fail") {
    cmd->expect_fail.push_back(std::move(e));
  } else if (mode == "warn") {
    cmd->expect_warn.push_back(std::move(e));
  } else if (mode == "info") {
    cmd->expect_info.push_back(std::move(e));
  } else if (mode == "no_warn") {
    cmd->no_warn = true;
  } else {
    cmd->no_info = true;
  }
  if (!cmd->expect_info.empty() && cmd->no_info) {
    return util::InvalidArgumentError("invalid expect lines, info and no_info cannot be used together");
  }
  if (!cmd->expect_warn.empty() && cmd->no_warn) {
    return util::InvalidArgumentError("invalid expect lines, warn and no_warn cannot be used together");
  }
  if (cmd->expect_fail.size() > 1) {
    return util::InvalidArgumentError("invalid expect lines, multiple expect fail lines are not allowed");
  }
  return util::Status::Ok();
}

util::StatusOr<EvalCmd> ParseEval(const std::vector<std::string>& lines, size_t* i) {
  static const std::regex kInstant(R"(^eval(?:_(fail|warn|ordered|info))?\s+instant\s+(?:at\s+(.+?))?\s+(.+)$)");
  static const std::regex kRange(R"(^eval(?:_(fail|warn|info))?\s+range\s+from\s+(.+)\s+to\s+(.+)\s+step\s+(.+?)\s+(.+)$)");
  static const std::regex kRangeVector(R"(^expect range vector\s+from\s+(.+)\s+to\s+(.+)\s+step\s+(.+)$)");
  const int line_no = static_cast<int>(*i);
  std::smatch m;
  EvalCmd cmd;
  cmd.line = line_no + 1;
  std::string mod;
  if (std::regex_match(lines[*i], m, kInstant)) {
    mod = m[1].str();
    cmd.expr = m[3].str();
    auto at = Duration(m[2].str());
    if (!at.ok()) return Err(line_no, fmt::format("invalid timestamp definition \"{}\": {}", m[2].str(), at.status().message()));
    cmd.start = cmd.eval_time = *at;
  } else if (std::regex_match(lines[*i], m, kRange)) {
    mod = m[1].str();
    cmd.expr = m[5].str();
    cmd.is_range = true;
    auto from = Duration(m[2].str()), to = Duration(m[3].str()), step = Duration(m[4].str());
    if (!from.ok() || !to.ok() || !step.ok()) return Err(line_no, "invalid range definition");
    if (*to < *from) return Err(line_no, "invalid test definition, end timestamp is before start timestamp");
    cmd.start = *from, cmd.end = *to, cmd.step = *step;
  } else {
    return Err(line_no, "invalid evaluation command");
  }
  cmd.fail = mod == "fail";
  cmd.warn = mod == "warn";
  cmd.info = mod == "info";
  cmd.ordered = mod == "ordered";
  auto parsed = ParseExpr(cmd.expr);
  if (!parsed.ok()) {
    cmd.parse_error = parsed.status().message();
    cmd.experimental_syntax = LooksExperimental(cmd.expr);
  }
  bool range_vector = false;
  for (int j = 1; *i + 1 < lines.size(); ++j) {
    const std::string& def = lines[*i + 1];
    if (def.empty()) break;
    ++*i;
    if (cmd.fail && def.starts_with("expected_fail_message")) {
      cmd.expected_fail_message = std::string(Trim(std::string_view(def).substr(21)));
      break;
    }
    if (cmd.fail && def.starts_with("expected_fail_regexp")) {
      auto re = UnanchoredRegex(Trim(std::string_view(def).substr(20)));
      if (!re.ok()) return Err(static_cast<int>(*i), "invalid expected_fail_regexp");
      cmd.expected_fail_regexp = std::move(*re);
      break;
    }
    if (def.starts_with("expect range vector")) {
      std::smatch rm;
      if (!std::regex_match(def, rm, kRangeVector)) return Err(static_cast<int>(*i), "invalid range vector definition");
      auto from = Duration(rm[1].str()), to = Duration(rm[2].str()), step = Duration(rm[3].str());
      if (!from.ok() || !to.ok() || !step.ok()) return Err(static_cast<int>(*i), "invalid range vector definition");
      range_vector = true;
      cmd.start = *from, cmd.end = *to, cmd.step = *step, cmd.eval_time = *to;
      cmd.exclude_from_range_query = true;
      continue;
    }
    if (def.starts_with("expect string")) {
      std::string_view q = Trim(std::string_view(def).substr(13));
      auto s = UnquoteString(q);
      if (q.empty() || !s.ok()) return Err(static_cast<int>(*i), "expected string literal not valid");
      cmd.expected_string = std::move(*s);
      cmd.exclude_from_range_query = true;
      continue;
    }
    if (def.substr(0, def.find(' ')) == "expect") {
      util::Status st = ParseExpectLine(def, &cmd);
      if (!st.ok()) return Err(static_cast<int>(*i), st.message());
      --j;
      continue;
    }
    if (auto f = ParseNumber(def); f.ok()) {
      cmd.expect_scalar = true;
      cmd.scalar = *f;
      break;
    }
    auto d = ParseSeriesDesc(def);
    if (!d.ok()) return Err(static_cast<int>(*i), d.status().message());
    if (d->histogram) cmd.histogram_expected = true;
    if (d->values.size() > 1 && !cmd.is_range && !range_vector) {
      return Err(static_cast<int>(*i), "expecting multiple values in instant evaluation not allowed");
    }
    cmd.expected[d->labels] = ExpectedSeries{std::move(d->values), j};
  }
  return cmd;
}

}  // namespace

util::StatusOr<std::vector<Command>> ParseScript(std::string_view script) {
  std::vector<std::string> lines = GetLines(script);
  std::vector<Command> cmds;
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::string& l = lines[i];
    if (l.empty()) continue;
    std::string word = l.substr(0, l.find_first_of(" \t"));
    for (char& c : word) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (word == "clear") {
      cmds.emplace_back(ClearCmd{});
    } else if (word.starts_with("load")) {
      KS_ASSIGN_OR_RETURN(LoadCmd c, ParseLoad(lines, &i));
      cmds.emplace_back(std::move(c));
    } else if (word.starts_with("eval")) {
      KS_ASSIGN_OR_RETURN(EvalCmd c, ParseEval(lines, &i));
      cmds.emplace_back(std::move(c));
    } else {
      return Err(static_cast<int>(i), fmt::format("invalid command \"{}\"", l));
    }
  }
  return cmds;
}

}  // namespace kubescrape::promql::testscript
