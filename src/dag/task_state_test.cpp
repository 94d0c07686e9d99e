#include "dag/task_state.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace macropipe::dag {
namespace {

using enum TaskState;

TEST(TaskStateTest, NamesRoundTrip) {
  for (TaskState state : {kNone, kScheduled, kQueued, kRunning, kSuccess, kFailed, kUpForRetry,
                          kSkipped, kUpstreamFailed, kDeferred}) {
    SCOPED_TRACE(std::string(TaskStateName(state)));
    EXPECT_EQ(ParseTaskState(TaskStateName(state)), state);
  }
  EXPECT_EQ(TaskStateName(kUpForRetry), "up_for_retry");
  EXPECT_EQ(ParseTaskState("finished"), std::nullopt);
}

TEST(TaskStateTest, TransitionTable) {
  struct Case {
    TaskState from;
    TaskState to;
    bool allowed;
  };
  const Case cases[] = {
      {kNone, kScheduled, true},      {kNone, kSkipped, true},
      {kNone, kUpstreamFailed, true}, {kNone, kRunning, false},
      {kScheduled, kQueued, true},    {kScheduled, kRunning, false},
      {kQueued, kRunning, true},      {kQueued, kScheduled, true},
      {kQueued, kSuccess, false},     {kRunning, kSuccess, true},
      {kRunning, kFailed, true},      {kRunning, kUpForRetry, true},
      {kRunning, kDeferred, true},    {kRunning, kScheduled, true},
      {kRunning, kSkipped, true},     {kUpForRetry, kScheduled, true},
      {kUpForRetry, kRunning, false}, {kDeferred, kScheduled, true},
      {kDeferred, kFailed, false},    {kFailed, kNone, true},
      {kFailed, kScheduled, false},   {kUpstreamFailed, kNone, true},
      {kSuccess, kNone, false},       {kSuccess, kRunning, false},
      {kSkipped, kNone, false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(TaskStateName(c.from)) + " -> " + std::string(TaskStateName(c.to)));
    EXPECT_EQ(IsAllowedTransition(c.from, c.to), c.allowed);
  }
}

TEST(TaskStateTest, IllegalTransitionThrowsNamingTask) {
  try {
    CheckTransition("load", kSuccess, kRunning);
    FAIL() << "expected an Error";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kInternal);
    EXPECT_NE(std::string(error.what()).find("'load'"), std::string::npos);
    EXPECT_NE(std::string(error.what()).find("success -> running"), std::string::npos);
  }
}

TEST(TaskStateTest, FinishedStates) {
  EXPECT_TRUE(IsFinished(kSuccess));
  EXPECT_TRUE(IsFinished(kFailed));
  EXPECT_TRUE(IsFinished(kSkipped));
  EXPECT_TRUE(IsFinished(kUpstreamFailed));
  EXPECT_FALSE(IsFinished(kUpForRetry));
  EXPECT_FALSE(IsFinished(kDeferred));
  EXPECT_FALSE(IsFinished(kRunning));
}

}  // namespace
}  // namespace macropipe::dag
