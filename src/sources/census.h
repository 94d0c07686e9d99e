// The US Census Bureau economic indicators connector (config type "census"):
// monthly and quarterly series from api.census.gov/data/timeseries/eits.
//
// Config keys:
//   start            first year requested, "YYYY" (default "1992")
//   url | base_url   default https://api.census.gov/data/timeseries/eits
//   requests_per_day default 500 (the limit per address without a key)
//   max_attempts, retry_delay_seconds, max_retry_delay_seconds, timeout_seconds,
//   max_response_mb      retries, timeout and response size (see ReadRequestPolicy)
//   [[sources.series]] one table per series:
//     id               series id in the warehouse (required)
//     dataset          EITS dataset, e.g. "advm3" (required)
//     category_code, data_type_code, seasonally_adj  (required) key column values
//     time_slot_id     (optional) key column value
//     geography        the `for` clause, default "us"; "state:06" also selects column state = 06
//     title, units     (optional) catalogue metadata
// The key comes from the secret CENSUS_API_KEY when it is set; without it the
// requests go without a key.
//
// Responses are an array of arrays whose first row is the header; every cell
// is a string. Rows are unordered and one time may appear several times, so a
// series selects rows on every key column it sets; two rows left for one time
// with different values are an error naming them. HTTP 204 means no data and
// lands nothing for that dataset. A bad variable is HTTP 400 with a plain-text
// body; a rejected key is an HTML page, often with HTTP 200.
//
// One request is sent per dataset, seasonal adjustment and geography, and
// serves every series that shares them.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/date.h"
#include "http/fetcher.h"
#include "sources/series_csv.h"

namespace macropipe {

// The config `type` of this connector.
inline constexpr char kCensusSourceType[] = "census";

struct CensusTable {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
};

struct CensusSeriesSpec {
  std::string id;
  std::string dataset;
  std::map<std::string, std::string> key_columns;  // Column name to required value.
  std::string geography = "us";                    // The `for` clause.
  std::string title;
  std::string units;
};

// Parses a response body. Throws Error(kInvalidInput) naming `origin` when it
// is not an array of string arrays of the header's width.
CensusTable ParseCensusTable(std::string_view body, const std::string& origin);

// Parses an EITS time: "2024-03" (monthly), "2024-Q1" (quarterly, dated on
// the quarter's first day) or "2024" (annual). Returns nullopt otherwise.
std::optional<Date> ParseCensusTime(std::string_view text);

// Selects the rows of one series, sorted by date. Suppressed values such as
// "(S)" or "(NA)" become missing values. Throws Error(kInvalidInput) for a
// missing key column, a non-numeric value or conflicting duplicates, and
// Error(kNotFound) when no row matches.
std::vector<SeriesRow> SelectCensusSeries(const CensusTable& table, const CensusSeriesSpec& spec,
                                          const std::string& origin);

// Returns a classifier for Census responses: 204 passes (no data); an HTML
// page or the X-DataWebAPI-KeyError header is kUnauthenticated; other
// statuses map by their code with the body's text. `api_key` is redacted.
ResponseClassifier CensusClassifier(std::string what, std::string api_key);

}  // namespace macropipe
