// Counts of what the replay server received and sent, for GET /_replay/stats.
//
//   stats.CountRequest("/fred/series", RequestKey("GET", "/fred/series", parameters));
//   nlohmann::json json = stats.ToJson();
//
// Thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

namespace macropipe::replay {

class ReplayStats {
 public:
  // Counts a request under its path and under its key (method, path and the
  // sorted parameters without credentials), so a test can tell how often
  // each series was requested.
  void CountRequest(const std::string& path, const std::string& key);
  void CountStatus(int status);
  void CountRateViolation();
  void CountFault(const std::string& kind);
  void CountUnmatched();

  // {"requests_total", "requests_by_path", "requests_by_key",
  //  "responses_by_status", "responses_429", "rate_violations",
  //  "faults_injected", "unmatched"}
  nlohmann::json ToJson();

 private:
  std::mutex mutex_;
  int64_t requests_total_ = 0;                       // Guarded by mutex_.
  std::map<std::string, int64_t> requests_by_path_;  // Guarded by mutex_.
  std::map<std::string, int64_t> requests_by_key_;   // Guarded by mutex_.
  std::map<int, int64_t> responses_by_status_;       // Guarded by mutex_.
  int64_t rate_violations_ = 0;                      // Guarded by mutex_.
  std::map<std::string, int64_t> faults_injected_;   // Guarded by mutex_.
  int64_t unmatched_ = 0;                            // Guarded by mutex_.
};

}  // namespace macropipe::replay
