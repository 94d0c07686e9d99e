#include "server/api_server.h"

#include <httplib.h>
#include <spdlog/spdlog.h>

#include <optional>

#include "core/error.h"
#include "server/problem.h"
#include "server/routes.h"

namespace macropipe::server {
namespace {

constexpr char kTokenCookie[] = "macropipe_token";

// Compares in time that depends only on the lengths, so that response times
// do not reveal how much of a guessed token is right.
bool EqualTokens(const std::string& given, const std::string& expected) {
  if (given.size() != expected.size()) return false;
  unsigned char difference = 0;
  for (size_t i = 0; i < given.size(); ++i) {
    difference |= static_cast<unsigned char>(given[i] ^ expected[i]);
  }
  return difference == 0;
}

std::string CookieValue(const httplib::Request& request, const std::string& name) {
  std::string cookies = request.get_header_value("Cookie");
  std::string prefix = name + "=";
  size_t start = 0;
  while (start < cookies.size()) {
    size_t end = cookies.find(';', start);
    if (end == std::string::npos) end = cookies.size();
    std::string cookie = cookies.substr(start, end - start);
    size_t first = cookie.find_first_not_of(' ');
    if (first != std::string::npos && cookie.compare(first, prefix.size(), prefix) == 0) {
      return cookie.substr(first + prefix.size());
    }
    start = end + 1;
  }
  return {};
}

// The start of the request being served on this thread, for its latency;
// unset for a request that failed before routing, such as one that could not be parsed.
thread_local std::optional<std::chrono::steady_clock::time_point> request_start;

void WriteCaughtError(const httplib::Request& request, httplib::Response& response,
                      std::exception_ptr caught) {
  try {
    std::rethrow_exception(caught);
  } catch (const Error& error) {
    if (error.code() == ErrorCode::kInternal) {
      spdlog::error("{} {} failed: {}", request.method, request.path, error.what());
    }
    WriteProblem(response, error);
  } catch (const std::exception& error) {
    spdlog::error("{} {} failed: {}", request.method, request.path, error.what());
    WriteProblem(response, 500, error.what());
  }
}

}  // namespace

bool Authorized(const httplib::Request& request, const std::string& token) {
  if (token.empty()) return true;
  std::string header = request.get_header_value("Authorization");
  const std::string bearer = "Bearer ";
  if (header.compare(0, bearer.size(), bearer) == 0 &&
      EqualTokens(header.substr(bearer.size()), token)) {
    return true;
  }
  return EqualTokens(CookieValue(request, kTokenCookie), token);
}

ApiServer::ApiServer(ServerOptions options, ServerContext context)
    : options_(std::move(options)),
      context_(std::move(context)),
      http_(std::make_unique<httplib::Server>()) {
  if (!IsLoopback(options_.listen.host) && options_.access_token.empty()) {
    throw Error(ErrorCode::kFailedPrecondition,
                "refusing to listen on " + options_.listen.host +
                    ", which other machines can reach, without an access token; set the "
                    "secret MACROPIPE_SERVER_TOKEN, or listen on 127.0.0.1");
  }
  if (context_.state_store == nullptr) {
    throw Error(ErrorCode::kInvalidInput, "the API server needs a state store");
  }
  AddRoutes();
}

ApiServer::~ApiServer() { Stop(); }

void ApiServer::AddRoutes() {
  // Without TCP_NODELAY a small response waits for the client's delayed ACK,
  // about 40 ms on Linux.
  http_->set_tcp_nodelay(true);
  http_->set_pre_routing_handler(
      [this](const httplib::Request& request, httplib::Response& response) {
        request_start = std::chrono::steady_clock::now();
        const std::string& token = options_.access_token;
        // Opening the page with ?token=TOKEN stores the token in a cookie, so
        // that the page's own requests carry it; the page then drops it from the URL.
        if (!token.empty() && request.path == "/" && request.has_param("token") &&
            EqualTokens(request.get_param_value("token"), token)) {
          response.set_header("Set-Cookie", std::string(kTokenCookie) + "=" + token +
                                                "; HttpOnly; SameSite=Strict; Path=/");
          return httplib::Server::HandlerResponse::Unhandled;
        }
        if (Authorized(request, token)) return httplib::Server::HandlerResponse::Unhandled;
        WriteProblem(response, 401,
                     "this server requires its access token: send the header "
                     "'Authorization: Bearer TOKEN', or open /?token=TOKEN in the browser");
        return httplib::Server::HandlerResponse::Handled;
      });
  http_->set_exception_handler(WriteCaughtError);
  http_->set_error_handler([](const httplib::Request& request, httplib::Response& response) {
    // A route that wrote its own problem set the content and its type.
    if (response.has_header("Content-Type")) return;
    if (response.status == 404) {
      WriteProblem(response, 404,
                   request.method + " " + request.path + " is not a resource of this server");
    } else {
      WriteProblem(response, response.status,
                   "the server could not read the request " + request.method + " " + request.path +
                       "; a POST needs a Content-Length header");
    }
  });
  // Counted before the response is written, so a client that reads /metrics
  // after a response always finds that response's request counted.
  http_->set_post_routing_handler(
      [this](const httplib::Request& request, httplib::Response& response) {
        std::optional<std::chrono::steady_clock::duration> elapsed;
        if (request_start) elapsed = std::chrono::steady_clock::now() - *request_start;
        request_start.reset();
        metrics_.Record(request.method, response.status, elapsed);
      });

  AddRunRoutes(*http_, context_);
  AddWarehouseRoutes(*http_, context_, options_);
  AddForecastRoutes(*http_, context_);
  AddBacktestRoutes(*http_, context_);
  AddMetricsRoute(*http_, context_, metrics_);
  AddPageRoutes(*http_);
}

int ApiServer::Bind() {
  const ListenAddress& listen = options_.listen;
  int port = listen.port;
  bool bound = false;
  if (port == 0) {
    port = http_->bind_to_any_port(listen.host);
    bound = port > 0;
  } else {
    bound = http_->bind_to_port(listen.host, port);
  }
  if (!bound) {
    throw Error(ErrorCode::kUnavailable,
                "cannot listen on " + listen.host + ":" + std::to_string(listen.port) +
                    ": the port is in use or the address is not on this machine; choose "
                    "another with --listen");
  }
  return port;
}

void ApiServer::Serve() {
  // TODO: a Stop between this check and the listen loop's start is lost, and
  // Serve then runs until the next Stop; cpp-httplib 0.11 has no way to stop a
  // bound server that is not yet listening.
  if (!stop_requested_) http_->listen_after_bind();
}

void ApiServer::Stop() {
  stop_requested_ = true;
  if (http_->is_running()) http_->stop();
}

}  // namespace macropipe::server
