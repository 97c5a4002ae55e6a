// Tests of the OpenMetrics 1.0 parser (TextParser with
// ExpositionFormat::kOpenMetrics). The cases follow Prometheus's
// model/textparse/openmetricsparse_test.go (TestOpenMetricsParse,
// TestUTF8OpenMetricsParse, TestOpenMetricsParseErrors, TestOMNullByteHandling).
// Unlike that test, `_created` series are ordinary series here.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <limits>

#include "scraper/textparse.h"
#include "test/scraper/textparse_test_util.h"

namespace kubescrape::scraper {
namespace {

using testing::Help;
using testing::ParseAll;
using testing::Parsed;
using testing::ReadConformance;
using testing::Series;
using testing::StripPosition;
using testing::Type;
using testing::Unit;
using Entry = TextParser::Entry;
using Lset = std::vector<std::pair<std::string, std::string>>;

constexpr ExpositionFormat kOm = ExpositionFormat::kOpenMetrics;

TEST(OpenMetricsParseTest, PrometheusCases) {
  std::string input = R"(# HELP go_gc_duration_seconds A summary of the GC invocation durations.
# TYPE go_gc_duration_seconds summary
# UNIT go_gc_duration_seconds seconds
go_gc_duration_seconds{quantile="0"} 4.9351e-05
go_gc_duration_seconds{quantile="0.25"} 7.424100000000001e-05
go_gc_duration_seconds{quantile="0.5",a="b"} 8.3835e-05
# HELP nohelp1 
# HELP help2 escape \ \n \\ \" \x chars
# UNIT nounit 
go_gc_duration_seconds{quantile="1.0",a="b"} 8.3835e-05
go_gc_duration_seconds_count 99
some:aggregate:rate5m{a_b="c"} 1
# HELP go_goroutines Number of goroutines that currently exist.
# TYPE go_goroutines gauge
go_goroutines 33 123.123
# TYPE hh histogram
hh_bucket{le="+Inf"} 1
# TYPE gh gaugehistogram
gh_bucket{le="+Inf"} 1
# TYPE hhh histogram
hhh_bucket{le="+Inf"} 1 # {id="histogram-bucket-test"} 4
hhh_count 1 # {id="histogram-count-test"} 4
# TYPE ggh gaugehistogram
ggh_bucket{le="+Inf"} 1 # {id="gaugehistogram-bucket-test",xx="yy"} 4 123.123
ggh_count 1 # {id="gaugehistogram-count-test",xx="yy"} 4 123.123
# TYPE smr_seconds summary
smr_seconds_count 2.0 # {id="summary-count-test"} 1 123.321
smr_seconds_sum 42.0 # {id="summary-sum-test"} 1 123.321
# TYPE ii info
ii{foo="bar"} 1
# TYPE ss stateset
ss{ss="foo"} 1
ss{ss="bar"} 0
ss{A="a"} 0
# TYPE un unknown
_metric_starting_with_underscore 1
testmetric{_label_starting_with_underscore="foo"} 1
testmetric{label="\"bar\""} 1
# HELP foo Counter with and without labels to certify CT is parsed for both cases
# TYPE foo counter
foo_total 17.0 1520879607.789 # {id="counter-test"} 5
foo_created 1520872607.123
foo_total{le="c"} 21.0
foo_total{le="1"} 10.0
# HELP baz Histogram with the same objective as above's summary
# TYPE baz histogram
baz_bucket{le="0.0"} 0
baz_bucket{le="1"} 2
baz_created 1520872609.125
# TYPE something histogram
something_count 18
something_created 1520430001)";
  using std::string_literals::operator""s;
  input += "\n# HELP metric foo\x00"
           "bar"s;
  input += "\nnull_byte_metric{a=\"abc\x00\"} 1"s;
  input += "\n# EOF\n";

  const std::string gc = "go_gc_duration_seconds";
  const std::vector<Parsed> want = {
      Help(gc, "A summary of the GC invocation durations."),
      Type(gc, MetricType::kSummary),
      Unit(gc, "seconds"),
      Series(R"(go_gc_duration_seconds{quantile="0"})", 4.9351e-05, {{"__name__", gc}, {"quantile", "0.0"}}),
      Series(R"(go_gc_duration_seconds{quantile="0.25"})", 7.424100000000001e-05,
             {{"__name__", gc}, {"quantile", "0.25"}}),
      Series(R"(go_gc_duration_seconds{quantile="0.5",a="b"})", 8.3835e-05,
             {{"__name__", gc}, {"quantile", "0.5"}, {"a", "b"}}),
      Help("nohelp1", ""),
      Help("help2", "escape \\ \n \\ \" \\x chars"),
      Unit("nounit", ""),
      Series(R"(go_gc_duration_seconds{quantile="1.0",a="b"})", 8.3835e-05,
             {{"__name__", gc}, {"quantile", "1.0"}, {"a", "b"}}),
      Series("go_gc_duration_seconds_count", 99, {{"__name__", "go_gc_duration_seconds_count"}}),
      Series(R"(some:aggregate:rate5m{a_b="c"})", 1, {{"__name__", "some:aggregate:rate5m"}, {"a_b", "c"}}),
      Help("go_goroutines", "Number of goroutines that currently exist."),
      Type("go_goroutines", MetricType::kGauge),
      Series("go_goroutines", 33, {{"__name__", "go_goroutines"}}, 123123),
      Type("hh", MetricType::kHistogram),
      Series(R"(hh_bucket{le="+Inf"})", 1, {{"__name__", "hh_bucket"}, {"le", "+Inf"}}),
      Type("gh", MetricType::kGaugeHistogram),
      Series(R"(gh_bucket{le="+Inf"})", 1, {{"__name__", "gh_bucket"}, {"le", "+Inf"}}),
      Type("hhh", MetricType::kHistogram),
      Series(R"(hhh_bucket{le="+Inf"})", 1, {{"__name__", "hhh_bucket"}, {"le", "+Inf"}}, std::nullopt, true),
      Series("hhh_count", 1, {{"__name__", "hhh_count"}}, std::nullopt, true),
      Type("ggh", MetricType::kGaugeHistogram),
      Series(R"(ggh_bucket{le="+Inf"})", 1, {{"__name__", "ggh_bucket"}, {"le", "+Inf"}}, std::nullopt, true),
      Series("ggh_count", 1, {{"__name__", "ggh_count"}}, std::nullopt, true),
      Type("smr_seconds", MetricType::kSummary),
      Series("smr_seconds_count", 2, {{"__name__", "smr_seconds_count"}}, std::nullopt, true),
      Series("smr_seconds_sum", 42, {{"__name__", "smr_seconds_sum"}}, std::nullopt, true),
      Type("ii", MetricType::kInfo),
      Series(R"(ii{foo="bar"})", 1, {{"__name__", "ii"}, {"foo", "bar"}}),
      Type("ss", MetricType::kStateset),
      Series(R"(ss{ss="foo"})", 1, {{"__name__", "ss"}, {"ss", "foo"}}),
      Series(R"(ss{ss="bar"})", 0, {{"__name__", "ss"}, {"ss", "bar"}}),
      Series(R"(ss{A="a"})", 0, {{"A", "a"}, {"__name__", "ss"}}),
      Type("un", MetricType::kUnknown),
      Series("_metric_starting_with_underscore", 1, {{"__name__", "_metric_starting_with_underscore"}}),
      Series(R"(testmetric{_label_starting_with_underscore="foo"})", 1,
             {{"__name__", "testmetric"}, {"_label_starting_with_underscore", "foo"}}),
      Series(R"(testmetric{label="\"bar\""})", 1, {{"__name__", "testmetric"}, {"label", R"("bar")"}}),
      Help("foo", "Counter with and without labels to certify CT is parsed for both cases"),
      Type("foo", MetricType::kCounter),
      Series("foo_total", 17, {{"__name__", "foo_total"}}, 1520879607789, true),
      // _created lines are ordinary series.
      Series("foo_created", 1520872607.123, {{"__name__", "foo_created"}}),
      Series(R"(foo_total{le="c"})", 21, {{"__name__", "foo_total"}, {"le", "c"}}),
      Series(R"(foo_total{le="1"})", 10, {{"__name__", "foo_total"}, {"le", "1"}}),  // counter: as is
      Help("baz", "Histogram with the same objective as above's summary"),
      Type("baz", MetricType::kHistogram),
      Series(R"(baz_bucket{le="0.0"})", 0, {{"__name__", "baz_bucket"}, {"le", "0.0"}}),
      Series(R"(baz_bucket{le="1"})", 2, {{"__name__", "baz_bucket"}, {"le", "1.0"}}),
      Series("baz_created", 1520872609.125, {{"__name__", "baz_created"}}),
      Type("something", MetricType::kHistogram),
      Series("something_count", 18, {{"__name__", "something_count"}}),
      Series("something_created", 1520430001, {{"__name__", "something_created"}}),
      Help("metric", std::string("foo\0bar", 7)),
      Series(std::string("null_byte_metric{a=\"abc\0\"}", 26), 1,
             {{"__name__", "null_byte_metric"}, {"a", std::string("abc\0", 4)}}),
  };
  testing::ParseResult got = ParseAll(kOm, input);
  ASSERT_TRUE(got.ok) << got.error;
  ASSERT_EQ(got.entries.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) EXPECT_EQ(got.entries[i], want[i]) << "entry " << i;
}

TEST(OpenMetricsParseTest, Utf8QuotedNames) {
  std::string input = R"(# HELP "go.gc_duration_seconds" A summary of the GC invocation durations.
# TYPE "go.gc_duration_seconds" summary
# UNIT "go.gc_duration_seconds" seconds
{"go.gc_duration_seconds",quantile="0"} 4.9351e-05
{"go.gc_duration_seconds_created"} 1520872607.123
{q="0.9","http.status",a="b"} 8.3835e-05
{"Heizölrückstoßabdämpfung 10€ metric with \"interesting\" {character\nchoices}","strange©™\n'quoted' \"name\""="6"} 10.0
quotedexemplar2_count 1 # {"id.thing"="histogram-count-test",other="hello"} 4
# EOF
)";
  const std::vector<Parsed> want = {
      Help("go.gc_duration_seconds", "A summary of the GC invocation durations."),
      Type("go.gc_duration_seconds", MetricType::kSummary),
      Unit("go.gc_duration_seconds", "seconds"),
      Series(R"({"go.gc_duration_seconds",quantile="0"})", 4.9351e-05,
             {{"__name__", "go.gc_duration_seconds"}, {"quantile", "0.0"}}),
      Series(R"({"go.gc_duration_seconds_created"})", 1520872607.123,
             {{"__name__", "go.gc_duration_seconds_created"}}),
      Series(R"({q="0.9","http.status",a="b"})", 8.3835e-05,
             {{"__name__", "http.status"}, {"q", "0.9"}, {"a", "b"}}),
      Series(
          R"({"Heizölrückstoßabdämpfung 10€ metric with \"interesting\" {character\nchoices}","strange©™\n'quoted' \"name\""="6"})",
          10, {{"__name__", "Heizölrückstoßabdämpfung 10€ metric with \"interesting\" {character\nchoices}"},
               {"strange©™\n'quoted' \"name\"", "6"}}),
      Series("quotedexemplar2_count", 1, {{"__name__", "quotedexemplar2_count"}}, std::nullopt, true),
  };
  testing::ParseResult got = ParseAll(kOm, input);
  ASSERT_TRUE(got.ok) << got.error;
  ASSERT_EQ(got.entries.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) EXPECT_EQ(got.entries[i], want[i]) << "entry " << i;
}

struct ErrorCase {
  std::string input;
  std::string err;  // Prometheus's message without our position; "" = success
};

void CheckErrors(const std::vector<ErrorCase>& cases) {
  for (size_t i = 0; i < cases.size(); ++i) {
    testing::ParseResult got = ParseAll(kOm, cases[i].input);
    if (cases[i].err.empty()) {
      EXPECT_TRUE(got.ok) << "case " << i << ": " << got.error;
    } else {
      ASSERT_FALSE(got.ok) << "case " << i << ": " << cases[i].input;
      EXPECT_EQ(StripPosition(got.error), cases[i].err) << "case " << i << ": " << cases[i].input;
    }
  }
}

TEST(OpenMetricsParseTest, PrometheusErrors) {
  CheckErrors({
      {"# EOF", ""},
      {"# EOF\n", ""},
      {"", "data does not end with # EOF"},
      {"\n", R"(expected a valid start token, got "\n" ("INVALID") while parsing: "\n")"},
      {"metric", R"(expected value after metric, got "metric" ("EOF") while parsing: "metric")"},
      {"metric 1", "data does not end with # EOF"},
      {"metric 1\n", "data does not end with # EOF"},
      {"metric_total 1 # {aa=\"bb\"} 4", "data does not end with # EOF"},
      {"a\n#EOF\n", R"(expected value after metric, got "\n" ("INVALID") while parsing: "a\n")"},
      {"\n\n#EOF\n", R"(expected a valid start token, got "\n" ("INVALID") while parsing: "\n")"},
      {" a 1\n#EOF\n", R"(expected a valid start token, got " " ("INVALID") while parsing: " ")"},
      {"9\n#EOF\n", R"(expected a valid start token, got "9" ("INVALID") while parsing: "9")"},
      {"# TYPE u untyped\n#EOF\n", R"(invalid metric type "untyped")"},
      {"# TYPE c counter \n#EOF\n", R"(invalid metric type "counter ")"},
      {"#  TYPE c counter\n#EOF\n", R"(expected a valid start token, got "#  " ("INVALID") while parsing: "#  ")"},
      {"# TYPE \n#EOF\n", R"(expected metric name after TYPE, got "\n" ("INVALID") while parsing: "# TYPE \n")"},
      {"# TYPE m\n#EOF\n", "expected text in TYPE"},
      {"# UNIT metric suffix\n#EOF\n", R"(unit "suffix" not a suffix of metric "metric")"},
      {"# UNIT metricsuffix suffix\n#EOF\n", R"(unit "suffix" not a suffix of metric "metricsuffix")"},
      {"# UNIT m suffix\n#EOF\n", R"(unit "suffix" not a suffix of metric "m")"},
      {"# UNIT \n#EOF\n", R"(expected metric name after UNIT, got "\n" ("INVALID") while parsing: "# UNIT \n")"},
      {"# UNIT m\n#EOF\n", "expected text in UNIT"},
      {"# HELP \n#EOF\n", R"(expected metric name after HELP, got "\n" ("INVALID") while parsing: "# HELP \n")"},
      {"# HELP m\n#EOF\n", "expected text in HELP"},
      {"a\t1\n#EOF\n", R"(expected value after metric, got "\t" ("INVALID") while parsing: "a\t")"},
      {"a 1\t2\n#EOF\n", R"(strconv.ParseFloat: parsing "1\t2": invalid syntax while parsing: "a 1\t2")"},
      {"a 1 2 \n#EOF\n", R"(expected next entry after timestamp, got " \n" ("INVALID") while parsing: "a 1 2 \n")"},
      {"a 1 2 #\n#EOF\n",
       R"(expected next entry after timestamp, got " #\n" ("TIMESTAMP") while parsing: "a 1 2 #\n")"},
      {"a 1 1z\n#EOF\n", R"(strconv.ParseFloat: parsing "1z": invalid syntax while parsing: "a 1 1z")"},
      {" # EOF\n", R"(expected a valid start token, got " " ("INVALID") while parsing: " ")"},
      {"# EOF\na 1", "unexpected data after # EOF"},
      {"# EOF\n\n", "unexpected data after # EOF"},
      {"# EOFa 1", "unexpected data after # EOF"},
      {"#\tTYPE c counter\n", R"(expected a valid start token, got "#\t" ("INVALID") while parsing: "#\t")"},
      {"# TYPE c  counter\n", R"(invalid metric type " counter")"},
      {"a 1 1 1\n# EOF\n", R"(expected next entry after timestamp, got " 1\n" ("TIMESTAMP") while parsing: "a 1 1 1\n")"},
      {"a{b='c'} 1\n# EOF\n", R"(expected label value, got "'" ("INVALID") while parsing: "a{b='")"},
      {"a{,b=\"c\"} 1\n# EOF\n", R"(expected label name, got ",b" ("COMMA") while parsing: "a{,b")"},
      {"a{b=\"c\"d=\"e\"} 1\n# EOF\n",
       R"(expected comma or brace close, got "d=" ("LNAME") while parsing: "a{b=\"c\"d=")"},
      {"a{b=\"c\",,d=\"e\"} 1\n# EOF\n", R"(expected label name, got ",d" ("COMMA") while parsing: "a{b=\"c\",,d")"},
      {"a{b=\n# EOF\n", R"(expected label value, got "\n" ("INVALID") while parsing: "a{b=\n")"},
      {"a{\xff=\"foo\"} 1\n# EOF\n", R"(expected label name, got "\xff" ("INVALID") while parsing: "a{\xff")"},
      {"a{b=\"\xff\"} 1\n# EOF\n", R"(invalid UTF-8 label value: "\"\xff\"")"},
      {"{\"a\",\"b = \"c\"}\n# EOF\n",
       R"(expected equal, got "c\"" ("LNAME") while parsing: "{\"a\",\"b = \"c\"")"},
      {"{\"a\",b\\nc=\"d\"} 1\n# EOF\n", R"(expected equal, got "\\" ("INVALID") while parsing: "{\"a\",b\\")"},
      {"a true\n", R"(strconv.ParseFloat: parsing "true": invalid syntax while parsing: "a true")"},
      {"something_weird{problem=\"\n# EOF\n",
       R"(expected label value, got "\"\n" ("INVALID") while parsing: "something_weird{problem=\"\n")"},
      {"empty_label_name{=\"\"} 0\n# EOF\n",
       R"(expected label name, got "=\"" ("EQUAL") while parsing: "empty_label_name{=\"")"},
      {"foo 1_2\n\n# EOF\n", R"(unsupported character in float while parsing: "foo 1_2")"},
      {"foo 0x1p-3\n\n# EOF\n", R"(unsupported character in float while parsing: "foo 0x1p-3")"},
      {"foo 0x1P-3\n\n# EOF\n", R"(unsupported character in float while parsing: "foo 0x1P-3")"},
      {"foo 0 1_2\n\n# EOF\n", R"(unsupported character in float while parsing: "foo 0 1_2")"},
      {"custom_metric_total 1 # {aa=bb}\n# EOF\n",
       R"(expected label value, got "b" ("INVALID") while parsing: "custom_metric_total 1 # {aa=b")"},
      {"custom_metric_total 1 # {aa=\"bb\"}\n# EOF\n",
       R"(expected value after exemplar labels, got "\n" ("INVALID") while parsing: "custom_metric_total 1 # {aa=\"bb\"}\n")"},
      {R"(custom_metric_total 1 # {aa="bb"})",
       R"(expected value after exemplar labels, got "}" ("EOF") while parsing: "custom_metric_total 1 # {aa=\"bb\"}")"},
      {R"(custom_metric_total 1 # {bb})",
       R"(expected label name, got "}" ("BCLOSE") while parsing: "custom_metric_total 1 # {bb}")"},
      {R"(custom_metric_total 1 # {bb, a="dd"})",
       R"(expected label name, got ", " ("COMMA") while parsing: "custom_metric_total 1 # {bb, ")"},
      {R"(custom_metric_total 1 # {aa="bb",,cc="dd"} 1)",
       R"(expected label name, got ",c" ("COMMA") while parsing: "custom_metric_total 1 # {aa=\"bb\",,c")"},
      {R"(custom_metric_total 1 # {aa="bb"} 1_2)",
       R"(unsupported character in float while parsing: "custom_metric_total 1 # {aa=\"bb\"} 1_2")"},
      {R"(custom_metric_total 1 # {aa="bb"} 0x1p-3)",
       R"(unsupported character in float while parsing: "custom_metric_total 1 # {aa=\"bb\"} 0x1p-3")"},
      {R"(custom_metric_total 1 # {aa="bb"} true)",
       R"(strconv.ParseFloat: parsing "true": invalid syntax while parsing: "custom_metric_total 1 # {aa=\"bb\"} true")"},
      {R"(custom_metric_total 1 # {aa="bb",cc=})",
       R"(expected label value, got "}" ("INVALID") while parsing: "custom_metric_total 1 # {aa=\"bb\",cc=}")"},
      {"custom_metric_total 1 # {aa=\\\"\xff\\\"} 9.0",
       R"(expected label value, got "\\" ("INVALID") while parsing: "custom_metric_total 1 # {aa=\\")"},
      {R"({b="c",} 1)", R"(metric name not set while parsing: "{b=\"c\",} 1")"},
      {"a 1 NaN", "invalid timestamp NaN"},
      {"a 1 -Inf", "invalid timestamp -Inf"},
      {"a 1 Inf", "invalid timestamp +Inf"},
      {"# TYPE hhh histogram\nhhh_bucket{le=\"+Inf\"} 1 # {aa=\"bb\"} 4 NaN", "invalid exemplar timestamp NaN"},
      {"# TYPE hhh histogram\nhhh_bucket{le=\"+Inf\"} 1 # {aa=\"bb\"} 4 -Inf", "invalid exemplar timestamp -Inf"},
      // Beyond Prometheus's table.
      {"a 1 \n# EOF\n", R"(expected timestamp or # symbol, got " \n" ("INVALID") while parsing: "a 1 \n")"},
      {"a 1 # x\n# EOF\n", R"(expected timestamp or # symbol, got " # x" ("INVALID") while parsing: "a 1 # x")"},
      {"a{b} 1\n# EOF\n", R"(expected equal, got "} " ("BCLOSE") while parsing: "a{b} ")"},
      {"# HELP m \xff\n# EOF\n", R"(help text "\xff" is not a valid utf8 string)"},
      {"# UNIT m_s s\n# TYPE m_s gauge\nm_s 1 2.5 # {} 1 1.5\n# EOF\n", ""},
  });
}

TEST(OpenMetricsParseTest, NullBytes) {
  CheckErrors({
      {std::string("null_byte_metric{a=\"abc\0\"} 1\n# EOF\n", 35), ""},
      {std::string("a{b=\"\0ss\"} 1\n# EOF\n", 19), ""},
      {std::string("a{b=\"\0\"} 1\n# EOF\n", 17), ""},
      {std::string("a{b=\"\0\"} 1\n# EOF", 16), ""},
      {std::string("a{b=\0\"ssss\"} 1\n# EOF\n", 21),
       R"(expected label value, got "\x00" ("INVALID") while parsing: "a{b=\x00")"},
      {std::string("a{b=\"\0", 6), R"(expected label value, got "\"\x00" ("INVALID") while parsing: "a{b=\"\x00")"},
      {std::string("a{b\0=\"hiih\"}\t1", 14), R"(expected equal, got "\x00" ("INVALID") while parsing: "a{b\x00")"},
      {std::string("a\0{b=\"ddd\"} 1", 13),
       R"(expected value after metric, got "\x00" ("INVALID") while parsing: "a\x00")"},
      {"#", R"(expected a valid start token, got "#" ("INVALID") while parsing: "#")"},
      {"# H", R"(expected a valid start token, got "# H" ("INVALID") while parsing: "# H")"},
      {std::string("custom_metric_total 1 # {b=\0\"ssss\"} 1\n", 38),
       R"(expected label value, got "\x00" ("INVALID") while parsing: "custom_metric_total 1 # {b=\x00")"},
      {std::string("custom_metric_total 1 # {b=\"\0ss\"} 1\n", 36),
       R"(expected label value, got "\"\x00" ("INVALID") while parsing: "custom_metric_total 1 # {b=\"\x00")"},
  });
}

TEST(OpenMetricsParseTest, NulAfterLabelValue) {
  testing::ParseResult got = ParseAll(kOm, std::string("a{b=\"\0\"\0\0} 1\n# EOF\n", 19));
  ASSERT_TRUE(got.ok) << got.error;
  EXPECT_EQ(got.entries[0].lset, (Lset{{"__name__", "a"}, {"b", std::string("\0", 1)}}));
}

TEST(OpenMetricsParseTest, TimestampsAreFloatSeconds) {
  testing::ParseResult got = ParseAll(kOm, "a 1 1.5\nb 1 -2\nc 1 1e20\nd 1 0.0019\n# EOF\n");
  ASSERT_TRUE(got.ok) << got.error;
  EXPECT_EQ(got.entries[0].t, 1500);
  EXPECT_EQ(got.entries[1].t, -2000);
  EXPECT_EQ(got.entries[2].t, std::numeric_limits<int64_t>::min());  // Go's int64() overflow on amd64
  EXPECT_EQ(got.entries[3].t, 1);                                    // truncated toward zero
}

TEST(OpenMetricsParseTest, ErrorPosition) {
  testing::ParseResult got = ParseAll(kOm, "a 1\nb 2\nc  3\n# EOF\n");
  ASSERT_FALSE(got.ok);
  EXPECT_EQ(got.error, R"(3:2: expected value after metric, got "  " ("INVALID") while parsing: "c  ")");
  got = ParseAll(kOm, "a 1\n");
  EXPECT_EQ(got.error, "2:1: data does not end with # EOF");
}

TEST(OpenMetricsParseTest, ConformanceBodies) {
  struct {
    const char* name;
    size_t series;
  } bodies[] = {{"alltypes.5mfs.om.txt", 53}, {"1histogram.om.txt", 42}};
  for (const auto& b : bodies) {
    std::optional<std::string> body = ReadConformance(b.name);
    if (!body) GTEST_SKIP() << "conformance bodies absent";
    testing::ParseResult got = ParseAll(kOm, *body);
    ASSERT_TRUE(got.ok) << b.name << ": " << got.error;
    size_t series = 0;
    for (const Parsed& e : got.entries) series += e.kind == Entry::kSeries;
    EXPECT_EQ(series, b.series) << b.name;
  }
  std::optional<std::string> body = ReadConformance("1histogram.om.txt");
  testing::ParseResult got = ParseAll(kOm, *body);
  auto it = std::find_if(got.entries.begin(), got.entries.end(), [](const Parsed& e) {
    return e.m == R"(golang_manual_histogram_seconds_bucket{address="0.0.0.0",generation="20",port="5001",le="0.005"})";
  });
  ASSERT_NE(it, got.entries.end());
  EXPECT_EQ(it->lset, (Lset{{"__name__", "golang_manual_histogram_seconds_bucket"},
                            {"address", "0.0.0.0"},
                            {"generation", "20"},
                            {"le", "0.005"},
                            {"port", "5001"}}));
  it = std::find_if(got.entries.begin(), got.entries.end(), [](const Parsed& e) {
    return e.m == R"(golang_manual_histogram_seconds_bucket{address="0.0.0.0",generation="20",port="5001",le="10.0"})";
  });
  ASSERT_NE(it, got.entries.end());
  EXPECT_EQ(it->v, 1);
  body = ReadConformance("alltypes.5mfs.om.txt");
  got = ParseAll(kOm, *body);
  it = std::find_if(got.entries.begin(), got.entries.end(),
                    [](const Parsed& e) { return e.m == R"(rpc_requests_created{service="normal"})"; });
  ASSERT_NE(it, got.entries.end());
  EXPECT_EQ(it->v, 1.726839813016717e+09);
}

}  // namespace
}  // namespace kubescrape::scraper
