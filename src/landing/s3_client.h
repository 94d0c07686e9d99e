// Signed requests to one S3 bucket, on libcurl (HttpClient) and SigV4: the
// addressing, the retries and the error messages that every S3 call shares.
//
//   S3Client client(options);
//   HttpResponse response = client.Send({.method = "GET", .key = "landing/a.csv"});
//
// Retried with backoff: HTTP 500, 502, 503 (SlowDown included), 504, the
// RequestTimeout error and connection failures. Final, with a message saying
// what to do: RequestTimeTooSkewed (kFailedPrecondition), AccessDenied
// (kPermissionDenied), InvalidAccessKeyId and SignatureDoesNotMatch
// (kUnauthenticated), NoSuchBucket (kNotFound). Messages name the bucket, the
// key and the endpoint, and never a credential.
//
// Thread-safe: concurrent requests draw libcurl handles from a pool.
#pragma once

#include <spdlog/logger.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "http/aws_sigv4.h"
#include "http/http_client.h"
#include "http/retry_policy.h"

namespace macropipe {

enum class S3Addressing {
  kPath,           // http://host/bucket/key, for local servers and most S3-compatible ones.
  kVirtualHosted,  // http://bucket.host/key, as AWS prefers.
};

struct S3Options {
  std::string endpoint = "https://s3.amazonaws.com";  // scheme://host[:port], no path.
  std::string region = "us-east-1";
  std::string bucket;
  S3Addressing addressing = S3Addressing::kPath;
  AwsCredentials credentials;
  RetryPolicy retry{.max_attempts = 5, .initial_delay = std::chrono::milliseconds(200)};
  std::chrono::milliseconds timeout{300000};  // Per attempt.
  // "host:port" that connections go to instead of the endpoint's host, for
  // virtual-hosted addressing where bucket.host does not resolve (loopback
  // servers, split DNS). Empty: connect to the URL's host.
  std::string connect_to;
  std::shared_ptr<spdlog::logger> logger;  // Unset: spdlog's default logger.
};

struct S3Request {
  std::string method = "GET";
  std::string key = "";  // The object key in the bucket; empty for a request on the bucket.
  std::vector<std::pair<std::string, std::string>> query = {};  // Unencoded.
  HeaderList headers = {};                                      // Sent and signed.
  std::string_view body = {};
  // Return a 404 (NoSuchKey, NoSuchVersion) or 412 response instead of
  // throwing, for requests that probe whether something exists.
  bool allow_missing = false;
};

class S3Client {
 public:
  // Throws Error(kInvalidInput) for an endpoint that is not http(s)://host,
  // an empty bucket or an invalid retry policy.
  explicit S3Client(S3Options options);
  ~S3Client();

  // Sends `request`, retrying transient failures, and returns a response with
  // a status below 300 (or an allowed 404 or 412). Throws Error otherwise.
  HttpResponse Send(const S3Request& request) const;

  // Returns a presigned GET URL of `key` valid for `expires` from now.
  std::string PresignGet(std::string_view key, std::chrono::seconds expires) const;

  // "s3://bucket/key at http://127.0.0.1:9000", for messages.
  std::string Describe(std::string_view key) const;

  const S3Options& options() const { return options_; }

 private:
  class ClientLease;

  // The URL of `key` with an encoded `query`, and the Host header to sign.
  std::string Url(std::string_view key, const std::string& encoded_query) const;
  std::string HostHeader() const;
  std::string PathOf(std::string_view key) const;
  HttpResponse SendOnce(const S3Request& request) const;
  spdlog::logger& Logger() const;

  S3Options options_;
  std::string scheme_;  // "http" or "https".
  std::string host_;    // host[:port] of the endpoint.
  SigV4Signer signer_;

  mutable std::mutex mutex_;
  mutable std::vector<std::unique_ptr<HttpClient>> idle_clients_;  // Guarded by mutex_.
  mutable uint64_t next_seed_ = 1;                                 // Guarded by mutex_.
};

// The Code and Message of an S3 error document ("<Error><Code>..."), empty
// when `body` is not one.
struct S3ErrorBody {
  std::string code;
  std::string message;
};
S3ErrorBody ParseS3Error(std::string_view body);

}  // namespace macropipe
