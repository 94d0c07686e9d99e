#include "forecast/lasso_forecaster.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "forecast/naive_forecasters.h"

namespace macropipe::forecast {
namespace {

bool CompleteOn(const std::vector<double>& column, size_t begin, size_t end) {
  for (size_t t = begin; t < end; ++t) {
    if (std::isnan(column[t])) return false;
  }
  return true;
}

}  // namespace

LassoForecaster::LassoForecaster(const ForecasterOptions& options) {
  CheckSettings("lasso", options, {"lags", "factors", "horizons", "path_length", "min_ratio"});
  lags_ = WholeSetting(options, "lasso", "lags", 4, 1);
  factors_ = WholeSetting(options, "lasso", "factors", 4, 0);
  horizons_ = WholeSetting(options, "lasso", "horizons", 12, 1);
  lasso_options_.path_length = WholeSetting(options, "lasso", "path_length", 100, 2);
  lasso_options_.min_ratio = SettingOr(options, "min_ratio", 0);
  if (!(lasso_options_.min_ratio >= 0 && lasso_options_.min_ratio < 1)) {
    throw Error(ErrorCode::kInvalidInput,
                "setting 'min_ratio' of forecaster 'lasso' is " +
                    std::to_string(lasso_options_.min_ratio) +
                    "; give a fraction in [0, 1), or 0 for glmnet's default");
  }
}

Eigen::MatrixXd LassoForecaster::Features(const Panel& panel,
                                          const std::vector<size_t>& rows) const {
  const size_t lags = static_cast<size_t>(lags_);
  const Eigen::Index factors = components_.loadings.cols();
  const Eigen::Index width = static_cast<Eigen::Index>(columns_.size()) + factors;

  // Values and factor scores of every row any lag reaches.
  size_t first = rows.front() + 1 - lags;
  size_t count = rows.back() + 1 - first;
  Eigen::MatrixXd data(count, columns_.size());
  for (size_t i = 0; i < count; ++i) {
    for (size_t j = 0; j < columns_.size(); ++j) {
      double value = panel.columns[columns_[j]][first + i];
      data(i, j) = std::isnan(value) ? components_.means(j) : value;
    }
  }
  Eigen::MatrixXd scores = components_.Scores(data);

  Eigen::MatrixXd features(rows.size(), width * lags_);
  for (size_t r = 0; r < rows.size(); ++r) {
    for (size_t lag = 0; lag < lags; ++lag) {
      size_t i = rows[r] - lag - first;
      Eigen::Index offset = static_cast<Eigen::Index>(lag) * width;
      features.row(r).segment(offset, data.cols()) = data.row(i);
      features.row(r).segment(offset + data.cols(), factors) = scores.row(i);
    }
  }
  return features;
}

void LassoForecaster::Fit(const Panel& panel, size_t begin, size_t end) {
  const size_t lags = static_cast<size_t>(lags_);
  const size_t longest = static_cast<size_t>(horizons_);
  size_t first = begin + lags - 1;  // The first row with all lags in the window.
  if (end > panel.months.size() || end < first + longest + 3) {
    throw Error(ErrorCode::kInvalidInput,
                "lasso needs at least " + std::to_string(lags + longest + 2) +
                    " months in its window for " + std::to_string(lags_) + " lags and " +
                    std::to_string(horizons_) + " horizons, but rows " + std::to_string(begin) +
                    ".." + std::to_string(end) + " give " + std::to_string(end - begin));
  }
  for (size_t t = begin; t < end; ++t) TargetAt(panel, t);

  columns_.clear();
  for (size_t j = 0; j < panel.columns.size(); ++j) {
    if (CompleteOn(panel.columns[j], begin, end)) columns_.push_back(j);
  }
  Eigen::MatrixXd window(end - begin, columns_.size());
  for (size_t i = 0; i < end - begin; ++i) {
    for (size_t j = 0; j < columns_.size(); ++j)
      window(i, j) = panel.columns[columns_[j]][begin + i];
  }
  int factors = std::min(factors_, static_cast<int>(window.cols()));
  components_ = FitPrincipalComponents(window, factors);

  std::vector<size_t> rows;
  for (size_t t = first; t < end; ++t) rows.push_back(t);
  Eigen::MatrixXd features = Features(panel, rows);
  feature_means_ = features.colwise().mean().transpose();
  features.rowwise() -= feature_means_.transpose();

  // Horizon h uses the rows t with t + h <= end - 1, so the sample of each
  // shorter horizon adds rows to the longer one's and shares its sums.
  const Eigen::Index longest_rows = static_cast<Eigen::Index>(end - longest - first);
  Eigen::VectorXd unused = Eigen::VectorXd::Zero(longest_rows);
  RegressionMoments shared = MomentsOf(features.topRows(longest_rows), unused);
  fits_.assign(longest, LassoFit{});
  for (size_t h = longest; h >= 1; --h) {
    Eigen::Index count = static_cast<Eigen::Index>(end - h - first);
    for (Eigen::Index i = static_cast<Eigen::Index>(shared.count); i < count; ++i) {
      shared.sum_x += features.row(i).transpose();
      shared.sum_xx.noalias() += features.row(i).transpose() * features.row(i);
    }
    shared.count = static_cast<double>(count);

    Eigen::VectorXd y(count);
    for (Eigen::Index i = 0; i < count; ++i) y(i) = TargetAt(panel, first + i + h);
    shared.sum_y = y.sum();
    shared.sum_yy = y.squaredNorm();
    shared.sum_xy = features.topRows(count).transpose() * y;
    fits_[h - 1] = FitLassoBic(shared, lasso_options_);
  }
}

std::vector<QuantileForecast> LassoForecaster::Predict(const Panel& panel, size_t origin,
                                                       int max_horizon) {
  if (fits_.empty()) throw Error(ErrorCode::kFailedPrecondition, "lasso forecasts only after Fit");
  if (max_horizon > horizons_) {
    throw Error(ErrorCode::kInvalidInput, "lasso was fitted for " + std::to_string(horizons_) +
                                              " horizons, not " + std::to_string(max_horizon) +
                                              "; raise its setting 'horizons'");
  }
  if (origin + 1 < static_cast<size_t>(lags_) || origin >= panel.months.size()) {
    throw Error(ErrorCode::kInvalidInput, "lasso cannot forecast from row " +
                                              std::to_string(origin) + ": it needs " +
                                              std::to_string(lags_) + " months up to it");
  }
  Eigen::VectorXd x = Features(panel, {origin}).row(0).transpose() - feature_means_;

  std::vector<QuantileForecast> path;
  for (int h = 1; h <= max_horizon; ++h) {
    double value = fits_[static_cast<size_t>(h - 1)].Predict(x);
    path.push_back({h, value, value, value});
  }
  return path;
}

}  // namespace macropipe::forecast
