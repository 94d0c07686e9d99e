#include "server/executor_run_controller.h"

#include <spdlog/spdlog.h>

#include "core/error.h"
#include "dag/scheduler.h"
#include "http/rate_budget_registry.h"

namespace macropipe::server {

ExecutorRunController::ExecutorRunController(std::vector<std::shared_ptr<const dag::Dag>> dags,
                                             dag::Pools& pools, std::vector<std::string> pool_names,
                                             dag::Executor& executor, dag::StateStore& store)
    : dags_(std::move(dags)),
      pools_(pools),
      pool_names_(std::move(pool_names)),
      executor_(executor),
      store_(store) {}

ExecutorRunController::~ExecutorRunController() {
  std::lock_guard lock(mutex_);
  if (!run_thread_.joinable()) return;
  if (!finished_->load()) {
    spdlog::info("run {}: cancelling because the server stops", running_);
    executor_.Cancel();
  }
  run_thread_.join();
}

std::vector<PipelineInfo> ExecutorRunController::Pipelines() {
  std::vector<PipelineInfo> pipelines;
  for (const auto& dag : dags_) {
    PipelineInfo pipeline{dag->id(), {}};
    for (const dag::TaskSpec* task : dag->TopologicalOrder()) {
      pipeline.tasks.push_back({task->id, task->upstream, task->pool});
    }
    pipelines.push_back(std::move(pipeline));
  }
  return pipelines;
}

const dag::Dag& ExecutorRunController::FindDag(const std::string& pipeline_id) const {
  for (const auto& dag : dags_) {
    if (dag->id() == pipeline_id) return *dag;
  }
  throw Error(ErrorCode::kNotFound, "pipeline '" + pipeline_id +
                                        "' is not configured in this server; list them with "
                                        "GET /api/v1/pipelines");
}

void ExecutorRunController::StartRun(const std::string& run_id, std::function<void()> body) {
  {
    std::lock_guard lock(mutex_);
    if (!finished_->load()) {
      // The run's record says it ended a moment before its thread returns.
      std::optional<dag::RunRecord> latest = store_.FindRun(running_);
      if (!latest || latest->state == dag::RunState::kRunning) {
        throw Error(ErrorCode::kFailedPrecondition, "run '" + running_ +
                                                        "' is in progress; wait until it "
                                                        "finishes, then try again");
      }
    }
    if (run_thread_.joinable()) run_thread_.join();
    finished_->store(false);
    running_ = run_id;
    run_thread_ = std::thread([body = std::move(body), finished = finished_, run_id] {
      try {
        body();
      } catch (const std::exception& error) {
        spdlog::error("run {}: failed to run: {}", run_id, error.what());
      }
      finished->store(true);
    });
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  auto started = [this, &run_id] {
    std::optional<dag::RunRecord> run = store_.FindRun(run_id);
    return run && run->state == dag::RunState::kRunning;
  };
  while (!started() && !finished_->load() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

std::string ExecutorRunController::Trigger(const std::string& pipeline_id) {
  const dag::Dag& dag = FindDag(pipeline_id);
  dag::TimePoint now =
      std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  std::string run_id = dag::MakeRunId("manual", now);
  if (store_.FindRun(run_id)) {
    throw Error(ErrorCode::kFailedPrecondition,
                "run '" + run_id + "' exists already; trigger again in a second");
  }
  spdlog::info("run {}: triggered through the API", run_id);
  StartRun(run_id, [this, &dag, run_id, now] { executor_.Run(dag, run_id, now); });
  return run_id;
}

void ExecutorRunController::Resume(const std::string& run_id) {
  std::optional<dag::RunRecord> run = store_.FindRun(run_id);
  if (!run) {
    throw Error(ErrorCode::kNotFound, "run '" + run_id + "' is not in the state database");
  }
  const dag::Dag& dag = FindDag(run->pipeline);
  spdlog::info("run {}: resumed through the API", run_id);
  StartRun(run_id, [this, &dag, run_id] { executor_.Resume(dag, run_id); });
}

std::vector<PoolStatus> ExecutorRunController::Pools() {
  std::vector<PoolStatus> pools;
  for (const std::string& name : pool_names_) {
    dag::PoolUsage usage = pools_.Usage(name);
    pools.push_back({name, usage.slots, usage.in_use, usage.max_in_use});
  }
  return pools;
}

std::vector<RateBudgetStatus> ExecutorRunController::RateBudgets() {
  std::vector<RateBudgetStatus> budgets;
  for (const std::shared_ptr<RateBudget>& budget : RateBudgetRegistry::Global().List()) {
    const RateLimits& limits = budget->limits();
    std::optional<int64_t> per_day;
    if (limits.per_day) per_day = static_cast<int64_t>(*limits.per_day);
    budgets.push_back(
        {budget->name(), limits.per_second, limits.per_minute, per_day, budget->UsedToday()});
  }
  return budgets;
}

}  // namespace macropipe::server
