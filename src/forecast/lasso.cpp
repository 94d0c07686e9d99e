#include "forecast/lasso.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "core/error.h"

namespace macropipe::forecast {
namespace {

double SoftThreshold(double value, double threshold) {
  if (value > threshold) return value - threshold;
  if (value < -threshold) return value + threshold;
  return 0;
}

// The regression in standardized form: correlations of the regressors with
// each other (gram) and with the centered target (correlation), per row.
struct Standardized {
  double n = 0;
  double variance_y = 0;  // Of y, dividing by n.
  Eigen::VectorXd means;
  Eigen::VectorXd scales;  // Standard deviations, dividing by n; 0 for a constant.
  Eigen::MatrixXd gram;
  Eigen::VectorXd correlation;
};

Standardized Standardize(const RegressionMoments& moments) {
  Standardized s;
  s.n = moments.count;
  double mean_y = moments.sum_y / s.n;
  s.variance_y = std::max(0.0, moments.sum_yy / s.n - mean_y * mean_y);
  s.means = moments.sum_x / s.n;
  Eigen::MatrixXd covariance = moments.sum_xx / s.n - s.means * s.means.transpose();
  s.scales = covariance.diagonal().cwiseMax(0).cwiseSqrt();

  // A relative floor keeps regressors that are constant up to rounding out.
  double largest = s.scales.size() > 0 ? s.scales.maxCoeff() : 0;
  Eigen::VectorXd inverse(s.scales.size());
  for (Eigen::Index j = 0; j < s.scales.size(); ++j) {
    bool constant = !(s.scales(j) > 1e-12 * std::max(1.0, largest));
    if (constant) s.scales(j) = 0;
    inverse(j) = constant ? 0 : 1 / s.scales(j);
  }
  s.gram = inverse.asDiagonal() * covariance * inverse.asDiagonal();
  s.correlation = inverse.cwiseProduct(moments.sum_xy / s.n - s.means * mean_y);
  return s;
}

// Coordinate descent for one penalty from a warm start, with covariance
// updates: gradient = correlation - gram * beta is kept current, so a sweep
// costs O(p) per coefficient that moves. Sweeps the active set until it
// converges, then all regressors, until a full sweep changes nothing.
// Returns the number of sweeps.
int Descend(const Standardized& s, double lambda, double tolerance, int max_sweeps,
            Eigen::VectorXd& beta, Eigen::VectorXd& gradient) {
  const Eigen::Index p = beta.size();
  double threshold = tolerance * std::max(s.variance_y, std::numeric_limits<double>::min());
  int sweeps = 0;
  auto sweep = [&](bool active_only) {
    double largest_move = 0;
    for (Eigen::Index j = 0; j < p; ++j) {
      if (s.scales(j) == 0 || (active_only && beta(j) == 0)) continue;
      double updated = SoftThreshold(gradient(j) + beta(j), lambda);
      double delta = updated - beta(j);
      if (delta == 0) continue;
      gradient -= delta * s.gram.col(j);
      beta(j) = updated;
      largest_move = std::max(largest_move, delta * delta);
    }
    ++sweeps;
    return largest_move;
  };
  while (sweeps < max_sweeps) {
    if (sweep(false) <= threshold) break;
    while (sweeps < max_sweeps && sweep(true) > threshold) {
    }
  }
  return sweeps;
}

}  // namespace

RegressionMoments MomentsOf(const Eigen::MatrixXd& x, const Eigen::VectorXd& y) {
  RegressionMoments moments;
  moments.count = static_cast<double>(x.rows());
  moments.sum_x = x.colwise().sum().transpose();
  moments.sum_xx = Eigen::MatrixXd::Zero(x.cols(), x.cols());
  moments.sum_xx.selfadjointView<Eigen::Lower>().rankUpdate(x.transpose());
  moments.sum_xx.triangularView<Eigen::StrictlyUpper>() = moments.sum_xx.transpose();
  moments.sum_y = y.sum();
  moments.sum_yy = y.squaredNorm();
  moments.sum_xy = x.transpose() * y;
  return moments;
}

LassoFit FitLassoBic(const RegressionMoments& moments, const LassoOptions& options) {
  if (moments.count < 3) {
    throw Error(ErrorCode::kInvalidInput,
                "LASSO needs at least 3 rows, but has " + std::to_string(moments.count));
  }
  Standardized s = Standardize(moments);
  const Eigen::Index p = moments.sum_x.size();
  const double n = s.n;

  double lambda_max = p > 0 ? s.correlation.cwiseAbs().maxCoeff() : 0;
  double min_ratio =
      options.min_ratio > 0 ? options.min_ratio : (n < static_cast<double>(p) ? 0.01 : 1e-4);
  Eigen::VectorXd beta = Eigen::VectorXd::Zero(p);
  Eigen::VectorXd gradient = s.correlation;

  // The empty model is the first candidate.
  auto bic_of = [&](double rss_over_n, int df) {
    return n * std::log(std::max(rss_over_n, std::numeric_limits<double>::min())) +
           df * std::log(n);
  };
  Eigen::VectorXd best_beta = beta;
  double best_bic = bic_of(s.variance_y, 0);
  double best_lambda = lambda_max;
  int best_df = 0;
  int evaluated = 0;

  int sweeps_left = options.max_sweeps;
  double previous_explained = 0;
  for (int k = 1; k < options.path_length && lambda_max > 0 && sweeps_left > 0; ++k) {
    double lambda =
        lambda_max * std::pow(min_ratio, static_cast<double>(k) / (options.path_length - 1));
    sweeps_left -= Descend(s, lambda, options.tolerance, sweeps_left, beta, gradient);
    ++evaluated;

    // RSS / n = var(y) - 2 b'c + b'Gb, and Gb = c - gradient.
    double rss_over_n = s.variance_y - beta.dot(s.correlation + gradient);
    int df = static_cast<int>((beta.array() != 0).count());
    double bic = bic_of(rss_over_n, df);
    if (bic < best_bic) {
      best_bic = bic;
      best_beta = beta;
      best_lambda = lambda;
      best_df = df;
    }

    double explained = s.variance_y > 0 ? 1 - rss_over_n / s.variance_y : 1;
    bool flat = k >= 5 && explained - previous_explained < 1e-5 * explained;
    if (explained > 0.999 || flat) break;
    previous_explained = explained;
  }

  LassoFit fit;
  fit.coefficients = Eigen::VectorXd::Zero(p);
  for (Eigen::Index j = 0; j < p; ++j) {
    if (s.scales(j) > 0) fit.coefficients(j) = best_beta(j) / s.scales(j);
  }
  fit.intercept = moments.sum_y / n - fit.coefficients.dot(s.means);
  fit.lambda = best_lambda;
  fit.degrees_of_freedom = best_df;
  fit.bic = best_bic;
  fit.path_evaluated = evaluated;
  return fit;
}

}  // namespace macropipe::forecast
