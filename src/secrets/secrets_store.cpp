#include "secrets/secrets_store.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <sys/file.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/files.h"
#include "secrets/private_file.h"
#include "secrets/secrets_key.h"

namespace macropipe {
namespace {

constexpr char kFileName[] = "secrets.fernet";
constexpr char kFileDescription[] = "secrets file";

std::map<std::string, std::string> ParseSecrets(const std::string& json_text,
                                                const std::filesystem::path& path) {
  nlohmann::json parsed = nlohmann::json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_object()) {
    throw Error(ErrorCode::kInvalidInput,
                std::string(kFileDescription) + " " + path.string() +
                    " decrypted, but its content is not a JSON object of names to values; " +
                    "restore it from a backup, or delete it and set the secrets again");
  }
  std::map<std::string, std::string> secrets;
  for (const auto& [name, value] : parsed.items()) {
    if (!value.is_string()) {
      throw Error(ErrorCode::kInvalidInput,
                  "secret '" + name + "' in " + kFileDescription + " " + path.string() +
                      " is not a string; set it again with `macropipe secrets set " + name + "`");
    }
    secrets[name] = value.get<std::string>();
  }
  return secrets;
}

}  // namespace

SecretsStore::SecretsStore(const std::filesystem::path& data_dir)
    : data_dir_(data_dir), path_(data_dir / kFileName) {}

std::vector<std::string> SecretsStore::Names() const {
  std::vector<std::string> names;
  for (const auto& [name, value] : ReadAll()) names.push_back(name);
  return names;
}

std::optional<std::string> SecretsStore::Get(const std::string& name) const {
  std::map<std::string, std::string> secrets = ReadAll();
  auto found = secrets.find(name);
  if (found == secrets.end()) return std::nullopt;
  return found->second;
}

void SecretsStore::Set(const std::string& name, const std::string& value) {
  ValidateSecretName(name);
  CreateDirectories(data_dir_);
  std::unique_ptr<FileLock> lock = FileLock::Lock(path_.string() + ".lock");
  std::map<std::string, std::string> secrets = ReadAll();
  secrets[name] = value;
  WriteAll(secrets);
}

bool SecretsStore::Remove(const std::string& name) {
  if (!std::filesystem::exists(path_)) return false;
  std::unique_ptr<FileLock> lock = FileLock::Lock(path_.string() + ".lock");
  std::map<std::string, std::string> secrets = ReadAll();
  if (secrets.erase(name) == 0) return false;
  WriteAll(secrets);
  return true;
}

std::map<std::string, std::string> SecretsStore::ReadAll() const {
  std::string token;
  try {
    token = ReadPrivateFile(path_, kFileDescription);
  } catch (const Error& error) {
    if (error.code() == ErrorCode::kNotFound) return {};
    throw;
  }

  SecretsKey key = LoadSecretsKey(data_dir_);
  std::string json_text;
  try {
    json_text = key.fernet.Decrypt(token);
  } catch (const Error& error) {
    throw Error(error.code(),
                "could not decrypt " + std::string(kFileDescription) + " " + path_.string() +
                    " with the key from " + key.origin + " (" + error.what() +
                    "); check that this is the key the file was written with and restore the " +
                    "key from your backup, or delete the file and set the secrets again");
  }
  std::map<std::string, std::string> secrets = ParseSecrets(json_text, path_);
  OPENSSL_cleanse(json_text.data(), json_text.size());
  return secrets;
}

void SecretsStore::WriteAll(const std::map<std::string, std::string>& secrets) const {
  SecretsKey key = LoadSecretsKey(data_dir_);
  std::string json_text = nlohmann::json(secrets).dump();
  std::string token = key.fernet.Encrypt(json_text);
  OPENSSL_cleanse(json_text.data(), json_text.size());
  WritePrivateFileAtomically(path_, token, PrivateFileWrite::kReplace);
}

void ValidateSecretName(const std::string& name) {
  bool valid =
      !name.empty() && (std::isalpha(static_cast<unsigned char>(name[0])) || name[0] == '_');
  for (char c : name) {
    valid = valid && (std::isalnum(static_cast<unsigned char>(c)) || c == '_');
  }
  if (valid) return;
  throw Error(ErrorCode::kInvalidInput,
              "invalid secret name '" + name + "': use letters, digits and underscores, not " +
                  "starting with a digit, as in an environment variable name such as FRED_API_KEY");
}

std::optional<std::string> LookupSecret(const std::filesystem::path& data_dir,
                                        const std::string& name) {
  const char* value = std::getenv(name.c_str());
  if (value != nullptr && *value != '\0') return std::string(value);
  return SecretsStore(data_dir).Get(name);
}

}  // namespace macropipe
