// What a connector uses to make requests: one GET at a time, with the
// source's rate budget, retries and error classification applied by the
// implementation.
//
//   HttpResponse response = fetcher.Fetch({url, {}, "series CPIAUCSL"}, ClassifyFredBody);
//
// Implementations are thread-safe unless they say otherwise.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "http/http_client.h"
#include "http/query.h"

namespace macropipe {

// A source's request limits; every limit that is set applies at once.
struct RateLimits {
  // Default initializers let callers name only the limits they set, as in
  // {.per_minute = 120}, without -Wmissing-field-initializers.
  std::optional<double> per_second = std::nullopt;
  std::optional<double> per_minute = std::nullopt;
  std::optional<double> per_day = std::nullopt;
};

struct FetchRequest {
  std::string url;                   // May hold a key; it is redacted before any output.
  std::vector<std::string> headers;  // Extra "Name: value" lines.
  std::string what;                  // Names the request in logs, e.g. "series CPIAUCSL".
};

// Inspects a response with a 2xx or other status and throws Error with the
// right code when it is an error in disguise (a throttle body with HTTP 200)
// or a real error (4xx, 5xx). Returns normally for usable responses.
using ResponseClassifier = std::function<void(const HttpResponse& response)>;

// Replaces in `response`'s body every credential of `url` (an API key the
// server echoed back) with "REDACTED", so that no key reaches a classifier's
// message, a landing object or the warehouse. Values shorter than
// kMinEchoedCredentialLength are left alone.
inline void RedactEchoedCredentials(HttpResponse& response, const std::string& url) {
  if (QueryOf(url).empty()) return;
  response.body = RedactCredentials(response.body, url, kMinEchoedCredentialLength);
}

class Fetcher {
 public:
  virtual ~Fetcher() = default;
  virtual HttpResponse Fetch(const FetchRequest& request, const ResponseClassifier& classify) = 0;
};

// A Fetcher without rate budget or retries: one try, classified. For file URLs
// and tests.
class DirectFetcher : public Fetcher {
 public:
  explicit DirectFetcher(HttpClient& client) : client_(client) {}
  HttpResponse Fetch(const FetchRequest& request, const ResponseClassifier& classify) override {
    HttpResponse response = client_.Get(request.url, request.headers);
    RedactEchoedCredentials(response, request.url);
    if (classify) classify(response);
    return response;
  }

 private:
  HttpClient& client_;
};

}  // namespace macropipe
