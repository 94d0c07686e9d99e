// An ObjectStore in an S3 bucket, under a key prefix.
//
//   S3ObjectStore store({.endpoint = "http://127.0.0.1:9000", .bucket = "macro"}, "landing");
//   store.Put("fred-md/raw/current.csv", bytes);
//
// Versions: in a bucket with versioning enabled, each version is an S3
// object version and its id is S3's. In a bucket without it, versions are
// kept as `<prefix>/.versions/<key>/<version id>` with ids as in
// version_id.h. Each is claimed with a conditional PUT (If-None-Match: *), so
// concurrent writers never replace each other's versions, and the newest is
// then copied to `<prefix>/<key>` for browsing. Either way every object
// carries its SHA-256 as user metadata (x-amz-meta-sha256).
//
// Objects larger than `multipart_threshold` are uploaded in parts; a failed
// multipart upload is aborted so that no parts are left behind. Open reads
// large objects in ranged GETs of `read_chunk` bytes.
//
// Thread-safe, and safe across processes sharing the bucket.
#pragma once

#include <cstdint>
#include <memory>

#include "landing/object_store.h"
#include "landing/s3_client.h"

namespace macropipe {

struct S3StoreOptions {
  std::string prefix = "";  // Keys live under "<prefix>/"; empty for the bucket's root.
  uint64_t multipart_threshold = 64ull << 20;
  uint64_t part_size = 16ull << 20;  // S3 wants at least 5 MiB for all parts but the last.
  uint64_t read_chunk = 8ull << 20;
};

class S3ObjectStore : public ObjectStore {
 public:
  // Reads the bucket's versioning status once. Throws Error when the bucket
  // cannot be reached (NoSuchBucket, AccessDenied, ...).
  S3ObjectStore(S3Options s3, S3StoreOptions options = {});

  PutResult Put(std::string_view key, std::string_view bytes) override;
  std::string Get(std::string_view key, std::string_view version_id = {}) const override;
  std::unique_ptr<std::istream> Open(std::string_view key,
                                     std::string_view version_id = {}) const override;
  std::optional<ObjectVersion> Head(std::string_view key) const override;
  // In a versioned bucket the listing carries no SHA-256, so `sha256` is
  // empty in what List returns there; Head and ListVersions fill it.
  std::vector<ObjectVersion> List(std::string_view prefix) const override;
  std::vector<ObjectVersion> ListVersions(std::string_view key) const override;
  std::string Location() const override;

  bool bucket_versioning() const { return bucket_versioning_; }
  const S3Client& client() const { return client_; }

 private:
  // An object as S3 addresses it: a key in the bucket and, in a versioned
  // bucket, a version id.
  struct Address {
    std::string key;
    std::string version_id;
    uint64_t size = 0;
  };

  std::string BucketKey(std::string_view key) const;
  std::string VersionsPrefix(std::string_view key) const;
  // Resolves `version_id` (empty: the newest) to the object to read; throws
  // Error(kNotFound) naming the key and version when there is none.
  Address Resolve(std::string_view key, std::string_view version_id) const;

  // Uploads `bytes` to `bucket_key` in one PUT or in parts, returning the
  // response headers of the final request; `precondition` is sent with it.
  HttpResponse Upload(const std::string& bucket_key, std::string_view bytes,
                      const std::string& sha256, const HeaderList& precondition) const;
  HttpResponse UploadInParts(const std::string& bucket_key, std::string_view bytes,
                             const std::string& sha256, const HeaderList& precondition) const;
  // Aborts a multipart upload and logs a failure to do so; `operation` names
  // the upload in that log line.
  void AbortUpload(const std::string& bucket_key, const std::string& upload_id,
                   const std::string& operation) const;

  std::optional<ObjectVersion> HeadVersion(std::string_view key, std::string_view version_id) const;
  PutResult PutVersioned(std::string_view key, std::string_view bytes, const std::string& sha256);
  PutResult PutUnversioned(std::string_view key, std::string_view bytes, const std::string& sha256);

  // Every S3 object version whose key starts with `bucket_prefix`, from
  // ListObjectVersions, in S3's order (by key, newest version first).
  struct ListedVersion {
    std::string key;
    std::string version_id;
    uint64_t size = 0;
    bool is_latest = false;
  };
  std::vector<ListedVersion> ListObjectVersions(const std::string& bucket_prefix) const;
  // Every S3 object under `bucket_prefix`, from ListObjectsV2, as key and size.
  std::vector<std::pair<std::string, uint64_t>> ListObjects(const std::string& bucket_prefix) const;

  S3Client client_;
  S3StoreOptions options_;
  bool bucket_versioning_ = false;
};

}  // namespace macropipe
