#include "landing/local_object_store.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>

#include "core/error.h"
#include "core/files.h"
#include "core/sha256.h"
#include "landing/version_id.h"

namespace macropipe {
namespace {

constexpr char kVersionsFolder[] = ".versions";

}  // namespace

void ValidateObjectKey(std::string_view key) {
  auto reject = [&](const char* why) {
    throw Error(ErrorCode::kInvalidInput, "invalid object key '" + std::string(key) + "': " + why);
  };
  if (key.empty()) reject("it is empty");
  if (key.front() == '/') reject("it must be relative");
  size_t start = 0;
  while (start <= key.size()) {
    size_t slash = key.find('/', start);
    std::string_view segment =
        key.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (segment.empty()) reject("it has an empty path segment");
    if (segment == "." || segment == "..") reject("it has a '.' or '..' segment");
    if (segment == kVersionsFolder) reject("'.versions' is reserved");
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
}

LocalObjectStore::LocalObjectStore(std::filesystem::path root) : root_(std::move(root)) {}

std::string LocalObjectStore::Location() const {
  return "file://" + std::filesystem::absolute(root_).lexically_normal().string();
}

std::filesystem::path LocalObjectStore::VersionFolder(std::string_view key) const {
  return root_ / kVersionsFolder / std::filesystem::path(key);
}

std::filesystem::path LocalObjectStore::VersionPath(std::string_view key,
                                                    std::string_view version_id) const {
  return VersionFolder(key) / std::string(version_id);
}

std::vector<ObjectVersion> LocalObjectStore::ListVersions(std::string_view key) const {
  ValidateObjectKey(key);
  std::vector<std::pair<uint64_t, ObjectVersion>> found;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(VersionFolder(key), error)) {
    if (!entry.is_regular_file()) continue;
    std::string name = entry.path().filename().string();
    auto parsed = ParseVersionId(name);
    if (!parsed) continue;  // Temporary files of a write in progress.
    ObjectVersion version{std::string(key), name, entry.file_size(), parsed->second};
    found.emplace_back(parsed->first, std::move(version));
  }
  std::sort(found.begin(), found.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<ObjectVersion> versions;
  for (auto& [sequence, version] : found) versions.push_back(std::move(version));
  return versions;
}

std::optional<ObjectVersion> LocalObjectStore::Head(std::string_view key) const {
  std::vector<ObjectVersion> versions = ListVersions(key);
  if (versions.empty()) return std::nullopt;
  return versions.back();
}

PutResult LocalObjectStore::Put(std::string_view key, std::string_view bytes) {
  ValidateObjectKey(key);
  std::string sha256 = Sha256Hex(bytes);
  std::filesystem::path folder = VersionFolder(key);
  CreateDirectories(folder);

  // Write the bytes once to a temporary name, then claim the next sequence
  // number with link(2), which fails if another writer took that number first.
  std::filesystem::path temporary = folder / (".incoming-" + sha256.substr(0, 16));
  temporary += "-" + std::to_string(::getpid());
  WriteFileAtomically(temporary, bytes);
  while (true) {
    std::optional<ObjectVersion> newest = Head(key);
    if (newest && newest->sha256 == sha256) {
      std::filesystem::remove(temporary);
      return PutResult{*newest, false};
    }
    uint64_t sequence = 1;
    if (newest) sequence = ParseVersionId(newest->version_id)->first + 1;
    std::string version_id = FormatVersionId(sequence, sha256);
    std::filesystem::path version_path = folder / version_id;
    if (::link(temporary.c_str(), version_path.c_str()) != 0) {
      if (errno == EEXIST) continue;
      int error_number = errno;
      std::filesystem::remove(temporary);
      throw Error(ErrorCode::kUnavailable, "could not store version " + version_path.string() +
                                               ": " + std::strerror(error_number));
    }
    // Publish the newest version under the plain key: rename is atomic, and
    // the temporary name shares the version's inode.
    std::filesystem::path plain = root_ / std::filesystem::path(key);
    CreateDirectories(plain.parent_path());
    if (::rename(temporary.c_str(), plain.c_str()) != 0) {
      int error_number = errno;
      std::filesystem::remove(temporary);
      throw Error(ErrorCode::kUnavailable,
                  "could not publish " + plain.string() + ": " + std::strerror(error_number));
    }
    return PutResult{ObjectVersion{std::string(key), version_id, bytes.size(), sha256}, true};
  }
}

std::unique_ptr<std::istream> LocalObjectStore::Open(std::string_view key,
                                                     std::string_view version_id) const {
  ValidateObjectKey(key);
  std::string id(version_id);
  if (id.empty()) {
    std::optional<ObjectVersion> newest = Head(key);
    if (!newest) {
      throw Error(ErrorCode::kNotFound,
                  "object not found: " + std::string(key) + " in " + Location());
    }
    id = newest->version_id;
  }
  auto stream = std::make_unique<std::ifstream>(VersionPath(key, id), std::ios::binary);
  if (!*stream) {
    throw Error(ErrorCode::kNotFound, "object version not found: " + std::string(key) +
                                          " version " + id + " in " + Location());
  }
  return stream;
}

std::string LocalObjectStore::Get(std::string_view key, std::string_view version_id) const {
  std::unique_ptr<std::istream> stream = Open(key, version_id);
  std::string bytes((std::istreambuf_iterator<char>(*stream)), std::istreambuf_iterator<char>());
  return bytes;
}

std::vector<ObjectVersion> LocalObjectStore::List(std::string_view prefix) const {
  std::vector<ObjectVersion> objects;
  std::filesystem::path versions_root = root_ / kVersionsFolder;
  std::error_code error;
  auto it = std::filesystem::recursive_directory_iterator(versions_root, error);
  for (; !error && it != std::filesystem::recursive_directory_iterator(); it.increment(error)) {
    if (!it->is_directory()) continue;
    // A key's folder holds version files; folders above it hold folders only.
    bool has_versions = false;
    for (const auto& child : std::filesystem::directory_iterator(it->path())) {
      if (child.is_regular_file() && ParseVersionId(child.path().filename().string())) {
        has_versions = true;
        break;
      }
    }
    if (!has_versions) continue;
    std::string key = std::filesystem::relative(it->path(), versions_root).generic_string();
    if (key.compare(0, prefix.size(), prefix) != 0) continue;
    if (auto newest = Head(key)) objects.push_back(*newest);
  }
  std::sort(objects.begin(), objects.end(),
            [](const ObjectVersion& a, const ObjectVersion& b) { return a.key < b.key; });
  return objects;
}

}  // namespace macropipe
