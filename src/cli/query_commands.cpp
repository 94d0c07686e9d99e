// `macropipe sql` and `macropipe series list|show`.
#include <iostream>
#include <memory>

#include "cli/command.h"
#include "cli/format.h"
#include "cli/pipeline.h"
#include "core/error.h"

namespace macropipe {
namespace {

struct QueryOptions {
  std::string query;
  std::string format = "table";
  int64_t max_rows = 10000;
  std::string series_id;
  std::string source;
  std::string as_of;
};

// Queries open the warehouse read-only, so they work on read-only storage and
// while a load holds the write lock. On PostgreSQL every query runs in a
// read-only transaction.
std::unique_ptr<Warehouse> OpenWarehouseForReading(const GlobalOptions& options) {
  return OpenConfiguredWarehouse(LoadConfigOrEmpty(options), ExistingDataDir(options),
                                 /*read_only=*/true);
}

int RunSql(const GlobalOptions& options, const QueryOptions& query) {
  OutputFormat output = ParseOutputFormat(query.format);
  std::unique_ptr<Warehouse> warehouse = OpenWarehouseForReading(options);
  QueryResult result = warehouse->Query(query.query, query.max_rows);
  WriteQueryResult(result, output, std::cout);
  if (result.truncated && output != OutputFormat::kTable) {
    std::cerr << "warning: output truncated at " << query.max_rows
              << " rows; raise --max-rows to see more\n";
  }
  return 0;
}

int RunSeriesList(const GlobalOptions& options, const QueryOptions& query) {
  OutputFormat output = ParseOutputFormat(query.format);
  std::unique_ptr<Warehouse> warehouse = OpenWarehouseForReading(options);
  QueryResult result;
  result.columns = {"source", "series_id", "title", "frequency", "transform_code", "last_updated"};
  for (const SeriesInfo& info : warehouse->ListSeries()) {
    if (!query.source.empty() && info.source != query.source) continue;
    Cell code = info.transform_code ? Cell(int64_t{*info.transform_code}) : Cell();
    result.rows.push_back(
        {info.source, info.id, info.title, info.frequency, code, info.last_updated});
  }
  WriteQueryResult(result, output, std::cout);
  return 0;
}

int RunSeriesShow(const GlobalOptions& options, const QueryOptions& query) {
  OutputFormat output = ParseOutputFormat(query.format);
  std::optional<Date> as_of;
  if (!query.as_of.empty()) as_of = Date::ParseIso(query.as_of, "--as-of date");
  std::unique_ptr<Warehouse> warehouse = OpenWarehouseForReading(options);
  std::vector<SeriesInfo> found = warehouse->FindSeries(query.series_id, query.source);
  if (found.empty()) {
    throw Error(ErrorCode::kNotFound,
                "series '" + query.series_id + "' not found" +
                    (query.source.empty() ? "" : " in source '" + query.source + "'") +
                    "; list the series with `macropipe series list`");
  }
  if (found.size() > 1) {
    std::string sources;
    for (const SeriesInfo& info : found) sources += (sources.empty() ? "" : ", ") + info.source;
    throw Error(ErrorCode::kInvalidInput, "series '" + query.series_id +
                                              "' exists in several sources (" + sources +
                                              "); choose one with --source");
  }
  QueryResult result;
  result.columns = {"date", "value", "realtime_start", "realtime_end"};
  for (const StoredObservation& o : warehouse->Observations(found[0], as_of)) {
    Cell value = o.value ? Cell(*o.value) : Cell();
    result.rows.push_back(
        {o.period.ToIso(), value, o.realtime_start.ToIso(), o.realtime_end.ToIso()});
  }
  WriteQueryResult(result, output, std::cout);
  return 0;
}

void AddFormatOption(CLI::App* command, QueryOptions& query) {
  command->add_option("--format", query.format,
                      "Output format: table, csv or json (default table)");
}

}  // namespace

void AddQueryCommands(CLI::App& app, const GlobalOptions& options,
                      std::vector<CommandRegistration>& commands) {
  auto query = std::make_shared<QueryOptions>();

  auto* sql = app.add_subcommand("sql", "Run a read-only SQL query against the warehouse");
  sql->add_option("query", query->query, "The SQL query, for example \"SELECT * FROM series\"")
      ->required();
  AddFormatOption(sql, *query);
  sql->add_option("--max-rows", query->max_rows, "Print at most this many rows (default 10000)")
      ->check(CLI::Range(int64_t{1}, int64_t{1000000000}));
  commands.push_back({sql, [&options, query] { return RunSql(options, *query); }});

  auto* series = app.add_subcommand("series", "List series or show one series' observations");
  series->require_subcommand(1);
  auto* list = series->add_subcommand("list", "List the series in the warehouse");
  list->add_option("--source", query->source, "Only series of this source");
  AddFormatOption(list, *query);
  commands.push_back({list, [&options, query] { return RunSeriesList(options, *query); }});

  auto* show = series->add_subcommand("show", "Show a series' observations");
  show->add_option("id", query->series_id, "The series id, for example CPIAUCSL")->required();
  show->add_option("--source", query->source, "The source the series came from, when ambiguous");
  show->add_option("--as-of", query->as_of, "Show the values as known on this date (YYYY-MM-DD)");
  AddFormatOption(show, *query);
  commands.push_back({show, [&options, query] { return RunSeriesShow(options, *query); }});
}

}  // namespace macropipe
