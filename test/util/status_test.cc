#include "util/status.h"

#include <gtest/gtest.h>

namespace kubescrape::util {
namespace {

TEST(StatusTest, OkByDefault) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.ToString(), "OK");
}

TEST(StatusTest, CarriesCodeAndMessage) {
  Status s = InvalidArgumentError("bad duration");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.ToString(), "invalid argument: bad duration");
  EXPECT_EQ(s.WithPrefix("global").message(), "global: bad duration");
  EXPECT_EQ(s.WithPrefix("global").code(), StatusCode::kInvalidArgument);
}

StatusOr<int> Half(int x) {
  if (x % 2 != 0) return InvalidArgumentError("odd");
  return x / 2;
}

StatusOr<int> Quarter(int x) {
  KS_ASSIGN_OR_RETURN(int h, Half(x));
  return Half(h);
}

TEST(StatusOrTest, ValueOrError) {
  EXPECT_EQ(*Quarter(8), 2);
  StatusOr<int> r = Quarter(6);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "odd");
}

Status FailIfNegative(int x) {
  if (x < 0) return InvalidArgumentError("negative");
  return Status::Ok();
}

Status Chain(int x) {
  KS_RETURN_IF_ERROR(FailIfNegative(x));
  return NotFoundError("reached the end");
}

TEST(StatusTest, ReturnIfErrorPropagates) {
  EXPECT_EQ(Chain(-1).message(), "negative");
  EXPECT_EQ(Chain(1).code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace kubescrape::util
