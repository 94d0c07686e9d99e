// Runs a DAG in this process: trigger rules decide what may run, pools limit
// how many tasks run at once, retries and deferrals follow each task's policy,
// and every transition is written to the state store before the run goes on.
//
//   Pools pools({{"ingest", 10}});
//   SqliteStateStore store(data_dir / "state.db");
//   Executor executor(pools, store, {.data_dir = data_dir});
//   RunResult result = executor.Run(dag, "manual__2024-05-01T00:00:00Z", logical_date);
//
// Thread-safe: several threads may run DAGs on one executor at once, and they
// share its pools and worker threads. Cancel may be called from any thread or
// a signal-handling thread. The destructor waits for running task bodies.
#pragma once

#include <spdlog/logger.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "dag/dag.h"
#include "dag/pool.h"
#include "dag/state_store.h"
#include "dag/thread_pool.h"

namespace macropipe::dag {

struct ExecutorOptions {
  // Try logs go to `<data_dir>/logs/<run_id>/<task_id>/try-<n>.log`.
  std::filesystem::path data_dir = {};
  int worker_threads = 16;  // Bodies running at once, over all pools and runs.
  // Where the run's story is logged besides the try logs; null for spdlog's default logger.
  std::shared_ptr<spdlog::logger> logger = {};
  // A task deferred until later than this from now ends the run as deferred,
  // to be resumed after the reset; earlier resets are awaited in the process.
  std::chrono::milliseconds max_deferral_wait{std::chrono::hours(1)};
  // The deferral when a quota error carries no "until TIME".
  std::chrono::milliseconds default_deferral{std::chrono::minutes(15)};
  uint64_t seed = 0;  // Seeds the retry jitter; equal seeds give equal delays.
};

struct RunResult {
  RunRecord run = {};
  std::vector<TaskInstanceRecord> tasks = {};  // In the DAG's topological order.
};

class Executor {
 public:
  Executor(Pools& pools, StateStore& store, ExecutorOptions options);
  ~Executor();

  // Runs every task of `dag` as a new run. Throws Error(kInvalidInput) when
  // the run id exists or the DAG is invalid, and Error(kNotFound) when a task
  // names a pool that is not configured. Task failures do not throw: they are
  // in the result.
  RunResult Run(const Dag& dag, const std::string& run_id, TimePoint logical_date);

  // Continues a run recorded in the state store: tasks in success or skipped
  // stay, tasks left running or queued by a process that died are scheduled
  // again with their try counted, and every other task is cleared and
  // evaluated again with a fresh retry budget. Throws Error(kNotFound) for an
  // unknown run and Error(kInvalidInput) when the run belongs to another DAG.
  RunResult Resume(const Dag& dag, const std::string& run_id);

  // Runs one try of one task, ignoring its upstream tasks and retries, as an
  // outside scheduler such as Airflow does with `macropipe task run`. Creates
  // the run when it is not recorded yet. A task already in success or skipped
  // is returned as recorded, without running it again. Holds the task's
  // claim in the state store for the try: throws Error(kFailedPrecondition)
  // when another process holds it, and records a try left running by a
  // process that died as failed before starting the next one.
  TaskInstanceRecord RunTaskOnce(const Dag& dag, const std::string& run_id, TimePoint logical_date,
                                 const std::string& task_id);

  // Asks every run in progress to stop: running bodies see their cancellation
  // flag, nothing new starts, and Run returns once the running bodies return.
  // Final: runs started later on this executor stop at once.
  void Cancel();

 private:
  friend class RunExecution;

  Pools& pools_;
  StateStore& store_;
  ExecutorOptions options_;
  std::shared_ptr<spdlog::logger> logger_;
  std::atomic<bool> cancelled_{false};
  ThreadPool workers_;
};

// Returns the summary of a run's tasks, for example
// "29 of 30 succeeded, 1 failed: fred-x: unavailable: HTTP 503".
std::string SummarizeTasks(const std::vector<TaskInstanceRecord>& tasks);

// Returns `<data_dir>/logs/<run_id>/<task_id>/try-<try_number>.log`.
std::filesystem::path TryLogPath(const std::filesystem::path& data_dir, const std::string& run_id,
                                 const std::string& task_id, int try_number);

}  // namespace macropipe::dag
