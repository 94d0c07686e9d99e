#include "dag/retry.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "dag/state_store.h"

namespace macropipe::dag {
namespace {

using std::chrono::milliseconds;

TEST(RetryTest, DelayTable) {
  struct Case {
    bool exponential;
    int retry;
    milliseconds expected;
  };
  TaskRetryPolicy policy{
      .retries = 5, .retry_delay = milliseconds(1000), .max_retry_delay = milliseconds(5000)};
  const Case cases[] = {
      {false, 1, milliseconds(1000)}, {false, 4, milliseconds(1000)}, {true, 1, milliseconds(1000)},
      {true, 2, milliseconds(2000)},  {true, 3, milliseconds(4000)},  {true, 4, milliseconds(5000)},
      {true, 10, milliseconds(5000)},
  };
  std::mt19937_64 random(1);
  for (const Case& c : cases) {
    SCOPED_TRACE("exponential " + std::to_string(c.exponential) + " retry " +
                 std::to_string(c.retry));
    policy.exponential_backoff = c.exponential;
    EXPECT_EQ(RetryDelay(policy, c.retry, random), c.expected);
  }
}

TEST(RetryTest, JitterShortensWithinFraction) {
  TaskRetryPolicy policy{.retries = 3, .retry_delay = milliseconds(1000), .jitter = 0.5};
  std::mt19937_64 random(7);
  bool any_shorter = false;
  for (int i = 0; i < 100; ++i) {
    milliseconds delay = RetryDelay(policy, 1, random);
    ASSERT_LE(delay, milliseconds(1000));
    ASSERT_GT(delay, milliseconds(500));
    any_shorter = any_shorter || delay < milliseconds(1000);
  }
  EXPECT_TRUE(any_shorter);
}

TEST(RetryTest, ValidateRejectsOutOfRange) {
  EXPECT_THROW((TaskRetryPolicy{.retries = -1}.Validate("t")), Error);
  EXPECT_THROW((TaskRetryPolicy{.jitter = 1.5}.Validate("t")), Error);
  EXPECT_THROW((TaskRetryPolicy{.retry_delay = milliseconds(-1)}.Validate("t")), Error);
  EXPECT_NO_THROW(TaskRetryPolicy{}.Validate("t"));
}

TEST(RetryTest, ClassifiesByErrorCode) {
  struct Case {
    ErrorCode code;
    FailureKind expected;
  };
  const Case cases[] = {
      {ErrorCode::kUnavailable, FailureKind::kRetryable},
      {ErrorCode::kRateLimited, FailureKind::kRetryable},
      {ErrorCode::kQuotaExhausted, FailureKind::kDeferred},
      {ErrorCode::kInvalidInput, FailureKind::kFinal},
      {ErrorCode::kNotFound, FailureKind::kFinal},
      {ErrorCode::kUnauthenticated, FailureKind::kFinal},
      {ErrorCode::kInternal, FailureKind::kFinal},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(ErrorCodeName(c.code)));
    FailureClass result = ClassifyFailure(std::make_exception_ptr(Error(c.code, "boom")));
    EXPECT_EQ(result.kind, c.expected);
    EXPECT_NE(result.message.find("boom"), std::string::npos);
  }
}

TEST(RetryTest, OtherExceptionsAreRetried) {
  FailureClass result = ClassifyFailure(std::make_exception_ptr(std::runtime_error("disk")));
  EXPECT_EQ(result.kind, FailureKind::kRetryable);
  EXPECT_EQ(result.message, "disk");
}

TEST(RetryTest, QuotaResetTimeIsRead) {
  FailureClass result = ClassifyFailure(std::make_exception_ptr(
      Error(ErrorCode::kQuotaExhausted,
            "rate budget 'fred': daily quota exhausted until 2024-05-02T00:00:00Z; run again "
            "after that time")));
  ASSERT_TRUE(result.resume_at.has_value());
  EXPECT_EQ(FormatTime(*result.resume_at), "2024-05-02T00:00:00.000Z");
}

TEST(RetryTest, QuotaWithoutTimeHasNoResume) {
  FailureClass result =
      ClassifyFailure(std::make_exception_ptr(Error(ErrorCode::kQuotaExhausted, "quota used up")));
  EXPECT_EQ(result.kind, FailureKind::kDeferred);
  EXPECT_FALSE(result.resume_at.has_value());
}

}  // namespace
}  // namespace macropipe::dag
