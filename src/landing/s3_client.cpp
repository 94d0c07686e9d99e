#include "landing/s3_client.h"

#include <spdlog/spdlog.h>

#include <pugixml.hpp>
#include <thread>
#include <tuple>

#include "core/error.h"
#include "core/sha256.h"

namespace macropipe {
namespace {

bool IsTransientStatus(long status) {
  return status == 500 || status == 502 || status == 503 || status == 504;
}

// The error code of an S3 error response, and what the user can do about it.
std::pair<ErrorCode, std::string> ClassifyS3Error(long status, const std::string& code) {
  if (code == "RequestTimeTooSkewed") {
    return {ErrorCode::kFailedPrecondition,
            "this host's clock differs from the server's by more than S3 allows (15 minutes); "
            "synchronise the clock, for example with NTP, and run again"};
  }
  if (code == "AccessDenied" || status == 403) {
    if (code == "InvalidAccessKeyId" || code == "SignatureDoesNotMatch") {
      return {ErrorCode::kUnauthenticated,
              "check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (environment or secrets file)"};
    }
    return {ErrorCode::kPermissionDenied,
            "give these credentials access to the bucket, or use credentials that have it"};
  }
  if (code == "NoSuchBucket") {
    return {ErrorCode::kNotFound, "create the bucket, or correct the bucket in `landing`"};
  }
  if (status == 404) return {ErrorCode::kNotFound, ""};
  if (status == 401) return {ErrorCode::kUnauthenticated, "check the AWS credentials"};
  if (IsTransientStatus(status) || code == "RequestTimeout" || code == "SlowDown") {
    return {ErrorCode::kUnavailable, "the server may be overloaded; try again later"};
  }
  return {ErrorCode::kInvalidInput, ""};
}

}  // namespace

S3ErrorBody ParseS3Error(std::string_view body) {
  pugi::xml_document document;
  if (!document.load_buffer(body.data(), body.size())) return {};
  pugi::xml_node error = document.child("Error");
  if (!error) return {};
  return {error.child_value("Code"), error.child_value("Message")};
}

class S3Client::ClientLease {
 public:
  explicit ClientLease(const S3Client& owner) : owner_(owner) {
    std::lock_guard lock(owner_.mutex_);
    if (!owner_.idle_clients_.empty()) {
      client_ = std::move(owner_.idle_clients_.back());
      owner_.idle_clients_.pop_back();
    }
    if (!client_) {
      HttpOptions options;
      options.total_timeout = owner_.options_.timeout;
      if (!owner_.options_.connect_to.empty()) {
        // "::HOST:PORT" sends every host and port of the URL there.
        options.connect_to.push_back("::" + owner_.options_.connect_to);
      }
      client_ = std::make_unique<HttpClient>(options);
    }
  }
  ~ClientLease() {
    std::lock_guard lock(owner_.mutex_);
    owner_.idle_clients_.push_back(std::move(client_));
  }
  HttpClient& client() { return *client_; }

 private:
  const S3Client& owner_;
  std::unique_ptr<HttpClient> client_;
};

S3Client::S3Client(S3Options options)
    : options_(std::move(options)),
      signer_(options_.credentials, {.region = options_.region,
                                     .service = "s3",
                                     .normalize_path = false,
                                     .add_content_sha256 = true}) {
  options_.retry.Validate();
  std::string_view endpoint = options_.endpoint;
  size_t scheme_end = endpoint.find("://");
  if (scheme_end != std::string_view::npos) scheme_ = endpoint.substr(0, scheme_end);
  if (scheme_ != "http" && scheme_ != "https") {
    throw Error(ErrorCode::kInvalidInput,
                "invalid S3 endpoint '" + options_.endpoint +
                    "': it must start with http:// or https://, for example "
                    "https://s3.us-east-1.amazonaws.com");
  }
  host_ = endpoint.substr(scheme_end + 3);
  while (!host_.empty() && host_.back() == '/') host_.pop_back();
  if (host_.empty() || host_.find('/') != std::string::npos) {
    throw Error(ErrorCode::kInvalidInput, "invalid S3 endpoint '" + options_.endpoint +
                                              "': give scheme, host and port only, no path");
  }
  if (options_.bucket.empty()) {
    throw Error(ErrorCode::kInvalidInput, "the S3 bucket name is empty");
  }
}

S3Client::~S3Client() = default;

std::string S3Client::Describe(std::string_view key) const {
  return "s3://" + options_.bucket + "/" + std::string(key) + " at " + scheme_ + "://" + host_;
}

std::string S3Client::HostHeader() const {
  if (options_.addressing == S3Addressing::kPath) return host_;
  return options_.bucket + "." + host_;
}

std::string S3Client::PathOf(std::string_view key) const {
  if (options_.addressing == S3Addressing::kPath) {
    return "/" + options_.bucket + "/" + std::string(key);
  }
  return "/" + std::string(key);
}

std::string S3Client::Url(std::string_view key, const std::string& encoded_query) const {
  std::string url = scheme_ + "://" + HostHeader() + CanonicalUri(PathOf(key), false);
  if (!encoded_query.empty()) url += "?" + encoded_query;
  return url;
}

spdlog::logger& S3Client::Logger() const {
  return options_.logger ? *options_.logger : *spdlog::default_logger();
}

std::string S3Client::PresignGet(std::string_view key, std::chrono::seconds expires) const {
  SigV4Request request{"GET", PathOf(key), {}, {{"Host", HostHeader()}}, kUnsignedPayload};
  SigV4Signer signer(options_.credentials,
                     {.region = options_.region, .service = "s3", .normalize_path = false});
  SigV4Signature signature = signer.Presign(request, std::chrono::system_clock::now(), expires);
  return Url(key, "") + "?" + signature.query;
}

HttpResponse S3Client::SendOnce(const S3Request& request) const {
  SigV4Request signed_request{request.method, PathOf(request.key), request.query, request.headers,
                              Sha256Hex(request.body)};
  signed_request.headers.emplace_back("Host", HostHeader());
  signer_.SignHeaders(signed_request, std::chrono::system_clock::now());

  std::vector<std::string> header_lines;
  for (const auto& [name, value] : signed_request.headers) {
    // libcurl writes Host itself from the URL, which is the same value.
    if (name != "Host") header_lines.push_back(name + ": " + value);
  }
  ClientLease lease(*this);
  return lease.client().Send(request.method, Url(request.key, CanonicalQuery(request.query)),
                             request.body, header_lines);
}

HttpResponse S3Client::Send(const S3Request& request) const {
  uint64_t seed;
  {
    std::lock_guard lock(mutex_);
    seed = next_seed_++;
  }
  Backoff backoff(options_.retry, seed);
  std::string operation = "S3 " + request.method + " of " + Describe(request.key);
  for (int attempt = 1;; ++attempt) {
    std::string reason;
    ErrorCode code = ErrorCode::kUnavailable;
    std::string advice;
    try {
      HttpResponse response = SendOnce(request);
      if (response.status < 300) return response;
      if (request.allow_missing && (response.status == 404 || response.status == 412)) {
        S3ErrorBody error = ParseS3Error(response.body);
        if (error.code != "NoSuchBucket") return response;
      }
      S3ErrorBody error = ParseS3Error(response.body);
      std::tie(code, advice) = ClassifyS3Error(response.status, error.code);
      reason = "HTTP " + std::to_string(response.status);
      if (!error.code.empty()) reason += " " + error.code;
      if (!error.message.empty()) reason += ": " + error.message;
    } catch (const Error& error) {
      if (!ShouldRetry(error.code())) throw;
      reason = error.what();
    }

    bool retry = code == ErrorCode::kUnavailable && attempt < options_.retry.max_attempts;
    if (!retry) {
      std::string message = operation + " failed: " + reason;
      if (code == ErrorCode::kUnavailable && attempt > 1) {
        message += " (after " + std::to_string(attempt) + " attempts)";
      }
      if (!advice.empty()) message += "; " + advice;
      throw Error(code, message);
    }
    std::chrono::milliseconds wait = backoff.Delay(attempt);
    Logger().warn("{} failed ({}); retry {} of {} in {} ms", operation, reason, attempt,
                  options_.retry.max_attempts - 1, wait.count());
    std::this_thread::sleep_for(wait);
  }
}

}  // namespace macropipe
