// `macropipe run`, `ingest` and `load`.
#include <chrono>
#include <iostream>

#include "cli/command.h"
#include "cli/pipeline.h"
#include "cli/pipeline_session.h"
#include "core/error.h"
#include "core/files.h"
#include "etl/loader.h"

namespace macropipe {
namespace {

struct RunOptions {
  bool resume = false;
  std::string resume_run_id;  // Empty: the latest run.
};

// Runs the pipeline's DAG as a new manual run, or resumes a recorded run.
int RunPipeline(const GlobalOptions& options, const RunOptions& run_options, bool load) {
  PipelineSession session(options, {.load = load});
  if (run_options.resume) {
    std::string run_id =
        run_options.resume_run_id.empty() ? session.LatestRunId() : run_options.resume_run_id;
    return session.RunAndReport(run_id,
                                [&] { return session.executor().Resume(session.dag(), run_id); });
  }
  dag::TimePoint logical_date;
  std::string run_id = NewManualRunId(session.store(), logical_date);
  return session.RunAndReport(
      run_id, [&] { return session.executor().Run(session.dag(), run_id, logical_date); });
}

int RunLoad(const GlobalOptions& options) {
  auto start = std::chrono::steady_clock::now();
  Config config = LoadConfigOrEmpty(options);
  std::filesystem::path data_dir = DataDir(options, config);
  if (config.landing.url.empty() && !std::filesystem::is_directory(data_dir / "landing")) {
    throw Error(ErrorCode::kNotFound, "nothing landed in " + data_dir.string() +
                                          ": run `macropipe ingest` first, or check --data-dir");
  }
  DataDirLock lock(data_dir);
  Workspace workspace(data_dir, config);
  Loader loader(workspace.landing(), workspace.warehouse());
  PrintLoadSummary(loader.LoadPending());
  std::cout << "finished in " << FormatElapsed(std::chrono::steady_clock::now() - start) << "\n";
  return 0;
}

}  // namespace

void AddPipelineCommands(CLI::App& app, const GlobalOptions& options,
                         std::vector<CommandRegistration>& commands) {
  auto run_options = std::make_shared<RunOptions>();
  auto* run = app.add_subcommand(
      "run",
      "Run the pipeline's DAG: fetch and land every configured series, then load them; "
      "the run is recorded in <data-dir>/state.db or the config's state database");
  run->add_option("--resume", run_options->resume_run_id,
                  "Resume a killed or failed run (the latest when no RUN_ID is given): only "
                  "tasks that did not succeed run again")
      ->expected(0, 1);
  commands.push_back({run, [&options, run_options, run] {
                        run_options->resume = run->count("--resume") > 0;
                        return RunPipeline(options, *run_options, true);
                      }});
  auto* ingest = app.add_subcommand(
      "ingest", "Fetch and land every configured source, as a DAG run without the load task");
  commands.push_back({ingest, [&options] { return RunPipeline(options, {}, false); }});
  auto* load = app.add_subcommand("load", "Load everything landed but not yet loaded");
  commands.push_back({load, [&options] { return RunLoad(options); }});
}

}  // namespace macropipe
