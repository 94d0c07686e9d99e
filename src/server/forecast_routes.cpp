// Routes over the forecast tables of the warehouse. A warehouse written
// before any forecast has no such tables, and the list is empty.
#include <cmath>

#include "core/error.h"
#include "server/request_params.h"
#include "server/routes.h"
#include "server/warehouse_access.h"

namespace macropipe::server {
namespace {

using nlohmann::json;

constexpr char kRunColumns[] =
    "run_id, created_at, source, target_id, model, data_vintage, origin_month, training_first, "
    "training_last, settings";

json TableRows(Warehouse& warehouse, const std::string& sql) {
  return RowObjects(ResultJson(warehouse.Query(sql, QueryLimits{.max_rows = 100000})));
}

// The target's monthly log changes over the 36 months up to the origin, the
// unit the forecast's quantiles are in, the latest first.
json Actuals(Warehouse& warehouse, const json& forecast) {
  json levels = TableRows(
      warehouse, "SELECT date, value FROM latest_observations WHERE source = " +
                     SqlString(forecast["source"].get<std::string>()) +
                     " AND series_id = " + SqlString(forecast["target_id"].get<std::string>()) +
                     " AND date <= " + SqlString(forecast["origin_month"].get<std::string>()) +
                     " ORDER BY date DESC LIMIT 37");
  json changes = json::array();
  for (size_t i = 0; i + 1 < levels.size(); ++i) {
    const json& level = levels[i]["value"];
    const json& previous = levels[i + 1]["value"];
    if (!level.is_number() || !previous.is_number()) continue;
    double ratio = level.get<double>() / previous.get<double>();
    if (!(ratio > 0)) continue;  // A log change needs two positive levels.
    changes.push_back({{"date", levels[i]["date"]}, {"value", std::log(ratio)}});
  }
  return changes;
}

// One forecast with its quantiles, accumulated values, importances,
// attention, and the target's latest monthly log changes as actuals.
json ForecastJson(Warehouse& warehouse, const std::string& run_id_text) {
  int64_t run_id = RunIdFromPath(run_id_text, "forecast");
  std::string where = " WHERE run_id = " + std::to_string(run_id);
  json runs = HasTable(warehouse, "forecast_runs")
                  ? TableRows(warehouse,
                              std::string("SELECT ") + kRunColumns + " FROM forecast_runs" + where)
                  : json::array();
  if (runs.empty()) {
    throw Error(ErrorCode::kNotFound, "forecast " + run_id_text +
                                          " is not in the warehouse; list them with "
                                          "GET /api/v1/forecasts");
  }
  json forecast = runs[0];
  forecast["quantiles"] =
      TableRows(warehouse, "SELECT horizon, target_month, p10, p50, p90 FROM forecast_quantiles" +
                               where + " ORDER BY horizon");
  forecast["accumulated"] = TableRows(
      warehouse, "SELECT months, value FROM forecast_accumulated" + where + " ORDER BY months");
  forecast["importances"] =
      TableRows(warehouse, "SELECT stage, input, weight FROM forecast_importances" + where +
                               " ORDER BY weight DESC");
  forecast["attention"] =
      TableRows(warehouse, "SELECT horizon, relative_month, weight FROM forecast_attention" +
                               where + " ORDER BY horizon, relative_month");
  forecast["actuals"] = Actuals(warehouse, forecast);
  return forecast;
}

}  // namespace

void AddForecastRoutes(httplib::Server& http, const ServerContext& context) {
  http.Get("/api/v1/forecasts",
           [&context](const httplib::Request& request, httplib::Response& response) {
             WriteJson(response, ListRuns(*OpenWarehouse(context), "forecast_runs", kRunColumns,
                                          "forecasts", ParsePage(request)));
           });
  http.Get(R"(/api/v1/forecasts/([^/]+))",
           [&context](const httplib::Request& request, httplib::Response& response) {
             WriteJson(response, ForecastJson(*OpenWarehouse(context), request.matches[1]));
           });
}

}  // namespace macropipe::server
