// The macropipe command line.
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "cli/format.h"
#include "cli/pipeline.h"
#include "core/error.h"
#include "core/files.h"

namespace macropipe {
namespace {

constexpr char kDefaultDataDir[] = "macropipe-data";

struct GlobalOptions {
  std::string data_dir;
  std::string config_path;
  std::string log_level = "info";
};

Config LoadConfig(const GlobalOptions& options) {
  return options.config_path.empty() ? Config::Default() : Config::LoadFile(options.config_path);
}

// The command line's --data-dir wins over the config's data_dir.
std::filesystem::path DataDir(const GlobalOptions& options, const Config& config) {
  if (!options.data_dir.empty()) return options.data_dir;
  if (!config.data_dir.empty()) return config.data_dir;
  return kDefaultDataDir;
}

std::string Seconds(std::chrono::steady_clock::duration elapsed) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.2f s",
                std::chrono::duration<double>(elapsed).count());
  return buffer;
}

void PrintIngest(const IngestSummary& summary) {
  std::cout << "ingest: " << summary.fetched.objects_landed << " objects landed, "
            << summary.fetched.objects_unchanged << " unchanged, " << summary.fetched.series
            << " series from " << summary.sources << (summary.sources == 1 ? " source" : " sources")
            << "\n";
}

void PrintLoad(const LoadSummary& summary) {
  const LoadCounts& c = summary.counts;
  std::cout << "load: " << summary.objects_loaded << " objects loaded ("
            << summary.objects_skipped << " already loaded); observations: " << c.inserted
            << " inserted, " << c.revised << " revised, " << c.unchanged << " unchanged, "
            << c.kept << " kept, " << c.rejected << " rejected\n";
}

int RunIngest(const GlobalOptions& options, bool then_load) {
  auto start = std::chrono::steady_clock::now();
  Config config = LoadConfig(options);
  std::filesystem::path data_dir = DataDir(options, config);
  DataDirLock lock(data_dir);
  Workspace workspace(data_dir);
  IngestSummary ingest = IngestSources(config, workspace.landing());
  PrintIngest(ingest);
  if (then_load) {
    Loader loader(workspace.landing(), workspace.warehouse());
    PrintLoad(loader.LoadPending());
  }
  std::cout << "finished in " << Seconds(std::chrono::steady_clock::now() - start) << "\n";
  if (!ingest.failures.empty()) {
    std::string names;
    for (const SourceFailure& failure : ingest.failures) {
      names += (names.empty() ? "" : ", ") + failure.source;
    }
    std::cerr << "error: " << ingest.failures.size() << " of " << ingest.sources
              << " sources failed (" << names << "); the reason is logged above\n";
    return 1;
  }
  return 0;
}

int RunLoad(const GlobalOptions& options) {
  auto start = std::chrono::steady_clock::now();
  Config config = options.config_path.empty() ? Config{} : Config::LoadFile(options.config_path);
  std::filesystem::path data_dir = DataDir(options, config);
  DataDirLock lock(data_dir);
  Workspace workspace(data_dir);
  Loader loader(workspace.landing(), workspace.warehouse());
  PrintLoad(loader.LoadPending());
  std::cout << "finished in " << Seconds(std::chrono::steady_clock::now() - start) << "\n";
  return 0;
}

std::filesystem::path ExistingWarehouse(const GlobalOptions& options) {
  Config config = options.config_path.empty() ? Config{} : Config::LoadFile(options.config_path);
  std::filesystem::path data_dir = DataDir(options, config);
  if (!std::filesystem::exists(data_dir / "warehouse.db")) {
    throw Error(ErrorCode::kNotFound, "no warehouse in " + data_dir.string() +
                                          ": run `macropipe run` first, or pass --data-dir");
  }
  return data_dir;
}

int RunSql(const GlobalOptions& options, const std::string& query, const std::string& format,
           int64_t max_rows) {
  OutputFormat output = ParseOutputFormat(format);
  Workspace workspace(ExistingWarehouse(options));
  QueryResult result = workspace.warehouse().Query(query, max_rows);
  WriteQueryResult(result, output, std::cout);
  return 0;
}

int RunSeriesList(const GlobalOptions& options, const std::string& format) {
  OutputFormat output = ParseOutputFormat(format);
  Workspace workspace(ExistingWarehouse(options));
  QueryResult result;
  result.columns = {"source", "series_id", "title", "frequency", "transform_code", "last_updated"};
  for (const SeriesInfo& info : workspace.warehouse().ListSeries()) {
    Cell code = info.transform_code ? Cell(int64_t{*info.transform_code}) : Cell();
    result.rows.push_back({info.source, info.id, info.title, info.frequency, code,
                           info.last_updated});
  }
  WriteQueryResult(result, output, std::cout);
  return 0;
}

int RunSeriesShow(const GlobalOptions& options, const std::string& id, const std::string& source,
                  const std::string& as_of, const std::string& format) {
  OutputFormat output = ParseOutputFormat(format);
  std::optional<Date> as_of_date;
  if (!as_of.empty()) as_of_date = Date::ParseIso(as_of, "--as-of date");
  Workspace workspace(ExistingWarehouse(options));
  std::vector<SeriesInfo> found = workspace.warehouse().FindSeries(id, source);
  if (found.empty()) {
    throw Error(ErrorCode::kNotFound, "series '" + id + "' not found" +
                                          (source.empty() ? "" : " in source '" + source + "'") +
                                          "; list the series with `macropipe series list`");
  }
  if (found.size() > 1) {
    std::string sources;
    for (const SeriesInfo& info : found) sources += (sources.empty() ? "" : ", ") + info.source;
    throw Error(ErrorCode::kInvalidInput, "series '" + id + "' exists in several sources (" +
                                              sources + "); choose one with --source");
  }
  QueryResult result;
  result.columns = {"date", "value", "realtime_start", "realtime_end"};
  for (const StoredObservation& o : workspace.warehouse().Observations(found[0], as_of_date)) {
    Cell value = o.value ? Cell(*o.value) : Cell();
    result.rows.push_back({o.period.ToIso(), value, o.realtime_start.ToIso(),
                           o.realtime_end.ToIso()});
  }
  WriteQueryResult(result, output, std::cout);
  return 0;
}

void SetUpLogging(const std::string& level) {
  auto logger = spdlog::stderr_color_mt("macropipe");
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  spdlog::set_default_logger(logger);
  spdlog::level::level_enum parsed = spdlog::level::from_str(level);
  if (parsed == spdlog::level::off && level != "off") {
    throw Error(ErrorCode::kInvalidInput, "invalid --log-level '" + level +
                                              "': choose trace, debug, info, warn, error or off");
  }
  spdlog::set_level(parsed);
}

int Main(int argc, char** argv) {
  CLI::App app{"macropipe: collect, version, load and query economic time series"};
  app.require_subcommand(1);
  app.fallthrough();
  GlobalOptions options;
  app.add_option("--data-dir", options.data_dir,
                 "Folder holding the landing zone and the warehouse (default ./macropipe-data, "
                 "or data_dir from the config)");
  app.add_option("--config", options.config_path,
                 "TOML config file; without it the built-in config fetches the current FRED-MD "
                 "vintage");
  app.add_option("--log-level", options.log_level,
                 "trace, debug, info, warn, error or off (default info)");

  auto* run = app.add_subcommand("run", "Fetch, land and load every configured source");
  auto* ingest = app.add_subcommand("ingest", "Fetch and land every configured source");
  auto* load = app.add_subcommand("load", "Load everything landed but not yet loaded");

  auto* sql = app.add_subcommand("sql", "Run a read-only SQL query against the warehouse");
  std::string query;
  std::string format = "table";
  int64_t max_rows = 10000;
  sql->add_option("query", query, "The SQL query")->required();
  sql->add_option("--format", format, "Output format: table, csv or json (default table)");
  sql->add_option("--max-rows", max_rows, "Print at most this many rows (default 10000)")
      ->check(CLI::PositiveNumber);

  auto* series = app.add_subcommand("series", "List series or show one series' observations");
  series->require_subcommand(1);
  auto* series_list = series->add_subcommand("list", "List the series in the warehouse");
  series_list->add_option("--format", format, "Output format: table, csv or json");
  auto* series_show = series->add_subcommand("show", "Show a series' observations");
  std::string series_id;
  std::string source;
  std::string as_of;
  series_show->add_option("id", series_id, "The series id, for example CPIAUCSL")->required();
  series_show->add_option("--source", source, "The source the series came from, when ambiguous");
  series_show->add_option("--as-of", as_of, "Show the values as known on this date (YYYY-MM-DD)");
  series_show->add_option("--format", format, "Output format: table, csv or json");

  CLI11_PARSE(app, argc, argv);

  try {
    SetUpLogging(options.log_level);
    if (*run) return RunIngest(options, true);
    if (*ingest) return RunIngest(options, false);
    if (*load) return RunLoad(options);
    if (*sql) return RunSql(options, query, format, max_rows);
    if (*series_list) return RunSeriesList(options, format);
    if (*series_show) return RunSeriesShow(options, series_id, source, as_of, format);
  } catch (const Error& error) {
    std::cerr << "error: " << error.what() << "\n";
    return error.code() == ErrorCode::kInvalidInput ? 2 : 1;
  } catch (const std::exception& error) {
    std::cerr << "error: " << error.what() << "\n";
    return 1;
  }
  return 0;
}

}  // namespace
}  // namespace macropipe

int main(int argc, char** argv) { return macropipe::Main(argc, argv); }
