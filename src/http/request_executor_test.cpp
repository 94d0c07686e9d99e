#include "http/request_executor.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include <atomic>
#include <sstream>
#include <thread>

#include "core/error.h"
#include "core/metrics.h"
#include "http/fake_clock.h"
#include "replay_server.h"
#include "test_support.h"

namespace macropipe {
namespace {

using std::chrono::milliseconds;

constexpr char kKey[] = "S3CRETKEY123";

constexpr char kRecordings[] = R"({"recordings": [
  {"request": {"uri": "/fred/series/observations?series_id=GDP&file_type=json"},
   "response": {"status": 200, "headers": {"Content-Type": "application/json"},
                "body": "{\"count\": 1, \"observations\": [{\"date\": \"2024-01-01\", \"value\": \"1.0\"}]}"}},
  {"request": {"uri": "/fred/series/observations?series_id=BAD&file_type=json"},
   "response": {"status": 400, "headers": {"Content-Type": "application/json"},
                "body": "{\"error_code\": 400, \"error_message\": \"Bad Request.  The series does not exist.\"}"}}
]})";

// A replay server with the recordings above, a log capture and executor options
// with short delays, for one test.
class ExecutorHarness {
 public:
  explicit ExecutorHarness(const std::vector<std::string>& server_arguments = {})
      : server_(WriteRecordings(dir_), server_arguments),
        clock_(std::chrono::sys_days(std::chrono::year{2024} / 5 / 1) + std::chrono::hours(13)) {
    logger_ = std::make_shared<spdlog::logger>(
        "executor-test", std::make_shared<spdlog::sinks::ostream_sink_mt>(log_));
    options_.retry = {.max_attempts = 4,
                      .initial_delay = milliseconds(10),
                      .multiplier = 2.0,
                      .max_delay = milliseconds(50),
                      .jitter = 0.1};
    options_.timeout = milliseconds(5000);
    options_.jitter_seed = 1;
    options_.logger = logger_;
  }

  std::string GoodUrl() const {
    return server_.Url(std::string("/fred/series/observations?series_id=GDP&api_key=") + kKey +
                       "&file_type=json");
  }
  std::string BadUrl() const {
    return server_.Url(
        std::string("/fred/series/observations?series_id=BAD&file_type=json&api_key=") + kKey);
  }
  FetchRequest Good() const { return {GoodUrl(), {}, "series GDP"}; }

  // An executor on the fake clock, so waits take no real time.
  RequestExecutor FakeTimeExecutor(RateLimits limits = {}, const std::string& source = "fred") {
    budget_ = std::make_shared<RateBudget>(source, limits, RateBudgetOptions{}, clock_);
    return RequestExecutor(budget_, options_, clock_);
  }

  testing::ReplayServer& server() { return server_; }
  FakeClock& clock() { return clock_; }
  RequestExecutorOptions& options() { return options_; }
  RateBudget& budget() { return *budget_; }
  std::string Log() {
    logger_->flush();
    return log_.str();
  }

 private:
  static std::filesystem::path WriteRecordings(const testing::ScratchDir& dir) {
    testing::WriteText(dir / "replay.json", kRecordings);
    return dir.path();
  }

  testing::ScratchDir dir_;
  testing::ReplayServer server_;
  FakeClock clock_;
  std::ostringstream log_;
  std::shared_ptr<spdlog::logger> logger_;
  RequestExecutorOptions options_;
  std::shared_ptr<RateBudget> budget_;
};

int64_t Requests(testing::ReplayServer& server) {
  return server.Stats()["requests_total"].get<int64_t>();
}

// Throws kRateLimited for an AlphaVantage-style throttle note and
// kQuotaExhausted for an "Information" body that reports the daily limit.
void ClassifyThrottleBody(const HttpResponse& response) {
  if (response.body.find("\"Note\"") != std::string::npos) {
    throw Error(ErrorCode::kRateLimited, "throttled: " + response.body);
  }
  if (response.body.find("\"Information\"") != std::string::npos) {
    throw Error(ErrorCode::kQuotaExhausted, "daily limit reached: " + response.body);
  }
}

TEST(RequestExecutorTest, ServerErrorRetriedThenSucceeds) {
  ExecutorHarness harness;
  harness.server().AddFaults(R"({"kind": "status", "status": 500, "count": 2})");
  RequestExecutor executor = harness.FakeTimeExecutor();
  HttpResponse response = executor.Fetch(harness.Good(), nullptr);
  EXPECT_EQ(response.status, 200);
  EXPECT_NE(response.body.find("observations"), std::string::npos);
  EXPECT_EQ(Requests(harness.server()), 3);
  std::string log = harness.Log();
  EXPECT_NE(log.find("series GDP: GET"), std::string::npos) << log;
  EXPECT_NE(log.find("attempt 1 of 4"), std::string::npos) << log;
  EXPECT_NE(log.find("attempt 2 of 4"), std::string::npos) << log;
  EXPECT_NE(log.find("HTTP 500"), std::string::npos) << log;
  EXPECT_NE(log.find("retrying in"), std::string::npos) << log;
}

TEST(RequestExecutorTest, TransientFaultsRetried) {
  struct Case {
    const char* fault;
    // Part of the logged reason, or null where libcurl retries by itself: it
    // resends a request once on a new connection when a reused connection
    // closes without a response, so the executor sees no failure.
    const char* logged;
  };
  const Case cases[] = {
      {R"({"kind": "reset"})", "reset"},
      {R"({"kind": "truncate"})", "truncated"},
      {R"({"kind": "empty"})", nullptr},
      {R"({"kind": "status", "status": 503})", "HTTP 503"},
      {R"({"kind": "html", "status": 502})", "HTML page: Service Unavailable"},
      {R"({"kind": "slow", "delay_ms": 1500})", "timed out"},
  };
  ExecutorHarness harness;
  harness.options().timeout = milliseconds(500);
  RequestExecutor executor = harness.FakeTimeExecutor();
  int64_t sent = 0;
  for (const Case& c : cases) {
    SCOPED_TRACE(c.fault);
    harness.server().AddFaults(c.fault);
    HttpResponse response = executor.Fetch(harness.Good(), nullptr);
    EXPECT_EQ(response.status, 200);
    sent += 2;
    EXPECT_EQ(Requests(harness.server()), sent);
    if (c.logged != nullptr) {
      EXPECT_NE(harness.Log().find(c.logged), std::string::npos) << harness.Log();
    }
  }
}

TEST(RequestExecutorTest, RateLimitedWaitsForRetryAfter) {
  struct Case {
    const char* name;
    const char* fault;
    RateLimits limits;
    milliseconds wait;
  };
  const Case cases[] = {
      {"Retry-After seconds",
       R"({"kind": "status", "status": 429, "headers": {"Retry-After": "7"}})",
       {},
       milliseconds(7000)},
      {"Retry-After HTTP-date",
       R"({"kind": "status", "status": 429, "headers": {"Retry-After": "Wed, 01 May 2024 13:02:00 GMT"}})",
       {},
       milliseconds(120000)},
      {"no Retry-After, per-minute budget",
       R"({"kind": "status", "status": 429})",
       {.per_minute = 1000},
       milliseconds(60000)},
      {"no Retry-After, no window",
       R"({"kind": "status", "status": 429})",
       {},
       milliseconds(60000)},
      {"503 with Retry-After",
       R"({"kind": "status", "status": 503, "headers": {"Retry-After": "30"}})",
       {},
       milliseconds(30000)},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    ExecutorHarness harness;
    harness.server().AddFaults(c.fault);
    RequestExecutor executor = harness.FakeTimeExecutor(c.limits);
    auto start = harness.clock().Elapsed();
    HttpResponse response = executor.Fetch(harness.Good(), nullptr);
    EXPECT_EQ(response.status, 200);
    EXPECT_GE(harness.clock().Elapsed() - start, c.wait);
    EXPECT_LT(harness.clock().Elapsed() - start, c.wait + milliseconds(1000));
    EXPECT_EQ(Requests(harness.server()), 2);
  }
}

TEST(RequestExecutorTest, CountsAttemptsRefusalsAndLatency) {
  ExecutorHarness harness;
  harness.server().AddFaults(
      R"({"kind": "status", "status": 429, "headers": {"Retry-After": "1"}})");
  // A source name of its own keeps other tests' requests out of the counts.
  RequestExecutor executor = harness.FakeTimeExecutor({}, "executor-metrics");
  executor.Fetch(harness.Good(), nullptr);
  EXPECT_THROW(executor.Fetch({harness.BadUrl(), {}, "series BAD"}, nullptr), Error);

  std::string text = MetricsRegistry::Global().Prometheus();
  for (const char* line : {
           "macropipe_source_requests_total{source=\"executor-metrics\",outcome=\"success\"} 1\n",
           "macropipe_source_requests_total{source=\"executor-metrics\",outcome=\"rate_limited\"} "
           "1\n",
           "macropipe_source_requests_total{source=\"executor-metrics\",outcome=\"invalid_input\"} "
           "1\n",
           "macropipe_source_refusals_total{source=\"executor-metrics\",reason=\"rate_limited\"} "
           "1\n",
           "macropipe_source_request_duration_seconds_count{source=\"executor-metrics\"} 3\n",
           "macropipe_source_request_duration_seconds_bucket{source=\"executor-metrics\",le=\"+"
           "Inf\"} 3\n",
       }) {
    EXPECT_NE(text.find(line), std::string::npos) << line << text;
  }
}

TEST(RequestExecutorTest, OverlongRetryAfterFailsAtOnce) {
  ExecutorHarness harness;
  harness.options().max_server_wait = milliseconds(60000);
  harness.server().AddFaults(
      R"({"kind": "status", "status": 429, "headers": {"Retry-After": "3600"}})");
  RequestExecutor executor = harness.FakeTimeExecutor();
  try {
    executor.Fetch(harness.Good(), nullptr);
    FAIL() << "a wait of an hour was accepted";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kRateLimited);
    EXPECT_NE(std::string(error.what()).find("asked to wait 3600.0 s"), std::string::npos)
        << error.what();
  }
  EXPECT_EQ(Requests(harness.server()), 1);
}

TEST(RequestExecutorTest, BadRequestFailsWithServerMessage) {
  ExecutorHarness harness;
  RequestExecutor executor = harness.FakeTimeExecutor();
  try {
    executor.Fetch({harness.BadUrl(), {}, "series BAD"}, nullptr);
    FAIL() << "HTTP 400 did not throw";
  } catch (const Error& error) {
    std::string message = error.what();
    EXPECT_EQ(error.code(), ErrorCode::kInvalidInput);
    EXPECT_EQ(message.rfind("series BAD: HTTP 400", 0), 0u) << message;
    EXPECT_NE(message.find("The series does not exist."), std::string::npos) << message;
  }
  EXPECT_EQ(Requests(harness.server()), 1);
  EXPECT_EQ(harness.Log(), "");
}

TEST(RequestExecutorTest, OversizedBodyFailsWithoutRetry) {
  ExecutorHarness harness;
  harness.options().max_body_bytes = 20;
  RequestExecutor executor = harness.FakeTimeExecutor();
  try {
    executor.Fetch(harness.Good(), nullptr);
    FAIL() << "an oversized body did not throw";
  } catch (const Error& error) {
    std::string message = error.what();
    EXPECT_EQ(error.code(), ErrorCode::kInvalidInput);
    EXPECT_NE(message.find("larger than the limit of 20 bytes"), std::string::npos) << message;
    EXPECT_NE(message.find("/fred/series/observations?series_id=GDP&api_key=REDACTED"),
              std::string::npos)
        << message;
    EXPECT_EQ(message.find(kKey), std::string::npos) << message;
  }
  EXPECT_EQ(Requests(harness.server()), 1);
}

TEST(RequestExecutorTest, EchoedKeyRemovedFromBody) {
  ExecutorHarness harness;
  harness.server().AddFaults(std::string(R"({"kind": "status", "status": 200, "body": "key )") +
                             kKey + R"( echoed"})");
  RequestExecutor executor = harness.FakeTimeExecutor();
  EXPECT_EQ(executor.Fetch(harness.Good(), nullptr).body, "key REDACTED echoed");
}

TEST(RequestExecutorTest, OriginSendsEveryRequestToLoopback) {
  ExecutorHarness harness;
  harness.options().origin = harness.server().Url("");
  RequestExecutor executor = harness.FakeTimeExecutor();
  HttpResponse response = executor.Fetch(
      {std::string("https://api.stlouisfed.org/fred/series/observations?series_id=GDP&api_key=") +
           kKey + "&file_type=json",
       {},
       "series GDP"},
      nullptr);
  EXPECT_EQ(response.status, 200);
  EXPECT_NE(response.body.find("observations"), std::string::npos) << response.body;
  EXPECT_EQ(Requests(harness.server()), 1);
}

TEST(RequestExecutorTest, FinalStatusesNotRetried) {
  struct Case {
    int status;
    ErrorCode code;
  };
  const Case cases[] = {{401, ErrorCode::kUnauthenticated},
                        {403, ErrorCode::kPermissionDenied},
                        {404, ErrorCode::kNotFound},
                        {422, ErrorCode::kInvalidInput}};
  ExecutorHarness harness;
  RequestExecutor executor = harness.FakeTimeExecutor();
  int64_t sent = 0;
  for (const Case& c : cases) {
    SCOPED_TRACE("HTTP " + std::to_string(c.status));
    harness.server().AddFaults(R"({"kind": "status", "status": )" + std::to_string(c.status) + "}");
    try {
      executor.Fetch(harness.Good(), nullptr);
      ADD_FAILURE() << "no error thrown";
    } catch (const Error& error) {
      EXPECT_EQ(error.code(), c.code);
    }
    EXPECT_EQ(Requests(harness.server()), ++sent);
  }
}

TEST(RequestExecutorTest, AttemptsRunOut) {
  ExecutorHarness harness;
  harness.options().retry.max_attempts = 3;
  harness.server().AddFaults(R"({"kind": "status", "status": 503, "count": 10})");
  RequestExecutor executor = harness.FakeTimeExecutor();
  try {
    executor.Fetch(harness.Good(), nullptr);
    FAIL() << "a request that always fails succeeded";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kUnavailable);
    EXPECT_NE(std::string(error.what()).find("gave up after 3 attempts"), std::string::npos)
        << error.what();
  }
  EXPECT_EQ(Requests(harness.server()), 3);
}

TEST(RequestExecutorTest, ThrottleBodyClassifiedAndRetried) {
  ExecutorHarness harness;
  harness.options().rate_limited_wait = milliseconds(15000);
  harness.server().AddFaults(R"({"kind": "throttle"})");
  RequestExecutor executor = harness.FakeTimeExecutor();
  HttpResponse response = executor.Fetch(harness.Good(), ClassifyThrottleBody);
  EXPECT_NE(response.body.find("observations"), std::string::npos);
  EXPECT_EQ(Requests(harness.server()), 2);
  EXPECT_GE(harness.clock().Elapsed(), milliseconds(15000));
  EXPECT_NE(harness.Log().find("(rate_limited)"), std::string::npos) << harness.Log();
}

TEST(RequestExecutorTest, QuotaBodyStopsLaterRequests) {
  ExecutorHarness harness;
  harness.server().AddFaults(
      R"({"kind": "throttle", "body": "{\"Information\": \"25 requests per day reached.\"}"})");
  RequestExecutor executor = harness.FakeTimeExecutor({.per_day = 25});
  for (int i = 0; i < 2; ++i) {
    SCOPED_TRACE("request " + std::to_string(i + 1));
    try {
      executor.Fetch(harness.Good(), ClassifyThrottleBody);
      ADD_FAILURE() << "an exhausted quota did not throw";
    } catch (const Error& error) {
      EXPECT_EQ(error.code(), ErrorCode::kQuotaExhausted);
    }
  }
  EXPECT_EQ(Requests(harness.server()), 1) << "the second request must not be sent";
}

TEST(RequestExecutorTest, KeyNeverInLogsOrErrors) {
  ExecutorHarness harness;
  harness.server().AddFaults(std::string(R"([{"kind": "reset"}, {"kind": "truncate"},
      {"kind": "status", "status": 500, "body": "{\"error_message\": \"bad key )") +
                             kKey +
                             R"(\"}"},
      {"kind": "throttle", "body": "{\"Note\": \"key )" +
                             kKey + R"( is throttled\"}"}])");
  RequestExecutor executor = harness.FakeTimeExecutor();
  harness.options().retry.max_attempts = 5;
  RequestExecutor patient = harness.FakeTimeExecutor();
  std::vector<std::string> messages;
  EXPECT_NO_THROW(patient.Fetch(harness.Good(), ClassifyThrottleBody));
  try {
    patient.Fetch({harness.BadUrl(), {}, "series BAD"}, nullptr);
  } catch (const Error& error) {
    messages.push_back(error.what());
  }
  harness.server().AddFaults(R"({"kind": "status", "status": 503, "count": 10})");
  try {
    executor.Fetch(harness.Good(), nullptr);
  } catch (const Error& error) {
    messages.push_back(error.what());
  }

  ASSERT_EQ(messages.size(), 2u);
  for (const std::string& message : messages) {
    EXPECT_EQ(message.find(kKey), std::string::npos) << message;
    EXPECT_NE(message.find("REDACTED"), std::string::npos) << message;
  }
  std::string log = harness.Log();
  EXPECT_EQ(log.find(kKey), std::string::npos) << log;
  EXPECT_NE(log.find("api_key=REDACTED"), std::string::npos) << log;
  EXPECT_NE(log.find("bad key REDACTED"), std::string::npos) << log;
}

TEST(RequestExecutorTest, BudgetMatchingServerLimitSendsNothingOver) {
  // The server admits 50 requests per second with at most 5 at once, so a
  // client must space its requests. The budget spaces them 20 ms apart.
  ExecutorHarness harness({"--rate-limit", "50", "--rate-burst", "5"});
  harness.options().retry.max_attempts = 1;
  auto budget = std::make_shared<RateBudget>("fred", RateLimits{.per_second = 50});
  RequestExecutor executor(budget, harness.options());
  std::atomic<int> failures = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 15; ++i) {
        try {
          executor.Fetch(harness.Good(), nullptr);
        } catch (const Error&) {
          ++failures;
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  nlohmann::json stats = harness.server().Stats();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(stats["requests_total"], 60);
  EXPECT_EQ(stats["rate_violations"], 0);

  // The same requests without a budget exceed the limit, so the check above can fail.
  threads.clear();
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      HttpClient client;
      DirectFetcher direct(client);
      for (int i = 0; i < 10; ++i) direct.Fetch(harness.Good(), nullptr);
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_GT(harness.server().Stats()["rate_violations"].get<int>(), 0);
}

}  // namespace
}  // namespace macropipe
