// Task-level retries: how many, how long to wait between tries, and which
// failures are worth another try.
//
//   RetryDelay(policy, /*retry=*/2, random);  // Wait before the third try.
//   FailureClass c = ClassifyFailure(exception_ptr);
//
// Plain values and functions; a std::mt19937_64 passed in is the caller's to guard.
#pragma once

#include <chrono>
#include <exception>
#include <optional>
#include <random>
#include <string>

namespace macropipe::dag {

// The retry settings of a task, matching Airflow's retries, retry_delay,
// retry_exponential_backoff and max_retry_delay.
struct TaskRetryPolicy {
  int retries = 0;  // Tries after the first; 0 fails the task at its first failure.
  std::chrono::milliseconds retry_delay{std::chrono::minutes(5)};
  bool exponential_backoff = false;  // Doubles the delay after each failed try.
  std::chrono::milliseconds max_retry_delay{std::chrono::hours(1)};  // Cap, jitter included.
  // Each delay is shortened by a random part of up to this fraction, in [0, 1],
  // so that tasks failing together do not all retry at the same moment.
  double jitter = 0.0;

  // Throws Error(kInvalidInput) naming `task_id` and the field out of range.
  void Validate(const std::string& task_id) const;
};

// Returns the wait before retry number `retry` (1 for the second try):
// min(max_retry_delay, retry_delay * 2^(retry - 1)) with exponential backoff,
// else min(max_retry_delay, retry_delay), then multiplied by (1 - jitter * u)
// with u uniform in [0, 1).
std::chrono::milliseconds RetryDelay(const TaskRetryPolicy& policy, int retry,
                                     std::mt19937_64& random);

enum class FailureKind {
  kRetryable,  // A transient error: retried while retries remain.
  kFinal,      // Retrying cannot help: the task fails at once.
  kDeferred,   // A quota is used up: the task waits for its reset, without using a retry.
  kSkipped,    // The body threw TaskSkipped: the task is skipped.
};

struct FailureClass {
  FailureKind kind = FailureKind::kRetryable;
  std::string message = {};  // The error's code name and text, for logs and the state store.
  // For kDeferred: when the quota resets, read from the message's "until
  // YYYY-MM-DDTHH:MM:SSZ"; nullopt when the message carries no time.
  std::optional<std::chrono::system_clock::time_point> resume_at = {};
};

// Classifies an exception thrown by a task body. TaskSkipped skips the task.
// A macropipe Error with a code
// that IsRetryable rejects is final, kQuotaExhausted defers, the other
// retryable codes are retried. Any other exception is retried, as Airflow
// retries every failure.
FailureClass ClassifyFailure(std::exception_ptr failure);

}  // namespace macropipe::dag
