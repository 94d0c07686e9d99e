#include "forecast/backtest_store.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace macropipe::forecast {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Two windows of two models with one horizon and one accumulated column each.
BacktestResult SmallResult() {
  BacktestResult result;
  result.first_month = "1960-01";
  result.last_month = "2024-12";
  const char* labels[] = {"1990-2000", "2016-end"};
  for (int w = 0; w < 2; ++w) {
    WindowResult window;
    window.window = {labels[w], Date(1990 + 26 * w, 1, 1), Date(2000 + 24 * w, 12, 1)};
    window.estimation_months = 360 + w;
    for (const char* name : {"ao12", "ar4"}) {
      ModelScores model;
      model.model = name;
      model.refit_months = std::string(name) == "ar4" ? 12 : 1;
      Score horizon{.horizon = 1,
                    .count = 132,
                    .rmse = 0.002,
                    .mae = 0.0015,
                    .rmse_ratio = 0.9,
                    .mae_ratio = 0.8,
                    .dm_statistic = kNaN,
                    .dm_p_value = kNaN,
                    .p50_loss = kNaN,
                    .p90_loss = kNaN,
                    .coverage80 = kNaN};
      if (std::string(name) == "ar4") {
        horizon.dm_statistic = -1.5;
        horizon.dm_p_value = 0.13;
      }
      Score accumulated = horizon;
      accumulated.horizon = 12;
      accumulated.accumulated = true;
      accumulated.rmse_ratio = std::numeric_limits<double>::infinity();
      model.scores = {horizon, accumulated};
      window.models.push_back(model);
    }
    result.windows.push_back(window);
  }
  return result;
}

TEST(BacktestStoreTest, RunNamesPanelModelsAndWindows) {
  BacktestRunInfo run;
  run.command = "macropipe backtest";
  BacktestRecord record = MakeBacktestRecord(SmallResult(), run);
  EXPECT_EQ(record.run.command, "macropipe backtest");
  EXPECT_EQ(record.run.panel_first, "1960-01-01");
  EXPECT_EQ(record.run.panel_last, "2024-12-01");
  EXPECT_EQ(record.run.models, "ao12,ar4");
  EXPECT_EQ(record.run.windows, "1990-2000,2016-end");
}

TEST(BacktestStoreTest, ScoresFollowWindowsModelsHorizons) {
  BacktestRecord record = MakeBacktestRecord(SmallResult(), {});
  ASSERT_EQ(record.scores.size(), 8u);
  const char* expected[][3] = {{"1990-2000", "ao12", "h1"}, {"1990-2000", "ao12", "acc12"},
                               {"1990-2000", "ar4", "h1"},  {"1990-2000", "ar4", "acc12"},
                               {"2016-end", "ao12", "h1"},  {"2016-end", "ao12", "acc12"},
                               {"2016-end", "ar4", "h1"},   {"2016-end", "ar4", "acc12"}};
  for (size_t i = 0; i < record.scores.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(record.scores[i].window, expected[i][0]);
    EXPECT_EQ(record.scores[i].model, expected[i][1]);
    EXPECT_EQ(record.scores[i].horizon, expected[i][2]);
  }
  const BacktestScoreRecord& last = record.scores.back();
  EXPECT_EQ(last.window_first, "2016-01-01");
  EXPECT_EQ(last.window_last, "2024-12-01");
  EXPECT_EQ(last.estimation_months, 361);
  EXPECT_EQ(last.refit_months, 12);
  EXPECT_EQ(last.targets, 132);
  EXPECT_EQ(last.rmse, 0.002);
  EXPECT_EQ(last.mae_ratio, 0.8);
}

TEST(BacktestStoreTest, NonFiniteScoresBecomeNull) {
  BacktestRecord record = MakeBacktestRecord(SmallResult(), {});
  const BacktestScoreRecord& ao12 = record.scores[0];
  EXPECT_FALSE(ao12.dm_statistic.has_value());
  EXPECT_FALSE(ao12.dm_p_value.has_value());
  EXPECT_FALSE(ao12.p50_loss.has_value());
  EXPECT_FALSE(ao12.coverage80.has_value());
  EXPECT_EQ(ao12.rmse_ratio, 0.9);
  EXPECT_FALSE(record.scores[1].rmse_ratio.has_value()) << "an infinite ratio";
  EXPECT_EQ(record.scores[2].dm_statistic, -1.5);
  EXPECT_EQ(record.scores[2].dm_p_value, 0.13);
}

}  // namespace
}  // namespace macropipe::forecast
