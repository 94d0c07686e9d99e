// Helpers shared by the tests: scratch folders, recorded data and running the
// macropipe binary.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <map>
#include <optional>
#include <string>

namespace macropipe::testing {

// A fresh folder under the system's temporary folder, removed on destruction.
class ScratchDir {
 public:
  ScratchDir();
  ~ScratchDir();
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

// The folder of recorded data named by MACROPIPE_RECORDED_DATA_DIR, or nullopt
// when it is unset or missing.
std::optional<std::filesystem::path> RecordedDataDir();

// Returns the path of a recorded file, or nullopt when it is absent, so a
// test can GTEST_SKIP with RecordedDataMissing().
std::optional<std::filesystem::path> RecordedFile(const std::string& relative);
std::string RecordedDataMissing(const std::string& relative);

struct CommandResult {
  int exit_code = 0;
  std::string out;  // Standard output.
  std::string err;  // Standard error.
};

// Runs the built macropipe binary with `arguments` (shell-quoted by the caller)
// and `environment` added to this process's environment.
CommandResult RunMacropipe(const std::string& arguments,
                           const std::map<std::string, std::string>& environment = {});

// Starts the built macropipe binary with `arguments` (shell-quoted by the
// caller) in the background, its standard output and error going to
// `output`, and returns the binary's own process id, so that a test can
// signal it. The caller must reap it with waitpid.
pid_t StartMacropipe(const std::string& arguments, const std::filesystem::path& output);

// Writes `text` to `path`, creating folders.
void WriteText(const std::filesystem::path& path, const std::string& text);

}  // namespace macropipe::testing
