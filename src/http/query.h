// Query-string helpers for the HTTP layer and the replay server: parsing, and
// keeping the credential values of a URL out of messages.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace macropipe {

using QueryParameters = std::vector<std::pair<std::string, std::string>>;

// Decodes %XX escapes, and '+' as a space when `plus_is_space` (form encoding).
// An escape that is not two hex digits is kept as it is.
std::string PercentDecode(std::string_view text, bool plus_is_space = true);

// Splits a query string (without the leading '?') into decoded name and value
// pairs, in order; a parameter without '=' has an empty value.
QueryParameters ParseQuery(std::string_view query);

// Returns the query part of `url` (between '?' and '#'), or an empty view.
std::string_view QueryOf(std::string_view url);

// Returns true for a parameter whose value RedactUrl hides (api_key, apikey,
// token, and the other credential names it lists).
bool IsCredentialParameter(std::string_view name);

// Returns `text` with every credential value found in `url`'s query, raw or
// decoded, replaced by "REDACTED". For server messages that echo a key, such
// as AlphaVantage's throttle texts. Values shorter than `min_length` are left
// alone, for text such as response data where a short value could be data.
std::string RedactCredentials(std::string_view text, std::string_view url, size_t min_length = 1);

// The shortest credential value that fetchers remove from response bodies:
// real API keys are 16 or more characters, and a shorter value could occur
// in the data by chance.
inline constexpr size_t kMinEchoedCredentialLength = 8;

}  // namespace macropipe
