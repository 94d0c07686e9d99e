#include "http/request_executor.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <random>

#include "core/error.h"
#include "core/metrics.h"
#include "core/url.h"
#include "http/http_errors.h"
#include "http/query.h"

namespace macropipe {
namespace {

std::string Seconds(std::chrono::milliseconds duration) {
  if (duration < std::chrono::seconds(1)) return fmt::format("{} ms", duration.count());
  return fmt::format("{:.1f} s", static_cast<double>(duration.count()) / 1000.0);
}

// The server's Retry-After on a response that carried one.
std::optional<std::chrono::milliseconds> RetryAfter(const std::optional<HttpResponse>& response,
                                                    Clock& clock) {
  if (!response) return std::nullopt;
  std::string value = response->Header("retry-after");
  if (value.empty()) return std::nullopt;
  std::optional<std::chrono::seconds> wait = ParseRetryAfter(value, clock.UtcNow());
  if (!wait) return std::nullopt;
  return std::chrono::milliseconds(*wait);
}

// The process's counts of each source's requests, as /metrics reports them.
struct SourceMetrics {
  Counter& requests;
  Counter& refusals;
  Histogram& latency;
};

SourceMetrics& Metrics() {
  MetricsRegistry& registry = MetricsRegistry::Global();
  static SourceMetrics metrics{
      registry.AddCounter("macropipe_source_requests_total",
                          "HTTP requests sent to each source by this process, by outcome: "
                          "success or the error code of a failed attempt."),
      registry.AddCounter("macropipe_source_refusals_total",
                          "Requests each source refused for its rate limit (HTTP 429 or a "
                          "throttle message) or its daily quota, by reason."),
      registry.AddHistogram("macropipe_source_request_duration_seconds",
                            "Time from sending a request to a source to its full response, "
                            "waits for the rate budget excluded.")};
  return metrics;
}

// Counts one attempt that ended with `code`, or with success when it is unset.
void RecordAttempt(const std::string& source, std::optional<ErrorCode> code,
                   std::optional<std::chrono::steady_clock::duration> elapsed) {
  SourceMetrics& metrics = Metrics();
  std::string outcome = code ? std::string(ErrorCodeName(*code)) : "success";
  metrics.requests.Increment({{"source", source}, {"outcome", outcome}});
  if (code == ErrorCode::kRateLimited || code == ErrorCode::kQuotaExhausted) {
    metrics.refusals.Increment({{"source", source}, {"reason", outcome}});
  }
  if (elapsed) {
    metrics.latency.Observe({{"source", source}}, std::chrono::duration<double>(*elapsed).count());
  }
}

}  // namespace

// An HTTP client taken from the executor's pool for one attempt and put back after it.
class RequestExecutor::ClientLease {
 public:
  explicit ClientLease(RequestExecutor& executor) : executor_(executor) {
    std::lock_guard lock(executor_.mutex_);
    if (!executor_.idle_clients_.empty()) {
      client_ = std::move(executor_.idle_clients_.back());
      executor_.idle_clients_.pop_back();
    }
  }
  ~ClientLease() {
    std::lock_guard lock(executor_.mutex_);
    executor_.idle_clients_.push_back(std::move(client_));
  }
  ClientLease(const ClientLease&) = delete;
  ClientLease& operator=(const ClientLease&) = delete;

  HttpClient& client() {
    if (client_) return *client_;
    HttpOptions options;
    options.connect_timeout =
        std::min(executor_.options_.connect_timeout, executor_.options_.timeout);
    options.total_timeout = executor_.options_.timeout;
    options.user_agent = executor_.options_.user_agent;
    options.headers = executor_.options_.headers;
    options.max_body_bytes = executor_.options_.max_body_bytes;
    options.origin = executor_.options_.origin;
    client_ = std::make_unique<HttpClient>(options);
    return *client_;
  }

 private:
  RequestExecutor& executor_;
  std::unique_ptr<HttpClient> client_;
};

RequestExecutor::RequestExecutor(std::shared_ptr<RateBudget> budget, RequestExecutorOptions options,
                                 Clock& clock)
    : budget_(std::move(budget)), options_(std::move(options)), clock_(clock) {
  if (!budget_) {
    throw Error(ErrorCode::kInvalidInput,
                "request executor needs a rate budget; get one from RateBudgetRegistry");
  }
  options_.retry.Validate();
  next_seed_ = options_.jitter_seed ? *options_.jitter_seed : std::random_device()();
}

RequestExecutor::~RequestExecutor() = default;

HttpResponse RequestExecutor::Fetch(const FetchRequest& request,
                                    const ResponseClassifier& classify) {
  Backoff backoff(options_.retry, NextSeed());
  const std::string url = RedactUrl(request.url);
  for (int attempt = 1;; ++attempt) {
    budget_->Acquire();
    std::optional<HttpResponse> response;
    try {
      return Attempt(request, classify, response);
    } catch (const Error& error) {
      ErrorCode code = error.code();
      std::string reason = RedactCredentials(error.what(), request.url);
      if (code == ErrorCode::kQuotaExhausted) budget_->ExhaustForToday();
      if (!ShouldRetry(code)) throw Error(code, request.what + ": " + reason);
      if (attempt >= options_.retry.max_attempts) {
        throw Error(code, request.what + ": gave up after " + std::to_string(attempt) +
                              " attempts: " + reason);
      }

      std::chrono::milliseconds wait = WaitBeforeRetry(request, code, attempt, response, backoff);
      Logger().warn("{}: GET {} failed on attempt {} of {} ({}): {}; retrying in {}", request.what,
                    url, attempt, options_.retry.max_attempts, ErrorCodeName(code), reason,
                    Seconds(wait));
      // A 429 slows every user of the source, not only this request.
      if (code == ErrorCode::kRateLimited) {
        budget_->PauseFor(wait);
      } else {
        clock_.SleepFor(wait);
      }
    }
  }
}

HttpResponse RequestExecutor::Attempt(const FetchRequest& request,
                                      const ResponseClassifier& classify,
                                      std::optional<HttpResponse>& response) {
  ClientLease lease(*this);
  auto start = std::chrono::steady_clock::now();
  std::optional<std::chrono::steady_clock::duration> elapsed;
  try {
    response = lease.client().Get(request.url, request.headers);
    elapsed = std::chrono::steady_clock::now() - start;
    RedactEchoedCredentials(*response, request.url);
    Logger().debug("{}: GET {}: HTTP {}, {} bytes{}", request.what, RedactUrl(request.url),
                   response->status, response->body.size(),
                   response->effective_url == RedactUrl(request.url)
                       ? ""
                       : " from " + RedactCredentials(response->effective_url, request.url));
    if (classify) classify(*response);
    if (ErrorCodeForStatus(response->status)) ThrowForStatus(*response, request.url);
  } catch (const Error& error) {
    // Without a response (a failed connection or a timeout) no latency is recorded.
    RecordAttempt(budget_->name(), error.code(), elapsed);
    throw;
  }
  RecordAttempt(budget_->name(), std::nullopt, elapsed);
  return std::move(*response);
}

std::chrono::milliseconds RequestExecutor::WaitBeforeRetry(
    const FetchRequest& request, ErrorCode code, int attempt,
    const std::optional<HttpResponse>& response, Backoff& backoff) {
  std::optional<std::chrono::milliseconds> server_wait = RetryAfter(response, clock_);
  std::chrono::milliseconds wait;
  if (code == ErrorCode::kRateLimited) {
    std::optional<std::chrono::seconds> window = budget_->Window();
    wait = server_wait ? *server_wait
           : window    ? std::chrono::milliseconds(*window)
                       : options_.rate_limited_wait;
  } else {
    wait = std::max(backoff.Delay(attempt), server_wait.value_or(std::chrono::milliseconds(0)));
  }

  if (server_wait && *server_wait > options_.max_server_wait) {
    throw Error(code, request.what + ": the server at " + RedactUrl(request.url) +
                          " asked to wait " + Seconds(*server_wait) +
                          " (Retry-After), more than the executor's limit of " +
                          Seconds(options_.max_server_wait) + "; run again after that time");
  }
  return wait;
}

uint64_t RequestExecutor::NextSeed() {
  std::lock_guard lock(mutex_);
  return next_seed_++;
}

spdlog::logger& RequestExecutor::Logger() const {
  return options_.logger ? *options_.logger : *spdlog::default_logger_raw();
}

}  // namespace macropipe
