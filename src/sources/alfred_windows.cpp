#include "sources/alfred_windows.h"

#include <algorithm>
#include <set>
#include <tuple>

#include "core/error.h"

namespace macropipe {

std::vector<RealtimeWindow> PlanRealtimeWindows(const std::vector<Date>& vintage_dates,
                                                size_t max_vintage_dates) {
  if (max_vintage_dates == 0) {
    throw Error(ErrorCode::kInvalidInput, "max_vintage_dates must be at least 1");
  }
  for (size_t i = 1; i < vintage_dates.size(); ++i) {
    if (vintage_dates[i] <= vintage_dates[i - 1]) {
      throw Error(ErrorCode::kInvalidInput,
                  "vintage dates are not strictly increasing at " + vintage_dates[i].ToIso());
    }
  }

  std::vector<RealtimeWindow> windows;
  for (size_t first = 0; first == 0 || first < vintage_dates.size(); first += max_vintage_dates) {
    size_t next = first + max_vintage_dates;
    RealtimeWindow window;
    window.start = first == 0 ? kRealtimeAxisStart : vintage_dates[first];
    window.end = next < vintage_dates.size() ? vintage_dates[next].AddDays(-1) : Date::Max();
    windows.push_back(window);
    if (next >= vintage_dates.size()) break;
  }
  return windows;
}

std::vector<FredObservation> MergeWindowRows(std::vector<FredObservation> rows,
                                             const std::vector<RealtimeWindow>& windows,
                                             const std::string& origin) {
  std::stable_sort(rows.begin(), rows.end(),
                   [](const FredObservation& a, const FredObservation& b) {
                     return std::tie(a.date, a.realtime_start) < std::tie(b.date, b.realtime_start);
                   });
  std::set<Date> window_starts;
  for (const RealtimeWindow& window : windows) window_starts.insert(window.start);

  std::vector<FredObservation> merged;
  merged.reserve(rows.size());
  for (FredObservation& row : rows) {
    if (!merged.empty() && merged.back().date == row.date) {
      FredObservation& last = merged.back();
      bool covered = last.value == row.value && last.realtime_start <= row.realtime_start &&
                     row.realtime_end <= last.realtime_end;
      if (covered) continue;
      if (last.realtime_start == row.realtime_start) {
        throw Error(ErrorCode::kInvalidInput,
                    "conflicting ALFRED rows in " + origin + " for " + row.date.ToIso() + " from " +
                        row.realtime_start.ToIso() + ": '" + last.value + "' and '" + row.value +
                        "'; fetch the series again");
      }
      bool continues = last.realtime_end.AddDays(1) == row.realtime_start &&
                       window_starts.contains(row.realtime_start) && last.value == row.value;
      if (continues) {
        last.realtime_end = row.realtime_end;
        continue;
      }
    }
    merged.push_back(std::move(row));
  }
  return merged;
}

std::vector<FredObservation> KeepFirstReleases(const std::vector<FredObservation>& rows) {
  std::vector<FredObservation> first;
  for (const FredObservation& row : rows) {
    if (first.empty() || first.back().date != row.date) first.push_back(row);
  }
  return first;
}

}  // namespace macropipe
