// `macropipe serve`: the page and REST API over a data directory. With a
// config that has sources, runs of the pipeline can be triggered and resumed
// from the API; each run ingests every source as its own task, then loads.
#include <pthread.h>
#include <signal.h>
#include <spdlog/spdlog.h>

#include <iostream>
#include <thread>

#include "cli/command.h"
#include "cli/pipeline.h"
#include "core/error.h"
#include "core/files.h"
#include "dag/sqlite_state_store.h"
#include "etl/loader.h"
#include "secrets/secrets_store.h"
#include "server/api_server.h"
#include "server/executor_run_controller.h"
#include "warehouse/postgres_warehouse.h"

namespace macropipe {
namespace {

constexpr char kPipelineId[] = "macropipe";
constexpr char kIngestPool[] = "ingest";
constexpr char kTokenSecret[] = "MACROPIPE_SERVER_TOKEN";

struct ServeOptions {
  std::string listen = "127.0.0.1:8080";
  int64_t sql_max_rows = 10000;
  int64_t sql_time_limit_ms = 5000;
};

// Fetches and lands one source; fails the try when the source failed.
class IngestSourceTask : public dag::TaskBody {
 public:
  IngestSourceTask(Config config, std::filesystem::path data_dir)
      : config_(std::move(config)), data_dir_(std::move(data_dir)) {}

  dag::TaskOutcome Run(dag::TaskContext& context) override {
    const std::string& source = config_.sources.front().name;
    context.logger().info("fetching source {}", source);
    Workspace workspace(data_dir_, config_);
    IngestSummary summary = IngestSources(config_, workspace.landing(), data_dir_);
    if (!summary.failures.empty()) {
      throw Error(ErrorCode::kUnavailable, summary.failures.front().message);
    }
    for (const SourceFailure& skipped : summary.skipped) {
      context.logger().warn("skipped: {}", skipped.message);
    }
    for (const SourceFailure& deferred : summary.deferred_series) {
      context.logger().warn("series {} deferred: {}", deferred.source, deferred.message);
    }
    for (const SourceFailure& failed : summary.failed_series) {
      context.logger().error("series {} failed: {}", failed.source, failed.message);
    }
    // The series that worked are landed; the try fails so that the failed
    // ones are fetched again.
    if (!summary.failed_series.empty()) {
      throw Error(ErrorCode::kUnavailable, std::to_string(summary.failed_series.size()) +
                                               " series failed, first " +
                                               summary.failed_series.front().source + ": " +
                                               summary.failed_series.front().message);
    }
    context.logger().info("{} series, {} objects landed, {} unchanged", summary.fetched.series,
                          summary.fetched.objects_landed, summary.fetched.objects_unchanged);
    return {.rows_landed = summary.fetched.objects_landed};
  }

 private:
  Config config_;  // With this one source only.
  std::filesystem::path data_dir_;
};

// Loads everything landed and not yet loaded.
class LoadTask : public dag::TaskBody {
 public:
  LoadTask(Config config, std::filesystem::path data_dir)
      : config_(std::move(config)), data_dir_(std::move(data_dir)) {}

  dag::TaskOutcome Run(dag::TaskContext& context) override {
    Workspace workspace(data_dir_, config_);
    Loader loader(workspace.landing(), workspace.warehouse());
    LoadSummary summary = loader.LoadPending();
    const LoadCounts& counts = summary.counts;
    context.logger().info("{} objects loaded ({} already loaded): {} inserted, {} revised",
                          summary.objects_loaded, summary.objects_skipped, counts.inserted,
                          counts.revised);
    return {.rows_inserted = counts.inserted, .rows_revised = counts.revised};
  }

 private:
  Config config_;
  std::filesystem::path data_dir_;
};

// One ingest task per source in the "ingest" pool, then a load that runs
// whatever the sources did, so that sources that worked are loaded.
// TODO: share one pipeline DAG with `macropipe run` once that command runs
// through the scheduler; until then the two are defined separately.
std::shared_ptr<const dag::Dag> BuildPipelineDag(const Config& config,
                                                 const std::filesystem::path& data_dir) {
  auto pipeline = std::make_shared<dag::Dag>(kPipelineId);
  std::vector<std::string> ingest_tasks;
  for (const SourceConfig& source : config.sources) {
    Config one = config;
    one.sources = {source};
    std::string task_id = "ingest-" + source.name;
    pipeline->AddTask({.id = task_id,
                       .pool = kIngestPool,
                       .body = std::make_shared<IngestSourceTask>(std::move(one), data_dir)});
    ingest_tasks.push_back(task_id);
  }
  pipeline->AddTask({.id = "load",
                     .upstream = ingest_tasks,
                     .trigger_rule = dag::TriggerRule::kAllDone,
                     .body = std::make_shared<LoadTask>(config, data_dir)});
  pipeline->Validate();
  return pipeline;
}

// Blocks SIGINT and SIGTERM in every thread started later, then stops the
// server on a thread that waits for them.
std::thread StopOnSignal(server::ApiServer& api) {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  return std::thread([signals, &api] {
    int received = 0;
    sigwait(&signals, &received);
    spdlog::info("received signal {}: stopping the server", received);
    api.Stop();
  });
}

int RunServe(const GlobalOptions& options, const ServeOptions& serve) {
  Config config = LoadConfigOrEmpty(options);
  std::filesystem::path data_dir = DataDir(options, config);
  CreateDirectories(data_dir);
  // Runs write the data directory, so a server that can start them takes its lock.
  std::optional<DataDirLock> lock;
  if (!config.sources.empty()) lock.emplace(data_dir);

  server::ServerOptions server_options;
  server_options.listen = server::ParseListenAddress(serve.listen);
  server_options.access_token = LookupSecret(data_dir, kTokenSecret).value_or("");
  server_options.sql_max_rows = serve.sql_max_rows;
  server_options.sql_time_limit = std::chrono::milliseconds(serve.sql_time_limit_ms);

  dag::SqliteStateStore store(data_dir / "state.db");
  dag::Pools pools({{kIngestPool, 4}});
  dag::Executor executor(pools, store, {.data_dir = data_dir});
  std::unique_ptr<server::ExecutorRunController> controller;
  if (!config.sources.empty()) {
    controller = std::make_unique<server::ExecutorRunController>(
        std::vector{BuildPipelineDag(config, data_dir)}, pools,
        std::vector<std::string>{dag::kDefaultPool, kIngestPool}, executor, store);
  }

  server::ServerContext context{
      .data_dir = data_dir, .state_store = &store, .runs = controller.get()};
  if (!config.warehouse.empty()) {
    // The URI is checked and the password read once, before the server starts.
    PostgresOptions warehouse =
        PostgresOptionsFor(config.warehouse, config.warehouse_origin, data_dir);
    context.open_warehouse = [warehouse] {
      return OpenPostgresWarehouse(warehouse, /*read_only=*/true);
    };
  }
  server::ApiServer api(server_options, context);
  int port = api.Bind();
  std::thread signal_thread = StopOnSignal(api);
  std::cout << "serving " << data_dir.string() << " on http://" << server_options.listen.host << ":"
            << port << "/" << std::endl;
  api.Serve();
  signal_thread.join();
  return 0;
}

}  // namespace

void AddServeCommands(CLI::App& app, const GlobalOptions& options,
                      std::vector<CommandRegistration>& commands) {
  auto serve = std::make_shared<ServeOptions>();
  auto* command =
      app.add_subcommand("serve", "Serve the web page and the REST API over the data directory");
  command->add_option("--listen", serve->listen,
                      "HOST:PORT to listen on (default 127.0.0.1:8080; port 0 picks a free "
                      "one). Any address but loopback requires the secret " +
                          std::string(kTokenSecret));
  command
      ->add_option("--sql-max-rows", serve->sql_max_rows,
                   "The most rows one SQL query through the API returns (default 10000)")
      ->check(CLI::Range(int64_t{1}, int64_t{1000000}));
  command
      ->add_option("--sql-time-limit-ms", serve->sql_time_limit_ms,
                   "The longest one SQL query through the API may run, in milliseconds "
                   "(default 5000)")
      ->check(CLI::Range(int64_t{1}, int64_t{3600000}));
  commands.push_back({command, [&options, serve] { return RunServe(options, *serve); }});
}

}  // namespace macropipe
