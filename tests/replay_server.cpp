#include "replay_server.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>
#include <thread>

#include "http/http_client.h"

extern char** environ;

namespace macropipe::testing {
namespace {

constexpr char kListeningPrefix[] = "listening on ";

// Reads the child's first line of standard output, waiting at most `timeout`.
std::string ReadFirstLine(int descriptor, std::chrono::milliseconds timeout) {
  std::string text;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (text.find('\n') == std::string::npos) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    pollfd poll_descriptor{descriptor, POLLIN, 0};
    if (::poll(&poll_descriptor, 1, static_cast<int>(left.count())) <= 0) break;
    char buffer[256];
    ssize_t count = ::read(descriptor, buffer, sizeof(buffer));
    if (count <= 0) break;  // The child closed its output, probably by exiting.
    text.append(buffer, static_cast<size_t>(count));
  }
  return text.substr(0, text.find('\n'));
}

// Waits up to `timeout` for the child to exit; returns its wait status, or -1.
int WaitForExit(pid_t pid, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) return status;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return -1;
}

HttpOptions ControlOptions() {
  HttpOptions options;
  options.connect_timeout = std::chrono::seconds(5);
  options.total_timeout = std::chrono::seconds(10);
  return options;
}

}  // namespace

ReplayServer::ReplayServer(const std::filesystem::path& recordings_dir,
                           const std::vector<std::string>& arguments) {
  std::vector<std::string> argv_strings = {MACROPIPE_REPLAY_BINARY, recordings_dir.string(),
                                           "--port", "0"};
  argv_strings.insert(argv_strings.end(), arguments.begin(), arguments.end());
  std::vector<char*> argv;
  for (std::string& argument : argv_strings) argv.push_back(argument.data());
  argv.push_back(nullptr);

  int output[2];
  if (::pipe2(output, O_CLOEXEC) != 0)
    throw std::runtime_error("pipe2 failed for macropipe-replay");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, output[1], STDOUT_FILENO);
  int spawned = ::posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(output[1]);
  if (spawned != 0) {
    ::close(output[0]);
    throw std::runtime_error(std::string("could not start ") + MACROPIPE_REPLAY_BINARY +
                             ": error " + std::to_string(spawned));
  }

  std::string line = ReadFirstLine(output[0], std::chrono::seconds(10));
  ::close(output[0]);
  size_t colon = line.rfind(':');
  if (line.rfind(kListeningPrefix, 0) != 0 || colon == std::string::npos) {
    ::kill(pid_, SIGKILL);
    int status = WaitForExit(pid_, std::chrono::seconds(5));
    pid_ = -1;
    throw std::runtime_error("macropipe-replay did not start serving " + recordings_dir.string() +
                             " (first output line '" + line + "', wait status " +
                             std::to_string(status) + "); see its log above");
  }
  port_ = std::stoi(line.substr(colon + 1));
}

ReplayServer::~ReplayServer() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  if (WaitForExit(pid_, std::chrono::seconds(5)) == -1) {
    ::kill(pid_, SIGKILL);
    WaitForExit(pid_, std::chrono::seconds(5));
  }
}

std::string ReplayServer::Url(const std::string& path_and_query) const {
  return "http://127.0.0.1:" + std::to_string(port_) + path_and_query;
}

void ReplayServer::AddFaults(const std::string& json) {
  HttpClient client(ControlOptions());
  HttpResponse response = client.Post(Url("/_replay/faults"), json, "application/json");
  if (response.status != 200) {
    throw std::runtime_error("macropipe-replay rejected faults " + json + ": " + response.body);
  }
}

nlohmann::json ReplayServer::Stats() {
  HttpClient client(ControlOptions());
  return nlohmann::json::parse(client.Get(Url("/_replay/stats")).body);
}

}  // namespace macropipe::testing
