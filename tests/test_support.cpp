#include "test_support.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>

namespace macropipe::testing {

ScratchDir::ScratchDir() {
  std::random_device random;
  path_ = std::filesystem::temp_directory_path() /
          ("macropipe-test-" + std::to_string(::getpid()) + "-" + std::to_string(random()));
  std::filesystem::create_directories(path_);
}

ScratchDir::~ScratchDir() {
  std::error_code ignored;
  std::filesystem::permissions(path_, std::filesystem::perms::owner_all,
                               std::filesystem::perm_options::add, ignored);
  std::filesystem::remove_all(path_, ignored);
}

std::optional<std::filesystem::path> RecordedDataDir() {
  const char* dir = std::getenv("MACROPIPE_RECORDED_DATA_DIR");
  if (dir == nullptr || *dir == '\0' || !std::filesystem::is_directory(dir)) return std::nullopt;
  return std::filesystem::path(dir);
}

std::optional<std::filesystem::path> RecordedFile(const std::string& relative) {
  auto dir = RecordedDataDir();
  if (!dir || !std::filesystem::exists(*dir / relative)) return std::nullopt;
  return *dir / relative;
}

std::string RecordedDataMissing(const std::string& relative) {
  return "recorded data file '" + relative +
         "' not found: set the CMake cache variable MACROPIPE_RECORDED_DATA_DIR (or the "
         "environment variable of that name) to the folder of recorded data";
}

CommandResult RunMacropipe(const std::string& arguments,
                           const std::map<std::string, std::string>& environment) {
  ScratchDir capture;
  std::string out_path = (capture / "out").string();
  std::string err_path = (capture / "err").string();
  std::string command = environment.empty() ? "" : "env";
  for (const auto& [name, value] : environment) command += " " + name + "='" + value + "'";
  command +=
      " " + std::string(MACROPIPE_BINARY) + " " + arguments + " >" + out_path + " 2>" + err_path;
  int status = std::system(command.c_str());
  CommandResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  auto read = [](const std::string& path) {
    std::ifstream in(path);
    std::stringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
  };
  result.out = read(out_path);
  result.err = read(err_path);
  return result;
}

pid_t StartMacropipe(const std::string& arguments, const std::filesystem::path& output) {
  // `exec` makes the shell's process the binary, so the id returned is the binary's.
  std::string command =
      "exec " + std::string(MACROPIPE_BINARY) + " " + arguments + " >" + output.string() + " 2>&1";
  pid_t pid = fork();
  if (pid == 0) {
    execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  if (pid < 0) throw std::runtime_error("fork failed for: " + command);
  return pid;
}

void WriteText(const std::filesystem::path& path, const std::string& text) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

}  // namespace macropipe::testing
