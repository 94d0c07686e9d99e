// Runs the macropipe-replay server as a child process for one test, on a
// free loopback port, and stops it when the object goes out of scope.
//
//   macropipe::testing::ReplayServer server(recordings_dir, {"--rate-limit", "20"});
//   HttpResponse response = client.Get(server.Url("/fred/series?series_id=GDP&api_key=x"));
//   server.AddFaults(R"({"kind": "status", "status": 503, "count": 2})");
//   EXPECT_EQ(server.Stats()["rate_violations"], 0);
//
// `recordings_dir` holds a replay.json index and/or X.meta.json sidecars (the
// format is in tools/replay_server/recording_index.h); extra arguments are the
// server's options (--rate-limit, --rate-burst, --latency-ms, --fault; run
// macropipe-replay --help). The server's log goes to this process's standard
// error. Construction throws std::runtime_error when the server does not start
// within 10 seconds, with its exit status if it died.
//
// Thread-compatible: one thread owns the object; the server itself serves
// requests from any number of threads.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace macropipe::testing {

class ReplayServer {
 public:
  explicit ReplayServer(const std::filesystem::path& recordings_dir,
                        const std::vector<std::string>& arguments = {});
  // Stops the server with SIGTERM, and SIGKILL if it has not exited after 5 seconds.
  ~ReplayServer();
  ReplayServer(const ReplayServer&) = delete;
  ReplayServer& operator=(const ReplayServer&) = delete;

  int port() const { return port_; }
  // "http://127.0.0.1:PORT" followed by `path_and_query`.
  std::string Url(const std::string& path_and_query) const;

  // Adds faults (JSON as POST /_replay/faults takes it); throws std::runtime_error
  // with the server's message when it rejects them.
  void AddFaults(const std::string& json);
  // GET /_replay/stats: requests_total, requests_by_path, requests_by_key,
  // responses_by_status, responses_429, rate_violations, faults_injected, unmatched.
  nlohmann::json Stats();

 private:
  pid_t pid_ = -1;
  int port_ = 0;
};

}  // namespace macropipe::testing
