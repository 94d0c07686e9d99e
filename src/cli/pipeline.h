// The pipeline's two halves as the command line runs them: ingest (fetch and
// land every configured source) and load (apply everything landed to the
// warehouse).
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/config.h"
#include "etl/loader.h"
#include "landing/landing_zone.h"
#include "landing/object_store.h"
#include "sources/source.h"
#include "warehouse/warehouse.h"

namespace macropipe {

// The storage of one data directory: the landing store that `landing` names
// (by default `<dir>/landing`) and `<dir>/warehouse.db`.
class Workspace {
 public:
  explicit Workspace(const std::filesystem::path& data_dir, const LandingConfig& landing = {});

  LandingZone& landing() { return landing_; }
  Warehouse& warehouse();
  const std::filesystem::path& data_dir() const { return data_dir_; }

 private:
  std::filesystem::path data_dir_;
  std::unique_ptr<ObjectStore> store_;
  LandingZone landing_;
  std::unique_ptr<Warehouse> warehouse_;
};

struct SourceFailure {
  std::string source;
  std::string message;
};

struct IngestSummary {
  int sources = 0;
  FetchSummary fetched;  // Added up over sources.
  std::vector<SourceFailure> failures;
  std::vector<SourceFailure> skipped;  // Sources whose API key is not set.
  // Series that failed while the rest of their source landed, named
  // "source/series".
  std::vector<SourceFailure> failed_series;
  // Series not requested because their source's daily quota ran out, named
  // like failed_series; a later run fetches them.
  std::vector<SourceFailure> deferred_series;
};

// Creates every source first, so a config error stops the run before any fetch,
// then fetches each source. A failing source is recorded and the rest go on.
// Sources look their API keys up in the environment, then in the secrets file
// of `data_dir`. When MACROPIPE_HTTP_ORIGIN is set to a loopback origin such
// as http://127.0.0.1:8080, every http(s) request goes there instead, keeping
// its path and query, so that a run can be pointed at a replay server.
IngestSummary IngestSources(const Config& config, LandingZone& landing,
                            const std::filesystem::path& data_dir);

}  // namespace macropipe
