// Trains a small TFT on a recorded FRED-MD vintage, when it is available, and
// runs the forecast job on it through the warehouse.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "core/files.h"
#include "forecast/forecast_job.h"
#include "forecast/tft/tft_forecaster.h"
#include "forecast/tft/warehouse_fixture.h"
#include "sources/fredmd.h"
#include "test_support.h"

namespace macropipe::forecast::tft {
namespace {

constexpr char kVintage[] = "data/fredmd/2025-02.csv";

TEST(TftFredMdTest, TrainsAndStoresForecasts) {
  auto path = macropipe::testing::RecordedFile(kVintage);
  if (!path) GTEST_SKIP() << macropipe::testing::RecordedDataMissing(kVintage);
  macropipe::testing::ScratchDir dir;
  std::unique_ptr<Warehouse> warehouse = OpenSqliteWarehouse((dir / "warehouse.db").string());
  LoadFredMd(*warehouse, ParseFredMd(ReadFile(*path), path->string()), Date(2025, 2, 1));

  // A short rolling window and a small model keep the test to seconds.
  ForecastJobSettings settings;
  settings.inputs = {"INDPRO", "UNRATE", "FEDFUNDS", "M2SL", "HOUST", "OILPRICEx", "CPIULFSL"};
  settings.training_months = 240;
  settings.model_settings = {{"hidden_size", 8}, {"attention_heads", 2}, {"max_epochs", 5},
                             {"patience", 5},    {"ensemble_size", 1},   {"batch_size", 32},
                             {"threads", 1}};
  Panel panel = BuildForecastPanel(*warehouse, settings);
  ASSERT_GT(panel.months.size(), 700u);
  size_t end = panel.months.size();

  TftForecaster tft(TftSettingsFromOptions(ForecastModelOptions(settings)));
  tft.Fit(panel, end - static_cast<size_t>(settings.training_months), end);
  const TrainingHistory& history = tft.training_history().at(0);
  ASSERT_GE(history.validation_loss.size(), 2u);
  double best = *std::min_element(history.validation_loss.begin(), history.validation_loss.end());
  EXPECT_LT(best, history.validation_loss.front());
  EXPECT_LT(history.training_loss.back(), history.training_loss.front());

  // The job finds the model saved where it looks and stores its forecasts.
  CreateDirectories(dir / settings.output_dir);
  tft.Save(dir / settings.output_dir / settings.model_file);
  ForecastJobResult result = RunForecastJob(*warehouse, settings, {dir.path(), false, ""});
  EXPECT_TRUE(result.record.run.model_loaded);
  EXPECT_EQ(result.record.run.data_vintage, "2025-02-01");
  std::optional<ForecastRecord> stored = warehouse->ReadForecast(result.record.run.run_id);
  ASSERT_TRUE(stored.has_value());
  std::vector<QuantileForecast> expected = tft.Predict(panel, end - 1, 12);
  ASSERT_EQ(stored->horizons.size(), 12u);
  for (size_t i = 0; i < expected.size(); ++i) {
    const HorizonForecast& f = stored->horizons[i];
    SCOPED_TRACE("horizon " + std::to_string(f.horizon));
    EXPECT_EQ(f.p50, expected[i].p50);
    EXPECT_LE(f.p10, f.p50);
    EXPECT_LE(f.p50, f.p90);
    // Monthly CPI inflation as a log change stays within a few percent.
    EXPECT_LT(std::abs(f.p50), 0.05);
  }
}

}  // namespace
}  // namespace macropipe::forecast::tft
