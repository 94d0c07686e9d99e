// How often and how long to wait before trying a failed request again:
// exponential backoff with a cap and random jitter.
//
//   Backoff backoff(RetryPolicy{}, /*seed=*/42);
//   std::chrono::milliseconds wait = backoff.Delay(1);  // Before the second attempt.
//
// RetryPolicy is a plain value. A Backoff is thread-compatible: give each
// request its own.
#pragma once

#include <chrono>
#include <cstdint>
#include <random>

#include "core/error.h"

namespace macropipe {

struct RetryPolicy {
  int max_attempts = 4;  // Tries in all, the first included; 1 disables retries.
  std::chrono::milliseconds initial_delay{1000};
  double multiplier = 2.0;
  std::chrono::milliseconds max_delay{60000};  // No wait exceeds this, jitter included.
  // Each wait is shortened by a random part of up to this fraction, in [0, 1],
  // so that clients failing together do not retry together.
  double jitter = 0.2;

  // Throws Error(kInvalidInput) naming the field that is out of range.
  void Validate() const;
};

// Returns true when a failure with `code` may be tried again: kUnavailable and
// kRateLimited. kQuotaExhausted is retryable only after the quota resets, so
// not within one request, and every other code is final.
bool ShouldRetry(ErrorCode code);

class Backoff {
 public:
  // Validates `policy`; equal seeds give equal delays.
  Backoff(const RetryPolicy& policy, uint64_t seed);

  // The wait before retry number `retry` (1 for the second attempt):
  // min(max_delay, initial_delay * multiplier^(retry - 1)) * (1 - jitter * u),
  // with u uniform in [0, 1).
  std::chrono::milliseconds Delay(int retry);

 private:
  RetryPolicy policy_;
  std::mt19937_64 random_;
};

}  // namespace macropipe
