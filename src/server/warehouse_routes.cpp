// Routes over the warehouse: its tables, series, observations in every
// vintage, revisions and read-only SQL.
#include <algorithm>
#include <cctype>

#include "core/error.h"
#include "server/request_params.h"
#include "server/routes.h"
#include "server/warehouse_access.h"

namespace macropipe::server {
namespace {

using nlohmann::json;

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

json SeriesJson(const SeriesInfo& info) {
  return {{"source", info.source},
          {"series_id", info.id},
          {"title", info.title},
          {"units", info.units},
          {"frequency", info.frequency},
          {"seasonal_adjustment", info.seasonal_adjustment},
          {"transform_code", info.transform_code ? json(*info.transform_code) : json()},
          {"last_updated", info.last_updated},
          {"notes", info.notes}};
}

SeriesInfo FindSeriesOrThrow(Warehouse& warehouse, const std::string& source,
                             const std::string& series_id) {
  std::vector<SeriesInfo> found = warehouse.FindSeries(series_id, source);
  if (found.empty()) {
    throw Error(ErrorCode::kNotFound, "series '" + series_id + "' of source '" + source +
                                          "' is not in the warehouse; search with "
                                          "GET /api/v1/series?search=" +
                                          series_id);
  }
  return found.front();
}

// The SQL condition that selects one series in the warehouse's views.
std::string SeriesCondition(const std::string& source, const std::string& series_id) {
  return "source = " + SqlString(source) + " AND series_id = " + SqlString(series_id);
}

// Every table and view with its columns. The columns come from preparing a
// SELECT of each, since the read-only connection denies pragma_table_info.
json ListTables(Warehouse& warehouse) {
  QueryResult names = ListTablesAndViews(warehouse);
  json tables = json::array();
  for (const std::vector<Cell>& row : names.rows) {
    const std::string& name = std::get<std::string>(row[0]);
    std::string quoted = "\"";
    for (char c : name) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
    QueryResult columns = warehouse.Query("SELECT * FROM " + quoted + "\" LIMIT 0", 0);
    tables.push_back(
        {{"name", name}, {"type", std::get<std::string>(row[1])}, {"columns", columns.columns}});
  }
  return {{"tables", tables}, {"total_entries", tables.size()}};
}

void AddSeriesRoutes(httplib::Server& http, const ServerContext& context) {
  http.Get("/api/v1/series",
           [&context](const httplib::Request& request, httplib::Response& response) {
             std::string search = Lower(Parameter(request, "search").value_or(""));
             std::optional<std::string> source = Parameter(request, "source");
             std::vector<SeriesInfo> found;
             for (SeriesInfo& info : OpenWarehouse(context)->ListSeries()) {
               if (source && info.source != *source) continue;
               bool matches = Lower(info.id).find(search) != std::string::npos ||
                              Lower(info.title).find(search) != std::string::npos;
               if (matches) found.push_back(std::move(info));
             }
             WriteJson(response, PagedList("series", found, ParsePage(request), SeriesJson));
           });
  // Metadata, and the landing objects each load of the series came from.
  http.Get(R"(/api/v1/series/([^/]+)/([^/]+))", [&context](const httplib::Request& request,
                                                           httplib::Response& response) {
    std::unique_ptr<Warehouse> warehouse = OpenWarehouse(context);
    SeriesInfo info = FindSeriesOrThrow(*warehouse, request.matches[1], request.matches[2]);
    QueryResult loads = warehouse->Query(
        "SELECT b.batch_id, b.object_key, b.object_version, b.object_sha256, b.vintage_date, "
        "b.fetched_at, b.loaded_at, b.inserted, b.revised, b.unchanged, b.kept, b.rejected "
        "FROM load_batches b JOIN series s ON s.series_key = b.series_key WHERE s." +
            SeriesCondition(info.source, info.id) + " ORDER BY b.batch_id",
        QueryLimits{.max_rows = 10000});
    json body = SeriesJson(info);
    body["loads"] = ResultJson(loads);
    WriteJson(response, body);
  });
}

// Observations as known today, as of `as_of`, or every stored row with its
// real-time period when `all_vintages` is true.
json ObservationsJson(Warehouse& warehouse, const httplib::Request& request) {
  Page page = ParsePage(request);
  SeriesInfo info = FindSeriesOrThrow(warehouse, request.matches[1], request.matches[2]);
  QueryLimits limits{.max_rows = page.limit, .offset = page.offset};
  std::string condition = SeriesCondition(info.source, info.id);
  std::string all = Parameter(request, "all_vintages").value_or("false");
  if (all == "true") {
    return ResultJson(warehouse.Query(
        "SELECT date, value, realtime_start, realtime_end FROM observation_history WHERE " +
            condition + " ORDER BY realtime_start, date",
        limits));
  }
  if (all != "false") {
    throw Error(ErrorCode::kInvalidInput, "invalid all_vintages '" + all + "': use true or false");
  }
  std::string as_of =
      Date::ParseIso(Parameter(request, "as_of").value_or("9999-12-31"), "as_of parameter").ToIso();
  return ResultJson(warehouse.Query(
      "SELECT date, value, realtime_start, realtime_end FROM observation_history WHERE " +
          condition + " AND realtime_start <= " + SqlString(as_of) +
          " AND realtime_end >= " + SqlString(as_of) + " ORDER BY date",
      limits));
}

void AddObservationRoutes(httplib::Server& http, const ServerContext& context) {
  http.Get(R"(/api/v1/series/([^/]+)/([^/]+)/observations)",
           [&context](const httplib::Request& request, httplib::Response& response) {
             WriteJson(response, ObservationsJson(*OpenWarehouse(context), request));
           });
  http.Get(R"(/api/v1/series/([^/]+)/([^/]+)/vintages)", [&context](const httplib::Request& request,
                                                                    httplib::Response& response) {
    std::unique_ptr<Warehouse> warehouse = OpenWarehouse(context);
    SeriesInfo info = FindSeriesOrThrow(*warehouse, request.matches[1], request.matches[2]);
    Page page = ParsePage(request);
    WriteJson(response, ResultJson(warehouse->Query(
                            "SELECT realtime_start AS vintage_date, count(*) AS observations FROM "
                            "observation_history WHERE " +
                                SeriesCondition(info.source, info.id) +
                                " GROUP BY realtime_start ORDER BY realtime_start",
                            QueryLimits{.max_rows = page.limit, .offset = page.offset})));
  });
  http.Get(
      R"(/api/v1/series/([^/]+)/([^/]+)/revisions)",
      [&context](const httplib::Request& request, httplib::Response& response) {
        std::unique_ptr<Warehouse> warehouse = OpenWarehouse(context);
        SeriesInfo info = FindSeriesOrThrow(*warehouse, request.matches[1], request.matches[2]);
        Page page = ParsePage(request);
        WriteJson(response,
                  ResultJson(warehouse->Query(
                      "SELECT date, realtime_start, previous_value, value, revision FROM revisions "
                      "WHERE " +
                          SeriesCondition(info.source, info.id) + " ORDER BY date, realtime_start",
                      QueryLimits{.max_rows = page.limit, .offset = page.offset})));
      });
}

// Runs one read-only statement. The row limit is the smaller of the request's
// `limit` and the server's; `truncated: true` means that more rows exist.
json RunQuery(Warehouse& warehouse, const httplib::Request& request, const ServerOptions& options) {
  json body = JsonBody(request);
  if (!body.contains("sql") || !body["sql"].is_string()) {
    throw Error(ErrorCode::kInvalidInput,
                "the request body has no \"sql\" string; send {\"sql\": \"SELECT ...\"}");
  }
  QueryLimits limits{.max_rows = options.sql_max_rows, .time_limit = options.sql_time_limit};
  if (body.contains("limit")) {
    if (!body["limit"].is_number_integer() || body["limit"].get<int64_t>() < 1 ||
        body["limit"].get<int64_t>() > options.sql_max_rows) {
      throw Error(ErrorCode::kInvalidInput, "invalid limit " + body["limit"].dump() +
                                                ": expected an integer from 1 to " +
                                                std::to_string(options.sql_max_rows));
    }
    limits.max_rows = body["limit"].get<int64_t>();
  }
  if (body.contains("offset")) {
    if (!body["offset"].is_number_integer() || body["offset"].get<int64_t>() < 0) {
      throw Error(ErrorCode::kInvalidInput,
                  "invalid offset " + body["offset"].dump() + ": expected 0 or more");
    }
    limits.offset = body["offset"].get<int64_t>();
  }
  auto start = std::chrono::steady_clock::now();
  json result = ResultJson(warehouse.Query(body["sql"].get<std::string>(), limits));
  result["limit"] = limits.max_rows;
  result["offset"] = limits.offset;
  result["elapsed_ms"] =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace

void AddWarehouseRoutes(httplib::Server& http, const ServerContext& context,
                        const ServerOptions& options) {
  http.Get("/api/v1/tables", [&context](const httplib::Request&, httplib::Response& response) {
    WriteJson(response, ListTables(*OpenWarehouse(context)));
  });
  AddSeriesRoutes(http, context);
  AddObservationRoutes(http, context);
  http.Post("/api/v1/queries",
            [&context, &options](const httplib::Request& request, httplib::Response& response) {
              WriteJson(response, RunQuery(*OpenWarehouse(context), request, options));
            });
}

}  // namespace macropipe::server
