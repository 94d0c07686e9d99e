// The direct autoregression benchmark AR(p): for each horizon h, one OLS
// regression of y_{t+h} on a constant and y_t, ..., y_{t-p+1}, fitted on the
// window, so no forecast feeds another.
//
//   DirectArForecaster ar4(ForecasterOptions{});
//   ar4.Fit(panel, begin, end);
//   std::vector<QuantileForecast> path = ar4.Predict(panel, end - 1, 12);
//
// Settings: "lags" (p, 4 by default), "horizons" (the horizons fitted, 12 by
// default). Gives point forecasts only, with p10 = p50 = p90.
// Thread-compatible.
#pragma once

#include <Eigen/Dense>
#include <string>
#include <vector>

#include "forecast/forecaster.h"
#include "forecast/registry.h"

namespace macropipe::forecast {

class DirectArForecaster : public Forecaster {
 public:
  explicit DirectArForecaster(const ForecasterOptions& options);

  std::string name() const override { return "ar4"; }

  // Throws Error(kInvalidInput) when the window leaves fewer observations than
  // coefficients at the longest horizon, or the target is missing in it.
  void Fit(const Panel& panel, size_t begin, size_t end) override;

  // Throws Error(kFailedPrecondition) before Fit, and Error(kInvalidInput)
  // when max_horizon exceeds the fitted horizons.
  std::vector<QuantileForecast> Predict(const Panel& panel, size_t origin,
                                        int max_horizon) override;

 private:
  int lags_ = 4;
  int horizons_ = 12;
  std::vector<Eigen::VectorXd> coefficients_;  // Per horizon: constant, then lags 0..p-1.
};

}  // namespace macropipe::forecast
