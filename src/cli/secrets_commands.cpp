// `macropipe secrets init|set|list|remove`: the encrypted secrets file.
#include <termios.h>
#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <iterator>
#include <memory>

#include "cli/command.h"
#include "core/error.h"
#include "secrets/private_file.h"
#include "secrets/secrets_key.h"
#include "secrets/secrets_store.h"

namespace macropipe {
namespace {

struct SecretsOptions {
  std::string name;
};

std::filesystem::path SecretsDataDir(const GlobalOptions& options) {
  return DataDir(options, LoadConfigOrEmpty(options));
}

// Turns off terminal echo on standard input for the object's lifetime.
class HiddenInput {
 public:
  HiddenInput() {
    if (::tcgetattr(STDIN_FILENO, &saved_) != 0) return;
    termios hidden = saved_;
    hidden.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    active_ = ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &hidden) == 0;
  }
  ~HiddenInput() {
    if (active_) ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_);
  }
  HiddenInput(const HiddenInput&) = delete;
  HiddenInput& operator=(const HiddenInput&) = delete;

 private:
  termios saved_{};
  bool active_ = false;
};

// Reads the secret value from standard input: one line typed without echo at
// a terminal, else everything piped in. One trailing newline is removed.
std::string ReadSecretValue(const std::string& name) {
  std::string value;
  if (::isatty(STDIN_FILENO)) {
    std::cerr << "Value for " << name << " (input hidden): " << std::flush;
    HiddenInput hidden;
    std::getline(std::cin, value);
    std::cerr << "\n";
  } else {
    value.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    if (!value.empty() && value.back() == '\n') value.pop_back();
    if (!value.empty() && value.back() == '\r') value.pop_back();
  }
  if (value.empty()) {
    throw Error(ErrorCode::kInvalidInput,
                "no value for secret " + name + " on standard input; pipe it in, for example " +
                    "`printf '%s\\n' \"$" + name + "\" | macropipe secrets set " + name + "`");
  }
  return value;
}

int RunInit(const GlobalOptions& options) {
  std::filesystem::path key_file = SecretsKeyFilePath();
  std::filesystem::path data_dir = SecretsDataDir(options);
  if (CreateSecretsKeyFile(key_file, data_dir)) {
    std::cout << "Created the secrets key file " << key_file.string() << " (mode 0600).\n";
  } else {
    CheckPrivateFileMode(key_file, "secrets key file");
    std::cout << "The secrets key file " << key_file.string() << " already exists; it was left "
              << "unchanged.\n";
  }
  std::cout << "Keep it outside the data directory and back it up: without it the secrets in "
            << SecretsStore(data_dir).path().string() << " cannot be decrypted.\n";
  const char* key = std::getenv(kSecretsKeyVariable);
  if (key != nullptr && *key != '\0') {
    std::cout << kSecretsKeyVariable << " is set, so macropipe uses it instead of the key file.\n";
  }
  return 0;
}

int RunSet(const GlobalOptions& options, const std::string& name) {
  ValidateSecretName(name);
  std::string value = ReadSecretValue(name);
  SecretsStore store(SecretsDataDir(options));
  store.Set(name, value);
  std::cout << "Stored secret " << name << " in " << store.path().string() << ".\n";
  const char* environment_value = std::getenv(name.c_str());
  if (environment_value != nullptr && *environment_value != '\0') {
    std::cerr << "warning: the environment variable " << name << " is set and takes precedence "
              << "over the secrets file; unset it to use the stored value\n";
  }
  return 0;
}

int RunList(const GlobalOptions& options) {
  SecretsStore store(SecretsDataDir(options));
  std::vector<std::string> names = store.Names();
  if (names.empty()) {
    std::cerr << "No secrets in " << store.path().string()
              << "; add one with `macropipe secrets set NAME`.\n";
  }
  for (const std::string& name : names) std::cout << name << "\n";
  return 0;
}

int RunRemove(const GlobalOptions& options, const std::string& name) {
  SecretsStore store(SecretsDataDir(options));
  if (!store.Remove(name)) {
    throw Error(ErrorCode::kNotFound, "secret " + name + " not found in " + store.path().string() +
                                          "; list the stored names with `macropipe secrets list`");
  }
  std::cout << "Removed secret " << name << " from " << store.path().string() << ".\n";
  return 0;
}

}  // namespace

void AddSecretsCommands(CLI::App& app, const GlobalOptions& options,
                        std::vector<CommandRegistration>& commands) {
  auto secrets_options = std::make_shared<SecretsOptions>();
  auto* secrets = app.add_subcommand(
      "secrets",
      "Manage API keys in the encrypted secrets file <data-dir>/secrets.fernet; the key is "
      "MACROPIPE_SECRETS_KEY or the file MACROPIPE_SECRETS_KEY_FILE "
      "(default ~/.config/macropipe/secrets.key)");
  secrets->require_subcommand(1);

  auto* init = secrets->add_subcommand(
      "init", "Create the secrets key file with a new random key unless it exists");
  commands.push_back({init, [&options] { return RunInit(options); }});

  auto* set = secrets->add_subcommand(
      "set", "Store a secret; the value is read from standard input, never from the arguments");
  set->add_option("name", secrets_options->name, "The secret's name, for example FRED_API_KEY")
      ->required();
  commands.push_back(
      {set, [&options, secrets_options] { return RunSet(options, secrets_options->name); }});

  auto* list = secrets->add_subcommand("list", "List the names of the stored secrets, not values");
  commands.push_back({list, [&options] { return RunList(options); }});

  auto* remove = secrets->add_subcommand("remove", "Remove a stored secret");
  remove->add_option("name", secrets_options->name, "The secret's name")->required();
  commands.push_back(
      {remove, [&options, secrets_options] { return RunRemove(options, secrets_options->name); }});
}

}  // namespace macropipe
