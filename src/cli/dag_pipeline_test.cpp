// End-to-end tests of `macropipe run` as a DAG run against a replay server:
// per-series tasks, the load's trigger rule, run history commands, resume
// after SIGKILL, the same DAG run from `macropipe serve`, and the Airflow
// export of the example config.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "dag/sqlite_state_store.h"
#include "fred_replay.h"
#include "http/http_client.h"
#include "replay_server.h"
#include "secrets/scoped_environment_for_test.h"
#include "test_support.h"

namespace macropipe::testing {
namespace {

std::string Query(const std::filesystem::path& data_dir, const std::string& query) {
  CommandResult result = RunMacropipe("--data-dir " + data_dir.string() +
                                      " sql --format csv --max-rows 1000000 \"" + query + "\"");
  EXPECT_EQ(result.exit_code, 0) << result.err;
  return result.out;
}

std::string WarehouseContents(const std::filesystem::path& data_dir) {
  return Query(data_dir,
               "SELECT series_id, date, value, realtime_start, realtime_end FROM "
               "observation_history ORDER BY series_id, date, realtime_start");
}

TEST(DagPipelineTest, RunRecordsTasksAndTries) {
  ScopedEnvironment environment;
  environment.Set("FRED_API_KEY", "replay-key");
  ScratchDir dir;
  ReplayServer server(WriteFredRecordings(dir, 3), {"--rate-limit", "20"});
  std::string config = WriteFredConfig(dir, server, 3);

  CommandResult run = RunMacropipe(DagCommand(dir / "data", config, "run"));
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_NE(run.out.find("ingest: 6 objects landed, 0 unchanged, 3 series; 3 of 3 succeeded"),
            std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find("36 inserted"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find(": success, 4 of 4 succeeded"), std::string::npos) << run.out;

  dag::SqliteStateStore store(dir / "data/state.db");
  std::vector<dag::RunRecord> runs = store.ListRuns();
  ASSERT_EQ(runs.size(), 1u);
  const std::string& run_id = runs[0].run_id;
  EXPECT_TRUE(run_id.starts_with("manual__")) << run_id;

  CommandResult listed = RunMacropipe(DagCommand(dir / "data", config, "runs"));
  EXPECT_NE(listed.out.find(run_id), std::string::npos) << listed.out;
  CommandResult tasks = RunMacropipe(DagCommand(dir / "data", config, "tasks " + run_id));
  for (const char* task : {"ingest.fred.S000", "ingest.fred.S002", "load"}) {
    EXPECT_NE(tasks.out.find(task), std::string::npos) << tasks.out;
  }
  CommandResult log = RunMacropipe(
      DagCommand(dir / "data", config, "logs " + run_id + " ingest.fred.S001 --try 1"));
  ASSERT_EQ(log.exit_code, 0) << log.err;
  EXPECT_NE(log.out.find("[run " + run_id + " task ingest.fred.S001 try 1]"), std::string::npos)
      << log.out;
  EXPECT_NE(log.out.find("fetched 1 series in 1 requests"), std::string::npos) << log.out;
  CommandResult missing_try =
      RunMacropipe(DagCommand(dir / "data", config, "logs " + run_id + " load --try 2"));
  EXPECT_NE(missing_try.exit_code, 0);
}

TEST(DagPipelineTest, LoadRunsWhenOneSeriesFails) {
  ScopedEnvironment environment;
  environment.Set("FRED_API_KEY", "replay-key");
  ScratchDir dir;
  ReplayServer server(WriteFredRecordings(dir, 4), {"--rate-limit", "20"});
  // S404 has no recording, so the server returns 404 and the task fails at once.
  std::string config = WriteFredConfig(dir, server, 4);
  std::string text;
  {
    std::ifstream in(config);
    std::stringstream buffer;
    buffer << in.rdbuf();
    text = buffer.str();
  }
  text.replace(text.find("\"S003\""), 6, "\"S404\"");
  WriteText(config, text);

  CommandResult run = RunMacropipe(DagCommand(dir / "data", config, "run"));
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.out.find("3 of 4 succeeded, 1 failed: ingest.fred.S404: not_found"),
            std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find("36 inserted"), std::string::npos) << run.out;
  EXPECT_NE(run.err.find("error: series fred/S404 failed"), std::string::npos) << run.err;
  EXPECT_EQ(Query(dir / "data", "SELECT count(DISTINCT series_id) FROM latest_observations"),
            "count(DISTINCT series_id)\n3\n");
}

// Kills `run` (or `run --resume`) once the server has received `requests`
// requests in all, and returns the tasks that were running at that moment.
std::vector<std::string> KillAfterRequests(ReplayServer& server, const std::string& arguments,
                                           const ScratchDir& dir, int requests) {
  pid_t pid = StartMacropipe(arguments, dir / "killed.log");
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (server.Stats()["requests_total"].get<int>() < requests &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFSIGNALED(status)) << "the run ended before it was killed at " << requests;

  dag::SqliteStateStore store(dir / "killed/state.db");
  std::vector<std::string> running;
  for (const dag::RunRecord& run : store.ListRuns()) {
    for (const dag::TaskInstanceRecord& task : store.ListTaskInstances(run.run_id)) {
      if (task.state == dag::TaskState::kRunning) running.push_back(task.task_id);
    }
  }
  return running;
}

TEST(DagPipelineTest, ResumeAfterSigkillMatchesUninterruptedRun) {
  ScopedEnvironment environment;
  environment.Set("FRED_API_KEY", "replay-key");
  constexpr int kSeries = 30;
  ScratchDir dir;
  std::filesystem::path recordings = WriteFredRecordings(dir, kSeries);
  std::string reference_contents;
  {
    ReplayServer server(recordings, {"--rate-limit", "20", "--latency-ms", "150"});
    std::string config = WriteFredConfig(dir, server, kSeries);
    CommandResult run = RunMacropipe(DagCommand(dir / "reference", config, "run"));
    ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
    reference_contents = WarehouseContents(dir / "reference");
  }

  ReplayServer server(recordings, {"--rate-limit", "20", "--latency-ms", "150"});
  std::string config = WriteFredConfig(dir, server, kSeries);
  std::map<std::string, int> interrupted;  // Tries cut short by a kill, by series id.
  const int kill_points[] = {4, 13, 22};
  for (size_t i = 0; i < std::size(kill_points); ++i) {
    SCOPED_TRACE("killed after " + std::to_string(kill_points[i]) + " requests");
    std::string command = i == 0 ? "run" : "run --resume";
    for (const std::string& task : KillAfterRequests(
             server, DagCommand(dir / "killed", config, command), dir, kill_points[i])) {
      interrupted[task.substr(task.rfind('.') + 1)] += 1;
    }
  }
  CommandResult resumed = RunMacropipe(DagCommand(dir / "killed", config, "run --resume"));
  ASSERT_EQ(resumed.exit_code, 0) << resumed.out << resumed.err;
  EXPECT_NE(resumed.out.find("31 of 31 succeeded"), std::string::npos) << resumed.out;

  EXPECT_EQ(WarehouseContents(dir / "killed"), reference_contents);
  // A series is requested again only when a kill cut its task short; every
  // series that finished before a kill is never requested again.
  std::map<std::string, int> requests = RequestsBySeries(server);
  ASSERT_EQ(requests.size(), static_cast<size_t>(kSeries));
  int refetched = 0;
  for (const auto& [series, count] : requests) {
    SCOPED_TRACE(series);
    EXPECT_GE(count, 1);
    EXPECT_LE(count, 1 + interrupted[series]);
    refetched += count - 1;
  }
  EXPECT_LE(refetched, 3 * 4) << "at most the ingest pool's 4 tasks run at each of 3 kills";
  EXPECT_EQ(server.Stats()["rate_violations"], 0);
}

TEST(DagPipelineTest, TaskRunTakesAirflowLogicalDate) {
  ScopedEnvironment environment;
  environment.Set("FRED_API_KEY", "replay-key");
  ScratchDir dir;
  ReplayServer server(WriteFredRecordings(dir, 2), {"--rate-limit", "20"});
  std::string config = WriteFredConfig(dir, server, 2);
  std::string run_id = "scheduled__2024-05-15T12:30:00+00:00";

  CommandResult task = RunMacropipe(DagCommand(
      dir / "data", config,
      "task run '" + run_id + "' ingest.fred.S001 --logical-date 2024-05-15T12:30:00+00:00"));
  ASSERT_EQ(task.exit_code, 0) << task.out << task.err;
  EXPECT_NE(task.out.find("ingest.fred.S001 of run " + run_id + ": success (try 1)"),
            std::string::npos)
      << task.out;
  dag::SqliteStateStore store(dir / "data/state.db");
  std::optional<dag::RunRecord> run = store.FindRun(run_id);
  ASSERT_TRUE(run.has_value());
  EXPECT_EQ(dag::FormatTime(run->logical_date), "2024-05-15T12:30:00.000Z");

  CommandResult again =
      RunMacropipe(DagCommand(dir / "data", config, "task run '" + run_id + "' ingest.fred.S001"));
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(server.Stats()["requests_total"], 1) << "a finished task is not run again";

  CommandResult unknown =
      RunMacropipe(DagCommand(dir / "data", config, "task run '" + run_id + "' ingest.fred.NOPE"));
  EXPECT_NE(unknown.exit_code, 0);
  EXPECT_NE(unknown.err.find("ingest.fred.NOPE"), std::string::npos) << unknown.err;
}

// Waits until `log` has the line in which `macropipe serve` names its URL.
std::string WaitForServeUrl(const std::filesystem::path& log) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    std::ifstream in(log);
    std::string line;
    while (std::getline(in, line)) {
      size_t at = line.find(" on http://");
      if (at != std::string::npos) return line.substr(at + 4);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ADD_FAILURE() << "macropipe serve printed no URL in " << log;
  return "";
}

// A `macropipe serve` in the background, stopped with SIGTERM by Stop or,
// when a check throws first, by the destructor.
class ServeProcess {
 public:
  ServeProcess(const std::string& arguments, const std::filesystem::path& log)
      : pid_(StartMacropipe(arguments, log)) {}
  ~ServeProcess() {
    if (pid_ > 0) Stop();
  }
  ServeProcess(const ServeProcess&) = delete;
  ServeProcess& operator=(const ServeProcess&) = delete;

  // Returns the wait status.
  int Stop() {
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return status;
  }

 private:
  pid_t pid_;
};

TEST(DagPipelineTest, ServeTriggersSameDagAsRun) {
  ScopedEnvironment environment;
  environment.Set("FRED_API_KEY", "replay-key");
  // In builds with LibTorch, OpenBLAS starts worker threads when it is loaded,
  // before main; SIGTERM may land on one of them, and serve must still stop cleanly.
  environment.Set("OPENBLAS_NUM_THREADS", "4");
  ScratchDir dir;
  ReplayServer server(WriteFredRecordings(dir, 3));
  std::filesystem::path landing = dir / "shared-landing";
  std::string config =
      WriteFredConfig(dir, server, 3, "\n[landing]\nurl = \"file://" + landing.string() + "\"\n");
  ServeProcess serve(DagCommand(dir / "data", config, "serve --listen 127.0.0.1:0"),
                     dir / "serve.log");
  std::string url = WaitForServeUrl(dir / "serve.log");

  // A run triggered through the API has a task per series, then the load.
  nlohmann::json pipeline =
      nlohmann::json::parse(HttpClient().Get(url + "api/v1/pipelines/macropipe").body);
  std::vector<std::string> task_ids;
  for (const nlohmann::json& task : pipeline["tasks"]) task_ids.push_back(task["task_id"]);
  EXPECT_EQ(task_ids, (std::vector<std::string>{"ingest.fred.S000", "ingest.fred.S001",
                                                "ingest.fred.S002", "load"}));
  HttpResponse triggered =
      HttpClient().Post(url + "api/v1/pipelines/macropipe/runs", "", "application/json");
  ASSERT_EQ(triggered.status, 202) << triggered.body;
  std::string run_id = nlohmann::json::parse(triggered.body)["run_id"];
  nlohmann::json run;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  do {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    run = nlohmann::json::parse(HttpClient().Get(url + "api/v1/runs/" + run_id).body);
  } while (run["state"] == "running" && std::chrono::steady_clock::now() < deadline);
  EXPECT_EQ(run["state"], "success") << run.dump();
  nlohmann::json tasks = nlohmann::json::parse(
      HttpClient().Get(url + "api/v1/runs/" + run_id + "/taskInstances").body);
  ASSERT_EQ(tasks["task_instances"].size(), 4u) << tasks.dump();
  for (const nlohmann::json& task : tasks["task_instances"]) EXPECT_EQ(task["state"], "success");
  int status = serve.Stop();
  std::ostringstream serve_log;
  serve_log << std::ifstream(dir / "serve.log").rdbuf();
  ASSERT_TRUE(WIFEXITED(status)) << serve_log.str();
  EXPECT_EQ(WEXITSTATUS(status), 0) << serve_log.str();

  // The series landed in the config's landing zone, not the data directory's.
  ASSERT_TRUE(std::filesystem::exists(landing));
  EXPECT_FALSE(std::filesystem::is_empty(landing));
  EXPECT_FALSE(std::filesystem::exists(dir / "data" / "landing"));
  EXPECT_EQ(Query(dir / "data", "SELECT count(DISTINCT series_id) FROM latest_observations"),
            "count(DISTINCT series_id)\n3\n");
}

// The example config's DAG as Airflow would read it: the generated file
// compiles, and tests/airflow_dag_probe.py loads it with stand-ins for Airflow
// and prints its tasks, dependencies, pools and retries.
TEST(DagPipelineTest, AirflowExportOfExampleConfig) {
  ScratchDir dir;
  std::string example = std::string(MACROPIPE_SOURCE_DIR) + "/examples/pipeline.toml";
  std::filesystem::path dag_file = dir / "macropipe_dag.py";
  CommandResult exported = RunMacropipe("--data-dir " + (dir / "data").string() + " --config " +
                                        example + " export airflow --output " + dag_file.string());
  ASSERT_EQ(exported.exit_code, 0) << exported.out << exported.err;
  EXPECT_FALSE(std::filesystem::exists(dir / "data")) << "export writes nothing but the DAG file";
  ASSERT_EQ(std::system(("/usr/bin/python3 -m py_compile " + dag_file.string()).c_str()), 0);

  std::string probe_output = (dir / "probe.json").string();
  std::string probe = "/usr/bin/python3 " + std::string(MACROPIPE_SOURCE_DIR) +
                      "/tests/airflow_dag_probe.py " + dag_file.string() + " >" + probe_output;
  ASSERT_EQ(std::system(probe.c_str()), 0);
  std::ifstream in(probe_output);
  nlohmann::json dag = nlohmann::json::parse(in);

  EXPECT_EQ(dag["dag"]["dag_id"], "macropipe");
  EXPECT_EQ(dag["dag"]["schedule"], "30 8 15 * *");
  EXPECT_EQ(dag["dag"]["catchup"], true);
  EXPECT_EQ(dag["time_zone"], "America/New_York");
  // Midnight of 2024-01-15 in New York, in UTC.
  EXPECT_EQ(dag["start_date"], nlohmann::json::array({2024, 1, 15, 5, 0, 0}));

  const nlohmann::json& tasks = dag["tasks"];
  std::vector<std::string> ingest;
  for (const auto& item : tasks.items()) {
    if (item.key() != "load") ingest.push_back(item.key());
  }
  std::vector<std::string> expected_ingest = {
      "ingest.alfred.CPIAUCNS", "ingest.alphavantage.VOO", "ingest.alphavantage.XAG",
      "ingest.census",          "ingest.census-business",  "ingest.edgar",
      "ingest.fred-md",         "ingest.fred.CPIAUCNS",    "ingest.fred.UNRATE"};
  for (const std::string& id : expected_ingest) {
    SCOPED_TRACE(id);
    ASSERT_TRUE(tasks.contains(id));
    EXPECT_EQ(tasks[id]["upstream"], nlohmann::json::array());
    EXPECT_NE(tasks[id]["bash_command"].get<std::string>().find("task run '{{ run_id }}' " + id +
                                                                " --logical-date '{{ ts }}'"),
              std::string::npos);
    EXPECT_EQ(tasks[id]["trigger_rule"], "all_success");
  }
  EXPECT_EQ(ingest.size(), 13u + 1u + 5u + 4u);

  const nlohmann::json& fred = tasks["ingest.fred.CPIAUCNS"];
  EXPECT_EQ(fred["pool"], "fred");
  EXPECT_EQ(fred["retries"], 3);
  EXPECT_EQ(fred["retry_delay"], 30.0);
  EXPECT_EQ(fred["retry_exponential_backoff"], true);
  EXPECT_EQ(fred["max_retry_delay"], 600.0);
  EXPECT_EQ(fred["execution_timeout"], 900.0);
  EXPECT_EQ(tasks["ingest.alphavantage.VOO"]["pool"], "alphavantage");
  EXPECT_EQ(tasks["ingest.alphavantage.VOO"]["retries"], 1);
  EXPECT_EQ(tasks["ingest.edgar"]["pool"], "edgar");

  const nlohmann::json& load = tasks["load"];
  EXPECT_EQ(load["upstream"], nlohmann::json(ingest));
  EXPECT_EQ(load["trigger_rule"], "all_done_min_one_success");
  EXPECT_EQ(load["pool"], "default_pool");
  EXPECT_EQ(load["retries"], 1);
  EXPECT_EQ(load["execution_timeout"], 3600.0);

  std::ifstream text_in(dag_file);
  std::stringstream text;
  text << text_in.rdbuf();
  EXPECT_NE(text.str().find("airflow pools set fred 4"), std::string::npos) << text.str();
}

}  // namespace
}  // namespace macropipe::testing
