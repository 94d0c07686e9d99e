#include "cli/task_log_routing.h"

#include <spdlog/details/null_mutex.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <string_view>
#include <vector>

namespace macropipe {
namespace {

thread_local spdlog::logger* current_task_logger = nullptr;

// Passes each line to the task logger of the thread that wrote it, or to the
// original sinks outside task bodies. The inner sinks do their own locking.
class TaskRoutingSink : public spdlog::sinks::base_sink<spdlog::details::null_mutex> {
 public:
  explicit TaskRoutingSink(std::vector<spdlog::sink_ptr> sinks) : sinks_(std::move(sinks)) {}

 protected:
  void sink_it_(const spdlog::details::log_msg& message) override {
    if (current_task_logger != nullptr) {
      current_task_logger->log(message.level, "{}",
                               std::string_view(message.payload.data(), message.payload.size()));
      return;
    }
    for (const spdlog::sink_ptr& sink : sinks_) {
      if (sink->should_log(message.level)) sink->log(message);
    }
  }
  void flush_() override {
    for (const spdlog::sink_ptr& sink : sinks_) sink->flush();
  }

 private:
  std::vector<spdlog::sink_ptr> sinks_;
};

}  // namespace

std::shared_ptr<spdlog::logger> RouteTaskLogs() {
  static std::shared_ptr<spdlog::logger> run_logger;
  if (run_logger) return run_logger;
  std::shared_ptr<spdlog::logger> original = spdlog::default_logger();
  std::vector<spdlog::sink_ptr> sinks = original->sinks();
  // The --log-level filter moves from the logger to its sinks, so that try
  // log files get info lines even when the terminal shows only warnings.
  spdlog::level::level_enum console_level = original->level();
  for (const spdlog::sink_ptr& sink : sinks) sink->set_level(console_level);
  spdlog::level::level_enum level = std::min(console_level, spdlog::level::info);
  run_logger = std::make_shared<spdlog::logger>("macropipe-run", sinks.begin(), sinks.end());
  run_logger->set_level(level);
  original->set_level(level);
  original->sinks() = {std::make_shared<TaskRoutingSink>(std::move(sinks))};
  return run_logger;
}

ScopedTaskLog::ScopedTaskLog(spdlog::logger& logger) : previous_(current_task_logger) {
  current_task_logger = &logger;
}

ScopedTaskLog::~ScopedTaskLog() { current_task_logger = previous_; }

}  // namespace macropipe
