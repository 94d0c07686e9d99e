// Sends the log lines that code inside a task body writes to spdlog's default
// logger (connectors, the HTTP layer) to the running try's logger instead.
// So they go to the try's log file and name the run and the task, like the
// body's own lines.
//
//   std::shared_ptr<spdlog::logger> run_logger = RouteTaskLogs();  // Before the executor.
//   ScopedTaskLog scope(context.logger());  // In a body, for the try's duration.
//
// RouteTaskLogs is not thread-safe: call it before any task runs. ScopedTaskLog
// is per thread.
#pragma once

#include <spdlog/logger.h>

#include <memory>

namespace macropipe {

// Wraps the default logger's sinks in a router, once per process, and returns
// a logger that writes to those sinks directly, for the executor.
std::shared_ptr<spdlog::logger> RouteTaskLogs();

// Routes this thread's default-logger lines to `logger` until destroyed.
class ScopedTaskLog {
 public:
  explicit ScopedTaskLog(spdlog::logger& logger);
  ~ScopedTaskLog();
  ScopedTaskLog(const ScopedTaskLog&) = delete;
  ScopedTaskLog& operator=(const ScopedTaskLog&) = delete;

 private:
  spdlog::logger* previous_;
};

}  // namespace macropipe
