// A RunController that runs DAGs on an in-process Executor, one run at a
// time, each on a thread of its own, and reports the executor's pools and the
// process's rate budgets.
//
//   ExecutorRunController controller({dag}, pools, {"default_pool", "ingest"}, executor, store);
//   std::string run_id = controller.Trigger("macropipe");
//
// Thread-safe. The destructor cancels the run in progress and waits for it.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "dag/dag.h"
#include "dag/executor.h"
#include "dag/pool.h"
#include "dag/state_store.h"
#include "server/run_controller.h"

namespace macropipe::server {

class ExecutorRunController : public RunController {
 public:
  // The pointees of every reference must outlive the controller.
  ExecutorRunController(std::vector<std::shared_ptr<const dag::Dag>> dags, dag::Pools& pools,
                        std::vector<std::string> pool_names, dag::Executor& executor,
                        dag::StateStore& store);
  ~ExecutorRunController() override;

  std::vector<PipelineInfo> Pipelines() override;
  std::string Trigger(const std::string& pipeline_id) override;
  void Resume(const std::string& run_id) override;
  std::vector<PoolStatus> Pools() override;
  std::vector<RateBudgetStatus> RateBudgets() override;

 private:
  const dag::Dag& FindDag(const std::string& pipeline_id) const;
  // Starts `body` on the run thread once no other run is in progress, then
  // waits until the state store records the run as running (or it has
  // already ended), so that the caller reads its new state.
  void StartRun(const std::string& run_id, std::function<void()> body);

  std::vector<std::shared_ptr<const dag::Dag>> dags_;
  dag::Pools& pools_;
  std::vector<std::string> pool_names_;
  dag::Executor& executor_;
  dag::StateStore& store_;
  std::mutex mutex_;
  std::thread run_thread_;  // Guarded by mutex_.
  std::string running_;     // The latest run started; guarded by mutex_.
  // True once the latest run has returned, set by its thread.
  std::shared_ptr<std::atomic<bool>> finished_ = std::make_shared<std::atomic<bool>>(true);
};

}  // namespace macropipe::server
