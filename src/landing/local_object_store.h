// An ObjectStore in a local folder.
//
// Layout: the newest version of key K is the plain file `<root>/K`, so the
// landing zone can be browsed with ordinary tools. Every version, the newest
// included, is kept as `<root>/.versions/K/<version_id>` with the same inode;
// version ids are `v<6-digit sequence>-<first 16 hex digits of SHA-256>`.
// Thread-safe and safe across processes: a version file is created with
// link(2), which fails instead of replacing a version another writer made.
#pragma once

#include <filesystem>

#include "landing/object_store.h"

namespace macropipe {

class LocalObjectStore : public ObjectStore {
 public:
  explicit LocalObjectStore(std::filesystem::path root);

  PutResult Put(std::string_view key, std::string_view bytes) override;
  std::string Get(std::string_view key, std::string_view version_id = {}) const override;
  std::unique_ptr<std::istream> Open(std::string_view key,
                                     std::string_view version_id = {}) const override;
  std::optional<ObjectVersion> Head(std::string_view key) const override;
  std::vector<ObjectVersion> List(std::string_view prefix) const override;
  std::vector<ObjectVersion> ListVersions(std::string_view key) const override;
  std::string Location() const override;

  const std::filesystem::path& root() const { return root_; }

 private:
  std::filesystem::path VersionFolder(std::string_view key) const;
  std::filesystem::path VersionPath(std::string_view key, std::string_view version_id) const;

  std::filesystem::path root_;
};

}  // namespace macropipe
