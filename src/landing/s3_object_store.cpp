#include "landing/s3_object_store.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <pugixml.hpp>
#include <sstream>
#include <streambuf>

#include "core/error.h"
#include "core/sha256.h"
#include "landing/version_id.h"

namespace macropipe {
namespace {

constexpr char kVersionsFolder[] = ".versions/";
constexpr char kSha256Header[] = "x-amz-meta-sha256";

pugi::xml_document ParseXml(const HttpResponse& response, const std::string& operation) {
  pugi::xml_document document;
  if (!document.load_buffer(response.body.data(), response.body.size())) {
    throw Error(ErrorCode::kUnavailable,
                operation + " returned a body that is not XML: " + response.body.substr(0, 200));
  }
  return document;
}

uint64_t ParseSize(const std::string& text) { return text.empty() ? 0 : std::stoull(text); }

// Reads an object version in ranged GETs, one chunk at a time.
class RangedReadBuffer : public std::streambuf {
 public:
  RangedReadBuffer(const S3Client& client, std::string key, std::string version_id, uint64_t size,
                   uint64_t chunk)
      : client_(client),
        key_(std::move(key)),
        version_id_(std::move(version_id)),
        size_(size),
        chunk_(std::max<uint64_t>(chunk, 1)) {}

 protected:
  int_type underflow() override {
    if (gptr() < egptr()) return traits_type::to_int_type(*gptr());
    if (offset_ >= size_) return traits_type::eof();
    uint64_t last = std::min(size_, offset_ + chunk_) - 1;
    S3Request request{.method = "GET", .key = key_};
    if (!version_id_.empty()) request.query.emplace_back("versionId", version_id_);
    request.headers.emplace_back("Range",
                                 "bytes=" + std::to_string(offset_) + "-" + std::to_string(last));
    buffer_ = client_.Send(request).body;
    if (buffer_.size() != last - offset_ + 1) {
      throw Error(ErrorCode::kUnavailable,
                  "S3 ranged GET of " + client_.Describe(key_) + " returned " +
                      std::to_string(buffer_.size()) + " bytes instead of " +
                      std::to_string(last - offset_ + 1) + "; the object may have changed");
    }
    offset_ = last + 1;
    setg(buffer_.data(), buffer_.data(), buffer_.data() + buffer_.size());
    return traits_type::to_int_type(*gptr());
  }

 private:
  const S3Client& client_;
  std::string key_;
  std::string version_id_;
  uint64_t size_;
  uint64_t chunk_;
  uint64_t offset_ = 0;
  std::string buffer_;
};

class RangedReadStream : public std::istream {
 public:
  // A failed ranged GET rethrows its Error from the read that needed it,
  // instead of looking like the end of the object.
  explicit RangedReadStream(std::unique_ptr<RangedReadBuffer> buffer)
      : std::istream(buffer.get()), buffer_(std::move(buffer)) {
    exceptions(std::ios::badbit);
  }

 private:
  std::unique_ptr<RangedReadBuffer> buffer_;
};

// Throws when a 200 response carries an error document, as S3 may return for a
// CompleteMultipartUpload or a CopyObject that failed after it started.
void CheckBodyForError(const HttpResponse& response, const std::string& operation) {
  S3ErrorBody error = ParseS3Error(response.body);
  if (error.code.empty()) return;
  ErrorCode code = error.code == "InternalError" || error.code == "SlowDown"
                       ? ErrorCode::kUnavailable
                       : ErrorCode::kInvalidInput;
  throw Error(code, operation + " failed although the server returned HTTP " +
                        std::to_string(response.status) + ": " + error.code + ": " + error.message);
}

}  // namespace

S3ObjectStore::S3ObjectStore(S3Options s3, S3StoreOptions options)
    : client_(std::move(s3)), options_(std::move(options)) {
  while (!options_.prefix.empty() && options_.prefix.back() == '/') options_.prefix.pop_back();
  if (!options_.prefix.empty()) ValidateObjectKey(options_.prefix);
  if (options_.part_size < (5ull << 20)) {
    throw Error(ErrorCode::kInvalidInput, "the S3 multipart part size " +
                                              std::to_string(options_.part_size) +
                                              " is below S3's minimum of 5 MiB (5242880 bytes)");
  }
  HttpResponse response = client_.Send({.method = "GET", .key = "", .query = {{"versioning", ""}}});
  pugi::xml_document document = ParseXml(response, "S3 GetBucketVersioning of " + Location());
  // S3 names the root VersioningConfiguration; moto 5 names it
  // GetBucketVersioningResponse. Either has no Status when versioning was never enabled.
  std::string status = document.document_element().child_value("Status");
  bucket_versioning_ = status == "Enabled";
}

std::string S3ObjectStore::Location() const {
  std::string location = "s3://" + client_.options().bucket;
  if (!options_.prefix.empty()) location += "/" + options_.prefix;
  return location;
}

std::string S3ObjectStore::BucketKey(std::string_view key) const {
  if (options_.prefix.empty()) return std::string(key);
  return options_.prefix + "/" + std::string(key);
}

std::string S3ObjectStore::VersionsPrefix(std::string_view key) const {
  return BucketKey(std::string(kVersionsFolder) + std::string(key) + "/");
}

std::vector<S3ObjectStore::ListedVersion> S3ObjectStore::ListObjectVersions(
    const std::string& bucket_prefix) const {
  std::vector<ListedVersion> versions;
  std::string key_marker;
  std::string version_marker;
  while (true) {
    S3Request request{.method = "GET", .key = "", .query = {{"versions", ""}}};
    request.query.emplace_back("prefix", bucket_prefix);
    if (!key_marker.empty()) request.query.emplace_back("key-marker", key_marker);
    if (!version_marker.empty()) request.query.emplace_back("version-id-marker", version_marker);
    HttpResponse response = client_.Send(request);
    pugi::xml_document document =
        ParseXml(response, "S3 ListObjectVersions of " + client_.Describe(bucket_prefix));
    pugi::xml_node result = document.child("ListVersionsResult");
    for (pugi::xml_node version : result.children("Version")) {
      versions.push_back({version.child_value("Key"), version.child_value("VersionId"),
                          ParseSize(version.child_value("Size")),
                          std::string(version.child_value("IsLatest")) == "true"});
    }
    if (std::string(result.child_value("IsTruncated")) != "true") return versions;
    key_marker = result.child_value("NextKeyMarker");
    version_marker = result.child_value("NextVersionIdMarker");
  }
}

std::vector<std::pair<std::string, uint64_t>> S3ObjectStore::ListObjects(
    const std::string& bucket_prefix) const {
  std::vector<std::pair<std::string, uint64_t>> objects;
  std::string token;
  while (true) {
    S3Request request{.method = "GET", .key = "", .query = {{"list-type", "2"}}};
    request.query.emplace_back("prefix", bucket_prefix);
    if (!token.empty()) request.query.emplace_back("continuation-token", token);
    HttpResponse response = client_.Send(request);
    pugi::xml_document document =
        ParseXml(response, "S3 ListObjectsV2 of " + client_.Describe(bucket_prefix));
    pugi::xml_node result = document.child("ListBucketResult");
    for (pugi::xml_node object : result.children("Contents")) {
      objects.emplace_back(object.child_value("Key"), ParseSize(object.child_value("Size")));
    }
    if (std::string(result.child_value("IsTruncated")) != "true") return objects;
    token = result.child_value("NextContinuationToken");
  }
}

std::optional<ObjectVersion> S3ObjectStore::HeadVersion(std::string_view key,
                                                        std::string_view version_id) const {
  S3Request request{.method = "HEAD", .key = BucketKey(key), .allow_missing = true};
  if (!version_id.empty()) request.query.emplace_back("versionId", std::string(version_id));
  HttpResponse response = client_.Send(request);
  if (response.status == 404) return std::nullopt;
  return ObjectVersion{std::string(key), response.Header("x-amz-version-id"),
                       ParseSize(response.Header("content-length")),
                       response.Header(kSha256Header)};
}

std::vector<ObjectVersion> S3ObjectStore::ListVersions(std::string_view key) const {
  ValidateObjectKey(key);
  std::vector<ObjectVersion> versions;
  if (bucket_versioning_) {
    std::string bucket_key = BucketKey(key);
    for (const ListedVersion& listed : ListObjectVersions(bucket_key)) {
      if (listed.key != bucket_key) continue;
      // The listing has no user metadata, so each version's SHA-256 needs a HEAD.
      std::optional<ObjectVersion> version = HeadVersion(key, listed.version_id);
      if (version) versions.push_back(*version);
    }
    std::reverse(versions.begin(), versions.end());  // S3 lists the newest first.
    return versions;
  }

  std::string prefix = VersionsPrefix(key);
  std::vector<std::pair<uint64_t, ObjectVersion>> found;
  for (const auto& [bucket_key, size] : ListObjects(prefix)) {
    std::string name = bucket_key.substr(prefix.size());
    auto parsed = ParseVersionId(name);
    if (!parsed || name.find('/') != std::string::npos) continue;
    found.emplace_back(parsed->first, ObjectVersion{std::string(key), name, size, parsed->second});
  }
  std::sort(found.begin(), found.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& [sequence, version] : found) versions.push_back(std::move(version));
  return versions;
}

std::optional<ObjectVersion> S3ObjectStore::Head(std::string_view key) const {
  ValidateObjectKey(key);
  if (bucket_versioning_) return HeadVersion(key, "");
  std::vector<ObjectVersion> versions = ListVersions(key);
  if (versions.empty()) return std::nullopt;
  return versions.back();
}

std::vector<ObjectVersion> S3ObjectStore::List(std::string_view prefix) const {
  std::string root = BucketKey("");
  std::vector<ObjectVersion> objects;
  if (bucket_versioning_) {
    for (const ListedVersion& listed : ListObjectVersions(root + std::string(prefix))) {
      if (!listed.is_latest) continue;
      objects.push_back({listed.key.substr(root.size()), listed.version_id, listed.size, ""});
    }
  } else {
    // The newest version of each key under `.versions/`, found from the names alone.
    std::string versions_root = root + kVersionsFolder;
    std::map<std::string, std::pair<uint64_t, ObjectVersion>> newest;
    for (const auto& [bucket_key, size] : ListObjects(versions_root + std::string(prefix))) {
      std::string path = bucket_key.substr(versions_root.size());
      size_t slash = path.rfind('/');
      if (slash == std::string::npos) continue;
      std::string key = path.substr(0, slash);
      std::string name = path.substr(slash + 1);
      auto parsed = ParseVersionId(name);
      if (!parsed) continue;
      auto& entry = newest[key];
      if (parsed->first < entry.first) continue;
      entry = {parsed->first, ObjectVersion{key, name, size, parsed->second}};
    }
    for (auto& [key, entry] : newest) objects.push_back(std::move(entry.second));
  }
  std::sort(objects.begin(), objects.end(),
            [](const ObjectVersion& a, const ObjectVersion& b) { return a.key < b.key; });
  return objects;
}

S3ObjectStore::Address S3ObjectStore::Resolve(std::string_view key,
                                              std::string_view version_id) const {
  ValidateObjectKey(key);
  std::optional<ObjectVersion> version;
  if (version_id.empty()) {
    version = Head(key);
    if (!version) {
      throw Error(ErrorCode::kNotFound,
                  "object not found: " + std::string(key) + " in " + Location());
    }
  } else if (bucket_versioning_) {
    try {
      version = HeadVersion(key, version_id);
    } catch (const Error& error) {
      // S3 returns 400 for a version id that it could never have issued.
      if (error.code() != ErrorCode::kInvalidInput) throw;
    }
  } else if (ParseVersionId(std::string(version_id))) {
    std::string bucket_key = VersionsPrefix(key) + std::string(version_id);
    S3Request request{.method = "HEAD", .key = bucket_key, .allow_missing = true};
    HttpResponse response = client_.Send(request);
    if (response.status != 404) {
      version = ObjectVersion{std::string(key), std::string(version_id),
                              ParseSize(response.Header("content-length")), ""};
    }
  }
  if (!version) {
    throw Error(ErrorCode::kNotFound, "object version not found: " + std::string(key) +
                                          " version " + std::string(version_id) + " in " +
                                          Location());
  }
  if (bucket_versioning_) return {BucketKey(key), version->version_id, version->size};
  return {VersionsPrefix(key) + version->version_id, "", version->size};
}

std::string S3ObjectStore::Get(std::string_view key, std::string_view version_id) const {
  Address address = Resolve(key, version_id);
  S3Request request{.method = "GET", .key = address.key};
  if (!address.version_id.empty()) request.query.emplace_back("versionId", address.version_id);
  return client_.Send(request).body;
}

std::unique_ptr<std::istream> S3ObjectStore::Open(std::string_view key,
                                                  std::string_view version_id) const {
  Address address = Resolve(key, version_id);
  return std::make_unique<RangedReadStream>(std::make_unique<RangedReadBuffer>(
      client_, address.key, address.version_id, address.size, options_.read_chunk));
}

HttpResponse S3ObjectStore::Upload(const std::string& bucket_key, std::string_view bytes,
                                   const std::string& sha256,
                                   const HeaderList& precondition) const {
  if (bytes.size() > options_.multipart_threshold) {
    return UploadInParts(bucket_key, bytes, sha256, precondition);
  }
  S3Request request{.method = "PUT", .key = bucket_key, .headers = precondition, .body = bytes};
  request.headers.emplace_back(kSha256Header, sha256);
  request.allow_missing = !precondition.empty();
  return client_.Send(request);
}

HttpResponse S3ObjectStore::UploadInParts(const std::string& bucket_key, std::string_view bytes,
                                          const std::string& sha256,
                                          const HeaderList& precondition) const {
  std::string operation = "S3 multipart upload of " + client_.Describe(bucket_key);
  S3Request create{.method = "POST", .key = bucket_key, .query = {{"uploads", ""}}};
  create.headers.emplace_back(kSha256Header, sha256);
  HttpResponse created = client_.Send(create);
  std::string upload_id =
      ParseXml(created, operation).child("InitiateMultipartUploadResult").child_value("UploadId");
  if (upload_id.empty()) throw Error(ErrorCode::kUnavailable, operation + " returned no UploadId");

  HttpResponse response;
  try {
    std::string parts = "<CompleteMultipartUpload>";
    int number = 1;
    for (uint64_t offset = 0; offset < bytes.size(); offset += options_.part_size, ++number) {
      S3Request part{.method = "PUT",
                     .key = bucket_key,
                     .query = {{"partNumber", std::to_string(number)}, {"uploadId", upload_id}},
                     .body = bytes.substr(offset, options_.part_size)};
      std::string etag = client_.Send(part).Header("etag");
      parts += "<Part><PartNumber>" + std::to_string(number) + "</PartNumber><ETag>" + etag +
               "</ETag></Part>";
    }
    parts += "</CompleteMultipartUpload>";

    S3Request complete{.method = "POST",
                       .key = bucket_key,
                       .query = {{"uploadId", upload_id}},
                       .headers = precondition,
                       .body = parts,
                       .allow_missing = !precondition.empty()};
    complete.headers.emplace_back("Content-Type", "application/xml");
    response = client_.Send(complete);
    CheckBodyForError(response, operation);
  } catch (...) {
    AbortUpload(bucket_key, upload_id, operation);
    throw;
  }
  // A failed precondition leaves the upload open.
  if (response.status == 412) AbortUpload(bucket_key, upload_id, operation);
  return response;
}

void S3ObjectStore::AbortUpload(const std::string& bucket_key, const std::string& upload_id,
                                const std::string& operation) const {
  try {
    client_.Send({.method = "DELETE", .key = bucket_key, .query = {{"uploadId", upload_id}}});
  } catch (const Error& error) {
    spdlog::warn("{} failed, and aborting upload {} failed too, so its parts remain: {}", operation,
                 upload_id, error.what());
  }
}

PutResult S3ObjectStore::PutVersioned(std::string_view key, std::string_view bytes,
                                      const std::string& sha256) {
  std::optional<ObjectVersion> newest = HeadVersion(key, "");
  if (newest && newest->sha256 == sha256) return PutResult{*newest, false};
  HttpResponse response = Upload(BucketKey(key), bytes, sha256, {});
  std::string version_id = response.Header("x-amz-version-id");
  if (version_id.empty()) {
    throw Error(ErrorCode::kFailedPrecondition,
                "S3 PUT of " + client_.Describe(BucketKey(key)) +
                    " returned no version id although the bucket had versioning enabled; "
                    "enable versioning again or restart so the store reads its status anew");
  }
  return PutResult{ObjectVersion{std::string(key), version_id, bytes.size(), sha256}, true};
}

PutResult S3ObjectStore::PutUnversioned(std::string_view key, std::string_view bytes,
                                        const std::string& sha256) {
  while (true) {
    std::optional<ObjectVersion> newest = Head(key);
    if (newest && newest->sha256 == sha256) return PutResult{*newest, false};
    uint64_t sequence = newest ? ParseVersionId(newest->version_id)->first + 1 : 1;
    std::string version_id = FormatVersionId(sequence, sha256);
    std::string version_key = VersionsPrefix(key) + version_id;
    HttpResponse claimed = Upload(version_key, bytes, sha256, {{"If-None-Match", "*"}});
    if (claimed.status == 412) continue;  // Another writer took this sequence number.

    // Publish the newest version under the plain key, for browsing.
    S3Request copy{.method = "PUT", .key = BucketKey(key)};
    copy.headers.emplace_back("x-amz-copy-source",
                              AwsUriEncode(client_.options().bucket + "/" + version_key, true));
    HttpResponse copied = client_.Send(copy);
    CheckBodyForError(copied, "S3 CopyObject to " + client_.Describe(BucketKey(key)));
    return PutResult{ObjectVersion{std::string(key), version_id, bytes.size(), sha256}, true};
  }
}

PutResult S3ObjectStore::Put(std::string_view key, std::string_view bytes) {
  ValidateObjectKey(key);
  std::string sha256 = Sha256Hex(bytes);
  if (bucket_versioning_) return PutVersioned(key, bytes, sha256);
  return PutUnversioned(key, bytes, sha256);
}

}  // namespace macropipe
