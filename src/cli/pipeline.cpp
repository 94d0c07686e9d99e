#include "cli/pipeline.h"

#include <spdlog/spdlog.h>

#include <cstdlib>

#include "cli/landing_store.h"
#include "core/error.h"
#include "core/files.h"
#include "dag/postgres_state_store.h"
#include "dag/sqlite_state_store.h"
#include "http/rate_budget_registry.h"
#include "secrets/secrets_store.h"
#include "warehouse/postgres_warehouse.h"

namespace macropipe {
namespace {

constexpr char kOriginVariable[] = "MACROPIPE_HTTP_ORIGIN";

}  // namespace

std::string HttpOriginOverride() {
  const char* value = std::getenv(kOriginVariable);
  if (value == nullptr || *value == '\0') return "";
  CheckLoopbackOrigin(value, std::string("the environment variable ") + kOriginVariable);
  spdlog::warn("{} is set: sending every HTTP request to {} instead of its configured host",
               kOriginVariable, value);
  return value;
}

std::shared_ptr<RateBudget> SourceRateBudget(const Source& source,
                                             const std::filesystem::path& data_dir) {
  RateLimits limits = source.request_policy().limits;
  RateBudgetOptions budget_options;
  if (limits.per_day) {
    budget_options.state_file = data_dir / "state" / "rate-budgets" / (source.name() + ".json");
  }
  return RateBudgetRegistry::Global().Get(source.name(), limits, budget_options);
}

std::shared_ptr<RequestExecutor> MakeSourceFetcher(const Source& source,
                                                   std::shared_ptr<RateBudget> budget,
                                                   const std::string& origin) {
  RequestPolicy policy = source.request_policy();
  RequestExecutorOptions options;
  options.retry = policy.retry;
  options.timeout = policy.timeout;
  options.max_body_bytes = policy.max_response_bytes;
  options.origin = origin;
  return std::make_shared<RequestExecutor>(std::move(budget), options);
}

PostgresOptions PostgresOptionsFor(const std::string& uri, const std::string& origin,
                                   const std::filesystem::path& data_dir) {
  ValidatePostgresUri(uri, origin);
  return {uri, LookupSecret(data_dir, "PGPASSWORD").value_or("")};
}

std::unique_ptr<Warehouse> OpenConfiguredWarehouse(const Config& config,
                                                   const std::filesystem::path& data_dir,
                                                   bool read_only) {
  if (!config.warehouse.empty()) {
    return OpenPostgresWarehouse(
        PostgresOptionsFor(config.warehouse, config.warehouse_origin, data_dir), read_only);
  }
  if (!read_only) CreateDirectories(data_dir);
  return OpenSqliteWarehouse((data_dir / "warehouse.db").string(), read_only);
}

std::unique_ptr<dag::StateStore> OpenConfiguredStateStore(const Config& config,
                                                          const std::filesystem::path& data_dir) {
  if (!config.state.empty()) {
    return std::make_unique<dag::PostgresStateStore>(
        PostgresOptionsFor(config.state, config.state_origin, data_dir));
  }
  CreateDirectories(data_dir);
  return std::make_unique<dag::SqliteStateStore>(data_dir / "state.db");
}

std::string StateStoreLocation(const Config& config, const std::filesystem::path& data_dir) {
  if (!config.state.empty()) return RedactPostgresUri(config.state);
  return (data_dir / "state.db").string();
}

Workspace::Workspace(const std::filesystem::path& data_dir, const Config& config)
    : data_dir_(data_dir),
      config_(config),
      store_(OpenLandingStore(config.landing, data_dir)),
      landing_(*store_) {}

Warehouse& Workspace::warehouse() {
  std::lock_guard lock(warehouse_mutex_);
  if (!warehouse_) warehouse_ = OpenConfiguredWarehouse(config_, data_dir_, /*read_only=*/false);
  return *warehouse_;
}

IngestSummary IngestSources(const Config& config, LandingZone& landing,
                            const std::filesystem::path& data_dir) {
  std::vector<std::unique_ptr<Source>> sources;
  for (const SourceConfig& source_config : config.sources) {
    sources.push_back(MakeSource(source_config));
  }

  IngestSummary summary;
  std::string origin = HttpOriginOverride();
  HttpOptions http_options;
  http_options.origin = origin;
  HttpClient http(http_options);
  auto secret = [&data_dir](const std::string& name) { return LookupSecret(data_dir, name); };
  std::string fetched_at = UtcTimestampNow();
  for (const auto& source : sources) {
    ++summary.sources;
    spdlog::info("source {}: fetching", source->name());
    try {
      std::shared_ptr<RequestExecutor> fetcher =
          MakeSourceFetcher(*source, SourceRateBudget(*source, data_dir), origin);
      FetchContext context{landing, http, fetched_at, fetcher.get(), secret};
      FetchSummary fetched = source->Fetch(context);
      summary.fetched.objects_landed += fetched.objects_landed;
      summary.fetched.objects_unchanged += fetched.objects_unchanged;
      summary.fetched.series += fetched.series;
      for (SeriesFailure& failure : fetched.failures) {
        auto& list = failure.deferred ? summary.deferred_series : summary.failed_series;
        list.push_back({source->name() + "/" + failure.series, failure.message});
      }
      spdlog::info("source {}: {} series, {} failed or deferred, {} objects landed, {} unchanged",
                   source->name(), fetched.series, fetched.failures.size(), fetched.objects_landed,
                   fetched.objects_unchanged);
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
