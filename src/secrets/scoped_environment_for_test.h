// Sets or unsets environment variables for one test and restores the earlier
// values on destruction, so tests in one process do not leak settings.
//
//   ScopedEnvironment environment;
//   environment.Set("MACROPIPE_SECRETS_KEY_FILE", key_file);
//
// Thread-safety: changes the process environment, so tests using it must not
// run alongside threads that read the environment.
#pragma once

#include <cstdlib>
#include <map>
#include <optional>
#include <string>

namespace macropipe::testing {

class ScopedEnvironment {
 public:
  ScopedEnvironment() = default;
  ~ScopedEnvironment() {
    for (const auto& [name, value] : saved_) {
      if (value) {
        ::setenv(name.c_str(), value->c_str(), 1);
      } else {
        ::unsetenv(name.c_str());
      }
    }
  }
  ScopedEnvironment(const ScopedEnvironment&) = delete;
  ScopedEnvironment& operator=(const ScopedEnvironment&) = delete;

  void Set(const std::string& name, const std::string& value) {
    Save(name);
    ::setenv(name.c_str(), value.c_str(), 1);
  }

  void Unset(const std::string& name) {
    Save(name);
    ::unsetenv(name.c_str());
  }

 private:
  void Save(const std::string& name) {
    if (saved_.count(name) != 0) return;
    const char* value = std::getenv(name.c_str());
    saved_[name] = value ? std::optional<std::string>(value) : std::nullopt;
  }

  std::map<std::string, std::optional<std::string>> saved_;
};

}  // namespace macropipe::testing
