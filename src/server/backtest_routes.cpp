// Routes over the backtest tables of the warehouse. A warehouse written
// before backtests were stored has no such tables, and the list is empty.

#include "core/error.h"
#include "server/request_params.h"
#include "server/routes.h"
#include "server/warehouse_access.h"

namespace macropipe::server {
namespace {

using nlohmann::json;

constexpr char kRunColumns[] =
    "run_id, created_at, source, target_id, data_vintage, panel_first, panel_last, models, "
    "windows, command, seconds";

json Optional(const std::optional<double>& value) { return value ? json(*value) : json(nullptr); }

json ScoreJson(const BacktestScoreRecord& score) {
  return {{"window", score.window},
          {"window_first", score.window_first},
          {"window_last", score.window_last},
          {"estimation_months", score.estimation_months},
          {"model", score.model},
          {"refit_months", score.refit_months},
          {"horizon", score.horizon},
          {"targets", score.targets},
          {"rmse", Optional(score.rmse)},
          {"mae", Optional(score.mae)},
          {"rmse_ratio", Optional(score.rmse_ratio)},
          {"mae_ratio", Optional(score.mae_ratio)},
          {"dm_statistic", Optional(score.dm_statistic)},
          {"dm_p_value", Optional(score.dm_p_value)},
          {"p50_loss", Optional(score.p50_loss)},
          {"p90_loss", Optional(score.p90_loss)},
          {"coverage80", Optional(score.coverage80)}};
}

// One backtest with its scores in the order of the report's tables: by
// window, then model, then horizon.
json BacktestJson(Warehouse& warehouse, const std::string& run_id_text) {
  int64_t run_id = RunIdFromPath(run_id_text, "backtest");
  std::optional<BacktestRecord> record;
  if (HasTable(warehouse, "backtest_runs")) record = warehouse.ReadBacktest(run_id);
  if (!record) {
    throw Error(ErrorCode::kNotFound, "backtest " + run_id_text +
                                          " is not in the warehouse; list them with "
                                          "GET /api/v1/backtests");
  }
  const BacktestRunInfo& run = record->run;
  json scores = json::array();
  for (const BacktestScoreRecord& score : record->scores) scores.push_back(ScoreJson(score));
  return {{"run_id", run.run_id},
          {"created_at", run.created_at},
          {"source", run.source},
          {"target_id", run.target_id},
          {"data_vintage", run.data_vintage},
          {"panel_first", run.panel_first},
          {"panel_last", run.panel_last},
          {"models", run.models},
          {"windows", run.windows},
          {"command", run.command},
          {"seconds", run.seconds},
          {"scores", std::move(scores)}};
}

}  // namespace

void AddBacktestRoutes(httplib::Server& http, const ServerContext& context) {
  http.Get("/api/v1/backtests",
           [&context](const httplib::Request& request, httplib::Response& response) {
             WriteJson(response, ListRuns(*OpenWarehouse(context), "backtest_runs", kRunColumns,
                                          "backtests", ParsePage(request)));
           });
  http.Get(R"(/api/v1/backtests/([^/]+))",
           [&context](const httplib::Request& request, httplib::Response& response) {
             WriteJson(response, BacktestJson(*OpenWarehouse(context), request.matches[1]));
           });
}

}  // namespace macropipe::server
