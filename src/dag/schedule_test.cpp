#include "dag/schedule.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "dag/state_store.h"

namespace macropipe::dag {
namespace {

std::vector<std::string> Starts(const std::vector<DataInterval>& intervals) {
  std::vector<std::string> starts;
  for (const DataInterval& interval : intervals) starts.push_back(FormatTime(interval.start));
  return starts;
}

TEST(ScheduleTest, MissedIntervalsAfterLastRun) {
  Schedule schedule = Schedule::Parse("@daily", "UTC");
  std::vector<DataInterval> missed =
      schedule.MissedIntervals(ParseTime("2024-05-01T00:00:00Z"), ParseTime("2024-01-01T00:00:00Z"),
                               ParseTime("2024-05-04T06:00:00Z"));
  EXPECT_EQ(Starts(missed),
            (std::vector<std::string>{"2024-05-02T00:00:00.000Z", "2024-05-03T00:00:00.000Z"}));
  ASSERT_EQ(missed.size(), 2u);
  EXPECT_EQ(FormatTime(missed.back().end), "2024-05-04T00:00:00.000Z");
}

TEST(ScheduleTest, MissedIntervalsFromStartDate) {
  Schedule schedule = Schedule::Parse("@daily", "UTC");
  std::vector<DataInterval> missed = schedule.MissedIntervals(
      std::nullopt, ParseTime("2024-05-01T00:00:00Z"), ParseTime("2024-05-04T00:00:00Z"));
  EXPECT_EQ(Starts(missed),
            (std::vector<std::string>{"2024-05-01T00:00:00.000Z", "2024-05-02T00:00:00.000Z",
                                      "2024-05-03T00:00:00.000Z"}));
}

TEST(ScheduleTest, MissedIntervalsAreCapped) {
  Schedule schedule = Schedule::Parse("@hourly", "UTC");
  std::vector<DataInterval> missed = schedule.MissedIntervals(
      std::nullopt, ParseTime("2020-01-01T00:00:00Z"), ParseTime("2024-01-01T00:00:00Z"), 5);
  EXPECT_EQ(missed.size(), 5u);
}

TEST(ScheduleTest, OnceRunsOnlyUntilItHasRun) {
  Schedule schedule = Schedule::Parse("@once", "UTC");
  TimePoint start = ParseTime("2024-05-01T00:00:00Z");
  TimePoint now = ParseTime("2024-06-01T00:00:00Z");
  EXPECT_EQ(schedule.MissedIntervals(std::nullopt, start, now).size(), 1u);
  EXPECT_TRUE(schedule.MissedIntervals(start, start, now).empty());
  EXPECT_TRUE(schedule.once());
  EXPECT_FALSE(schedule.Next(start).has_value());
}

TEST(ScheduleTest, BackfillMonthlyInNewYork) {
  Schedule schedule = Schedule::Parse("30 8 15 * *", "America/New_York");
  std::vector<DataInterval> intervals =
      schedule.Backfill(ParseTime("2024-01-01T00:00:00Z"), ParseTime("2024-12-31T00:00:00Z"));
  ASSERT_EQ(intervals.size(), 12u);
  EXPECT_EQ(FormatTime(intervals[0].start), "2024-01-15T13:30:00.000Z");
  EXPECT_EQ(FormatTime(intervals[0].end), "2024-02-15T13:30:00.000Z");
  EXPECT_EQ(FormatTime(intervals[6].start), "2024-07-15T12:30:00.000Z");
  EXPECT_EQ(FormatTime(intervals[11].start), "2024-12-15T13:30:00.000Z");
}

TEST(ScheduleTest, BackfillIncludesBothEnds) {
  Schedule schedule = Schedule::Parse("@monthly", "UTC");
  std::vector<DataInterval> intervals =
      schedule.Backfill(ParseTime("2024-01-01T00:00:00Z"), ParseTime("2024-03-01T00:00:00Z"));
  EXPECT_EQ(Starts(intervals),
            (std::vector<std::string>{"2024-01-01T00:00:00.000Z", "2024-02-01T00:00:00.000Z",
                                      "2024-03-01T00:00:00.000Z"}));
}

TEST(ScheduleTest, BackfillRejectsOnceAndReversedRange) {
  TimePoint from = ParseTime("2024-01-01T00:00:00Z");
  TimePoint to = ParseTime("2024-02-01T00:00:00Z");
  EXPECT_THROW(Schedule::Parse("@once", "UTC").Backfill(from, to), Error);
  EXPECT_THROW(Schedule::Parse("@daily", "UTC").Backfill(to, from), Error);
}

}  // namespace
}  // namespace macropipe::dag
