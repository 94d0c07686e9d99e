#include "forecast/naive_forecasters.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/error.h"
#include "forecast/test_panels.h"

namespace macropipe::forecast {
namespace {

using synthetic::TargetOnlyPanel;

TEST(RandomWalkForecasterTest, RepeatsLastRateAtEveryHorizon) {
  Panel panel = TargetOnlyPanel({0.001, 0.004, 0.002, 0.003});
  RandomWalkForecaster rw({});
  rw.Fit(panel, 0, 4);
  std::vector<QuantileForecast> path = rw.Predict(panel, 2, 12);
  ASSERT_EQ(path.size(), 12u);
  for (const QuantileForecast& forecast : path) {
    SCOPED_TRACE("h = " + std::to_string(forecast.horizon));
    EXPECT_EQ(forecast.p50, 0.002);
    EXPECT_EQ(forecast.p10, 0.002);
    EXPECT_EQ(forecast.p90, 0.002);
  }
  EXPECT_EQ(path.front().horizon, 1);
  EXPECT_EQ(path.back().horizon, 12);
}

TEST(MovingAverageForecasterTest, AveragesLastTwelveRates) {
  std::vector<double> values;
  for (int t = 1; t <= 15; ++t) values.push_back(t * 0.001);
  Panel panel = TargetOnlyPanel(values);
  MovingAverageForecaster ao12({});
  ao12.Fit(panel, 0, 15);
  // Rows 2..13 hold 0.003 .. 0.014, whose mean is 0.0085.
  std::vector<QuantileForecast> path = ao12.Predict(panel, 13, 3);
  ASSERT_EQ(path.size(), 3u);
  for (const QuantileForecast& forecast : path) EXPECT_NEAR(forecast.p50, 0.0085, 1e-15);
}

TEST(MovingAverageForecasterTest, MonthsSettingChangesWindow) {
  ForecasterOptions options;
  options.settings["months"] = 2;
  MovingAverageForecaster ao2(options);
  Panel panel = TargetOnlyPanel({0.001, 0.004, 0.002});
  EXPECT_NEAR(ao2.Predict(panel, 2, 1)[0].p50, 0.003, 1e-15);
}

TEST(MovingAverageForecasterTest, TooFewMonthsIsRejected) {
  MovingAverageForecaster ao12({});
  Panel panel = TargetOnlyPanel({0.001, 0.004, 0.002});
  EXPECT_THROW(ao12.Predict(panel, 2, 1), Error);
}

TEST(RandomWalkForecasterTest, MissingTargetNamesMonth) {
  Panel panel = TargetOnlyPanel({0.001, std::nan("")});
  RandomWalkForecaster rw({});
  try {
    rw.Predict(panel, 1, 1);
    FAIL() << "no error";
  } catch (const Error& error) {
    std::string message = error.what();
    EXPECT_NE(message.find("CPIAUCSL"), std::string::npos) << message;
    EXPECT_NE(message.find("2000-02-01"), std::string::npos) << message;
  }
}

}  // namespace
}  // namespace macropipe::forecast
