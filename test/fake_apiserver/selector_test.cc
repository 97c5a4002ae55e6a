// Label and field selectors: every operator, the parser's context rules and
// the API server's exact error messages.
#include "test/fake_apiserver/selector.h"

#include <gtest/gtest.h>

#include "test/fake_apiserver/resource.h"

namespace kubescrape::fake_apiserver {
namespace {

const StringMap kLabels = {{"app", "web"}, {"tier", "front"}, {"n", "5"}, {"empty", ""}};

bool LabelsMatch(std::string_view selector, const StringMap& labels = kLabels) {
  util::StatusOr<LabelSelector> s = LabelSelector::Parse(selector);
  EXPECT_TRUE(s.ok()) << selector << ": " << s.status().message();
  return s.ok() && s->Matches(labels);
}

std::string LabelError(std::string_view selector) {
  util::StatusOr<LabelSelector> s = LabelSelector::Parse(selector);
  EXPECT_FALSE(s.ok()) << selector;
  return s.ok() ? "" : s.status().message();
}

TEST(LabelSelectorTest, EqualityOperators) {
  EXPECT_TRUE(LabelsMatch("app=web"));
  EXPECT_TRUE(LabelsMatch("app==web"));
  EXPECT_FALSE(LabelsMatch("app=db"));
  EXPECT_FALSE(LabelsMatch("app!=web"));
  EXPECT_TRUE(LabelsMatch("app!=db"));
  EXPECT_TRUE(LabelsMatch("missing!=x"));  // != matches an absent label
  EXPECT_FALSE(LabelsMatch("missing=x"));
  EXPECT_TRUE(LabelsMatch("empty="));      // an empty value
  EXPECT_FALSE(LabelsMatch("missing="));
}

TEST(LabelSelectorTest, SetOperators) {
  EXPECT_TRUE(LabelsMatch("app in (web,db)"));
  EXPECT_FALSE(LabelsMatch("app in (db)"));
  EXPECT_FALSE(LabelsMatch("missing in (a)"));
  EXPECT_FALSE(LabelsMatch("app notin (web)"));
  EXPECT_TRUE(LabelsMatch("app notin (db, cache)"));
  EXPECT_TRUE(LabelsMatch("missing notin (a)"));  // notin matches an absent label
  EXPECT_TRUE(LabelsMatch("empty in ()"));        // () is the empty value
  EXPECT_TRUE(LabelsMatch("empty in (,x)"));
}

TEST(LabelSelectorTest, ExistenceOperators) {
  EXPECT_TRUE(LabelsMatch("app"));
  EXPECT_FALSE(LabelsMatch("missing"));
  EXPECT_FALSE(LabelsMatch("!app"));
  EXPECT_TRUE(LabelsMatch("!missing"));
}

TEST(LabelSelectorTest, NumericComparisons) {
  EXPECT_TRUE(LabelsMatch("n>4"));
  EXPECT_FALSE(LabelsMatch("n>5"));
  EXPECT_TRUE(LabelsMatch("n<6"));
  EXPECT_FALSE(LabelsMatch("app>1"));  // not an integer
  EXPECT_FALSE(LabelsMatch("missing<1"));
}

TEST(LabelSelectorTest, CommaIsAnd) {
  EXPECT_TRUE(LabelsMatch("app=web,tier=front"));
  EXPECT_FALSE(LabelsMatch("app=web,tier=back"));
  EXPECT_TRUE(LabelsMatch(" app = web , !missing "));
  EXPECT_TRUE(LabelsMatch(""));  // everything
}

TEST(LabelSelectorTest, InAndNotinAreValuesWhereValuesAreExpected) {
  EXPECT_TRUE(LabelsMatch("in in (in)", {{"in", "in"}}));
  EXPECT_TRUE(LabelsMatch("notin=notin", {{"notin", "notin"}}));
}

TEST(LabelSelectorTest, ParseErrorsReadLikeTheApiServer) {
  EXPECT_EQ(LabelError("a b"), "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt");
  EXPECT_EQ(LabelError("x in (a"), "unable to parse requirement: found '', expected: ',' or ')'");
  EXPECT_EQ(LabelError("x in a"), "unable to parse requirement: found 'a' expected: '('");
  EXPECT_EQ(LabelError(","), "found ',', expected: !, identifier, or 'end of string'");
  EXPECT_EQ(LabelError("a,"), "found '', expected: identifier after ','");
  EXPECT_EQ(LabelError("x=a b"), "found 'b', expected: ',' or 'end of string'");
  EXPECT_EQ(LabelError("!x=a"), "found '=', expected: ',' or 'end of string'");
  EXPECT_EQ(LabelError("x=(a)"), "unable to parse requirement: found '(', expected: identifier");
}

TEST(LabelSelectorTest, KeysAndValuesAreValidated) {
  EXPECT_EQ(LabelError("-x"),
            "unable to parse requirement: <nil>: Invalid value: \"-x\": name part must consist of alphanumeric "
            "characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or "
            "'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')");
  EXPECT_EQ(LabelError("x=-a"),
            "unable to parse requirement: values[0][x]: Invalid value: \"-a\": a valid label must be an empty string "
            "or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric "
            "character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is "
            "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')");
  EXPECT_EQ(LabelError("x>abc"),
            "unable to parse requirement: values[0]: Invalid value: \"abc\": for 'Gt', 'Lt' operators, the value "
            "must be an integer");
  EXPECT_TRUE(LabelsMatch("app.kubernetes.io/name!=x"));
  EXPECT_EQ(LabelError("/x"),
            "unable to parse requirement: <nil>: Invalid value: \"/x\": prefix part must be non-empty");
}

TEST(LabelSelectorTest, RequirementsAreSortedByKey) {
  util::StatusOr<LabelSelector> s = LabelSelector::Parse("b=1,a in (y,x)");
  ASSERT_TRUE(s.ok());
  ASSERT_EQ(s->requirements().size(), 2u);
  EXPECT_EQ(s->requirements()[0].key, "a");
  EXPECT_EQ(s->requirements()[0].values, (std::vector<std::string>{"x", "y"}));
}

const StringMap kFields = {{"metadata.name", "web-0"}, {"spec.nodeName", ""}, {"status.phase", "Running"}};

bool FieldsMatch(std::string_view selector) {
  util::StatusOr<FieldSelector> s = FieldSelector::Parse(selector);
  EXPECT_TRUE(s.ok()) << selector << ": " << s.status().message();
  return s.ok() && s->Matches(kFields);
}

TEST(FieldSelectorTest, Operators) {
  EXPECT_TRUE(FieldsMatch("metadata.name=web-0"));
  EXPECT_TRUE(FieldsMatch("metadata.name==web-0"));
  EXPECT_FALSE(FieldsMatch("metadata.name!=web-0"));
  EXPECT_TRUE(FieldsMatch("status.phase!=Pending,metadata.name=web-0"));
  EXPECT_FALSE(FieldsMatch("status.phase!=Pending,metadata.name=web-1"));
  EXPECT_TRUE(FieldsMatch("spec.nodeName="));   // unscheduled
  EXPECT_TRUE(FieldsMatch("status.podIP="));    // absent compares as ""
  EXPECT_TRUE(FieldsMatch(""));
}

TEST(FieldSelectorTest, EscapedValues) {
  util::StatusOr<FieldSelector> s = FieldSelector::Parse("metadata.name=a\\,b\\=c\\\\d");
  ASSERT_TRUE(s.ok()) << s.status().message();
  ASSERT_EQ(s->terms().size(), 1u);
  EXPECT_EQ(s->terms()[0].value, "a,b=c\\d");
}

TEST(FieldSelectorTest, ParseErrors) {
  EXPECT_EQ(FieldSelector::Parse("foo").status().message(), "invalid selector: 'foo'; can't understand 'foo'");
  EXPECT_EQ(FieldSelector::Parse("a=b=c").status().message(),
            "invalid field selector: unescaped character in value: 61");
  EXPECT_EQ(FieldSelector::Parse("a=b\\x").status().message(),
            "invalid field selector: invalid escape sequence: \\x");
}

TEST(FieldSelectorTest, PodFieldLabels) {
  util::StatusOr<FieldSelector> s = FieldSelector::Parse("spec.host=n1,status.phase=Running");
  ASSERT_TRUE(s.ok());
  ASSERT_TRUE(s->Convert(PodsResource().convert_field).ok());
  EXPECT_EQ(s->RequiresExactMatch("spec.nodeName"), "n1");  // the old v1 name is converted
  for (std::string_view f : {"metadata.name", "metadata.namespace", "spec.nodeName", "spec.restartPolicy",
                             "spec.schedulerName", "spec.serviceAccountName", "spec.hostNetwork", "status.phase",
                             "status.podIP", "status.nominatedNodeName"}) {
    util::StatusOr<FieldSelector> one = FieldSelector::Parse(std::string(f) + "=x");
    ASSERT_TRUE(one.ok());
    EXPECT_TRUE(one->Convert(PodsResource().convert_field).ok()) << f;
  }
  util::StatusOr<FieldSelector> bad = FieldSelector::Parse("status.phase=Running,spec.containers=x");
  ASSERT_TRUE(bad.ok());
  EXPECT_EQ(bad->Convert(PodsResource().convert_field).message(), "field label not supported: spec.containers");
  util::StatusOr<FieldSelector> ns = FieldSelector::Parse("metadata.namespace=x");
  ASSERT_TRUE(ns.ok());
  EXPECT_EQ(ns->Convert(NamespacesResource().convert_field).message(),
            "field label not supported: metadata.namespace");
}

}  // namespace
}  // namespace kubescrape::fake_apiserver
