#include "server/listen_address.h"

#include <arpa/inet.h>

#include <charconv>

#include "core/error.h"

namespace macropipe::server {

ListenAddress ParseListenAddress(const std::string& text) {
  auto invalid = [&text](const std::string& why) {
    return Error(ErrorCode::kInvalidInput, "invalid --listen '" + text + "': " + why +
                                               "; write HOST:PORT, for example 127.0.0.1:8080 "
                                               "or [::1]:8080");
  };
  size_t colon = text.rfind(':');
  if (colon == std::string::npos) throw invalid("no port");
  std::string host = text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string::npos) {
    throw invalid("an IPv6 host needs brackets");
  }
  if (host.empty()) throw invalid("no host");

  std::string port_text = text.substr(colon + 1);
  int port = -1;
  auto [end, error] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (error != std::errc() || end != port_text.data() + port_text.size() || port < 0 ||
      port > 65535) {
    throw invalid("port '" + port_text + "' is not a number from 0 to 65535");
  }
  return {host, port};
}

bool IsLoopback(const std::string& host) {
  if (host == "localhost") return true;
  in_addr v4{};
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) {
    return (ntohl(v4.s_addr) >> 24) == 127;
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, host.c_str(), &v6) == 1) {
    return IN6_IS_ADDR_LOOPBACK(&v6);
  }
  return false;
}

}  // namespace macropipe::server
