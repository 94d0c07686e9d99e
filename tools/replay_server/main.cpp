// macropipe-replay: serves recorded API responses on loopback for tests.
//
//   macropipe-replay fixtures/fred --port 0 --rate-limit 20 --fault kind=status,status=503
//
// The first line on standard output is "listening on HOST:PORT"; logs go to
// standard error. SIGTERM or SIGINT stops the server and exits with status 0.

#include <signal.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>
#include <thread>

#include "core/error.h"
#include "replay_server.h"

namespace {

// Blocks the stop signals in every thread, so that one thread can wait for
// them with sigwait, and ignores SIGPIPE from writes to closed connections.
sigset_t BlockStopSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);
  return signals;
}

}  // namespace

int main(int argc, char** argv) {
  using macropipe::replay::ReplayOptions;
  CLI::App app("Serves recorded HTTP responses on loopback, with rate limits and faults.");
  std::string dir;
  std::vector<std::string> fault_arguments;
  bool verbose = false;
  ReplayOptions options;
  app.add_option("dir", dir,
                 "Folder of recordings: a replay.json index and/or X.meta.json sidecars")
      ->required();
  app.add_option("--host", options.host, "Loopback address to bind: 127.0.0.1, ::1 or localhost")
      ->capture_default_str();
  app.add_option("--port", options.port, "TCP port; 0 picks a free one")->capture_default_str();
  app.add_option("--rate-limit", options.rate_limit,
                 "Requests per second; requests beyond it get HTTP 429 and count as violations");
  app.add_option("--rate-burst", options.rate_burst,
                 "Requests the rate limit admits at once (default: the rate limit)");
  app.add_option("--latency-ms", options.latency_ms, "Delay before every response, in ms")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--fault", fault_arguments,
                 "A fault for the next requests, as JSON or kind=...,count=...,status=...; "
                 "repeatable (see POST /_replay/faults)");
  app.add_flag("-v,--verbose", verbose, "Log every request");
  CLI11_PARSE(app, argc, argv);

  auto logger = spdlog::stderr_color_mt("replay");
  spdlog::set_default_logger(logger);
  spdlog::set_level(verbose ? spdlog::level::debug : spdlog::level::info);
  sigset_t stop_signals = BlockStopSignals();

  try {
    for (const std::string& argument : fault_arguments) {
      options.faults.push_back(macropipe::replay::ParseFaultArgument(argument));
    }
    auto index = macropipe::replay::RecordingIndex::Load(dir);
    macropipe::replay::ReplayServer server(std::move(index), options);
    int port = server.Bind();
    std::cout << "listening on " << server.Address(port) << std::endl;
    spdlog::info("serving recordings from {} on {}", dir, server.Address(port));

    std::thread([&server, stop_signals] {
      int received = 0;
      sigwait(&stop_signals, &received);
      spdlog::info("received signal {}, stopping", received);
      server.Stop();
    }).detach();
    if (!server.Run()) {
      spdlog::error("the server stopped listening on {} because of an error", server.Address(port));
      return 1;
    }
    spdlog::info("stopped");
    return 0;
  } catch (const std::exception& error) {
    spdlog::error("{}", error.what());
    return 2;
  }
}
