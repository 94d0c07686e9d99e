#include "dag/schedule.h"

#include "core/error.h"

namespace macropipe::dag {

using std::chrono::system_clock;

Schedule Schedule::Parse(const std::string& expression, const std::string& time_zone) {
  TimeZone zone = TimeZone::Locate(time_zone);
  if (expression == "@once") return Schedule(expression, std::nullopt, zone);
  return Schedule(expression, CronExpression::Parse(expression), zone);
}

std::optional<system_clock::time_point> Schedule::Next(system_clock::time_point after) const {
  if (!cron_) return std::nullopt;
  return cron_->Next(after, zone_);
}

std::vector<DataInterval> Schedule::MissedIntervals(
    std::optional<system_clock::time_point> last_logical_date, system_clock::time_point start_date,
    system_clock::time_point now, size_t max_intervals) const {
  std::vector<DataInterval> intervals;
  if (!cron_) {
    if (!last_logical_date && start_date <= now) intervals.push_back({start_date, start_date});
    return intervals;
  }
  system_clock::time_point start = last_logical_date
                                       ? cron_->Next(*last_logical_date, zone_)
                                       : cron_->Next(start_date - std::chrono::seconds(1), zone_);
  while (intervals.size() < max_intervals) {
    system_clock::time_point end = cron_->Next(start, zone_);
    if (end > now) break;
    intervals.push_back({start, end});
    start = end;
  }
  return intervals;
}

std::vector<DataInterval> Schedule::Backfill(system_clock::time_point from,
                                             system_clock::time_point to) const {
  if (!cron_) {
    throw Error(ErrorCode::kInvalidInput,
                "schedule @once has no intervals to backfill; run the DAG once instead");
  }
  if (from > to) {
    throw Error(ErrorCode::kInvalidInput,
                "backfill start is after its end; pass --from before --to");
  }
  std::vector<DataInterval> intervals;
  system_clock::time_point start = cron_->Next(from - std::chrono::seconds(1), zone_);
  while (start <= to) {
    system_clock::time_point end = cron_->Next(start, zone_);
    intervals.push_back({start, end});
    start = end;
  }
  return intervals;
}

}  // namespace macropipe::dag
