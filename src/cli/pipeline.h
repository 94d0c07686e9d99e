// The storage of one data directory as the command line uses it, and the
// request setup that every fetch of a source shares.
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/config.h"
#include "dag/state_store.h"
#include "http/rate_budget.h"
#include "http/request_executor.h"
#include "landing/landing_zone.h"
#include "landing/object_store.h"
#include "sources/source.h"
#include "warehouse/postgres_db.h"
#include "warehouse/warehouse.h"

namespace macropipe {

// Connection options for the PostgreSQL URI `uri` from `origin` (file and
// line): the URI is checked, and the password is PGPASSWORD from the
// environment or, failing that, from the secrets file of `data_dir`.
PostgresOptions PostgresOptionsFor(const std::string& uri, const std::string& origin,
                                   const std::filesystem::path& data_dir);

// Opens the warehouse that `config` names: PostgreSQL for a postgresql:// URI
// in its `warehouse` key, else SQLite at `<data_dir>/warehouse.db`.
std::unique_ptr<Warehouse> OpenConfiguredWarehouse(const Config& config,
                                                   const std::filesystem::path& data_dir,
                                                   bool read_only);

// Opens the scheduler's state database that `config` names: PostgreSQL for
// a postgresql:// URI in its `state` key, else SQLite at `<data_dir>/state.db`.
std::unique_ptr<dag::StateStore> OpenConfiguredStateStore(const Config& config,
                                                          const std::filesystem::path& data_dir);

// Where that state database is, for messages: the URI without its password
// or the path of state.db.
std::string StateStoreLocation(const Config& config, const std::filesystem::path& data_dir);

// The storage of one data directory: the landing store that the config's
// `landing` names (by default `<dir>/landing`) and the warehouse that the
// config names. The landing zone may be shared between threads; the warehouse
// is for one thread at a time.
class Workspace {
 public:
  explicit Workspace(const std::filesystem::path& data_dir, const Config& config = {});

  LandingZone& landing() { return landing_; }
  ObjectStore& object_store() { return *store_; }
  // Opens the warehouse on first use, creating the file.
  Warehouse& warehouse();
  const std::filesystem::path& data_dir() const { return data_dir_; }

 private:
  std::filesystem::path data_dir_;
  Config config_;
  std::unique_ptr<ObjectStore> store_;
  LandingZone landing_;
  std::mutex warehouse_mutex_;
  std::unique_ptr<Warehouse> warehouse_;  // Created under warehouse_mutex_.
};

// The loopback origin from MACROPIPE_HTTP_ORIGIN that replaces every http(s)
// URL's origin, such as http://127.0.0.1:8080 for a replay server, or an empty
// string when it is not set. Throws Error(kInvalidInput) for another host.
std::string HttpOriginOverride();

// The rate budget of `source`, shared by everything in this process that
// uses the source. A daily quota's count is kept under `data_dir`, so it
// survives restarts.
std::shared_ptr<RateBudget> SourceRateBudget(const Source& source,
                                             const std::filesystem::path& data_dir);

// The request executor of `source`, which sends every request through
// `budget` with the source's retries, timeout and response cap.
std::shared_ptr<RequestExecutor> MakeSourceFetcher(const Source& source,
                                                   std::shared_ptr<RateBudget> budget,
                                                   const std::string& origin);

struct SourceFailure {
  std::string source;  // The source, or "source/series" for one series.
  std::string message;
  bool deferred = false;  // The series waits for its source's daily quota to reset.
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
