// Where runs, task instances and their tries are recorded, so that a run can
// be listed, inspected and resumed after its process died.
//
//   std::unique_ptr<StateStore> store = OpenSqliteStateStore(data_dir / "state.db");
//   store->CreateRun(run);
//
// Each call is one transaction, so a process killed between two calls leaves
// every record as it was after the earlier one. Implementations are thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dag/task_body.h"
#include "dag/task_state.h"

namespace macropipe::dag {

using TimePoint = std::chrono::system_clock::time_point;

enum class RunState { kRunning, kSuccess, kFailed, kDeferred };

std::string_view RunStateName(RunState state);
std::optional<RunState> ParseRunState(std::string_view name);

struct RunRecord {
  std::string run_id = {};
  std::string pipeline = {};  // The DAG id.
  TimePoint logical_date = {};
  RunState state = RunState::kRunning;
  std::optional<TimePoint> start = {};
  std::optional<TimePoint> end = {};
  std::string summary =
      {};  // For example "29 of 30 succeeded, 1 failed: fred-x: unavailable: ...".
};

// One task of one run, as of its latest transition.
struct TaskInstanceRecord {
  std::string run_id = {};
  std::string task_id = {};
  TaskState state = TaskState::kNone;
  int try_number = 0;                   // Tries started so far; 0 before the first.
  std::optional<TimePoint> start = {};  // Of the latest try.
  std::optional<TimePoint> end = {};    // Of the latest try.
  std::string error = {};               // The latest failure, empty after a success.
  TaskOutcome outcome = {};
  // When an up_for_retry or deferred task may run again.
  std::optional<TimePoint> next_attempt = {};
};

// One try of one task instance.
struct TryRecord {
  std::string run_id = {};
  std::string task_id = {};
  int try_number = 1;
  TaskState state = TaskState::kRunning;  // running, success, failed, up_for_retry or deferred.
  TimePoint start = {};
  std::optional<TimePoint> end = {};
  std::string error = {};
  TaskOutcome outcome = {};
};

// One task instance to save, with its try when the try changed.
struct TaskInstanceUpdate {
  TaskInstanceRecord instance = {};
  std::optional<TryRecord> try_record = {};
};

// A hold on one task of one run, so that one process at a time runs it. It
// ends when destroyed and when its process dies, however it dies, so that a
// task whose process was killed can be run again at once.
class TaskClaim {
 public:
  virtual ~TaskClaim() = default;
};

class StateStore {
 public:
  virtual ~StateStore() = default;

  // Throws Error(kInvalidInput) when a run with that id exists.
  virtual void CreateRun(const RunRecord& run) = 0;
  virtual void UpdateRun(const RunRecord& run) = 0;
  // Writes the task instance and, when given, its try, in one transaction.
  virtual void SaveTaskInstance(const TaskInstanceRecord& instance,
                                const TryRecord* try_record) = 0;
  // Writes the updates in order. This implementation makes one call to
  // SaveTaskInstance each; a store that can writes them in one transaction.
  virtual void SaveTaskInstances(const std::vector<TaskInstanceUpdate>& updates);

  virtual std::optional<RunRecord> FindRun(const std::string& run_id) = 0;
  // Every run, the most recent logical date first.
  virtual std::vector<RunRecord> ListRuns() = 0;
  virtual std::vector<TaskInstanceRecord> ListTaskInstances(const std::string& run_id) = 0;
  virtual std::vector<TryRecord> ListTries(const std::string& run_id,
                                           const std::string& task_id) = 0;

  // Claims the task for the caller, or returns nullptr when another claim on
  // it is held, by this or another process. The claim must not outlive the
  // store.
  virtual std::unique_ptr<TaskClaim> TryClaimTask(const std::string& run_id,
                                                  const std::string& task_id) = 0;
};

// Parse a state read back from a state store; throw Error(kInvalidInput) for a
// name this version does not know, naming the run.
RunState ParseStoredRunState(const std::string& name, const std::string& run_id);
TaskState ParseStoredTaskState(const std::string& name, const std::string& run_id);

// Duration of a try in milliseconds, or nullopt while it has no end.
std::optional<int64_t> DurationMs(const std::optional<TimePoint>& start,
                                  const std::optional<TimePoint>& end);

// Formats `time` as "YYYY-MM-DDTHH:MM:SS.mmmZ"; ParseTime reads that form and
// the one without milliseconds, throwing Error(kInvalidInput) for other text.
std::string FormatTime(TimePoint time);
TimePoint ParseTime(const std::string& text);

}  // namespace macropipe::dag
