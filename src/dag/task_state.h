// The states of a task instance, named as Airflow names them, and the
// transitions between them that the executor may make.
//
//   CheckTransition("load", TaskState::kQueued, TaskState::kRunning);  // Throws if illegal.
//
// Plain functions over an enum; safe to call from any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace macropipe::dag {

enum class TaskState {
  kNone,            // Created; waiting for its upstream tasks to finish.
  kScheduled,       // Its trigger rule is met; it waits to be queued.
  kQueued,          // Waiting for a slot in its pool.
  kRunning,         // Its body runs on a worker and holds a pool slot.
  kSuccess,         // The body returned.
  kFailed,          // The body failed and has no retry left, or failed with a final error.
  kUpForRetry,      // The body failed with a retryable error; it waits for its retry delay.
  kSkipped,         // Its trigger rule can no longer be met without any upstream failure.
  kUpstreamFailed,  // An upstream failure means its trigger rule can never be met.
  kDeferred,        // A quota is exhausted; it waits for the quota window to reset.
};

// Returns the Airflow name of `state`, for example "up_for_retry".
std::string_view TaskStateName(TaskState state);

// Parses a name from TaskStateName; returns nullopt for any other text.
std::optional<TaskState> ParseTaskState(std::string_view name);

// True for the states in which a task instance stays unless it is cleared:
// success, failed, skipped and upstream_failed.
bool IsFinished(TaskState state);

// True when the executor may move a task instance from `from` to `to`.
bool IsAllowedTransition(TaskState from, TaskState to);

// Throws Error(kInternal) naming the task and both states when the transition
// is not allowed.
void CheckTransition(std::string_view task_id, TaskState from, TaskState to);

}  // namespace macropipe::dag
