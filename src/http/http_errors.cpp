#include "http/http_errors.h"

#include <curl/curl.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <nlohmann/json.hpp>
#include <vector>

#include "core/url.h"
#include "http/query.h"

namespace macropipe {
namespace {

constexpr size_t kMaxMessageLength = 300;

std::string Trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  return std::string(text);
}

// Folds runs of white space into one space and cuts the text to the maximum length.
std::string Shorten(std::string_view text) {
  std::string out;
  for (char c : text) {
    bool space = std::isspace(static_cast<unsigned char>(c)) != 0;
    if (space && (out.empty() || out.back() == ' ')) continue;
    out.push_back(space ? ' ' : c);
  }
  out = Trim(out);
  if (out.size() > kMaxMessageLength) out = out.substr(0, kMaxMessageLength) + "...";
  return out;
}

std::string Lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::optional<std::string> JsonMessage(std::string_view body) {
  nlohmann::json json = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object()) return std::nullopt;
  for (const char* field :
       {"error_message", "message", "Error Message", "error", "Information", "Note", "detail"}) {
    auto it = json.find(field);
    if (it != json.end() && it->is_string()) return it->get<std::string>();
  }
  return std::nullopt;
}

std::optional<std::string> HtmlTitle(std::string_view body) {
  std::string lower = Lower(body);
  size_t open = lower.find("<title>");
  if (open == std::string::npos) return std::nullopt;
  size_t start = open + 7;
  size_t close = lower.find("</title>", start);
  if (close == std::string::npos) return std::nullopt;
  return std::string(body.substr(start, close - start));
}

// What to do next for a final error of this code.
std::string Advice(ErrorCode code) {
  switch (code) {
    case ErrorCode::kUnauthenticated:
      return "check that the API key is set and valid";
    case ErrorCode::kPermissionDenied:
      return "check the key's permissions and, for SEC EDGAR, the declared User-Agent";
    case ErrorCode::kNotFound:
      return "check the series id or path in the source's configuration";
    case ErrorCode::kRateLimited:
      return "wait for the server's rate window, or lower the source's rate limits";
    case ErrorCode::kUnavailable:
      return "the server failed; try again later";
    default:
      return "fix the request parameters in the source's configuration";
  }
}

int MonthNumber(std::string_view token) {
  static constexpr std::array<std::string_view, 12> kMonths = {
      "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"};
  std::string lower = Lower(token.substr(0, 3));
  for (size_t i = 0; i < kMonths.size(); ++i) {
    if (token.size() >= 3 && lower == kMonths[i]) return static_cast<int>(i) + 1;
  }
  return 0;
}

std::optional<int> Number(std::string_view token) {
  if (token.empty() || token.size() > 4) return std::nullopt;
  int value = 0;
  for (char c : token) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return value;
}

std::vector<std::string_view> Tokens(std::string_view text) {
  std::vector<std::string_view> tokens;
  size_t start = 0;
  for (size_t i = 0; i <= text.size(); ++i) {
    bool separator =
        i == text.size() || text[i] == ' ' || text[i] == ',' || text[i] == '-' || text[i] == ':';
    if (!separator) continue;
    if (i > start) tokens.push_back(text.substr(start, i - start));
    start = i + 1;
  }
  return tokens;
}

// Parses the three HTTP-date forms of RFC 9110 section 5.6.7.
std::optional<std::chrono::system_clock::time_point> ParseHttpDate(std::string_view text) {
  std::vector<std::string_view> tokens = Tokens(text);
  if (!tokens.empty() && MonthNumber(tokens.front()) == 0 && !Number(tokens.front())) {
    tokens.erase(tokens.begin());  // The day of the week.
  }
  if (!tokens.empty() && Lower(tokens.back()) == "gmt") tokens.pop_back();
  if (tokens.size() != 6) return std::nullopt;

  // asctime: "Nov 6 08:49:37 1994"; IMF-fixdate and RFC 850: "06 Nov 1994 08:49:37".
  bool asctime = MonthNumber(tokens[0]) != 0;
  std::string_view month_token = asctime ? tokens[0] : tokens[1];
  std::optional<int> day = Number(asctime ? tokens[1] : tokens[0]);
  std::optional<int> year = Number(asctime ? tokens[5] : tokens[2]);
  std::optional<int> hour = Number(asctime ? tokens[2] : tokens[3]);
  std::optional<int> minute = Number(asctime ? tokens[3] : tokens[4]);
  std::optional<int> second = Number(asctime ? tokens[4] : tokens[5]);
  int month = MonthNumber(month_token);
  if (month == 0 || !day || !year || !hour || !minute || !second) return std::nullopt;
  if (*year < 100) *year += *year < 70 ? 2000 : 1900;  // RFC 850's two-digit years.
  if (*hour > 23 || *minute > 59 || *second > 60) return std::nullopt;

  std::chrono::year_month_day date{std::chrono::year(*year),
                                   std::chrono::month(static_cast<unsigned>(month)),
                                   std::chrono::day(static_cast<unsigned>(*day))};
  if (!date.ok()) return std::nullopt;
  return std::chrono::sys_days(date) + std::chrono::hours(*hour) + std::chrono::minutes(*minute) +
         std::chrono::seconds(*second);
}

}  // namespace

std::optional<ErrorCode> ErrorCodeForStatus(long status) {
  if (status < 400) return std::nullopt;
  if (status >= 500 || status == 408) return ErrorCode::kUnavailable;
  switch (status) {
    case 401:
      return ErrorCode::kUnauthenticated;
    case 403:
      return ErrorCode::kPermissionDenied;
    case 404:
    case 410:
      return ErrorCode::kNotFound;
    case 429:
      return ErrorCode::kRateLimited;
    default:
      return ErrorCode::kInvalidInput;
  }
}

ErrorCode ErrorCodeForCurl(int curl_code) {
  switch (static_cast<CURLcode>(curl_code)) {
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
    case CURLE_TOO_MANY_REDIRECTS:
      return ErrorCode::kInvalidInput;
    case CURLE_FILE_COULDNT_READ_FILE:
    case CURLE_REMOTE_FILE_NOT_FOUND:
      return ErrorCode::kNotFound;
    case CURLE_LOGIN_DENIED:
      return ErrorCode::kUnauthenticated;
    case CURLE_REMOTE_ACCESS_DENIED:
      return ErrorCode::kPermissionDenied;
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_NOT_BUILT_IN:
    case CURLE_FUNCTION_NOT_FOUND:
      return ErrorCode::kFailedPrecondition;
    case CURLE_FAILED_INIT:
    case CURLE_OUT_OF_MEMORY:
    case CURLE_BAD_FUNCTION_ARGUMENT:
      return ErrorCode::kInternal;
    default:
      // Resolution, connection, send and receive failures, resets, timeouts,
      // truncated and undecodable bodies: a later try can succeed.
      return ErrorCode::kUnavailable;
  }
}

std::string DescribeCurlError(int curl_code) {
  switch (static_cast<CURLcode>(curl_code)) {
    case CURLE_COULDNT_RESOLVE_HOST:
      return "the host name could not be resolved";
    case CURLE_COULDNT_CONNECT:
      return "the connection was refused or could not be made";
    case CURLE_OPERATION_TIMEDOUT:
      return "the request timed out";
    case CURLE_PARTIAL_FILE:
      return "the response body was truncated: the server closed the connection before sending "
             "the length it declared";
    case CURLE_RECV_ERROR:
      return "receiving failed, usually because the connection was reset by the server";
    case CURLE_SEND_ERROR:
      return "sending failed, usually because the connection was reset by the server";
    case CURLE_GOT_NOTHING:
      return "the server closed the connection without sending a response";
    case CURLE_BAD_CONTENT_ENCODING:
      return "the compressed response body could not be decoded, so it is probably truncated";
    case CURLE_PEER_FAILED_VERIFICATION:
      return "the server's TLS certificate could not be verified; check the system's CA "
             "certificates";
    default:
      return curl_easy_strerror(static_cast<CURLcode>(curl_code));
  }
}

std::string ServerMessage(const HttpResponse& response) {
  if (auto message = JsonMessage(response.body)) return Shorten(*message);
  if (auto title = HtmlTitle(response.body)) return Shorten("HTML page: " + *title);
  std::string text = Shorten(response.body);
  return text.empty() ? "(empty body)" : text;
}

void ThrowForStatus(const HttpResponse& response, std::string_view url) {
  ErrorCode code = ErrorCodeForStatus(response.status).value_or(ErrorCode::kInternal);
  std::string message = "HTTP " + std::to_string(response.status) + " from " + RedactUrl(url) +
                        ": " + RedactCredentials(ServerMessage(response), url) + "; " +
                        Advice(code);
  throw Error(code, message);
}

std::optional<std::chrono::seconds> ParseRetryAfter(std::string_view value,
                                                    std::chrono::system_clock::time_point now) {
  std::string text = Trim(value);
  if (text.empty()) return std::nullopt;
  if (std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c); })) {
    if (text.size() > 9) return std::nullopt;  // Over 30 years: not a real delay.
    return std::chrono::seconds(std::stol(text));
  }

  std::optional<std::chrono::system_clock::time_point> date = ParseHttpDate(text);
  if (!date) return std::nullopt;
  if (*date <= now) return std::chrono::seconds(0);
  return std::chrono::ceil<std::chrono::seconds>(*date - now);
}

}  // namespace macropipe
