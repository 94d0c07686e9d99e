#include "cli/pipeline_dag.h"

#include <spdlog/spdlog.h>

#include <cctype>
#include <cmath>

#include "cli/task_log_routing.h"
#include "core/error.h"
#include "core/files.h"
#include "forecast/forecast_job.h"
#include "http/request_executor.h"
#include "secrets/secrets_store.h"

namespace macropipe {
namespace {

constexpr int kDefaultPoolSlots = 128;

// A task id part made of letters, digits, '-', '_' and '.', as task ids allow.
std::string TaskIdPart(const std::string& text) {
  std::string part = text;
  for (char& c : part) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') c = '_';
  }
  return part;
}

std::chrono::milliseconds Milliseconds(double seconds) {
  return std::chrono::milliseconds(std::llround(seconds * 1000.0));
}

// Applies the task settings of the config to `task`; unset settings keep the
// TaskSpec defaults.
void ApplySettings(const TaskSettings& settings, const std::map<std::string, int>& pools,
                   dag::TaskSpec& task) {
  if (settings.pool) {
    if (!pools.contains(*settings.pool)) {
      throw Error(ErrorCode::kInvalidInput, "task '" + task.id + "' uses pool '" + *settings.pool +
                                                "' at " + settings.where +
                                                ", which is not configured; add it under [pools]");
    }
    task.pool = *settings.pool;
  }
  if (settings.retries) task.retry.retries = static_cast<int>(*settings.retries);
  if (settings.retry_delay_seconds) {
    task.retry.retry_delay = Milliseconds(*settings.retry_delay_seconds);
  }
  if (settings.retry_exponential_backoff) {
    task.retry.exponential_backoff = *settings.retry_exponential_backoff;
  }
  if (settings.max_retry_delay_seconds) {
    task.retry.max_retry_delay = Milliseconds(*settings.max_retry_delay_seconds);
  }
  if (settings.retry_jitter) task.retry.jitter = *settings.retry_jitter;
  if (settings.timeout_seconds) task.timeout = Milliseconds(*settings.timeout_seconds);
}

// Fetches one part of a source, or the whole source, and lands it.
class IngestTask : public dag::TaskBody {
 public:
  IngestTask(std::shared_ptr<Source> source, std::optional<std::string> part,
             std::shared_ptr<RequestExecutor> fetcher, std::string origin, Workspace& workspace,
             std::shared_ptr<PipelineTotals> totals)
      : source_(std::move(source)),
        part_(std::move(part)),
        fetcher_(std::move(fetcher)),
        origin_(std::move(origin)),
        workspace_(workspace),
        totals_(std::move(totals)) {}

  dag::TaskOutcome Run(dag::TaskContext& context) override {
    ScopedTaskLog route(context.logger());
    // All tasks share the landing zone, so its cache of the newest entries is
    // read from the manifests once. Each try gets its own HTTP client,
    // because the client is not safe to share between threads.
    LandingZone& landing = workspace_.landing();
    HttpOptions http_options;
    http_options.origin = origin_;
    HttpClient http(http_options);
    const std::filesystem::path& data_dir = workspace_.data_dir();
    FetchContext fetch{
        landing, http, UtcTimestampNow(), fetcher_.get(),
        [&data_dir](const std::string& name) { return LookupSecret(data_dir, name); }};
    if (context.run_id().starts_with("backfill__")) {
      fetch.as_of = LogicalDay(context);
      if (!source_->fetches_as_of()) {
        context.logger().warn(
            "source {} cannot fetch data as it was known on {}: it keeps no vintages in this "
            "mode, so this backfill run lands today's data",
            source_->name(), fetch.as_of->ToIso());
      }
    }

    FetchSummary fetched;
    try {
      fetched = part_ ? source_->FetchPart(fetch, *part_) : source_->Fetch(fetch);
    } catch (const SourceSkipped& skipped) {
      throw dag::TaskSkipped(skipped.what());
    }
    totals_->AddFetch(context.task_id(), source_->name(), fetched);
    context.logger().info("{} series, {} objects landed, {} unchanged, {} failed or deferred",
                          fetched.series, fetched.objects_landed, fetched.objects_unchanged,
                          fetched.failures.size());
    // The series that worked are landed. A failed series fails the try, so
    // that a retry fetches it again; a deferred one waits for its quota.
    for (const SeriesFailure& failure : fetched.failures) {
      if (!failure.deferred) {
        throw Error(failure.code, "series " + source_->name() + "/" + failure.series +
                                      " failed: " + failure.message);
      }
    }
    if (!fetched.failures.empty() && fetched.objects_landed + fetched.objects_unchanged == 0) {
      throw dag::TaskSkipped("series " + source_->name() + "/" + fetched.failures.front().series +
                             " deferred: " + fetched.failures.front().message);
    }
    return {.rows_landed = fetched.rows_landed};
  }

 private:
  static Date LogicalDay(const dag::TaskContext& context) {
    return Date(std::chrono::floor<std::chrono::days>(context.logical_date()));
  }

  std::shared_ptr<Source> source_;
  std::optional<std::string> part_;
  std::shared_ptr<RequestExecutor> fetcher_;
  std::string origin_;  // Replaces every URL's origin when not empty.
  Workspace& workspace_;
  std::shared_ptr<PipelineTotals> totals_;
};

// Loads everything landed and not yet loaded into the warehouse.
class LoadTask : public dag::TaskBody {
 public:
  LoadTask(Workspace& workspace, std::shared_ptr<PipelineTotals> totals)
      : workspace_(workspace), totals_(std::move(totals)) {}

  dag::TaskOutcome Run(dag::TaskContext& context) override {
    ScopedTaskLog route(context.logger());
    std::lock_guard lock(mutex_);  // One load at a time, whatever the number of runs.
    LandingZone landing(workspace_.object_store());
    Loader loader(landing, workspace_.warehouse());
    LoadSummary loaded = loader.LoadPending();
    totals_->AddLoad(loaded);
    context.logger().info("{} objects loaded ({} already loaded)", loaded.objects_loaded,
                          loaded.objects_skipped);
    return {.rows_inserted = loaded.counts.inserted, .rows_revised = loaded.counts.revised};
  }

 private:
  std::mutex mutex_;
  Workspace& workspace_;
  std::shared_ptr<PipelineTotals> totals_;
};

// Forecasts inflation from the loaded warehouse and stores the forecast.
class ForecastTask : public dag::TaskBody {
 public:
  ForecastTask(Workspace& workspace, forecast::ForecastJobSettings settings)
      : workspace_(workspace), settings_(std::move(settings)) {}

  dag::TaskOutcome Run(dag::TaskContext& context) override {
    ScopedTaskLog route(context.logger());
    // Fits share LibTorch's global settings, so one forecast runs at a time.
    std::lock_guard lock(mutex_);
    forecast::ForecastJobResult result = forecast::RunForecastJob(
        workspace_.warehouse(), settings_, {workspace_.data_dir(), false, ""});
    context.logger().info("forecast run {} of {} stored; charts {} and {}",
                          result.record.run.run_id, settings_.target, result.fan_chart.string(),
                          result.importance_chart.string());
    return {};
  }

 private:
  std::mutex mutex_;
  Workspace& workspace_;
  forecast::ForecastJobSettings settings_;
};

std::map<std::string, int> PoolSlots(const Config& config) {
  std::map<std::string, int> pools{{dag::kDefaultPool, kDefaultPoolSlots}};
  for (const auto& [name, slots] : config.pools) pools[name] = static_cast<int>(slots);
  return pools;
}

// Adds the forecast task after the load when the config has a [forecast]
// table. A build without LibTorch logs a warning and leaves the task out of
// a DAG it runs, so the rest of the pipeline still runs.
void AddForecastTask(const Config& config, const PipelineDagOptions& options, Workspace& workspace,
                     PipelineDag& pipeline) {
  if (!config.forecast) return;
  // Read the settings now, so that a bad [forecast] table stops the run before it starts.
  forecast::ForecastJobSettings settings = forecast::ReadForecastSettings(config);
  if (options.rate_budgets && !forecast::ForecastingAvailable()) {
    spdlog::warn(
        "{} asks for a forecast ([forecast]), but this build has no forecasting: the run ends "
        "with the load. Build with -DMACROPIPE_WITH_TORCH=ON to forecast",
        config.path);
    return;
  }
  dag::TaskSpec task;
  task.id = kForecastTaskId;
  task.upstream = {kLoadTaskId};
  ApplySettings(config.task_defaults, pipeline.pools, task);
  task.body = std::make_shared<ForecastTask>(workspace, std::move(settings));
  pipeline.dag.AddTask(std::move(task));
}

}  // namespace

void PipelineTotals::AddFetch(const std::string& task_id, const std::string& source,
                              const FetchSummary& fetched) {
  std::lock_guard lock(mutex_);
  std::vector<SourceFailure>& failures = failures_[task_id];
  failures.clear();
  for (const SeriesFailure& failure : fetched.failures) {
    failures.push_back({source + "/" + failure.series, failure.message, failure.deferred});
  }
  fetched_.objects_landed += fetched.objects_landed;
  fetched_.objects_unchanged += fetched.objects_unchanged;
  fetched_.series += fetched.series;
  fetched_.rows_landed += fetched.rows_landed;
  ++fetches_;
}

void PipelineTotals::AddLoad(const LoadSummary& loaded) {
  std::lock_guard lock(mutex_);
  if (!load_) load_ = LoadSummary{};
  load_->objects_loaded += loaded.objects_loaded;
  load_->objects_skipped += loaded.objects_skipped;
  load_->counts.inserted += loaded.counts.inserted;
  load_->counts.revised += loaded.counts.revised;
  load_->counts.unchanged += loaded.counts.unchanged;
  load_->counts.kept += loaded.counts.kept;
  load_->counts.rejected += loaded.counts.rejected;
}

std::map<std::string, std::vector<SourceFailure>> PipelineTotals::series_failures() const {
  std::lock_guard lock(mutex_);
  return failures_;
}

FetchSummary PipelineTotals::fetched() const {
  std::lock_guard lock(mutex_);
  return fetched_;
}

int PipelineTotals::fetches() const {
  std::lock_guard lock(mutex_);
  return fetches_;
}

std::optional<LoadSummary> PipelineTotals::loaded() const {
  std::lock_guard lock(mutex_);
  return load_;
}

PipelineDag BuildPipelineDag(const Config& config, Workspace& workspace,
                             const PipelineDagOptions& options) {
  std::vector<std::shared_ptr<Source>> sources;
  for (const SourceConfig& source_config : config.sources) {
    sources.push_back(MakeSource(source_config));
  }

  std::string origin = HttpOriginOverride();
  PipelineDag pipeline;
  pipeline.dag = dag::Dag(options.load ? config.dag.id : config.dag.id + ".ingest");
  pipeline.pools = PoolSlots(config);
  for (size_t i = 0; i < sources.size(); ++i) {
    const std::shared_ptr<Source>& source = sources[i];
    TaskSettings settings = config.sources[i].task.Over(config.task_defaults);
    std::shared_ptr<RequestExecutor> fetcher;
    if (options.rate_budgets) {
      std::shared_ptr<RateBudget> budget = SourceRateBudget(*source, workspace.data_dir());
      pipeline.budgets[source->name()] = budget;
      fetcher = MakeSourceFetcher(*source, budget, origin);
    }
    std::vector<std::string> parts = source->Parts();
    std::vector<std::optional<std::string>> tasks(parts.begin(), parts.end());
    if (tasks.empty()) tasks.push_back(std::nullopt);
    for (const std::optional<std::string>& part : tasks) {
      dag::TaskSpec task;
      task.id = "ingest." + source->name() + (part ? "." + TaskIdPart(*part) : "");
      ApplySettings(settings, pipeline.pools, task);
      task.body =
          std::make_shared<IngestTask>(source, part, fetcher, origin, workspace, pipeline.totals);
      pipeline.ingest_task_ids.push_back(task.id);
      pipeline.dag.AddTask(std::move(task));
    }
  }

  if (options.load) {
    dag::TaskSpec load;
    load.id = kLoadTaskId;
    load.upstream = pipeline.ingest_task_ids;
    load.trigger_rule = dag::TriggerRule::kAllDoneMinOneSuccess;
    ApplySettings(config.load_task.Over(config.task_defaults), pipeline.pools, load);
    load.body = std::make_shared<LoadTask>(workspace, pipeline.totals);
    pipeline.dag.AddTask(std::move(load));
    AddForecastTask(config, options, workspace, pipeline);
  }
  pipeline.dag.Validate();
  return pipeline;
}

dag::Schedule PipelineSchedule(const Config& config) {
  try {
    return dag::Schedule::Parse(config.dag.schedule, config.dag.time_zone);
  } catch (const Error& error) {
    throw Error(error.code(), std::string(error.what()) + " (at " +
                                  (config.dag.where.empty() ? config.path : config.dag.where) +
                                  ", [dag] schedule and time_zone)");
  }
}

std::chrono::system_clock::time_point PipelineStartDate(const Config& config) {
  Date day =
      config.dag.start_date ? Date::ParseIso(*config.dag.start_date, "start_date") : Date::Today();
  // Midnight in the schedule's time zone, as Airflow reads a DAG's start date.
  dag::TimeZone zone = dag::TimeZone::Locate(config.dag.time_zone);
  return zone.ToUtc(dag::LocalSeconds(day.days().time_since_epoch()));
}

}  // namespace macropipe
