// The key that encrypts the secrets file: where it is looked up, and creating it.
//
// The key is the value of MACROPIPE_SECRETS_KEY when that variable is set,
// else the content of the key file named by MACROPIPE_SECRETS_KEY_FILE, by
// default ~/.config/macropipe/secrets.key. The key file must have mode 0600 and
// lie outside the data directory, so that copying or backing up the data
// directory never copies the key along with the secrets it protects.
//
//   SecretsKey key = LoadSecretsKey(data_dir);
//   std::string json = key.fernet.Decrypt(token);
//
// Thread-safety: the functions read the environment and files and share no state.
#pragma once

#include <filesystem>
#include <string>

#include "secrets/fernet.h"

namespace macropipe {

inline constexpr char kSecretsKeyVariable[] = "MACROPIPE_SECRETS_KEY";
inline constexpr char kSecretsKeyFileVariable[] = "MACROPIPE_SECRETS_KEY_FILE";

struct SecretsKey {
  Fernet fernet;
  // The key's origin for messages: the variable name or "secrets key file PATH".
  std::string origin;
};

// Returns the key file path: MACROPIPE_SECRETS_KEY_FILE, else
// $HOME/.config/macropipe/secrets.key. Throws Error(kFailedPrecondition) when
// neither variable is set.
std::filesystem::path SecretsKeyFilePath();

// Throws Error(kFailedPrecondition) when `key_file`, with links and ".."
// resolved, lies inside `data_dir`.
void CheckKeyFileOutsideDataDir(const std::filesystem::path& key_file,
                                const std::filesystem::path& data_dir);

// Loads the key for the secrets file of `data_dir`. Throws Error(kUnauthenticated)
// when no key is set, Error(kFailedPrecondition) when the key file is inside
// `data_dir` or readable by others, and Error(kInvalidInput) for a malformed key.
// No message contains the key.
SecretsKey LoadSecretsKey(const std::filesystem::path& data_dir);

// Creates `key_file` with a new random key and mode 0600 unless it exists.
// Returns true when it created the file, false when one was already there.
bool CreateSecretsKeyFile(const std::filesystem::path& key_file,
                          const std::filesystem::path& data_dir);

}  // namespace macropipe
