// The settings of the forecast job, read from the [forecast] table of the
// pipeline config:
//
//   [forecast]
//   target = "CPIAUCSL"               # series whose monthly log change is forecast
//   inputs = ["INDPRO", "UNRATE"]     # observed inputs; absent: every series of the source
//   seed = 7                          # ensemble members use seed, seed + 1, ...
//   ensemble_size = 3
//   hidden_size = 16                  # and the other TFT sizes below
//   output_dir = "forecasts"          # charts and the saved model; relative to the data dir
//
//   ForecastJobSettings settings = ReadForecastSettings(config);
//
// Value types; safe to copy between threads.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/config.h"
#include "core/date.h"

namespace macropipe::forecast {

// The numeric settings of the TFT forecaster that ForecasterOptions may set;
// their meaning is documented in forecast/tft/tft_settings.h.
inline const std::vector<std::string> kTftSettingNames = {
    "encoder_length",      "max_horizon",   "hidden_size", "attention_heads", "dropout",
    "learning_rate",       "batch_size",    "max_epochs",  "patience",        "gradient_clip_norm",
    "validation_fraction", "ensemble_size", "threads"};

// The months forecast by the job; accumulated inflation needs all 12.
inline constexpr int kForecastHorizons = 12;

struct ForecastJobSettings {
  std::string source = "fred-md";
  std::string target = "CPIAUCSL";
  // Series of `source` given to the model besides the target; empty means all.
  std::vector<std::string> inputs;
  std::optional<Date> as_of;  // Data as known on this date; unset means the latest.
  int training_months = 0;    // Rows of the rolling fit window; 0 means every month.
  uint64_t seed = 1;
  // TFT settings by name (see kTftSettingNames); unset ones keep the model's defaults.
  std::map<std::string, double> model_settings;
  // Where charts and the saved model go; relative paths are under the data dir.
  std::string output_dir = "forecasts";
  // The saved model's file name, relative to output_dir unless absolute.
  std::string model_file = "tft-model.pt";
};

// Reads the [forecast] table; a config without one gives the defaults. Throws
// Error(kInvalidInput) naming the file, line and key of an unknown key, a
// value of the wrong type or a value out of range.
ForecastJobSettings ReadForecastSettings(const Config& config);

}  // namespace macropipe::forecast
