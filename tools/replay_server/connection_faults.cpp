#include "connection_faults.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

namespace macropipe::replay {
namespace {

std::optional<int> PortOf(const sockaddr_storage& address) {
  if (address.ss_family == AF_INET) {
    return ntohs(reinterpret_cast<const sockaddr_in&>(address).sin_port);
  }
  if (address.ss_family == AF_INET6) {
    return ntohs(reinterpret_cast<const sockaddr_in6&>(address).sin6_port);
  }
  return std::nullopt;
}

void SendAll(int socket, const std::string& bytes) {
  size_t sent = 0;
  while (sent < bytes.size()) {
    ssize_t written = ::send(socket, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (written <= 0) return;  // The peer went away; nothing more to do.
    sent += static_cast<size_t>(written);
  }
}

}  // namespace

std::optional<int> FindConnectionSocket(int local_port, int remote_port) {
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd", error)) {
    int descriptor = std::atoi(entry.path().filename().c_str());
    sockaddr_storage local{};
    sockaddr_storage peer{};
    socklen_t local_size = sizeof(local);
    socklen_t peer_size = sizeof(peer);
    if (::getsockname(descriptor, reinterpret_cast<sockaddr*>(&local), &local_size) != 0) continue;
    if (::getpeername(descriptor, reinterpret_cast<sockaddr*>(&peer), &peer_size) != 0) continue;
    if (PortOf(local) == local_port && PortOf(peer) == remote_port) return descriptor;
  }
  return std::nullopt;
}

void ResetConnection(int socket) {
  sockaddr disconnect{};
  disconnect.sa_family = AF_UNSPEC;
  ::connect(socket, &disconnect, sizeof(disconnect));
}

void CloseWithoutReply(int socket) { ::shutdown(socket, SHUT_RDWR); }

void SendTruncated(int socket, int status,
                   const std::vector<std::pair<std::string, std::string>>& headers,
                   const std::string& body) {
  // The reason phrase may be empty (RFC 9112 section 4).
  std::string head = "HTTP/1.1 " + std::to_string(status) + " \r\n";
  for (const auto& [name, value] : headers) head += name + ": " + value + "\r\n";
  head += "Content-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n";
  SendAll(socket, head + body.substr(0, body.size() / 2));
  ::shutdown(socket, SHUT_RDWR);
}

}  // namespace macropipe::replay
