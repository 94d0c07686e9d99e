#include "forecast/ar_forecaster.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/error.h"
#include "forecast/test_panels.h"

namespace macropipe::forecast {
namespace {

using synthetic::TargetOnlyPanel;

ForecasterOptions Settings(std::map<std::string, double> settings) {
  ForecasterOptions options;
  options.settings = std::move(settings);
  return options;
}

// y_t = 0.1 + 0.5 y_{t-1} exactly, so y_{t+h} = 0.2 (1 - 0.5^h) + 0.5^h y_t.
TEST(DirectArForecasterTest, RecoversExactDirectRecursion) {
  std::vector<double> values = {1.0};
  for (int t = 1; t < 40; ++t) values.push_back(0.1 + 0.5 * values.back());
  Panel panel = TargetOnlyPanel(values);
  DirectArForecaster ar(Settings({{"lags", 1}, {"horizons", 6}}));
  ar.Fit(panel, 0, 30);
  std::vector<QuantileForecast> path = ar.Predict(panel, 5, 6);
  ASSERT_EQ(path.size(), 6u);
  for (const QuantileForecast& forecast : path) {
    SCOPED_TRACE("h = " + std::to_string(forecast.horizon));
    double decay = std::pow(0.5, forecast.horizon);
    EXPECT_NEAR(forecast.p50, 0.2 * (1 - decay) + decay * values[5], 1e-10);
  }
}

// With one lag and one horizon, OLS is slope = cov(x, y) / var(x), computed
// here by hand on pairs (y_t, y_{t+1}) = (1, 3), (3, 2), (2, 5), (5, 4).
TEST(DirectArForecasterTest, MatchesHandComputedOls) {
  Panel panel = TargetOnlyPanel({1, 3, 2, 5, 4});
  DirectArForecaster ar(Settings({{"lags", 1}, {"horizons", 1}}));
  ar.Fit(panel, 0, 5);
  // x = 1 3 2 5 (mean 2.75), y = 3 2 5 4 (mean 3.5):
  // sum (x - 2.75)(y - 3.5) = 0.875 - 0.375 - 1.125 + 1.125 = 0.5,
  // sum (x - 2.75)^2 = 3.0625 + 0.0625 + 0.5625 + 5.0625 = 8.75.
  double slope = 0.5 / 8.75;
  double intercept = 3.5 - slope * 2.75;
  EXPECT_NEAR(ar.Predict(panel, 4, 1)[0].p50, intercept + slope * 4, 1e-12);
}

TEST(DirectArForecasterTest, ShortWindowIsRejected) {
  Panel panel = TargetOnlyPanel(std::vector<double>(20, 0.001));
  DirectArForecaster ar({});
  EXPECT_THROW(ar.Fit(panel, 0, 20), Error);
}

TEST(DirectArForecasterTest, PredictBeforeFitIsRejected) {
  Panel panel = TargetOnlyPanel(std::vector<double>(40, 0.001));
  DirectArForecaster ar({});
  EXPECT_THROW(ar.Predict(panel, 30, 1), Error);
}

TEST(DirectArForecasterTest, HorizonBeyondFitIsRejected) {
  std::vector<double> values;
  for (int t = 0; t < 60; ++t) values.push_back(std::sin(t));
  Panel panel = TargetOnlyPanel(values);
  DirectArForecaster ar(Settings({{"horizons", 3}}));
  ar.Fit(panel, 0, 60);
  EXPECT_THROW(ar.Predict(panel, 59, 4), Error);
}

}  // namespace
}  // namespace macropipe::forecast
