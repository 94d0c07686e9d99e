#include "server/request_metrics.h"

namespace macropipe::server {

RequestMetrics::RequestMetrics()
    : requests_(registry_.AddCounter("macropipe_http_requests_total",
                                     "Requests served by this server, refusals (401) included.")),
      latency_(registry_.AddHistogram("macropipe_http_request_duration_seconds",
                                      "Time to answer a request.")) {}

void RequestMetrics::Record(const std::string& method, int status,
                            std::optional<std::chrono::steady_clock::duration> elapsed) {
  requests_.Increment({{"method", method}, {"status", std::to_string(status)}});
  if (elapsed) latency_.Observe({}, std::chrono::duration<double>(*elapsed).count());
}

}  // namespace macropipe::server
