// Files that only their owner may read or write, such as the secrets file and
// the secrets key file.
//
//   WritePrivateFileAtomically(path, token, PrivateFileWrite::kReplace);
//   std::string token = ReadPrivateFile(path, "secrets file");
//
// Thread-safety: the functions share no state. Concurrent writers of one path
// leave one of the written versions in place.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace macropipe {

enum class PrivateFileWrite {
  kReplace,    // Replace the file if it exists.
  kCreateNew,  // Fail with Error(kFailedPrecondition) if the file exists.
};

// Writes `bytes` to `path` with mode 0600. A temporary file created with mode
// 0600 in the same folder is written, flushed to disk and moved into place.
// So others can never read the content, and readers see the old file or the
// whole new one. Missing parent folders are created with mode 0700.
// Throws Error(kPermissionDenied or kUnavailable) naming the path.
void WritePrivateFileAtomically(const std::filesystem::path& path, std::string_view bytes,
                                PrivateFileWrite mode);

// Throws Error(kFailedPrecondition) when `path` grants any permission to its
// group or to others, with a message naming the file as `description` and
// saying to run `chmod 600`. Checks the mode bits, not whether the current
// user can read the file, so the check holds for root as well.
void CheckPrivateFileMode(const std::filesystem::path& path, std::string_view description);

// Checks the mode with CheckPrivateFileMode, then returns the whole file.
// Throws Error(kNotFound) naming `description` and the path when it is missing.
std::string ReadPrivateFile(const std::filesystem::path& path, std::string_view description);

}  // namespace macropipe
