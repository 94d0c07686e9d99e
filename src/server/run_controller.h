// What the server needs from whoever runs pipelines: the pipelines it knows,
// triggering and resuming runs, and the current use of pools and rate budgets.
//
//   std::string run_id = controller.Trigger("macropipe");  // Returns at once.
//
// Implementations are thread-safe: the server calls them from its request threads.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace macropipe::server {

struct TaskInfo {
  std::string task_id;
  std::vector<std::string> upstream;
  std::string pool;
};

struct PipelineInfo {
  std::string pipeline_id;
  std::vector<TaskInfo> tasks;  // In topological order.
};

struct PoolStatus {
  std::string name;
  int slots = 0;
  int in_use = 0;
  int max_in_use = 0;
};

struct RateBudgetStatus {
  std::string source;
  std::optional<double> per_second;
  std::optional<double> per_minute;
  std::optional<int64_t> per_day;
  int64_t used_today = 0;
};

class RunController {
 public:
  virtual ~RunController() = default;

  virtual std::vector<PipelineInfo> Pipelines() = 0;
  // Starts a run of `pipeline` in the background and returns its run id.
  // Throws Error(kNotFound) for an unknown pipeline and
  // Error(kFailedPrecondition) while another run is in progress.
  virtual std::string Trigger(const std::string& pipeline_id) = 0;
  // Continues a recorded run in the background. Throws as Trigger does, and
  // Error(kNotFound) for an unknown run.
  virtual void Resume(const std::string& run_id) = 0;
  virtual std::vector<PoolStatus> Pools() = 0;
  virtual std::vector<RateBudgetStatus> RateBudgets() = 0;
};

}  // namespace macropipe::server
