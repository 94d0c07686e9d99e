// Counts of the requests the server served, by method and status, and a
// histogram of their latencies, for /metrics.
//
//   metrics.Record("GET", 200, std::chrono::milliseconds(3));
//   out << metrics.Prometheus();
//
// Thread-safe.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "core/metrics.h"

namespace macropipe::server {

class RequestMetrics {
 public:
  RequestMetrics();

  // Counts a request; `elapsed` is unset when its start is unknown, and then
  // the latency histogram leaves it out.
  void Record(const std::string& method, int status,
              std::optional<std::chrono::steady_clock::duration> elapsed);
  // The counts in Prometheus text format.
  std::string Prometheus() const { return registry_.Prometheus(); }

 private:
  // This server's own, so that two servers in one process count apart.
  MetricsRegistry registry_;
  Counter& requests_;
  Histogram& latency_;
};

}  // namespace macropipe::server
