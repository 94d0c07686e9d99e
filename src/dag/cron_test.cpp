#include "dag/cron.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "dag/state_store.h"

namespace macropipe::dag {
namespace {

struct NextCase {
  std::string expression;
  std::string zone;
  std::string after;
  std::string expected;
};

void CheckNext(const std::vector<NextCase>& cases) {
  for (const NextCase& c : cases) {
    SCOPED_TRACE("'" + c.expression + "' in " + c.zone + " after " + c.after);
    CronExpression cron = CronExpression::Parse(c.expression);
    EXPECT_EQ(FormatTime(cron.Next(ParseTime(c.after), TimeZone::Locate(c.zone))), c.expected);
  }
}

TEST(CronTest, FieldsInUtc) {
  CheckNext({
      {"*/15 * * * *", "UTC", "2024-05-15T10:07:00Z", "2024-05-15T10:15:00.000Z"},
      {"5/20 * * * *", "UTC", "2024-05-15T10:30:00Z", "2024-05-15T10:45:00.000Z"},
      {"0 9 * * MON-FRI", "UTC", "2024-05-17T10:00:00Z", "2024-05-20T09:00:00.000Z"},
      {"0 0 1 JAN,jul *", "UTC", "2024-02-01T00:00:00Z", "2024-07-01T00:00:00.000Z"},
      {"0 12 * * 7", "UTC", "2024-05-15T00:00:00Z", "2024-05-19T12:00:00.000Z"},
      {"0 0 13 * 5", "UTC", "2024-09-01T00:00:00Z", "2024-09-06T00:00:00.000Z"},
      {"0 0 29 2 *", "UTC", "2024-03-01T00:00:00Z", "2028-02-29T00:00:00.000Z"},
      {"0 6-8/2 * * *", "UTC", "2024-05-15T06:00:00Z", "2024-05-15T08:00:00.000Z"},
  });
}

TEST(CronTest, PresetsInUtc) {
  CheckNext({
      {"@hourly", "UTC", "2024-05-15T10:07:00Z", "2024-05-15T11:00:00.000Z"},
      {"@daily", "UTC", "2024-05-15T10:07:00Z", "2024-05-16T00:00:00.000Z"},
      {"@weekly", "UTC", "2024-05-15T10:07:00Z", "2024-05-19T00:00:00.000Z"},
      {"@monthly", "UTC", "2024-05-15T10:07:00Z", "2024-06-01T00:00:00.000Z"},
      {"@yearly", "UTC", "2024-05-15T10:07:00Z", "2025-01-01T00:00:00.000Z"},
  });
}

TEST(CronTest, NewYorkStandardAndDaylightTime) {
  CheckNext({
      // 08:30 EST is 13:30 UTC; 08:30 EDT is 12:30 UTC.
      {"30 8 15 * *", "America/New_York", "2024-01-01T00:00:00Z", "2024-01-15T13:30:00.000Z"},
      {"30 8 15 * *", "America/New_York", "2024-07-01T00:00:00Z", "2024-07-15T12:30:00.000Z"},
      {"@daily", "America/New_York", "2024-11-02T12:00:00Z", "2024-11-03T04:00:00.000Z"},
      {"@daily", "America/New_York", "2024-11-03T04:00:00Z", "2024-11-04T05:00:00.000Z"},
  });
}

TEST(CronTest, SpringForwardGapRunsAfterTheChange) {
  // On 2024-03-10 New York skips 02:00-03:00 EST; 02:30 becomes 03:30 EDT.
  CheckNext({
      {"30 2 * * *", "America/New_York", "2024-03-09T12:00:00Z", "2024-03-10T07:30:00.000Z"},
      {"30 2 * * *", "America/New_York", "2024-03-10T07:30:00Z", "2024-03-11T06:30:00.000Z"},
      {"@hourly", "America/New_York", "2024-03-10T06:00:00Z", "2024-03-10T07:00:00.000Z"},
  });
}

TEST(CronTest, FallBackOverlapRunsOnce) {
  // On 2024-11-03 New York repeats 01:00-02:00; 01:30 fires at its first (EDT) occurrence only.
  CheckNext({
      {"30 1 * * *", "America/New_York", "2024-11-02T12:00:00Z", "2024-11-03T05:30:00.000Z"},
      {"30 1 * * *", "America/New_York", "2024-11-03T05:30:00Z", "2024-11-04T06:30:00.000Z"},
      {"@hourly", "America/New_York", "2024-11-03T05:00:00Z", "2024-11-03T07:00:00.000Z"},
  });
}

TEST(CronTest, RejectsInvalidExpressions) {
  const std::string cases[] = {"60 * * * *",   "* * *",       "0 0 31-1 * *", "*/0 * * * *",
                               "@fortnightly", "0 0 * FOO *", "0 24 * * *",   "1,,2 * * * *",
                               "0 0 0 * *",    "0 0 * * 8"};
  for (const std::string& text : cases) {
    SCOPED_TRACE(text);
    EXPECT_THROW(CronExpression::Parse(text), Error);
  }
}

TEST(CronTest, ErrorNamesFieldAndValue) {
  try {
    CronExpression::Parse("0 25 * * *");
    FAIL() << "expected an Error";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("hour field '25'"), std::string::npos) << error.what();
  }
}

TEST(CronTest, ImpossibleDateThrowsOnNext) {
  CronExpression cron = CronExpression::Parse("0 0 30 2 *");
  EXPECT_THROW(cron.Next(ParseTime("2024-01-01T00:00:00Z"), TimeZone::Utc()), Error);
}

TEST(CronTest, UnknownTimeZoneThrows) { EXPECT_THROW(TimeZone::Locate("Mars/Olympus"), Error); }

}  // namespace
}  // namespace macropipe::dag
