// Parser cases ported from Prometheus's promql/parser/parse_test.go and
// printer_test.go: literals, precedence, selectors, modifiers, calls,
// aggregations, type checking and the error messages with positions.
#include "promql/parser.h"

#include <gtest/gtest.h>

#include <cmath>

#include "promql/functions.h"

namespace kubescrape::promql {
namespace {

// A compact rendering of the tree that shows the grouping explicitly.
std::string Tree(const Expr& e) {
  switch (e.kind) {
    case NodeKind::kNumberLiteral: return e.String();
    case NodeKind::kStringLiteral: return e.String();
    case NodeKind::kVectorSelector:
    case NodeKind::kMatrixSelector: return e.String();
    case NodeKind::kSubquery: {
      const auto& s = As<SubqueryExpr>(e);
      return "(subquery " + Tree(*s.expr) + " " + std::to_string(s.range_ms) + " " + std::to_string(s.step_ms) + ")";
    }
    case NodeKind::kParen: return "(paren " + Tree(*As<ParenExpr>(e).expr) + ")";
    case NodeKind::kUnary: {
      const auto& u = As<UnaryExpr>(e);
      return std::string("(") + (u.negate ? "-" : "+") + " " + Tree(*u.expr) + ")";
    }
    case NodeKind::kBinary: {
      const auto& b = As<BinaryExpr>(e);
      return "(" + std::string(BinOpString(b.op)) + (b.return_bool ? " bool" : "") + " " + Tree(*b.lhs) + " " +
             Tree(*b.rhs) + ")";
    }
    case NodeKind::kCall: {
      const auto& c = As<Call>(e);
      std::string s = "(" + std::string(c.func->name);
      for (const auto& a : c.args) s += " " + Tree(*a);
      return s + ")";
    }
    case NodeKind::kAggregate: {
      const auto& a = As<AggregateExpr>(e);
      std::string s = "(" + std::string(AggOpString(a.op));
      if (a.param) s += " " + Tree(*a.param);
      return s + " " + Tree(*a.expr) + ")";
    }
    case NodeKind::kStepInvariant: return Tree(*As<StepInvariantExpr>(e).expr);
  }
  return "?";
}

std::string ParseTree(std::string_view q) {
  auto e = ParseExpr(q);
  if (!e.ok()) return "ERROR " + e.status().message();
  return Tree(**e);
}

std::string ParseErrorOf(std::string_view q) {
  auto e = ParseExpr(q);
  if (e.ok()) return "OK " + (*e)->String();
  return e.status().message();
}

TEST(ParserTest, NumberLiterals) {
  auto value = [](std::string_view q) {
    auto e = ParseExpr(q);
    EXPECT_TRUE(e.ok()) << q << ": " << e.status().ToString();
    return e.ok() && (*e)->kind == NodeKind::kNumberLiteral ? As<NumberLiteral>(**e).val : -12345.0;
  };
  EXPECT_EQ(value("1"), 1);
  EXPECT_EQ(value("+Inf"), INFINITY);
  EXPECT_EQ(value("-Inf"), -INFINITY);
  EXPECT_TRUE(std::isnan(value("NaN")));
  EXPECT_TRUE(std::isnan(value("nan")));
  EXPECT_EQ(value("inF"), INFINITY);
  EXPECT_EQ(value(".5"), 0.5);
  EXPECT_EQ(value("5."), 5);
  EXPECT_EQ(value("123.4567"), 123.4567);
  EXPECT_EQ(value("5e-3"), 0.005);
  EXPECT_EQ(value("5e3"), 5000);
  EXPECT_EQ(value("0xc"), 12);
  EXPECT_EQ(value("0755"), 493);
  EXPECT_EQ(value("+5.5e-3"), 0.0055);
  EXPECT_EQ(value("-0755"), -493);
  EXPECT_EQ(value("1_000"), 1000);
  EXPECT_EQ(value("5m"), 300);  // a duration used as a number is in seconds
  EXPECT_EQ(value("1h30m"), 5400);
}

TEST(ParserTest, NumberPositions) {
  auto e = ParseExpr("-0755");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ((*e)->pos, (PosRange{0, 5}));
  e = ParseExpr(" +some_metric");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ((*e)->kind, NodeKind::kUnary);
  EXPECT_EQ((*e)->pos.start, 1);
  EXPECT_EQ(As<UnaryExpr>(**e).expr->pos, (PosRange{2, 13}));
}

TEST(ParserTest, Precedence) {
  EXPECT_EQ(ParseTree("-1^2"), "(- (^ 1 2))");
  EXPECT_EQ(ParseTree("-1*2"), "(* -1 2)");
  EXPECT_EQ(ParseTree("-1+2"), "(+ -1 2)");
  EXPECT_EQ(ParseTree("-1^-2"), "(- (^ 1 -2))");
  EXPECT_EQ(ParseTree("+1 + -2 * 1"), "(+ 1 (* -2 1))");
  EXPECT_EQ(ParseTree("1 + 2/(3*1)"), "(+ 1 (/ 2 (paren (* 3 1))))");
  EXPECT_EQ(ParseTree("1 < bool 2 - 1 * 2"), "(< bool 1 (- 2 (* 1 2)))");
  EXPECT_EQ(ParseTree("2 ^ 3 ^ 2"), "(^ 2 (^ 3 2))");  // right-associative
  EXPECT_EQ(ParseTree("8 / 2 / 2"), "(/ (/ 8 2) 2)");
  EXPECT_EQ(ParseTree("foo + bar or bla and blub"), "(or (+ foo bar) (and bla blub))");
  EXPECT_EQ(ParseTree("foo and bar unless baz or qux"), "(or (unless (and foo bar) baz) qux)");
  EXPECT_EQ(ParseTree("a == b + c"), "(== a (+ b c))");
  EXPECT_EQ(ParseTree("a atan2 b * c"), "(* (atan2 a b) c)");
  EXPECT_EQ(ParseTree("a % b ^ c"), "(% a (^ b c))");
  EXPECT_EQ(ParseTree("-a offset 5m"), "(- a offset 5m)");
  EXPECT_EQ(ParseTree("a + b[5m:]"), "ERROR 1:5: parse error: binary expression must contain only scalar and instant vector types");
}

TEST(ParserTest, VectorMatching) {
  auto e = ParseExpr("bar + on(foo) bla / on(baz, buz) group_right(test) blub");
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  const auto& add = As<BinaryExpr>(**e);
  ASSERT_TRUE(add.matching);
  EXPECT_TRUE(add.matching->on);
  EXPECT_EQ(add.matching->matching_labels, std::vector<std::string>{"foo"});
  const auto& div = As<BinaryExpr>(*add.rhs);
  EXPECT_EQ(div.matching->card, Cardinality::kOneToMany);
  EXPECT_EQ(div.matching->matching_labels, (std::vector<std::string>{"baz", "buz"}));
  EXPECT_EQ(div.matching->include, std::vector<std::string>{"test"});
  e = ParseExpr("foo and on() bar");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(As<BinaryExpr>(**e).matching->card, Cardinality::kManyToMany);
  e = ParseExpr("foo == 1");
  ASSERT_TRUE(e.ok());
  EXPECT_FALSE(As<BinaryExpr>(**e).matching);  // cleared: not vector-vector
}

TEST(ParserTest, Selectors) {
  auto vs = [](std::string_view q) -> std::vector<std::string> {
    auto e = ParseExpr(q);
    EXPECT_TRUE(e.ok()) << q << ": " << e.status().ToString();
    std::vector<std::string> out;
    if (!e.ok()) return out;
    const Expr* x = e->get();
    if (x->kind == NodeKind::kMatrixSelector) x = As<MatrixSelector>(*x).vector_selector.get();
    for (const auto& m : As<VectorSelector>(*x).matchers) out.push_back(m.ToString());
    return out;
  };
  EXPECT_EQ(vs("foo"), std::vector<std::string>{"__name__=\"foo\""});
  EXPECT_EQ(vs("min"), std::vector<std::string>{"__name__=\"min\""});
  EXPECT_EQ(vs("offset{step=\"1s\"}[5m]"), (std::vector<std::string>{"step=\"1s\"", "__name__=\"offset\""}));
  EXPECT_EQ(vs("foo:bar{a=\"bc\"}"), (std::vector<std::string>{"a=\"bc\"", "__name__=\"foo:bar\""}));
  EXPECT_EQ(vs("{\"foo\"}"), std::vector<std::string>{"__name__=\"foo\""});
  EXPECT_EQ(vs("{\"foo\", a=\"bc\"}"), (std::vector<std::string>{"__name__=\"foo\"", "a=\"bc\""}));
  EXPECT_EQ(vs("{'foo\\'bar', 'a\\\\dos\\\\path'='boo\\\\urns'}"),
            (std::vector<std::string>{"__name__=\"foo'bar\"", "a\\dos\\path=\"boo\\\\urns\""}));
  EXPECT_EQ(vs("foo{NaN='bc'}"), (std::vector<std::string>{"NaN=\"bc\"", "__name__=\"foo\""}));
  EXPECT_EQ(vs("foo{bar='}'}"), (std::vector<std::string>{"bar=\"}\"", "__name__=\"foo\""}));
  EXPECT_EQ(vs("foo{a=\"b\", foo!=\"bar\", test=~\"test\", bar!~\"baz\",}"),
            (std::vector<std::string>{"a=\"b\"", "foo!=\"bar\"", "test=~\"test\"", "bar!~\"baz\"", "__name__=\"foo\""}));
  EXPECT_EQ(vs("{__name__=~\"bar\", __name__!~\"baz\"}"),
            (std::vector<std::string>{"__name__=~\"bar\"", "__name__!~\"baz\""}));
}

TEST(ParserTest, RangesOffsetsAndAt) {
  auto e = ParseExpr("test{a=\"b\"}[5y] OFFSET 3d");
  ASSERT_TRUE(e.ok());
  const auto& ms = As<MatrixSelector>(**e);
  EXPECT_EQ(ms.range_ms, 5LL * 365 * 24 * 3600 * 1000);
  EXPECT_EQ(ms.vs().original_offset_ms, 3LL * 24 * 3600 * 1000);
  EXPECT_EQ(ms.pos, (PosRange{0, 25}));
  e = ParseExpr("foo[4.018] @ 2.345");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(As<MatrixSelector>(**e).range_ms, 4018);
  EXPECT_EQ(*As<MatrixSelector>(**e).vs().timestamp, 2345);
  e = ParseExpr("foo @ 3.3335");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(*As<VectorSelector>(**e).timestamp, 3334);  // rounded
  e = ParseExpr("foo offset -7m");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(As<VectorSelector>(**e).original_offset_ms, -7 * 60 * 1000);
  EXPECT_EQ((*e)->pos, (PosRange{0, 14}));
  e = ParseExpr("test{a=\"b\"}[5m] OFFSET 3600");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(As<MatrixSelector>(**e).vs().original_offset_ms, 3600 * 1000);
  e = ParseExpr("foo @ start()");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(As<VectorSelector>(**e).start_or_end, AtPreprocessor::kStart);
  e = ParseExpr("min_over_time(rate(foo{bar=\"baz\"}[2s])[5m:] offset 4m)[4m:3s]");
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  const auto& outer = As<SubqueryExpr>(**e);
  EXPECT_EQ(outer.range_ms, 4 * 60 * 1000);
  EXPECT_EQ(outer.step_ms, 3000);
  EXPECT_EQ(outer.pos, (PosRange{0, 61}));
  const auto& inner = As<SubqueryExpr>(*As<Call>(*outer.expr).args[0]);
  EXPECT_EQ(inner.original_offset_ms, 4 * 60 * 1000);
  EXPECT_EQ(inner.step_ms, 0);
}

TEST(ParserTest, CallsAndAggregations) {
  EXPECT_EQ(ParseTree("time()"), "(time)");
  EXPECT_EQ(ParseTree("round(some_metric, 5)"), "(round some_metric 5)");
  EXPECT_EQ(ParseTree("sum by (foo)(some_metric)"), "(sum some_metric)");
  EXPECT_EQ(ParseTree("sum (some_metric) without (foo)"), "(sum some_metric)");
  EXPECT_EQ(ParseTree("topk(5, some_metric)"), "(topk 5 some_metric)");
  EXPECT_EQ(ParseTree("count_values(\"value\", some_metric)"), "(count_values \"value\" some_metric)");
  EXPECT_EQ(ParseTree("sum(sum)"), "(sum sum)");
  EXPECT_EQ(ParseTree("a + sum"), "(+ a sum)");
  auto e = ParseExpr("sum without(and, by, avg, count, alert, annotations)(some_metric)");
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(As<AggregateExpr>(**e).grouping,
            (std::vector<std::string>{"and", "by", "avg", "count", "alert", "annotations"}));
  EXPECT_TRUE(As<AggregateExpr>(**e).without);
  e = ParseExpr("sum by (\"foo bar\")({\"some.metric\"})");
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(As<AggregateExpr>(**e).grouping, std::vector<std::string>{"foo bar"});
  EXPECT_EQ((*e)->pos, (PosRange{0, 35}));
}

TEST(ParserTest, Strings) {
  auto str = [](std::string_view q) {
    auto e = ParseExpr(q);
    EXPECT_TRUE(e.ok()) << q;
    return e.ok() ? As<StringLiteral>(**e).val : std::string();
  };
  EXPECT_EQ(str(R"("double-quoted string \" with escaped quote")"), "double-quoted string \" with escaped quote");
  EXPECT_EQ(str(R"('single-quoted string \' with escaped quote')"), "single-quoted string ' with escaped quote");
  EXPECT_EQ(str("`backtick-quoted string`"), "backtick-quoted string");
  EXPECT_EQ(str(R"("\a\b\f\n\r\t\v\\\" - \xFF\377\u1234\U00010111\U0001011111☺")"),
            "\a\b\f\n\r\t\v\\\" - \xFF\377\u1234\U00010111\U0001011111☺");
  EXPECT_EQ(str("`\\a\\b`"), "\\a\\b");
}

struct ErrorCase {
  const char* input;
  const char* error;
};

TEST(ParserTest, Errors) {
  const ErrorCase cases[] = {
      {"", "unknown position: parse error: no expression found in input"},
      {"# just a comment\n\n", "1:1: parse error: no expression found in input"},
      {"1+", "1:3: parse error: unexpected end of input"},
      {".", "1:1: parse error: unexpected character: '.'"},
      {"2.5.", "1:1: parse error: bad number or duration syntax: \"2.5.\""},
      {"100..4", "1:1: parse error: bad number or duration syntax: \"100..\""},
      {"0deadbeef", "1:1: parse error: bad number or duration syntax: \"0de\""},
      {"1 /", "1:4: parse error: unexpected end of input"},
      {"*1", "1:1: parse error: unexpected <op:*>"},
      {"(1))", "1:5: parse error: unexpected right parenthesis ')'"},
      {"((1)", "1:5: parse error: unclosed left parenthesis"},
      {"(", "1:2: parse error: unclosed left parenthesis"},
      {"1 and 1", "1:1: parse error: set operator \"and\" not allowed in binary scalar expression"},
      {"1 == 1", "1:3: parse error: comparisons between scalars must use BOOL modifier"},
      {"1 or 1", "1:1: parse error: set operator \"or\" not allowed in binary scalar expression"},
      {"1 !~ 1", "1:3: parse error: unexpected character after '!': '~'"},
      {"1 =~ 1", "1:3: parse error: unexpected character after '=': '~'"},
      {"-\"string\"",
       "1:1: parse error: unary expression only allowed on expressions of type scalar or instant vector, got \"string\""},
      {"-test[5m]",
       "1:1: parse error: unary expression only allowed on expressions of type scalar or instant vector, got \"range "
       "vector\""},
      {"@@", "1:1: parse error: unexpected <op:@>"},
      {"1 offset 1d",
       "1:1: parse error: offset modifier must be preceded by an instant vector selector or range vector selector or a "
       "subquery"},
      {"foo offset 1s offset 2s", "1:1: parse error: offset may not be set multiple times"},
      {"a - on(b) ignoring(c) d", "1:11: parse error: unexpected <ignoring>"},
      {"foo or on(bar) group_left(baz) bar", "1:1: parse error: no grouping allowed for \"or\" operation"},
      {"http_requests{group=\"production\"} + on(instance) group_left(job,instance) cpu_count{type=\"smp\"}",
       "1:35: parse error: label \"instance\" must not occur in ON and GROUP clause at once"},
      {"foo + bool bar", "1:5: parse error: bool modifier can only be used on comparison operators"},
      {"foo and bool 10", "1:5: parse error: bool modifier can only be used on comparison operators"},
      {"foo @ +Inf", "1:1: parse error: timestamp out of bounds for @ modifier: +Inf"},
      {"foo @ NaN", "1:1: parse error: timestamp out of bounds for @ modifier: NaN"},
      {"{", "1:2: parse error: unexpected end of input inside braces"},
      {"}", "1:1: parse error: unexpected character: '}'"},
      {"some{", "1:6: parse error: unexpected end of input inside braces"},
      {"some}", "1:5: parse error: unexpected character: '}'"},
      {"some_metric{a=b}", "1:15: parse error: unexpected identifier \"b\" in label matching, expected string"},
      {"some_metric{a:b=\"b\"}", "1:14: parse error: unexpected character inside braces: ':'"},
      {"foo{a*\"b\"}", "1:6: parse error: unexpected character inside braces: '*'"},
      {"foo{a>=\"b\"}", "1:6: parse error: unexpected character inside braces: '>'"},
      {"some_metric{a=\"\xff\"}", "1:15: parse error: invalid UTF-8 rune"},
      {"foo{gibberish}", "1:14: parse error: unexpected \"}\" in label matching, expected label matching operator"},
      {"foo{1}", "1:5: parse error: unexpected character inside braces: '1'"},
      {"{}", "1:1: parse error: vector selector must contain at least one non-empty matcher"},
      {"{x=\"\"}", "1:1: parse error: vector selector must contain at least one non-empty matcher"},
      {"{x=~\".*\"}", "1:1: parse error: vector selector must contain at least one non-empty matcher"},
      {"{x!~\".+\"}", "1:1: parse error: vector selector must contain at least one non-empty matcher"},
      {"{x!=\"a\"}", "1:1: parse error: vector selector must contain at least one non-empty matcher"},
      {"foo{__name__=\"bar\"}", "1:1: parse error: metric name must not be set twice: \"foo\" or \"bar\""},
      {"foo{__name__= =}", "1:15: parse error: unexpected \"=\" in label matching, expected string"},
      {"foo{,}", "1:5: parse error: unexpected \",\" in label matching, expected identifier or \"}\""},
      {"foo{__name__ == \"bar\"}", "1:15: parse error: unexpected \"=\" in label matching, expected string"},
      {"foo{__name__=\"bar\" lol}",
       "1:20: parse error: unexpected identifier \"lol\" in label matching, expected \",\" or \"}\""},
      {"foo{\"a\"=}", "1:9: parse error: unexpected \"}\" in label matching, expected string"},
      {"foo[5mm]", "1:5: parse error: bad number or duration syntax: \"5mm\""},
      {"foo[5m1]", "1:5: parse error: bad number or duration syntax: \"5m1\""},
      {"foo[5m:1m1]", "1:8: parse error: bad number or duration syntax: \"1m1\""},
      {"foo[5y1hs]", "1:5: parse error: unknown unit \"hs\" in duration \"5y1hs\""},
      {"foo[5m1h]", "1:5: parse error: not a valid duration string: \"5m1h\""},
      {"foo[0m]", "1:5: parse error: duration must be greater than 0"},
      {"foo[-1]", "1:5: parse error: duration must be greater than 0"},
      {"foo[\"5m\"]", "1:5: parse error: unexpected character in duration expression: '\"'"},
      {"foo[]",
       "1:5: parse error: unexpected \"]\" in subquery or range selector, expected number, duration, step(), or "
       "range()"},
      {"some_metric[5m] OFFSET 1mm", "1:24: parse error: bad number or duration syntax: \"1mm\""},
      {"some_metric[5m] OFFSET",
       "1:23: parse error: unexpected end of input in offset, expected number, duration, step(), or range()"},
      {"some_metric OFFSET 1m[5m]", "1:22: parse error: no offset modifiers allowed before range"},
      {"some_metric[5m] @", "1:18: parse error: unexpected end of input in @, expected timestamp"},
      {"some_metric @ 1234 [5m]", "1:20: parse error: no @ modifiers allowed before range"},
      {"some_metric @ start() [5m]", "1:23: parse error: no @ modifiers allowed before range"},
      {"(foo + bar)[5m]", "1:12: parse error: ranges only allowed for vector selectors"},
      {"sum without(==)(some_metric)", "1:13: parse error: unexpected <op:==> in grouping opts, expected label"},
      {"sum without(,)(some_metric)", "1:13: parse error: unexpected \",\" in grouping opts, expected label"},
      {"sum without(foo,,)(some_metric)", "1:17: parse error: unexpected \",\" in grouping opts, expected label"},
      {"sum some_metric by (test)", "1:5: parse error: unexpected identifier \"some_metric\""},
      {"sum (some_metric) by test",
       "1:22: parse error: unexpected identifier \"test\" in grouping opts, expected \"(\""},
      {"sum () by (test)", "1:1: parse error: no arguments for aggregate expression provided"},
      {"MIN keep_common (some_metric)", "1:5: parse error: unexpected identifier \"keep_common\""},
      {"MIN (some_metric) keep_common", "1:19: parse error: unexpected identifier \"keep_common\""},
      {"sum (some_metric) without (test) by (test)", "1:34: parse error: unexpected <by>"},
      {"topk(some_metric)",
       "1:1: parse error: wrong number of arguments for aggregate expression provided, expected 2, got 1"},
      {"topk(some_metric,)", "1:17: parse error: trailing commas not allowed in function call args"},
      {"topk(some_metric, other_metric)",
       "1:6: parse error: expected type scalar in aggregation parameter, got instant vector"},
      {"count_values(5, other_metric)",
       "1:14: parse error: expected type string in aggregation parameter, got scalar"},
      {"rate(some_metric[5m]) @ 1234",
       "1:1: parse error: @ modifier must be preceded by an instant vector selector or range vector selector or a "
       "subquery"},
      {"floor()", "1:1: parse error: expected 1 argument(s) in call to \"floor\", got 0"},
      {"floor(some_metric, other_metric)", "1:1: parse error: expected 1 argument(s) in call to \"floor\", got 2"},
      {"floor(1)", "1:7: parse error: expected type instant vector in call to function \"floor\", got scalar"},
      {"hour(some_metric, some_metric, some_metric)",
       "1:1: parse error: expected at most 1 argument(s) in call to \"hour\", got 3"},
      {"time(some_metric)", "1:1: parse error: expected 0 argument(s) in call to \"time\", got 1"},
      {"non_existent_function_far_bar()",
       "1:1: parse error: unknown function with name \"non_existent_function_far_bar\""},
      {"rate(some_metric)",
       "1:6: parse error: expected type range vector in call to function \"rate\", got instant vector"},
      {"-=", "1:2: parse error: unexpected \"=\""},
      {"++-++-+-+-<", "1:11: parse error: unexpected <op:<>"},
      {"e-+=/(0)", "1:4: parse error: unexpected \"=\""},
      {"a>b()", "1:3: parse error: unknown function with name \"b\""},
      {"rate(avg)", "1:6: parse error: expected type range vector in call to function \"rate\", got instant vector"},
      {"`\\``", "1:4: parse error: unterminated raw string"},
      {"\"\\", "1:1: parse error: escape sequence not terminated"},
      {"\"\\c\"", "1:1: parse error: unknown escape sequence U+0063 'c'"},
      {"\"\\x.\"", "1:1: parse error: illegal character U+002E '.' in escape sequence"},
      {"foo{bar=\"baz\"}[", "1:16: parse error: unexpected end of input in duration expression"},
      {"test[5d] OFFSET 10s [10m:5s]",
       "1:1: parse error: subquery is only allowed on instant vector, got matrix instead"},
      {"(foo + bar{nm=\"val\"})[5m:][10m:5s]",
       "1:1: parse error: subquery is only allowed on instant vector, got matrix instead"},
      {"rate(food[1m])[1h] offset 1h", "1:15: parse error: ranges only allowed for vector selectors"},
      {"sum by (\"foo)(some_metric{})", "1:9: parse error: unterminated quoted string"},
      {"foo\n  + on(a)\n  bar{", "3:7: parse error: unexpected end of input inside braces"},
  };
  for (const ErrorCase& c : cases) EXPECT_EQ(ParseErrorOf(c.input), c.error) << "input: " << c.input;
}

TEST(ParserTest, AllErrorsAreReported) {
  std::vector<ParseError> errors;
  auto e = ParseExpr("foo or on(bar) group_left(baz) bar", {}, &errors);
  ASSERT_FALSE(e.ok());
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[1].message, "set operations must always be many-to-many");
  EXPECT_EQ(errors[1].pos, (PosRange{0, 34}));
}

TEST(ParserTest, ExperimentalFunctionsCanBeDisabled) {
  ParseOptions opts;
  opts.enable_experimental_functions = false;
  auto e = ParseExpr("sort_by_label(foo, \"a\")", opts);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.status().message(), "1:1: parse error: function \"sort_by_label\" is not enabled");
  EXPECT_TRUE(ParseExpr("sort_by_label(foo, \"a\")").ok());
}

TEST(ParserTest, Printer) {
  const std::pair<const char*, const char*> cases[] = {
      {"sum by() (task:errors:rate10s{job=\"s\"})", "sum(task:errors:rate10s{job=\"s\"})"},
      {"sum by(code) (task:errors:rate10s{job=\"s\"})", "sum by (code) (task:errors:rate10s{job=\"s\"})"},
      {"sum without() (task:errors:rate10s{job=\"s\"})", "sum without () (task:errors:rate10s{job=\"s\"})"},
      {"sum without(instance) (x)", "sum without (instance) (x)"},
      {"topk(5, task:errors:rate10s{job=\"s\"})", ""},
      {"count_values(\"value\", task:errors:rate10s{job=\"s\"})", ""},
      {"a - on() c", "a - on () c"},
      {"a - on(b) c", "a - on (b) c"},
      {"a - on(b) group_left(x) c", "a - on (b) group_left (x) c"},
      {"a - on(b) group_left(x, y) c", "a - on (b) group_left (x, y) c"},
      {"a - on(b) group_left c", "a - on (b) group_left () c"},
      {"a - ignoring(b) c", "a - ignoring (b) c"},
      {"a - ignoring() c", "a - c"},
      {"a - ignoring() group_right c", "a - ignoring () group_right () c"},
      {"up > bool 0", ""},
      {"a offset 1m", ""},
      {"a offset -7m", ""},
      {"a{c=\"d\"}[5m] offset 1m", ""},
      {"a[5m] offset 1m", ""},
      {"a[12m] offset -3m", ""},
      {"a[1h:5m] offset 1m", ""},
      {"{__name__=\"a\"}", ""},
      {"a{b!=\"c\"}[1m]", ""},
      {"a{b=~\"c\"}[1m]", ""},
      {"a{b!~\"c\"}[1m]", ""},
      {"a @ 10", "a @ 10.000"},
      {"a[1m] @ 10", "a[1m] @ 10.000"},
      {"a @ start()", ""},
      {"a @ end()", ""},
      {"a[1m] @ start()", ""},
      {"a[1m] @ end() offset 5m", ""},
      {"foo{z=\"1\", a=\"2\"}", "foo{a=\"2\",z=\"1\"}"},
      {"{\"foo.bar\", \"le.x\"=\"1\"}", "{\"le.x\"=\"1\",__name__=\"foo.bar\"}"},
      {"rate(foo[5m])[10m:]", ""},
      {"-foo", ""},
      {"(1 + 2) * 3", ""},
      {"1.5e3", "1500"},
      {"time() - 5m", ""},
      {"\"a\\nb\"", ""},
      {"label_replace(up, \"a\", \"$1\", \"b\", \"(.*)\")", ""},
  };
  for (const auto& [in, out] : cases) {
    auto e = ParseExpr(in);
    ASSERT_TRUE(e.ok()) << in << ": " << e.status().ToString();
    EXPECT_EQ((*e)->String(), std::string(*out ? out : in)) << "input: " << in;
  }
}

TEST(ParserTest, MetricSelector) {
  auto m = ParseMetricSelector("up{job=\"api\", instance=~\"a.*\"}");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  ASSERT_EQ(m->size(), 3u);
  EXPECT_EQ((*m)[2].ToString(), "__name__=\"up\"");
  EXPECT_FALSE(ParseMetricSelector("up + 1").ok());
  EXPECT_FALSE(ParseMetricSelector("rate(up[5m])").ok());
}

TEST(ParserTest, FunctionTableMatchesPrometheus) {
  EXPECT_EQ(FindFunction("rate")->arg_types, std::vector<ValueType>{ValueType::kMatrix});
  EXPECT_EQ(FindFunction("label_join")->variadic, -1);
  EXPECT_EQ(FindFunction("round")->variadic, 1);
  EXPECT_EQ(FindFunction("scalar")->return_type, ValueType::kScalar);
  EXPECT_EQ(FindFunction("nope"), nullptr);
}

}  // namespace
}  // namespace kubescrape::promql
