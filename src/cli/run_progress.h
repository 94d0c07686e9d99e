// The live progress line of a run on a terminal: tasks done of total,
// failures, the request rate of each source against its budget, elapsed and
// estimated time left, redrawn twice a second on standard error.
//
//   RunProgress progress(store, run_id, task_count, budgets);  // Stops when destroyed.
//
// Reads the state store from its own thread; the store must be thread-safe.
#pragma once

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "dag/state_store.h"
#include "http/rate_budget.h"

namespace macropipe {

class RunProgress {
 public:
  RunProgress(dag::StateStore& store, std::string run_id, size_t task_count,
              std::map<std::string, std::shared_ptr<RateBudget>> budgets);
  // Stops the thread and clears the line.
  ~RunProgress();
  RunProgress(const RunProgress&) = delete;
  RunProgress& operator=(const RunProgress&) = delete;

  // True when standard error is a terminal, where the line is drawn.
  static bool Wanted();

 private:
  void Draw();

  dag::StateStore& store_;
  std::string run_id_;
  size_t task_count_;
  std::map<std::string, std::shared_ptr<RateBudget>> budgets_;
  std::map<std::string, int64_t> last_counts_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
  std::mutex mutex_;
  std::condition_variable stop_signal_;
  bool stop_ = false;  // Guarded by mutex_.
  std::thread thread_;
};

}  // namespace macropipe
