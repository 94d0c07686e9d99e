// An HTTP server on loopback that responds to requests with recorded responses,
// for testing connectors and the HTTP layer without the internet. It can
// enforce a request rate, add latency and inject faults, and it counts what
// it served.
//
//   ReplayServer server(RecordingIndex::Load(dir), options);
//   int port = server.Bind();  // 0 in options.port picks a free port.
//   server.Run();              // Until Stop(), from another thread.
//
// Control endpoints (never rate-limited, faulted or counted):
//   GET    /_replay/stats   counts as JSON (see ReplayStats)
//   GET    /_replay/faults  the faults not yet used up
//   POST   /_replay/faults  adds faults (see fault_plan.h for the JSON)
//   DELETE /_replay/faults  removes every pending fault
// Every other request is counted, checked against the rate limit (429 with a
// FRED-style JSON body beyond it), delayed by the latency, given the next
// fault that applies, or else served its recording, or 404 with a JSON
// body naming the method, path and parameters that matched nothing.
//
// Thread-safe: requests are served from httplib's thread pool; Stop may be
// called from any thread.
#pragma once

#include <httplib.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "fault_plan.h"
#include "recording_index.h"
#include "replay_stats.h"
#include "token_bucket.h"

namespace macropipe::replay {

struct ReplayOptions {
  std::string host = "127.0.0.1";  // Only 127.0.0.1, ::1 or localhost.
  int port = 0;
  std::optional<double> rate_limit;  // Requests per second.
  std::optional<double> rate_burst;  // Token bucket size; defaults to rate_limit.
  int latency_ms = 0;
  std::vector<Fault> faults;
};

// Returns an error message for a host that is not a loopback address, or an
// empty string when `host` may be bound.
std::string CheckLoopbackHost(const std::string& host);

class ReplayServer {
 public:
  // Throws macropipe::Error(kInvalidInput) for a host that is not loopback or
  // a rate limit that is not positive.
  ReplayServer(RecordingIndex index, ReplayOptions options);

  // Binds the listening socket and returns its port. Throws
  // macropipe::Error(kUnavailable) when the port cannot be bound.
  int Bind();
  // Serves until Stop() is called; returns false when listening failed.
  bool Run();
  void Stop();

  // The address to print, e.g. "127.0.0.1:8080" or "[::1]:8080".
  std::string Address(int port) const;

 private:
  void RegisterControlRoutes();
  void HandleRecorded(const httplib::Request& request, httplib::Response& response);
  void ServeRecording(const httplib::Request& request, const Recording* recording,
                      httplib::Response& response);
  void ApplyFault(const Fault& fault, const httplib::Request& request, const Recording* recording,
                  httplib::Response& response);

  RecordingIndex index_;
  ReplayOptions options_;
  httplib::Server server_;
  FaultPlan faults_;
  ReplayStats stats_;
  std::unique_ptr<TokenBucket> rate_limiter_;
};

}  // namespace macropipe::replay
