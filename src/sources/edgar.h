// The SEC EDGAR connector (config type "edgar"): XBRL facts of companies from
// data.sec.gov, as series with real-time periods from their filing dates.
// edgar_facts.h describes the series ids, period dates and revision rules.
//
// Config keys:
//   user_agent        "Name email@example.org" (required: SEC rejects requests
//                     without a declared User-Agent with HTTP 403)
//   companies         CIKs ("320193", "0000320193" or "CIK0000320193")
//   concepts          "taxonomy/tag" names; when set, one companyconcept request per
//                     company and concept, otherwise one companyfacts request per company
//   frames            "taxonomy/tag/unit/period" cross-sections, e.g.
//                     "us-gaap/Revenues/USD/CY2024Q2" (suffix I for instants)
//   url | base_url    default https://data.sec.gov/api/xbrl
//   requests_per_second  default 10 (SEC's limit across all of a user's machines)
//   max_attempts, retry_delay_seconds, max_retry_delay_seconds, timeout_seconds,
//   max_response_mb      retries, timeout and response size (see ReadRequestPolicy)
//
// A frame contains one value per company and carries no filing date, so its
// values land in the same per-company series ids as snapshots dated by the
// fetch. A series that the same fetch also builds from companyfacts or
// companyconcept is taken from those, which hold every filing.
#pragma once

namespace macropipe {

// The config `type` of this connector.
inline constexpr char kEdgarSourceType[] = "edgar";

}  // namespace macropipe
