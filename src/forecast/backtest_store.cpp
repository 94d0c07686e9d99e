#include "forecast/backtest_store.h"

#include <cmath>

namespace macropipe::forecast {
namespace {

std::optional<double> Finite(double value) {
  if (!std::isfinite(value)) return std::nullopt;
  return value;
}

std::string JoinLabels(const std::vector<std::string>& labels) {
  std::string joined;
  for (const std::string& label : labels) joined += (joined.empty() ? "" : ",") + label;
  return joined;
}

BacktestScoreRecord ScoreRecord(const WindowResult& window, const ModelScores& model,
                                const Score& score) {
  BacktestScoreRecord row;
  row.window = window.window.label;
  row.window_first = window.window.first.ToIso();
  row.window_last = window.window.last.ToIso();
  row.estimation_months = window.estimation_months;
  row.model = model.model;
  row.refit_months = model.refit_months;
  row.horizon = HorizonLabel(score);
  row.targets = static_cast<int64_t>(score.count);
  row.rmse = Finite(score.rmse);
  row.mae = Finite(score.mae);
  row.rmse_ratio = Finite(score.rmse_ratio);
  row.mae_ratio = Finite(score.mae_ratio);
  row.dm_statistic = Finite(score.dm_statistic);
  row.dm_p_value = Finite(score.dm_p_value);
  row.p50_loss = Finite(score.p50_loss);
  row.p90_loss = Finite(score.p90_loss);
  row.coverage80 = Finite(score.coverage80);
  return row;
}

}  // namespace

BacktestRecord MakeBacktestRecord(const BacktestResult& result, BacktestRunInfo run) {
  BacktestRecord record;
  run.panel_first = result.first_month + "-01";
  run.panel_last = result.last_month + "-01";
  std::vector<std::string> windows;
  std::vector<std::string> models;
  for (const WindowResult& window : result.windows) {
    windows.push_back(window.window.label);
    for (const ModelScores& model : window.models) {
      if (windows.size() == 1) models.push_back(model.model);
      for (const Score& score : model.scores) {
        record.scores.push_back(ScoreRecord(window, model, score));
      }
    }
  }
  run.windows = JoinLabels(windows);
  run.models = JoinLabels(models);
  record.run = std::move(run);
  return record;
}

}  // namespace macropipe::forecast
