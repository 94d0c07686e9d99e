#include "replay_stats.h"

namespace macropipe::replay {

void ReplayStats::CountRequest(const std::string& path, const std::string& key) {
  std::lock_guard lock(mutex_);
  ++requests_total_;
  ++requests_by_path_[path];
  ++requests_by_key_[key];
}

void ReplayStats::CountStatus(int status) {
  std::lock_guard lock(mutex_);
  ++responses_by_status_[status];
}

void ReplayStats::CountRateViolation() {
  std::lock_guard lock(mutex_);
  ++rate_violations_;
}

void ReplayStats::CountFault(const std::string& kind) {
  std::lock_guard lock(mutex_);
  ++faults_injected_[kind];
}

void ReplayStats::CountUnmatched() {
  std::lock_guard lock(mutex_);
  ++unmatched_;
}

nlohmann::json ReplayStats::ToJson() {
  std::lock_guard lock(mutex_);
  nlohmann::json by_status = nlohmann::json::object();
  for (const auto& [status, count] : responses_by_status_)
    by_status[std::to_string(status)] = count;
  auto sent_429 = responses_by_status_.find(429);
  return {
      {"requests_total", requests_total_},
      {"requests_by_path", requests_by_path_},
      {"requests_by_key", requests_by_key_},
      {"responses_by_status", by_status},
      {"responses_429", sent_429 == responses_by_status_.end() ? 0 : sent_429->second},
      {"rate_violations", rate_violations_},
      {"faults_injected", faults_injected_},
      {"unmatched", unmatched_},
  };
}

}  // namespace macropipe::replay
