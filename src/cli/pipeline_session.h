// The state shared by the commands that run the pipeline's DAG: the config,
// the locked data directory, the DAG built from the config, the state
// database that the config names and an executor. It also prints a run's outcome.
//
//   PipelineSession session(options, {});
//   dag::RunResult result = session.executor().Run(session.dag(), run_id, logical_date);
//   return session.Report(result);
//
// Thread-compatible: one per command.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "cli/command.h"
#include "cli/pipeline.h"
#include "cli/pipeline_dag.h"
#include "core/config.h"
#include "core/files.h"
#include "dag/executor.h"
#include "dag/pool.h"
#include "dag/state_store.h"

namespace macropipe {

class PipelineSession {
 public:
  // Loads the config (the built-in one without --config), checks that it has
  // sources, takes the data directory's lock and builds the DAG. Throws Error
  // naming the file and line for config errors, before anything is written.
  PipelineSession(const GlobalOptions& options, const PipelineDagOptions& dag_options);
  ~PipelineSession();

  const Config& config() const { return config_; }
  const std::filesystem::path& data_dir() const { return data_dir_; }
  const dag::Dag& dag() const { return pipeline_.dag; }
  const PipelineDag& pipeline() const { return pipeline_; }
  dag::StateStore& store() { return *store_; }
  dag::Pools& pools() { return *pools_; }
  dag::Executor& executor() { return *executor_; }

  // Runs `run` (which starts or resumes a run of `run_id`) with a live
  // progress line on a terminal, then prints the outcome. Returns the exit
  // status: 0 when every task succeeded or was skipped, else 1.
  int RunAndReport(const std::string& run_id, const std::function<dag::RunResult()>& run);

  // The id of the most recent run of this DAG; throws Error(kNotFound) when none exists.
  std::string LatestRunId();

 private:
  void PrintOutcome(const dag::RunResult& result, std::chrono::steady_clock::duration elapsed);

  Config config_;
  std::filesystem::path data_dir_;
  std::unique_ptr<DataDirLock> lock_;
  std::unique_ptr<Workspace> workspace_;
  PipelineDag pipeline_;
  std::unique_ptr<dag::StateStore> store_;
  std::unique_ptr<dag::Pools> pools_;
  std::unique_ptr<dag::Executor> executor_;
};

// Prints the "load: ..." line of a load's counts to standard output.
void PrintLoadSummary(const LoadSummary& summary);

// Formats a duration as seconds with two decimals, for example "0.28 s".
std::string FormatElapsed(std::chrono::steady_clock::duration elapsed);

// Returns a new run id "manual__YYYY-MM-DDTHH:MM:SS.mmmZ" for a run started
// now and sets `logical_date` to that time. When the id is taken, the time
// moves on by a millisecond until it is free.
std::string NewManualRunId(dag::StateStore& store, dag::TimePoint& logical_date);

// Parses a logical date: YYYY-MM-DD, or YYYY-MM-DDTHH:MM:SS with an optional
// fraction and Z or a +HH:MM offset, as Airflow's {{ ts }} writes it. Throws
// Error(kInvalidInput) naming `what`.
dag::TimePoint ParseLogicalDate(const std::string& text, const std::string& what);

}  // namespace macropipe
