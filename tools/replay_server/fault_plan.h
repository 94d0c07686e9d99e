// Faults the replay server injects in place of recorded responses, queued in
// the order they were added and used up request by request.
//
//   FaultPlan plan;
//   plan.Add(ParseFault(nlohmann::json::parse(R"({"kind": "status", "status": 500, "count":
//   2})"))); std::optional<Fault> fault = plan.Take("/fred/series");  // The 500, twice.
//
// A fault is a JSON object (the same on the command line and for
// POST /_replay/faults):
//   kind          status | slow | truncate | reset | empty | throttle | html
//   count         how many requests it applies to (default 1)
//   path          applies only to request paths starting with this (default all)
//   parameter     "name=value": applies only to requests with that query
//                 parameter, e.g. "series_id=GDP" (default all)
//   status        HTTP status for status (default 500) and html (default 200)
//   body          body for status, throttle and html, and the body truncate cuts
//   content_type  Content-Type of that body
//   headers       extra response headers, e.g. {"Retry-After": "2"}
//   delay_ms      the delay of slow (default 2000) before the normal response
// Kinds:
//   status    responds with that status
//   slow      delays the normal response
//   truncate  declares the whole body's Content-Length, sends half and closes
//   reset     aborts the connection with a TCP RST
//   empty     closes the connection without a response
//   throttle  responds with HTTP 200 and a rate-limit note in place of data
//             (an AlphaVantage-style {"Note": ...} by default)
//   html      responds with an HTML error page
//
// Thread-safe.
#pragma once

#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "http/query.h"

namespace macropipe::replay {

enum class FaultKind { kStatus, kSlow, kTruncate, kReset, kEmpty, kThrottle, kHtml };

struct Fault {
  FaultKind kind = FaultKind::kStatus;
  int count = 1;
  std::string path;
  std::string parameter;  // "name=value", or empty for every request.
  int status = 500;
  std::optional<std::string> body;
  std::string content_type;
  std::map<std::string, std::string> headers;
  int delay_ms = 2000;
};

std::string FaultKindName(FaultKind kind);

// Parses one fault object. Throws macropipe::Error(kInvalidInput) naming the
// field that is wrong.
Fault ParseFault(const nlohmann::json& json);

// Parses a fault given on the command line: a JSON object, or the short form
// "kind=status,status=503,count=2" (values without commas).
Fault ParseFaultArgument(const std::string& text);

// Parses the body of POST /_replay/faults: one fault object, an array of
// them, or {"faults": [...]}.
std::vector<Fault> ParseFaultList(const nlohmann::json& json);

class FaultPlan {
 public:
  void Add(Fault fault);
  void Clear();
  // Takes one use of the first fault that applies to a request for `path`
  // with `parameters`, or nullopt.
  std::optional<Fault> Take(const std::string& path, const QueryParameters& parameters = {});
  // The faults not yet used up, as JSON.
  nlohmann::json Pending();

 private:
  std::mutex mutex_;
  std::vector<Fault> faults_;  // Guarded by mutex_.
};

}  // namespace macropipe::replay
