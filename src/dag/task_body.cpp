#include "dag/task_body.h"

#include <utility>

namespace macropipe::dag {

TaskContext::TaskContext(std::string run_id, std::string task_id,
                         std::chrono::system_clock::time_point logical_date, int try_number,
                         std::shared_ptr<spdlog::logger> logger,
                         std::shared_ptr<const std::atomic<bool>> cancelled)
    : run_id_(std::move(run_id)),
      task_id_(std::move(task_id)),
      logical_date_(logical_date),
      try_number_(try_number),
      logger_(std::move(logger)),
      cancelled_(std::move(cancelled)) {}

}  // namespace macropipe::dag
