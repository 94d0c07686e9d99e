// Errors as HTTP responses in the problem-details form (RFC 7807), as
// Airflow's stable API returns them:
//
//   {"type": "about:blank", "title": "Not Found", "status": 404,
//    "detail": "run 'x' is not in the state database"}
//
// Plain functions; safe to call from any thread.
#pragma once

#include <httplib.h>

#include <string>

#include "core/error.h"

namespace macropipe::server {

// The HTTP status for an error code, for example 404 for kNotFound.
int HttpStatus(ErrorCode code);

// Writes a problem-details body with `status` and `detail` into `response`.
void WriteProblem(httplib::Response& response, int status, const std::string& detail);

// Writes `error` as a problem-details body with the status of its code.
void WriteProblem(httplib::Response& response, const Error& error);

}  // namespace macropipe::server
