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
#include <map>
#include <memory>
#include <string>
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
};

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
  // Content-Length. A missing file:// path throws Error(kNotFound). HTTP error
  // statuses are returned, not thrown, so each connector can read its
  // server's error body.
  HttpResponse Get(const std::string& url, const std::vector<std::string>& extra_headers = {});

  // Performs a POST of `body` with the given Content-Type; errors as for Get.
  HttpResponse Post(const std::string& url, const std::string& body,
                    const std::string& content_type,
                    const std::vector<std::string>& extra_headers = {});

 private:
  struct Handle;
  // Performs a GET, or a POST when `post_body` is not null.
  HttpResponse Perform(const std::string& url, const std::vector<std::string>& extra_headers,
                       const std::string* post_body);

  HttpOptions options_;
  std::unique_ptr<Handle> handle_;
};

}  // namespace macropipe
