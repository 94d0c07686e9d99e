#include "sources/source_options.h"

#include <chrono>
#include <optional>

#include "core/error.h"

namespace macropipe {
namespace {

std::optional<double> ReadRate(OptionReader& options, const std::string& key,
                               std::optional<double> fallback) {
  std::optional<double> value = options.Number(key);
  if (!value) return fallback;
  if (*value <= 0) {
    throw Error(ErrorCode::kInvalidInput, "invalid " + options.Where(key) + ": " +
                                              std::to_string(*value) +
                                              " is not a positive number of requests");
  }
  return value;
}

// Reads a number of seconds in [min, max] as milliseconds; `fallback` when unset.
std::chrono::milliseconds ReadSeconds(OptionReader& options, const std::string& key,
                                      std::chrono::milliseconds fallback, double min, double max) {
  std::optional<double> seconds = options.Number(key);
  if (!seconds) return fallback;
  if (!(*seconds >= min && *seconds <= max)) {
    throw Error(ErrorCode::kInvalidInput, "invalid " + options.Where(key) + ": " +
                                              std::to_string(*seconds) + " is not between " +
                                              std::to_string(min) + " and " + std::to_string(max) +
                                              " seconds");
  }
  return std::chrono::milliseconds(static_cast<int64_t>(*seconds * 1000.0));
}

RateLimits ReadRateLimits(OptionReader& options, const RateLimits& defaults) {
  RateLimits limits;
  limits.per_second = ReadRate(options, "requests_per_second", defaults.per_second);
  limits.per_minute = ReadRate(options, "requests_per_minute", defaults.per_minute);
  limits.per_day = ReadRate(options, "requests_per_day", defaults.per_day);
  return limits;
}

}  // namespace

std::string ReadBaseUrl(OptionReader& options, std::string_view default_url) {
  std::optional<std::string> url = options.String("url");
  std::optional<std::string> base_url = options.String("base_url");
  if (url && base_url) {
    throw Error(ErrorCode::kInvalidInput, "both 'url' and 'base_url' are set at " +
                                              options.Where("base_url") + ": keep one of them");
  }
  std::string key = url ? "url" : "base_url";
  std::string value = url ? *url : base_url.value_or(std::string(default_url));
  bool known_scheme =
      value.starts_with("http://") || value.starts_with("https://") || value.starts_with("file://");
  if (!known_scheme) {
    throw Error(ErrorCode::kInvalidInput, "invalid URL '" + value + "' at " + options.Where(key) +
                                              ": write an http://, https:// or file:// URL");
  }
  while (value.size() > 8 && value.back() == '/') value.pop_back();
  return value;
}

RequestPolicy ReadRequestPolicy(OptionReader& options, const RateLimits& default_limits) {
  constexpr int64_t kMaxAttempts = 20;
  constexpr double kMaxWaitSeconds = 3600;
  RequestPolicy policy;
  policy.limits = ReadRateLimits(options, default_limits);

  int64_t attempts = options.Integer("max_attempts").value_or(policy.retry.max_attempts);
  if (attempts < 1 || attempts > kMaxAttempts) {
    throw Error(ErrorCode::kInvalidInput, "invalid " + options.Where("max_attempts") + ": " +
                                              std::to_string(attempts) + " is not between 1 and " +
                                              std::to_string(kMaxAttempts));
  }
  policy.retry.max_attempts = static_cast<int>(attempts);
  policy.retry.initial_delay =
      ReadSeconds(options, "retry_delay_seconds", policy.retry.initial_delay, 0, kMaxWaitSeconds);
  policy.retry.max_delay =
      ReadSeconds(options, "max_retry_delay_seconds", policy.retry.max_delay, 0, kMaxWaitSeconds);
  if (policy.retry.max_delay < policy.retry.initial_delay) {
    throw Error(ErrorCode::kInvalidInput,
                "invalid " + options.Where("max_retry_delay_seconds") +
                    ": it is shorter than retry_delay_seconds; make it at least as long");
  }
  policy.timeout = ReadSeconds(options, "timeout_seconds", policy.timeout, 0.001, kMaxWaitSeconds);

  std::optional<double> megabytes = options.Number("max_response_mb");
  if (megabytes) {
    if (!(*megabytes > 0 && *megabytes <= 1 << 20)) {
      throw Error(ErrorCode::kInvalidInput, "invalid " + options.Where("max_response_mb") + ": " +
                                                std::to_string(*megabytes) +
                                                " is not a positive number of MiB up to 1048576");
    }
    policy.max_response_bytes = static_cast<size_t>(*megabytes * 1024 * 1024);
  }
  return policy;
}

}  // namespace macropipe
