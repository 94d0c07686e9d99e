#include "sources/alfred_windows.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "sources/connector_test_support.h"
#include "test_support.h"

namespace macropipe {
namespace {

using testing::ReadWholeFile;
using testing::RecordedDataMissing;
using testing::RecordedFile;

std::vector<Date> Dates(const std::vector<std::string>& texts) {
  std::vector<Date> dates;
  for (const std::string& text : texts) dates.push_back(Date::ParseIso(text));
  return dates;
}

struct PlanCase {
  std::string name;
  std::vector<std::string> vintage_dates;
  size_t max;
  std::vector<std::pair<std::string, std::string>> windows;
};

TEST(AlfredWindowsTest, PlansWindows) {
  const std::vector<PlanCase> cases = {
      {"no vintage dates", {}, 2000, {{"1776-07-04", "9999-12-31"}}},
      {"under the cap", {"2020-01-10", "2020-02-10"}, 2000, {{"1776-07-04", "9999-12-31"}}},
      {"exactly the cap", {"2020-01-10", "2020-02-10"}, 2, {{"1776-07-04", "9999-12-31"}}},
      {"one over the cap",
       {"2020-01-10", "2020-02-10", "2020-03-10"},
       2,
       {{"1776-07-04", "2020-03-09"}, {"2020-03-10", "9999-12-31"}}},
      {"one per window",
       {"2020-01-10", "2020-02-10", "2020-03-10"},
       1,
       {{"1776-07-04", "2020-02-09"}, {"2020-02-10", "2020-03-09"}, {"2020-03-10", "9999-12-31"}}},
  };
  for (const PlanCase& test : cases) {
    SCOPED_TRACE(test.name);
    std::vector<RealtimeWindow> windows = PlanRealtimeWindows(Dates(test.vintage_dates), test.max);
    ASSERT_EQ(windows.size(), test.windows.size());
    for (size_t i = 0; i < windows.size(); ++i) {
      EXPECT_EQ(windows[i].start.ToIso(), test.windows[i].first);
      EXPECT_EQ(windows[i].end.ToIso(), test.windows[i].second);
    }
  }
}

TEST(AlfredWindowsTest, RejectsUnsortedDatesAndZeroCap) {
  EXPECT_THROW(PlanRealtimeWindows(Dates({"2020-02-01", "2020-01-01"}), 10), Error);
  EXPECT_THROW(PlanRealtimeWindows(Dates({"2020-01-01"}), 0), Error);
}

// Returns the rows ALFRED sends for one window: those whose period overlaps
// it, with the period clipped to the window.
std::vector<FredObservation> ClipToWindow(const std::vector<FredObservation>& rows,
                                          const RealtimeWindow& window) {
  std::vector<FredObservation> clipped;
  for (FredObservation row : rows) {
    if (row.realtime_end < window.start || row.realtime_start > window.end) continue;
    row.realtime_start = std::max(row.realtime_start, window.start);
    row.realtime_end = std::min(row.realtime_end, window.end);
    clipped.push_back(row);
  }
  return clipped;
}

TEST(AlfredWindowsTest, MergedWindowsEqualOneRequest) {
  const std::string rows_file = "fixtures/fred/observations_GDP_alfred_all_vintages.json";
  const std::string dates_file = "fixtures/fred/series_vintagedates_GDP.json";
  auto rows_path = RecordedFile(rows_file);
  auto dates_path = RecordedFile(dates_file);
  if (!rows_path) GTEST_SKIP() << RecordedDataMissing(rows_file);
  if (!dates_path) GTEST_SKIP() << RecordedDataMissing(dates_file);
  std::vector<FredObservation> whole =
      ParseFredObservations(ReadWholeFile(*rows_path), FredFormat::kJson, rows_file).observations;
  std::vector<Date> vintage_dates =
      ParseFredVintageDates(ReadWholeFile(*dates_path), FredFormat::kJson, dates_file)
          .vintage_dates;

  for (size_t max : {1000, 395, 100, 7}) {
    SCOPED_TRACE("max vintage dates " + std::to_string(max));
    std::vector<RealtimeWindow> windows = PlanRealtimeWindows(vintage_dates, max);
    EXPECT_EQ(windows.size(), (vintage_dates.size() + max - 1) / max);
    std::vector<FredObservation> split;
    for (const RealtimeWindow& window : windows) {
      std::vector<FredObservation> part = ClipToWindow(whole, window);
      split.insert(split.end(), part.begin(), part.end());
    }
    std::vector<FredObservation> merged = MergeWindowRows(split, windows, "GDP");
    ASSERT_EQ(merged.size(), whole.size());
    EXPECT_TRUE(merged == whole);
  }
}

TEST(AlfredWindowsTest, MergesOnlyAtWindowStarts) {
  Date date(2020, 1, 1);
  std::vector<RealtimeWindow> windows = {{kRealtimeAxisStart, Date(2021, 12, 31)},
                                         {Date(2022, 1, 1), Date::Max()}};
  std::vector<FredObservation> rows = {
      {date, "1", Date(2020, 2, 1), Date(2020, 12, 31)},
      {date, "1", Date(2021, 1, 1), Date(2021, 12, 31)},  // Not at a window start: kept.
      {date, "1", Date(2022, 1, 1), Date::Max()},         // At a window start: joined.
      {date, "1", Date(2022, 1, 1), Date::Max()},         // An exact repeat: dropped.
  };
  std::vector<FredObservation> merged = MergeWindowRows(rows, windows, "test");
  ASSERT_EQ(merged.size(), 2u);
  EXPECT_EQ(merged[0].realtime_end, Date(2020, 12, 31));
  EXPECT_EQ(merged[1].realtime_start, Date(2021, 1, 1));
  EXPECT_EQ(merged[1].realtime_end, Date::Max());
}

TEST(AlfredWindowsTest, RejectsConflictingRows) {
  Date date(2020, 1, 1);
  std::vector<FredObservation> rows = {{date, "1", Date(2020, 2, 1), Date::Max()},
                                       {date, "2", Date(2020, 2, 1), Date::Max()}};
  EXPECT_THROW(MergeWindowRows(rows, {}, "test"), Error);
}

TEST(AlfredWindowsTest, KeepsFirstReleases) {
  Date first(2020, 1, 1);
  Date second(2020, 4, 1);
  std::vector<FredObservation> rows = {{first, "1", Date(2020, 2, 1), Date(2020, 2, 28)},
                                       {first, "2", Date(2020, 3, 1), Date::Max()},
                                       {second, "", Date(2020, 5, 1), Date(2020, 5, 30)},
                                       {second, "3", Date(2020, 6, 1), Date::Max()}};
  std::vector<FredObservation> releases = KeepFirstReleases(rows);
  ASSERT_EQ(releases.size(), 2u);
  EXPECT_EQ(releases[0].value, "1");
  EXPECT_EQ(releases[1].value, "");
}

}  // namespace
}  // namespace macropipe
