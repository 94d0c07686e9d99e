// How the HTTP layer maps failures to the project's ErrorCode, which decides
// whether a request is retried:
//
//   5xx, 408, timeouts, resets, truncated bodies  kUnavailable      retried with backoff
//   429                                           kRateLimited      retried after Retry-After
//   401                                           kUnauthenticated  final
//   403                                           kPermissionDenied final
//   404, 410                                      kNotFound         final
//   other 4xx                                     kInvalidInput     final
//
//   if (auto code = ErrorCodeForStatus(response.status)) ThrowForStatus(response, url);
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.h"
#include "http/http_client.h"

namespace macropipe {

// Returns the error code of an HTTP status, or nullopt for a status below 400
// (and for 0, the status of a file read).
std::optional<ErrorCode> ErrorCodeForStatus(long status);

// Returns the error code of a libcurl result code (a CURLcode other than CURLE_OK).
ErrorCode ErrorCodeForCurl(int curl_code);

// Returns a sentence describing a libcurl failure in the usual words, for
// example "the connection was reset by the server".
std::string DescribeCurlError(int curl_code);

// Returns the message in an error response's body: the "error_message",
// "message", "error" or "Error Message" field of a JSON object, the title of
// an HTML page, or the start of a plain-text body; at most 300 characters.
std::string ServerMessage(const HttpResponse& response);

// Throws Error with the code of `response.status`, naming the status, `url`
// (redacted here), the server's message and what to do. Call it only for a
// status that ErrorCodeForStatus maps to a code.
[[noreturn]] void ThrowForStatus(const HttpResponse& response, std::string_view url);

// Parses a Retry-After value, either delay seconds ("120") or an HTTP-date
// ("Wed, 21 Oct 2015 07:28:00 GMT", also the RFC 850 and asctime forms), into
// the wait from `now`. A date in the past gives zero; an invalid value nullopt.
std::optional<std::chrono::seconds> ParseRetryAfter(std::string_view value,
                                                    std::chrono::system_clock::time_point now);

}  // namespace macropipe
