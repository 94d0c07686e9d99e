// The Fetcher that connectors get in a pipeline run: each request waits for
// its source's rate budget, is sent with HttpClient, is checked by the
// connector's ResponseClassifier and by its HTTP status, and is retried when
// the failure is transient.
//
//   RequestExecutor executor(RateBudgetRegistry::Global().Get("fred", {.per_minute = 120}));
//   HttpResponse response = executor.Fetch({url, {}, "series CPIAUCSL"}, ClassifyFredBody);
//
// Retries follow the error code (see http_errors.h): kUnavailable waits with
// exponential backoff and jitter (or the server's Retry-After when longer);
// kRateLimited pauses the whole rate budget for the server's Retry-After, or
// the budget's window without one; kQuotaExhausted marks the budget's day as
// used up; every other code fails at once. Every retry is logged at warning
// level with the request's name, its redacted URL, the reason and the wait.
// No message or log line holds a credential from the URL. Each attempt is
// counted by source and outcome in the global MetricsRegistry, with its latency.
//
// Thread-safe: threads share the budget and draw HTTP clients from a pool.
#pragma once

#include <spdlog/logger.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "http/clock.h"
#include "http/fetcher.h"
#include "http/http_client.h"
#include "http/rate_budget.h"
#include "http/retry_policy.h"

namespace macropipe {

struct RequestExecutorOptions {
  RetryPolicy retry;
  std::chrono::milliseconds timeout{60000};  // Per attempt, connecting included.
  std::chrono::milliseconds connect_timeout{10000};
  std::string user_agent = "macropipe/0.1";
  std::vector<std::string> headers;  // "Name: value" lines sent with every request.
  size_t max_body_bytes = HttpOptions::kDefaultMaxBodyBytes;
  std::string origin;  // Replaces every URL's origin when set; see HttpOptions::origin.
  // The wait after a 429 without Retry-After when the budget has no
  // per-second or per-minute window to wait for.
  std::chrono::milliseconds rate_limited_wait{60000};
  // A request whose server asks for a longer wait fails with that wait in its
  // message instead of holding the run.
  std::chrono::milliseconds max_server_wait{300000};
  std::optional<uint64_t> jitter_seed;     // Unset: seeded from std::random_device.
  std::shared_ptr<spdlog::logger> logger;  // Unset: spdlog's default logger at each use.
};

class RequestExecutor : public Fetcher {
 public:
  // Throws Error(kInvalidInput) for a null budget or an invalid retry policy.
  explicit RequestExecutor(std::shared_ptr<RateBudget> budget, RequestExecutorOptions options = {},
                           Clock& clock = SystemClock::Instance());
  ~RequestExecutor() override;

  // Returns the first response that passes `classify` (when given) and has a
  // status below 400. Throws the last Error when the attempts run out or the
  // failure is final, its message starting with `request.what`.
  HttpResponse Fetch(const FetchRequest& request, const ResponseClassifier& classify) override;

 private:
  class ClientLease;

  // Sends one attempt; `response` keeps what arrived, for its Retry-After.
  HttpResponse Attempt(const FetchRequest& request, const ResponseClassifier& classify,
                       std::optional<HttpResponse>& response);
  // The wait before the next attempt; throws when the server asks for too long.
  std::chrono::milliseconds WaitBeforeRetry(const FetchRequest& request, ErrorCode code,
                                            int attempt,
                                            const std::optional<HttpResponse>& response,
                                            Backoff& backoff);
  uint64_t NextSeed();
  spdlog::logger& Logger() const;

  std::shared_ptr<RateBudget> budget_;
  RequestExecutorOptions options_;
  Clock& clock_;

  std::mutex mutex_;
  std::vector<std::unique_ptr<HttpClient>> idle_clients_;  // Guarded by mutex_.
  uint64_t next_seed_;                                     // Guarded by mutex_.
};

}  // namespace macropipe
