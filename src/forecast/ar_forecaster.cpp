#include "forecast/ar_forecaster.h"

#include "core/error.h"
#include "forecast/naive_forecasters.h"

namespace macropipe::forecast {

DirectArForecaster::DirectArForecaster(const ForecasterOptions& options) {
  CheckSettings("ar4", options, {"lags", "horizons"});
  lags_ = WholeSetting(options, "ar4", "lags", 4, 1);
  horizons_ = WholeSetting(options, "ar4", "horizons", 12, 1);
}

void DirectArForecaster::Fit(const Panel& panel, size_t begin, size_t end) {
  size_t lags = static_cast<size_t>(lags_);
  size_t first = begin + lags - 1;  // The first row with all lags in the window.
  size_t longest = static_cast<size_t>(horizons_);
  if (end > panel.months.size() || end < first + longest + lags + 2) {
    throw Error(ErrorCode::kInvalidInput,
                "ar4 needs at least " + std::to_string(2 * lags + longest + 1) +
                    " months in its window to fit " + std::to_string(horizons_) +
                    " horizons, but rows " + std::to_string(begin) + ".." + std::to_string(end) +
                    " give " + std::to_string(end - begin));
  }

  coefficients_.clear();
  for (size_t h = 1; h <= longest; ++h) {
    size_t rows = end - h - first;  // Rows t with t + h <= end - 1.
    Eigen::MatrixXd x(rows, lags + 1);
    Eigen::VectorXd y(rows);
    for (size_t i = 0; i < rows; ++i) {
      size_t t = first + i;
      x(i, 0) = 1;
      for (size_t lag = 0; lag < lags; ++lag) x(i, lag + 1) = TargetAt(panel, t - lag);
      y(i) = TargetAt(panel, t + h);
    }
    coefficients_.push_back(x.colPivHouseholderQr().solve(y));
  }
}

std::vector<QuantileForecast> DirectArForecaster::Predict(const Panel& panel, size_t origin,
                                                          int max_horizon) {
  if (coefficients_.empty()) {
    throw Error(ErrorCode::kFailedPrecondition, "ar4 forecasts only after Fit");
  }
  if (max_horizon > horizons_) {
    throw Error(ErrorCode::kInvalidInput, "ar4 was fitted for " + std::to_string(horizons_) +
                                              " horizons, not " + std::to_string(max_horizon) +
                                              "; raise its setting 'horizons'");
  }
  size_t lags = static_cast<size_t>(lags_);
  if (origin + 1 < lags) {
    throw Error(ErrorCode::kInvalidInput, "ar4 needs " + std::to_string(lags) +
                                              " months up to the origin, but row " +
                                              std::to_string(origin) + " has fewer");
  }
  Eigen::VectorXd x(lags + 1);
  x(0) = 1;
  for (size_t lag = 0; lag < lags; ++lag) x(lag + 1) = TargetAt(panel, origin - lag);

  std::vector<QuantileForecast> path;
  for (int h = 1; h <= max_horizon; ++h) {
    double value = coefficients_[static_cast<size_t>(h - 1)].dot(x);
    path.push_back({h, value, value, value});
  }
  return path;
}

}  // namespace macropipe::forecast
