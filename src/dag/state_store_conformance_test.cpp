#include "dag/state_store_conformance.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <future>
#include <map>
#include <random>
#include <thread>

#include "core/error.h"

namespace macropipe::testing {

using namespace dag;

void StateStoreConformanceTest::SetUp() {
  std::random_device random;
  scratch_ = std::filesystem::temp_directory_path() /
             ("macropipe-state-" + std::to_string(random()) + std::to_string(random()));
  std::filesystem::create_directories(scratch_);
  store_ = GetParam().make(scratch_);
}

void StateStoreConformanceTest::TearDown() {
  store_.reset();
  std::error_code ignored;
  std::filesystem::remove_all(scratch_, ignored);
}

namespace {

RunRecord NewRun(const std::string& id, const std::string& logical_date) {
  return {id,
          "macropipe",
          ParseTime(logical_date),
          RunState::kRunning,
          ParseTime(logical_date),
          std::nullopt,
          ""};
}

TEST_P(StateStoreConformanceTest, RoundTripsRecords) {
  TimePoint start = ParseTime("2024-05-01T10:00:00.250Z");
  TimePoint end = ParseTime("2024-05-01T10:00:02.000Z");
  RunRecord run{
      "manual__a",  "macropipe", ParseTime("2024-05-01T00:00:00Z"), RunState::kRunning, start,
      std::nullopt, ""};
  store().CreateRun(run);
  EXPECT_THROW(store().CreateRun(run), Error);

  TaskInstanceRecord instance{.run_id = "manual__a",
                              .task_id = "load",
                              .state = TaskState::kSuccess,
                              .try_number = 1,
                              .start = start,
                              .end = end,
                              .outcome = {.rows_landed = 1, .rows_inserted = 2, .rows_revised = 3}};
  TryRecord record{"manual__a", "load", 1, TaskState::kSuccess, start, end, "", instance.outcome};
  store().SaveTaskInstance(instance, &record);

  std::vector<TaskInstanceRecord> instances = store().ListTaskInstances("manual__a");
  ASSERT_EQ(instances.size(), 1u);
  EXPECT_EQ(instances[0].state, TaskState::kSuccess);
  EXPECT_EQ(instances[0].outcome.rows_revised, 3);
  EXPECT_EQ(FormatTime(*instances[0].start), "2024-05-01T10:00:00.250Z");
  std::vector<TryRecord> tries = store().ListTries("manual__a", "load");
  ASSERT_EQ(tries.size(), 1u);
  EXPECT_EQ(tries[0].outcome.rows_inserted, 2);
  EXPECT_EQ(DurationMs(tries[0].start, tries[0].end), 1750);

  run.state = RunState::kSuccess;
  run.end = end;
  run.summary = "1 of 1 succeeded";
  store().UpdateRun(run);
  EXPECT_EQ(store().FindRun("manual__a")->summary, "1 of 1 succeeded");
  EXPECT_EQ(store().FindRun("manual__a")->state, RunState::kSuccess);
  EXPECT_EQ(store().ListRuns().size(), 1u);
  EXPECT_FALSE(store().FindRun("manual__b").has_value());
}

TEST_P(StateStoreConformanceTest, BatchKeepsLastUpdateOfEachTask) {
  TimePoint start = ParseTime("2024-05-01T10:00:00Z");
  store().CreateRun({"manual__a", "macropipe", start, RunState::kRunning, start, std::nullopt, ""});
  TaskInstanceRecord fetch{.run_id = "manual__a", .task_id = "fetch", .state = TaskState::kQueued};
  TaskInstanceRecord load{.run_id = "manual__a", .task_id = "load", .state = TaskState::kNone};
  std::vector<TaskInstanceUpdate> updates = {{fetch, std::nullopt}, {load, std::nullopt}};
  fetch.state = TaskState::kRunning;
  fetch.try_number = 1;
  updates.push_back({fetch, TryRecord{.run_id = "manual__a",
                                      .task_id = "fetch",
                                      .try_number = 1,
                                      .state = TaskState::kRunning,
                                      .start = start}});
  store().SaveTaskInstances(updates);

  std::vector<TaskInstanceRecord> instances = store().ListTaskInstances("manual__a");
  ASSERT_EQ(instances.size(), 2u);
  std::map<std::string, TaskState> states;
  for (const TaskInstanceRecord& instance : instances) states[instance.task_id] = instance.state;
  EXPECT_EQ(states["fetch"], TaskState::kRunning);
  EXPECT_EQ(states["load"], TaskState::kNone);
  EXPECT_EQ(store().ListTries("manual__a", "fetch").size(), 1u);
}

TEST_P(StateStoreConformanceTest, UpdateOfMissingRunFails) {
  try {
    store().UpdateRun(NewRun("manual__missing", "2024-05-01T00:00:00Z"));
    ADD_FAILURE() << "updated a run that does not exist";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kNotFound);
  }
}

TEST_P(StateStoreConformanceTest, ListsRunsNewestFirst) {
  store().CreateRun(NewRun("scheduled__1", "2024-05-01T00:00:00Z"));
  store().CreateRun(NewRun("scheduled__3", "2024-05-03T00:00:00Z"));
  store().CreateRun(NewRun("scheduled__2", "2024-05-02T00:00:00Z"));
  std::vector<RunRecord> runs = store().ListRuns();
  ASSERT_EQ(runs.size(), 3u);
  EXPECT_EQ(runs[0].run_id, "scheduled__3");
  EXPECT_EQ(runs[1].run_id, "scheduled__2");
  EXPECT_EQ(runs[2].run_id, "scheduled__1");
}

TEST_P(StateStoreConformanceTest, RetryKeepsEveryTry) {
  store().CreateRun(NewRun("manual__a", "2024-05-01T00:00:00Z"));
  TimePoint first = ParseTime("2024-05-01T10:00:00Z");
  TimePoint second = ParseTime("2024-05-01T10:05:00Z");
  TaskInstanceRecord instance{.run_id = "manual__a",
                              .task_id = "fred",
                              .state = TaskState::kUpForRetry,
                              .try_number = 1,
                              .start = first,
                              .end = first + std::chrono::seconds(3),
                              .error = "unavailable: HTTP 503",
                              .next_attempt = second};
  TryRecord failed{"manual__a",   "fred",         1, TaskState::kUpForRetry, first,
                   *instance.end, instance.error, {}};
  store().SaveTaskInstance(instance, &failed);

  instance.state = TaskState::kSuccess;
  instance.try_number = 2;
  instance.start = second;
  instance.end = second + std::chrono::seconds(1);
  instance.error = "";
  instance.next_attempt = std::nullopt;
  TryRecord succeeded{"manual__a", "fred", 2, TaskState::kSuccess, second, instance.end, "", {}};
  store().SaveTaskInstance(instance, &succeeded);

  std::vector<TryRecord> tries = store().ListTries("manual__a", "fred");
  ASSERT_EQ(tries.size(), 2u);
  EXPECT_EQ(tries[0].state, TaskState::kUpForRetry);
  EXPECT_EQ(tries[0].error, "unavailable: HTTP 503");
  EXPECT_EQ(tries[1].state, TaskState::kSuccess);
  std::vector<TaskInstanceRecord> instances = store().ListTaskInstances("manual__a");
  ASSERT_EQ(instances.size(), 1u);
  EXPECT_EQ(instances[0].try_number, 2);
  EXPECT_FALSE(instances[0].next_attempt.has_value());
  EXPECT_TRUE(instances[0].error.empty());
}

TEST_P(StateStoreConformanceTest, SecondProcessSeesState) {
  store().CreateRun(NewRun("manual__a", "2024-05-01T00:00:00Z"));
  TaskInstanceRecord instance{.run_id = "manual__a",
                              .task_id = "load",
                              .state = TaskState::kRunning,
                              .try_number = 1,
                              .start = ParseTime("2024-05-01T10:00:00Z")};
  store().SaveTaskInstance(instance, nullptr);
  std::unique_ptr<StateStore> other = OpenAgain();
  ASSERT_TRUE(other->FindRun("manual__a").has_value());
  ASSERT_EQ(other->ListTaskInstances("manual__a").size(), 1u);
  EXPECT_EQ(other->ListTaskInstances("manual__a")[0].state, TaskState::kRunning);
  EXPECT_THROW(other->CreateRun(NewRun("manual__a", "2024-05-01T00:00:00Z")), Error);
}

TEST_P(StateStoreConformanceTest, RacingCreatesOfOneRunLetOneWin) {
  std::unique_ptr<StateStore> other = OpenAgain();
  RunRecord run = NewRun("manual__race", "2024-05-01T00:00:00Z");
  auto create = [&run](StateStore& store) {
    try {
      store.CreateRun(run);
      return 1;
    } catch (const Error&) {
      return 0;
    }
  };
  auto first = std::async(std::launch::async, [&] { return create(store()); });
  auto second = std::async(std::launch::async, [&] { return create(*other); });
  EXPECT_EQ(first.get() + second.get(), 1);
  EXPECT_EQ(store().ListRuns().size(), 1u);
}

TEST_P(StateStoreConformanceTest, ClaimExcludesOthersUntilReleased) {
  std::unique_ptr<StateStore> other = OpenAgain();
  std::unique_ptr<dag::TaskClaim> claim = store().TryClaimTask("manual__a", "ingest.x");
  ASSERT_NE(claim, nullptr);
  EXPECT_EQ(store().TryClaimTask("manual__a", "ingest.x"), nullptr);
  EXPECT_EQ(other->TryClaimTask("manual__a", "ingest.x"), nullptr);
  EXPECT_NE(other->TryClaimTask("manual__a", "ingest.y"), nullptr);
  EXPECT_NE(other->TryClaimTask("manual__b", "ingest.x"), nullptr);
  claim.reset();
  EXPECT_NE(other->TryClaimTask("manual__a", "ingest.x"), nullptr);
}

// A claim held by a process that is killed ends with it, so that another
// process can run the task again.
TEST_P(StateStoreConformanceTest, ClaimEndsWhenItsProcessIsKilled) {
  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    char answer = 'n';
    try {
      std::unique_ptr<StateStore> holder = OpenAgain();
      std::unique_ptr<dag::TaskClaim> claim = holder->TryClaimTask("manual__a", "ingest.x");
      if (claim) answer = 'y';
      [[maybe_unused]] ssize_t written = write(ready[1], &answer, 1);
      pause();
    } catch (...) {
      [[maybe_unused]] ssize_t written = write(ready[1], &answer, 1);
    }
    _exit(1);
  }
  close(ready[1]);
  char answer = 0;
  ASSERT_EQ(read(ready[0], &answer, 1), 1);
  close(ready[0]);
  EXPECT_EQ(answer, 'y') << "the child process could not claim the task";
  EXPECT_EQ(store().TryClaimTask("manual__a", "ingest.x"), nullptr);

  kill(child, SIGKILL);
  int status = 0;
  waitpid(child, &status, 0);
  // A database server notices the closed connection a moment later.
  std::unique_ptr<dag::TaskClaim> claim;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!claim && std::chrono::steady_clock::now() < deadline) {
    claim = store().TryClaimTask("manual__a", "ingest.x");
    if (!claim) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_NE(claim, nullptr);
}

}  // namespace
}  // namespace macropipe::testing
