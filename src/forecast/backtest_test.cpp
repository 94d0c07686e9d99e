#include "forecast/backtest.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cmath>

#include "core/error.h"
#include "forecast/test_panels.h"

namespace macropipe::forecast {
namespace {

// Forecasts the setting "value" at every horizon.
class FixedForecaster : public Forecaster {
 public:
  explicit FixedForecaster(const ForecasterOptions& options)
      : value_(SettingOr(options, "value", 0)) {}
  std::string name() const override { return "test-fixed"; }
  void Fit(const Panel&, size_t, size_t) override {}
  std::vector<QuantileForecast> Predict(const Panel&, size_t, int max_horizon) override {
    std::vector<QuantileForecast> path;
    for (int h = 1; h <= max_horizon; ++h)
      path.push_back({h, value_ - 0.01, value_, value_ + 0.01});
    return path;
  }

 private:
  double value_;
};

// Counts fits and records any fit or forecast that reads past its origin.
std::atomic<int> fits{0};
std::atomic<int> look_ahead{0};
std::atomic<int> shortest_window{1 << 30};

class AuditingForecaster : public Forecaster {
 public:
  explicit AuditingForecaster(const ForecasterOptions&) {}
  std::string name() const override { return "test-auditing"; }
  void Fit(const Panel&, size_t begin, size_t end) override {
    ++fits;
    fitted_end_ = end;
    shortest_window = std::min(shortest_window.load(), static_cast<int>(end - begin));
  }
  std::vector<QuantileForecast> Predict(const Panel& panel, size_t origin,
                                        int max_horizon) override {
    if (fitted_end_ > origin + 1) ++look_ahead;
    double value = panel.columns[panel.target_column][origin];
    std::vector<QuantileForecast> path;
    for (int h = 1; h <= max_horizon; ++h) path.push_back({h, value, value, value});
    return path;
  }

 private:
  size_t fitted_end_ = 0;
};

REGISTER_FORECASTER("test-fixed", FixedForecaster);
REGISTER_FORECASTER("test-auditing", AuditingForecaster);

const Score& ScoreOf(const ModelScores& model, int horizon, bool accumulated) {
  for (const Score& score : model.scores) {
    if (score.horizon == horizon && score.accumulated == accumulated) return score;
  }
  throw Error(ErrorCode::kNotFound, "no score");
}

// Rates 1%, 2%, ..., one a month from 2000-01; targets 2001-02..2001-05.
BacktestOptions SmallOptions() {
  BacktestOptions options;
  options.windows = {{"2001", Date(2001, 2, 1), Date(2001, 5, 1)}};
  options.max_horizon = 2;
  options.accumulated = {2};
  options.window_months = 6;
  return options;
}

Panel RisingPanel() {
  std::vector<double> rates;
  for (int t = 0; t < 20; ++t) rates.push_back(0.01 * (t + 1));
  return synthetic::TargetOnlyPanel(rates);
}

TEST(CompoundTest, CompoundsHandValues) {
  EXPECT_NEAR(Compound({0.01, 0.02, -0.01}), 1.01 * 1.02 * 0.99 - 1, 1e-15);
  EXPECT_EQ(Compound({}), 0);
  EXPECT_NEAR(Compound({0.1, 0.1}), 0.21, 1e-15);
}

// Targets are rows 13..16 with rates 0.14..0.17. The random walk's errors are
// -0.01 h at horizon h. The fixed forecast 0.155 has errors 0.015, 0.005,
// -0.005, -0.015, so RMSE = 0.01 sqrt(1.25) and MAE = 0.01.
TEST(BacktestTest, RatiosOnHandValues) {
  ForecasterOptions fixed;
  fixed.settings["value"] = 0.155;
  BacktestResult result =
      RunBacktest(RisingPanel(), {{"rw", {}, 1}, {"test-fixed", fixed, 1}}, SmallOptions());
  ASSERT_EQ(result.windows.size(), 1u);
  const WindowResult& window = result.windows[0];
  ASSERT_EQ(window.models.size(), 2u);
  EXPECT_EQ(window.estimation_months, 6);

  struct Case {
    int horizon;
    double rmse_ratio;
    double mae_ratio;
  };
  for (const Case& c : {Case{1, std::sqrt(1.25), 1.0}, Case{2, std::sqrt(1.25) / 2, 0.5}}) {
    SCOPED_TRACE("h = " + std::to_string(c.horizon));
    const Score& rw = ScoreOf(window.models[0], c.horizon, false);
    const Score& model = ScoreOf(window.models[1], c.horizon, false);
    EXPECT_EQ(model.count, 4u);
    EXPECT_NEAR(rw.rmse_ratio, 1, 1e-12);
    EXPECT_NEAR(model.rmse_ratio, c.rmse_ratio, 1e-12);
    EXPECT_NEAR(model.mae_ratio, c.mae_ratio, 1e-12);
  }
}

// Accumulated 2-month inflation ending at target row t: the outcome
// compounds rows t-1 and t, the fixed model compounds 0.155 twice, and the
// random walk compounds rows t-3 and t-2.
TEST(BacktestTest, AccumulatedCompoundsFromOneOrigin) {
  ForecasterOptions fixed;
  fixed.settings["value"] = 0.155;
  Panel panel = RisingPanel();
  BacktestResult result =
      RunBacktest(panel, {{"rw", {}, 1}, {"test-fixed", fixed, 1}}, SmallOptions());
  const std::vector<double>& y = panel.columns[0];
  double model_squares = 0, rw_squares = 0;
  for (size_t t = 13; t <= 16; ++t) {
    double outcome = (1 + y[t - 1]) * (1 + y[t]) - 1;
    double model = 1.155 * 1.155 - 1;
    double random_walk = (1 + y[t - 3]) * (1 + y[t - 2]) - 1;
    model_squares += (model - outcome) * (model - outcome);
    rw_squares += (random_walk - outcome) * (random_walk - outcome);
  }
  const Score& score = ScoreOf(result.windows[0].models[1], 2, true);
  EXPECT_NEAR(score.rmse, std::sqrt(model_squares / 4), 1e-12);
  EXPECT_NEAR(score.rmse_ratio, std::sqrt(model_squares / rw_squares), 1e-12);
  EXPECT_NEAR(ScoreOf(result.windows[0].models[0], 2, true).rmse_ratio, 1, 1e-12);
}

TEST(BacktestTest, QuantileScoresOnlyForQuantileModels) {
  ForecasterOptions fixed;
  fixed.settings["value"] = 0.155;
  BacktestResult result =
      RunBacktest(RisingPanel(), {{"ao12", {}, 1}, {"test-fixed", fixed, 1}}, SmallOptions());
  const ModelScores& ao12 = result.windows[0].models[0];
  const ModelScores& model = result.windows[0].models[1];
  EXPECT_FALSE(ao12.has_quantiles);
  EXPECT_TRUE(std::isnan(ScoreOf(ao12, 1, false).coverage80));
  EXPECT_TRUE(std::isnan(ScoreOf(ao12, 1, false).dm_statistic));
  ASSERT_TRUE(model.has_quantiles);
  // Intervals [0.145, 0.165] hold the outcomes 0.15 and 0.16 of 0.14..0.17.
  EXPECT_NEAR(ScoreOf(model, 1, false).coverage80, 0.5, 1e-12);
  EXPECT_TRUE(std::isfinite(ScoreOf(model, 1, false).dm_statistic));
  EXPECT_TRUE(std::isnan(ScoreOf(model, 2, true).p50_loss));
}

TEST(BacktestTest, RefitsEveryConfiguredMonths) {
  // Origins run from row 11 (first target 13 minus 2) to row 15: 5 origins.
  struct Case {
    int refit_months;
    int threads;
    int fits;
  };
  for (const Case& c : {Case{1, 1, 5}, Case{3, 1, 2}, Case{3, 2, 2}, Case{12, 1, 1}}) {
    SCOPED_TRACE("refit " + std::to_string(c.refit_months) + ", threads " +
                 std::to_string(c.threads));
    fits = 0;
    look_ahead = 0;
    shortest_window = 1 << 30;
    BacktestOptions options = SmallOptions();
    options.threads = c.threads;
    BacktestModel model;
    model.name = "test-auditing";
    model.refit_months = c.refit_months;
    BacktestResult result = RunBacktest(RisingPanel(), {model}, options);
    ASSERT_EQ(result.windows.at(0).models.size(), 1u);
    EXPECT_EQ(fits.load(), c.fits);
    EXPECT_EQ(look_ahead.load(), 0);
    EXPECT_EQ(shortest_window.load(), 6);
  }
}

TEST(BacktestTest, ThreadsDoNotChangeResults) {
  Panel panel = synthetic::RandomPanel(300, 5, 3);
  BacktestOptions options;
  options.windows = {{"w", Date(2015, 1, 1), Date(2024, 12, 1)}};
  options.window_months = 120;
  BacktestResult one = RunBacktest(panel, {{"ar4", {}, 1}, {"lasso", {}, 1}}, options);
  options.threads = 3;
  BacktestResult three = RunBacktest(panel, {{"ar4", {}, 1}, {"lasso", {}, 1}}, options);
  for (size_t m = 0; m < 2; ++m) {
    for (size_t i = 0; i < one.windows[0].models[m].scores.size(); ++i) {
      SCOPED_TRACE("model " + std::to_string(m) + " column " + std::to_string(i));
      EXPECT_EQ(one.windows[0].models[m].scores[i].rmse, three.windows[0].models[m].scores[i].rmse);
    }
  }
}

TEST(BacktestTest, WindowOutsidePanelIsRejected) {
  BacktestOptions options = SmallOptions();
  options.windows = {{"late", Date(2030, 1, 1), Date(2030, 12, 1)}};
  EXPECT_THROW(RunBacktest(RisingPanel(), {{"rw", {}, 1}}, options), Error);
  options.windows = {{"early", Date(2000, 2, 1), Date(2000, 12, 1)}};
  EXPECT_THROW(RunBacktest(RisingPanel(), {{"rw", {}, 1}}, options), Error);
}

TEST(BacktestTest, AccumulatedBeyondHorizonIsRejected) {
  BacktestOptions options = SmallOptions();
  options.accumulated = {3};
  EXPECT_THROW(RunBacktest(RisingPanel(), {{"rw", {}, 1}}, options), Error);
}

}  // namespace
}  // namespace macropipe::forecast
