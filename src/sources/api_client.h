// How a connector sends its requests: through the pipeline's Fetcher (rate
// budget and retries) when the context has one, otherwise through a
// DirectFetcher, so the same connector runs in a pipeline, from a test and
// against file:// URLs.
//
//   ApiClient api(context);
//   HttpResponse response = api.Get(url, "FRED series GDP", ClassifyFredResponse);
//
// Thread-compatible: one per Fetch call.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "http/fetcher.h"
#include "http/http_errors.h"
#include "sources/source.h"

namespace macropipe {

class ApiClient {
 public:
  // `user_agent`, when set, is sent with every request as a User-Agent header
  // of its FetchRequest, which replaces the HTTP client's default.
  explicit ApiClient(FetchContext& context, std::string user_agent = {});

  // Sends one GET and returns the classified response.
  HttpResponse Get(const std::string& url, const std::string& what,
                   const ResponseClassifier& classify);

  // Requests sent so far.
  int requests() const { return requests_; }

 private:
  std::unique_ptr<DirectFetcher> direct_;
  Fetcher* fetcher_ = nullptr;
  std::vector<std::string> headers_;
  int requests_ = 0;
};

// Percent-encodes every byte outside [A-Za-z0-9._~-] for a query value.
std::string EncodeQueryValue(std::string_view value);

// Appends `name=value` to the query of `url`, percent-encoding the value.
std::string AppendQuery(std::string url, std::string_view name, std::string_view value);

}  // namespace macropipe
