// The HTTP server of `macropipe serve`: the page, the REST API under /api/v1
// and /metrics, on one address.
//
//   ApiServer server(options, {.data_dir = dir, .state_store = &store, .runs = &controller});
//   int port = server.Bind();  // Port 0 picks a free one.
//   server.Serve();            // Blocks until Stop() is called from another thread.
//
// Bound to a loopback address it serves anyone on the machine. Bound to any
// other address it requires an access token, sent on every request as
// `Authorization: Bearer TOKEN` or as the cookie that opening `/?token=TOKEN` sets.
//
// Thread-safe: requests are served on a pool of threads; Stop may be called
// from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "dag/state_store.h"
#include "server/listen_address.h"
#include "server/request_metrics.h"
#include "server/run_controller.h"
#include "warehouse/warehouse.h"

namespace httplib {
class Server;
}

namespace macropipe::server {

struct ServerOptions {
  ListenAddress listen = {};
  std::string access_token = {};  // Empty: none; allowed only on loopback addresses.
  int64_t sql_max_rows = 10000;   // The most rows one SQL query returns.
  std::chrono::milliseconds sql_time_limit{5000};
};

// What the routes read and act on. The pointees must outlive the server.
struct ServerContext {
  std::filesystem::path data_dir = {};  // Holds warehouse.db and logs/.
  dag::StateStore* state_store = nullptr;
  RunController* runs = nullptr;  // Null: the API lists runs but cannot start them.
  // Opens the warehouse read-only for one request; empty: `<data_dir>/warehouse.db`.
  std::function<std::unique_ptr<Warehouse>()> open_warehouse = {};
};

class ApiServer {
 public:
  // Throws Error(kFailedPrecondition) when the address is not loopback and no
  // access token is set, and Error(kInvalidInput) without a state store.
  ApiServer(ServerOptions options, ServerContext context);
  ~ApiServer();
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;

  // Binds the listening socket and returns its port. Throws Error(kUnavailable)
  // naming the address when binding fails.
  int Bind();
  // Serves requests until Stop; Bind must have been called. Returns at once
  // when Stop came first.
  void Serve();
  void Stop();

 private:
  void AddRoutes();

  ServerOptions options_;
  ServerContext context_;
  RequestMetrics metrics_;
  std::unique_ptr<httplib::Server> http_;
  std::atomic<bool> stop_requested_{false};
};

}  // namespace macropipe::server
