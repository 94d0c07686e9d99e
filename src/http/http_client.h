// The HTTP client shared by every connector, on libcurl. It also reads
// `file://` URLs, so a source can be pointed at a local copy.
//
//   HttpClient client;
//   HttpResponse response = client.Get("https://example.org/data.csv");
//
// Connections are reused between requests of one client; responses are
// decompressed; TLS peers are verified. A client is thread-compatible: give
// each thread its own.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace macropipe {

struct HttpResponse {
  long status = 0;  // 0 for file URLs that were read.
  std::string body;
  std::map<std::string, std::string> headers;  // Names in lower case.
  std::string effective_url;                   // After redirects; redacted.

  // Returns the header's value, or an empty string.
  std::string Header(const std::string& name) const;
};

struct HttpOptions {
  std::chrono::milliseconds connect_timeout{10000};
  std::chrono::milliseconds total_timeout{120000};
  std::string user_agent = "macropipe/0.1";
  std::vector<std::string> headers;  // Extra "Name: value" lines.
  // The largest response body accepted, counted after decompression, so that
  // a runaway or compressed-bomb response cannot exhaust memory.
  size_t max_body_bytes = kDefaultMaxBodyBytes;
  // When set ("http://127.0.0.1:8080"), replaces the scheme, host and port of
  // every http and https URL, so that a whole run can be pointed at a local
  // replay server. Only loopback origins are accepted: see CheckLoopbackOrigin.
  std::string origin;
  // "HOST:PORT:CONNECT_HOST:CONNECT_PORT" entries (libcurl's CONNECT_TO): a
  // request for HOST:PORT connects to CONNECT_HOST:CONNECT_PORT instead, with
  // the URL's host still in the Host header and TLS checks.
  std::vector<std::string> connect_to;

  static constexpr size_t kDefaultMaxBodyBytes = size_t{512} << 20;
};

// Throws Error(kInvalidInput) naming `origin` and `where` unless it is an
// http origin on a loopback host (127.0.0.1, [::1] or localhost) with an
// optional port and nothing after it; an API key is never sent elsewhere.
void CheckLoopbackOrigin(const std::string& origin, const std::string& where);

// Returns `url` with its scheme, host and port replaced by `origin`; file
// URLs and an empty `origin` leave it as it is.
std::string ReplaceOrigin(const std::string& url, const std::string& origin);

class HttpClient {
 public:
  explicit HttpClient(HttpOptions options = {});
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Performs a GET, sending `extra_headers` ("Name: value" lines) after the
  // options' headers. Transport failures throw Error naming the redacted URL,
  // with the code of ErrorCodeForCurl: kUnavailable for timeouts, connection
  // resets, replies that never came and bodies shorter than their
  // Content-Length. A missing file:// path throws Error(kNotFound), and a
  // body over `max_body_bytes` throws Error(kInvalidInput). HTTP error
  // statuses are returned, not thrown, so each connector can read its
  // server's error body.
  HttpResponse Get(const std::string& url, const std::vector<std::string>& extra_headers = {});

  // Performs a POST of `body` with the given Content-Type; errors as for Get.
  HttpResponse Post(const std::string& url, const std::string& body,
                    const std::string& content_type,
                    const std::vector<std::string>& extra_headers = {});

  // Performs any method ("PUT", "HEAD", "DELETE", ...) and sends `body` as it
  // is, with no Content-Type of its own. GET and HEAD send no body, and a HEAD
  // response has none. Errors are as for Get.
  HttpResponse Send(const std::string& method, const std::string& url, std::string_view body,
                    const std::vector<std::string>& extra_headers = {});

 private:
  struct Handle;
  // Performs `method`, sending `body` when it is not null.
  HttpResponse Perform(const std::string& method, const std::string& url,
                       const std::vector<std::string>& extra_headers, const std::string_view* body);

  HttpOptions options_;
  std::unique_ptr<Handle> handle_;
};

}  // namespace macropipe
