#include "http/http_errors.h"

#include <curl/curl.h>
#include <gtest/gtest.h>

namespace macropipe {
namespace {

std::chrono::system_clock::time_point At(int year, unsigned month, unsigned day, int hour,
                                         int minute, int second) {
  return std::chrono::sys_days(std::chrono::year{year} / month / day) + std::chrono::hours(hour) +
         std::chrono::minutes(minute) + std::chrono::seconds(second);
}

TEST(HttpErrorsTest, StatusesMapToCodes) {
  struct Case {
    long status;
    std::optional<ErrorCode> code;
  };
  const Case cases[] = {
      {0, std::nullopt},
      {200, std::nullopt},
      {204, std::nullopt},
      {304, std::nullopt},
      {400, ErrorCode::kInvalidInput},
      {401, ErrorCode::kUnauthenticated},
      {403, ErrorCode::kPermissionDenied},
      {404, ErrorCode::kNotFound},
      {408, ErrorCode::kUnavailable},
      {410, ErrorCode::kNotFound},
      {422, ErrorCode::kInvalidInput},
      {429, ErrorCode::kRateLimited},
      {500, ErrorCode::kUnavailable},
      {502, ErrorCode::kUnavailable},
      {503, ErrorCode::kUnavailable},
      {504, ErrorCode::kUnavailable},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE("HTTP " + std::to_string(c.status));
    EXPECT_EQ(ErrorCodeForStatus(c.status), c.code);
  }
}

TEST(HttpErrorsTest, CurlCodesMapToCodes) {
  struct Case {
    CURLcode curl;
    ErrorCode code;
  };
  const Case cases[] = {
      {CURLE_COULDNT_RESOLVE_HOST, ErrorCode::kUnavailable},
      {CURLE_COULDNT_CONNECT, ErrorCode::kUnavailable},
      {CURLE_OPERATION_TIMEDOUT, ErrorCode::kUnavailable},
      {CURLE_PARTIAL_FILE, ErrorCode::kUnavailable},
      {CURLE_RECV_ERROR, ErrorCode::kUnavailable},
      {CURLE_SEND_ERROR, ErrorCode::kUnavailable},
      {CURLE_GOT_NOTHING, ErrorCode::kUnavailable},
      {CURLE_BAD_CONTENT_ENCODING, ErrorCode::kUnavailable},
      {CURLE_URL_MALFORMAT, ErrorCode::kInvalidInput},
      {CURLE_UNSUPPORTED_PROTOCOL, ErrorCode::kInvalidInput},
      {CURLE_FILE_COULDNT_READ_FILE, ErrorCode::kNotFound},
      {CURLE_PEER_FAILED_VERIFICATION, ErrorCode::kFailedPrecondition},
      {CURLE_OUT_OF_MEMORY, ErrorCode::kInternal},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(curl_easy_strerror(c.curl));
    EXPECT_EQ(ErrorCodeForCurl(c.curl), c.code);
  }
}

TEST(HttpErrorsTest, ServerMessageFoundInBody) {
  struct Case {
    const char* name;
    std::string body;
    std::string message;
  };
  const Case cases[] = {
      {"FRED JSON",
       R"({"error_code":400,"error_message":"Bad Request.  Variable series_id is not set."})",
       "Bad Request. Variable series_id is not set."},
      {"AlphaVantage", R"({"Error Message": "Invalid API call."})", "Invalid API call."},
      {"generic message", R"({"message": "Not Found"})", "Not Found"},
      {"HTML page", "<html><head><TITLE>Forbidden</TITLE></head><body>x</body></html>",
       "HTML page: Forbidden"},
      {"plain text", "error: unknown variable 'FOO'\n", "error: unknown variable 'FOO'"},
      {"empty", "", "(empty body)"},
      {"long text", std::string(400, 'x'), std::string(300, 'x') + "..."},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    HttpResponse response;
    response.status = 400;
    response.body = c.body;
    EXPECT_EQ(ServerMessage(response), c.message);
  }
}

TEST(HttpErrorsTest, ThrowForStatusHidesKeyAndNamesMessage) {
  HttpResponse response;
  response.status = 400;
  response.body = R"({"error_code":400,"error_message":"Bad key s3cr3t-key for series_id GDPX"})";
  try {
    ThrowForStatus(response,
                   "https://api.example.org/fred/series?series_id=GDPX&api_key=s3cr3t-key");
    FAIL() << "ThrowForStatus returned";
  } catch (const Error& error) {
    std::string message = error.what();
    EXPECT_EQ(error.code(), ErrorCode::kInvalidInput);
    EXPECT_EQ(message.find("s3cr3t-key"), std::string::npos) << message;
    EXPECT_NE(message.find("HTTP 400"), std::string::npos) << message;
    EXPECT_NE(message.find("api_key=REDACTED"), std::string::npos) << message;
    EXPECT_NE(message.find("for series_id GDPX"), std::string::npos) << message;
  }
}

TEST(HttpErrorsTest, RetryAfterParsed) {
  const auto now = At(2015, 10, 21, 7, 27, 0);
  struct Case {
    const char* value;
    std::optional<std::chrono::seconds> wait;
  };
  const Case cases[] = {
      {"120", std::chrono::seconds(120)},
      {" 0 ", std::chrono::seconds(0)},
      {"Wed, 21 Oct 2015 07:28:00 GMT", std::chrono::seconds(60)},
      {"Wednesday, 21-Oct-15 07:29:00 GMT", std::chrono::seconds(120)},
      {"Wed Oct 21 07:30:00 2015", std::chrono::seconds(180)},
      {"Wed, 21 Oct 2015 07:00:00 GMT", std::chrono::seconds(0)},
      {"", std::nullopt},
      {"-5", std::nullopt},
      {"1.5", std::nullopt},
      {"soon", std::nullopt},
      {"Wed, 32 Oct 2015 07:28:00 GMT", std::nullopt},
      {"Wed, 21 Foo 2015 07:28:00 GMT", std::nullopt},
      {"Wed, 21 Oct 2015 25:28:00 GMT", std::nullopt},
      {"99999999999", std::nullopt},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string("Retry-After: ") + c.value);
    EXPECT_EQ(ParseRetryAfter(c.value, now), c.wait);
  }
}

}  // namespace
}  // namespace macropipe
