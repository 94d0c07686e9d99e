#include "http/retry_policy.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace macropipe {
namespace {

using std::chrono::milliseconds;

TEST(RetryPolicyTest, OnlyTransientCodesRetried) {
  struct Case {
    ErrorCode code;
    bool retried;
  };
  const Case cases[] = {
      {ErrorCode::kUnavailable, true},       {ErrorCode::kRateLimited, true},
      {ErrorCode::kQuotaExhausted, false},   {ErrorCode::kInvalidInput, false},
      {ErrorCode::kNotFound, false},         {ErrorCode::kUnauthenticated, false},
      {ErrorCode::kPermissionDenied, false}, {ErrorCode::kFailedPrecondition, false},
      {ErrorCode::kInternal, false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(ErrorCodeName(c.code)));
    EXPECT_EQ(ShouldRetry(c.code), c.retried);
  }
}

TEST(BackoffTest, DelaysGrowToCapWithoutJitter) {
  RetryPolicy policy{.max_attempts = 8,
                     .initial_delay = milliseconds(100),
                     .multiplier = 3.0,
                     .max_delay = milliseconds(2000),
                     .jitter = 0.0};
  Backoff backoff(policy, 1);
  const int64_t expected[] = {100, 300, 900, 2000, 2000, 2000};
  for (int retry = 1; retry <= 6; ++retry) {
    SCOPED_TRACE("retry " + std::to_string(retry));
    EXPECT_EQ(backoff.Delay(retry).count(), expected[retry - 1]);
  }
}

TEST(BackoffTest, JitterStaysWithinBounds) {
  RetryPolicy policy{.max_attempts = 10,
                     .initial_delay = milliseconds(1000),
                     .multiplier = 2.0,
                     .max_delay = milliseconds(8000),
                     .jitter = 0.25};
  Backoff backoff(policy, 7);
  bool varied = false;
  for (int round = 0; round < 50; ++round) {
    for (int retry = 1; retry <= 6; ++retry) {
      SCOPED_TRACE("round " + std::to_string(round) + ", retry " + std::to_string(retry));
      double base = std::min(8000.0, 1000.0 * std::pow(2.0, retry - 1));
      int64_t delay = backoff.Delay(retry).count();
      EXPECT_GE(delay, static_cast<int64_t>(std::floor(base * 0.75)));
      EXPECT_LE(delay, static_cast<int64_t>(base));
      varied = varied || delay != static_cast<int64_t>(base);
    }
  }
  EXPECT_TRUE(varied) << "jitter of 0.25 never changed a delay";
}

TEST(BackoffTest, EqualSeedsGiveEqualDelays) {
  RetryPolicy policy;
  Backoff first(policy, 42);
  Backoff second(policy, 42);
  Backoff other(policy, 43);
  std::vector<milliseconds> first_delays, second_delays, other_delays;
  for (int retry = 1; retry <= 5; ++retry) {
    first_delays.push_back(first.Delay(retry));
    second_delays.push_back(second.Delay(retry));
    other_delays.push_back(other.Delay(retry));
  }
  EXPECT_EQ(first_delays, second_delays);
  EXPECT_NE(first_delays, other_delays);
}

TEST(RetryPolicyTest, InvalidPolicyRejected) {
  struct Case {
    const char* field;
    RetryPolicy policy;
  };
  const Case cases[] = {
      {"max_attempts", {.max_attempts = 0}},
      {"initial_delay", {.initial_delay = milliseconds(-1)}},
      {"multiplier", {.multiplier = 0.5}},
      {"max_delay", {.initial_delay = milliseconds(500), .max_delay = milliseconds(100)}},
      {"jitter", {.jitter = 1.5}},
      {"jitter", {.jitter = std::nan("")}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.field);
    try {
      c.policy.Validate();
      FAIL() << "an invalid " << c.field << " was accepted";
    } catch (const Error& error) {
      EXPECT_EQ(error.code(), ErrorCode::kInvalidInput);
      EXPECT_NE(std::string(error.what()).find(c.field), std::string::npos) << error.what();
    }
  }
}

}  // namespace
}  // namespace macropipe
