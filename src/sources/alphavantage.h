// The AlphaVantage connector (config type "alphavantage"): monthly bars of
// stocks and funds (TIME_SERIES_MONTHLY) and of digital currencies
// (DIGITAL_CURRENCY_MONTHLY), landed as two series per symbol,
// "<SYMBOL>.close" and "<SYMBOL>.volume".
//
// Config keys:
//   symbols             tickers fetched with TIME_SERIES_MONTHLY
//   digital_currencies  symbols fetched with DIGITAL_CURRENCY_MONTHLY
//   market              market of the digital currencies (default "USD")
//   current_month       "exclude" (default) drops the unfinished current month;
//                       "mark" keeps it with partial = 1
//   url | base_url      default https://www.alphavantage.co/query
//   requests_per_day    default 25 (the free tier); requests_per_minute,
//                       requests_per_second for paid keys
//   max_attempts, retry_delay_seconds, max_retry_delay_seconds, timeout_seconds,
//   max_response_mb      retries, timeout and response size (see ReadRequestPolicy)
// The key comes from the secret ALPHAVANTAGE_API_KEY; without it the source is skipped.
//
// Each key of the response is the last trading day of its month. A bar is
// stored under the first day of its month, with the original day in the
// column `source_date`. The newest key, dated at "Last Refreshed", is the
// unfinished current month. Throttling and errors arrive with HTTP 200 as a
// top-level "Note", "Information" or "Error Message" in place of the data.
// Such bodies are classified and never landed. Their texts echo the caller's
// key, so the key is redacted before a text reaches a message.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/date.h"
#include "http/fetcher.h"
#include "sources/source.h"

namespace macropipe {

// The config `type` of this connector.
inline constexpr char kAlphaVantageSourceType[] = "alphavantage";

enum class AlphaVantageFunction { kTimeSeriesMonthly, kDigitalCurrencyMonthly };

struct MonthlyBar {
  Date source_date;   // The response's key: the month's last trading day so far.
  std::string close;  // Decimal text as AlphaVantage wrote it.
  std::string volume;
  bool partial = false;  // The unfinished current month.
};

struct MonthlyBars {
  std::string symbol;
  std::string last_refreshed;    // As written, possibly with a time of day.
  std::vector<MonthlyBar> bars;  // Oldest first.
};

// Returns the top-level key that contains the data of `function`.
std::string_view AlphaVantageDataKey(AlphaVantageFunction function);

// Parses a monthly response. For digital currencies, the close is "4. close"
// (the current shape) or "4a. close (<market>)" (the older shape with one
// field per market and one in USD). Throws Error(kInvalidInput) naming
// `origin` for a missing field, a bad date or two bars in one month.
MonthlyBars ParseAlphaVantageMonthly(std::string_view body, AlphaVantageFunction function,
                                     const std::string& market, const std::string& origin);

// Returns a classifier that accepts only bodies containing `data_key` and
// throws for everything else:
//   "Note" (the per-minute throttle)                   kRateLimited
//   "Information" about requests per second or minute  kRateLimited
//   "Information" about the daily limit                kQuotaExhausted
//   "Information" about premium endpoints              kPermissionDenied
//   "Information" about the demo or an invalid key     kUnauthenticated
//   "Error Message" naming the apikey                  kUnauthenticated
//   any other "Error Message", or no data key          kInvalidInput
//   an error status                                    the status's code
// `api_key`, and any key the text echoes, is replaced by "REDACTED" in messages.
ResponseClassifier AlphaVantageClassifier(std::string what, std::string data_key,
                                          std::string api_key);

}  // namespace macropipe
