#include "forecast/metrics.h"

#include <cmath>
#include <limits>
#include <string>

#include "core/error.h"

namespace macropipe::forecast {
namespace {

void RequireSameSize(size_t a, size_t b, const char* what) {
  if (a != b) {
    throw Error(ErrorCode::kInvalidInput, std::string(what) + ": " + std::to_string(a) +
                                              " forecasts but " + std::to_string(b) +
                                              " outcomes; pass one outcome per forecast");
  }
}

// The continued fraction of the regularized incomplete beta function,
// evaluated by the modified Lentz method; converges for x < (a + 1) / (a + b + 2).
double BetaContinuedFraction(double a, double b, double x) {
  const double tiny = 1e-300;
  double c = 1;
  double d = 1 - (a + b) * x / (a + 1);
  d = 1 / (std::fabs(d) < tiny ? tiny : d);
  double result = d;
  for (int m = 1; m <= 300; ++m) {
    double m2 = 2.0 * m;
    double even = m * (b - m) * x / ((a + m2 - 1) * (a + m2));
    d = 1 + even * d;
    c = 1 + even / c;
    d = 1 / (std::fabs(d) < tiny ? tiny : d);
    c = std::fabs(c) < tiny ? tiny : c;
    result *= d * c;
    double odd = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1));
    d = 1 + odd * d;
    c = 1 + odd / c;
    d = 1 / (std::fabs(d) < tiny ? tiny : d);
    c = std::fabs(c) < tiny ? tiny : c;
    double step = d * c;
    result *= step;
    if (std::fabs(step - 1) < 1e-15) break;
  }
  return result;
}

// I_x(a, b), the regularized incomplete beta function.
double RegularizedIncompleteBeta(double a, double b, double x) {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  double log_front =
      std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b) + a * std::log(x) + b * std::log1p(-x);
  double front = std::exp(log_front);
  if (x < (a + 1) / (a + b + 2)) return front * BetaContinuedFraction(a, b, x) / a;
  return 1 - front * BetaContinuedFraction(b, a, 1 - x) / b;
}

// The long-run variance of the mean of `d`: autocovariances of lags
// 0..lags, each weighted by weight(lag).
template <typename Weight>
double LongRunVariance(const std::vector<double>& d, double mean, int lags, Weight weight) {
  const size_t n = d.size();
  double sum = 0;
  for (int lag = 0; lag <= lags && static_cast<size_t>(lag) < n; ++lag) {
    double autocovariance = 0;
    for (size_t t = static_cast<size_t>(lag); t < n; ++t) {
      autocovariance += (d[t] - mean) * (d[t - static_cast<size_t>(lag)] - mean);
    }
    autocovariance /= static_cast<double>(n);
    sum += (lag == 0 ? 1 : 2 * weight(lag)) * autocovariance;
  }
  return sum / static_cast<double>(n);
}

}  // namespace

double RootMeanSquaredError(const std::vector<double>& errors) {
  if (errors.empty()) return std::numeric_limits<double>::quiet_NaN();
  double sum = 0;
  for (double e : errors) sum += e * e;
  return std::sqrt(sum / static_cast<double>(errors.size()));
}

double MeanAbsoluteError(const std::vector<double>& errors) {
  if (errors.empty()) return std::numeric_limits<double>::quiet_NaN();
  double sum = 0;
  for (double e : errors) sum += std::fabs(e);
  return sum / static_cast<double>(errors.size());
}

double MeanQuantileLoss(const std::vector<double>& forecasts, const std::vector<double>& outcomes,
                        double level) {
  RequireSameSize(forecasts.size(), outcomes.size(), "quantile loss");
  if (forecasts.empty()) return std::numeric_limits<double>::quiet_NaN();
  double sum = 0;
  for (size_t i = 0; i < forecasts.size(); ++i) {
    double gap = outcomes[i] - forecasts[i];
    sum += gap >= 0 ? level * gap : (level - 1) * gap;
  }
  return sum / static_cast<double>(forecasts.size());
}

double Coverage(const std::vector<double>& lower, const std::vector<double>& upper,
                const std::vector<double>& outcomes) {
  RequireSameSize(lower.size(), outcomes.size(), "coverage");
  RequireSameSize(upper.size(), outcomes.size(), "coverage");
  if (outcomes.empty()) return std::numeric_limits<double>::quiet_NaN();
  size_t inside = 0;
  for (size_t i = 0; i < outcomes.size(); ++i) {
    if (outcomes[i] >= lower[i] && outcomes[i] <= upper[i]) ++inside;
  }
  return static_cast<double>(inside) / static_cast<double>(outcomes.size());
}

double StudentTTwoSidedPValue(double t, double degrees_of_freedom) {
  if (std::isnan(t)) return std::numeric_limits<double>::quiet_NaN();
  double x = degrees_of_freedom / (degrees_of_freedom + t * t);
  return RegularizedIncompleteBeta(degrees_of_freedom / 2, 0.5, x);
}

DieboldMarianoResult DieboldMariano(const std::vector<double>& errors1,
                                    const std::vector<double>& errors2, int horizon) {
  RequireSameSize(errors1.size(), errors2.size(), "Diebold-Mariano test");
  const size_t n = errors1.size();
  if (n < 2 || horizon < 1) {
    throw Error(ErrorCode::kInvalidInput,
                "the Diebold-Mariano test needs at least 2 errors and "
                "a horizon of at least 1, not " +
                    std::to_string(n) + " and " + std::to_string(horizon));
  }
  std::vector<double> d(n);
  double mean = 0;
  for (size_t t = 0; t < n; ++t) {
    d[t] = errors1[t] * errors1[t] - errors2[t] * errors2[t];
    mean += d[t];
  }
  mean /= static_cast<double>(n);

  DieboldMarianoResult result;
  int lags = horizon - 1;
  double variance = LongRunVariance(d, mean, lags, [](int) { return 1.0; });
  if (!(variance > 0)) {
    result.variance_fallback = true;
    variance = LongRunVariance(d, mean, lags, [lags](int lag) { return 1.0 - lag / (lags + 1.0); });
  }
  if (!(variance > 0)) {
    // Identical losses: no evidence either way.
    result.statistic = 0;
    result.p_value = 1;
    return result;
  }

  double size = static_cast<double>(n);
  double h = horizon;
  double correction = std::sqrt((size + 1 - 2 * h + h * (h - 1) / size) / size);
  result.statistic = correction * mean / std::sqrt(variance);
  result.p_value = StudentTTwoSidedPValue(result.statistic, size - 1);
  return result;
}

}  // namespace macropipe::forecast
