// The FRED and ALFRED connector (config type "fred"): observations of each
// configured series from api.stlouisfed.org, with catalogue metadata, in the
// latest vintage, as of one date, with every real-time period, or as first
// releases only.
//
// Config keys:
//   series             FRED series ids (required)
//   url | base_url     API root, default https://api.stlouisfed.org/fred
//   file_type          "json" (default) or "xml"
//   vintages           "latest" (default): today's values, landed as a snapshot;
//                      "as_of": the values known on `as_of`, landed as a snapshot of that day;
//                      "all": every real-time period, each row with its own period;
//                      "first_release": each period's first published value, with its period
//   as_of              YYYY-MM-DD, required for vintages = "as_of"
//   observation_start  YYYY-MM-DD, optional lower bound on the periods
//   metadata           fetch title, units and notes from `series` (default true)
//   page_size          rows per request, 1 to 100000 (default 100000)
//   max_vintage_dates  vintage dates per ALFRED request, 1 to 2000 (default 2000)
//   requests_per_minute, requests_per_day, requests_per_second  (default 120 per minute)
//   max_attempts, retry_delay_seconds, max_retry_delay_seconds, timeout_seconds,
//   max_response_mb      retries, timeout and response size (see ReadRequestPolicy)
// The key comes from the secret FRED_API_KEY; without it the source is skipped.
//
// Requests follow `count`: pages are fetched with growing `offset` until all
// rows arrived. For "all" and "first_release" the real-time axis is split as
// PlanRealtimeWindows describes.
#pragma once

namespace macropipe {

// The config `type` of this connector.
inline constexpr char kFredSourceType[] = "fred";

}  // namespace macropipe
