// What a task does: the interface that ingest, load and forecast steps
// implement, and what the executor hands them for one try.
//
//   class IngestTask : public TaskBody {
//     TaskOutcome Run(TaskContext& context) override { ...; return {.rows_landed = n}; }
//   };
//
// A body is called from executor worker threads, possibly for several runs at
// once, so Run must be safe to call concurrently. A TaskContext belongs to one try.
#pragma once

#include <spdlog/logger.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>

namespace macropipe::dag {

// The counts a successful try reports; the executor stores and sums them.
struct TaskOutcome {
  int64_t rows_landed = 0;
  int64_t rows_inserted = 0;
  int64_t rows_revised = 0;
};

class TaskContext {
 public:
  TaskContext(std::string run_id, std::string task_id,
              std::chrono::system_clock::time_point logical_date, int try_number,
              std::shared_ptr<spdlog::logger> logger,
              std::shared_ptr<const std::atomic<bool>> cancelled);

  const std::string& run_id() const { return run_id_; }
  const std::string& task_id() const { return task_id_; }
  // The start of the data interval this run covers, in UTC.
  std::chrono::system_clock::time_point logical_date() const { return logical_date_; }
  // 1 for the first try of the task in this run.
  int try_number() const { return try_number_; }
  // Becomes true when the try timed out or the run was cancelled. A body should
  // check it between steps and throw or return soon after it turns true.
  bool cancelled() const { return cancelled_->load(); }
  // Writes to the try's log file and the executor's log; every line names run,
  // task and try.
  spdlog::logger& logger() { return *logger_; }

 private:
  std::string run_id_;
  std::string task_id_;
  std::chrono::system_clock::time_point logical_date_;
  int try_number_;
  std::shared_ptr<spdlog::logger> logger_;
  std::shared_ptr<const std::atomic<bool>> cancelled_;
};

// Thrown by a body that finds nothing to do, such as an ingest task whose API
// key is not set: the task ends as skipped, not failed, and is not retried.
class TaskSkipped : public std::runtime_error {
 public:
  explicit TaskSkipped(const std::string& reason) : std::runtime_error(reason) {}
};

class TaskBody {
 public:
  virtual ~TaskBody() = default;
  // Runs one try. Throwing fails the try: see ClassifyFailure for which
  // exceptions are retried, fail at once or defer the task.
  virtual TaskOutcome Run(TaskContext& context) = 0;
};

}  // namespace macropipe::dag
