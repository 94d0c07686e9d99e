#include "replay_server.h"

#include <spdlog/spdlog.h>
#include <zlib.h>

#include <chrono>
#include <cmath>
#include <memory>
#include <thread>

#include "connection_faults.h"
#include "core/error.h"

namespace macropipe::replay {
namespace {

constexpr char kJson[] = "application/json";

const char kThrottleBody[] =
    R"({"Note": "API call frequency exceeded: the replay server sent this throttle note with )"
    R"(HTTP 200 in place of data. Please slow down and retry."})";

const char kHtmlBody[] =
    "<!DOCTYPE html>\n<html><head><title>Service Unavailable</title></head>\n"
    "<body><h1>Service Unavailable</h1><p>The replay server sent this HTML error page in place "
    "of data.</p></body></html>\n";

const char kTruncatedBody[] =
    R"({"data": "the replay server declared this body's whole length and sent only half"})";

QueryParameters ParametersOf(const httplib::Request& request) {
  QueryParameters parameters;
  for (const auto& [name, value] : request.params) parameters.emplace_back(name, value);
  return parameters;
}

// The request's parameters as JSON, credential values hidden.
// Compresses `bytes` into the gzip format at zlib's default level.
std::string Gzip(std::string_view bytes) {
  z_stream stream{};
  constexpr int kGzipWindowBits = 15 + 16;  // The largest window, with a gzip header.
  if (deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, kGzipWindowBits, 8,
                   Z_DEFAULT_STRATEGY) != Z_OK) {
    throw Error(ErrorCode::kInternal, "zlib could not start a gzip stream");
  }
  std::string compressed(deflateBound(&stream, bytes.size()), '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  stream.avail_in = static_cast<uInt>(bytes.size());
  stream.next_out = reinterpret_cast<Bytef*>(compressed.data());
  stream.avail_out = static_cast<uInt>(compressed.size());
  int result = deflate(&stream, Z_FINISH);
  compressed.resize(stream.total_out);
  deflateEnd(&stream);
  if (result != Z_STREAM_END) {
    throw Error(ErrorCode::kInternal,
                "zlib could not compress a body of " + std::to_string(bytes.size()) + " bytes");
  }
  return compressed;
}

bool AcceptsGzip(const httplib::Request& request) {
  return request.get_header_value("Accept-Encoding").find("gzip") != std::string::npos;
}

nlohmann::json ParametersJson(const httplib::Request& request) {
  nlohmann::json json = nlohmann::json::object();
  for (const auto& [name, value] : request.params) {
    json[name] = IsCredentialParameter(name) ? "REDACTED" : value;
  }
  return json;
}

void SetJson(httplib::Response& response, int status, const nlohmann::json& body) {
  response.status = status;
  response.set_content(body.dump() + "\n", kJson);
}

std::vector<std::pair<std::string, std::string>> FaultHeaders(const Fault& fault) {
  return {fault.headers.begin(), fault.headers.end()};
}

}  // namespace

std::string CheckLoopbackHost(const std::string& host) {
  if (host == "127.0.0.1" || host == "::1" || host == "localhost") return "";
  return "host '" + host +
         "' is not a loopback address; the replay server binds only 127.0.0.1, ::1 or localhost";
}

ReplayServer::ReplayServer(RecordingIndex index, ReplayOptions options)
    : index_(std::move(index)), options_(std::move(options)) {
  if (std::string problem = CheckLoopbackHost(options_.host); !problem.empty()) {
    throw Error(ErrorCode::kInvalidInput, problem);
  }
  if (options_.host == "localhost") options_.host = "127.0.0.1";
  if (options_.rate_limit) {
    double burst = options_.rate_burst.value_or(std::max(1.0, *options_.rate_limit));
    if (!(*options_.rate_limit > 0) || !std::isfinite(*options_.rate_limit) || !(burst >= 1)) {
      throw Error(ErrorCode::kInvalidInput,
                  "--rate-limit must be a positive number of requests per second and "
                  "--rate-burst at least 1");
    }
    rate_limiter_ = std::make_unique<TokenBucket>(*options_.rate_limit, burst);
  }
  for (Fault& fault : options_.faults) faults_.Add(fault);

  RegisterControlRoutes();
  auto handler = [this](const httplib::Request& request, httplib::Response& response) {
    HandleRecorded(request, response);
  };
  server_.Get(".*", handler);
  server_.Post(".*", handler);
  server_.Put(".*", handler);
  server_.Delete(".*", handler);
  server_.set_exception_handler(
      [](const httplib::Request& request, httplib::Response& response, std::exception_ptr error) {
        std::string message = "unknown error";
        try {
          std::rethrow_exception(error);
        } catch (const std::exception& caught) {
          message = caught.what();
        }
        spdlog::error("{} {} failed: {}", request.method, request.path, message);
        SetJson(response, 500, {{"error", message}});
      });
}

void ReplayServer::RegisterControlRoutes() {
  server_.Get("/_replay/stats", [this](const httplib::Request&, httplib::Response& response) {
    SetJson(response, 200, stats_.ToJson());
  });
  server_.Get("/_replay/faults", [this](const httplib::Request&, httplib::Response& response) {
    SetJson(response, 200, {{"faults", faults_.Pending()}});
  });
  server_.Post("/_replay/faults", [this](const httplib::Request& request,
                                         httplib::Response& response) {
    nlohmann::json json = nlohmann::json::parse(request.body, nullptr, /*allow_exceptions=*/false);
    try {
      if (json.is_discarded()) throw Error(ErrorCode::kInvalidInput, "the body is not valid JSON");
      std::vector<Fault> faults = ParseFaultList(json);
      for (Fault& fault : faults) {
        spdlog::info("fault added: {} x{} for paths starting with '{}'", FaultKindName(fault.kind),
                     fault.count, fault.path);
        faults_.Add(std::move(fault));
      }
      SetJson(response, 200, {{"faults", faults_.Pending()}});
    } catch (const Error& error) {
      SetJson(response, 400, {{"error", error.what()}});
    }
  });
  server_.Delete("/_replay/faults", [this](const httplib::Request&, httplib::Response& response) {
    faults_.Clear();
    SetJson(response, 200, {{"faults", nlohmann::json::array()}});
  });
}

void ReplayServer::HandleRecorded(const httplib::Request& request, httplib::Response& response) {
  stats_.CountRequest(request.path,
                      RequestKey(request.method, request.path, ParametersOf(request)));
  if (rate_limiter_ && !rate_limiter_->TryTake()) {
    stats_.CountRateViolation();
    stats_.CountStatus(429);
    spdlog::warn("{} {}: over the rate limit of {}/s, sent 429", request.method, request.path,
                 *options_.rate_limit);
    SetJson(response, 429,
            {{"error_code", 429}, {"error_message", "Too Many Requests. Exceeded Rate Limit"}});
    return;
  }
  if (options_.latency_ms > 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(options_.latency_ms));
  }

  QueryParameters parameters = ParametersOf(request);
  const Recording* recording = index_.Match(request.method, request.path, parameters);
  if (std::optional<Fault> fault = faults_.Take(request.path, parameters)) {
    stats_.CountFault(FaultKindName(fault->kind));
    spdlog::info("{} {}: injecting fault {}", request.method, request.path,
                 FaultKindName(fault->kind));
    ApplyFault(*fault, request, recording, response);
    return;
  }
  ServeRecording(request, recording, response);
}

void ReplayServer::ServeRecording(const httplib::Request& request, const Recording* recording,
                                  httplib::Response& response) {
  if (recording == nullptr) {
    stats_.CountUnmatched();
    stats_.CountStatus(404);
    spdlog::warn("{} {}: no recording matches", request.method, request.path);
    SetJson(response, 404,
            {{"error", "no recording matches this request"},
             {"method", request.method},
             {"path", request.path},
             {"parameters", ParametersJson(request)},
             {"note", "matching ignores credential parameters and parameter order"}});
    return;
  }
  stats_.CountStatus(recording->status);
  spdlog::debug("{} {}: {} from {}", request.method, request.path, recording->status,
                recording->origin);
  response.status = recording->status;
  for (const auto& [name, value] : recording->headers) {
    if (name != "Content-Type" && name != "content-type") response.set_header(name, value);
  }
  // httplib takes a provider of length 0 for one that streams until it calls
  // done(), so an empty body goes through set_content, which httplib does not
  // encode either.
  if (recording->body.empty()) {
    response.set_content("", recording->ContentType());
    return;
  }

  // Left to itself, httplib 0.11.4 encodes a JSON or text body with Brotli
  // whenever the client accepts "br", which took about 7 seconds for a 1.8 MB
  // JSON body. The APIs that the recordings come from send gzip, so the server
  // encodes the body itself and hands httplib the finished bytes through a
  // content provider, which httplib sends unchanged.
  bool gzip = AcceptsGzip(request);
  auto bytes = std::make_shared<const std::string>(gzip ? Gzip(recording->body) : recording->body);
  if (gzip) response.set_header("Content-Encoding", "gzip");
  response.set_content_provider(bytes->size(), recording->ContentType(),
                                [bytes](size_t offset, size_t length, httplib::DataSink& sink) {
                                  return sink.write(bytes->data() + offset, length);
                                });
}

void ReplayServer::ApplyFault(const Fault& fault, const httplib::Request& request,
                              const Recording* recording, httplib::Response& response) {
  auto body_or = [&](const std::string& fallback) { return fault.body.value_or(fallback); };
  auto content_type_or = [&](const std::string& fallback) {
    return fault.content_type.empty() ? fallback : fault.content_type;
  };
  switch (fault.kind) {
    case FaultKind::kSlow:
      std::this_thread::sleep_for(std::chrono::milliseconds(fault.delay_ms));
      ServeRecording(request, recording, response);
      return;
    case FaultKind::kStatus:
    case FaultKind::kThrottle:
    case FaultKind::kHtml: {
      int status = fault.kind == FaultKind::kThrottle ? 200 : fault.status;
      std::string default_body =
          fault.kind == FaultKind::kThrottle ? kThrottleBody
          : fault.kind == FaultKind::kHtml
              ? kHtmlBody
              : nlohmann::json(
                    {{"error_code", status},
                     {"error_message", "injected fault: HTTP " + std::to_string(status)}})
                    .dump();
      std::string default_type =
          fault.kind == FaultKind::kHtml ? "text/html; charset=utf-8" : kJson;
      stats_.CountStatus(status);
      response.status = status;
      for (const auto& [name, value] : fault.headers) response.set_header(name, value);
      response.set_content(body_or(default_body), content_type_or(default_type));
      return;
    }
    default:
      break;
  }

  // The remaining faults act on the socket itself.
  std::optional<int> socket = FindConnectionSocket(request.local_port, request.remote_port);
  if (!socket) {
    spdlog::error("{} {}: the connection's socket was not found, so fault {} could not be injected",
                  request.method, request.path, FaultKindName(fault.kind));
    SetJson(response, 500, {{"error", "fault injection failed: connection socket not found"}});
    return;
  }
  if (fault.kind == FaultKind::kReset) {
    ResetConnection(*socket);
  } else if (fault.kind == FaultKind::kEmpty) {
    CloseWithoutReply(*socket);
  } else {
    std::string body = recording != nullptr ? recording->body : body_or(kTruncatedBody);
    std::vector<std::pair<std::string, std::string>> headers = FaultHeaders(fault);
    headers.emplace_back("Content-Type",
                         recording != nullptr ? recording->ContentType() : content_type_or(kJson));
    SendTruncated(*socket, recording != nullptr ? recording->status : 200, headers, body);
  }
  // httplib writes this response next and fails, because the connection is gone.
  response.status = 500;
}

int ReplayServer::Bind() {
  int port = options_.port;
  bool bound = port == 0 ? (port = server_.bind_to_any_port(options_.host)) > 0
                         : server_.bind_to_port(options_.host, port);
  if (!bound) {
    throw Error(ErrorCode::kUnavailable, "could not bind " + Address(options_.port) +
                                             "; choose another --port, or 0 for a free one");
  }
  return port;
}

bool ReplayServer::Run() { return server_.listen_after_bind(); }

void ReplayServer::Stop() { server_.stop(); }

std::string ReplayServer::Address(int port) const {
  std::string host =
      options_.host.find(':') != std::string::npos ? "[" + options_.host + "]" : options_.host;
  return host + ":" + std::to_string(port);
}

}  // namespace macropipe::replay
