#include "http/aws_sigv4.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cctype>
#include <ctime>
#include <map>

#include "core/error.h"
#include "core/sha256.h"

namespace macropipe {
namespace {

constexpr char kAlgorithm[] = "AWS4-HMAC-SHA256";

std::string ToLower(std::string_view text) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lower;
}

// Trims the value and turns every run of spaces and tabs inside it into one space.
std::string CanonicalHeaderValue(std::string_view value) {
  std::string out;
  bool pending_space = false;
  for (char c : value) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out.push_back(' ');
    pending_space = false;
    out.push_back(c);
  }
  return out;
}

// Names in lower case mapped to their values; repeated headers are joined
// with commas in the order they were given.
std::map<std::string, std::string> CanonicalHeaderMap(const HeaderList& headers) {
  std::map<std::string, std::string> canonical;
  for (const auto& [name, value] : headers) {
    auto [it, inserted] = canonical.emplace(ToLower(name), CanonicalHeaderValue(value));
    if (!inserted) it->second += "," + CanonicalHeaderValue(value);
  }
  return canonical;
}

std::string SignedHeaderNames(const std::map<std::string, std::string>& canonical) {
  std::string names;
  for (const auto& [name, value] : canonical) {
    if (!names.empty()) names += ';';
    names += name;
  }
  return names;
}

bool HasHeader(const HeaderList& headers, std::string_view name) {
  return std::any_of(headers.begin(), headers.end(),
                     [&](const auto& header) { return ToLower(header.first) == name; });
}

std::string DateOf(const std::string& amz_date) { return amz_date.substr(0, 8); }

}  // namespace

std::string AwsUriEncode(std::string_view text, bool keep_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size() * 3);
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' ||
        (keep_slash && c == '/')) {
      out.push_back(static_cast<char>(c));
      continue;
    }
    out.push_back('%');
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 0xf]);
  }
  return out;
}

std::string CanonicalUri(std::string_view path, bool normalize) {
  if (!normalize) return AwsUriEncode(path.empty() ? "/" : path, true);

  std::vector<std::string_view> segments;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    std::string_view segment = path.substr(
        start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (segment == "..") {
      if (!segments.empty()) segments.pop_back();
    } else if (!segment.empty() && segment != ".") {
      segments.push_back(segment);
    }
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  std::string normalized;
  for (std::string_view segment : segments) {
    normalized += '/';
    normalized += segment;
  }
  bool ends_in_folder = path.ends_with('/') || path.ends_with("/.") || path.ends_with("/..");
  if (normalized.empty() || ends_in_folder) normalized += '/';
  return AwsUriEncode(normalized, true);
}

std::string CanonicalQuery(const std::vector<std::pair<std::string, std::string>>& query) {
  std::vector<std::pair<std::string, std::string>> encoded;
  encoded.reserve(query.size());
  for (const auto& [name, value] : query) {
    encoded.emplace_back(AwsUriEncode(name, false), AwsUriEncode(value, false));
  }
  std::sort(encoded.begin(), encoded.end());
  std::string out;
  for (const auto& [name, value] : encoded) {
    if (!out.empty()) out += '&';
    out += name + "=" + value;
  }
  return out;
}

std::string FormatAmzDate(std::chrono::system_clock::time_point time) {
  std::time_t seconds = std::chrono::system_clock::to_time_t(time);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[17];
  std::strftime(text, sizeof(text), "%Y%m%dT%H%M%SZ", &utc);
  return text;
}

std::string HmacSha256(std::string_view key, std::string_view data, bool hex) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest,
           &length) == nullptr) {
    throw Error(ErrorCode::kInternal, "OpenSSL could not compute an HMAC-SHA256");
  }
  if (!hex) return std::string(reinterpret_cast<char*>(digest), length);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < length; ++i) {
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 0xf]);
  }
  return out;
}

SigV4Signer::SigV4Signer(AwsCredentials credentials, SigV4Options options)
    : credentials_(std::move(credentials)), options_(std::move(options)) {}

std::string SigV4Signer::Scope(std::chrono::system_clock::time_point time) const {
  return DateOf(FormatAmzDate(time)) + "/" + options_.region + "/" + options_.service +
         "/aws4_request";
}

std::string SigV4Signer::Sign(std::chrono::system_clock::time_point time,
                              std::string_view string_to_sign) const {
  std::string key =
      HmacSha256("AWS4" + credentials_.secret_access_key, DateOf(FormatAmzDate(time)), false);
  key = HmacSha256(key, options_.region, false);
  key = HmacSha256(key, options_.service, false);
  key = HmacSha256(key, "aws4_request", false);
  return HmacSha256(key, string_to_sign, true);
}

SigV4Signature SigV4Signer::Compute(const SigV4Request& request,
                                    std::chrono::system_clock::time_point time) const {
  std::map<std::string, std::string> headers = CanonicalHeaderMap(request.headers);
  SigV4Signature result;
  result.canonical_request = request.method + "\n" +
                             CanonicalUri(request.path, options_.normalize_path) + "\n" +
                             CanonicalQuery(request.query) + "\n";
  for (const auto& [name, value] : headers) result.canonical_request += name + ":" + value + "\n";
  result.canonical_request += "\n" + SignedHeaderNames(headers) + "\n" + request.payload_sha256;

  result.string_to_sign = std::string(kAlgorithm) + "\n" + FormatAmzDate(time) + "\n" +
                          Scope(time) + "\n" + Sha256Hex(result.canonical_request);
  result.signature = Sign(time, result.string_to_sign);
  return result;
}

SigV4Signature SigV4Signer::SignHeaders(SigV4Request& request,
                                        std::chrono::system_clock::time_point time) const {
  if (!HasHeader(request.headers, "x-amz-date")) {
    request.headers.emplace_back("X-Amz-Date", FormatAmzDate(time));
  }
  bool has_token = !credentials_.session_token.empty();
  if (has_token && options_.sign_session_token) {
    request.headers.emplace_back("X-Amz-Security-Token", credentials_.session_token);
  }
  if (options_.add_content_sha256) {
    request.headers.emplace_back("x-amz-content-sha256", request.payload_sha256);
  }

  SigV4Signature result = Compute(request, time);
  result.authorization =
      std::string(kAlgorithm) + " Credential=" + credentials_.access_key_id + "/" + Scope(time) +
      ", SignedHeaders=" + SignedHeaderNames(CanonicalHeaderMap(request.headers)) +
      ", Signature=" + result.signature;
  if (has_token && !options_.sign_session_token) {
    request.headers.emplace_back("X-Amz-Security-Token", credentials_.session_token);
  }
  request.headers.emplace_back("Authorization", result.authorization);
  return result;
}

SigV4Signature SigV4Signer::Presign(SigV4Request& request,
                                    std::chrono::system_clock::time_point time,
                                    std::chrono::seconds expires) const {
  bool has_token = !credentials_.session_token.empty();
  request.query.emplace_back("X-Amz-Algorithm", kAlgorithm);
  request.query.emplace_back("X-Amz-Credential", credentials_.access_key_id + "/" + Scope(time));
  request.query.emplace_back("X-Amz-Date", FormatAmzDate(time));
  request.query.emplace_back("X-Amz-Expires", std::to_string(expires.count()));
  if (has_token && options_.sign_session_token) {
    request.query.emplace_back("X-Amz-Security-Token", credentials_.session_token);
  }
  request.query.emplace_back("X-Amz-SignedHeaders",
                             SignedHeaderNames(CanonicalHeaderMap(request.headers)));

  SigV4Signature result = Compute(request, time);
  result.query = CanonicalQuery(request.query);
  if (has_token && !options_.sign_session_token) {
    request.query.emplace_back("X-Amz-Security-Token", credentials_.session_token);
    result.query += "&X-Amz-Security-Token=" + AwsUriEncode(credentials_.session_token, false);
  }
  request.query.emplace_back("X-Amz-Signature", result.signature);
  result.query += "&X-Amz-Signature=" + result.signature;
  return result;
}

std::string SigV4Signer::SignChunk(std::chrono::system_clock::time_point time,
                                   std::string_view previous_signature,
                                   std::string_view chunk) const {
  std::string string_to_sign = "AWS4-HMAC-SHA256-PAYLOAD\n" + FormatAmzDate(time) + "\n" +
                               Scope(time) + "\n" + std::string(previous_signature) + "\n" +
                               kEmptyPayloadSha256 + "\n" + Sha256Hex(chunk);
  return Sign(time, string_to_sign);
}

}  // namespace macropipe
