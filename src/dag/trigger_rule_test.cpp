#include "dag/trigger_rule.h"

#include <gtest/gtest.h>

#include <vector>

namespace macropipe::dag {
namespace {

using enum TaskState;
using TriggerDecision::kRun;
using TriggerDecision::kSkip;
using TriggerDecision::kWait;

TEST(TriggerRuleTest, DecisionTable) {
  struct Case {
    TriggerRule rule;
    std::vector<TaskState> upstream;
    TriggerDecision expected;
  };
  const std::vector<Case> cases = {
      {TriggerRule::kAllSuccess, {}, kRun},
      {TriggerRule::kAllSuccess, {kSuccess, kSuccess}, kRun},
      {TriggerRule::kAllSuccess, {kSuccess, kRunning}, kWait},
      {TriggerRule::kAllSuccess, {kFailed, kRunning}, TriggerDecision::kUpstreamFailed},
      {TriggerRule::kAllSuccess, {kSuccess, kUpstreamFailed}, TriggerDecision::kUpstreamFailed},
      {TriggerRule::kAllSuccess, {kSuccess, kSkipped}, kSkip},
      {TriggerRule::kAllSuccess, {kSkipped, kUpForRetry}, kWait},
      {TriggerRule::kAllSuccess, {kSuccess, kDeferred}, kWait},
      {TriggerRule::kAllDone, {}, kRun},
      {TriggerRule::kAllDone, {kSuccess, kFailed, kSkipped, kUpstreamFailed}, kRun},
      {TriggerRule::kAllDone, {kFailed, kUpForRetry}, kWait},
      {TriggerRule::kAllDone, {kFailed, kDeferred}, kWait},
      {TriggerRule::kOneSuccess, {}, kRun},
      {TriggerRule::kOneSuccess, {kSuccess, kRunning}, kRun},
      {TriggerRule::kOneSuccess, {kFailed, kRunning}, kWait},
      {TriggerRule::kOneSuccess, {kFailed, kSkipped}, TriggerDecision::kUpstreamFailed},
      {TriggerRule::kOneSuccess, {kSkipped, kSkipped}, kSkip},
      {TriggerRule::kAllDoneMinOneSuccess, {}, kRun},
      {TriggerRule::kAllDoneMinOneSuccess, {kSuccess, kRunning}, kWait},
      {TriggerRule::kAllDoneMinOneSuccess, {kSuccess, kFailed, kSkipped}, kRun},
      {TriggerRule::kAllDoneMinOneSuccess, {kFailed, kSkipped}, TriggerDecision::kUpstreamFailed},
      {TriggerRule::kAllDoneMinOneSuccess, {kSkipped, kSkipped}, kSkip},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE("case " + std::to_string(i) + " rule " +
                 std::string(TriggerRuleName(cases[i].rule)));
    EXPECT_EQ(EvaluateTriggerRule(cases[i].rule, cases[i].upstream), cases[i].expected);
  }
}

TEST(TriggerRuleTest, NamesRoundTrip) {
  for (TriggerRule rule : {TriggerRule::kAllSuccess, TriggerRule::kAllDone,
                           TriggerRule::kOneSuccess, TriggerRule::kAllDoneMinOneSuccess}) {
    SCOPED_TRACE(std::string(TriggerRuleName(rule)));
    EXPECT_EQ(ParseTriggerRule(TriggerRuleName(rule)), rule);
  }
  EXPECT_EQ(ParseTriggerRule("none_failed"), std::nullopt);
}

}  // namespace
}  // namespace macropipe::dag
