#include "core/files.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>

#include "core/error.h"

namespace macropipe {
namespace {

[[noreturn]] void ThrowIoError(const std::string& action, const std::filesystem::path& path,
                               int error_number) {
  ErrorCode code = (error_number == EACCES || error_number == EPERM || error_number == EROFS)
                       ? ErrorCode::kPermissionDenied
                       : ErrorCode::kUnavailable;
  std::string hint = code == ErrorCode::kPermissionDenied
                         ? "; check the folder's permissions or choose another --data-dir"
                         : "";
  if (error_number == ENOSPC) hint = "; free disk space and run again";
  throw Error(code, "could not " + action + " " + path.string() + ": " +
                        std::strerror(error_number) + hint);
}

void WriteAll(int fd, std::string_view bytes, const std::filesystem::path& path) {
  while (!bytes.empty()) {
    ssize_t written = ::write(fd, bytes.data(), bytes.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      ThrowIoError("write", path, errno);
    }
    bytes.remove_prefix(static_cast<size_t>(written));
  }
}

void SyncFolder(const std::filesystem::path& folder) {
  int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

}  // namespace

void WriteFileAtomically(const std::filesystem::path& path, std::string_view bytes) {
  std::filesystem::path folder = path.parent_path();
  if (!folder.empty()) CreateDirectories(folder);

  thread_local std::mt19937_64 random(std::random_device{}());
  std::filesystem::path temporary = path;
  temporary += ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(random() % 1000000);

  int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) ThrowIoError("create", temporary, errno);
  try {
    WriteAll(fd, bytes, temporary);
    if (::fsync(fd) != 0) ThrowIoError("flush", temporary, errno);
  } catch (...) {
    ::close(fd);
    ::unlink(temporary.c_str());
    throw;
  }
  ::close(fd);
  if (::rename(temporary.c_str(), path.c_str()) != 0) {
    int error_number = errno;
    ::unlink(temporary.c_str());
    ThrowIoError("rename into place", path, error_number);
  }
  SyncFolder(folder.empty() ? std::filesystem::path(".") : folder);
}

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (!std::filesystem::exists(path)) {
      throw Error(ErrorCode::kNotFound, "file not found: " + path.string());
    }
    ThrowIoError("open", path, errno);
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return std::move(buffer).str();
}

void CreateDirectories(const std::filesystem::path& path) {
  std::error_code error;
  std::filesystem::create_directories(path, error);
  if (error) ThrowIoError("create the folder", path, error.value());
}

std::unique_ptr<FileLock> FileLock::Take(const std::filesystem::path& path, bool wait) {
  CreateDirectories(path.parent_path());
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) ThrowIoError("open the lock file", path, errno);
  while (::flock(fd, wait ? LOCK_EX : LOCK_EX | LOCK_NB) != 0) {
    int error_number = errno;
    if (error_number == EINTR) continue;
    ::close(fd);
    if (error_number == EWOULDBLOCK) return nullptr;
    ThrowIoError("lock", path, error_number);
  }
  return std::unique_ptr<FileLock>(new FileLock(fd));
}

std::unique_ptr<FileLock> FileLock::TryLock(const std::filesystem::path& path) {
  return Take(path, /*wait=*/false);
}

std::unique_ptr<FileLock> FileLock::Lock(const std::filesystem::path& path) {
  return Take(path, /*wait=*/true);
}

FileLock::~FileLock() { ::close(fd_); }

DataDirLock::DataDirLock(const std::filesystem::path& data_dir) {
  std::filesystem::path lock_path = data_dir / ".lock";
  lock_ = FileLock::TryLock(lock_path);
  if (!lock_) {
    std::string holder;
    std::ifstream in(lock_path);
    std::getline(in, holder);
    throw Error(ErrorCode::kFailedPrecondition,
                "data directory " + data_dir.string() + " is in use by another macropipe process" +
                    (holder.empty() ? "" : " (pid " + holder + ")") +
                    "; wait for it to finish or use another --data-dir");
  }
  std::string pid = std::to_string(::getpid());
  if (::ftruncate(lock_->fd(), 0) == 0) {
    [[maybe_unused]] ssize_t ignored = ::pwrite(lock_->fd(), pid.data(), pid.size(), 0);
  }
}

DataDirLock::~DataDirLock() = default;

}  // namespace macropipe
