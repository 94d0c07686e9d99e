#include "server/request_metrics.h"

#include <fmt/format.h>

namespace macropipe::server {

void RequestMetrics::Record(const std::string& method, int status,
                            std::optional<std::chrono::steady_clock::duration> elapsed) {
  std::lock_guard lock(mutex_);
  ++requests_[{method, status}];
  if (!elapsed) return;
  double seconds = std::chrono::duration<double>(*elapsed).count();
  ++count_;
  sum_seconds_ += seconds;
  for (size_t i = 0; i < kBucketsSeconds.size(); ++i) {
    if (seconds <= kBucketsSeconds[i]) ++buckets_[i];
  }
}

std::string RequestMetrics::Prometheus() const {
  std::lock_guard lock(mutex_);
  std::string out =
      "# HELP macropipe_http_requests_total Requests served by this server, refusals "
      "(401) included.\n# TYPE macropipe_http_requests_total counter\n";
  for (const auto& [key, count] : requests_) {
    out += fmt::format("macropipe_http_requests_total{{method=\"{}\",status=\"{}\"}} {}\n",
                       key.first, key.second, count);
  }
  out +=
      "# HELP macropipe_http_request_duration_seconds Time to answer a request.\n"
      "# TYPE macropipe_http_request_duration_seconds histogram\n";
  for (size_t i = 0; i < kBucketsSeconds.size(); ++i) {
    out += fmt::format("macropipe_http_request_duration_seconds_bucket{{le=\"{}\"}} {}\n",
                       kBucketsSeconds[i], buckets_[i]);
  }
  out += fmt::format("macropipe_http_request_duration_seconds_bucket{{le=\"+Inf\"}} {}\n", count_);
  out += fmt::format("macropipe_http_request_duration_seconds_sum {}\n", sum_seconds_);
  out += fmt::format("macropipe_http_request_duration_seconds_count {}\n", count_);
  return out;
}

}  // namespace macropipe::server
