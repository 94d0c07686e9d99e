// File-system helpers with the guarantees the landing zone and the data
// directory depend on.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace macropipe {

// Writes `bytes` to `path` atomically: a temporary file in the same folder is
// written, flushed to disk and renamed over `path`, then the folder is synced.
// Readers see either the old file or the whole new one, never a part.
// Throws Error(kPermissionDenied or kUnavailable) naming the path.
void WriteFileAtomically(const std::filesystem::path& path, std::string_view bytes);

// Reads a whole file. Throws Error(kNotFound) naming the path when it is missing.
std::string ReadFile(const std::filesystem::path& path);

// Creates `path` and its parents, failing with a message that names the path
// and what to do when the location is not writable.
void CreateDirectories(const std::filesystem::path& path);

// An exclusive lock on a data directory, held for the lifetime of the object.
// A second process that tries to take it fails at once with an error naming the
// process that holds it. The lock is an flock(2) on `<dir>/.lock`, released by
// the kernel when the process exits, also when it is killed.
class DataDirLock {
 public:
  explicit DataDirLock(const std::filesystem::path& data_dir);
  ~DataDirLock();
  DataDirLock(const DataDirLock&) = delete;
  DataDirLock& operator=(const DataDirLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace macropipe
