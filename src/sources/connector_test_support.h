// Test helpers for connectors: a Fetcher that serves responses from handlers
// instead of the network, and a landing zone in a scratch folder with a
// FetchContext over both. Used only by the *_test.cpp files here.
//
//   ConnectorHarness harness;
//   harness.fetcher.Serve("series/observations", JsonResponse(200, body));
//   FetchSummary summary = MakeSource(config)->Fetch(harness.context);
//
// Not thread-safe.
#pragma once

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "core/config.h"
#include "core/error.h"
#include "http/fetcher.h"
#include "landing/landing_zone.h"
#include "landing/local_object_store.h"
#include "sources/source.h"
#include "test_support.h"

namespace macropipe::testing {

using FetchHandler = std::function<std::optional<HttpResponse>(const FetchRequest& request)>;

// Serves each request from the first handler that returns a response, then
// applies the connector's classifier as a real Fetcher does. A request that no
// handler serves fails with Error(kNotFound) naming its URL.
class FakeFetcher : public Fetcher {
 public:
  void Handle(FetchHandler handler) { handlers_.push_back(std::move(handler)); }

  // Serves `response` to every request whose URL contains all of `parts`.
  void Serve(std::vector<std::string> parts, HttpResponse response) {
    Handle([parts = std::move(parts),
            response](const FetchRequest& request) -> std::optional<HttpResponse> {
      for (const std::string& part : parts) {
        if (request.url.find(part) == std::string::npos) return std::nullopt;
      }
      return response;
    });
  }

  HttpResponse Fetch(const FetchRequest& request, const ResponseClassifier& classify) override {
    requests.push_back(request);
    for (const FetchHandler& handler : handlers_) {
      std::optional<HttpResponse> response = handler(request);
      if (!response) continue;
      if (classify) classify(*response);
      return *response;
    }
    throw Error(ErrorCode::kNotFound, "no fake response for " + request.url);
  }

  std::vector<FetchRequest> requests;

 private:
  std::vector<FetchHandler> handlers_;
};

inline HttpResponse MakeResponse(long status, std::string body,
                                 std::string content_type = "application/json; charset=UTF-8") {
  HttpResponse response;
  response.status = status;
  response.body = std::move(body);
  if (!content_type.empty()) response.headers["content-type"] = std::move(content_type);
  return response;
}

inline std::string ReadWholeFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// A fixture of this repository, under tests/fixtures/.
inline std::string ReadFixture(const std::string& relative) {
  std::filesystem::path path =
      std::filesystem::path(MACROPIPE_SOURCE_DIR) / "tests/fixtures" / relative;
  if (!std::filesystem::exists(path)) {
    throw Error(ErrorCode::kNotFound, "test fixture " + path.string() + " is missing");
  }
  return ReadWholeFile(path);
}

// A landing zone in a scratch folder, a fake fetcher and a context over both,
// with secrets taken from `secrets`.
class ConnectorHarness {
 public:
  ConnectorHarness()
      : store(dir.path() / "landing"),
        zone(store),
        context{zone, http, "2025-03-01T12:00:00Z", &fetcher, nullptr} {
    context.secret = [this](const std::string& name) -> std::optional<std::string> {
      auto found = secrets.find(name);
      if (found == secrets.end()) return std::nullopt;
      return found->second;
    };
  }

  // Every committed manifest line of the landing zone, joined.
  std::string ManifestText() {
    std::string text;
    for (const ObjectVersion& object : store.List("")) {
      if (object.key.find("/manifest/") != std::string::npos) text += store.Get(object.key);
    }
    return text;
  }

  // The newest landed CSV of one series.
  std::string SeriesCsv(const std::string& source, const std::string& series) {
    std::optional<LandingEntry> entry = zone.Latest(source, series, ObjectKind::kSeries);
    if (!entry) throw Error(ErrorCode::kNotFound, "series " + series + " was not landed");
    return store.Get(entry->object.key, entry->object.version_id);
  }

  ScratchDir dir;
  LocalObjectStore store;
  LandingZone zone;
  HttpClient http;
  FakeFetcher fetcher;
  std::map<std::string, std::string> secrets;
  FetchContext context;
};

// Parses a config holding one [[sources]] table.
inline SourceConfig SourceFromToml(const std::string& toml) {
  return Config::Parse(toml, "test.toml").sources.at(0);
}

}  // namespace macropipe::testing
