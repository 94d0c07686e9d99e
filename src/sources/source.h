// The interface every connector implements, and the registry that creates
// connectors by their config `type`.
//
// A connector fetches its upstream data and lands it: raw responses and one
// normalized CSV per series (`date,value`, or `date,value,realtime_start,
// realtime_end` when the source publishes real-time periods). It never
// touches the warehouse. Adding a source is one file here that calls
// REGISTER_SOURCE; nothing else changes.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/config.h"
#include "core/date.h"
#include "core/error.h"
#include "http/fetcher.h"
#include "http/http_client.h"
#include "http/retry_policy.h"
#include "landing/landing_zone.h"

namespace macropipe {

struct FetchContext {
  LandingZone& landing;
  HttpClient& http;        // For plain downloads without a rate budget.
  std::string fetched_at;  // UTC timestamp shared by everything one run lands.
  // Requests through the source's rate budget and retry policy; null means
  // the connector should wrap `http` in a DirectFetcher.
  Fetcher* fetcher = nullptr;
  // Looks up a secret (an API key) by name in the environment or the secrets
  // file; null or nullopt when it is not set.
  std::function<std::optional<std::string>(const std::string& name)> secret;
  // Set for a backfill: fetch the data as it was known on this date. Only
  // sources whose fetches_as_of() is true can; the others fetch today's data.
  std::optional<Date> as_of = std::nullopt;
};

// Raised by a connector before any request when it cannot run, such as when
// its API key is not set. The pipeline logs it and goes on with other sources.
class SourceSkipped : public Error {
 public:
  explicit SourceSkipped(const std::string& message)
      : Error(ErrorCode::kUnauthenticated, message) {}
};

// Returns the secret `name` for source `source`, or throws SourceSkipped with
// a message saying how to set it.
std::string RequireSecret(const FetchContext& context, const std::string& source,
                          const std::string& name);

// A series (or a request serving several series) that could not be fetched,
// with the reason; the connector lands the others.
struct SeriesFailure {
  std::string series;
  std::string message;
  ErrorCode code = ErrorCode::kInternal;
  // True when the source's daily quota ran out first: the series was not
  // requested and a run after the quota resets fetches it.
  bool deferred = false;
};

struct FetchSummary {
  int objects_landed = 0;     // New versions stored.
  int objects_unchanged = 0;  // Fetched, but identical to what was landed before.
  int series = 0;             // Series seen in the response.
  int64_t rows_landed = 0;    // Data rows of the new series versions landed.
  std::vector<SeriesFailure> failures;
};

// Runs `fetch`, which fetches and parses `series`, and returns true. When it
// throws an Error, logs it under `source`, adds it to `failures` (deferred
// for an exhausted daily quota) and returns false. A rejected key concerns
// every series of the source, so that Error propagates.
bool FetchOrRecordFailure(const std::string& source, const std::string& series,
                          std::vector<SeriesFailure>& failures, const std::function<void()>& fetch);

// The sending rules of a source's requests: rate limits, retries, timeout and
// the largest accepted response.
struct RequestPolicy {
  RateLimits limits;
  RetryPolicy retry;
  std::chrono::milliseconds timeout{60000};  // Per attempt, connecting included.
  size_t max_response_bytes = HttpOptions::kDefaultMaxBodyBytes;
};

class Source {
 public:
  virtual ~Source() = default;
  virtual const std::string& name() const = 0;
  // Returns the rules for sending the source's requests. Its rate limits
  // apply across everything that uses the source.
  virtual RequestPolicy request_policy() const { return {}; }
  // Fetches, parses and lands everything this source is configured for.
  // Parsing happens before anything is landed, so malformed input lands nothing.
  virtual FetchSummary Fetch(FetchContext& context) = 0;

  // The parts of this source that can be fetched on their own, such as one
  // series or one symbol each, so that each becomes a task of its own. Empty
  // for a source fetched as a whole, such as one file holding every series.
  virtual std::vector<std::string> Parts() const { return {}; }
  // Fetches and lands one of Parts() as Fetch would. Throws
  // Error(kInvalidInput) for a part the source does not have.
  virtual FetchSummary FetchPart(FetchContext& context, const std::string& part);

  // True when the source honours FetchContext::as_of.
  virtual bool fetches_as_of() const { return false; }
};

using SourceFactory = std::function<std::unique_ptr<Source>(const SourceConfig&)>;

// Registers a factory for a config `type`; returns true so it can initialize a static.
bool RegisterSourceType(const std::string& type, SourceFactory factory);

// Creates the connector for a source config. Throws Error(kInvalidInput) for an
// unknown type or invalid options, naming the config file and line.
std::unique_ptr<Source> MakeSource(const SourceConfig& config);

// The registered type names, sorted.
std::vector<std::string> SourceTypes();

#define MACROPIPE_CONCAT_INNER(a, b) a##b
#define MACROPIPE_CONCAT(a, b) MACROPIPE_CONCAT_INNER(a, b)
// Registers `Class` (constructible from a SourceConfig) under `type`.
#define REGISTER_SOURCE(type, Class)                                                              \
  static const bool MACROPIPE_CONCAT(kRegistered, __LINE__) = ::macropipe::RegisterSourceType(    \
      type, [](const ::macropipe::SourceConfig& config) -> std::unique_ptr<::macropipe::Source> { \
        return std::make_unique<Class>(config);                                                   \
      })

}  // namespace macropipe
