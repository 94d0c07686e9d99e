#include "recording_index.h"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <set>

#include "core/error.h"
#include "core/files.h"

namespace macropipe::replay {
namespace {

constexpr char kIndexFile[] = "replay.json";
constexpr char kSidecarSuffix[] = ".meta.json";

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

// Headers that describe the recorded transfer rather than the body served now.
bool IsDroppedHeader(const std::string& name) {
  static const std::set<std::string> kDropped = {"content-encoding", "content-length",
                                                 "transfer-encoding", "connection", "keep-alive"};
  return kDropped.count(Lower(name)) > 0;
}

nlohmann::json ParseJsonFile(const std::filesystem::path& path) {
  nlohmann::json json = nlohmann::json::parse(ReadFile(path), nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) {
    throw Error(ErrorCode::kInvalidInput, path.string() + " is not valid JSON; fix or remove it");
  }
  return json;
}

[[noreturn]] void ThrowMalformed(const std::filesystem::path& path, const std::string& what) {
  throw Error(
      ErrorCode::kInvalidInput,
      path.string() + ": " + what + "; see tools/replay_server/recording_index.h for the format");
}

std::vector<std::pair<std::string, std::string>> HeadersFrom(const nlohmann::json& headers,
                                                             const std::filesystem::path& file) {
  std::vector<std::pair<std::string, std::string>> out;
  if (headers.is_null()) return out;
  if (!headers.is_object()) ThrowMalformed(file, "response headers must be an object");
  for (const auto& [name, value] : headers.items()) {
    if (!value.is_string()) ThrowMalformed(file, "header '" + name + "' must be a string");
    if (!IsDroppedHeader(name)) out.emplace_back(name, value.get<std::string>());
  }
  return out;
}

int StatusFrom(const nlohmann::json& response, const std::filesystem::path& file) {
  auto status = response.find("status");
  if (status == response.end()) return 200;
  if (!status->is_number_integer() || status->get<int>() < 100 || status->get<int>() > 599) {
    ThrowMalformed(file, "response status must be an integer from 100 to 599");
  }
  return status->get<int>();
}

std::string UriFrom(const nlohmann::json& request, const std::filesystem::path& file) {
  if (!request.is_object() || !request.contains("uri") || !request["uri"].is_string()) {
    ThrowMalformed(file, "request.uri is missing or not a string");
  }
  return request["uri"].get<std::string>();
}

std::string MethodFrom(const nlohmann::json& request) {
  std::string method = request.value("method", "GET");
  std::transform(method.begin(), method.end(), method.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return method;
}

// Splits a recorded URI (a whole URL, or a path with its query) into the
// decoded path and the parameters.
std::pair<std::string, QueryParameters> SplitUri(std::string_view uri) {
  size_t scheme = uri.find("://");
  if (scheme != std::string_view::npos) {
    size_t path_start = uri.find('/', scheme + 3);
    uri = path_start == std::string_view::npos ? std::string_view("/") : uri.substr(path_start);
  }
  std::string_view path = uri.substr(0, uri.find_first_of("?#"));
  return {PercentDecode(path, /*plus_is_space=*/false), ParseQuery(QueryOf(uri))};
}

}  // namespace

std::string Recording::ContentType() const {
  for (const auto& [name, value] : headers) {
    if (Lower(name) == "content-type") return value;
  }
  return "application/octet-stream";
}

std::string RequestKey(const std::string& method, const std::string& path,
                       const QueryParameters& parameters) {
  std::vector<std::string> matched;
  for (const auto& [name, value] : parameters) {
    if (!IsCredentialParameter(name)) matched.push_back(name + "=" + value);
  }
  std::sort(matched.begin(), matched.end());
  std::string key = method + " " + path;
  for (const std::string& parameter : matched) key += "\n" + parameter;
  return key;
}

RecordingIndex RecordingIndex::Load(const std::filesystem::path& dir) {
  if (!std::filesystem::is_directory(dir)) {
    throw Error(ErrorCode::kNotFound, "recording folder " + dir.string() +
                                          " does not exist; pass the folder of recorded responses");
  }
  RecordingIndex index;

  std::filesystem::path index_file = dir / kIndexFile;
  if (std::filesystem::exists(index_file)) {
    nlohmann::json json = ParseJsonFile(index_file);
    if (!json.is_object() || !json.contains("recordings") || !json["recordings"].is_array()) {
      ThrowMalformed(index_file, "expected an object with a \"recordings\" array");
    }
    for (const nlohmann::json& entry : json["recordings"]) {
      if (!entry.is_object() || !entry.contains("response") || !entry["response"].is_object()) {
        ThrowMalformed(index_file, "each recording needs a \"request\" and a \"response\" object");
      }
      const nlohmann::json& response = entry["response"];
      Recording recording;
      recording.status = StatusFrom(response, index_file);
      recording.headers = HeadersFrom(response.value("headers", nlohmann::json()), index_file);
      recording.origin = index_file.string();
      if (response.contains("body_file")) {
        recording.body = ReadFile(dir / response["body_file"].get<std::string>());
      } else {
        recording.body = response.value("body", "");
      }
      index.Add(MethodFrom(entry["request"]), UriFrom(entry["request"], index_file),
                std::move(recording));
    }
  }

  std::vector<std::filesystem::path> sidecars;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    std::string name = entry.path().filename().string();
    if (entry.is_regular_file() && name.size() > sizeof(kSidecarSuffix) - 1 &&
        name.ends_with(kSidecarSuffix)) {
      sidecars.push_back(entry.path());
    }
  }
  std::sort(sidecars.begin(), sidecars.end());
  for (const std::filesystem::path& sidecar : sidecars) {
    nlohmann::json json = ParseJsonFile(sidecar);
    if (!json.is_object() || !json.contains("response") || !json["response"].is_object()) {
      ThrowMalformed(sidecar, "expected an object with \"request\" and \"response\"");
    }
    const nlohmann::json& response = json["response"];
    Recording recording;
    recording.status = StatusFrom(response, sidecar);
    recording.headers =
        HeadersFrom(response.value("headers_as_recorded", nlohmann::json()), sidecar);
    recording.origin = sidecar.string();
    std::string stem = sidecar.filename().string();
    stem.resize(stem.size() - (sizeof(kSidecarSuffix) - 1));
    std::string body_file = json.value("body_file", stem + ".json");
    recording.body = ReadFile(sidecar.parent_path() / body_file);
    index.Add(MethodFrom(json.value("request", nlohmann::json::object())),
              UriFrom(json.value("request", nlohmann::json()), sidecar), std::move(recording));
  }
  return index;
}

void RecordingIndex::Add(const std::string& method, const std::string& uri, Recording recording) {
  auto [path, parameters] = SplitUri(uri);
  sequences_[RequestKey(method, path, parameters)].recordings.push_back(std::move(recording));
  ++count_;
}

const Recording* RecordingIndex::Match(const std::string& method, const std::string& path,
                                       const QueryParameters& parameters) const {
  auto it = sequences_.find(RequestKey(method, path, parameters));
  if (it == sequences_.end()) return nullptr;
  const Sequence& sequence = it->second;
  size_t served = sequence.served->fetch_add(1);
  return &sequence.recordings[std::min(served, sequence.recordings.size() - 1)];
}

}  // namespace macropipe::replay
