// Tests of the Prometheus text format 0.0.4 parser (TextParser with
// ExpositionFormat::kPrometheusText). The cases follow Prometheus's
// model/textparse/promparse_test.go (TestPromParse, TestUTF8PromParse,
// TestPromParseErrors, TestPromNullByteHandling); every test runs with the
// fast path on and off, which must agree.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <bit>
#include <cmath>

#include "model/value.h"
#include "scraper/textparse.h"
#include "test/scraper/textparse_test_util.h"

namespace kubescrape::scraper {
namespace {

using testing::Comment;
using testing::Help;
using testing::ParseAll;
using testing::Parsed;
using testing::ReadConformance;
using testing::Series;
using testing::StripPosition;
using testing::Type;
using Entry = TextParser::Entry;

constexpr ExpositionFormat kProm = ExpositionFormat::kPrometheusText;

class PromParseTest : public ::testing::TestWithParam<bool> {
 protected:
  testing::ParseResult Parse(std::string_view body) { return ParseAll(kProm, body, GetParam()); }
};

INSTANTIATE_TEST_SUITE_P(FastAndGeneral, PromParseTest, ::testing::Bool(),
                         [](const auto& info) { return info.param ? "Fast" : "General"; });

TEST_P(PromParseTest, PrometheusCases) {
  std::string input = R"(# HELP go_gc_duration_seconds A summary of the GC invocation durations.
# 	TYPE go_gc_duration_seconds summary
go_gc_duration_seconds{quantile="0"} 4.9351e-05
go_gc_duration_seconds{quantile="0.25",} 7.424100000000001e-05
go_gc_duration_seconds{quantile="0.5",a="b"} 8.3835e-05
go_gc_duration_seconds{quantile="0.8", a="b"} 8.3835e-05
go_gc_duration_seconds{ quantile="0.9", a="b"} 8.3835e-05
# Hrandom comment starting with prefix of HELP
#
wind_speed{A="2",c="3"} 12345
# comment with escaped \n newline
# comment with escaped \ escape character
# HELP nohelp1
# HELP nohelp2 
go_gc_duration_seconds{ quantile="1.0", a="b" } 8.3835e-05
go_gc_duration_seconds { quantile="1.0", a="b" } 8.3835e-05
go_gc_duration_seconds { quantile= "1.0", a= "b", } 8.3835e-05
go_gc_duration_seconds { quantile = "1.0", a = "b" } 8.3835e-05
go_gc_duration_seconds { quantile = "2.0" a = "b" } 8.3835e-05
go_gc_duration_seconds_count 99
some:aggregate:rate5m{a_b="c"}	1
# HELP go_goroutines Number of goroutines that currently exist.
# TYPE go_goroutines gauge
go_goroutines 33  	123123
_metric_starting_with_underscore 1
testmetric{_label_starting_with_underscore="foo"} 1
testmetric{label="\"bar\""} 1)";
  using std::string_literals::operator""s;
  input += "\n# HELP metric foo\x00"
           "bar"s;
  input += "\nnull_byte_metric{a=\"abc\x00\"} 1"s;

  const std::string gc = "go_gc_duration_seconds";
  std::vector<Parsed> want = {
      Help(gc, "A summary of the GC invocation durations."),
      Type(gc, MetricType::kSummary),
      // quantile is normalised: the current TYPE is summary.
      Series(R"(go_gc_duration_seconds{quantile="0"})", 4.9351e-05, {{"__name__", gc}, {"quantile", "0.0"}}),
      Series(R"(go_gc_duration_seconds{quantile="0.25",})", 7.424100000000001e-05,
             {{"__name__", gc}, {"quantile", "0.25"}}),
      Series(R"(go_gc_duration_seconds{quantile="0.5",a="b"})", 8.3835e-05,
             {{"__name__", gc}, {"quantile", "0.5"}, {"a", "b"}}),
      Series(R"(go_gc_duration_seconds{quantile="0.8", a="b"})", 8.3835e-05,
             {{"__name__", gc}, {"quantile", "0.8"}, {"a", "b"}}),
      Series(R"(go_gc_duration_seconds{ quantile="0.9", a="b"})", 8.3835e-05,
             {{"__name__", gc}, {"quantile", "0.9"}, {"a", "b"}}),
      Comment("# Hrandom comment starting with prefix of HELP"),
      Comment("#"),
      Series(R"(wind_speed{A="2",c="3"})", 12345, {{"A", "2"}, {"__name__", "wind_speed"}, {"c", "3"}}),
      Comment(R"(# comment with escaped \n newline)"),
      Comment(R"(# comment with escaped \ escape character)"),
      Help("nohelp1", ""),
      Help("nohelp2", ""),
      Series(R"(go_gc_duration_seconds{ quantile="1.0", a="b" })", 8.3835e-05,
             {{"__name__", gc}, {"quantile", "1.0"}, {"a", "b"}}),
      Series(R"(go_gc_duration_seconds { quantile="1.0", a="b" })", 8.3835e-05,
             {{"__name__", gc}, {"quantile", "1.0"}, {"a", "b"}}),
      Series(R"(go_gc_duration_seconds { quantile= "1.0", a= "b", })", 8.3835e-05,
             {{"__name__", gc}, {"quantile", "1.0"}, {"a", "b"}}),
      Series(R"(go_gc_duration_seconds { quantile = "1.0", a = "b" })", 8.3835e-05,
             {{"__name__", gc}, {"quantile", "1.0"}, {"a", "b"}}),
      // Missing commas between pairs are tolerated (a Prometheus leniency).
      Series(R"(go_gc_duration_seconds { quantile = "2.0" a = "b" })", 8.3835e-05,
             {{"__name__", gc}, {"quantile", "2.0"}, {"a", "b"}}),
      Series("go_gc_duration_seconds_count", 99, {{"__name__", "go_gc_duration_seconds_count"}}),
      Series(R"(some:aggregate:rate5m{a_b="c"})", 1, {{"__name__", "some:aggregate:rate5m"}, {"a_b", "c"}}),
      Help("go_goroutines", "Number of goroutines that currently exist."),
      Type("go_goroutines", MetricType::kGauge),
      Series("go_goroutines", 33, {{"__name__", "go_goroutines"}}, 123123),
      Series("_metric_starting_with_underscore", 1, {{"__name__", "_metric_starting_with_underscore"}}),
      Series(R"(testmetric{_label_starting_with_underscore="foo"})", 1,
             {{"__name__", "testmetric"}, {"_label_starting_with_underscore", "foo"}}),
      Series(R"(testmetric{label="\"bar\""})", 1, {{"__name__", "testmetric"}, {"label", R"("bar")"}}),
      Help("metric", std::string("foo\0bar", 7)),
      Series(std::string("null_byte_metric{a=\"abc\0\"}", 26), 1,
             {{"__name__", "null_byte_metric"}, {"a", std::string("abc\0", 4)}}),
  };
  testing::ParseResult got = Parse(input);
  ASSERT_TRUE(got.ok) << got.error;
  ASSERT_EQ(got.entries.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) EXPECT_EQ(got.entries[i], want[i]) << "entry " << i;
}

TEST_P(PromParseTest, Utf8QuotedNames) {
  std::string input = R"(# HELP "go.gc_duration_seconds" A summary of the GC invocation durations.
# 	TYPE "go.gc_duration_seconds" summary
{"go.gc_duration_seconds",quantile="0"} 4.9351e-05
{"go.gc_duration_seconds",quantile="0.25",} 7.424100000000001e-05
{"go.gc_duration_seconds", quantile="0.9", a="b"} 8.3835e-05
{ "go.gc_duration_seconds", quantile = "1.0", a = "b" } 8.3835e-05
{"go.gc_duration_seconds_count"} 99
{"Heizölrückstoßabdämpfung 10€ metric with \"interesting\" {character\nchoices}","strange©™\n'quoted' \"name\""="6"} 10.0)";
  const std::string gc = "go.gc_duration_seconds";
  std::vector<Parsed> want = {
      Help(gc, "A summary of the GC invocation durations."),
      Type(gc, MetricType::kSummary),
      Series(R"({"go.gc_duration_seconds",quantile="0"})", 4.9351e-05, {{"__name__", gc}, {"quantile", "0.0"}}),
      Series(R"({"go.gc_duration_seconds",quantile="0.25",})", 7.424100000000001e-05,
             {{"__name__", gc}, {"quantile", "0.25"}}),
      Series(R"({"go.gc_duration_seconds", quantile="0.9", a="b"})", 8.3835e-05,
             {{"__name__", gc}, {"quantile", "0.9"}, {"a", "b"}}),
      Series(R"({ "go.gc_duration_seconds", quantile = "1.0", a = "b" })", 8.3835e-05,
             {{"__name__", gc}, {"quantile", "1.0"}, {"a", "b"}}),
      Series(R"({"go.gc_duration_seconds_count"})", 99, {{"__name__", "go.gc_duration_seconds_count"}}),
      Series(
          R"({"Heizölrückstoßabdämpfung 10€ metric with \"interesting\" {character\nchoices}","strange©™\n'quoted' \"name\""="6"})",
          10, {{"__name__", "Heizölrückstoßabdämpfung 10€ metric with \"interesting\" {character\nchoices}"},
               {"strange©™\n'quoted' \"name\"", "6"}}),
  };
  testing::ParseResult got = Parse(input);
  ASSERT_TRUE(got.ok) << got.error;
  ASSERT_EQ(got.entries.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) EXPECT_EQ(got.entries[i], want[i]) << "entry " << i;
}

struct ErrorCase {
  std::string input;
  std::string err;  // Prometheus's message, without our position prefix
};

TEST_P(PromParseTest, PrometheusErrors) {
  const std::vector<ErrorCase> cases = {
      {"a", R"(expected value after metric, got "\n" ("INVALID") while parsing: "a\n")"},
      {"a{b='c'} 1\n", R"(expected label value, got "'" ("INVALID") while parsing: "a{b='")"},
      {"a{b=\n", R"(expected label value, got "\n" ("INVALID") while parsing: "a{b=\n")"},
      {"a{\xff=\"foo\"} 1\n", R"(expected label name, got "\xff" ("INVALID") while parsing: "a{\xff")"},
      {"a{b=\"\xff\"} 1\n", R"(invalid UTF-8 label value: "\"\xff\"")"},
      {R"({"a", "b = "c"})", R"(expected equal, got "c\"" ("LNAME") while parsing: "{\"a\", \"b = \"c\"")"},
      {R"({"a",b\nc="d"} 1)", R"(expected equal, got "\\" ("INVALID") while parsing: "{\"a\",b\\")"},
      {"a true\n", R"(strconv.ParseFloat: parsing "true": invalid syntax while parsing: "a true")"},
      {"something_weird{problem=\"",
       R"(expected label value, got "\"\n" ("INVALID") while parsing: "something_weird{problem=\"\n")"},
      {"empty_label_name{=\"\"} 0",
       R"(expected label name, got "=\"" ("EQUAL") while parsing: "empty_label_name{=\"")"},
      {"foo 1_2\n", R"(unsupported character in float while parsing: "foo 1_2")"},
      {"foo 0x1p-3\n", R"(unsupported character in float while parsing: "foo 0x1p-3")"},
      {"foo 0x1P-3\n", R"(unsupported character in float while parsing: "foo 0x1P-3")"},
      {"foo 0 1_2\n", R"(expected next entry after timestamp, got "_" ("INVALID") while parsing: "foo 0 1_")"},
      {R"({a="ok"} 1)", R"(metric name not set while parsing: "{a=\"ok\"} 1")"},
      {"# TYPE #\n#EOF\n", R"(expected metric name after TYPE, got "#" ("INVALID") while parsing: "# TYPE #")"},
      {"# HELP #\n#EOF\n", R"(expected metric name after HELP, got "#" ("INVALID") while parsing: "# HELP #")"},
      // Beyond Prometheus's table.
      {"# TYPE a untyped \n", R"(invalid metric type "untyped ")"},
      {"# TYPE a info\n", R"(invalid metric type "info")"},
      {"# HELP a \xff\n", R"(help text "\xff" is not a valid utf8 string)"},
      {"a 1e400\n", R"(strconv.ParseFloat: parsing "1e400": value out of range while parsing: "a 1e400")"},
      {"a 1 99999999999999999999\n",
       R"(strconv.ParseInt: parsing "99999999999999999999": value out of range while parsing: "a 1 99999999999999999999")"},
      {"a 1 -1\n", R"(expected timestamp or new record, got "-" ("INVALID") while parsing: "a 1 -")"},
      {"a 1{\n", R"(expected timestamp or new record, got "{" ("INVALID") while parsing: "a 1{")"},
      {R"({"a","b"} 1)", R"(metric name already set while parsing: "{\"a\",\"b\"}")"},
      {"a nan(1)\n", R"x(strconv.ParseFloat: parsing "nan(1)": invalid syntax while parsing: "a nan(1)")x"},
      {"a +nan\n", R"(strconv.ParseFloat: parsing "+nan": invalid syntax while parsing: "a +nan")"},
      {"a infin\n", R"(strconv.ParseFloat: parsing "infin": invalid syntax while parsing: "a infin")"},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    testing::ParseResult got = Parse(cases[i].input);
    ASSERT_FALSE(got.ok) << "case " << i;
    EXPECT_EQ(StripPosition(got.error), cases[i].err) << "case " << i << ": " << got.error;
  }
}

TEST_P(PromParseTest, NullBytes) {
  testing::ParseResult got;
  const std::vector<ErrorCase> cases = {
      {std::string("null_byte_metric{a=\"abc\0\"} 1", 28), ""},
      {std::string("a{b=\"\0ss\"} 1\n", 13), ""},
      {std::string("a{b=\"\0\"} 1\n", 11), ""},
      {std::string("a{b=\0\"ssss\"} 1\n", 15),
       R"(expected label value, got "\x00" ("INVALID") while parsing: "a{b=\x00")"},
      {std::string("a{b=\"\0", 6),
       R"(expected label value, got "\"\x00\n" ("INVALID") while parsing: "a{b=\"\x00\n")"},
      {std::string("a{b\0=\"hiih\"}\t1", 14),
       R"(expected equal, got "\x00" ("INVALID") while parsing: "a{b\x00")"},
      {std::string("a\0{b=\"ddd\"} 1", 13),
       R"(expected value after metric, got "\x00" ("INVALID") while parsing: "a\x00")"},
      {std::string("a 0 1\0", 6),
       R"(expected next entry after timestamp, got "\x00" ("INVALID") while parsing: "a 0 1\x00")"},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    got = Parse(cases[i].input);
    if (cases[i].err.empty()) {
      EXPECT_TRUE(got.ok) << "case " << i << ": " << got.error;
    } else {
      ASSERT_FALSE(got.ok) << "case " << i;
      EXPECT_EQ(StripPosition(got.error), cases[i].err) << "case " << i;
    }
  }
  // NULs right after a label value's closing quote are skipped (found by
  // fuzzing; the lexer advances before it leaves the label-value state).
  got = Parse(std::string("a{b=\"x\"\0\0,c=\"y\"\0} 1\n", 20));
  ASSERT_TRUE(got.ok) << got.error;
  EXPECT_EQ(got.entries[0].lset, (std::vector<std::pair<std::string, std::string>>{
                                     {"__name__", "a"}, {"b", "x"}, {"c", "y"}}));
  got = Parse(std::string("a{b=\t\0\0\"\0\"} 1\n", 14));
  ASSERT_TRUE(got.ok) << got.error;
  EXPECT_EQ(got.entries[0].lset, (std::vector<std::pair<std::string, std::string>>{
                                     {"__name__", "a"}, {"b", std::string("\0", 1)}}));
  // A NUL at the start of a line ends the body, as in Prometheus's lexer.
  got = Parse(std::string("a 1\n\0garbage{\n", 14));
  ASSERT_TRUE(got.ok) << got.error;
  EXPECT_EQ(got.entries.size(), 1u);
}

TEST_P(PromParseTest, ErrorPositionIsLineAndColumnOfTheToken) {
  testing::ParseResult got = Parse("a 1\n\nfoo{a=\"b\"} \n");
  ASSERT_FALSE(got.ok);
  EXPECT_EQ(got.error, R"(3:12: expected value after metric, got "\n" ("INVALID") while parsing: "foo{a=\"b\"} \n")");
  got = Parse("a 1\nb 2\nc x\n");
  ASSERT_FALSE(got.ok);
  EXPECT_EQ(got.error, R"(3:3: strconv.ParseFloat: parsing "x": invalid syntax while parsing: "c x")");
}

TEST_P(PromParseTest, ValueForms) {
  struct {
    const char* text;
    double want;
  } cases[] = {
      {"1", 1},     {"+1", 1},    {"-1.5", -1.5}, {".5", 0.5},    {"5.", 5},      {"1e3", 1000},
      {"1E-3", 1e-3}, {"+Inf", INFINITY}, {"-inf", -INFINITY}, {"Infinity", INFINITY}, {"iNf", INFINITY},
      {"1e-400", 0},  {"007", 7},
  };
  for (const auto& c : cases) {
    testing::ParseResult got = Parse(std::string("m ") + c.text + "\n");
    ASSERT_TRUE(got.ok) << c.text << ": " << got.error;
    EXPECT_EQ(got.entries[0].v, c.want) << c.text;
  }
  for (const char* nan : {"NaN", "nan", "NAN"}) {
    testing::ParseResult got = Parse(std::string("m ") + nan + "\n");
    ASSERT_TRUE(got.ok) << got.error;
    EXPECT_TRUE(std::isnan(got.entries[0].v));
    EXPECT_EQ(std::bit_cast<uint64_t>(got.entries[0].v), model::kNormalNaNBits);
  }
  for (const char* bad : {"0x10", "1e", ".", "-", "++1", "+-1", "1.2.3", "e5", "1e+"}) {
    EXPECT_FALSE(Parse(std::string("m ") + bad + "\n").ok) << bad;
  }
}

TEST_P(PromParseTest, BucketAndQuantileNormalisationFollowsTheCurrentType) {
  testing::ParseResult got = Parse(
      "h_bucket{le=\"1\"} 1\n"
      "# TYPE h histogram\n"
      "h_bucket{le=\"1\"} 1\nh_bucket{le=\"1e6\"} 1\nh_bucket{le=\"-0\"} 1\nh_bucket{le=\"x\"} 1\n"
      "h_bucket{le=\"0.25\"} 1\nh_bucket{le=\"100000\"} 1\nh_bucket{le=\"+inf\"} 1\nh{quantile=\"1\"} 1\n"
      "# TYPE s summary\n"
      "s{quantile=\"1\",le=\"1\"} 1\n");
  ASSERT_TRUE(got.ok) << got.error;
  auto label = [&](size_t i, const std::string& name) {
    for (const auto& [n, v] : got.entries[i].lset) {
      if (n == name) return v;
    }
    return std::string("<absent>");
  };
  EXPECT_EQ(label(0, "le"), "1");  // no TYPE yet
  EXPECT_EQ(label(2, "le"), "1.0");
  EXPECT_EQ(label(3, "le"), "1e+06");
  EXPECT_EQ(label(4, "le"), "-0.0");
  EXPECT_EQ(label(5, "le"), "x");
  EXPECT_EQ(label(6, "le"), "0.25");
  EXPECT_EQ(label(7, "le"), "100000.0");
  EXPECT_EQ(label(8, "le"), "+Inf");
  EXPECT_EQ(label(9, "quantile"), "1");  // histogram: quantile untouched
  EXPECT_EQ(label(11, "quantile"), "1.0");
  EXPECT_EQ(label(11, "le"), "1");
}

TEST_P(PromParseTest, LabelValueEscapes) {
  testing::ParseResult got = Parse(R"(m{a="x\\y",b="line\nbreak",c="q\"",d="tab\t"} 1)"
                                   "\n# HELP m a\\\\b\\nc\\\"d\n");
  ASSERT_TRUE(got.ok) << got.error;
  EXPECT_EQ(got.entries[0].lset,
            (std::vector<std::pair<std::string, std::string>>{
                {"__name__", "m"}, {"a", "x\\y"}, {"b", "line\nbreak"}, {"c", "q\""}, {"d", "tab\\t"}}));
  // Text-format HELP unescapes only \\ and \n.
  EXPECT_EQ(got.entries[1].text, "a\\b\nc\\\"d");
}

TEST_P(PromParseTest, WhitespaceAndLineEnds) {
  testing::ParseResult got = Parse("\n\n  m 1 2  \n\tn{a=\"b\"}3\r\n");
  // "\r" is part of the value token: ParseFloat rejects it.
  ASSERT_FALSE(got.ok);
  got = Parse("\n\n  m 1 2  \n\tn{a=\"b\"}3\nx 1");
  ASSERT_TRUE(got.ok) << got.error;
  ASSERT_EQ(got.entries.size(), 3u);
  EXPECT_EQ(got.entries[0].m, "  m");
  EXPECT_EQ(got.entries[0].t, 2);
  EXPECT_EQ(got.entries[1].m, "\tn{a=\"b\"}");
  EXPECT_EQ(got.entries[1].v, 3);
  EXPECT_EQ(got.entries[2].m, "x");
  EXPECT_TRUE(Parse("").ok);
  EXPECT_TRUE(Parse("\n\n").ok);
}

TEST(PromParserTest, AfterAnErrorNextKeepsReturningError) {
  TextParser p(kProm, "a 1\nb\nc 2\n");
  EXPECT_EQ(p.Next(), Entry::kSeries);
  EXPECT_EQ(p.Next(), Entry::kError);
  EXPECT_EQ(p.error().code(), util::StatusCode::kInvalidArgument);
  EXPECT_EQ(p.Next(), Entry::kError);
  EXPECT_EQ(p.Next(), Entry::kError);
}

TEST(PromParserTest, ResetReusesTheParser) {
  TextParser p;
  EXPECT_EQ(p.Next(), Entry::kEof);
  std::vector<model::Label> labels;
  for (int round = 0; round < 3; ++round) {
    p.Reset(kProm, "# TYPE h histogram\nh_bucket{le=\"2\",x=\"a\\\\b\"} 4 5\n");
    EXPECT_EQ(p.Next(), Entry::kType);
    ASSERT_EQ(p.Next(), Entry::kSeries);
    EXPECT_EQ(p.Series(), "h_bucket{le=\"2\",x=\"a\\\\b\"}");
    EXPECT_EQ(p.Value(), 4);
    EXPECT_EQ(p.Timestamp(), 5);
    labels.clear();
    p.Labels(&labels);
    EXPECT_THAT(labels, ::testing::ElementsAre(model::Label{"__name__", "h_bucket"}, model::Label{"le", "2.0"},
                                               model::Label{"x", "a\\b"}));
    EXPECT_EQ(p.Next(), Entry::kEof);
    EXPECT_EQ(p.Next(), Entry::kEof);
  }
  p.Reset(kProm, "a{");
  EXPECT_EQ(p.Next(), Entry::kError);
  p.Reset(kProm, "a 1");
  EXPECT_EQ(p.Next(), Entry::kSeries);
  EXPECT_TRUE(p.error().ok());
}

TEST(PromParserTest, ConformanceBodies) {
  for (const char* name : {"alltypes.237mfs.prom.txt", "alltypes.237mfs.nometa.prom.txt"}) {
    std::optional<std::string> body = ReadConformance(name);
    if (!body) GTEST_SKIP() << "conformance bodies absent";
    testing::ParseResult fast = ParseAll(kProm, *body, true);
    testing::ParseResult general = ParseAll(kProm, *body, false);
    ASSERT_TRUE(fast.ok) << name << ": " << fast.error;
    ASSERT_TRUE(general.ok) << name << ": " << general.error;
    EXPECT_EQ(fast.entries, general.entries) << name;
    const bool meta = std::string_view(name).find("nometa") == std::string_view::npos;
    size_t series = 0, types = 0, helps = 0;
    for (const Parsed& e : fast.entries) {
      series += e.kind == Entry::kSeries;
      types += e.kind == Entry::kType;
      helps += e.kind == Entry::kHelp;
    }
    EXPECT_EQ(series, 1857u) << name;
    EXPECT_EQ(types, meta ? 237u : 0u) << name;
    EXPECT_EQ(helps, meta ? 237u : 0u) << name;
    // go_gc_duration_seconds{quantile="0"} 7.6238e-05 comes first.
    auto first = std::find_if(fast.entries.begin(), fast.entries.end(),
                              [](const Parsed& e) { return e.kind == Entry::kSeries; });
    EXPECT_EQ(first->m, "go_gc_cycles_automatic_gc_cycles_total");
    EXPECT_EQ(first->v, 190932);
    auto find = [&](std::string_view series_text) {
      return std::find_if(fast.entries.begin(), fast.entries.end(),
                          [&](const Parsed& e) { return e.kind == Entry::kSeries && e.m == series_text; });
    };
    auto q = find(R"(go_gc_duration_seconds{quantile="0"})");
    ASSERT_NE(q, fast.entries.end());
    EXPECT_EQ(q->v, 7.6238e-05);
    EXPECT_EQ(q->lset, (std::vector<std::pair<std::string, std::string>>{
                           {"__name__", "go_gc_duration_seconds"}, {"quantile", meta ? "0.0" : "0"}}));
    auto b = find(R"(prometheus_http_request_duration_seconds_bucket{handler="/",le="1"})");
    ASSERT_NE(b, fast.entries.end());
    EXPECT_EQ(b->v, 688);
    EXPECT_EQ(b->lset, (std::vector<std::pair<std::string, std::string>>{
                           {"__name__", "prometheus_http_request_duration_seconds_bucket"},
                           {"handler", "/"},
                           {"le", meta ? "1.0" : "1"}}));
  }
}

}  // namespace
}  // namespace kubescrape::scraper
