// A forecaster that explains its forecasts (which inputs it selected and which
// months it attended to) and can save and load its fitted state, as the
// forecast job needs. The TFT implements it; the job reaches it through the
// registry, so code outside the LibTorch library never names the TFT.
//
//   auto model = MakeForecaster("tft", options);
//   auto* explained = dynamic_cast<ExplainedForecaster*>(model.get());
//
// Thread-compatible, as every Forecaster.
#pragma once

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "forecast/forecaster.h"

namespace macropipe::forecast {

// The mean variable selection weight of one input over windows, months and
// ensemble members. Weights of one selection network sum to 1.
struct InputImportance {
  std::string name;
  double weight = 0.0;
};

// Attention of each forecast month over the encoder and decoder months,
// averaged over heads and ensemble members.
struct AttentionMap {
  std::vector<int> offsets;  // Months relative to the origin: -(encoder_length - 1) .. max_horizon.
  std::vector<std::vector<double>> weights;  // [horizon - 1][position]; each row sums to 1.
};

class ExplainedForecaster : public Forecaster {
 public:
  // Importance of the inputs over past months, computed by the last Fit or
  // read by Load.
  virtual const std::vector<InputImportance>& encoder_importance() const = 0;
  // Importance of the inputs known for the forecast months.
  virtual const std::vector<InputImportance>& decoder_importance() const = 0;
  // The attention of the last Predict, rows for horizons 1..max_horizon.
  virtual const AttentionMap& last_attention() const = 0;

  // Every setting by name, defaults included, for the record of a run.
  virtual std::vector<std::pair<std::string, double>> setting_values() const = 0;

  // Writes the fitted state to `path`, replacing the file. Throws
  // Error(kFailedPrecondition) before Fit and Error(kPermissionDenied) when
  // the file cannot be written.
  virtual void Save(const std::filesystem::path& path) const = 0;

  // Reads a state written by Save, to forecast from `panel` without fitting.
  // Throws Error(kNotFound) when the file is missing, Error(kInvalidInput)
  // when it is not a saved model, and Error(kFailedPrecondition) naming the
  // difference when it was fitted with other settings or on other columns
  // than `panel` has.
  virtual void Load(const std::filesystem::path& path, const Panel& panel) = 0;
};

}  // namespace macropipe::forecast
