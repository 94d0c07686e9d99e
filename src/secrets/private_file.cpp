#include "secrets/private_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <random>

#include "core/error.h"

namespace macropipe {
namespace {

constexpr mode_t kGroupAndOtherBits = S_IRWXG | S_IRWXO;

[[noreturn]] void ThrowIoError(const std::string& action, const std::filesystem::path& path,
                               int error_number) {
  bool denied = error_number == EACCES || error_number == EPERM || error_number == EROFS;
  throw Error(denied ? ErrorCode::kPermissionDenied : ErrorCode::kUnavailable,
              "could not " + action + " " + path.string() + ": " + std::strerror(error_number) +
                  (denied ? "; check the folder's owner and permissions" : ""));
}

// Creates the missing folders of `folder` with mode 0700; existing ones keep their mode.
void CreatePrivateFolders(const std::filesystem::path& folder) {
  if (folder.empty() || std::filesystem::is_directory(folder)) return;
  CreatePrivateFolders(folder.parent_path());
  if (::mkdir(folder.c_str(), 0700) != 0 && errno != EEXIST) {
    ThrowIoError("create the folder", folder, errno);
  }
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

std::filesystem::path TemporaryPath(const std::filesystem::path& path) {
  thread_local std::mt19937_64 random(std::random_device{}());
  std::filesystem::path temporary = path;
  temporary += ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(random() % 1000000);
  return temporary;
}

// Moves the written temporary file to `path`. kCreateNew uses link(2), which
// fails with EEXIST instead of replacing an existing file.
void MoveIntoPlace(const std::filesystem::path& temporary, const std::filesystem::path& path,
                   PrivateFileWrite mode) {
  if (mode == PrivateFileWrite::kReplace) {
    if (::rename(temporary.c_str(), path.c_str()) == 0) return;
  } else if (::link(temporary.c_str(), path.c_str()) == 0) {
    ::unlink(temporary.c_str());
    return;
  }
  int error_number = errno;
  ::unlink(temporary.c_str());
  if (error_number == EEXIST) {
    throw Error(ErrorCode::kFailedPrecondition,
                path.string() + " already exists; it was left unchanged");
  }
  ThrowIoError("move into place", path, error_number);
}

std::string ReadAll(int fd, const std::filesystem::path& path) {
  std::string bytes;
  char buffer[4096];
  while (true) {
    ssize_t count = ::read(fd, buffer, sizeof buffer);
    if (count < 0) {
      if (errno == EINTR) continue;
      ThrowIoError("read", path, errno);
    }
    if (count == 0) return bytes;
    bytes.append(buffer, static_cast<size_t>(count));
  }
}

void CheckMode(mode_t file_mode, const std::filesystem::path& path, std::string_view description) {
  if ((file_mode & kGroupAndOtherBits) == 0) return;
  char octal[8];
  std::snprintf(octal, sizeof octal, "%04o", static_cast<unsigned>(file_mode & 07777));
  throw Error(ErrorCode::kFailedPrecondition,
              std::string(description) + " " + path.string() + " has mode " + octal +
                  ", so its group or others may access it; restrict it to its owner with " +
                  "`chmod 600 " + path.string() + "`");
}

}  // namespace

void WritePrivateFileAtomically(const std::filesystem::path& path, std::string_view bytes,
                                PrivateFileWrite mode) {
  std::filesystem::path folder = path.parent_path();
  CreatePrivateFolders(folder);

  std::filesystem::path temporary = TemporaryPath(path);
  int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) ThrowIoError("create", temporary, errno);
  try {
    // The umask can only remove bits, but an explicit fchmod keeps the mode
    // exact whatever the umask is.
    if (::fchmod(fd, 0600) != 0) ThrowIoError("set the mode of", temporary, errno);
    WriteAll(fd, bytes, temporary);
    if (::fsync(fd) != 0) ThrowIoError("flush", temporary, errno);
  } catch (...) {
    ::close(fd);
    ::unlink(temporary.c_str());
    throw;
  }
  ::close(fd);
  MoveIntoPlace(temporary, path, mode);

  int folder_fd = ::open(folder.empty() ? "." : folder.c_str(), O_RDONLY | O_DIRECTORY);
  if (folder_fd >= 0) {
    ::fsync(folder_fd);
    ::close(folder_fd);
  }
}

void CheckPrivateFileMode(const std::filesystem::path& path, std::string_view description) {
  struct stat status;
  if (::stat(path.c_str(), &status) != 0) ThrowIoError("read the mode of", path, errno);
  CheckMode(status.st_mode, path, description);
}

std::string ReadPrivateFile(const std::filesystem::path& path, std::string_view description) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) {
      throw Error(ErrorCode::kNotFound,
                  std::string(description) + " " + path.string() + " not found");
    }
    ThrowIoError("open", path, errno);
  }
  try {
    // Check the opened file itself, so a file swapped in after the check is never read.
    struct stat status;
    if (::fstat(fd, &status) != 0) ThrowIoError("read the mode of", path, errno);
    CheckMode(status.st_mode, path, description);
    std::string bytes = ReadAll(fd, path);
    ::close(fd);
    return bytes;
  } catch (...) {
    ::close(fd);
    throw;
  }
}

}  // namespace macropipe
