#include "forecast/backtest_report.h"

#include <fmt/format.h>

#include <cmath>
#include <functional>
#include <sstream>

namespace macropipe::forecast {
namespace {

std::string Number(double value, int decimals) {
  if (std::isnan(value)) return "-";
  return fmt::format("{:.{}f}", value, decimals);
}

// One Markdown table: a row per model, a column per score.
void WriteTable(std::ostringstream& out, const WindowResult& window, const std::string& title,
                const std::function<bool(const ModelScores&)>& include,
                const std::function<std::string(const Score&)>& cell) {
  bool any = false;
  for (const ModelScores& model : window.models) any = any || include(model);
  if (!any) return;

  const std::vector<Score>& columns = window.models.front().scores;
  out << "\n" << title << "\n\n| model |";
  for (const Score& score : columns) out << " " << HorizonLabel(score) << " |";
  out << "\n|---|";
  for (size_t i = 0; i < columns.size(); ++i) out << "---:|";
  out << "\n";
  for (const ModelScores& model : window.models) {
    if (!include(model)) continue;
    out << "| " << model.model << " |";
    for (const Score& score : model.scores) out << " " << cell(score) << " |";
    out << "\n";
  }
}

void WriteWindow(std::ostringstream& out, const WindowResult& window) {
  size_t targets = window.models.empty() ? 0 : window.models.front().scores.front().count;
  out << "\n## " << window.window.label << ": targets " << window.window.first.ToIso().substr(0, 7)
      << " to " << window.window.last.ToIso().substr(0, 7) << " (" << targets
      << " months), rolling estimation window of " << window.estimation_months << " months\n";
  if (window.models.empty()) return;

  auto all = [](const ModelScores&) { return true; };
  auto quantiles = [](const ModelScores& model) { return model.has_quantiles; };
  WriteTable(out, window, "RMSE ratio to the random walk (lower is better):", all,
             [](const Score& s) { return Number(s.rmse_ratio, 3); });
  WriteTable(out, window, "MAE ratio to the random walk:", all,
             [](const Score& s) { return Number(s.mae_ratio, 3); });
  WriteTable(
      out, window,
      "Diebold-Mariano test against AO12, statistic (p-value); negative means smaller "
      "squared errors than AO12:",
      [](const ModelScores& model) { return model.model != "ao12"; },
      [](const Score& s) {
        if (std::isnan(s.dm_statistic)) return std::string("-");
        return Number(s.dm_statistic, 2) + " (" + Number(s.dm_p_value, 2) + ")";
      });
  WriteTable(out, window, "Quantile loss of p50, in percentage points:", quantiles,
             [](const Score& s) { return Number(100 * s.p50_loss, 4); });
  WriteTable(out, window, "Quantile loss of p90, in percentage points:", quantiles,
             [](const Score& s) { return Number(100 * s.p90_loss, 4); });
  WriteTable(out, window, "Coverage of the 80% interval [p10, p90]:", quantiles,
             [](const Score& s) { return Number(s.coverage80, 3); });
}

}  // namespace

std::string FormatBacktestReport(const BacktestResult& result, const ReportContext& context) {
  std::ostringstream out;
  out << "# Backtest of US CPI inflation forecasts\n\n"
      << "Produced by `" << context.command << "` in " << Number(context.seconds, 1)
      << " s, on the panel " << result.first_month << " to " << result.last_month << ".\n";
  if (!result.windows.empty() && !result.windows.front().models.empty()) {
    out << "Re-estimation:";
    for (const ModelScores& model : result.windows.front().models) {
      out << " " << model.model << " every " << model.refit_months << " month"
          << (model.refit_months == 1 ? "" : "s") << ";";
    }
    out << " accumulated columns (accK) compound the horizon 1..K forecasts of one origin.\n";
  }
  for (const WindowResult& window : result.windows) WriteWindow(out, window);
  return out.str();
}

}  // namespace macropipe::forecast
