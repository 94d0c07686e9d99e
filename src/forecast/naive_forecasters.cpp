#include "forecast/naive_forecasters.h"

#include <cmath>

#include "core/error.h"

namespace macropipe::forecast {

double TargetAt(const Panel& panel, size_t row) {
  if (row >= panel.months.size()) {
    throw Error(ErrorCode::kInvalidInput, "row " + std::to_string(row) +
                                              " is outside the panel of " +
                                              std::to_string(panel.months.size()) + " months");
  }
  double value = panel.columns.at(panel.target_column)[row];
  if (std::isnan(value)) {
    throw Error(ErrorCode::kInvalidInput, "target " + panel.names.at(panel.target_column) +
                                              " is missing for " + panel.months[row].ToIso() +
                                              "; forecast from an origin where it is known");
  }
  return value;
}

std::vector<QuantileForecast> FlatForecast(double value, int max_horizon) {
  std::vector<QuantileForecast> path;
  for (int h = 1; h <= max_horizon; ++h) path.push_back({h, value, value, value});
  return path;
}

RandomWalkForecaster::RandomWalkForecaster(const ForecasterOptions& options) {
  CheckSettings("rw", options, {});
}

void RandomWalkForecaster::Fit(const Panel&, size_t, size_t) {}

std::vector<QuantileForecast> RandomWalkForecaster::Predict(const Panel& panel, size_t origin,
                                                            int max_horizon) {
  return FlatForecast(TargetAt(panel, origin), max_horizon);
}

MovingAverageForecaster::MovingAverageForecaster(const ForecasterOptions& options) {
  CheckSettings("ao12", options, {"months"});
  months_ = static_cast<size_t>(WholeSetting(options, "ao12", "months", 12, 1));
}

void MovingAverageForecaster::Fit(const Panel&, size_t, size_t) {}

std::vector<QuantileForecast> MovingAverageForecaster::Predict(const Panel& panel, size_t origin,
                                                               int max_horizon) {
  if (origin + 1 < months_) {
    throw Error(ErrorCode::kInvalidInput,
                "ao12 needs " + std::to_string(months_) + " months up to the origin, but row " +
                    std::to_string(origin) + " has only " + std::to_string(origin + 1));
  }
  double sum = 0;
  for (size_t row = origin + 1 - months_; row <= origin; ++row) sum += TargetAt(panel, row);
  return FlatForecast(sum / static_cast<double>(months_), max_horizon);
}

}  // namespace macropipe::forecast
