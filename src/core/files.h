// File-system helpers with the guarantees the landing zone and the data
// directory depend on.
#pragma once

#include <filesystem>
#include <memory>
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

// An exclusive flock(2) on a file, held for the lifetime of the object and
// released by the kernel when the process exits, also when it is killed. Two
// FileLock objects on one file exclude each other, also in one process.
class FileLock {
 public:
  // Takes the lock on `path`, creating the file and its folder; returns
  // nullptr at once when another FileLock holds it. Throws Error naming the
  // path when the file cannot be opened.
  static std::unique_ptr<FileLock> TryLock(const std::filesystem::path& path);
  // Takes the lock on `path` like TryLock, waiting while another holds it.
  static std::unique_ptr<FileLock> Lock(const std::filesystem::path& path);
  ~FileLock();
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

  int fd() const { return fd_; }

 private:
  explicit FileLock(int fd) : fd_(fd) {}
  // Opens the lock file, then returns the lock, or nullptr when `wait` is
  // false and another FileLock holds it.
  static std::unique_ptr<FileLock> Take(const std::filesystem::path& path, bool wait);

  int fd_;
};

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
  std::unique_ptr<FileLock> lock_;
};

}  // namespace macropipe
