#include "http/http_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <mutex>
#include <regex>

#include "core/error.h"
#include "core/url.h"
#include "http/http_errors.h"

namespace macropipe {
namespace {

void InitializeCurlOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// Collects the body up to a limit; a write past it stops the transfer.
struct BodySink {
  std::string& body;
  size_t max_bytes;
  bool over_limit = false;
};

size_t AppendBody(char* data, size_t size, size_t count, void* user) {
  auto* sink = static_cast<BodySink*>(user);
  if (size * count > sink->max_bytes - sink->body.size()) {
    sink->over_limit = true;
    return 0;  // libcurl ends the transfer with CURLE_WRITE_ERROR.
  }
  sink->body.append(data, size * count);
  return size * count;
}

size_t AppendHeader(char* data, size_t size, size_t count, void* user) {
  auto* headers = static_cast<std::map<std::string, std::string>*>(user);
  std::string_view line(data, size * count);
  // A new response (after a redirect) starts with a status line: start over.
  if (line.substr(0, 5) == "HTTP/") {
    headers->clear();
    return size * count;
  }
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) return size * count;
  std::string name(line.substr(0, colon));
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) {
    value.remove_suffix(1);
  }
  (*headers)[name] = std::string(value);
  return size * count;
}

[[noreturn]] void ThrowBodyTooLarge(const std::string& redacted_url, size_t max_bytes) {
  throw Error(ErrorCode::kInvalidInput,
              "the response from " + redacted_url + " is larger than the limit of " +
                  std::to_string(max_bytes) +
                  " bytes; check that the URL names the intended resource, or raise the "
                  "source's max_response_mb");
}

[[noreturn]] void ThrowTransportError(CURLcode code, const std::string& redacted_url,
                                      const char* error_buffer, const HttpOptions& options) {
  std::string message = "could not fetch " + redacted_url + ": " + DescribeCurlError(code);
  if (code == CURLE_OPERATION_TIMEDOUT) {
    message += " (limits: " + std::to_string(options.connect_timeout.count()) + " ms to connect, " +
               std::to_string(options.total_timeout.count()) + " ms in all)";
  }
  // libcurl's own text adds the byte counts or the system error; it names
  // hosts but never the query, so it holds no key.
  if (error_buffer[0] != '\0') message += " [libcurl: " + std::string(error_buffer) + "]";
  throw Error(ErrorCodeForCurl(code), message);
}

// libcurl reports a short body for HTTP/1.1 itself (CURLE_PARTIAL_FILE); this
// also covers a body without Content-Encoding that arrived longer or shorter
// than its declared length by any other path.
void CheckBodyLength(const HttpResponse& response, const std::string& redacted_url) {
  std::string declared = response.Header("content-length");
  if (declared.empty() || !response.Header("content-encoding").empty()) return;
  if (declared.find_first_not_of("0123456789") != std::string::npos) return;
  if (std::stoull(declared) == response.body.size()) return;
  throw Error(ErrorCode::kUnavailable, "could not fetch " + redacted_url +
                                           ": the response body has " +
                                           std::to_string(response.body.size()) +
                                           " bytes but Content-Length declared " + declared);
}

}  // namespace

void CheckLoopbackOrigin(const std::string& origin, const std::string& where) {
  static const std::regex kLoopbackOrigin(
      R"(http://(127\.0\.0\.1|\[::1\]|localhost)(:[0-9]{1,5})?)");
  bool valid = std::regex_match(origin, kLoopbackOrigin);
  if (!valid) {
    throw Error(ErrorCode::kInvalidInput,
                "invalid origin '" + origin + "' in " + where +
                    ": write http://127.0.0.1:PORT, http://[::1]:PORT or http://localhost:PORT; "
                    "requests carry API keys, so only loopback servers are allowed");
  }
}

std::string ReplaceOrigin(const std::string& url, const std::string& origin) {
  if (origin.empty()) return url;
  size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return url;
  std::string scheme = url.substr(0, scheme_end);
  if (scheme != "http" && scheme != "https") return url;
  size_t path = url.find_first_of("/?#", scheme_end + 3);
  return origin + (path == std::string::npos ? "/" : url.substr(path));
}

struct HttpClient::Handle {
  CURL* curl = nullptr;
  ~Handle() { curl_easy_cleanup(curl); }
};

std::string HttpResponse::Header(const std::string& name) const {
  auto it = headers.find(name);
  return it == headers.end() ? std::string() : it->second;
}

HttpClient::HttpClient(HttpOptions options)
    : options_(std::move(options)), handle_(std::make_unique<Handle>()) {
  if (!options_.origin.empty()) CheckLoopbackOrigin(options_.origin, "the HTTP client's options");
  InitializeCurlOnce();
  handle_->curl = curl_easy_init();
  if (handle_->curl == nullptr) throw Error(ErrorCode::kInternal, "libcurl could not start");
}

HttpClient::~HttpClient() = default;

HttpResponse HttpClient::Get(const std::string& url,
                             const std::vector<std::string>& extra_headers) {
  return Perform("GET", url, extra_headers, nullptr);
}

HttpResponse HttpClient::Post(const std::string& url, const std::string& body,
                              const std::string& content_type,
                              const std::vector<std::string>& extra_headers) {
  std::vector<std::string> headers = extra_headers;
  headers.push_back("Content-Type: " + content_type);
  std::string_view body_view = body;
  return Perform("POST", url, headers, &body_view);
}

HttpResponse HttpClient::Send(const std::string& method, const std::string& url,
                              std::string_view body,
                              const std::vector<std::string>& extra_headers) {
  // An empty Content-Type and Expect stop libcurl from adding its form type
  // and from waiting for a 100 Continue before large bodies.
  std::vector<std::string> headers = {"Content-Type:", "Expect:"};
  headers.insert(headers.end(), extra_headers.begin(), extra_headers.end());
  // A GET or HEAD has no body, and libcurl would turn one with a body into a POST.
  bool has_body = method != "GET" && method != "HEAD";
  return Perform(method, url, headers, has_body ? &body : nullptr);
}

HttpResponse HttpClient::Perform(const std::string& method, const std::string& url,
                                 const std::vector<std::string>& extra_headers,
                                 const std::string_view* body) {
  const std::string target = ReplaceOrigin(url, options_.origin);
  std::string redacted = RedactUrl(target);
  std::string path = FileUrlToPath(target);
  if (!path.empty() && !std::filesystem::exists(path)) {
    throw Error(ErrorCode::kNotFound, "file not found: " + path + " (from " + redacted + ")");
  }

  CURL* curl = handle_->curl;
  curl_easy_reset(curl);
  HttpResponse response;
  char error_buffer[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(curl, CURLOPT_URL, target.c_str());
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(curl, CURLOPT_MAXREDIRS, 5L);
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https,file");
  curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "");  // Every encoding libcurl supports.
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(options_.connect_timeout.count()));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.total_timeout.count()));
  curl_easy_setopt(curl, CURLOPT_USERAGENT, options_.user_agent.c_str());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, AppendBody);
  BodySink sink{response.body, options_.max_body_bytes};
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, AppendHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &response.headers);
  curl_slist* header_list = nullptr;
  for (const std::string& header : options_.headers) {
    header_list = curl_slist_append(header_list, header.c_str());
  }
  for (const std::string& header : extra_headers) {
    header_list = curl_slist_append(header_list, header.c_str());
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, header_list);
  curl_slist* connect_to = nullptr;
  for (const std::string& entry : options_.connect_to) {
    connect_to = curl_slist_append(connect_to, entry.c_str());
  }
  curl_easy_setopt(curl, CURLOPT_CONNECT_TO, connect_to);
  if (body != nullptr) {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body->size()));
    // A null pointer would make libcurl read the body from standard input.
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body->empty() ? "" : body->data());
  }
  if (method == "HEAD") curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  if (method != "GET" && method != "POST" && method != "HEAD") {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
  }

  CURLcode code = curl_easy_perform(curl);
  curl_slist_free_all(header_list);
  curl_slist_free_all(connect_to);
  if (sink.over_limit) ThrowBodyTooLarge(redacted, options_.max_body_bytes);
  if (code != CURLE_OK) ThrowTransportError(code, redacted, error_buffer, options_);
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
  char* effective = nullptr;
  curl_easy_getinfo(curl, CURLINFO_EFFECTIVE_URL, &effective);
  response.effective_url = RedactUrl(effective != nullptr ? effective : target);
  if (method != "HEAD") CheckBodyLength(response, redacted);
  return response;
}

}  // namespace macropipe
