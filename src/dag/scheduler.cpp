#include "dag/scheduler.h"

#include <date/date.h>
#include <spdlog/spdlog.h>

#include <thread>

namespace macropipe::dag {

std::string MakeRunId(const std::string& kind, TimePoint logical_date) {
  return kind + "__" +
         date::format("%Y-%m-%dT%H:%M:%SZ", std::chrono::floor<std::chrono::seconds>(logical_date));
}

Scheduler::Scheduler(const Dag& dag, const Schedule& schedule, Executor& executor,
                     StateStore& store, SchedulerOptions options)
    : dag_(dag), schedule_(schedule), executor_(executor), store_(store), options_(options) {
  dag_.Validate();
}

std::optional<TimePoint> Scheduler::LastLogicalDate() {
  std::optional<TimePoint> last;
  for (const RunRecord& run : store_.ListRuns()) {
    if (run.pipeline != dag_.id() || run.run_id.starts_with("manual__")) continue;
    if (!last || run.logical_date > *last) last = run.logical_date;
  }
  return last;
}

RunResult Scheduler::RunInterval(const std::string& kind, const DataInterval& interval) {
  std::string run_id = MakeRunId(kind, interval.start);
  std::optional<RunRecord> existing = store_.FindRun(run_id);
  if (existing) return executor_.Resume(dag_, run_id);
  return executor_.Run(dag_, run_id, interval.start);
}

std::vector<RunResult> Scheduler::CatchUp(TimePoint now) {
  std::vector<DataInterval> missed =
      schedule_.MissedIntervals(LastLogicalDate(), options_.start_date, now);
  if (!options_.catchup && missed.size() > 1) missed.erase(missed.begin(), missed.end() - 1);
  if (!missed.empty()) {
    spdlog::info("DAG {}: {} missed interval(s) to run, from {} to {}", dag_.id(), missed.size(),
                 FormatTime(missed.front().start), FormatTime(missed.back().start));
  }
  std::vector<RunResult> results;
  for (const DataInterval& interval : missed) results.push_back(RunInterval("scheduled", interval));
  return results;
}

std::vector<RunResult> Scheduler::Backfill(TimePoint from, TimePoint to) {
  std::vector<DataInterval> intervals = schedule_.Backfill(from, to);
  spdlog::info("DAG {}: backfilling {} interval(s) from {} to {}", dag_.id(), intervals.size(),
               FormatTime(from), FormatTime(to));
  std::vector<RunResult> results;
  for (const DataInterval& interval : intervals) {
    results.push_back(RunInterval("backfill", interval));
  }
  return results;
}

void Scheduler::Serve(const std::atomic<bool>& stop) {
  spdlog::info("DAG {}: scheduler started with schedule '{}' in {}", dag_.id(),
               schedule_.expression(), schedule_.time_zone().name());
  while (!stop.load()) {
    CatchUp(std::chrono::system_clock::now());
    std::optional<TimePoint> last = LastLogicalDate();
    TimePoint due = options_.start_date;
    if (schedule_.once()) {
      if (last) break;
    } else {
      TimePoint start =
          *schedule_.Next(last.value_or(options_.start_date - std::chrono::seconds(1)));
      due = *schedule_.Next(start);
    }
    spdlog::info("DAG {}: next run due at {}", dag_.id(), FormatTime(due));
    while (!stop.load() && std::chrono::system_clock::now() < due) {
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
  }
  spdlog::info("DAG {}: scheduler stopped", dag_.id());
}

}  // namespace macropipe::dag
