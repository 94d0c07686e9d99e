// LASSO linear regression along a path of penalties by coordinate descent,
// with the penalty chosen by the Bayesian information criterion, following
// Friedman, Hastie and Tibshirani, "Regularization Paths for Generalized
// Linear Models via Coordinate Descent" (Journal of Statistical Software
// 33(1), 2010).
//
//   LassoFit fit = FitLassoBic(MomentsOf(x, y), LassoOptions{});
//   double forecast = fit.Predict(row);
//
// The solver works from sums of products, so the path costs no pass over
// the data, and regressions on nested sets of rows can share their sums. It standardizes each
// regressor on the rows given and penalizes
//   (1 / 2n) sum_i (y_i - b0 - x_i'b)^2 + lambda sum_j |b_j|
// over the standardized regressors, as glmnet does with its defaults.
// Values are thread-compatible.
#pragma once

#include <Eigen/Dense>

namespace macropipe::forecast {

// Sums over the rows of a regression y = b0 + x'b. The fields are public so
// that a caller can share sum_xx between regressions on the same regressors.
struct RegressionMoments {
  double count = 0;
  Eigen::VectorXd sum_x;
  Eigen::MatrixXd sum_xx;  // Full and symmetric.
  double sum_y = 0;
  double sum_yy = 0;
  Eigen::VectorXd sum_xy;
};

// Returns the moments of the rows of `x` with targets `y`.
RegressionMoments MomentsOf(const Eigen::MatrixXd& x, const Eigen::VectorXd& y);

struct LassoOptions {
  int path_length = 100;  // Penalties on the path, from the largest down.
  // Smallest penalty as a fraction of the largest; 0 picks glmnet's default,
  // 0.01 when there are fewer rows than regressors and 1e-4 otherwise.
  double min_ratio = 0;
  // Coordinate descent stops when no coefficient moves the fitted values by
  // more than this fraction of the variance of y.
  double tolerance = 1e-7;
  int max_sweeps = 100000;  // Over all penalties.
};

struct LassoFit {
  double intercept = 0;
  Eigen::VectorXd coefficients;  // In the units of the regressors given.
  double lambda = 0;             // The chosen penalty, on the standardized scale.
  int degrees_of_freedom = 0;    // Non-zero coefficients.
  double bic = 0;
  int path_evaluated = 0;  // Penalties solved before the path stopped.

  double Predict(const Eigen::VectorXd& x) const { return intercept + coefficients.dot(x); }
};

// Fits the path and returns the fit with the lowest
//   BIC = n log(RSS / n) + df log n,
// df being the number of non-zero coefficients. As glmnet does, the path stops
// early once the fit explains 99.9% of the variance of y. It also stops after
// the fifth penalty once the explained share grows by less than 1e-5 of itself
// from one penalty to the next. Past either point BIC only rewards fitting
// noise. Regressors that are constant on the rows get a zero coefficient.
// Throws Error(kInvalidInput) for fewer than 3 rows.
LassoFit FitLassoBic(const RegressionMoments& moments, const LassoOptions& options);

}  // namespace macropipe::forecast
