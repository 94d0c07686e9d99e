// What the warehouse stores of one forecast run: the run itself (data vintage,
// model settings, where the model came from), the quantile forecasts per
// horizon, accumulated inflation, input importances and attention weights.
//
//   int64_t run_id = warehouse.StoreForecast(record);
//   std::optional<ForecastRecord> stored = warehouse.ReadForecast(run_id);
//
// Plain values; safe to copy between threads.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace macropipe {

struct ForecastRunInfo {
  int64_t run_id = 0;          // Assigned by StoreForecast.
  std::string created_at;      // UTC, ISO 8601, for example 2026-12-04T20:15:00Z.
  std::string source;          // Source of the input series, for example "fred-md".
  std::string target_id;       // The forecast series, for example "CPIAUCSL".
  std::string model;           // Forecaster name, for example "tft".
  std::string data_vintage;    // ISO date of the newest data the run read.
  std::string origin_month;    // ISO date of the last month of data; horizon 1 is the month after.
  std::string training_first;  // First and last month of the rows the model was fitted on.
  std::string training_last;
  std::string settings;       // The model settings as a JSON object.
  std::string model_file;     // Where the fitted model was saved or loaded from.
  bool model_loaded = false;  // True when the model was loaded instead of trained.
};

// Monthly inflation quantiles for one horizon, in the target's units.
struct HorizonForecast {
  int horizon = 0;           // Months after the origin, 1-based.
  std::string target_month;  // ISO date of the forecast month.
  double p10 = 0;
  double p50 = 0;
  double p90 = 0;
};

// Inflation over the first `months` forecast months, compounded from the P50
// monthly forecasts: prod(1 + p50) - 1.
struct AccumulatedForecast {
  int months = 0;
  double value = 0;
};

struct ImportanceRecord {
  std::string stage;  // "encoder" (past months) or "decoder" (forecast months).
  std::string input;
  double weight = 0;
};

struct AttentionRecord {
  int horizon = 0;         // The forecast month that attends.
  int relative_month = 0;  // The month attended to, relative to the origin (0 = origin).
  double weight = 0;
};

struct ForecastRecord {
  ForecastRunInfo run;
  std::vector<HorizonForecast> horizons;
  std::vector<AccumulatedForecast> accumulated;
  std::vector<ImportanceRecord> importances;
  std::vector<AttentionRecord> attention;
};

}  // namespace macropipe
