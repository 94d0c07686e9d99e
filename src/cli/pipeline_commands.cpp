// `macropipe run`, `ingest` and `load`.
#include <chrono>
#include <cstdio>
#include <iostream>

#include "cli/command.h"
#include "cli/pipeline.h"
#include "core/error.h"
#include "core/files.h"

namespace macropipe {
namespace {

std::string Seconds(std::chrono::steady_clock::duration elapsed) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.2f s", std::chrono::duration<double>(elapsed).count());
  return buffer;
}

void PrintIngest(const IngestSummary& summary) {
  std::cout << "ingest: " << summary.fetched.objects_landed << " objects landed, "
            << summary.fetched.objects_unchanged << " unchanged, " << summary.fetched.series
            << " series from " << summary.sources << (summary.sources == 1 ? " source" : " sources")
            << "; " << summary.failed_series.size() << " series failed, "
            << summary.deferred_series.size() << " deferred\n";
}

void PrintLoad(const LoadSummary& summary) {
  const LoadCounts& c = summary.counts;
  std::cout << "load: " << summary.objects_loaded << " objects loaded (" << summary.objects_skipped
            << " already loaded); observations: " << c.inserted << " inserted, " << c.revised
            << " revised, " << c.unchanged << " unchanged, " << c.kept << " kept, " << c.rejected
            << " rejected\n";
}

int RunIngest(const GlobalOptions& options, bool then_load) {
  auto start = std::chrono::steady_clock::now();
  Config config = LoadConfigOrDefault(options);
  if (config.sources.empty()) {
    throw Error(ErrorCode::kInvalidInput,
                "config " + config.path + " has no [[sources]] table; add one for each source");
  }
  std::filesystem::path data_dir = DataDir(options, config);
  DataDirLock lock(data_dir);
  Workspace workspace(data_dir, config.landing);
  IngestSummary ingest = IngestSources(config, workspace.landing(), data_dir);
  PrintIngest(ingest);
  // Load what the sources that worked have landed; when every source failed
  // there is nothing new, and the warehouse is left untouched.
  bool all_failed = ingest.failures.size() == static_cast<size_t>(ingest.sources);
  if (then_load && !all_failed) {
    Loader loader(workspace.landing(), workspace.warehouse());
    PrintLoad(loader.LoadPending());
  }
  std::cout << "finished in " << Seconds(std::chrono::steady_clock::now() - start) << "\n";
  // A deferred series waits for its quota to reset; it is not a failure.
  for (const SourceFailure& deferred : ingest.deferred_series) {
    std::cerr << "warning: series " << deferred.source << " deferred: " << deferred.message << "\n";
  }
  for (const SourceFailure& failure : ingest.failed_series) {
    std::cerr << "error: series " << failure.source << " failed: " << failure.message << "\n";
  }
  for (const SourceFailure& failure : ingest.failures) {
    std::cerr << "error: source " << failure.source << " failed: " << failure.message << "\n";
  }
  return ingest.failures.empty() && ingest.failed_series.empty() ? 0 : 1;
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
  Workspace workspace(data_dir, config.landing);
  Loader loader(workspace.landing(), workspace.warehouse());
  PrintLoad(loader.LoadPending());
  std::cout << "finished in " << Seconds(std::chrono::steady_clock::now() - start) << "\n";
  return 0;
}

}  // namespace

void AddPipelineCommands(CLI::App& app, const GlobalOptions& options,
                         std::vector<CommandRegistration>& commands) {
  auto* run = app.add_subcommand("run", "Fetch, land and load every configured source");
  commands.push_back({run, [&options] { return RunIngest(options, true); }});
  auto* ingest = app.add_subcommand("ingest", "Fetch and land every configured source");
  commands.push_back({ingest, [&options] { return RunIngest(options, false); }});
  auto* load = app.add_subcommand("load", "Load everything landed but not yet loaded");
  commands.push_back({load, [&options] { return RunLoad(options); }});
}

}  // namespace macropipe
