// Forecast accuracy measures: RMSE and MAE, the quantile (pinball) loss,
// interval coverage, and the Diebold-Mariano test of equal accuracy.
//
//   DieboldMarianoResult test = DieboldMariano(model_errors, benchmark_errors, 12);
//
// Functions of their arguments only; thread-safe.
#pragma once

#include <vector>

namespace macropipe::forecast {

// Root mean squared error of `errors` (forecast minus outcome).
double RootMeanSquaredError(const std::vector<double>& errors);

// Mean absolute error of `errors`.
double MeanAbsoluteError(const std::vector<double>& errors);

// Mean pinball loss of quantile `level` forecasts:
//   level * (y - q) when y >= q, (1 - level) * (q - y) otherwise.
double MeanQuantileLoss(const std::vector<double>& forecasts, const std::vector<double>& outcomes,
                        double level);

// Share of outcomes inside [lower, upper], bounds included.
double Coverage(const std::vector<double>& lower, const std::vector<double>& upper,
                const std::vector<double>& outcomes);

struct DieboldMarianoResult {
  double statistic = 0;            // Negative when the model's squared errors are smaller.
  double p_value = 1;              // Two-sided, from Student's t with n - 1 degrees of freedom.
  bool variance_fallback = false;  // True when Bartlett weights replaced the uniform ones.
};

// Tests equal mean squared error of two forecasts of the same outcomes at
// horizon h (Diebold and Mariano, Journal of Business and Economic Statistics
// 13(3), 1995). The loss differential is d_t = e1_t^2 - e2_t^2; its long-run
// variance sums the autocovariances of lags 0..h-1 with uniform weights, and
// the statistic is scaled by the small-sample correction of Harvey, Leybourne
// and Newbold (International Journal of Forecasting 13(2), 1997):
//   sqrt((n + 1 - 2h + h(h - 1) / n) / n).
// When the uniform weights give a variance that is not positive, Bartlett
// (Newey-West) weights over the same lags are used instead. Throws
// Error(kInvalidInput) when the lengths differ or n < 2.
DieboldMarianoResult DieboldMariano(const std::vector<double>& errors1,
                                    const std::vector<double>& errors2, int horizon);

// Two-sided p-value of `t` under Student's t with `degrees_of_freedom`.
double StudentTTwoSidedPValue(double t, double degrees_of_freedom);

}  // namespace macropipe::forecast
