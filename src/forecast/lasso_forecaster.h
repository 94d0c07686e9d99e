// The LASSO benchmark of Medeiros, Vasconcelos, Veiga and Zilberman (2021):
// for each horizon h, a LASSO regression of y_{t+h} on lags 0..3 of every
// indicator and of the first 4 principal components of the indicators, with
// the penalty chosen by BIC (see lasso.h).
//
//   LassoForecaster lasso(ForecasterOptions{});
//   lasso.Fit(panel, begin, end);
//   std::vector<QuantileForecast> path = lasso.Predict(panel, end - 1, 12);
//
// Missing values: Fit uses only the panel's columns that are complete on
// rows [begin, end), so series that start late or end early (the ragged
// edge) drop out of that window, and the target is always among them. The
// principal components are fitted on those columns, target included, as the
// authors' replication code does. When Predict reads a row after the window
// that lacks a value, it uses the column's mean over the window, so the value
// adds nothing beyond the intercept.
//
// Settings: "lags" (4), "factors" (principal components, 4), "horizons" (12),
// "path_length" (penalties on the path, 100), "min_ratio" (smallest penalty as
// a fraction of the largest; 0, the default, picks glmnet's rule).
// Gives point forecasts only, with p10 = p50 = p90. Thread-compatible.
#pragma once

#include <Eigen/Dense>
#include <string>
#include <vector>

#include "forecast/forecaster.h"
#include "forecast/lasso.h"
#include "forecast/principal_components.h"
#include "forecast/registry.h"

namespace macropipe::forecast {

class LassoForecaster : public Forecaster {
 public:
  explicit LassoForecaster(const ForecasterOptions& options);

  std::string name() const override { return "lasso"; }

  // Throws Error(kInvalidInput) when the window is too short for the lags and
  // horizons, or the target is missing in it.
  void Fit(const Panel& panel, size_t begin, size_t end) override;

  // Throws Error(kFailedPrecondition) before Fit, and Error(kInvalidInput)
  // when max_horizon exceeds the fitted horizons.
  std::vector<QuantileForecast> Predict(const Panel& panel, size_t origin,
                                        int max_horizon) override;

  // The fit of one horizon, 1-based; for inspection and tests.
  const LassoFit& fit(int horizon) const { return fits_.at(static_cast<size_t>(horizon - 1)); }
  // The panel columns the last Fit used, in feature order.
  const std::vector<size_t>& columns() const { return columns_; }

 private:
  // The features of each row in `rows`: lags 0..lags-1 of the columns, then
  // of the factors, with NaN replaced by the window's column means.
  Eigen::MatrixXd Features(const Panel& panel, const std::vector<size_t>& rows) const;

  int lags_ = 4;
  int factors_ = 4;
  int horizons_ = 12;
  LassoOptions lasso_options_;

  std::vector<size_t> columns_;
  PrincipalComponents components_;
  Eigen::VectorXd feature_means_;
  std::vector<LassoFit> fits_;  // Per horizon, on centered features.
};

}  // namespace macropipe::forecast
