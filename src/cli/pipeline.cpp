#include "cli/pipeline.h"

#include <spdlog/spdlog.h>

#include "core/error.h"
#include "core/files.h"
#include "secrets/secrets_store.h"

namespace macropipe {

Workspace::Workspace(const std::filesystem::path& data_dir)
    : data_dir_(data_dir), store_(data_dir / "landing"), landing_(store_) {}

Warehouse& Workspace::warehouse() {
  if (!warehouse_) {
    CreateDirectories(data_dir_);
    warehouse_ = OpenSqliteWarehouse((data_dir_ / "warehouse.db").string());
  }
  return *warehouse_;
}

IngestSummary IngestSources(const Config& config, LandingZone& landing,
                            const std::filesystem::path& data_dir) {
  std::vector<std::unique_ptr<Source>> sources;
  for (const SourceConfig& source_config : config.sources) {
    sources.push_back(MakeSource(source_config));
  }

  IngestSummary summary;
  HttpClient http;
  DirectFetcher fetcher(http);
  auto secret = [&data_dir](const std::string& name) { return LookupSecret(data_dir, name); };
  FetchContext context{landing, http, UtcTimestampNow(), &fetcher, secret};
  for (const auto& source : sources) {
    ++summary.sources;
    spdlog::info("source {}: fetching", source->name());
    try {
      FetchSummary fetched = source->Fetch(context);
      summary.fetched.objects_landed += fetched.objects_landed;
      summary.fetched.objects_unchanged += fetched.objects_unchanged;
      summary.fetched.series += fetched.series;
      spdlog::info("source {}: {} series, {} objects landed, {} unchanged", source->name(),
                   fetched.series, fetched.objects_landed, fetched.objects_unchanged);
    } catch (const SourceSkipped& skipped) {
      spdlog::warn("{}", skipped.what());
      summary.skipped.push_back({source->name(), skipped.what()});
    } catch (const Error& error) {
      // Local storage failures affect every source alike: stop at once.
      // Other failures are returned in the summary, which the caller reports.
      if (error.code() == ErrorCode::kPermissionDenied) throw;
      summary.failures.push_back({source->name(), error.what()});
    } catch (const std::bad_alloc&) {
      summary.failures.push_back(
          {source->name(),
           "ran out of memory while fetching or parsing; the response may be "
           "far larger than expected, so check the source's url"});
    }
  }
  return summary;
}

}  // namespace macropipe
