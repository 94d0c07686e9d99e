#include "secrets/secrets_key.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <cstdlib>

#include "core/error.h"
#include "secrets/private_file.h"

namespace macropipe {
namespace {

constexpr char kKeyFileDescription[] = "secrets key file";

std::string TrimWhitespace(const std::string& text) {
  size_t begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string::npos) return "";
  size_t end = text.find_last_not_of(" \t\r\n");
  return text.substr(begin, end - begin + 1);
}

bool IsInsideFolder(const std::filesystem::path& path, const std::filesystem::path& folder) {
  std::filesystem::path resolved_path =
      std::filesystem::weakly_canonical(std::filesystem::absolute(path));
  std::filesystem::path resolved_folder =
      std::filesystem::weakly_canonical(std::filesystem::absolute(folder));
  auto [folder_end, path_position] = std::mismatch(resolved_folder.begin(), resolved_folder.end(),
                                                   resolved_path.begin(), resolved_path.end());
  // A trailing separator of the folder shows up as one empty last element.
  return folder_end == resolved_folder.end() ||
         (std::next(folder_end) == resolved_folder.end() && folder_end->empty());
}

SecretsKey LoadKeyFile(const std::filesystem::path& key_file,
                       const std::filesystem::path& data_dir) {
  CheckKeyFileOutsideDataDir(key_file, data_dir);
  std::string content;
  try {
    content = ReadPrivateFile(key_file, kKeyFileDescription);
  } catch (const Error& error) {
    if (error.code() != ErrorCode::kNotFound) throw;
    throw Error(ErrorCode::kUnauthenticated,
                std::string("no secrets key: ") + kSecretsKeyVariable + " is not set and the " +
                    kKeyFileDescription + " " + key_file.string() +
                    " does not exist; create it with `macropipe secrets init`, restore it from " +
                    "your backup, or set " + kSecretsKeyVariable);
  }
  std::string key = TrimWhitespace(content);
  OPENSSL_cleanse(content.data(), content.size());
  std::string origin = std::string(kKeyFileDescription) + " " + key_file.string();
  SecretsKey loaded{Fernet(key, origin), origin};
  OPENSSL_cleanse(key.data(), key.size());
  return loaded;
}

}  // namespace

std::filesystem::path SecretsKeyFilePath() {
  const char* key_file = std::getenv(kSecretsKeyFileVariable);
  if (key_file != nullptr && *key_file != '\0') return key_file;
  const char* home = std::getenv("HOME");
  if (home == nullptr || *home == '\0') {
    throw Error(ErrorCode::kFailedPrecondition,
                std::string("cannot locate the ") + kKeyFileDescription +
                    ": HOME is not set; set " + kSecretsKeyFileVariable +
                    " to the key file's path or set " + kSecretsKeyVariable + " to the key");
  }
  return std::filesystem::path(home) / ".config" / "macropipe" / "secrets.key";
}

void CheckKeyFileOutsideDataDir(const std::filesystem::path& key_file,
                                const std::filesystem::path& data_dir) {
  if (!IsInsideFolder(key_file, data_dir)) return;
  throw Error(ErrorCode::kFailedPrecondition,
              std::string(kKeyFileDescription) + " " + key_file.string() +
                  " is inside the data directory " + data_dir.string() +
                  ", where anyone with a copy of the data could decrypt the secrets; move it " +
                  "elsewhere and point " + kSecretsKeyFileVariable + " at it");
}

SecretsKey LoadSecretsKey(const std::filesystem::path& data_dir) {
  const char* key = std::getenv(kSecretsKeyVariable);
  if (key != nullptr && *key != '\0') {
    return SecretsKey{Fernet(TrimWhitespace(key), kSecretsKeyVariable), kSecretsKeyVariable};
  }
  return LoadKeyFile(SecretsKeyFilePath(), data_dir);
}

bool CreateSecretsKeyFile(const std::filesystem::path& key_file,
                          const std::filesystem::path& data_dir) {
  CheckKeyFileOutsideDataDir(key_file, data_dir);
  if (std::filesystem::exists(key_file)) return false;
  std::string key = Fernet::GenerateKey() + "\n";
  try {
    WritePrivateFileAtomically(key_file, key, PrivateFileWrite::kCreateNew);
  } catch (const Error& error) {
    OPENSSL_cleanse(key.data(), key.size());
    // Another process created the key file after the check above.
    if (error.code() == ErrorCode::kFailedPrecondition && std::filesystem::exists(key_file)) {
      return false;
    }
    throw;
  }
  OPENSSL_cleanse(key.data(), key.size());
  return true;
}

}  // namespace macropipe
