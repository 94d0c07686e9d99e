// Config options that every API connector reads the same way.
//
//   std::string base = ReadBaseUrl(options, "https://api.stlouisfed.org/fred");
//   RateLimits limits = ReadRateLimits(options, defaults);
//
// Free functions; each call reads keys from the given OptionReader.
#pragma once

#include <string>
#include <string_view>

#include "core/config.h"
#include "http/fetcher.h"

namespace macropipe {

// Reads the API's base URL from `url` or `base_url` (one of them, not both),
// without a trailing '/'; returns `default_url` when neither is set. Throws
// Error(kInvalidInput) naming the file and line when both are set or the value
// is not an http, https or file URL.
std::string ReadBaseUrl(OptionReader& options, std::string_view default_url);

// Reads `requests_per_second`, `requests_per_minute` and `requests_per_day`,
// each replacing the default it names. Throws Error(kInvalidInput) naming the
// file and line for a value that is not positive.
RateLimits ReadRateLimits(OptionReader& options, const RateLimits& defaults);

}  // namespace macropipe
