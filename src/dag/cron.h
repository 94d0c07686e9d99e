// Cron expressions: five fields (minute, hour, day of month, month, day of
// week) with lists, ranges, steps and month and day names, and the presets
// @hourly, @daily, @weekly, @monthly and @yearly (also @annually).
//
//   CronExpression cron = CronExpression::Parse("30 8 15 * *");
//   TimePoint next = cron.Next(now, TimeZone::Locate("America/New_York"));
//
// As in Vixie cron, when both day of month and day of week are restricted, a
// day matching either one fires. Immutable and safe to share between threads.
#pragma once

#include <bitset>
#include <chrono>
#include <string>

#include "dag/time_zone.h"

namespace macropipe::dag {

class CronExpression {
 public:
  // Throws Error(kInvalidInput) naming the expression, the field and the value.
  static CronExpression Parse(const std::string& text);

  // The first fire time strictly after `after`, with the fields read as
  // wall-clock time in `zone` and TimeZone::ToUtc's rule for daylight-saving
  // gaps and overlaps. Throws Error(kInvalidInput) when the expression never
  // matches a date, such as "0 0 30 2 *".
  std::chrono::system_clock::time_point Next(std::chrono::system_clock::time_point after,
                                             const TimeZone& zone) const;

  // The expression as given.
  const std::string& text() const { return text_; }
  // The five fields, with a preset expanded, for example "0 0 * * *" for @daily.
  const std::string& fields() const { return fields_; }

 private:
  CronExpression() = default;
  bool MatchesDay(date::year_month_day day) const;

  std::string text_;
  std::string fields_;
  std::bitset<60> minutes_;
  std::bitset<24> hours_;
  std::bitset<32> days_of_month_;  // Bits 1-31.
  std::bitset<13> months_;         // Bits 1-12.
  std::bitset<7> days_of_week_;    // Bit 0 is Sunday.
  bool day_of_month_restricted_ = false;
  bool day_of_week_restricted_ = false;
};

}  // namespace macropipe::dag
