// When a DAG runs: a cron expression or preset in a named time zone, or @once.
// A run covers the data interval from one fire time to the next, and its
// logical date is the interval's start, as in Airflow.
//
//   Schedule schedule = Schedule::Parse("30 8 15 * *", "America/New_York");
//   for (DataInterval interval : schedule.Backfill(from, to)) { ... }
//
// Immutable and safe to share between threads.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "dag/cron.h"
#include "dag/time_zone.h"

namespace macropipe::dag {

struct DataInterval {
  std::chrono::system_clock::time_point start = {};  // The run's logical date.
  std::chrono::system_clock::time_point end = {};    // When the run is due.
};

class Schedule {
 public:
  // `expression` is "@once", another preset or five cron fields; `time_zone`
  // an IANA name. Throws Error(kInvalidInput) for either being invalid.
  static Schedule Parse(const std::string& expression, const std::string& time_zone);

  bool once() const { return !cron_.has_value(); }
  const std::string& expression() const { return expression_; }
  const TimeZone& time_zone() const { return zone_; }

  // The first fire time strictly after `after`; nullopt for @once.
  std::optional<std::chrono::system_clock::time_point> Next(
      std::chrono::system_clock::time_point after) const;

  // The intervals that ended by `now` and were not run: those starting after
  // `last_logical_date`, or at or after `start_date` when nothing has run.
  // @once yields one interval at `start_date` (with no length) until it has run.
  // At most `max_intervals` are listed, the oldest first.
  std::vector<DataInterval> MissedIntervals(
      std::optional<std::chrono::system_clock::time_point> last_logical_date,
      std::chrono::system_clock::time_point start_date, std::chrono::system_clock::time_point now,
      size_t max_intervals = 10000) const;

  // One interval for each fire time from `from` to `to`, both included.
  // Throws Error(kInvalidInput) for @once or when `from` is after `to`.
  std::vector<DataInterval> Backfill(std::chrono::system_clock::time_point from,
                                     std::chrono::system_clock::time_point to) const;

 private:
  Schedule(std::string expression, std::optional<CronExpression> cron, TimeZone zone)
      : expression_(std::move(expression)), cron_(std::move(cron)), zone_(std::move(zone)) {}

  std::string expression_;
  std::optional<CronExpression> cron_;  // Empty for @once.
  TimeZone zone_;
};

}  // namespace macropipe::dag
