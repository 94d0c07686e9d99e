// Splitting ALFRED requests along the real-time axis, and joining the answers.
//
// ALFRED rejects a request that spans more than 2000 vintage dates. A long
// history is therefore fetched in real-time windows that each hold at most
// that many vintage dates, planned from `series/vintagedates`. ALFRED clips
// each row's real-time period to the requested window, so a value that stayed
// current across a window boundary comes back as two rows; MergeWindowRows
// joins them, which gives the rows one request over the whole axis returns.
//
//   auto windows = PlanRealtimeWindows(vintage_dates, 2000);
//   ... fetch each window ...
//   std::vector<FredObservation> rows = MergeWindowRows(std::move(all_rows), windows);
//
// Free functions; safe to call from any thread.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "core/date.h"
#include "sources/fred_response.h"

namespace macropipe {

// ALFRED's earliest and latest real-time dates.
inline const Date kRealtimeAxisStart(1776, 7, 4);

struct RealtimeWindow {
  Date start;
  Date end;  // Inclusive.

  bool operator==(const RealtimeWindow&) const = default;
};

// Splits [1776-07-04, 9999-12-31] into consecutive windows holding at most
// `max_vintage_dates` of the sorted `vintage_dates` each. Without vintage
// dates the whole axis is one window. Throws Error(kInvalidInput) when
// `max_vintage_dates` is zero or the dates are not strictly increasing.
std::vector<RealtimeWindow> PlanRealtimeWindows(const std::vector<Date>& vintage_dates,
                                                size_t max_vintage_dates);

// Sorts rows by date and real-time start, drops rows that an earlier row of
// the same value already covers, and joins a row that ends the day before a
// window starts with the row of the same date and value that starts there.
// Throws Error(kInvalidInput) naming `origin` when two rows give one date and
// real-time start different values.
std::vector<FredObservation> MergeWindowRows(std::vector<FredObservation> rows,
                                             const std::vector<RealtimeWindow>& windows,
                                             const std::string& origin);

// Keeps, for each date, the row with the earliest real-time start. Expects the
// order MergeWindowRows returns.
std::vector<FredObservation> KeepFirstReleases(const std::vector<FredObservation>& rows);

}  // namespace macropipe
