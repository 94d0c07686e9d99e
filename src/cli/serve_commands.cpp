// `macropipe serve`: the page and REST API over a data directory. With a
// config that has sources, runs of the pipeline can be triggered and resumed
// from the API; a run is the DAG that `macropipe run` runs, built from the
// same config and landing zone.
#include <fcntl.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>
#include <thread>

#include "cli/command.h"
#include "cli/pipeline_session.h"
#include "core/error.h"
#include "core/files.h"
#include "secrets/secrets_store.h"
#include "server/api_server.h"
#include "server/executor_run_controller.h"
#include "warehouse/postgres_warehouse.h"

namespace macropipe {
namespace {

constexpr char kTokenSecret[] = "MACROPIPE_SERVER_TOKEN";

struct ServeOptions {
  std::string listen = "127.0.0.1:8080";
  int64_t sql_max_rows = 10000;
  int64_t sql_time_limit_ms = 5000;
};

// A controller that runs the session's DAG on its executor, reporting every
// pool the config defines.
std::unique_ptr<server::ExecutorRunController> MakeController(PipelineSession& session) {
  std::vector<std::string> pool_names;
  for (const auto& [name, slots] : session.pipeline().pools) pool_names.push_back(name);
  // The session owns the DAG and outlives the controller, so the pointer owns nothing.
  std::shared_ptr<const dag::Dag> pipeline(std::shared_ptr<const dag::Dag>(), &session.dag());
  return std::make_unique<server::ExecutorRunController>(std::vector{pipeline}, session.pools(),
                                                         std::move(pool_names), session.executor(),
                                                         session.store());
}

// The write end of the pipe that StopSignalHandler writes to.
int stop_signal_pipe = -1;

extern "C" void StopSignalHandler(int signal_number) {
  const unsigned char byte = static_cast<unsigned char>(signal_number);
  // Nothing can be done in a handler if the write fails; the reader then
  // never wakes and a second signal, or SIGKILL, ends the process.
  [[maybe_unused]] ssize_t written = write(stop_signal_pipe, &byte, 1);
}

// Routes SIGINT and SIGTERM into a pipe and returns its read end. A handler,
// unlike a blocked signal mask, also covers threads that libraries start
// before main (OpenBLAS starts its workers when it is loaded): whichever
// thread the signal lands on writes the byte, and none of them ends the
// process with the signal's default action.
int RouteStopSignalsToPipe() {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    throw Error(ErrorCode::kInternal,
                fmt::format("cannot create the pipe for stop signals: {}", std::strerror(errno)));
  }
  stop_signal_pipe = fds[1];
  struct sigaction action = {};
  action.sa_handler = StopSignalHandler;
  action.sa_flags = SA_RESTART;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  return fds[0];
}

// Stops the server once a stop signal's byte arrives on `signal_pipe`.
std::thread StopOnSignal(server::ApiServer& api, int signal_pipe) {
  return std::thread([signal_pipe, &api] {
    unsigned char received = 0;
    while (read(signal_pipe, &received, 1) < 0 && errno == EINTR) {
    }
    spdlog::info("received signal {}: stopping the server", received);
    api.Stop();
  });
}

int RunServe(const GlobalOptions& options, const ServeOptions& serve) {
  // Signals during set-up wait in the pipe and stop the server once it serves.
  int stop_signals = RouteStopSignalsToPipe();
  // Without a config, or with one that has no sources, the server only reads.
  std::unique_ptr<PipelineSession> session;
  std::unique_ptr<dag::StateStore> state_store;
  std::filesystem::path data_dir;
  Config config = LoadConfigOrEmpty(options);
  if (!config.sources.empty()) {
    // The session takes the data directory's lock, since its runs write there.
    session = std::make_unique<PipelineSession>(options, PipelineDagOptions{});
    data_dir = session->data_dir();
  } else {
    data_dir = DataDir(options, config);
    CreateDirectories(data_dir);
    state_store = OpenConfiguredStateStore(config, data_dir);
  }
  dag::StateStore& store = session ? session->store() : *state_store;

  server::ServerOptions server_options;
  server_options.listen = server::ParseListenAddress(serve.listen);
  server_options.access_token = LookupSecret(data_dir, kTokenSecret).value_or("");
  server_options.sql_max_rows = serve.sql_max_rows;
  server_options.sql_time_limit = std::chrono::milliseconds(serve.sql_time_limit_ms);

  std::unique_ptr<server::ExecutorRunController> controller;
  if (session) controller = MakeController(*session);

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
  std::thread signal_thread = StopOnSignal(api, stop_signals);
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
