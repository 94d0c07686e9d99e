// The interface of the landing zone's storage: a flat namespace of keys, each
// with an ordered history of immutable versions, as in a versioned S3 bucket.
//
//   PutResult result = store.Put("fred-md/raw/current-20250301.csv", bytes);
//   std::string same = store.Get(result.version.key, result.version.version_id);
//
// Put never overwrites: bytes that differ from the key's newest version become
// a new version, and bytes equal to it (by SHA-256) are not stored again.
// Implementations are thread-safe, and writes are atomic: a reader sees a
// version whole or not at all.
#pragma once

#include <cstdint>
#include <istream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace macropipe {

struct ObjectVersion {
  std::string key;
  std::string version_id;  // Opaque; ordered by creation only within one key.
  uint64_t size = 0;
  std::string sha256;  // Lower-case hex.
};

struct PutResult {
  ObjectVersion version;
  bool created = false;  // False when the newest version already held these bytes.
};

class ObjectStore {
 public:
  virtual ~ObjectStore() = default;

  virtual PutResult Put(std::string_view key, std::string_view bytes) = 0;

  // Reads a version whole; an empty `version_id` means the newest.
  // Throws Error(kNotFound) naming the key and version.
  virtual std::string Get(std::string_view key, std::string_view version_id = {}) const = 0;

  // Opens a version for streaming reads, for objects too large to hold.
  virtual std::unique_ptr<std::istream> Open(std::string_view key,
                                             std::string_view version_id = {}) const = 0;

  // Returns the newest version of `key`, or nullopt when the key has none.
  virtual std::optional<ObjectVersion> Head(std::string_view key) const = 0;

  // Lists the newest version of every key starting with `prefix`, sorted by key.
  virtual std::vector<ObjectVersion> List(std::string_view prefix) const = 0;

  // Lists every version of `key`, oldest first.
  virtual std::vector<ObjectVersion> ListVersions(std::string_view key) const = 0;

  // A URL naming the store, for messages: "file:///data/landing" or "s3://bucket/prefix".
  virtual std::string Location() const = 0;
};

// Checks that `key` is a relative path of non-empty segments without "." or
// "..", so that it maps to the same object on every backend. Throws
// Error(kInvalidInput) naming the key otherwise.
void ValidateObjectKey(std::string_view key);

}  // namespace macropipe
