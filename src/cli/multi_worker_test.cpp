// End-to-end test of `macropipe task run` processes working as on several
// hosts: each with its own data directory, all sharing one PostgreSQL
// warehouse and state database and one S3 landing bucket (moto_server). Their
// result must equal a single-process run, and a worker killed mid-task must
// leave its task to another worker, with no row landed or loaded twice.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "dag/postgres_state_store.h"
#include "fred_replay.h"
#include "landing/s3_object_store.h"
#include "moto_server.h"
#include "postgres_test_support.h"
#include "replay_server.h"
#include "secrets/scoped_environment_for_test.h"
#include "test_support.h"

namespace macropipe::testing {
namespace {

constexpr int kSeries = 24;
constexpr int kWorkers = 4;
constexpr char kRunId[] = "scheduled__2025-02-14T00:00:00+00:00";
constexpr char kLogicalDate[] = "2025-02-14T00:00:00+00:00";

// A config whose warehouse and state are the database at `database_uri` and
// whose landing zone is `prefix` in `bucket` on `moto`.
std::string WriteSharedConfig(const std::filesystem::path& path, const ReplayServer& server,
                              const std::string& database_uri, const MotoServer& moto,
                              const std::string& bucket, const std::string& prefix) {
  WriteText(path, "warehouse = \"" + database_uri + "\"\nstate = \"" + database_uri + "\"\n\n" +
                      FredConfigTables(server, kSeries) + "\n[landing]\nurl = \"s3://" + bucket +
                      "/" + prefix + "\"\nendpoint = \"" + moto.Endpoint() +
                      "\"\nregion = \"us-east-1\"\n");
  return path.string();
}

std::string Sql(const std::filesystem::path& data_dir, const std::string& config,
                const std::string& query) {
  CommandResult result = RunMacropipe(
      DagCommand(data_dir, config, "sql --format csv --max-rows 1000000 \"" + query + "\""));
  EXPECT_EQ(result.exit_code, 0) << result.err;
  return result.out;
}

// Every vintage of every observation, with its real-time period.
std::string WarehouseContents(const std::filesystem::path& data_dir, const std::string& config) {
  return Sql(data_dir, config,
             "SELECT series_id, date, value, realtime_start, realtime_end FROM "
             "observation_history ORDER BY series_id, date, realtime_start");
}

std::string IngestTask(int series) { return "ingest.fred." + FredSeriesId(series); }

std::string TaskRun(const std::string& task) {
  return "task run '" + std::string(kRunId) + "' " + task + " --logical-date " + kLogicalDate;
}

// Tasks that workers take when they have finished their own: those of a
// worker that was killed. Open until Close, after which Take returns nullopt
// once the queue is empty.
class Handover {
 public:
  void Add(std::vector<std::string> tasks) {
    std::lock_guard lock(mutex_);
    for (std::string& task : tasks) tasks_.push_back(std::move(task));
    closed_ = true;
    changed_.notify_all();
  }
  std::optional<std::string> Take() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [this] { return closed_ || !tasks_.empty(); });
    if (tasks_.empty()) return std::nullopt;
    std::string task = std::move(tasks_.front());
    tasks_.pop_front();
    return task;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::string> tasks_;  // Guarded by mutex_.
  bool closed_ = false;            // Guarded by mutex_.
};

struct TaskRunResult {
  std::string task;
  int worker = 0;
  CommandResult result;
};

TEST(MultiWorkerTest, MatchesSingleProcessAfterKill) {
  if (!TestPostgresUri()) GTEST_SKIP() << PostgresServerMissing();
  MotoServer* moto = MotoServer::Shared();
  if (moto == nullptr) GTEST_SKIP() << MotoServer::MissingMessage();
  std::string bucket = moto->CreateBucket(/*versioning=*/true);
  S3Options s3 = moto->Options(bucket);
  ScopedEnvironment environment;
  environment.Set("FRED_API_KEY", "replay-key");
  environment.Set("AWS_ACCESS_KEY_ID", s3.credentials.access_key_id);
  environment.Set("AWS_SECRET_ACCESS_KEY", s3.credentials.secret_access_key);
  environment.Unset("AWS_SESSION_TOKEN");
  ScratchDir dir;
  std::filesystem::path recordings = WriteFredRecordings(dir, kSeries);
  // Each response waits a while, so that a worker killed after its request
  // is sent dies in the middle of its task.
  const std::vector<std::string> replay_options = {"--latency-ms", "300"};

  // Run A: one `macropipe run` process.
  PostgresTestDatabase single_database;
  std::string single_contents;
  std::string single_config;
  {
    ReplayServer server(recordings, replay_options);
    single_config = WriteSharedConfig(dir / "single.toml", server, single_database.uri(), *moto,
                                      bucket, "single");
    CommandResult run = RunMacropipe(DagCommand(dir / "single", single_config, "run"));
    ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
    single_contents = WarehouseContents(dir / "single", single_config);
  }
  ASSERT_EQ(std::count(single_contents.begin(), single_contents.end(), '\n'), kSeries * 12 + 1)
      << single_contents;

  // Run B: four workers, each with its own data directory.
  PostgresTestDatabase shared_database;
  ReplayServer server(recordings, replay_options);
  std::string config = WriteSharedConfig(dir / "shared.toml", server, shared_database.uri(), *moto,
                                         bucket, "shared");
  auto data_dir = [&dir](int worker) { return dir / ("worker-" + std::to_string(worker)); };

  // A task claimed by another process is rejected, not run twice.
  {
    dag::PostgresStateStore store(shared_database.options());
    std::unique_ptr<dag::TaskClaim> claim = store.TryClaimTask(kRunId, "load");
    ASSERT_NE(claim, nullptr);
    CommandResult rejected = RunMacropipe(DagCommand(data_dir(0), config, TaskRun("load")));
    EXPECT_NE(rejected.exit_code, 0);
    EXPECT_NE(rejected.err.find("task 'load' of run '" + std::string(kRunId) +
                                "' is running in another process"),
              std::string::npos)
        << rejected.err;
  }

  std::vector<std::vector<std::string>> quarters(kWorkers);
  for (int i = 0; i < kSeries; ++i) quarters[i * kWorkers / kSeries].push_back(IngestTask(i));
  const int killed_worker = kWorkers - 1;
  const std::string killed_task = quarters[killed_worker].front();
  const std::string killed_series = FredSeriesId(kSeries * killed_worker / kWorkers);

  Handover handover;
  std::mutex results_mutex;
  std::vector<TaskRunResult> results;  // Guarded by results_mutex.
  // Like an outside scheduler, a worker tries again a while later when the
  // task's claim is still held: the database server drops a killed
  // process's claim a moment after the process dies.
  auto run_task = [&](int worker, const std::string& task) {
    CommandResult result;
    for (int attempt = 0; attempt < 50; ++attempt) {
      result = RunMacropipe(DagCommand(data_dir(worker), config, TaskRun(task)));
      if (result.err.find("is running in another process") == std::string::npos) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    std::lock_guard lock(results_mutex);
    results.push_back({task, worker, std::move(result)});
  };
  std::vector<std::thread> workers;
  for (int worker = 0; worker < killed_worker; ++worker) {
    workers.emplace_back([&, worker] {
      for (const std::string& task : quarters[worker]) run_task(worker, task);
      while (std::optional<std::string> task = handover.Take()) run_task(worker, *task);
    });
  }

  // The last worker is killed once its first task's request reached the server.
  pid_t pid = StartMacropipe(DagCommand(data_dir(killed_worker), config, TaskRun(killed_task)),
                             dir / "killed.log");
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (RequestsBySeries(server)[killed_series] == 0 &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFSIGNALED(status)) << "the worker finished before it was killed";
  handover.Add(quarters[killed_worker]);
  for (std::thread& worker : workers) worker.join();

  for (const TaskRunResult& run : results) {
    SCOPED_TRACE("worker " + std::to_string(run.worker) + ", " + run.task);
    EXPECT_EQ(run.result.exit_code, 0) << run.result.out << run.result.err;
  }
  CommandResult load = RunMacropipe(DagCommand(data_dir(0), config, TaskRun("load")));
  ASSERT_EQ(load.exit_code, 0) << load.out << load.err;

  EXPECT_EQ(WarehouseContents(data_dir(0), config), single_contents);
  EXPECT_EQ(Sql(data_dir(0), config,
                "SELECT count(*) AS n FROM (SELECT series_id, date, realtime_start FROM "
                "observation_history GROUP BY 1, 2, 3 HAVING count(*) > 1) AS repeated"),
            "n\n0\n");
  EXPECT_EQ(S3ObjectStore(s3, {.prefix = "shared"}).List("").size(),
            S3ObjectStore(s3, {.prefix = "single"}).List("").size())
      << "the killed worker's task landed nothing twice";

  dag::PostgresStateStore store(shared_database.options());
  std::vector<dag::TaskInstanceRecord> tasks = store.ListTaskInstances(kRunId);
  EXPECT_EQ(tasks.size(), static_cast<size_t>(kSeries + 1));
  for (const dag::TaskInstanceRecord& task : tasks) {
    SCOPED_TRACE(task.task_id);
    EXPECT_EQ(task.state, dag::TaskState::kSuccess);
    std::vector<dag::TryRecord> tries = store.ListTries(kRunId, task.task_id);
    if (task.task_id != killed_task) {
      EXPECT_EQ(tries.size(), 1u);
      continue;
    }
    ASSERT_EQ(tries.size(), 2u);
    EXPECT_EQ(tries[0].state, dag::TaskState::kFailed);
    EXPECT_NE(tries[0].error.find("ended before the try finished"), std::string::npos)
        << tries[0].error;
    EXPECT_EQ(tries[1].state, dag::TaskState::kSuccess);
  }
  // Every worker's `tasks` reads the shared state.
  CommandResult listed =
      RunMacropipe(DagCommand(data_dir(1), config, "tasks '" + std::string(kRunId) + "'"));
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_NE(listed.out.find(killed_task), std::string::npos) << listed.out;
  EXPECT_NE(listed.out.find("load"), std::string::npos) << listed.out;

  // Only the killed task's series was requested twice.
  for (const auto& [series, count] : RequestsBySeries(server)) {
    EXPECT_EQ(count, series == killed_series ? 2 : 1) << series;
  }
}

}  // namespace
}  // namespace macropipe::testing
