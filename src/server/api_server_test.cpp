#include "server/api_server.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "cli/pipeline.h"
#include "core/error.h"
#include "core/files.h"
#include "dag/executor.h"
#include "dag/sqlite_state_store.h"
#include "etl/loader.h"
#include "http/fake_clock.h"
#include "http/http_client.h"
#include "http/request_executor.h"
#include "postgres_test_support.h"
#include "replay_server.h"
#include "sources/source.h"
#include "test_support.h"
#include "warehouse/postgres_warehouse.h"
#include "warehouse/warehouse_conformance.h"

namespace macropipe::server {
namespace {

using macropipe::testing::ScratchDir;
using macropipe::testing::VectorStream;
using macropipe::testing::WriteText;
using nlohmann::json;

dag::TimePoint Time(const std::string& text) { return dag::ParseTime(text); }

// Records what the API asked of it, so tests can check the routes' effect.
class RecordingController : public RunController {
 public:
  std::vector<PipelineInfo> Pipelines() override {
    return {{"macropipe", {{"ingest-a", {}, "ingest"}, {"load", {"ingest-a"}, "default_pool"}}}};
  }
  std::string Trigger(const std::string& pipeline_id) override {
    if (pipeline_id != "macropipe") throw Error(ErrorCode::kNotFound, "no " + pipeline_id);
    triggered.push_back(pipeline_id);
    return "manual__2024-06-01T00:00:00Z";
  }
  void Resume(const std::string& run_id) override { resumed.push_back(run_id); }
  std::vector<PoolStatus> Pools() override { return {{"ingest", 4, 1, 3}}; }
  std::vector<RateBudgetStatus> RateBudgets() override {
    return {{"fred", std::nullopt, 120.0, std::nullopt, 17}};
  }

  std::vector<std::string> triggered;
  std::vector<std::string> resumed;
};

struct Reply {
  int status = 0;
  std::string content_type;
  std::string body;
  std::string set_cookie;
  json Json() const { return json::parse(body); }
};

class ApiServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::make_unique<dag::SqliteStateStore>(dir_ / "state.db");
    AddRuns();
    AddWarehouse();
  }

  void TearDown() override { StopServer(); }

  // Five runs of "macropipe", the latest failed, each with two tasks.
  void AddRuns() {
    for (int day = 1; day <= 5; ++day) {
      std::string date = "2024-05-0" + std::to_string(day) + "T00:00:00Z";
      dag::RunRecord run{.run_id = "scheduled__" + date,
                         .pipeline = "macropipe",
                         .logical_date = Time(date),
                         .state = day == 5 ? dag::RunState::kFailed : dag::RunState::kSuccess,
                         .start = Time(date),
                         .end = Time("2024-05-0" + std::to_string(day) + "T00:00:02Z"),
                         .summary = "test run"};
      store_->CreateRun(run);
      for (const char* task_id : {"ingest-a", "load"}) {
        bool failed = day == 5 && std::string(task_id) == "ingest-a";
        dag::TaskInstanceRecord task{
            .run_id = run.run_id,
            .task_id = task_id,
            .state = failed ? dag::TaskState::kFailed : dag::TaskState::kSuccess,
            .try_number = failed ? 2 : 1,
            .start = run.start,
            .end = run.end,
            .error = failed ? "unavailable: HTTP 503" : ""};
        for (int n = 1; n <= task.try_number; ++n) {
          dag::TryRecord try_record{.run_id = run.run_id,
                                    .task_id = task_id,
                                    .try_number = n,
                                    .state = task.state,
                                    .start = *run.start,
                                    .end = run.end};
          store_->SaveTaskInstance(task, &try_record);
          WriteText(dag::TryLogPath(dir_.path(), run.run_id, task_id, n),
                    "line 1 of try " + std::to_string(n) + "\nline 2\nline 3\n");
        }
      }
    }
  }

  void AddWarehouse() { FillWarehouse(*OpenSqliteWarehouse((dir_ / "warehouse.db").string())); }

  // Series X of source "test" in two vintages, the second revising 2024-01.
  static void FillWarehouse(Warehouse& warehouse) {
    auto load = [&warehouse](const std::string& vintage, double january) {
      LoadRequest request;
      request.series.source = "test";
      request.series.id = "X";
      request.series.title = "Test index";
      request.object_key = "test/X.csv";
      request.object_version = vintage;
      request.object_sha256 = vintage;
      request.vintage_date = Date::ParseIso(vintage);
      request.fetched_at = vintage + "T00:00:00Z";
      VectorStream rows({{Date::ParseIso("2024-01-01"), january, {}, {}},
                         {Date::ParseIso("2024-02-01"), 2.0, {}, {}}});
      warehouse.Load(request, rows);
    };
    load("2024-03-01", 1.0);
    load("2024-04-01", 1.5);
  }

  void StartServer(ServerOptions options = {}, RunController* runs = nullptr,
                   std::function<std::unique_ptr<Warehouse>()> open_warehouse = {}) {
    options.listen.port = 0;
    server_ = std::make_unique<ApiServer>(options, ServerContext{.data_dir = dir_.path(),
                                                                 .state_store = store_.get(),
                                                                 .runs = runs,
                                                                 .open_warehouse = open_warehouse});
    port_ = server_->Bind();
    thread_ = std::thread([this] { server_->Serve(); });
  }

  void StopServer() {
    if (!server_) return;
    server_->Stop();
    thread_.join();
    server_.reset();
  }

  // Each request uses a new client, so that no kept-alive connection makes
  // the server wait for it when the test stops it.
  Reply Get(const std::string& path, const std::vector<std::string>& headers = {}) {
    return ToReply(HttpClient().Get(Url(path), headers));
  }

  Reply Post(const std::string& path, const std::string& body,
             const std::vector<std::string>& headers = {}) {
    return ToReply(HttpClient().Post(Url(path), body, "application/json", headers));
  }

  Reply Sql(const std::string& sql) { return Post("/api/v1/queries", json{{"sql", sql}}.dump()); }

  std::string Url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }

  static Reply ToReply(const HttpResponse& response) {
    return {static_cast<int>(response.status), response.Header("content-type"), response.body,
            response.Header("set-cookie")};
  }

  ScratchDir dir_;
  std::unique_ptr<dag::SqliteStateStore> store_;
  std::unique_ptr<ApiServer> server_;
  std::thread thread_;
  int port_ = 0;
};

void ExpectProblem(const Reply& reply, int status, const std::string& detail_part) {
  EXPECT_EQ(reply.status, status) << reply.body;
  EXPECT_EQ(reply.content_type, "application/problem+json");
  json body = json::parse(reply.body, nullptr, false);
  ASSERT_TRUE(body.is_object()) << reply.body;
  EXPECT_EQ(body["status"], status);
  EXPECT_TRUE(body["title"].is_string());
  EXPECT_NE(body["detail"].get<std::string>().find(detail_part), std::string::npos)
      << body["detail"];
}

TEST_F(ApiServerTest, RunsPageWithLimitAndOffset) {
  StartServer();
  json page = Get("/api/v1/runs?limit=2&offset=1").Json();
  EXPECT_EQ(page["total_entries"], 5);
  ASSERT_EQ(page["runs"].size(), 2u);
  EXPECT_EQ(page["runs"][0]["run_id"], "scheduled__2024-05-04T00:00:00Z");
  EXPECT_EQ(page["runs"][1]["run_id"], "scheduled__2024-05-03T00:00:00Z");
  EXPECT_EQ(page["runs"][0]["duration_ms"], 2000);

  EXPECT_EQ(Get("/api/v1/runs?offset=4").Json()["runs"].size(), 1u);
  EXPECT_EQ(Get("/api/v1/runs?offset=9").Json()["runs"].size(), 0u);
  EXPECT_EQ(Get("/api/v1/runs?state=failed").Json()["total_entries"], 1);
  EXPECT_EQ(Get("/api/v1/runs?pipeline_id=other").Json()["total_entries"], 0);
}

TEST_F(ApiServerTest, BadParametersAreProblems) {
  StartServer();
  ExpectProblem(Get("/api/v1/runs?limit=0"), 400, "limit '0'");
  ExpectProblem(Get("/api/v1/runs?limit=abc"), 400, "limit 'abc'");
  ExpectProblem(Get("/api/v1/runs?limit=10001"), 400, "limit '10001'");
  ExpectProblem(Get("/api/v1/runs?offset=-1"), 400, "offset '-1'");
  ExpectProblem(Get("/api/v1/runs?state=sleeping"), 400, "state 'sleeping'");
  ExpectProblem(Get("/api/v1/series/test/X/observations?as_of=June"), 400, "June");
  ExpectProblem(Get("/api/v1/nothing"), 404, "/api/v1/nothing");
  ExpectProblem(Post("/api/v1/queries", "not json"), 400, "JSON object");
  ExpectProblem(Post("/api/v1/queries", "{\"query\": 1}"), 400, "\"sql\"");
}

TEST_F(ApiServerTest, UnknownResourcesAreNotFound) {
  StartServer();
  ExpectProblem(Get("/api/v1/runs/nope"), 404, "'nope'");
  ExpectProblem(Get("/api/v1/runs/nope/taskInstances"), 404, "'nope'");
  ExpectProblem(Get("/api/v1/runs/scheduled__2024-05-01T00:00:00Z/taskInstances/x"), 404, "'x'");
  ExpectProblem(Get("/api/v1/runs/scheduled__2024-05-01T00:00:00Z/taskInstances/load/tries/7/logs"),
                404, "no try 7");
  ExpectProblem(Get("/api/v1/series/test/NOPE"), 404, "'NOPE'");
  ExpectProblem(Get("/api/v1/pipelines/nope"), 404, "'nope'");
  ExpectProblem(Get("/api/v1/forecasts/3"), 404, "forecast 3");
}

TEST_F(ApiServerTest, TaskInstancesTriesAndLogs) {
  StartServer();
  const std::string run = "/api/v1/runs/scheduled__2024-05-05T00:00:00Z";
  json run_json = Get(run).Json();
  EXPECT_EQ(run_json["state"], "failed");
  EXPECT_EQ(run_json["pipeline_id"], "macropipe");

  json tasks = Get(run + "/taskInstances").Json();
  EXPECT_EQ(tasks["total_entries"], 2);
  EXPECT_EQ(Get(run + "/taskInstances?limit=1&offset=1").Json()["task_instances"].size(), 1u);
  json task = Get(run + "/taskInstances/ingest-a").Json();
  EXPECT_EQ(task["state"], "failed");
  EXPECT_EQ(task["try_number"], 2);
  EXPECT_EQ(task["error"], "unavailable: HTTP 503");

  json tries = Get(run + "/taskInstances/ingest-a/tries").Json();
  ASSERT_EQ(tries["tries"].size(), 2u);
  EXPECT_EQ(tries["tries"][1]["try_number"], 2);

  json log = Get(run + "/taskInstances/ingest-a/tries/1/logs").Json();
  EXPECT_EQ(log["content"], "line 1 of try 1\nline 2\nline 3\n");
  EXPECT_EQ(log["complete"], true);
  EXPECT_EQ(log["next_offset"], 30);
  json tail = Get(run + "/taskInstances/ingest-a/tries/2/logs?tail=2").Json();
  EXPECT_EQ(tail["content"], "line 2\nline 3\n");
  json rest = Get(run + "/taskInstances/ingest-a/tries/2/logs?offset=23").Json();
  EXPECT_EQ(rest["content"], "line 3\n");
  EXPECT_EQ(Get(run + "/taskInstances/ingest-a/tries/2/logs?offset=30").Json()["content"], "");
}

TEST_F(ApiServerTest, GridListsTaskStatesPerRun) {
  RecordingController controller;
  StartServer({}, &controller);
  json grid = Get("/api/v1/pipelines/macropipe/grid?limit=2").Json();
  EXPECT_EQ(grid["total_entries"], 5);
  EXPECT_EQ(grid["task_ids"], json({"ingest-a", "load"}));
  ASSERT_EQ(grid["runs"].size(), 2u);
  EXPECT_EQ(grid["runs"][0]["task_states"]["ingest-a"], "failed");
  EXPECT_EQ(grid["runs"][1]["task_states"]["load"], "success");
}

TEST_F(ApiServerTest, TriggerAndResumeGoToController) {
  RecordingController controller;
  StartServer({}, &controller);
  json pipelines = Get("/api/v1/pipelines").Json();
  ASSERT_EQ(pipelines["total_entries"], 1);
  EXPECT_EQ(pipelines["pipelines"][0]["tasks"][1]["upstream"], json({"ingest-a"}));

  Reply triggered = Post("/api/v1/pipelines/macropipe/runs", "{}");
  EXPECT_EQ(triggered.status, 202);
  EXPECT_EQ(triggered.Json()["run_id"], "manual__2024-06-01T00:00:00Z");
  EXPECT_EQ(controller.triggered, std::vector<std::string>{"macropipe"});
  ExpectProblem(Post("/api/v1/pipelines/other/runs", "{}"), 404, "other");

  EXPECT_EQ(Post("/api/v1/runs/scheduled__2024-05-05T00:00:00Z/resume", "").status, 202);
  EXPECT_EQ(controller.resumed, std::vector<std::string>{"scheduled__2024-05-05T00:00:00Z"});
  ExpectProblem(Post("/api/v1/runs/nope/resume", ""), 404, "'nope'");
}

TEST_F(ApiServerTest, ReadOnlyServerCannotTrigger) {
  StartServer();
  ExpectProblem(Post("/api/v1/pipelines/macropipe/runs", "{}"), 409, "only reads runs");
  EXPECT_EQ(Get("/api/v1/pools").Json()["total_entries"], 0);
}

TEST_F(ApiServerTest, PoolsAndRateBudgets) {
  RecordingController controller;
  StartServer({}, &controller);
  json pools = Get("/api/v1/pools").Json();
  ASSERT_EQ(pools["pools"].size(), 1u);
  EXPECT_EQ(pools["pools"][0]["open_slots"], 3);
  EXPECT_EQ(pools["pools"][0]["max_occupied_slots"], 3);
  json budgets = Get("/api/v1/rateBudgets").Json();
  ASSERT_EQ(budgets["rate_budgets"].size(), 1u);
  EXPECT_EQ(budgets["rate_budgets"][0]["per_minute"], 120.0);
  EXPECT_TRUE(budgets["rate_budgets"][0]["per_day"].is_null());
  EXPECT_EQ(budgets["rate_budgets"][0]["used_today"], 17);
}

TEST_F(ApiServerTest, SeriesSearchAndMetadata) {
  StartServer();
  EXPECT_EQ(Get("/api/v1/series?search=index").Json()["total_entries"], 1);
  EXPECT_EQ(Get("/api/v1/series?search=x&source=test").Json()["total_entries"], 1);
  EXPECT_EQ(Get("/api/v1/series?search=zzz").Json()["total_entries"], 0);
  json series = Get("/api/v1/series/test/X").Json();
  EXPECT_EQ(series["title"], "Test index");
  ASSERT_EQ(series["loads"]["rows"].size(), 2u);
  EXPECT_EQ(series["loads"]["columns"][1], "object_key");
  EXPECT_EQ(series["loads"]["rows"][1][1], "test/X.csv");
}

TEST_F(ApiServerTest, ObservationsLatestAsOfAndVintages) {
  StartServer();
  const std::string base = "/api/v1/series/test/X";
  json latest = Get(base + "/observations").Json();
  ASSERT_EQ(latest["rows"].size(), 2u);
  EXPECT_EQ(latest["rows"][0][1], 1.5);
  json first = Get(base + "/observations?as_of=2024-03-15").Json();
  EXPECT_EQ(first["rows"][0][1], 1.0);
  EXPECT_EQ(Get(base + "/observations?as_of=2024-01-01").Json()["rows"].size(), 0u);
  EXPECT_EQ(Get(base + "/observations?limit=1&offset=1").Json()["rows"][0][0], "2024-02-01");
  json all = Get(base + "/observations?all_vintages=true").Json();
  EXPECT_EQ(all["rows"].size(), 3u);
  json vintages = Get(base + "/vintages").Json();
  ASSERT_EQ(vintages["rows"].size(), 2u);
  EXPECT_EQ(vintages["rows"][1][0], "2024-04-01");
  json revisions = Get(base + "/revisions").Json();
  ASSERT_EQ(revisions["rows"].size(), 1u);
  EXPECT_EQ(revisions["rows"][0][4], 0.5);
}

TEST_F(ApiServerTest, TablesListColumns) {
  StartServer();
  json tables = Get("/api/v1/tables").Json();
  bool found = false;
  for (const json& table : tables["tables"]) {
    if (table["name"] == "latest_observations") {
      found = true;
      EXPECT_EQ(table["type"], "view");
      EXPECT_EQ(table["columns"][1], "series_id");
    }
  }
  EXPECT_TRUE(found) << tables.dump();
}

TEST_F(ApiServerTest, SqlPagesAndReportsRowLimit) {
  ServerOptions options;
  options.sql_max_rows = 5;
  StartServer(options);
  const std::string ten =
      "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
      "WHERE i < 10) SELECT i FROM n";
  json capped = Sql(ten).Json();
  EXPECT_EQ(capped["rows"].size(), 5u);
  EXPECT_EQ(capped["truncated"], true);
  EXPECT_EQ(capped["limit"], 5);

  json page =
      Post("/api/v1/queries", json{{"sql", ten}, {"limit", 3}, {"offset", 8}}.dump()).Json();
  ASSERT_EQ(page["rows"].size(), 2u);
  EXPECT_EQ(page["rows"][0][0], 9);
  EXPECT_EQ(page["truncated"], false);
  ExpectProblem(Post("/api/v1/queries", json{{"sql", ten}, {"limit", 6}}.dump()), 400,
                "from 1 to 5");
  ExpectProblem(Sql("SELEC 1"), 400, "syntax error");
}

TEST_F(ApiServerTest, SqlStopsAtTimeLimit) {
  ServerOptions options;
  options.sql_time_limit = std::chrono::milliseconds(50);
  StartServer(options);
  Reply reply =
      Sql("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) "
          "SELECT count(*) FROM n");
  ExpectProblem(reply, 503, "time limit of 50 ms");
  EXPECT_EQ(Sql("SELECT count(*) FROM series").status, 200);
}

TEST_F(ApiServerTest, SqlCannotWrite) {
  StartServer();
  std::filesystem::path attached = dir_ / "attached.db";
  const std::vector<std::string> writes = {
      "INSERT INTO series (source, series_id) VALUES ('x', 'y')",
      "DELETE FROM observations",
      "UPDATE series SET title = 'changed'",
      "DROP TABLE observations",
      "DROP VIEW revisions",
      "CREATE TABLE t (x)",
      "ATTACH DATABASE '" + attached.string() + "' AS other",
      "PRAGMA user_version = 7",
      "PRAGMA journal_mode = DELETE",
      "VACUUM",
      "SELECT 1; DROP TABLE series",
  };
  auto contents = [this] {
    return Sql("SELECT count(*), group_concat(title) FROM series").Json()["rows"].dump() +
           Sql("SELECT count(*), sum(value) FROM observations").Json()["rows"].dump();
  };
  std::string before = contents();
  for (const std::string& sql : writes) {
    SCOPED_TRACE(sql);
    Reply reply = Sql(sql);
    EXPECT_GE(reply.status, 400) << reply.body;
    EXPECT_LT(reply.status, 500) << reply.body;
    EXPECT_EQ(reply.content_type, "application/problem+json");
  }
  EXPECT_EQ(contents(), before);
  EXPECT_EQ(Sql("PRAGMA user_version").Json()["rows"][0][0], 0);
  EXPECT_EQ(Sql("PRAGMA journal_mode").Json()["rows"][0][0], "wal");
  EXPECT_EQ(Sql("SELECT count(*) FROM sqlite_master WHERE name = 't'").Json()["rows"][0][0], 0);
  EXPECT_FALSE(std::filesystem::exists(attached));
}

TEST_F(ApiServerTest, LoopbackNeedsNoToken) {
  StartServer();
  EXPECT_EQ(Get("/api/v1/runs").status, 200);
}

TEST_F(ApiServerTest, OtherAddressNeedsToken) {
  ServerOptions options;
  options.listen.host = "0.0.0.0";
  try {
    ApiServer server(options, {.data_dir = dir_.path(), .state_store = store_.get()});
    ADD_FAILURE() << "started on 0.0.0.0 without a token";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kFailedPrecondition);
    EXPECT_NE(std::string(error.what()).find("MACROPIPE_SERVER_TOKEN"), std::string::npos);
  }
}

TEST_F(ApiServerTest, TokenIsRequiredOnEveryRequest) {
  ServerOptions options;
  // The token rule is the same on every address; binding loopback keeps the test off the network.
  options.access_token = "s3cret-token";
  StartServer(options);
  for (const std::string path :
       {"/", "/assets/app.js", "/api/v1/runs", "/metrics", "/api/v1/series", "/api/v1/nothing"}) {
    SCOPED_TRACE(path);
    ExpectProblem(Get(path), 401, "access token");
    ExpectProblem(Get(path, {"Authorization: Bearer wrong"}), 401, "access token");
    ExpectProblem(Get(path, {"Cookie: macropipe_token=s3cret"}), 401, "access token");
  }
  ExpectProblem(Post("/api/v1/queries", "{\"sql\": \"SELECT 1\"}"), 401, "access token");
  EXPECT_EQ(Get("/api/v1/runs", {"Authorization: Bearer s3cret-token"}).status, 200);
  EXPECT_EQ(Get("/api/v1/runs", {"Cookie: a=b; macropipe_token=s3cret-token"}).status, 200);

  Reply login = Get("/?token=s3cret-token");
  EXPECT_EQ(login.status, 200);
  EXPECT_NE(login.set_cookie.find("macropipe_token=s3cret-token"), std::string::npos);
  EXPECT_NE(login.set_cookie.find("HttpOnly"), std::string::npos);
  EXPECT_EQ(Get("/api/v1/runs?token=s3cret-token").status, 401);
  EXPECT_EQ(Get("/?token=wrong").status, 401);
}

TEST_F(ApiServerTest, MetricsInPrometheusFormat) {
  RecordingController controller;
  StartServer({}, &controller);
  Get("/api/v1/runs");
  Reply metrics = Get("/metrics");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_EQ(metrics.content_type, "text/plain; version=0.0.4");
  for (const char* line :
       {"macropipe_runs{state=\"success\"} 4\n", "macropipe_runs{state=\"failed\"} 1\n",
        "macropipe_task_instances{state=\"success\"} 9\n",
        "macropipe_task_duration_seconds_count{task=\"load\"} 5\n",
        "macropipe_source_requests_today{source=\"fred\"} 17\n",
        "macropipe_rows_loaded_total{source=\"test\",outcome=\"inserted\"} 2\n",
        "macropipe_rows_loaded_total{source=\"test\",outcome=\"revised\"} 1\n",
        "macropipe_http_requests_total{method=\"GET\",status=\"200\"} 1\n",
        "# TYPE macropipe_http_request_duration_seconds histogram\n"}) {
    EXPECT_NE(metrics.body.find(line), std::string::npos) << line << "\n" << metrics.body;
  }
}

// Sends two requests to a replay server through a RequestExecutor of source
// `source`: the first is refused with HTTP 429 and retried, the second fails
// with 404.
void FetchThroughExecutor(const std::string& source) {
  ScratchDir recordings;
  WriteText(recordings / "replay.json",
            R"({"recordings": [{"request": {"uri": "/data"}, "response": {"status": 200,
                "headers": {"Content-Type": "text/plain"}, "body": "ok"}}]})");
  testing::ReplayServer server(recordings.path());
  server.AddFaults(R"({"kind": "status", "status": 429, "headers": {"Retry-After": "1"}})");
  FakeClock clock(std::chrono::sys_days(std::chrono::year{2024} / 5 / 1));
  RequestExecutorOptions options;
  options.jitter_seed = 1;
  RequestExecutor executor(
      std::make_shared<RateBudget>(source, RateLimits{}, RateBudgetOptions{}, clock), options,
      clock);
  EXPECT_EQ(executor.Fetch({server.Url("/data"), {}, "data"}, nullptr).body, "ok");
  EXPECT_THROW(executor.Fetch({server.Url("/missing"), {}, "missing"}, nullptr), Error);
}

// Lands a FRED-MD fixture as source `source` into a new data directory and loads it.
void LandAndLoad(const std::string& source) {
  ScratchDir data_dir;
  Workspace workspace(data_dir.path());
  Config config =
      Config::Parse("[[sources]]\nname = \"" + source + "\"\ntype = \"fred-md\"\nurl = \"file://" +
                        MACROPIPE_SOURCE_DIR + "/tests/fixtures/fredmd/1959-05.csv\"\n",
                    "api_server_test");
  HttpClient http;
  FetchContext context{workspace.landing(), http, UtcTimestampNow(), nullptr, {}};
  MakeSource(config.sources[0])->Fetch(context);
  EXPECT_GT(Loader(workspace.landing(), workspace.warehouse()).LoadPending().objects_loaded, 0);
}

// Source requests, refusals and latencies and load latencies are counted
// where they happen, in the process's MetricsRegistry, and /metrics shows them.
TEST_F(ApiServerTest, MetricsCountSourceRequestsAndLoads) {
  // Source names of their own keep other tests' requests and loads out of the counts.
  FetchThroughExecutor("api-metrics-fetch");
  LandAndLoad("api-metrics-load");
  StartServer();
  Reply metrics = Get("/metrics");
  EXPECT_EQ(metrics.status, 200);
  for (const char* line : {
           "# TYPE macropipe_source_requests_total counter\n",
           "macropipe_source_requests_total{source=\"api-metrics-fetch\",outcome=\"success\"} 1\n",
           "macropipe_source_requests_total{source=\"api-metrics-fetch\",outcome=\"rate_limited\"} "
           "1\n",
           "macropipe_source_requests_total{source=\"api-metrics-fetch\",outcome=\"not_found\"} "
           "1\n",
           "# TYPE macropipe_source_refusals_total counter\n",
           "macropipe_source_refusals_total{source=\"api-metrics-fetch\",reason=\"rate_limited\"} "
           "1\n",
           "# TYPE macropipe_source_request_duration_seconds histogram\n",
           "macropipe_source_request_duration_seconds_count{source=\"api-metrics-fetch\"} 3\n",
           "# TYPE macropipe_load_object_duration_seconds histogram\n",
           "macropipe_load_object_duration_seconds_bucket{source=\"api-metrics-load\",le=\"+Inf\"}",
           "# TYPE macropipe_load_duration_seconds histogram\n",
       }) {
    EXPECT_NE(metrics.body.find(line), std::string::npos) << line << "\n" << metrics.body;
  }
  // Every sample belongs to a family declared with # HELP and # TYPE.
  std::istringstream lines(metrics.body);
  std::string line;
  std::string family;
  while (std::getline(lines, line)) {
    if (line.rfind("# TYPE ", 0) == 0) family = line.substr(7, line.find(' ', 7) - 7);
    if (line.empty() || line[0] == '#') continue;
    EXPECT_EQ(line.rfind(family, 0), 0u) << line << " is outside family " << family;
  }
}

// Writes a forecast into the tables `macropipe forecast` stores them in; the
// warehouse schema creates them, and older warehouses lack them.
void WriteForecast(const std::filesystem::path& warehouse) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(warehouse.string().c_str(), &db), SQLITE_OK);
  const char* sql = R"sql(
    CREATE TABLE IF NOT EXISTS forecast_runs (run_id INTEGER PRIMARY KEY, created_at TEXT, source TEXT,
      target_id TEXT, model TEXT, data_vintage TEXT, origin_month TEXT, training_first TEXT,
      training_last TEXT, settings TEXT, model_file TEXT, model_loaded INTEGER);
    CREATE TABLE IF NOT EXISTS forecast_quantiles (run_id INTEGER, horizon INTEGER, target_month TEXT,
      p10 REAL, p50 REAL, p90 REAL);
    CREATE TABLE IF NOT EXISTS forecast_accumulated (run_id INTEGER, months INTEGER, value REAL);
    CREATE TABLE IF NOT EXISTS forecast_importances (run_id INTEGER, stage TEXT, input TEXT, weight REAL);
    CREATE TABLE IF NOT EXISTS forecast_attention (run_id INTEGER, horizon INTEGER, relative_month INTEGER,
      weight REAL);
    INSERT INTO forecast_runs VALUES (1, '2024-05-01T00:00:00Z', 'test', 'X', 'ar', '2024-04-01',
      '2024-02-01', '2000-01-01', '2024-02-01', '{}', '', 0);
    INSERT INTO forecast_quantiles VALUES (1, 1, '2024-03-01', 0.1, 0.2, 0.3),
      (1, 2, '2024-04-01', 0.0, 0.2, 0.4);
    INSERT INTO forecast_accumulated VALUES (1, 2, 0.4);
    INSERT INTO forecast_importances VALUES (1, 'encoder', 'X', 0.25), (1, 'encoder', 'Y', 0.75);
    INSERT INTO forecast_attention VALUES (1, 1, 0, 1.0);
  )sql";
  EXPECT_EQ(sqlite3_exec(db, sql, nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  sqlite3_close(db);
}

TEST_F(ApiServerTest, ForecastsWhenTablesExist) {
  StartServer();
  EXPECT_EQ(Get("/api/v1/forecasts").Json()["total_entries"], 0);
  WriteForecast(dir_ / "warehouse.db");
  json list = Get("/api/v1/forecasts").Json();
  ASSERT_EQ(list["total_entries"], 1);
  EXPECT_EQ(list["forecasts"][0]["model"], "ar");
  json forecast = Get("/api/v1/forecasts/1").Json();
  ASSERT_EQ(forecast["quantiles"].size(), 2u);
  EXPECT_EQ(forecast["quantiles"][1]["p90"], 0.4);
  EXPECT_EQ(forecast["accumulated"][0]["value"], 0.4);
  EXPECT_EQ(forecast["importances"][0]["input"], "Y");
  EXPECT_EQ(forecast["attention"].size(), 1u);
  // The target's levels 1.5 and 2.0 give one monthly log change, in the quantiles' unit.
  ASSERT_EQ(forecast["actuals"].size(), 1u);
  EXPECT_EQ(forecast["actuals"][0]["date"], "2024-02-01");
  EXPECT_NEAR(forecast["actuals"][0]["value"].get<double>(), std::log(2.0 / 1.5), 1e-12);
  ExpectProblem(Get("/api/v1/forecasts/abc"), 400, "'abc'");
  ExpectProblem(Get("/api/v1/forecasts/1abc"), 400, "'1abc'");
}

// A backtest of two models in one window at horizons h1 and acc3. AO12 has no
// Diebold-Mariano test against itself.
BacktestRecord SampleBacktest(const std::string& created_at) {
  BacktestRecord record;
  record.run.created_at = created_at;
  record.run.source = "test";
  record.run.target_id = "X";
  record.run.panel_first = "2000-01-01";
  record.run.panel_last = "2024-02-01";
  record.run.models = "ao12,ar4";
  record.run.windows = "2016-end";
  record.run.command = "macropipe backtest --models ao12,ar4";
  record.run.seconds = 1.5;
  for (const char* model : {"ao12", "ar4"}) {
    for (const char* horizon : {"h1", "acc3"}) {
      BacktestScoreRecord score;
      score.window = "2016-end";
      score.window_first = "2016-01-01";
      score.window_last = "2024-02-01";
      score.estimation_months = 48;
      score.model = model;
      score.horizon = horizon;
      score.targets = 98;
      score.rmse = 0.002;
      score.rmse_ratio = std::string(model) == "ar4" ? 0.75 : 0.5;
      if (std::string(model) == "ar4") score.dm_statistic = 1.25;
      record.scores.push_back(score);
    }
  }
  return record;
}

TEST_F(ApiServerTest, BacktestsPageNewestFirst) {
  StartServer();
  EXPECT_EQ(Get("/api/v1/backtests").Json()["total_entries"], 0);
  {
    std::unique_ptr<Warehouse> warehouse = OpenSqliteWarehouse((dir_ / "warehouse.db").string());
    for (const char* day :
         {"2024-03-01T00:00:00Z", "2024-03-02T00:00:00Z", "2024-03-03T00:00:00Z"}) {
      warehouse->StoreBacktest(SampleBacktest(day));
    }
  }
  json page = Get("/api/v1/backtests?limit=2").Json();
  EXPECT_EQ(page["total_entries"], 3);
  ASSERT_EQ(page["backtests"].size(), 2u);
  EXPECT_EQ(page["backtests"][0]["run_id"], 3);
  EXPECT_EQ(page["backtests"][0]["created_at"], "2024-03-03T00:00:00Z");
  EXPECT_EQ(page["backtests"][1]["run_id"], 2);
  EXPECT_EQ(page["backtests"][1]["models"], "ao12,ar4");
  EXPECT_EQ(page["backtests"][1]["seconds"], 1.5);
  json last = Get("/api/v1/backtests?limit=2&offset=2").Json();
  ASSERT_EQ(last["backtests"].size(), 1u);
  EXPECT_EQ(last["backtests"][0]["run_id"], 1);
  EXPECT_EQ(Get("/api/v1/backtests?offset=3").Json()["backtests"].size(), 0u);
}

TEST_F(ApiServerTest, BacktestHasScoresInOrder) {
  StartServer();
  OpenSqliteWarehouse((dir_ / "warehouse.db").string())
      ->StoreBacktest(SampleBacktest("2024-03-01T00:00:00Z"));
  json backtest = Get("/api/v1/backtests/1").Json();
  EXPECT_EQ(backtest["run_id"], 1);
  EXPECT_EQ(backtest["windows"], "2016-end");
  EXPECT_EQ(backtest["command"], "macropipe backtest --models ao12,ar4");
  ASSERT_EQ(backtest["scores"].size(), 4u);
  const json& ar4 = backtest["scores"][2];
  EXPECT_EQ(ar4["model"], "ar4");
  EXPECT_EQ(ar4["horizon"], "h1");
  EXPECT_EQ(ar4["window"], "2016-end");
  EXPECT_EQ(ar4["window_first"], "2016-01-01");
  EXPECT_EQ(ar4["estimation_months"], 48);
  EXPECT_EQ(ar4["targets"], 98);
  EXPECT_EQ(ar4["rmse_ratio"], 0.75);
  EXPECT_EQ(ar4["dm_statistic"], 1.25);
  EXPECT_TRUE(ar4["mae"].is_null());
  EXPECT_TRUE(backtest["scores"][0]["dm_statistic"].is_null());
  EXPECT_EQ(backtest["scores"][1]["horizon"], "acc3");
}

TEST_F(ApiServerTest, BacktestsOfOlderWarehouseAreEmpty) {
  StartServer();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir_ / "warehouse.db").string().c_str(), &db), SQLITE_OK);
  EXPECT_EQ(sqlite3_exec(db, "DROP TABLE backtest_scores; DROP TABLE backtest_runs", nullptr,
                         nullptr, nullptr),
            SQLITE_OK)
      << sqlite3_errmsg(db);
  sqlite3_close(db);
  json list = Get("/api/v1/backtests").Json();
  EXPECT_EQ(list["total_entries"], 0);
  EXPECT_EQ(list["backtests"].size(), 0u);
  ExpectProblem(Get("/api/v1/backtests/1"), 404, "backtest 1");
}

TEST_F(ApiServerTest, BacktestErrorsAreProblems) {
  StartServer();
  ExpectProblem(Get("/api/v1/backtests/1"), 404, "backtest 1");
  ExpectProblem(Get("/api/v1/backtests/abc"), 400, "'abc'");
  ExpectProblem(Get("/api/v1/backtests/1abc"), 400, "'1abc'");
  ExpectProblem(Get("/api/v1/backtests/1x"), 400, "'1x'");
  ExpectProblem(Get("/api/v1/backtests?limit=0"), 400, "limit '0'");
  ExpectProblem(Get("/api/v1/backtests?offset=-2"), 400, "offset '-2'");
}

TEST_F(ApiServerTest, ServesPostgresWarehouse) {
  if (!macropipe::testing::TestPostgresUri()) {
    GTEST_SKIP() << macropipe::testing::PostgresServerMissing();
  }
  macropipe::testing::PostgresTestDatabase database;
  FillWarehouse(*OpenPostgresWarehouse(database.options()));
  RecordingController controller;
  StartServer({}, &controller,
              [&database] { return OpenPostgresWarehouse(database.options(), true); });

  json tables = Get("/api/v1/tables").Json();
  std::vector<std::string> names;
  for (const json& table : tables["tables"]) names.push_back(table["name"]);
  EXPECT_NE(std::find(names.begin(), names.end(), "observations"), names.end()) << tables.dump();
  EXPECT_NE(std::find(names.begin(), names.end(), "latest_observations"), names.end());
  EXPECT_EQ(std::find(names.begin(), names.end(), "observations_0"), names.end());

  EXPECT_EQ(Get("/api/v1/series?search=index").Json()["total_entries"], 1);
  json latest = Get("/api/v1/series/test/X/observations").Json();
  ASSERT_EQ(latest["rows"].size(), 2u);
  EXPECT_EQ(latest["rows"][0][0], "2024-01-01");
  EXPECT_EQ(latest["rows"][0][1], 1.5);
  EXPECT_EQ(Get("/api/v1/series/test/X/revisions").Json()["rows"][0][4], 0.5);
  EXPECT_EQ(Sql("SELECT count(*) AS n FROM observations").Json()["rows"][0][0], 3);

  Reply metrics = Get("/metrics");
  EXPECT_NE(
      metrics.body.find("macropipe_rows_loaded_total{source=\"test\",outcome=\"inserted\"} 2\n"),
      std::string::npos)
      << metrics.body;
  EXPECT_EQ(Get("/api/v1/forecasts").Json()["total_entries"], 0);

  OpenPostgresWarehouse(database.options())->StoreBacktest(SampleBacktest("2024-03-01T00:00:00Z"));
  json backtests = Get("/api/v1/backtests").Json();
  EXPECT_EQ(backtests["total_entries"], 1);
  ASSERT_EQ(backtests["backtests"].size(), 1u);
  EXPECT_EQ(backtests["backtests"][0]["seconds"], 1.5);
  json backtest = Get("/api/v1/backtests/1").Json();
  ASSERT_EQ(backtest["scores"].size(), 4u);
  EXPECT_EQ(backtest["scores"][2]["rmse_ratio"], 0.75);
  ExpectProblem(Get("/api/v1/backtests/2"), 404, "backtest 2");
}

TEST_F(ApiServerTest, ResponsesAreNotCompressed) {
  StartServer();
  for (const char* path : {"/", "/assets/app.js", "/api/v1/runs", "/metrics", "/api/v1/nothing"}) {
    SCOPED_TRACE(path);
    HttpResponse response = HttpClient().Get(Url(path), {"Accept-Encoding: gzip, br"});
    EXPECT_EQ(response.Header("content-encoding"), "");
    EXPECT_FALSE(response.body.empty());
  }
}

TEST_F(ApiServerTest, ServesPageAndAssets) {
  StartServer();
  Reply page = Get("/");
  EXPECT_EQ(page.status, 200);
  EXPECT_EQ(page.content_type, "text/html;charset=utf-8");
  EXPECT_NE(page.body.find("<title>macropipe</title>"), std::string::npos);
  EXPECT_EQ(Get("/assets/app.js").content_type, "text/javascript");
  EXPECT_EQ(Get("/assets/app.css").status, 200);
}

}  // namespace
}  // namespace macropipe::server
