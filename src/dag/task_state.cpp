#include "dag/task_state.h"

#include <array>
#include <string>

#include "core/error.h"

namespace macropipe::dag {
namespace {

constexpr std::array<std::pair<TaskState, std::string_view>, 10> kNames = {{
    {TaskState::kNone, "none"},
    {TaskState::kScheduled, "scheduled"},
    {TaskState::kQueued, "queued"},
    {TaskState::kRunning, "running"},
    {TaskState::kSuccess, "success"},
    {TaskState::kFailed, "failed"},
    {TaskState::kUpForRetry, "up_for_retry"},
    {TaskState::kSkipped, "skipped"},
    {TaskState::kUpstreamFailed, "upstream_failed"},
    {TaskState::kDeferred, "deferred"},
}};

}  // namespace

std::string_view TaskStateName(TaskState state) {
  for (const auto& [value, name] : kNames) {
    if (value == state) return name;
  }
  return "unknown";
}

std::optional<TaskState> ParseTaskState(std::string_view name) {
  for (const auto& [value, known] : kNames) {
    if (known == name) return value;
  }
  return std::nullopt;
}

bool IsFinished(TaskState state) {
  return state == TaskState::kSuccess || state == TaskState::kFailed ||
         state == TaskState::kSkipped || state == TaskState::kUpstreamFailed;
}

bool IsAllowedTransition(TaskState from, TaskState to) {
  using enum TaskState;
  switch (from) {
    case kNone:
      return to == kScheduled || to == kSkipped || to == kUpstreamFailed;
    case kScheduled:
      // Back to none when a run is cancelled before the task was queued.
      return to == kQueued || to == kNone;
    case kQueued:
      // Back to scheduled when a run is cancelled while the task waits for a slot.
      return to == kRunning || to == kScheduled;
    case kRunning:
      // Scheduled again when a run is resumed after its process died mid-try;
      // skipped when the body finds nothing to do.
      return to == kSuccess || to == kFailed || to == kUpForRetry || to == kDeferred ||
             to == kScheduled || to == kSkipped;
    case kUpForRetry:
    case kDeferred:
      return to == kScheduled || to == kNone;
    case kFailed:
    case kUpstreamFailed:
      // Cleared by a resume, which evaluates the task's trigger rule again.
      return to == kNone;
    case kSuccess:
    case kSkipped:
      return false;
  }
  return false;
}

void CheckTransition(std::string_view task_id, TaskState from, TaskState to) {
  if (IsAllowedTransition(from, to)) return;
  throw Error(ErrorCode::kInternal, "task '" + std::string(task_id) + "': illegal transition " +
                                        std::string(TaskStateName(from)) + " -> " +
                                        std::string(TaskStateName(to)));
}

}  // namespace macropipe::dag
