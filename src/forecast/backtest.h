// The out-of-sample backtest: rolling-window forecasts of every model at every
// origin, scored per evaluation window against the random walk and AO12.
//
//   BacktestResult result = RunBacktest(panel, {{"ar4"}, {"lasso"}}, BacktestOptions{});
//
// The protocol follows Medeiros, Vasconcelos, Veiga and Zilberman (2021):
//   - An evaluation window is a range of target months. The horizon-h
//     forecast of target month t comes from origin t - h, so the first
//     forecasts of a window come from origins before it.
//   - At origin o a model is fitted on the rows [o - L + 1, o] (a rolling
//     window of L months ending at the origin) and forecasts horizons 1..H
//     directly. Models re-estimate every `refit_months` origins and forecast
//     from the last fit in between.
//   - Accumulated k-month inflation compounds the horizon 1..k forecasts of
//     origin t - k: prod(1 + f_h) - 1, and the outcome compounds the months
//     t - k + 1..t the same way.
//   - The random walk forecasts y_o at every horizon, and for accumulated
//     horizons the compounded rate of the k months ending at the origin,
//     which for k = 12 is the benchmark of Atkeson and Ohanian (2001).
//   - Ratios are RMSE (or MAE) of the model over that of the random walk on
//     the same targets. The Diebold-Mariano test compares each model with
//     AO12 (squared-error loss, h - 1 lags, or k - 1 for accumulated horizons).
// The random walk and AO12 are always computed. List them as models to get
// their rows. The "rw" row is the benchmark itself, so its ratios are 1.
//
// RunBacktest is thread-safe; it runs models on `threads` threads itself.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/date.h"
#include "forecast/forecaster.h"
#include "forecast/registry.h"

namespace macropipe::forecast {

struct EvaluationWindow {
  std::string label;  // "1990-2000"
  Date first;         // First target month.
  Date last;          // Last target month; clipped to the panel's last month.
};

// The windows of Medeiros et al.: 1990-01..2000-12 and 2001-01..2015-12, and
// 2016-01 to the end of the data.
std::vector<EvaluationWindow> DefaultEvaluationWindows();

struct BacktestModel {
  std::string name;  // As registered, for example "lasso".
  ForecasterOptions options;
  int refit_months = 1;  // Re-estimate at every this many origins.
};

struct BacktestOptions {
  std::vector<EvaluationWindow> windows = DefaultEvaluationWindows();
  int max_horizon = 12;
  std::vector<int> accumulated = {3, 6, 12};
  // Months in each rolling estimation window. 0 takes, per evaluation window,
  // the months from `sample_start` through the month before its first target:
  // 360 for 1990-2000, 492 for 2001-2015 and 672 for 2016 onwards. This is the
  // rule of the authors' replication code (github.com/gabrielrvsc/ForecastingInflation),
  // whose data start in 1960-01.
  int window_months = 0;
  Date sample_start = Date(1960, 1, 1);
  int threads = 1;
};

// One column of a results table: horizon h (accumulated = false) or
// accumulated k-month inflation (accumulated = true).
struct Score {
  int horizon = 0;
  bool accumulated = false;
  size_t count = 0;  // Targets scored.
  double rmse = 0;
  double mae = 0;
  double rmse_ratio = 0;  // To the random walk.
  double mae_ratio = 0;
  // Against AO12; NaN for AO12 itself.
  double dm_statistic = 0;
  double dm_p_value = 0;
  // For models whose p10 or p90 differ from p50 at some forecast; NaN otherwise
  // and for accumulated horizons.
  double p50_loss = 0;
  double p90_loss = 0;
  double coverage80 = 0;  // Share of outcomes in [p10, p90].
};

struct ModelScores {
  std::string model;
  bool has_quantiles = false;
  int refit_months = 1;
  std::vector<Score> scores;  // Horizons 1..H, then the accumulated ones.
};

struct WindowResult {
  EvaluationWindow window;  // With `last` clipped to the data.
  int estimation_months = 0;
  std::vector<ModelScores> models;
};

struct BacktestResult {
  std::string first_month;  // Of the panel.
  std::string last_month;
  std::vector<WindowResult> windows;
};

// Runs the backtest. Throws Error(kInvalidInput) when a window lies outside
// the panel or leaves no room for the estimation window, and passes on the
// errors of MakeForecaster, Fit and Predict.
BacktestResult RunBacktest(const Panel& panel, const std::vector<BacktestModel>& models,
                           const BacktestOptions& options);

// The column label of a score: "h3" for horizon 3, "acc12" for accumulated
// 12-month inflation.
std::string HorizonLabel(const Score& score);

// Returns prod(1 + r) - 1 over `rates`.
double Compound(const std::vector<double>& rates);

}  // namespace macropipe::forecast
