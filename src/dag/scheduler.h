// Runs a DAG on its schedule: run ids, catch-up of missed intervals, the
// long-running scheduler loop and backfills.
//
//   Scheduler scheduler(dag, schedule, executor, store, {.start_date = start});
//   scheduler.Backfill(from, to);
//   scheduler.Serve(stop);  // Returns when `stop` turns true.
//
// Thread-compatible: one thread drives a Scheduler; `stop` may be set from any thread.
#pragma once

#include <atomic>
#include <optional>
#include <string>
#include <vector>

#include "dag/dag.h"
#include "dag/executor.h"
#include "dag/schedule.h"
#include "dag/state_store.h"

namespace macropipe::dag {

// Returns "<kind>__YYYY-MM-DDTHH:MM:SSZ", Airflow's form, for example
// "scheduled__2024-05-15T12:30:00Z". `kind` is scheduled, backfill or manual.
std::string MakeRunId(const std::string& kind, TimePoint logical_date);

struct SchedulerOptions {
  TimePoint start_date = {};  // The first logical date considered when nothing has run.
  bool catchup = true;        // Run missed intervals; false runs only the latest one.
};

class Scheduler {
 public:
  Scheduler(const Dag& dag, const Schedule& schedule, Executor& executor, StateStore& store,
            SchedulerOptions options);

  // The latest logical date of a scheduled or backfill run of this DAG.
  std::optional<TimePoint> LastLogicalDate();

  // Runs the intervals missed up to `now`, the oldest first, and returns their results.
  std::vector<RunResult> CatchUp(TimePoint now);

  // Runs one interval per fire time from `from` to `to`, both included, the
  // oldest first. An interval whose run exists is resumed instead.
  std::vector<RunResult> Backfill(TimePoint from, TimePoint to);

  // Catches up, then sleeps until each interval ends and runs it, until `stop`
  // turns true (checked at least once a second).
  void Serve(const std::atomic<bool>& stop);

 private:
  RunResult RunInterval(const std::string& kind, const DataInterval& interval);

  const Dag& dag_;
  const Schedule& schedule_;
  Executor& executor_;
  StateStore& store_;
  SchedulerOptions options_;
};

}  // namespace macropipe::dag
