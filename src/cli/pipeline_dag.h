// The pipeline as a DAG, built from the config. Each part of a source (a
// series or a symbol) is an ingest task, and a source fetched as a whole,
// such as the FRED-MD file, is one task. The load task runs once every ingest
// task has finished and at least one succeeded. When the config has a
// [forecast] table and the build has forecasting, the forecast task runs
// after a successful load.
//
//   PipelineDag pipeline = BuildPipelineDag(config, workspace, {});
//   dag::Pools pools(pipeline.pools);
//   executor.Run(pipeline.dag, run_id, logical_date);
//
// Task ids are `ingest.<source>.<part>`, `ingest.<source>`, `load` and
// `forecast`. The bodies share the workspace and the sources' rate budgets;
// they may run concurrently for several runs of one process.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "cli/pipeline.h"
#include "core/config.h"
#include "dag/dag.h"
#include "dag/schedule.h"
#include "etl/loader.h"
#include "http/rate_budget.h"
#include "sources/source.h"

namespace macropipe {

inline constexpr char kLoadTaskId[] = "load";
inline constexpr char kForecastTaskId[] = "forecast";

// Counts of the fetches and loads of this process's task bodies, summed for
// the summary that the command line prints. Thread-safe.
class PipelineTotals {
 public:
  // Adds a try's fetch; its series failures replace those of the task's
  // earlier tries.
  void AddFetch(const std::string& task_id, const std::string& source, const FetchSummary& fetched);
  void AddLoad(const LoadSummary& loaded);

  FetchSummary fetched() const;
  // The failed and deferred series of each task's latest try, named
  // "source/series", by task id.
  std::map<std::string, std::vector<SourceFailure>> series_failures() const;
  int fetches() const;
  std::optional<LoadSummary> loaded() const;

 private:
  mutable std::mutex mutex_;
  FetchSummary fetched_;                                        // Guarded by mutex_.
  int fetches_ = 0;                                             // Guarded by mutex_.
  std::map<std::string, std::vector<SourceFailure>> failures_;  // By task id; guarded by mutex_.
  std::optional<LoadSummary> load_;                             // Guarded by mutex_.
};

struct PipelineDagOptions {
  bool load = true;  // False builds the ingest tasks alone, for `macropipe ingest`.
  // False for a DAG that is exported and never run: no rate budget is set
  // up, so nothing is written to the data directory, and the forecast task
  // is kept even when this build has no forecasting.
  bool rate_budgets = true;
};

struct PipelineDag {
  dag::Dag dag{"macropipe"};
  std::map<std::string, int> pools;  // Slots of every pool, default_pool included.
  std::vector<std::string> ingest_task_ids;
  // The rate budget of each source, by source name, for the progress line.
  std::map<std::string, std::shared_ptr<RateBudget>> budgets;
  std::shared_ptr<PipelineTotals> totals = std::make_shared<PipelineTotals>();
};

// Creates every source first, so that a config error stops before any task
// runs. Throws Error(kInvalidInput) naming the file and line for a task that
// names a pool missing from [pools] or for invalid task settings.
PipelineDag BuildPipelineDag(const Config& config, Workspace& workspace,
                             const PipelineDagOptions& options);

// The schedule of [dag]; throws Error(kInvalidInput) naming the file and line.
dag::Schedule PipelineSchedule(const Config& config);

// Midnight of [dag] start_date (default today) in the [dag] time zone.
std::chrono::system_clock::time_point PipelineStartDate(const Config& config);

}  // namespace macropipe
