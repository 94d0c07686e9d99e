#include "cli/pipeline_session.h"

#include <date/date.h>

#include <cstdio>
#include <iostream>
#include <map>
#include <sstream>

#include "cli/run_progress.h"
#include "cli/task_log_routing.h"
#include "core/error.h"

namespace macropipe {

std::string FormatElapsed(std::chrono::steady_clock::duration elapsed) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.2f s", std::chrono::duration<double>(elapsed).count());
  return buffer;
}

void PrintLoadSummary(const LoadSummary& summary) {
  const LoadCounts& c = summary.counts;
  std::cout << "load: " << summary.objects_loaded << " objects loaded (" << summary.objects_skipped
            << " already loaded); observations: " << c.inserted << " inserted, " << c.revised
            << " revised, " << c.unchanged << " unchanged, " << c.kept << " kept, " << c.rejected
            << " rejected\n";
}

PipelineSession::PipelineSession(const GlobalOptions& options,
                                 const PipelineDagOptions& dag_options)
    : config_(LoadConfigOrDefault(options)) {
  if (config_.sources.empty()) {
    throw Error(ErrorCode::kInvalidInput,
                "config " + config_.path + " has no [[sources]] table; add one for each source");
  }
  // The schedule is checked here so that a bad [dag] table fails every command alike.
  PipelineSchedule(config_);
  data_dir_ = DataDir(options, config_);
  lock_ = std::make_unique<DataDirLock>(data_dir_);
  workspace_ = std::make_unique<Workspace>(data_dir_, config_);
  pipeline_ = BuildPipelineDag(config_, *workspace_, dag_options);
  store_ = OpenConfiguredStateStore(config_, data_dir_);
  pools_ = std::make_unique<dag::Pools>(pipeline_.pools);
  executor_ = std::make_unique<dag::Executor>(
      *pools_, *store_,
      dag::ExecutorOptions{.data_dir = data_dir_,
                           .worker_threads = static_cast<int>(config_.dag.worker_threads),
                           .logger = RouteTaskLogs()});
}

PipelineSession::~PipelineSession() = default;

int PipelineSession::RunAndReport(const std::string& run_id,
                                  const std::function<dag::RunResult()>& run) {
  auto start = std::chrono::steady_clock::now();
  dag::RunResult result;
  {
    std::optional<RunProgress> progress;
    if (RunProgress::Wanted()) {
      progress.emplace(*store_, run_id, pipeline_.dag.tasks().size(), pipeline_.budgets);
    }
    result = run();
  }
  PrintOutcome(result, std::chrono::steady_clock::now() - start);
  for (const dag::TaskInstanceRecord& task : result.tasks) {
    if (task.state != dag::TaskState::kSuccess && task.state != dag::TaskState::kSkipped) return 1;
  }
  return 0;
}

void PipelineSession::PrintOutcome(const dag::RunResult& result,
                                   std::chrono::steady_clock::duration elapsed) {
  std::vector<dag::TaskInstanceRecord> ingest;
  const dag::TaskInstanceRecord* load = nullptr;
  for (const dag::TaskInstanceRecord& task : result.tasks) {
    if (task.task_id == kLoadTaskId) {
      load = &task;
    } else {
      ingest.push_back(task);
    }
  }
  FetchSummary fetched = pipeline_.totals->fetched();
  std::cout << "ingest: " << fetched.objects_landed << " objects landed, "
            << fetched.objects_unchanged << " unchanged, " << fetched.series << " series; "
            << dag::SummarizeTasks(ingest) << "\n";
  if (std::optional<LoadSummary> loaded = pipeline_.totals->loaded()) PrintLoadSummary(*loaded);
  if (load != nullptr && load->state == dag::TaskState::kUpstreamFailed) {
    std::cout << "load not run, because no ingest task succeeded\n";
  }
  std::cout << "run " << result.run.run_id << ": " << dag::RunStateName(result.run.state) << ", "
            << result.run.summary << "\n";
  std::cout << "finished in " << FormatElapsed(elapsed) << "\n";
  // A task that fetched reports each failed or deferred series; a deferred
  // series waits for its quota to reset and is not a failure.
  std::map<std::string, std::vector<SourceFailure>> series = pipeline_.totals->series_failures();
  for (const auto& [task_id, failures] : series) {
    for (const SourceFailure& failure : failures) {
      std::cerr << (failure.deferred ? "warning: series " : "error: series ") << failure.source
                << (failure.deferred ? " deferred: " : " failed: ") << failure.message << "\n";
    }
  }
  for (const dag::TaskInstanceRecord& task : result.tasks) {
    if (task.state != dag::TaskState::kFailed) continue;
    auto reported = series.find(task.task_id);
    if (reported != series.end() && !reported->second.empty()) continue;
    std::cerr << "error: task " << task.task_id << " failed: " << task.error << "\n";
  }
}

std::string PipelineSession::LatestRunId() {
  for (const dag::RunRecord& run : store_->ListRuns()) {
    if (run.pipeline == pipeline_.dag.id()) return run.run_id;
  }
  throw Error(ErrorCode::kNotFound, "no run of DAG '" + pipeline_.dag.id() + "' is recorded in " +
                                        StateStoreLocation(config_, data_dir_) +
                                        "; start one with `macropipe run`");
}

std::string NewManualRunId(dag::StateStore& store, dag::TimePoint& logical_date) {
  logical_date = std::chrono::floor<std::chrono::milliseconds>(std::chrono::system_clock::now());
  for (;;) {
    std::string run_id = "manual__" + dag::FormatTime(logical_date);
    if (!store.FindRun(run_id)) return run_id;
    logical_date += std::chrono::milliseconds(1);
  }
}

dag::TimePoint ParseLogicalDate(const std::string& text, const std::string& what) {
  if (std::optional<Date> day = Date::TryParseIso(text)) return day->days();
  std::istringstream in(text);
  date::sys_time<std::chrono::microseconds> time;
  std::string rest;
  for (const char* format : {"%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%M:%S%Ez"}) {
    in.clear();
    in.str(text);
    in >> date::parse(format, time);
    if (!in.fail() && !(in >> rest)) return time;
  }
  throw Error(ErrorCode::kInvalidInput,
              "invalid " + what + " '" + text +
                  "': write YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS with Z or +HH:MM");
}

}  // namespace macropipe
