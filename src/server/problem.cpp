#include "server/problem.h"

#include <nlohmann/json.hpp>

#include "server/request_params.h"

namespace macropipe::server {

int HttpStatus(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidInput:
      return 400;
    case ErrorCode::kNotFound:
      return 404;
    case ErrorCode::kUnauthenticated:
      return 401;
    case ErrorCode::kPermissionDenied:
      return 403;
    case ErrorCode::kFailedPrecondition:
      return 409;
    case ErrorCode::kUnavailable:
      return 503;
    case ErrorCode::kRateLimited:
    case ErrorCode::kQuotaExhausted:
      return 429;
    case ErrorCode::kInternal:
      return 500;
  }
  return 500;
}

namespace {

// The reason phrase of each status the API returns.
const char* StatusTitle(int status) {
  switch (status) {
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 409:
      return "Conflict";
    case 429:
      return "Too Many Requests";
    case 503:
      return "Service Unavailable";
    default:
      return status >= 500 ? "Internal Server Error" : "Error";
  }
}

}  // namespace

void WriteProblem(httplib::Response& response, int status, const std::string& detail) {
  nlohmann::json body = {{"type", "about:blank"},
                         {"title", StatusTitle(status)},
                         {"status", status},
                         {"detail", detail}};
  response.status = status;
  SetUncompressedContent(response, body.dump(), "application/problem+json");
}

void WriteProblem(httplib::Response& response, const Error& error) {
  WriteProblem(response, HttpStatus(error.code()), error.what());
}

}  // namespace macropipe::server
