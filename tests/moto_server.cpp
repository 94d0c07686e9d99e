#include "moto_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <random>
#include <sstream>
#include <thread>

#include "core/error.h"
#include "http/http_client.h"

extern char** environ;

namespace macropipe::testing {
namespace {

std::string g_failure;

// Returns the first executable `name` in the folders of PATH, or an empty path.
std::filesystem::path FindOnPath(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::stringstream folders(path == nullptr ? "" : path);
  std::string folder;
  while (std::getline(folders, folder, ':')) {
    std::filesystem::path candidate = std::filesystem::path(folder) / name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return {};
}

// Asks the kernel for a free loopback port. Another program may take it
// before moto_server binds it; then the start fails with a message.
int FreeLoopbackPort() {
  int descriptor = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  int port = 0;
  if (::bind(descriptor, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
      ::getsockname(descriptor, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
    port = ntohs(address.sin_port);
  }
  ::close(descriptor);
  return port;
}

void StopChild(pid_t pid) {
  ::kill(pid, SIGTERM);
  for (int i = 0; i < 500; ++i) {
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
}

}  // namespace

MotoServer* MotoServer::Start(std::string& failure) {
  std::filesystem::path binary = FindOnPath("moto_server");
  if (binary.empty()) {
    failure = "moto_server is not on PATH";
    return nullptr;
  }
  int port = FreeLoopbackPort();
  std::string port_text = std::to_string(port);
  std::vector<std::string> arguments = {binary.string(), "-H", "127.0.0.1", "-p", port_text};
  std::vector<char*> argv;
  for (std::string& argument : arguments) argv.push_back(argument.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  // The server's request log goes to the file MACROPIPE_MOTO_LOG names, if any.
  const char* log = std::getenv("MACROPIPE_MOTO_LOG");
  std::string log_path = log != nullptr && *log != '\0' ? log : "/dev/null";
  int log_flags = O_WRONLY | O_CREAT | O_APPEND;
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log_path.c_str(), log_flags, 0644);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, log_path.c_str(), log_flags, 0644);
  pid_t pid = -1;
  int spawned = ::posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) {
    failure = "could not start " + binary.string() + ": error " + std::to_string(spawned);
    return nullptr;
  }

  // moto takes a few seconds to import; poll until it responds.
  HttpOptions options;
  options.connect_timeout = std::chrono::seconds(1);
  options.total_timeout = std::chrono::seconds(2);
  HttpClient client(options);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) {
      failure = binary.string() + " exited at start with wait status " + std::to_string(status);
      return nullptr;
    }
    try {
      client.Get("http://127.0.0.1:" + port_text + "/");
      return new MotoServer(pid, port);
    } catch (const Error&) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  StopChild(pid);
  failure = binary.string() + " did not respond on port " + port_text + " within 60 seconds";
  return nullptr;
}

MotoServer* MotoServer::Shared() {
  static std::unique_ptr<MotoServer> server(Start(g_failure));
  return server.get();
}

std::string MotoServer::MissingMessage() {
  return "no S3 server for this test: " + g_failure +
         " (install moto 5 with its server extra, pip install 'moto[server]', so that "
         "moto_server is on PATH)";
}

MotoServer::~MotoServer() { StopChild(pid_); }

std::string MotoServer::Endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }

S3Options MotoServer::Options(const std::string& bucket) const {
  S3Options options;
  options.endpoint = Endpoint();
  options.bucket = bucket;
  options.credentials = {"testing-access-key", "testing-secret-key", ""};
  options.retry.initial_delay = std::chrono::milliseconds(50);
  options.timeout = std::chrono::seconds(60);
  return options;
}

std::string MotoServer::CreateBucket(bool versioning) {
  static std::mt19937_64 random(std::random_device{}());
  std::string bucket = "macropipe-test-" + std::to_string(random() % 1000000000000ull);
  S3Client client(Options(bucket));
  client.Send({.method = "PUT"});
  if (versioning) {
    client.Send({.method = "PUT",
                 .query = {{"versioning", ""}},
                 .body = "<VersioningConfiguration><Status>Enabled</Status>"
                         "</VersioningConfiguration>"});
  }
  return bucket;
}

}  // namespace macropipe::testing
