#include "forecast/lasso_forecaster.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/error.h"
#include "forecast/test_panels.h"

namespace macropipe::forecast {
namespace {

// The target depends on the first indicator's previous month, which is the
// feature "lag 0 of X0" for horizon 1.
TEST(LassoForecasterTest, SelectsInformativeIndicator) {
  Panel panel = synthetic::RandomPanel(300, 6, 41);
  LassoForecaster lasso(ForecasterOptions{});
  lasso.Fit(panel, 0, 300);
  ASSERT_EQ(lasso.columns().size(), 7u);
  const LassoFit& fit = lasso.fit(1);
  EXPECT_GT(fit.coefficients(0), 0.001);
  EXPECT_LT(fit.degrees_of_freedom, 10);
}

TEST(LassoForecasterTest, IncompleteColumnsAreLeftOut) {
  Panel panel = synthetic::RandomPanel(200, 4, 43);
  panel.columns[1][30] = std::nan("");   // A gap inside the window.
  panel.columns[2][199] = std::nan("");  // The ragged edge at the window's end.
  panel.columns[3][5] = std::nan("");    // Before the window: still usable.
  LassoForecaster lasso(ForecasterOptions{});
  lasso.Fit(panel, 20, 200);
  EXPECT_EQ(lasso.columns(), (std::vector<size_t>{0, 3, 4}));
  for (const QuantileForecast& forecast : lasso.Predict(panel, 199, 12)) {
    EXPECT_TRUE(std::isfinite(forecast.p50));
  }
}

TEST(LassoForecasterTest, LaterOriginWithMissingValueIsFinite) {
  Panel panel = synthetic::RandomPanel(220, 4, 47);
  panel.columns[0][215] = std::nan("");
  LassoForecaster lasso(ForecasterOptions{});
  lasso.Fit(panel, 0, 200);
  for (const QuantileForecast& forecast : lasso.Predict(panel, 216, 12)) {
    EXPECT_TRUE(std::isfinite(forecast.p50));
  }
}

TEST(LassoForecasterTest, InvalidSettingsAreRejected) {
  for (const auto& [key, value] : std::vector<std::pair<std::string, double>>{
           {"lags", 0}, {"factors", -1}, {"min_ratio", 1.5}, {"penalty", 1}}) {
    SCOPED_TRACE(key);
    ForecasterOptions options;
    options.settings[key] = value;
    EXPECT_THROW(LassoForecaster{options}, Error);
  }
}

}  // namespace
}  // namespace macropipe::forecast
