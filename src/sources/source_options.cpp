#include "sources/source_options.h"

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

RateLimits ReadRateLimits(OptionReader& options, const RateLimits& defaults) {
  RateLimits limits;
  limits.per_second = ReadRate(options, "requests_per_second", defaults.per_second);
  limits.per_minute = ReadRate(options, "requests_per_minute", defaults.per_minute);
  limits.per_day = ReadRate(options, "requests_per_day", defaults.per_day);
  return limits;
}

}  // namespace macropipe
