// AWS Signature Version 4 (SigV4) on OpenSSL: signs a request in its
// Authorization header, or presigns it as a URL query, for S3 and any other
// AWS-style service.
//
//   SigV4Signer signer(credentials, {.region = "us-east-1", .service = "s3",
//                                    .normalize_path = false, .add_content_sha256 = true});
//   SigV4Request request{"GET", "/bucket/a b.csv", {}, {{"Host", "127.0.0.1:9000"}}};
//   signer.SignHeaders(request, std::chrono::system_clock::now());
//   // request.headers now ends with X-Amz-Date, x-amz-content-sha256, Authorization.
//
// Paths and query parameters are given unencoded; the signer encodes them as
// SigV4 requires (RFC 3986 unreserved characters kept, every other byte %XX),
// and a caller sends exactly that encoding (CanonicalUri, CanonicalQuery).
// A signer has no mutable state and is safe to share between threads.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace macropipe {

// The SHA-256 of an empty payload, in hex.
inline constexpr char kEmptyPayloadSha256[] =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
// The payload hash of a presigned S3 request, whose body is not known when signing.
inline constexpr char kUnsignedPayload[] = "UNSIGNED-PAYLOAD";

struct AwsCredentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // Empty for long-term credentials.
};

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct SigV4Request {
  std::string method;
  std::string path;                                        // Unencoded, starting with '/'.
  std::vector<std::pair<std::string, std::string>> query;  // Unencoded names and values.
  HeaderList headers;                                      // Every one is signed; Host included.
  std::string payload_sha256 = kEmptyPayloadSha256;        // Hex, or kUnsignedPayload.
};

struct SigV4Options {
  std::string region;
  std::string service;
  // Removes "." and ".." segments and empty segments from the path before
  // encoding it. Every service but S3 wants this; S3 keys keep their slashes.
  bool normalize_path = true;
  // Sends the payload hash as header x-amz-content-sha256, as S3 requires.
  bool add_content_sha256 = false;
  // Signs the session token (X-Amz-Security-Token). Some services want it
  // added after signing instead; then it is sent but not signed.
  bool sign_session_token = true;
};

// The steps of one signature, kept so that each can be compared with the
// reference test vectors.
struct SigV4Signature {
  std::string canonical_request;
  std::string string_to_sign;
  std::string signature;      // Lower-case hex.
  std::string authorization;  // The Authorization header value (SignHeaders only).
  std::string query;          // The encoded query string to send (Presign only).
};

class SigV4Signer {
 public:
  SigV4Signer(AwsCredentials credentials, SigV4Options options);

  // Adds X-Amz-Date (unless present), X-Amz-Security-Token (with a session
  // token), x-amz-content-sha256 (when configured) and Authorization to
  // `request.headers`.
  SigV4Signature SignHeaders(SigV4Request& request,
                             std::chrono::system_clock::time_point time) const;

  // Adds the X-Amz-* query parameters of a presigned request valid for
  // `expires` from `time` to `request.query`. The returned `query` is what
  // follows '?' in the URL, X-Amz-Signature last.
  SigV4Signature Presign(SigV4Request& request, std::chrono::system_clock::time_point time,
                         std::chrono::seconds expires) const;

  // Signs one chunk of an aws-chunked upload (payload
  // STREAMING-AWS4-HMAC-SHA256-PAYLOAD): `previous_signature` is the seed
  // request's signature for the first chunk; the final chunk is empty.
  std::string SignChunk(std::chrono::system_clock::time_point time,
                        std::string_view previous_signature, std::string_view chunk) const;

  // Returns "<date>/<region>/<service>/aws4_request" for `time`.
  std::string Scope(std::chrono::system_clock::time_point time) const;

 private:
  std::string Sign(std::chrono::system_clock::time_point time,
                   std::string_view string_to_sign) const;
  // Fills canonical request, string to sign and signature for `request`.
  SigV4Signature Compute(const SigV4Request& request,
                         std::chrono::system_clock::time_point time) const;

  AwsCredentials credentials_;
  SigV4Options options_;
};

// Percent-encodes every byte outside A-Z a-z 0-9 - . _ ~ as upper-case %XX,
// keeping '/' when `keep_slash`.
std::string AwsUriEncode(std::string_view text, bool keep_slash);

// Returns the encoded path as signed and sent: for `normalize`, without "."
// and ".." and empty segments, and keeping a trailing slash.
std::string CanonicalUri(std::string_view path, bool normalize);

// Returns the query encoded and sorted by name, then value.
std::string CanonicalQuery(const std::vector<std::pair<std::string, std::string>>& query);

// Formats `time` in UTC as "20150830T123600Z".
std::string FormatAmzDate(std::chrono::system_clock::time_point time);

// Returns the lower-case hex HMAC-SHA256 of `data` under `key`, or the raw
// digest when `hex` is false.
std::string HmacSha256(std::string_view key, std::string_view data, bool hex);

}  // namespace macropipe
