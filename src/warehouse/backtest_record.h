// The warehouse's record of one backtest run: the run itself (panel, data
// vintage, models, windows, the command line) and one score row per window,
// model and horizon.
//
//   int64_t run_id = warehouse.StoreBacktest(record);
//   std::optional<BacktestRecord> stored = warehouse.ReadBacktest(run_id);
//
// Plain values; safe to copy between threads.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace macropipe {

struct BacktestRunInfo {
  int64_t run_id = 0;        // Assigned by StoreBacktest.
  std::string created_at;    // UTC, ISO 8601, for example 2026-12-05T02:10:00Z.
  std::string source;        // Source of the panel's series, for example "fred-md".
  std::string target_id;     // The forecast series, for example "CPIAUCSL".
  std::string data_vintage;  // ISO date the data were read as of, or empty for the latest.
  std::string panel_first;   // ISO dates of the panel's first and last month.
  std::string panel_last;
  std::string models;   // Comma-separated, in the order of the scores.
  std::string windows;  // Comma-separated window labels, for example "1990-2000,2001-2015".
  std::string command;  // The command line that produced the run.
  double seconds = 0;   // Wall-clock time of the backtest.
};

// The scores of one model at one horizon in one evaluation window. A value the
// backtest could not compute (a ratio over a zero benchmark error, the
// Diebold-Mariano test of AO12 against itself, quantile scores of a model
// without quantiles) is nullopt, stored as SQL NULL.
struct BacktestScoreRecord {
  std::string window;        // Label, for example "1990-2000".
  std::string window_first;  // ISO date of the first and last target month.
  std::string window_last;
  int estimation_months = 0;  // Length of the rolling estimation window.
  std::string model;
  int refit_months = 1;  // The model was re-estimated every this many origins.
  std::string horizon;   // "h1".."h12", or "acc3", "acc6", "acc12" for accumulated inflation.
  int64_t targets = 0;   // Target months scored.
  std::optional<double> rmse;
  std::optional<double> mae;
  std::optional<double> rmse_ratio;  // To the random walk.
  std::optional<double> mae_ratio;
  std::optional<double> dm_statistic;  // Diebold-Mariano test against AO12.
  std::optional<double> dm_p_value;
  std::optional<double> p50_loss;  // Quantile (pinball) losses of P50 and P90.
  std::optional<double> p90_loss;
  std::optional<double> coverage80;  // Share of outcomes in [P10, P90].
};

struct BacktestRecord {
  BacktestRunInfo run;
  std::vector<BacktestScoreRecord> scores;  // Stored and read back in this order.
};

}  // namespace macropipe
