// Config options that every API connector reads the same way.
//
//   std::string base = ReadBaseUrl(options, "https://api.stlouisfed.org/fred");
//   RequestPolicy policy = ReadRequestPolicy(options, {.per_minute = 120});
//
// Free functions; each call reads keys from the given OptionReader.
#pragma once

#include <string>
#include <string_view>

#include "core/config.h"
#include "http/fetcher.h"
#include "sources/source.h"

namespace macropipe {

// Reads the API's base URL from `url` or `base_url` (one of them, not both),
// without a trailing '/'; returns `default_url` when neither is set. Throws
// Error(kInvalidInput) naming the file and line when both are set or the value
// is not an http, https or file URL.
std::string ReadBaseUrl(OptionReader& options, std::string_view default_url);

// Reads the keys of a RequestPolicy, each optional:
//   requests_per_second, requests_per_minute, requests_per_day
//                             each replaces the limit in `default_limits` it names
//   max_attempts              tries per request, the first included, 1 to 20 (default 4)
//   retry_delay_seconds       wait before the first retry, doubled for each
//                             next one (default 1)
//   max_retry_delay_seconds   the longest wait between tries (default 60)
//   timeout_seconds           per try, connecting included (default 60)
//   max_response_mb           the largest response body accepted, in MiB (default 512)
// Throws Error(kInvalidInput) naming the file and line of a value out of range.
RequestPolicy ReadRequestPolicy(OptionReader& options, const RateLimits& default_limits);

}  // namespace macropipe
