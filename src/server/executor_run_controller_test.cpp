#include "server/executor_run_controller.h"

#include <gtest/gtest.h>

#include <thread>

#include "core/error.h"
#include "dag/sqlite_state_store.h"
#include "test_support.h"

namespace macropipe::server {
namespace {

using macropipe::testing::ScratchDir;

// Waits until `release` turns true, so a test controls when the run ends.
class GatedTask : public dag::TaskBody {
 public:
  explicit GatedTask(std::shared_ptr<std::atomic<bool>> release) : release_(std::move(release)) {}
  dag::TaskOutcome Run(dag::TaskContext& context) override {
    context.logger().info("waiting for the test");
    while (!release_->load() && !context.cancelled()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return {.rows_landed = 3};
  }

 private:
  std::shared_ptr<std::atomic<bool>> release_;
};

class FailingTask : public dag::TaskBody {
 public:
  dag::TaskOutcome Run(dag::TaskContext&) override {
    throw Error(ErrorCode::kInvalidInput, "bad row in test.csv line 2");
  }
};

dag::RunState WaitForEnd(dag::StateStore& store, const std::string& run_id) {
  for (int i = 0; i < 2000; ++i) {
    std::optional<dag::RunRecord> run = store.FindRun(run_id);
    if (run && run->state != dag::RunState::kRunning) return run->state;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  throw std::runtime_error("run " + run_id + " did not end within 10 s");
}

class ExecutorRunControllerTest : public ::testing::Test {
 protected:
  ExecutorRunControllerTest()
      : store_(dir_ / "state.db"),
        pools_({{"ingest", 2}}),
        executor_(pools_, store_, {.data_dir = dir_.path()}) {}

  std::shared_ptr<const dag::Dag> MakeDag(std::shared_ptr<dag::TaskBody> first) {
    auto dag = std::make_shared<dag::Dag>("macropipe");
    dag->AddTask({.id = "ingest", .pool = "ingest", .body = std::move(first)});
    dag->AddTask({.id = "load",
                  .upstream = {"ingest"},
                  .body = std::make_shared<GatedTask>(std::make_shared<std::atomic<bool>>(true))});
    return dag;
  }

  ScratchDir dir_;
  dag::SqliteStateStore store_;
  dag::Pools pools_;
  dag::Executor executor_;
};

TEST_F(ExecutorRunControllerTest, TriggerRunsInBackground) {
  auto release = std::make_shared<std::atomic<bool>>(false);
  ExecutorRunController controller({MakeDag(std::make_shared<GatedTask>(release))}, pools_,
                                   {"ingest"}, executor_, store_);
  std::string run_id = controller.Trigger("macropipe");
  ASSERT_TRUE(store_.FindRun(run_id).has_value());
  EXPECT_EQ(store_.FindRun(run_id)->state, dag::RunState::kRunning);

  try {
    controller.Trigger("macropipe");
    ADD_FAILURE() << "a second run started while one was in progress";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kFailedPrecondition);
    EXPECT_NE(std::string(error.what()).find(run_id), std::string::npos) << error.what();
  }

  release->store(true);
  EXPECT_EQ(WaitForEnd(store_, run_id), dag::RunState::kSuccess);
  EXPECT_EQ(controller.Pools()[0].max_in_use, 1);
}

TEST_F(ExecutorRunControllerTest, ResumeRunsFailedTasksAgain) {
  ExecutorRunController controller({MakeDag(std::make_shared<FailingTask>())}, pools_, {"ingest"},
                                   executor_, store_);
  std::string run_id = controller.Trigger("macropipe");
  EXPECT_EQ(WaitForEnd(store_, run_id), dag::RunState::kFailed);
  controller.Resume(run_id);
  EXPECT_EQ(WaitForEnd(store_, run_id), dag::RunState::kFailed);
  std::vector<dag::TryRecord> tries = store_.ListTries(run_id, "ingest");
  EXPECT_EQ(tries.size(), 2u);
}

TEST_F(ExecutorRunControllerTest, UnknownPipelineAndRunAreNotFound) {
  ExecutorRunController controller({MakeDag(std::make_shared<FailingTask>())}, pools_, {"ingest"},
                                   executor_, store_);
  EXPECT_EQ(controller.Pipelines().at(0).tasks.at(1).upstream, std::vector<std::string>{"ingest"});
  for (auto call : {std::function<void()>([&] { controller.Trigger("other"); }),
                    std::function<void()>([&] { controller.Resume("manual__nope"); })}) {
    try {
      call();
      ADD_FAILURE() << "no error";
    } catch (const Error& error) {
      EXPECT_EQ(error.code(), ErrorCode::kNotFound);
    }
  }
}

}  // namespace
}  // namespace macropipe::server
