// Faults below HTTP, done on the connection's socket from inside a request
// handler: a TCP reset, a close without a reply, and a body cut short.
// cpp-httplib (0.11.4) gives handlers no access to the socket, so the socket
// is found by its local and peer ports. After any of these, httplib's own
// write of the response fails and it closes the connection.
//
//   if (std::optional<int> socket = FindConnectionSocket(request.local_port, request.remote_port))
//     ResetConnection(*socket);
//
// Thread-safe as long as each handler touches only its own connection.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace macropipe::replay {

// Returns the descriptor of this process's TCP socket with these ports, or nullopt.
std::optional<int> FindConnectionSocket(int local_port, int remote_port);

// Aborts the connection so the peer sees a reset (RST) instead of a reply:
// a connect() to AF_UNSPEC disconnects the socket, which Linux does with a RST.
void ResetConnection(int socket);

// Ends the connection without a reply: the peer reads end of stream.
void CloseWithoutReply(int socket);

// Sends a status line, `headers` and a Content-Length of the whole `body`,
// then only the first half of the body, and ends the connection.
void SendTruncated(int socket, int status,
                   const std::vector<std::pair<std::string, std::string>>& headers,
                   const std::string& body);

}  // namespace macropipe::replay
