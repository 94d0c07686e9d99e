#include "http/retry_policy.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace macropipe {

void RetryPolicy::Validate() const {
  auto invalid = [](const std::string& field, const std::string& value, const std::string& range) {
    return Error(ErrorCode::kInvalidInput,
                 "retry policy " + field + " " + value + " is invalid; it must be " + range);
  };
  if (max_attempts < 1) throw invalid("max_attempts", std::to_string(max_attempts), "at least 1");
  if (initial_delay.count() < 0) {
    throw invalid("initial_delay", std::to_string(initial_delay.count()) + " ms", "0 or more");
  }
  if (!std::isfinite(multiplier) || multiplier < 1.0) {
    throw invalid("multiplier", std::to_string(multiplier), "a number of at least 1");
  }
  if (max_delay < initial_delay) {
    throw invalid("max_delay", std::to_string(max_delay.count()) + " ms",
                  "at least initial_delay (" + std::to_string(initial_delay.count()) + " ms)");
  }
  if (!(jitter >= 0.0 && jitter <= 1.0)) {
    throw invalid("jitter", std::to_string(jitter), "between 0 and 1");
  }
}

bool ShouldRetry(ErrorCode code) {
  return code == ErrorCode::kUnavailable || code == ErrorCode::kRateLimited;
}

Backoff::Backoff(const RetryPolicy& policy, uint64_t seed) : policy_(policy), random_(seed) {
  policy_.Validate();
}

std::chrono::milliseconds Backoff::Delay(int retry) {
  double base = static_cast<double>(policy_.initial_delay.count()) *
                std::pow(policy_.multiplier, std::max(0, retry - 1));
  base = std::min(base, static_cast<double>(policy_.max_delay.count()));

  // Take the top 53 bits for a uniform double in [0, 1), the same on every
  // platform, unlike std::uniform_real_distribution.
  double unit = static_cast<double>(random_() >> 11) * 0x1.0p-53;
  double delay = base * (1.0 - policy_.jitter * unit);
  return std::chrono::milliseconds(static_cast<int64_t>(std::llround(delay)));
}

}  // namespace macropipe
