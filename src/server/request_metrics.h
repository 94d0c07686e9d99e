// Counts of the requests the server served, by method and status, and a
// histogram of their latencies, for /metrics.
//
//   metrics.Record("GET", 200, std::chrono::milliseconds(3));
//   out << metrics.Prometheus();
//
// Thread-safe.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

namespace macropipe::server {

class RequestMetrics {
 public:
  // Counts a request; `elapsed` is unset when its start is unknown, and then
  // the latency histogram leaves it out.
  void Record(const std::string& method, int status,
              std::optional<std::chrono::steady_clock::duration> elapsed);
  // The counts in Prometheus text format.
  std::string Prometheus() const;

 private:
  static constexpr std::array<double, 8> kBucketsSeconds = {0.001, 0.005, 0.01, 0.05,
                                                            0.1,   0.5,   1,    5};
  mutable std::mutex mutex_;
  std::map<std::pair<std::string, int>, int64_t> requests_;   // Guarded by mutex_.
  std::array<int64_t, kBucketsSeconds.size()> buckets_ = {};  // Guarded by mutex_.
  int64_t count_ = 0;                                         // Guarded by mutex_.
  double sum_seconds_ = 0;                                    // Guarded by mutex_.
};

}  // namespace macropipe::server
