// Properties every baseline forecaster must have, run against each of them.
#include "forecast/baselines.h"

#include <gtest/gtest.h>

#include <cmath>

#include "forecast/registry.h"
#include "forecast/test_panels.h"

namespace macropipe::forecast {
namespace {

const char* const kBaselines[] = {"rw", "ao12", "ar4", "lasso"};

std::vector<QuantileForecast> FitAndPredict(const std::string& name, const Panel& panel,
                                            size_t begin, size_t origin) {
  std::unique_ptr<Forecaster> model = MakeForecaster(name, ForecasterOptions{});
  model->Fit(panel, begin, origin + 1);
  return model->Predict(panel, origin, 12);
}

TEST(BaselinesTest, DataAfterOriginChangesNothing) {
  const Panel panel = synthetic::RandomPanel(240, 8, 17);
  const size_t begin = 20;
  const size_t origin = 180;
  Panel altered = panel;
  for (std::vector<double>& column : altered.columns) {
    for (size_t t = origin + 1; t < column.size(); ++t) column[t] = 100 + 3 * column[t];
  }
  altered.columns[2][origin + 1] = std::nan("");

  for (const std::string name : kBaselines) {
    SCOPED_TRACE(name);
    std::vector<QuantileForecast> before = FitAndPredict(name, panel, begin, origin);
    std::vector<QuantileForecast> after = FitAndPredict(name, altered, begin, origin);
    ASSERT_EQ(before.size(), 12u);
    ASSERT_EQ(after.size(), 12u);
    for (size_t i = 0; i < before.size(); ++i) {
      SCOPED_TRACE("h = " + std::to_string(i + 1));
      EXPECT_EQ(before[i].horizon, static_cast<int>(i + 1));
      EXPECT_EQ(before[i].p50, after[i].p50);
    }
  }
}

TEST(BaselinesTest, DataBeforeWindowChangesNothing) {
  const Panel panel = synthetic::RandomPanel(240, 8, 23);
  const size_t begin = 30;
  const size_t origin = 200;
  Panel altered = panel;
  for (std::vector<double>& column : altered.columns) {
    for (size_t t = 0; t < begin; ++t) column[t] = -50;
  }
  for (const std::string name : kBaselines) {
    SCOPED_TRACE(name);
    std::vector<QuantileForecast> before = FitAndPredict(name, panel, begin, origin);
    std::vector<QuantileForecast> after = FitAndPredict(name, altered, begin, origin);
    for (size_t i = 0; i < before.size(); ++i) EXPECT_EQ(before[i].p50, after[i].p50);
  }
}

TEST(BaselinesTest, ForecastsAreFiniteAndDeterministic) {
  const Panel panel = synthetic::RandomPanel(200, 5, 29);
  for (const std::string name : kBaselines) {
    SCOPED_TRACE(name);
    std::vector<QuantileForecast> first = FitAndPredict(name, panel, 0, 150);
    std::vector<QuantileForecast> second = FitAndPredict(name, panel, 0, 150);
    for (size_t i = 0; i < first.size(); ++i) {
      EXPECT_TRUE(std::isfinite(first[i].p50));
      EXPECT_EQ(first[i].p50, second[i].p50);
      EXPECT_EQ(first[i].p10, first[i].p50);
      EXPECT_EQ(first[i].p90, first[i].p50);
    }
  }
}

}  // namespace
}  // namespace macropipe::forecast
