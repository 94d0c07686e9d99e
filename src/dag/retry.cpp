#include "dag/retry.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "dag/state_store.h"
#include "dag/task_body.h"

namespace macropipe::dag {
namespace {

// Reads the reset time from a message such as "... exhausted until 2024-05-02T00:00:00Z; ...".
std::optional<std::chrono::system_clock::time_point> ParseResetTime(const std::string& message) {
  constexpr std::string_view kMarker = "until ";
  size_t at = message.rfind(kMarker);
  if (at == std::string::npos) return std::nullopt;
  try {
    return ParseTime(message.substr(at + kMarker.size(), 20));
  } catch (const Error&) {
    return std::nullopt;
  }
}

}  // namespace

void TaskRetryPolicy::Validate(const std::string& task_id) const {
  auto reject = [&](const std::string& field, const std::string& value) {
    throw Error(ErrorCode::kInvalidInput, "task '" + task_id + "': " + field + " = " + value +
                                              " is out of range; " + field + " must be " +
                                              (field == "jitter" ? "in [0, 1]" : ">= 0"));
  };
  if (retries < 0) reject("retries", std::to_string(retries));
  if (retry_delay.count() < 0) reject("retry_delay", std::to_string(retry_delay.count()) + " ms");
  if (max_retry_delay.count() < 0) {
    reject("max_retry_delay", std::to_string(max_retry_delay.count()) + " ms");
  }
  if (!(jitter >= 0.0 && jitter <= 1.0)) reject("jitter", std::to_string(jitter));
}

std::chrono::milliseconds RetryDelay(const TaskRetryPolicy& policy, int retry,
                                     std::mt19937_64& random) {
  double delay = static_cast<double>(policy.retry_delay.count());
  if (policy.exponential_backoff && retry > 1) delay *= std::pow(2.0, retry - 1);
  delay = std::min(delay, static_cast<double>(policy.max_retry_delay.count()));
  if (policy.jitter > 0.0) {
    std::uniform_real_distribution<double> uniform(0.0, 1.0);
    delay *= 1.0 - policy.jitter * uniform(random);
  }
  return std::chrono::milliseconds(static_cast<int64_t>(delay));
}

FailureClass ClassifyFailure(std::exception_ptr failure) {
  try {
    std::rethrow_exception(failure);
  } catch (const TaskSkipped& skipped) {
    return {FailureKind::kSkipped, skipped.what(), std::nullopt};
  } catch (const Error& error) {
    FailureClass result;
    result.message = std::string(ErrorCodeName(error.code())) + ": " + error.what();
    if (error.code() == ErrorCode::kQuotaExhausted) {
      result.kind = FailureKind::kDeferred;
      result.resume_at = ParseResetTime(error.what());
    } else {
      result.kind = IsRetryable(error.code()) ? FailureKind::kRetryable : FailureKind::kFinal;
    }
    return result;
  } catch (const std::exception& error) {
    return {FailureKind::kRetryable, error.what(), std::nullopt};
  } catch (...) {
    return {FailureKind::kRetryable, "an exception of unknown type", std::nullopt};
  }
}

}  // namespace macropipe::dag
