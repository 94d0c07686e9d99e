// The recorded responses a replay server serves, loaded from a folder, and the
// rule that matches a request to them.
//
//   RecordingIndex index = RecordingIndex::Load("fixtures/fred");
//   const Recording* recording = index.Match("GET", "/fred/series", parameters);
//
// A folder may hold two layouts, both read:
//
// 1. An index file `replay.json`:
//      {"recordings": [
//        {"request": {"method": "GET", "uri": "/fred/series?series_id=GDP&api_key=x"},
//         "response": {"status": 200, "headers": {"Content-Type": "application/json"},
//                      "body_file": "series_GDP.json"}}]}
//    `uri` is a path with its query or a whole URL; `method` defaults to GET;
//    the response has `body_file` (relative to the folder) or an inline `body`.
// 2. Sidecars, in the folder or below it: `X.meta.json` holding
//    `request.uri`, `response.status` and `response.headers_as_recorded`, with
//    the body in its `body_file` or else in `X.json` beside it.
//
// A request matches a recording with the same method and path and the same
// query parameters in any order, credential parameters (api_key, apikey,
// token, ...) ignored. Recordings with equal requests are served in the order
// loaded (index file first, then sidecars by path), the last one repeating.
// Content-Encoding, Content-Length and hop-by-hop headers are dropped on
// load, since bodies are stored decompressed.
//
// Thread-safe: Match may be called from many threads.
#pragma once

#include <atomic>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "http/query.h"

namespace macropipe::replay {

struct Recording {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;  // Content-Type included.
  std::string body;
  std::string origin;  // The file it was loaded from, for logs.

  // The Content-Type header's value, or "application/octet-stream".
  std::string ContentType() const;
};

class RecordingIndex {
 public:
  // Loads every recording in `dir`. Throws macropipe::Error(kInvalidInput)
  // naming the file for a malformed index or sidecar, and kNotFound for a
  // missing folder or body file.
  static RecordingIndex Load(const std::filesystem::path& dir);

  // Returns the recording to serve for this request, or null. Each call for a
  // request with several recordings advances to the next one.
  const Recording* Match(const std::string& method, const std::string& path,
                         const QueryParameters& parameters) const;

  size_t size() const { return count_; }

 private:
  struct Sequence {
    std::vector<Recording> recordings;
    std::unique_ptr<std::atomic<size_t>> served = std::make_unique<std::atomic<size_t>>(0);
  };

  void Add(const std::string& method, const std::string& uri, Recording recording);

  std::map<std::string, Sequence> sequences_;  // By request key; fixed after Load.
  size_t count_ = 0;
};

// The key under which a request is matched: method, path and the sorted
// non-credential parameters.
std::string RequestKey(const std::string& method, const std::string& path,
                       const QueryParameters& parameters);

}  // namespace macropipe::replay
