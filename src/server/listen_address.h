// The address `macropipe serve --listen` binds: "HOST:PORT", with IPv6 hosts
// in brackets ("[::1]:8080").
//
//   ListenAddress address = ParseListenAddress("127.0.0.1:8080");
//   if (!IsLoopback(address.host)) { ... require an access token ... }
//
// Plain functions; safe to call from any thread.
#pragma once

#include <string>

namespace macropipe::server {

struct ListenAddress {
  std::string host = "127.0.0.1";
  int port = 8080;  // 0 picks a free port.
};

// Throws Error(kInvalidInput) naming the text when it is not HOST:PORT with a
// port from 0 to 65535.
ListenAddress ParseListenAddress(const std::string& text);

// True for "localhost", 127.0.0.0/8 and ::1: addresses that other machines cannot reach.
bool IsLoopback(const std::string& host);

}  // namespace macropipe::server
