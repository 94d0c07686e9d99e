// Routes over the state store and the run controller, named as in Airflow's
// stable API: pipelines are its DAGs, runs its DAG runs.
#include <algorithm>
#include <set>

#include "core/error.h"
#include "dag/run_queries.h"
#include "server/request_params.h"
#include "server/routes.h"

namespace macropipe::server {
namespace {

using nlohmann::json;

json Identity(const json& item) { return item; }

json OptionalTime(const std::optional<dag::TimePoint>& time) {
  return time ? json(dag::FormatTime(*time)) : json();
}

json OptionalDuration(const std::optional<dag::TimePoint>& start,
                      const std::optional<dag::TimePoint>& end) {
  std::optional<int64_t> duration = dag::DurationMs(start, end);
  return duration ? json(*duration) : json();
}

json RunJson(const dag::RunRecord& run) {
  return {{"run_id", run.run_id},
          {"pipeline_id", run.pipeline},
          {"logical_date", dag::FormatTime(run.logical_date)},
          {"state", dag::RunStateName(run.state)},
          {"start_date", OptionalTime(run.start)},
          {"end_date", OptionalTime(run.end)},
          {"duration_ms", OptionalDuration(run.start, run.end)},
          {"summary", run.summary}};
}

json OutcomeJson(const dag::TaskOutcome& outcome) {
  return {{"rows_landed", outcome.rows_landed},
          {"rows_inserted", outcome.rows_inserted},
          {"rows_revised", outcome.rows_revised}};
}

json TaskInstanceJson(const dag::TaskInstanceRecord& task) {
  return {{"run_id", task.run_id},
          {"task_id", task.task_id},
          {"state", dag::TaskStateName(task.state)},
          {"try_number", task.try_number},
          {"start_date", OptionalTime(task.start)},
          {"end_date", OptionalTime(task.end)},
          {"duration_ms", OptionalDuration(task.start, task.end)},
          {"error", task.error},
          {"counts", OutcomeJson(task.outcome)},
          {"next_attempt", OptionalTime(task.next_attempt)}};
}

json TryJson(const dag::TryRecord& try_record) {
  return {{"try_number", try_record.try_number},
          {"state", dag::TaskStateName(try_record.state)},
          {"start_date", dag::FormatTime(try_record.start)},
          {"end_date", OptionalTime(try_record.end)},
          {"duration_ms", OptionalDuration(try_record.start, try_record.end)},
          {"error", try_record.error},
          {"counts", OutcomeJson(try_record.outcome)}};
}

json PipelineJson(const PipelineInfo& pipeline) {
  json tasks = json::array();
  for (const TaskInfo& task : pipeline.tasks) {
    tasks.push_back({{"task_id", task.task_id}, {"upstream", task.upstream}, {"pool", task.pool}});
  }
  return {{"pipeline_id", pipeline.pipeline_id}, {"tasks", tasks}};
}

dag::RunRecord FindRunOrThrow(dag::StateStore& store, const std::string& run_id) {
  std::optional<dag::RunRecord> run = store.FindRun(run_id);
  if (!run) {
    throw Error(ErrorCode::kNotFound, "run '" + run_id + "' is not in the state database; " +
                                          "list the runs with GET /api/v1/runs");
  }
  return *run;
}

// The pipelines the controller runs, then those only seen in recorded runs.
std::vector<PipelineInfo> KnownPipelines(const ServerContext& context) {
  std::vector<PipelineInfo> pipelines;
  std::set<std::string> seen;
  if (context.runs != nullptr) pipelines = context.runs->Pipelines();
  for (const PipelineInfo& pipeline : pipelines) seen.insert(pipeline.pipeline_id);
  for (const dag::RunRecord& run : context.state_store->ListRuns()) {
    if (seen.insert(run.pipeline).second) pipelines.push_back({run.pipeline, {}});
  }
  return pipelines;
}

RunController& Controller(const ServerContext& context) {
  if (context.runs == nullptr) {
    throw Error(ErrorCode::kFailedPrecondition,
                "this server only reads runs; start `macropipe serve` with a config to run them");
  }
  return *context.runs;
}

std::vector<dag::RunRecord> FilteredRuns(const ServerContext& context,
                                         const httplib::Request& request,
                                         const std::optional<std::string>& pipeline) {
  std::optional<std::string> state = Parameter(request, "state");
  if (state && !dag::ParseRunState(*state)) {
    throw Error(ErrorCode::kInvalidInput,
                "invalid state '" + *state + "': choose running, success, failed or deferred");
  }
  std::vector<dag::RunRecord> runs;
  for (dag::RunRecord& run : context.state_store->ListRuns()) {
    if (pipeline && run.pipeline != *pipeline) continue;
    if (state && dag::RunStateName(run.state) != *state) continue;
    runs.push_back(std::move(run));
  }
  return runs;
}

void AddPipelineRoutes(httplib::Server& http, const ServerContext& context) {
  http.Get("/api/v1/pipelines",
           [&context](const httplib::Request& request, httplib::Response& response) {
             WriteJson(response, PagedList("pipelines", KnownPipelines(context), ParsePage(request),
                                           PipelineJson));
           });
  http.Get(R"(/api/v1/pipelines/([^/]+))", [&context](const httplib::Request& request,
                                                      httplib::Response& response) {
    for (const PipelineInfo& pipeline : KnownPipelines(context)) {
      if (pipeline.pipeline_id == request.matches[1])
        return WriteJson(response, PipelineJson(pipeline));
    }
    throw Error(ErrorCode::kNotFound, "pipeline '" + std::string(request.matches[1]) +
                                          "' is not known; list them with GET /api/v1/pipelines");
  });
  // Triggers a run; the run goes on after the response.
  http.Post(R"(/api/v1/pipelines/([^/]+)/runs)",
            [&context](const httplib::Request& request, httplib::Response& response) {
              std::string run_id = Controller(context).Trigger(request.matches[1]);
              WriteJson(response, {{"run_id", run_id}, {"pipeline_id", request.matches[1]}}, 202);
            });
}

// The grid of Airflow's UI: recent runs, the most recent first, each with the
// state of every task.
json GridJson(const ServerContext& context, const httplib::Request& request,
              const std::string& pipeline_id) {
  Page page = ParsePage(request);
  std::vector<dag::RunRecord> runs = FilteredRuns(context, request, pipeline_id);
  std::vector<std::string> task_ids;
  std::set<std::string> seen;
  for (const PipelineInfo& pipeline : KnownPipelines(context)) {
    if (pipeline.pipeline_id != pipeline_id) continue;
    for (const TaskInfo& task : pipeline.tasks) {
      if (seen.insert(task.task_id).second) task_ids.push_back(task.task_id);
    }
  }
  json rows = json::array();
  auto total = static_cast<int64_t>(runs.size());
  for (int64_t i = page.offset; i < total && i < page.offset + page.limit; ++i) {
    const dag::RunRecord& run = runs[static_cast<size_t>(i)];
    json states = json::object();
    for (const dag::TaskInstanceRecord& task : context.state_store->ListTaskInstances(run.run_id)) {
      states[task.task_id] = dag::TaskStateName(task.state);
      if (seen.insert(task.task_id).second) task_ids.push_back(task.task_id);
    }
    json row = RunJson(run);
    row["task_states"] = std::move(states);
    rows.push_back(std::move(row));
  }
  return {{"task_ids", task_ids}, {"runs", rows}, {"total_entries", total}};
}

void AddRunListRoutes(httplib::Server& http, const ServerContext& context) {
  http.Get("/api/v1/runs",
           [&context](const httplib::Request& request, httplib::Response& response) {
             std::vector<dag::RunRecord> runs =
                 FilteredRuns(context, request, Parameter(request, "pipeline_id"));
             WriteJson(response, PagedList("runs", runs, ParsePage(request), RunJson));
           });
  http.Get(R"(/api/v1/pipelines/([^/]+)/grid)",
           [&context](const httplib::Request& request, httplib::Response& response) {
             WriteJson(response, GridJson(context, request, request.matches[1]));
           });
  http.Get(R"(/api/v1/runs/([^/]+))",
           [&context](const httplib::Request& request, httplib::Response& response) {
             WriteJson(response, RunJson(FindRunOrThrow(*context.state_store, request.matches[1])));
           });
  http.Post(R"(/api/v1/runs/([^/]+)/resume)",
            [&context](const httplib::Request& request, httplib::Response& response) {
              std::string run_id = request.matches[1];
              FindRunOrThrow(*context.state_store, run_id);
              Controller(context).Resume(run_id);
              WriteJson(response, {{"run_id", run_id}}, 202);
            });
}

std::vector<dag::TaskInstanceRecord> TaskInstancesOrThrow(const ServerContext& context,
                                                          const std::string& run_id) {
  FindRunOrThrow(*context.state_store, run_id);
  return context.state_store->ListTaskInstances(run_id);
}

dag::TaskInstanceRecord FindTaskOrThrow(const ServerContext& context, const std::string& run_id,
                                        const std::string& task_id) {
  for (dag::TaskInstanceRecord& task : TaskInstancesOrThrow(context, run_id)) {
    if (task.task_id == task_id) return task;
  }
  throw Error(ErrorCode::kNotFound, "task '" + task_id + "' is not in run '" + run_id +
                                        "'; list its tasks with GET /api/v1/runs/" + run_id +
                                        "/taskInstances");
}

// The byte where the last `lines` lines of `log` start.
size_t TailStart(const std::string& log, int64_t lines) {
  size_t end = log.size();
  if (end > 0 && log[end - 1] == '\n') --end;
  int64_t seen = 0;
  for (size_t i = end; i > 0; --i) {
    if (log[i - 1] == '\n' && ++seen == lines) return i;
  }
  return 0;
}

// A slice of a try's log: from byte `offset` on, or its last `tail` lines.
// A client follows a running try by asking again from `next_offset` until
// `complete` is true.
json LogJson(const ServerContext& context, const httplib::Request& request) {
  std::string run_id = request.matches[1];
  std::string task_id = request.matches[2];
  int try_number = std::stoi(request.matches[3]);
  std::string log =
      dag::ReadTryLog(context.data_dir, *context.state_store, run_id, task_id, try_number);
  auto size = static_cast<int64_t>(log.size());
  int64_t offset = std::min(IntegerParameter(request, "offset", 0, INT64_MAX).value_or(0), size);
  if (std::optional<int64_t> tail = IntegerParameter(request, "tail", 1, 100000)) {
    offset = std::max(offset, static_cast<int64_t>(TailStart(log, *tail)));
  }
  bool complete = false;
  for (const dag::TryRecord& try_record : context.state_store->ListTries(run_id, task_id)) {
    if (try_record.try_number == try_number) complete = try_record.end.has_value();
  }
  return {{"content", log.substr(static_cast<size_t>(offset))},
          {"offset", offset},
          {"next_offset", size},
          {"complete", complete}};
}

void AddTaskRoutes(httplib::Server& http, const ServerContext& context) {
  http.Get(R"(/api/v1/runs/([^/]+)/taskInstances)",
           [&context](const httplib::Request& request, httplib::Response& response) {
             WriteJson(response, PagedList("task_instances",
                                           TaskInstancesOrThrow(context, request.matches[1]),
                                           ParsePage(request), TaskInstanceJson));
           });
  http.Get(R"(/api/v1/runs/([^/]+)/taskInstances/([^/]+))",
           [&context](const httplib::Request& request, httplib::Response& response) {
             WriteJson(response, TaskInstanceJson(FindTaskOrThrow(context, request.matches[1],
                                                                  request.matches[2])));
           });
  http.Get(R"(/api/v1/runs/([^/]+)/taskInstances/([^/]+)/tries)",
           [&context](const httplib::Request& request, httplib::Response& response) {
             FindTaskOrThrow(context, request.matches[1], request.matches[2]);
             WriteJson(response, PagedList("tries",
                                           context.state_store->ListTries(request.matches[1],
                                                                          request.matches[2]),
                                           ParsePage(request), TryJson));
           });
  http.Get(R"(/api/v1/runs/([^/]+)/taskInstances/([^/]+)/tries/([0-9]{1,6})/logs)",
           [&context](const httplib::Request& request, httplib::Response& response) {
             WriteJson(response, LogJson(context, request));
           });
}

void AddCapacityRoutes(httplib::Server& http, const ServerContext& context) {
  http.Get("/api/v1/pools",
           [&context](const httplib::Request& request, httplib::Response& response) {
             std::vector<json> items;
             if (context.runs != nullptr) {
               for (const PoolStatus& pool : context.runs->Pools()) {
                 items.push_back({{"name", pool.name},
                                  {"slots", pool.slots},
                                  {"occupied_slots", pool.in_use},
                                  {"open_slots", pool.slots - pool.in_use},
                                  {"max_occupied_slots", pool.max_in_use}});
               }
             }
             WriteJson(response, PagedList("pools", items, ParsePage(request), Identity));
           });
  http.Get("/api/v1/rateBudgets",
           [&context](const httplib::Request& request, httplib::Response& response) {
             std::vector<json> items;
             if (context.runs != nullptr) {
               for (const RateBudgetStatus& budget : context.runs->RateBudgets()) {
                 auto optional = [](const auto& value) { return value ? json(*value) : json(); };
                 items.push_back({{"source", budget.source},
                                  {"per_second", optional(budget.per_second)},
                                  {"per_minute", optional(budget.per_minute)},
                                  {"per_day", optional(budget.per_day)},
                                  {"used_today", budget.used_today}});
               }
             }
             WriteJson(response, PagedList("rate_budgets", items, ParsePage(request), Identity));
           });
}

}  // namespace

void AddRunRoutes(httplib::Server& http, const ServerContext& context) {
  AddPipelineRoutes(http, context);
  AddRunListRoutes(http, context);
  AddTaskRoutes(http, context);
  AddCapacityRoutes(http, context);
}

}  // namespace macropipe::server
