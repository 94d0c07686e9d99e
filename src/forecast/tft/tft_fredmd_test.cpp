// Trains a small TFT on a recorded FRED-MD vintage, when it is available.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "core/files.h"
#include "forecast/tft/fredmd_panel.h"
#include "forecast/tft/tft_forecaster.h"
#include "sources/fredmd.h"
#include "test_support.h"

namespace macropipe::forecast::tft {
namespace {

constexpr char kVintage[] = "data/fredmd/2025-02.csv";

TEST(TftFredMdTest, TrainsAndForecastsTwelveMonths) {
  auto path = macropipe::testing::RecordedFile(kVintage);
  if (!path) GTEST_SKIP() << macropipe::testing::RecordedDataMissing(kVintage);
  FredMdFile file = ParseFredMd(ReadFile(*path), path->string());
  Panel panel = FredMdPanel(
      file, "CPIAUCSL", {"INDPRO", "UNRATE", "FEDFUNDS", "M2SL", "HOUST", "OILPRICEx", "CPIULFSL"});
  ASSERT_GT(panel.months.size(), 700u);

  TftSettings settings;
  settings.hidden_size = 8;
  settings.attention_heads = 2;
  settings.max_epochs = 6;
  settings.patience = 6;
  settings.ensemble_size = 1;
  settings.related_targets = {"CPIULFSL"};
  TftForecaster tft(settings);
  size_t end = panel.months.size();
  tft.Fit(panel, 0, end);

  const TrainingHistory& history = tft.training_history().at(0);
  ASSERT_GE(history.validation_loss.size(), 2u);
  double best = *std::min_element(history.validation_loss.begin(), history.validation_loss.end());
  EXPECT_LT(best, history.validation_loss.front());
  EXPECT_LT(history.training_loss.back(), history.training_loss.front());

  std::vector<QuantileForecast> forecast = tft.Predict(panel, end - 1, 12);
  ASSERT_EQ(forecast.size(), 12u);
  for (const QuantileForecast& f : forecast) {
    SCOPED_TRACE("horizon " + std::to_string(f.horizon));
    EXPECT_TRUE(std::isfinite(f.p10));
    EXPECT_TRUE(std::isfinite(f.p50));
    EXPECT_TRUE(std::isfinite(f.p90));
    EXPECT_LE(f.p10, f.p50);
    EXPECT_LE(f.p50, f.p90);
    // Monthly CPI inflation in percent stays within a few percent.
    EXPECT_LT(std::abs(f.p50), 5.0);
  }
}

}  // namespace
}  // namespace macropipe::forecast::tft
