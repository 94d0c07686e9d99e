// The forecast job: fits the TFT on the warehouse's latest data (or loads the
// model saved by an earlier run), forecasts monthly inflation 1 to 12 months
// ahead, stores the run in the warehouse and writes its charts as SVG. Both
// `macropipe forecast` and the DAG's forecast task run it.
//
//   ForecastJobResult result = RunForecastJob(warehouse, ReadForecastSettings(config),
//                                             {.data_dir = data_dir});
//   std::cout << FormatForecastTable(result.record);
//
// The model comes from the forecaster registry, so this code builds without
// LibTorch. Such a build has no "tft" forecaster, and the job fails with
// Error(kFailedPrecondition). Run one job at a time, because fits in one
// process share LibTorch's global settings.
#pragma once

#include <filesystem>
#include <string>

#include "forecast/forecast_config.h"
#include "forecast/forecaster.h"
#include "forecast/registry.h"
#include "warehouse/forecast_record.h"
#include "warehouse/warehouse.h"

namespace macropipe::forecast {

struct ForecastJobOptions {
  std::filesystem::path data_dir;  // Relative output_dir settings are resolved against it.
  bool retrain = false;            // Fit even when a saved model fits the settings and data.
  std::string created_at;          // UTC time stamp of the run; empty means now.
};

struct ForecastJobResult {
  ForecastRecord record;  // As stored, with its run id.
  std::filesystem::path model_file;
  std::filesystem::path fan_chart;
  std::filesystem::path importance_chart;
};

// True when this build registers the TFT forecaster.
bool ForecastingAvailable();

// Throws Error(kFailedPrecondition), saying how to build with forecasting,
// unless ForecastingAvailable().
void RequireForecasting();

// Builds the job's panel: the source's series as of the configured vintage,
// kept to the target and the configured inputs in the warehouse's order.
// Throws Error(kNotFound) naming an input the source lacks.
Panel BuildForecastPanel(Warehouse& warehouse, const ForecastJobSettings& settings);

// The registry options the job creates its model with: the seed, the model
// settings and 12 horizons.
ForecasterOptions ForecastModelOptions(const ForecastJobSettings& settings);

// Runs the job. Throws Error(kFailedPrecondition) when the build has no
// forecasting, Error(kNotFound) when the source, target or an input is not in
// the warehouse, Error(kInvalidInput) for settings out of range, and passes on
// the errors of fitting and storing. A saved model that no longer fits the
// settings or the data's columns is logged and replaced by a new fit.
ForecastJobResult RunForecastJob(Warehouse& warehouse, const ForecastJobSettings& settings,
                                 const ForecastJobOptions& options);

// Formats the run as a text table: quantiles per horizon in percent,
// accumulated inflation and the most important inputs.
std::string FormatForecastTable(const ForecastRecord& record);

}  // namespace macropipe::forecast
