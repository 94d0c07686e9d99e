#include "cli/pipeline.h"

#include <spdlog/spdlog.h>

#include "core/error.h"
#include "core/files.h"
#include "http/rate_budget_registry.h"
#include "http/request_executor.h"
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
  auto secret = [&data_dir](const std::string& name) { return LookupSecret(data_dir, name); };
  std::string fetched_at = UtcTimestampNow();
  for (const auto& source : sources) {
    ++summary.sources;
    spdlog::info("source {}: fetching", source->name());
    try {
      // Every request of a source goes through its rate budget, which is shared
      // by everything in this process that uses the source. A daily quota's
      // count is kept in the data directory, so it survives restarts.
      RateLimits limits = source->rate_limits();
      RateBudgetOptions budget_options;
      if (limits.per_day) {
        budget_options.state_file =
            data_dir / "state" / "rate-budgets" / (source->name() + ".json");
      }
      std::shared_ptr<RateBudget> budget =
          RateBudgetRegistry::Global().Get(source->name(), limits, budget_options);
      RequestExecutor fetcher(budget);
      FetchContext context{landing, http, fetched_at, &fetcher, secret};
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
