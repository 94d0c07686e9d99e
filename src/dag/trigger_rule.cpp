#include "dag/trigger_rule.h"

namespace macropipe::dag {
namespace {

struct UpstreamCounts {
  int total = 0;
  int finished = 0;
  int success = 0;
  int failed = 0;  // failed or upstream_failed
  int skipped = 0;
};

UpstreamCounts Count(std::span<const TaskState> upstream) {
  UpstreamCounts counts;
  counts.total = static_cast<int>(upstream.size());
  for (TaskState state : upstream) {
    if (IsFinished(state)) ++counts.finished;
    if (state == TaskState::kSuccess) ++counts.success;
    if (state == TaskState::kFailed || state == TaskState::kUpstreamFailed) ++counts.failed;
    if (state == TaskState::kSkipped) ++counts.skipped;
  }
  return counts;
}

}  // namespace

std::string_view TriggerRuleName(TriggerRule rule) {
  switch (rule) {
    case TriggerRule::kAllSuccess:
      return "all_success";
    case TriggerRule::kAllDone:
      return "all_done";
    case TriggerRule::kOneSuccess:
      return "one_success";
    case TriggerRule::kAllDoneMinOneSuccess:
      return "all_done_min_one_success";
  }
  return "unknown";
}

std::optional<TriggerRule> ParseTriggerRule(std::string_view name) {
  for (TriggerRule rule : {TriggerRule::kAllSuccess, TriggerRule::kAllDone,
                           TriggerRule::kOneSuccess, TriggerRule::kAllDoneMinOneSuccess}) {
    if (TriggerRuleName(rule) == name) return rule;
  }
  return std::nullopt;
}

TriggerDecision EvaluateTriggerRule(TriggerRule rule, std::span<const TaskState> upstream) {
  UpstreamCounts counts = Count(upstream);
  bool all_finished = counts.finished == counts.total;
  switch (rule) {
    case TriggerRule::kAllSuccess:
      // Like Airflow, a failure decides at once; a skip decides once nothing can fail.
      if (counts.failed > 0) return TriggerDecision::kUpstreamFailed;
      if (counts.skipped > 0 && all_finished) return TriggerDecision::kSkip;
      return counts.success == counts.total ? TriggerDecision::kRun : TriggerDecision::kWait;
    case TriggerRule::kAllDone:
      return all_finished ? TriggerDecision::kRun : TriggerDecision::kWait;
    case TriggerRule::kOneSuccess:
      if (counts.total == 0 || counts.success > 0) return TriggerDecision::kRun;
      if (!all_finished) return TriggerDecision::kWait;
      return counts.failed > 0 ? TriggerDecision::kUpstreamFailed : TriggerDecision::kSkip;
    case TriggerRule::kAllDoneMinOneSuccess:
      if (!all_finished) return TriggerDecision::kWait;
      if (counts.total == 0 || counts.success > 0) return TriggerDecision::kRun;
      return counts.failed > 0 ? TriggerDecision::kUpstreamFailed : TriggerDecision::kSkip;
  }
  return TriggerDecision::kWait;
}

}  // namespace macropipe::dag
