// The commands around DAG runs: `runs`, `tasks`, `logs`, `task run`,
// `scheduler`, `backfill` and `export airflow`.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <csignal>
#include <iostream>

#include "cli/command.h"
#include "cli/pipeline_session.h"
#include "core/error.h"
#include "dag/airflow_export.h"
#include "dag/run_queries.h"
#include "dag/scheduler.h"

namespace macropipe {
namespace {

std::atomic<bool> stop_requested{false};

extern "C" void RequestStop(int) { stop_requested.store(true); }

// The state database that the config names, or the existing one of the data
// directory, opened without the data directory's lock: SQLite's WAL mode and
// PostgreSQL both let readers run beside a running pipeline.
std::unique_ptr<dag::StateStore> OpenExistingStore(const GlobalOptions& options) {
  Config config = LoadConfigOrEmpty(options);
  std::filesystem::path data_dir = DataDir(options, config);
  if (config.state.empty() && !std::filesystem::exists(data_dir / "state.db")) {
    throw Error(ErrorCode::kNotFound, "no runs recorded in " + data_dir.string() +
                                          ": start one with `macropipe run`, or check --data-dir");
  }
  return OpenConfiguredStateStore(config, data_dir);
}

std::string TimeOrDash(const std::optional<dag::TimePoint>& time) {
  return time ? dag::FormatTime(*time) : "-";
}

std::string DurationOrDash(const std::optional<dag::TimePoint>& start,
                           const std::optional<dag::TimePoint>& end) {
  std::optional<int64_t> ms = dag::DurationMs(start, end);
  return ms ? fmt::format("{:.1f}s", static_cast<double>(*ms) / 1000.0) : "-";
}

int ListRuns(const GlobalOptions& options) {
  std::unique_ptr<dag::StateStore> store = OpenExistingStore(options);
  std::cout << fmt::format("{:<36} {:<10} {:<24} {:<24} {:>9}  {}\n", "RUN_ID", "STATE",
                           "LOGICAL_DATE", "START", "DURATION", "SUMMARY");
  for (const dag::RunRecord& run : store->ListRuns()) {
    std::cout << fmt::format("{:<36} {:<10} {:<24} {:<24} {:>9}  {}\n", run.run_id,
                             dag::RunStateName(run.state), dag::FormatTime(run.logical_date),
                             TimeOrDash(run.start), DurationOrDash(run.start, run.end),
                             run.summary);
  }
  return 0;
}

int ListTasks(const GlobalOptions& options, const std::string& run_id) {
  std::unique_ptr<dag::StateStore> store = OpenExistingStore(options);
  if (!store->FindRun(run_id)) {
    throw Error(ErrorCode::kNotFound,
                "run '" + run_id + "' is not recorded; `macropipe runs` lists the run ids");
  }
  std::cout << fmt::format("{:<32} {:<16} {:>3} {:<24} {:>9} {:>8} {:>8} {:>7}  {}\n", "TASK",
                           "STATE", "TRY", "START", "DURATION", "LANDED", "INSERTED", "REVISED",
                           "ERROR");
  for (const dag::TaskInstanceRecord& task : store->ListTaskInstances(run_id)) {
    std::cout << fmt::format("{:<32} {:<16} {:>3} {:<24} {:>9} {:>8} {:>8} {:>7}  {}\n",
                             task.task_id, dag::TaskStateName(task.state), task.try_number,
                             TimeOrDash(task.start), DurationOrDash(task.start, task.end),
                             task.outcome.rows_landed, task.outcome.rows_inserted,
                             task.outcome.rows_revised, task.error);
  }
  return 0;
}

int ShowLog(const GlobalOptions& options, const std::string& run_id, const std::string& task_id,
            std::optional<int> try_number) {
  std::unique_ptr<dag::StateStore> store = OpenExistingStore(options);
  std::filesystem::path data_dir = DataDir(options, LoadConfigOrEmpty(options));
  std::cout << dag::ReadTryLog(data_dir, *store, run_id, task_id, try_number);
  return 0;
}

int RunOneTask(const GlobalOptions& options, const std::string& run_id, const std::string& task_id,
               const std::string& logical_date_text) {
  PipelineSession session(options, {});
  std::optional<dag::RunRecord> run = session.store().FindRun(run_id);
  dag::TimePoint logical_date;
  if (!logical_date_text.empty()) {
    logical_date = ParseLogicalDate(logical_date_text, "--logical-date");
  } else if (run) {
    logical_date = run->logical_date;
  } else {
    throw Error(ErrorCode::kInvalidInput, "run '" + run_id +
                                              "' is not recorded yet: give its --logical-date, "
                                              "for example 2024-05-15T00:00:00Z");
  }
  dag::TaskInstanceRecord task =
      session.executor().RunTaskOnce(session.dag(), run_id, logical_date, task_id);
  std::cout << "task " << task.task_id << " of run " << run_id << ": "
            << dag::TaskStateName(task.state) << " (try " << task.try_number << ")\n";
  if (task.state == dag::TaskState::kSuccess || task.state == dag::TaskState::kSkipped) return 0;
  std::cerr << "error: task " << task.task_id << " failed: " << task.error << "\n";
  return 1;
}

dag::Scheduler MakeScheduler(PipelineSession& session, const dag::Schedule& schedule) {
  return dag::Scheduler(
      session.dag(), schedule, session.executor(), session.store(),
      {.start_date = PipelineStartDate(session.config()), .catchup = session.config().dag.catchup});
}

int Serve(const GlobalOptions& options) {
  PipelineSession session(options, {});
  dag::Schedule schedule = PipelineSchedule(session.config());
  dag::Scheduler scheduler = MakeScheduler(session, schedule);
  std::signal(SIGINT, RequestStop);
  std::signal(SIGTERM, RequestStop);
  scheduler.Serve(stop_requested);
  return 0;
}

int Backfill(const GlobalOptions& options, const std::string& from, const std::string& to) {
  dag::TimePoint from_time = ParseLogicalDate(from, "--from");
  dag::TimePoint to_time = ParseLogicalDate(to, "--to");
  PipelineSession session(options, {});
  dag::Schedule schedule = PipelineSchedule(session.config());
  if (schedule.once()) {
    throw Error(ErrorCode::kInvalidInput,
                "the DAG's schedule is @once, which has no intervals to backfill; set [dag] "
                "schedule in " +
                    session.config().path + ", for example schedule = \"@monthly\"");
  }
  dag::Scheduler scheduler = MakeScheduler(session, schedule);
  int status = 0;
  for (const dag::RunResult& result : scheduler.Backfill(from_time, to_time)) {
    std::cout << "run " << result.run.run_id << ": " << dag::RunStateName(result.run.state) << ", "
              << result.run.summary << "\n";
    if (result.run.state != dag::RunState::kSuccess) status = 1;
  }
  return status;
}

int ExportAirflow(const GlobalOptions& options, const std::string& output) {
  if (options.config_path.empty()) {
    throw Error(ErrorCode::kInvalidInput,
                "export airflow needs the pipeline's config: pass --config FILE");
  }
  Config config = Config::LoadFile(options.config_path);
  Workspace workspace(DataDir(options, config), config);
  PipelineDag pipeline = BuildPipelineDag(config, workspace, {.rate_budgets = false});
  dag::AirflowExportOptions export_options;
  export_options.command =
      "macropipe --config " + std::filesystem::absolute(options.config_path).string();
  if (!options.data_dir.empty()) {
    export_options.command += " --data-dir " + std::filesystem::absolute(options.data_dir).string();
  }
  export_options.start_date = PipelineStartDate(config);
  export_options.catchup = config.dag.catchup;
  export_options.pools = pipeline.pools;
  export_options.pools.erase(dag::kDefaultPool);  // Airflow creates it itself.
  dag::Schedule schedule = PipelineSchedule(config);
  if (output.empty() || output == "-") {
    std::cout << dag::ExportAirflowDag(pipeline.dag, schedule, export_options);
  } else {
    dag::WriteAirflowDag(output, pipeline.dag, schedule, export_options);
    std::cout << "wrote Airflow DAG '" << pipeline.dag.id() << "' with "
              << pipeline.dag.tasks().size() << " tasks to " << output << "\n";
  }
  return 0;
}

struct RunCommandArguments {
  std::string run_id;
  std::string task_id;
  int try_number = 0;
  std::string logical_date;
  std::string from;
  std::string to;
  std::string output;
};

}  // namespace

void AddRunCommands(CLI::App& app, const GlobalOptions& options,
                    std::vector<CommandRegistration>& commands) {
  auto args = std::make_shared<RunCommandArguments>();

  auto* runs = app.add_subcommand("runs", "List the recorded DAG runs, the most recent first");
  commands.push_back({runs, [&options] { return ListRuns(options); }});

  auto* tasks = app.add_subcommand("tasks", "List the tasks of a run with their states and counts");
  tasks->add_option("RUN_ID", args->run_id, "The run, as `macropipe runs` lists it")->required();
  commands.push_back({tasks, [&options, args] { return ListTasks(options, args->run_id); }});

  auto* logs = app.add_subcommand("logs", "Print the log of a task's try");
  logs->add_option("RUN_ID", args->run_id, "The run")->required();
  logs->add_option("TASK", args->task_id, "The task id, as `macropipe tasks` lists it")->required();
  logs->add_option("--try", args->try_number, "The try number (default: the latest)")
      ->check(CLI::PositiveNumber);
  commands.push_back({logs, [&options, args, logs] {
                        std::optional<int> try_number;
                        if (logs->count("--try") > 0) try_number = args->try_number;
                        return ShowLog(options, args->run_id, args->task_id, try_number);
                      }});

  auto* task = app.add_subcommand("task", "Run single tasks, for another scheduler");
  task->require_subcommand(1);
  auto* task_run = task->add_subcommand(
      "run", "Run one try of one task of a run, ignoring its upstream tasks (as Airflow does)");
  task_run->add_option("RUN_ID", args->run_id, "The run; created when not recorded yet")
      ->required();
  task_run->add_option("TASK_ID", args->task_id, "The task id")->required();
  task_run->add_option("--logical-date", args->logical_date,
                       "The run's logical date, YYYY-MM-DD or an ISO 8601 time such as "
                       "Airflow's {{ ts }}; needed when the run is not recorded yet");
  commands.push_back({task_run, [&options, args] {
                        return RunOneTask(options, args->run_id, args->task_id, args->logical_date);
                      }});

  auto* scheduler = app.add_subcommand(
      "scheduler",
      "Start runs on the [dag] schedule until SIGINT or SIGTERM, catching up missed intervals "
      "when catchup is true");
  commands.push_back({scheduler, [&options] { return Serve(options); }});

  auto* backfill = app.add_subcommand(
      "backfill", "Run every interval of the schedule from --from to --to, both included");
  backfill->add_option("--from", args->from, "First logical date, YYYY-MM-DD or ISO 8601 time")
      ->required();
  backfill->add_option("--to", args->to, "Last logical date, YYYY-MM-DD or ISO 8601 time")
      ->required();
  commands.push_back(
      {backfill, [&options, args] { return Backfill(options, args->from, args->to); }});

  auto* export_command = app.add_subcommand("export", "Export the pipeline to other systems");
  export_command->require_subcommand(1);
  auto* airflow = export_command->add_subcommand(
      "airflow",
      "Write an Airflow 2 DAG file that runs each task with `macropipe task run` (needs --config)");
  airflow->add_option("--output,-o", args->output,
                      "The .py file to write (default: standard output)");
  commands.push_back({airflow, [&options, args] { return ExportAirflow(options, args->output); }});
}

}  // namespace macropipe
