// The two naive benchmarks of inflation forecasting, which need no estimation.
//
//   RandomWalkForecaster rw({});
//   std::vector<QuantileForecast> path = rw.Predict(panel, origin, 12);
//
// Both forecast the same value for every horizon and set p10 = p50 = p90,
// because they give no quantiles. Thread-compatible.
#pragma once

#include <string>
#include <vector>

#include "forecast/forecaster.h"
#include "forecast/registry.h"

namespace macropipe::forecast {

// Forecasts the target's value at the origin (last month's rate) for every
// horizon. Accepts no settings.
class RandomWalkForecaster : public Forecaster {
 public:
  explicit RandomWalkForecaster(const ForecasterOptions& options);

  std::string name() const override { return "rw"; }
  void Fit(const Panel& panel, size_t begin, size_t end) override;
  std::vector<QuantileForecast> Predict(const Panel& panel, size_t origin,
                                        int max_horizon) override;
};

// Forecasts the mean of the target over the `months` months ending at the
// origin (12 by default, the AO12 benchmark of Atkeson and Ohanian, 2001) for
// every horizon. Setting: "months" (a whole number of at least 1).
class MovingAverageForecaster : public Forecaster {
 public:
  explicit MovingAverageForecaster(const ForecasterOptions& options);

  std::string name() const override { return "ao12"; }
  void Fit(const Panel& panel, size_t begin, size_t end) override;
  std::vector<QuantileForecast> Predict(const Panel& panel, size_t origin,
                                        int max_horizon) override;

 private:
  size_t months_ = 12;
};

// Returns the target's value at `row`, throwing Error(kInvalidInput) naming
// the month when it is missing or `row` is outside the panel.
double TargetAt(const Panel& panel, size_t row);

// Returns `max_horizon` forecasts of `value` with p10 = p50 = p90.
std::vector<QuantileForecast> FlatForecast(double value, int max_horizon);

}  // namespace macropipe::forecast
