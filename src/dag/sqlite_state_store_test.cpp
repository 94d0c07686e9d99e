#include "dag/sqlite_state_store.h"

#include <gtest/gtest.h>

#include <map>

#include "core/error.h"
#include "test_support.h"
#include "warehouse/sqlite_db.h"

namespace macropipe::dag {
namespace {

TEST(SqliteStateStoreTest, UsesWriteAheadLog) {
  testing::ScratchDir dir;
  SqliteStateStore store(dir / "state.db");
  SqliteDatabase db((dir / "state.db").string(), /*read_only=*/true);
  SqliteStatement mode(db.get(), "PRAGMA journal_mode");
  ASSERT_TRUE(mode.Step());
  EXPECT_EQ(mode.Text(0), "wal");
}

TEST(SqliteStateStoreTest, RoundTripsRecords) {
  testing::ScratchDir dir;
  SqliteStateStore store(dir / "state.db");
  TimePoint start = ParseTime("2024-05-01T10:00:00.250Z");
  TimePoint end = ParseTime("2024-05-01T10:00:02.000Z");
  RunRecord run{
      "manual__a",  "macropipe", ParseTime("2024-05-01T00:00:00Z"), RunState::kRunning, start,
      std::nullopt, ""};
  store.CreateRun(run);
  EXPECT_THROW(store.CreateRun(run), Error);

  TaskInstanceRecord instance{.run_id = "manual__a",
                              .task_id = "load",
                              .state = TaskState::kSuccess,
                              .try_number = 1,
                              .start = start,
                              .end = end,
                              .outcome = {.rows_landed = 1, .rows_inserted = 2, .rows_revised = 3}};
  TryRecord record{"manual__a", "load", 1, TaskState::kSuccess, start, end, "", instance.outcome};
  store.SaveTaskInstance(instance, &record);

  std::vector<TaskInstanceRecord> instances = store.ListTaskInstances("manual__a");
  ASSERT_EQ(instances.size(), 1u);
  EXPECT_EQ(instances[0].state, TaskState::kSuccess);
  EXPECT_EQ(instances[0].outcome.rows_revised, 3);
  EXPECT_EQ(FormatTime(*instances[0].start), "2024-05-01T10:00:00.250Z");
  std::vector<TryRecord> tries = store.ListTries("manual__a", "load");
  ASSERT_EQ(tries.size(), 1u);
  EXPECT_EQ(tries[0].outcome.rows_inserted, 2);
  EXPECT_EQ(DurationMs(tries[0].start, tries[0].end), 1750);

  run.state = RunState::kSuccess;
  run.end = end;
  run.summary = "1 of 1 succeeded";
  store.UpdateRun(run);
  EXPECT_EQ(store.FindRun("manual__a")->summary, "1 of 1 succeeded");
  EXPECT_EQ(store.ListRuns().size(), 1u);
  EXPECT_FALSE(store.FindRun("manual__b").has_value());
}

TEST(SqliteStateStoreTest, BatchKeepsLastUpdateOfEachTask) {
  testing::ScratchDir dir;
  SqliteStateStore store(dir / "state.db");
  TimePoint start = ParseTime("2024-05-01T10:00:00Z");
  store.CreateRun({"manual__a", "macropipe", start, RunState::kRunning, start, std::nullopt, ""});
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
  store.SaveTaskInstances(updates);

  std::vector<TaskInstanceRecord> instances = store.ListTaskInstances("manual__a");
  ASSERT_EQ(instances.size(), 2u);
  std::map<std::string, TaskState> states;
  for (const TaskInstanceRecord& instance : instances) states[instance.task_id] = instance.state;
  EXPECT_EQ(states["fetch"], TaskState::kRunning);
  EXPECT_EQ(states["load"], TaskState::kNone);
  EXPECT_EQ(store.ListTries("manual__a", "fetch").size(), 1u);
}

TEST(SqliteStateStoreTest, ParseTimeRejectsOtherForms) {
  const std::string cases[] = {"2024-05-01", "2024-05-01T00:00:00", "2024-13-01T00:00:00Z",
                               "2024-05-01T00:00:00Zjunk"};
  for (const std::string& text : cases) {
    SCOPED_TRACE(text);
    EXPECT_THROW(ParseTime(text), Error);
  }
}

}  // namespace
}  // namespace macropipe::dag
