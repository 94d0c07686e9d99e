#include "http/http_client.h"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/files.h"
#include "replay_server.h"
#include "test_support.h"

namespace macropipe {
namespace {

constexpr char kRecordings[] = R"({"recordings": [
  {"request": {"uri": "https://api.example.org/v1/data?b=2&a=1&api_key=RECORDED"},
   "response": {"status": 200, "headers": {"Content-Type": "text/plain", "Content-Encoding": "gzip",
                                           "X-Source": "recorded"},
                "body": "first"}},
  {"request": {"uri": "/v1/data?a=1&b=2"}, "response": {"body": "second"}},
  {"request": {"uri": "/v1/other"}, "response": {"status": 503, "body": "down"}}
]})";

std::filesystem::path WriteRecordings(const testing::ScratchDir& dir) {
  testing::WriteText(dir / "replay.json", kRecordings);
  return dir.path();
}

std::string Replay(const std::string& arguments) {
  return std::string(MACROPIPE_REPLAY_BINARY) + " " + arguments;
}

TEST(HttpClientTest, TransportFaultsAreUnavailable) {
  struct Case {
    const char* fault;
    const char* reason;
  };
  const Case cases[] = {
      {R"({"kind": "reset"})", "connection was reset"},
      {R"({"kind": "truncate"})", "response body was truncated"},
      {R"({"kind": "empty"})", "closed the connection without sending a response"},
      {R"({"kind": "slow", "delay_ms": 1500})", "timed out"},
  };
  testing::ScratchDir dir;
  testing::ReplayServer server(WriteRecordings(dir));
  HttpOptions options;
  options.total_timeout = std::chrono::milliseconds(400);
  HttpClient client(options);
  for (const Case& c : cases) {
    SCOPED_TRACE(c.fault);
    server.AddFaults(c.fault);
    try {
      client.Get(server.Url("/v1/data?a=1&b=2&apikey=SECRET42"));
      ADD_FAILURE() << "the fault did not throw";
    } catch (const Error& error) {
      std::string message = error.what();
      EXPECT_EQ(error.code(), ErrorCode::kUnavailable);
      EXPECT_NE(message.find(c.reason), std::string::npos) << message;
      EXPECT_NE(message.find("apikey=REDACTED"), std::string::npos) << message;
      EXPECT_EQ(message.find("SECRET42"), std::string::npos) << message;
    }
  }
}

TEST(HttpClientTest, OnlyLoopbackOriginsAccepted) {
  for (const char* origin : {"http://127.0.0.1:8080", "http://[::1]:1", "http://localhost"}) {
    SCOPED_TRACE(origin);
    EXPECT_NO_THROW(CheckLoopbackOrigin(origin, "test"));
  }
  for (const char* origin :
       {"", "https://127.0.0.1:8080", "http://192.0.2.1:80", "http://127.0.0.1:80/path",
        "http://127.0.0.1.example.org", "http://localhost:", "http://user@127.0.0.1"}) {
    SCOPED_TRACE(origin);
    try {
      CheckLoopbackOrigin(origin, "the variable X");
      ADD_FAILURE() << "no error";
    } catch (const Error& error) {
      std::string message = error.what();
      EXPECT_EQ(error.code(), ErrorCode::kInvalidInput);
      EXPECT_NE(message.find(std::string("'") + origin + "' in the variable X"), std::string::npos)
          << message;
    }
  }
  HttpOptions options;
  options.origin = "http://192.0.2.1";
  EXPECT_THROW(HttpClient{options}, Error);
}

TEST(HttpClientTest, ReplaceOriginKeepsPathAndQuery) {
  struct Case {
    const char* url;
    const char* expected;
  };
  const Case cases[] = {
      {"https://api.example.org/fred/series?a=1", "http://127.0.0.1:9/fred/series?a=1"},
      {"http://user:pw@api.example.org:8443/x", "http://127.0.0.1:9/x"},
      {"https://api.example.org?q=1", "http://127.0.0.1:9?q=1"},
      {"https://api.example.org", "http://127.0.0.1:9/"},
      {"file:///data/x.csv", "file:///data/x.csv"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.url);
    EXPECT_EQ(ReplaceOrigin(c.url, "http://127.0.0.1:9"), c.expected);
  }
  EXPECT_EQ(ReplaceOrigin("https://api.example.org/x", ""), "https://api.example.org/x");
}

TEST(HttpClientTest, BodyOverLimitFailsNamingUrl) {
  testing::ScratchDir dir;
  testing::ReplayServer server(WriteRecordings(dir));
  HttpOptions options;
  options.max_body_bytes = 5;
  HttpClient client(options);
  EXPECT_EQ(client.Get(server.Url("/v1/data?a=1&b=2")).body, "first") << "exactly the limit";
  EXPECT_EQ(client.Get(server.Url("/v1/other")).body, "down");
  options.max_body_bytes = 3;
  HttpClient small(options);
  try {
    small.Get(server.Url("/v1/data?a=1&b=2&apikey=SECRET42"));
    ADD_FAILURE() << "no error";
  } catch (const Error& error) {
    std::string message = error.what();
    EXPECT_EQ(error.code(), ErrorCode::kInvalidInput);
    EXPECT_NE(message.find("larger than the limit of 3 bytes"), std::string::npos) << message;
    EXPECT_NE(message.find("apikey=REDACTED"), std::string::npos) << message;
    EXPECT_EQ(message.find("SECRET42"), std::string::npos) << message;
  }
}

TEST(ReplayServerTest, MatchesIgnoringOrderAndCredentials) {
  testing::ScratchDir dir;
  testing::ReplayServer server(WriteRecordings(dir));
  HttpClient client;
  HttpResponse first = client.Get(server.Url("/v1/data?a=1&b=2&api_key=mine"));
  HttpResponse second = client.Get(server.Url("/v1/data?b=2&token=t&a=1"));
  HttpResponse repeated = client.Get(server.Url("/v1/data?a=1&b=2"));
  EXPECT_EQ(first.body, "first");
  EXPECT_EQ(first.Header("x-source"), "recorded");
  EXPECT_EQ(first.Header("content-type"), "text/plain");
  EXPECT_EQ(second.body, "second");
  EXPECT_EQ(repeated.body, "second");
  EXPECT_EQ(client.Get(server.Url("/v1/other")).status, 503);
}

TEST(ReplayServerTest, UnknownRequestNamesWhatWasAsked) {
  testing::ScratchDir dir;
  testing::ReplayServer server(WriteRecordings(dir));
  HttpClient client;
  HttpResponse response = client.Get(server.Url("/v1/data?a=1&b=3&api_key=SECRET42"));
  nlohmann::json body = nlohmann::json::parse(response.body);
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(body["path"], "/v1/data");
  EXPECT_EQ(body["method"], "GET");
  EXPECT_EQ(body["parameters"]["b"], "3");
  EXPECT_EQ(body["parameters"]["api_key"], "REDACTED");
  EXPECT_EQ(server.Stats()["unmatched"], 1);
}

TEST(ReplayServerTest, StatsCountRequestsAndFaults) {
  testing::ScratchDir dir;
  testing::ReplayServer server(WriteRecordings(dir), {"--fault", "kind=status,status=502,count=2"});
  HttpClient client;
  EXPECT_EQ(client.Get(server.Url("/v1/other")).status, 502);
  EXPECT_EQ(client.Get(server.Url("/v1/data?a=1&b=2")).status, 502);
  EXPECT_EQ(client.Get(server.Url("/v1/data?a=1&b=2")).status, 200);
  server.AddFaults(R"({"kind": "status", "status": 429, "path": "/v1/other"})");
  EXPECT_EQ(client.Get(server.Url("/v1/data?a=1&b=2")).status, 200);
  EXPECT_EQ(client.Get(server.Url("/v1/other")).status, 429);

  nlohmann::json stats = server.Stats();
  EXPECT_EQ(stats["requests_total"], 5);
  EXPECT_EQ(stats["requests_by_path"]["/v1/data"], 3);
  EXPECT_EQ(stats["requests_by_path"]["/v1/other"], 2);
  EXPECT_EQ(stats["requests_by_key"].size(), 2u);
  EXPECT_EQ(stats["faults_injected"]["status"], 3);
  EXPECT_EQ(stats["responses_429"], 1);
  EXPECT_EQ(stats["rate_violations"], 0);
}

TEST(ReplayServerTest, RateLimitSends429) {
  testing::ScratchDir dir;
  testing::ReplayServer server(WriteRecordings(dir), {"--rate-limit", "2", "--rate-burst", "2"});
  HttpClient client;
  int rejected = 0;
  for (int i = 0; i < 6; ++i) rejected += client.Get(server.Url("/v1/other")).status == 429;
  nlohmann::json stats = server.Stats();
  EXPECT_GE(rejected, 3);
  EXPECT_EQ(stats["rate_violations"], rejected);
  EXPECT_EQ(stats["responses_429"], rejected);
}

TEST(ReplayServerTest, InvalidFaultRejected) {
  testing::ScratchDir dir;
  testing::ReplayServer server(WriteRecordings(dir));
  const char* faults[] = {R"({"kind": "explode"})", R"({"kind": "status", "status": 99})",
                          R"({"kind": "status", "colour": "red"})", "not json"};
  for (const char* fault : faults) {
    SCOPED_TRACE(fault);
    EXPECT_THROW(server.AddFaults(fault), std::runtime_error);
  }
}

TEST(ReplayServerTest, ServesRecordedSidecars) {
  auto body_file = testing::RecordedFile("fixtures/fred/observations_GDP.json");
  if (!body_file)
    GTEST_SKIP() << testing::RecordedDataMissing("fixtures/fred/observations_GDP.json");
  testing::ReplayServer server(body_file->parent_path());
  HttpClient client;
  HttpResponse response =
      client.Get(server.Url("/fred/series/observations?series_id=GDP&api_key=x&file_type=json"));
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, ReadFile(*body_file));
  HttpResponse limited = client.Get(server.Url("/fred/source?source_id=1&file_type=json"));
  EXPECT_EQ(limited.status, 429);
  EXPECT_NE(limited.body.find("Exceeded Rate Limit"), std::string::npos) << limited.body;
}

TEST(ReplayServerTest, BodiesSentWithGzip) {
  testing::ScratchDir dir;
  std::string json = nlohmann::json({{"values", std::vector<int>(5000, 42)}}).dump();
  nlohmann::json recordings = {
      {{"request", {{"uri", "/json"}}},
       {"response", {{"headers", {{"Content-Type", "application/json"}}}, {"body", json}}}},
      {{"request", {{"uri", "/empty"}}}, {"response", {{"status", 404}, {"body", ""}}}}};
  testing::WriteText(dir / "replay.json", nlohmann::json({{"recordings", recordings}}).dump());
  testing::ReplayServer server(dir.path());
  HttpOptions options;
  options.total_timeout = std::chrono::seconds(5);
  HttpClient client(options);

  HttpResponse compressed = client.Get(server.Url("/json"));
  EXPECT_EQ(compressed.status, 200);
  EXPECT_EQ(compressed.Header("content-encoding"), "gzip");
  EXPECT_EQ(compressed.body, json);

  // An empty body is sent as it is, and at once.
  HttpResponse empty = client.Get(server.Url("/empty"));
  EXPECT_EQ(empty.status, 404);
  EXPECT_EQ(empty.Header("content-encoding"), "");
  EXPECT_EQ(empty.body, "");
}

TEST(ReplayServerTest, NonLoopbackHostRejected) {
  testing::ScratchDir dir;
  const char* hosts[] = {"0.0.0.0", "192.0.2.1", "::"};
  for (const char* host : hosts) {
    SCOPED_TRACE(host);
    std::string command = Replay(dir.path().string() + " --port 0 --host " + host + " 2>/dev/null");
    int status = std::system(command.c_str());
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 2);
  }
}

}  // namespace
}  // namespace macropipe
