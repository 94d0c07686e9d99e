// URL helpers shared by every layer that prints or stores a URL.
#pragma once

#include <string>
#include <string_view>

namespace macropipe {

// Returns `url` with the values of credential query parameters (api_key,
// apikey, key, token, password, and any name ending in "key" or "token")
// replaced by "REDACTED", and any user:password before the host removed.
// Every URL that reaches a log, message, manifest or table goes through this.
std::string RedactUrl(std::string_view url);

// Percent-encodes every byte outside [A-Za-z0-9._-] so that `text` can be one
// component of an object key or file name.
std::string EncodeKeyComponent(std::string_view text);

// Returns the last path segment of `url`, without query or fragment.
std::string UrlFileName(std::string_view url);

// Converts a `file://` URL to a local path; returns an empty string for other schemes.
std::string FileUrlToPath(std::string_view url);

}  // namespace macropipe
