#include "dag/state_store.h"

#include <date/date.h>

#include <cstdio>

#include "core/error.h"

namespace macropipe::dag {

void StateStore::SaveTaskInstances(const std::vector<TaskInstanceUpdate>& updates) {
  for (const TaskInstanceUpdate& update : updates) {
    SaveTaskInstance(update.instance, update.try_record ? &*update.try_record : nullptr);
  }
}

std::string_view RunStateName(RunState state) {
  switch (state) {
    case RunState::kRunning:
      return "running";
    case RunState::kSuccess:
      return "success";
    case RunState::kFailed:
      return "failed";
    case RunState::kDeferred:
      return "deferred";
  }
  return "unknown";
}

std::optional<RunState> ParseRunState(std::string_view name) {
  for (RunState state :
       {RunState::kRunning, RunState::kSuccess, RunState::kFailed, RunState::kDeferred}) {
    if (RunStateName(state) == name) return state;
  }
  return std::nullopt;
}

RunState ParseStoredRunState(const std::string& name, const std::string& run_id) {
  std::optional<RunState> state = ParseRunState(name);
  if (!state) {
    throw Error(ErrorCode::kInvalidInput,
                "state database holds unknown run state '" + name + "' for run '" + run_id + "'");
  }
  return *state;
}

TaskState ParseStoredTaskState(const std::string& name, const std::string& run_id) {
  std::optional<TaskState> state = ParseTaskState(name);
  if (!state) {
    throw Error(ErrorCode::kInvalidInput,
                "state database holds unknown task state '" + name + "' in run '" + run_id +
                    "'; it was written by a newer macropipe or edited by hand");
  }
  return *state;
}

std::optional<int64_t> DurationMs(const std::optional<TimePoint>& start,
                                  const std::optional<TimePoint>& end) {
  if (!start || !end) return std::nullopt;
  return std::chrono::duration_cast<std::chrono::milliseconds>(*end - *start).count();
}

std::string FormatTime(TimePoint time) {
  // snprintf in place of date::format, which builds an ostream on each call
  // and was the slowest step of the API's lists of runs and task instances.
  auto milliseconds = std::chrono::time_point_cast<std::chrono::milliseconds>(time);
  auto day = date::floor<date::days>(milliseconds);
  date::year_month_day ymd(day);
  date::hh_mm_ss<std::chrono::milliseconds> clock(milliseconds - day);
  // Sized for the widest values the compiler assumes, so the text is never cut.
  char text[64];
  std::snprintf(
      text, sizeof text, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", static_cast<int>(ymd.year()),
      static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
      static_cast<int>(clock.hours().count()), static_cast<int>(clock.minutes().count()),
      static_cast<int>(clock.seconds().count()), static_cast<int>(clock.subseconds().count()));
  return text;
}

TimePoint ParseTime(const std::string& text) {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, millisecond = 0;
  int consumed = 0;
  bool valid = false;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d.%3dZ%n", &year, &month, &day, &hour,
                  &minute, &second, &millisecond, &consumed) == 7) {
    valid = consumed == static_cast<int>(text.size());
  } else if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2dZ%n", &year, &month, &day, &hour,
                         &minute, &second, &consumed) == 6) {
    valid = consumed == static_cast<int>(text.size());
    millisecond = 0;
  }
  date::year_month_day ymd{date::year{year}, date::month(static_cast<unsigned>(month)),
                           date::day(static_cast<unsigned>(day))};
  // Nanosecond system_clock times end in 2262.
  if (!valid || !ymd.ok() || year < 1970 || year > 2200 || hour > 23 || minute > 59 ||
      second > 60) {
    throw Error(ErrorCode::kInvalidInput,
                "invalid time '" + text +
                    "'; expected YYYY-MM-DDTHH:MM:SS[.mmm]Z in UTC, years 1970 to 2200");
  }
  return date::sys_days(ymd) + std::chrono::hours(hour) + std::chrono::minutes(minute) +
         std::chrono::seconds(second) + std::chrono::milliseconds(millisecond);
}

}  // namespace macropipe::dag
