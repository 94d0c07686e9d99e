// Benchmark of the runs view's API with many runs in the state database.
//
//   runs_view_benchmark fill DIR [RUNS] [TASKS]  # writes DIR/state.db (default 100 x 200)
//   runs_view_benchmark api DIR [REPEATS]        # serves DIR in-process and times requests
//
// `api` prints, for each request the runs view makes, the median and the
// slowest time over REPEATS requests (default 20) and the response size.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "dag/scheduler.h"
#include "dag/sqlite_state_store.h"
#include "http/http_client.h"
#include "server/api_server.h"

namespace {

using macropipe::dag::RunRecord;
using macropipe::dag::TaskInstanceRecord;
using macropipe::dag::TryRecord;
using namespace std::chrono_literals;

void Fill(const std::filesystem::path& dir, int runs, int tasks) {
  std::filesystem::create_directories(dir);
  macropipe::dag::SqliteStateStore store(dir / "state.db");
  auto base = macropipe::dag::ParseTime("2024-01-01T00:00:00Z");
  for (int r = 0; r < runs; ++r) {
    auto start = base + std::chrono::hours(24 * r);
    RunRecord run{.run_id = macropipe::dag::MakeRunId("scheduled", start),
                  .pipeline = "bench",
                  .logical_date = start,
                  .state = macropipe::dag::RunState::kSuccess,
                  .start = start,
                  .end = start + 10min,
                  .summary = std::to_string(tasks) + " of " + std::to_string(tasks) + " succeeded"};
    store.CreateRun(run);
    for (int t = 0; t < tasks; ++t) {
      // Every 50th task failed once and then succeeded, as retried sources do.
      bool retried = t % 50 == 0;
      TaskInstanceRecord task{.run_id = run.run_id,
                              .task_id = "task-" + std::to_string(t),
                              .state = macropipe::dag::TaskState::kSuccess,
                              .try_number = retried ? 2 : 1,
                              .start = start + std::chrono::seconds(t),
                              .end = start + std::chrono::seconds(t + 2)};
      TryRecord try_record{.run_id = run.run_id,
                           .task_id = task.task_id,
                           .try_number = task.try_number,
                           .state = task.state,
                           .start = *task.start,
                           .end = task.end};
      store.SaveTaskInstance(task, &try_record);
    }
  }
  std::cout << "wrote " << runs << " runs of " << tasks << " tasks to " << (dir / "state.db")
            << "\n";
}

void TimeRequest(macropipe::HttpClient& client, const std::string& base, const std::string& path,
                 int repeats) {
  std::vector<double> ms;
  size_t bytes = 0;
  for (int i = 0; i < repeats; ++i) {
    auto start = std::chrono::steady_clock::now();
    macropipe::HttpResponse response = client.Get(base + path);
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                     .count());
    if (response.status != 200) {
      throw std::runtime_error(path + " returned " + std::to_string(response.status));
    }
    bytes = response.body.size();
  }
  std::sort(ms.begin(), ms.end());
  std::printf("| `%s` | %.1f | %.1f | %zu |\n", path.c_str(), ms[ms.size() / 2], ms.back(), bytes);
}

void Api(const std::filesystem::path& dir, int repeats) {
  macropipe::dag::SqliteStateStore store(dir / "state.db");
  macropipe::server::ServerOptions options;
  options.listen.port = 0;
  macropipe::server::ApiServer server(options, {.data_dir = dir, .state_store = &store});
  int port = server.Bind();
  std::thread thread([&server] { server.Serve(); });
  std::string base = "http://127.0.0.1:" + std::to_string(port);
  macropipe::HttpClient client;
  std::string run_id = store.ListRuns().front().run_id;
  std::printf("| request | median ms | slowest ms | bytes |\n|---|---|---|---|\n");
  for (const std::string& path :
       {std::string("/api/v1/pipelines"), std::string("/api/v1/pipelines/bench/grid?limit=25"),
        std::string("/api/v1/pipelines/bench/grid?limit=100"),
        std::string("/api/v1/runs?limit=100"), std::string("/api/v1/runs?limit=25&offset=75"),
        "/api/v1/runs/" + run_id, "/api/v1/runs/" + run_id + "/taskInstances?limit=10000",
        "/api/v1/runs/" + run_id + "/taskInstances?limit=50&offset=150"}) {
    TimeRequest(client, base, path, repeats);
  }
  server.Stop();
  thread.join();
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  try {
    if (args.size() >= 2 && args[0] == "fill") {
      Fill(args[1], args.size() > 2 ? std::stoi(args[2]) : 100,
           args.size() > 3 ? std::stoi(args[3]) : 200);
      return 0;
    }
    if (args.size() >= 2 && args[0] == "api") {
      Api(args[1], args.size() > 2 ? std::stoi(args[2]) : 20);
      return 0;
    }
  } catch (const std::exception& error) {
    std::cerr << "error: " << error.what() << "\n";
    return 1;
  }
  std::cerr << "usage: runs_view_benchmark fill DIR [RUNS] [TASKS] | api DIR [REPEATS]\n";
  return 2;
}
