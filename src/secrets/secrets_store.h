// The encrypted secrets file of a data directory, `<data_dir>/secrets.fernet`:
// one Fernet token whose plaintext is a JSON object from secret names to
// values. The key comes from LoadSecretsKey and never from the data directory.
//
//   SecretsStore(data_dir).Set("FRED_API_KEY", value);
//
// Thread-safety: a SecretsStore has no mutable state. Set and Remove hold an
// flock(2) on `<data_dir>/secrets.fernet.lock` while they read, change and
// write the file, so concurrent processes do not lose each other's updates.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace macropipe {

class SecretsStore {
 public:
  explicit SecretsStore(const std::filesystem::path& data_dir);

  const std::filesystem::path& path() const { return path_; }

  // The names of the stored secrets, sorted; empty when the file does not exist.
  std::vector<std::string> Names() const;

  // The value of secret `name`, or nullopt when the file or the name is missing.
  std::optional<std::string> Get(const std::string& name) const;

  // Stores `value` under `name`, replacing any earlier value. Throws
  // Error(kInvalidInput) for a name that is not an environment variable name.
  void Set(const std::string& name, const std::string& value);

  // Removes secret `name`; returns false when it was not stored.
  bool Remove(const std::string& name);

 private:
  // Decrypts the file; returns an empty map when it does not exist. Throws
  // Error naming the file and the key's origin when it cannot be decrypted.
  std::map<std::string, std::string> ReadAll() const;
  void WriteAll(const std::map<std::string, std::string>& secrets) const;

  std::filesystem::path data_dir_;
  std::filesystem::path path_;
};

// Throws Error(kInvalidInput) unless `name` matches [A-Za-z_][A-Za-z0-9_]*, the
// form of an environment variable name, because LookupSecret also looks the
// name up in the environment.
void ValidateSecretName(const std::string& name);

// Returns the secret `name`: the environment variable `name` when it is set and
// not empty, else the value in the secrets file of `data_dir`, else nullopt.
// Needs the secrets key only when the environment lacks the name and the
// secrets file exists.
std::optional<std::string> LookupSecret(const std::filesystem::path& data_dir,
                                        const std::string& name);

}  // namespace macropipe
