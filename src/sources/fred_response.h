// Parsers for FRED and ALFRED API responses (api.stlouisfed.org/fred), in the
// JSON and XML file types, and the classifier that turns FRED's error bodies
// into Error codes.
//
//   FredObservationPage page = ParseFredObservations(body, FredFormat::kJson, origin);
//
// Shapes: `series/observations` is an envelope with `count` (the total),
// `offset`, `limit` and `observations`, each with realtime_start,
// realtime_end, date and value, all strings, "." for a missing value. In XML
// the same fields are attributes of <observations> and <observation>.
// `series` holds metadata in a `seriess` array; `series/vintagedates` lists
// vintage dates. Errors are {"error_code": N, "error_message": "..."} or
// <error code=".." message=".."/>, usually with the same HTTP status.
//
// Free functions; safe to call from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/date.h"
#include "core/series.h"
#include "http/fetcher.h"

namespace macropipe {

enum class FredFormat { kJson, kXml };

struct FredObservation {
  Date date;
  std::string value;  // Empty when FRED wrote "." (no value in that vintage).
  Date realtime_start;
  Date realtime_end;  // Inclusive; 9999-12-31 while the value is current.

  bool operator==(const FredObservation&) const = default;
};

struct FredObservationPage {
  int64_t count = 0;  // Rows in the whole result, not in this page.
  int64_t offset = 0;
  int64_t limit = 0;
  std::optional<Date> realtime_start;  // The request's real-time start, from the envelope.
  std::vector<FredObservation> observations;
};

struct FredVintageDatesPage {
  int64_t count = 0;
  int64_t offset = 0;
  std::vector<Date> vintage_dates;
};

struct FredApiError {
  int code = 0;  // FRED's error_code, normally the HTTP status.
  std::string message;
};

// Parses one page of `series/observations`. Throws Error(kInvalidInput)
// naming `origin` for a malformed body, date or value.
FredObservationPage ParseFredObservations(std::string_view body, FredFormat format,
                                          const std::string& origin);

// Parses the metadata of `series`: id, title, units, frequency, seasonal
// adjustment (short form, such as "SAAR"), last_updated and notes.
SeriesInfo ParseFredSeries(std::string_view body, FredFormat format, const std::string& origin);

// Parses one page of `series/vintagedates`.
FredVintageDatesPage ParseFredVintageDates(std::string_view body, FredFormat format,
                                           const std::string& origin);

// Reads a FRED error body in either format; nullopt when `body` is not one.
std::optional<FredApiError> ParseFredError(std::string_view body);

// Returns a classifier for FRED responses: an error status or error body
// throws Error with kInvalidInput (bad request or series), kUnauthenticated
// (api_key rejected), kRateLimited (429), kNotFound (404) or kUnavailable
// (5xx), naming `what`, FRED's message and what to do.
ResponseClassifier FredClassifier(std::string what);

}  // namespace macropipe
