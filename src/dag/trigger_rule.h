// Trigger rules: when a task may run, given the states of its upstream tasks.
// The rules and their outcomes follow Airflow's all_success, all_done,
// one_success and all_done_min_one_success.
//
//   TriggerDecision d = EvaluateTriggerRule(TriggerRule::kAllDone, {TaskState::kFailed});
//
// Plain functions; safe to call from any thread.
#pragma once

#include <optional>
#include <span>
#include <string_view>

#include "dag/task_state.h"

namespace macropipe::dag {

enum class TriggerRule {
  kAllSuccess,  // Every upstream task succeeded.
  kAllDone,     // Every upstream task finished, whatever its outcome.
  kOneSuccess,  // At least one upstream task succeeded; runs without waiting for the rest.
  // Every upstream task finished and at least one succeeded: a load after
  // many ingest tasks loads what arrived, and does not run when nothing did.
  kAllDoneMinOneSuccess,
};

enum class TriggerDecision {
  kWait,            // Not yet decidable: some upstream tasks have not finished.
  kRun,             // The task is scheduled.
  kSkip,            // The task is skipped: its rule cannot be met but nothing upstream failed.
  kUpstreamFailed,  // The task cannot run because an upstream task failed.
};

std::string_view TriggerRuleName(TriggerRule rule);
std::optional<TriggerRule> ParseTriggerRule(std::string_view name);

// Decides for a task with `rule` whose upstream tasks are in `upstream`.
// A task without upstream tasks always runs.
TriggerDecision EvaluateTriggerRule(TriggerRule rule, std::span<const TaskState> upstream);

}  // namespace macropipe::dag
