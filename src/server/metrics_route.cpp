// GET /metrics: the state of runs and tasks, source request counts, rows
// loaded and latencies, in Prometheus text format (version 0.0.4). Run and
// task states, rows loaded and today's requests per source come from the data
// directory, so they cover every process. The counters and histograms of
// source requests and loads cover the runs of this process only.
#include <fmt/format.h>

#include <filesystem>
#include <map>

#include "core/metrics.h"
#include "server/request_params.h"
#include "server/routes.h"
#include "server/warehouse_access.h"

namespace macropipe::server {
namespace {

void AppendFamily(std::string& out, const std::string& name, const std::string& type,
                  const std::string& help) {
  out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

void AppendRunMetrics(std::string& out, dag::StateStore& store) {
  std::map<std::string, int64_t> runs;
  std::map<std::string, int64_t> tasks;
  std::map<std::string, std::pair<int64_t, double>> durations;  // Per task: count, seconds.
  for (const dag::RunRecord& run : store.ListRuns()) {
    ++runs[std::string(dag::RunStateName(run.state))];
    for (const dag::TaskInstanceRecord& task : store.ListTaskInstances(run.run_id)) {
      ++tasks[std::string(dag::TaskStateName(task.state))];
      if (std::optional<int64_t> ms = dag::DurationMs(task.start, task.end)) {
        auto& [count, seconds] = durations[task.task_id];
        ++count;
        seconds += static_cast<double>(*ms) / 1000.0;
      }
    }
  }
  AppendFamily(out, "macropipe_runs", "gauge", "Recorded runs by state.");
  for (const auto& [state, count] : runs) {
    out += fmt::format("macropipe_runs{{state=\"{}\"}} {}\n", state, count);
  }
  AppendFamily(out, "macropipe_task_instances", "gauge", "Task instances of all runs by state.");
  for (const auto& [state, count] : tasks) {
    out += fmt::format("macropipe_task_instances{{state=\"{}\"}} {}\n", state, count);
  }
  AppendFamily(out, "macropipe_task_duration_seconds", "summary",
               "Duration of the latest try of each task, over all runs; load tasks give the "
               "load latency.");
  for (const auto& [task, value] : durations) {
    out +=
        fmt::format("macropipe_task_duration_seconds_sum{{task=\"{}\"}} {}\n", task, value.second);
    out +=
        fmt::format("macropipe_task_duration_seconds_count{{task=\"{}\"}} {}\n", task, value.first);
  }
}

void AppendSourceMetrics(std::string& out, RunController* runs) {
  if (runs == nullptr) return;
  AppendFamily(out, "macropipe_source_requests_today", "gauge",
               "Requests sent to each source in the current UTC day, as its rate budget counts "
               "them.");
  for (const RateBudgetStatus& budget : runs->RateBudgets()) {
    out += fmt::format("macropipe_source_requests_today{{source=\"{}\"}} {}\n", budget.source,
                       budget.used_today);
  }
}

void AppendLoadMetrics(std::string& out, const ServerContext& context) {
  if (!context.open_warehouse && !std::filesystem::exists(context.data_dir / "warehouse.db")) {
    return;
  }
  // PostgreSQL sums BIGINT into NUMERIC, so the sums are cast back.
  QueryResult result = OpenWarehouse(context)->Query(
      "SELECT s.source, CAST(sum(b.inserted) AS BIGINT), CAST(sum(b.revised) AS BIGINT), "
      "CAST(sum(b.unchanged) AS BIGINT), CAST(sum(b.rejected) AS BIGINT) "
      "FROM load_batches b JOIN series s ON s.series_key = b.series_key GROUP BY s.source",
      1000);
  AppendFamily(out, "macropipe_rows_loaded_total", "counter",
               "Observation rows loaded into the warehouse, by source and outcome.");
  const char* outcomes[] = {"inserted", "revised", "unchanged", "rejected"};
  for (const std::vector<Cell>& row : result.rows) {
    for (size_t i = 0; i < 4; ++i) {
      const int64_t* count = std::get_if<int64_t>(&row[i + 1]);
      out += fmt::format("macropipe_rows_loaded_total{{source=\"{}\",outcome=\"{}\"}} {}\n",
                         std::get<std::string>(row[0]), outcomes[i], count ? *count : 0);
    }
  }
}

}  // namespace

void AddMetricsRoute(httplib::Server& http, const ServerContext& context,
                     const RequestMetrics& metrics) {
  http.Get("/metrics", [&context, &metrics](const httplib::Request&, httplib::Response& response) {
    std::string out;
    AppendRunMetrics(out, *context.state_store);
    AppendSourceMetrics(out, context.runs);
    AppendLoadMetrics(out, context);
    out += metrics.Prometheus();
    out += MetricsRegistry::Global().Prometheus();
    SetUncompressedContent(response, std::move(out), "text/plain; version=0.0.4");
  });
}

}  // namespace macropipe::server
