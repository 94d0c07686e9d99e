// The forecast job end to end on a small FRED-MD fixture with a tiny TFT.
#include "forecast/forecast_job.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "core/error.h"
#include "core/files.h"
#include "forecast/backtest.h"
#include "forecast/tft/warehouse_fixture.h"
#include "test_support.h"
#include "xml_check.h"

namespace macropipe::forecast::tft {
namespace {

constexpr char kFixture[] = "/tests/fixtures/forecast/fredmd-2007-12.csv";
constexpr size_t kColumns = 6;
constexpr int kEncoderLength = 6;
constexpr size_t kKnownInputs = 3;

ForecastJobSettings TinySettings() {
  ForecastJobSettings settings;
  settings.seed = 5;
  settings.model_settings = {{"encoder_length", kEncoderLength},
                             {"hidden_size", 4},
                             {"attention_heads", 1},
                             {"batch_size", 32},
                             {"max_epochs", 3},
                             {"patience", 2},
                             {"ensemble_size", 2},
                             {"threads", 1}};
  return settings;
}

class ForecastJobTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string path = std::string(MACROPIPE_SOURCE_DIR) + kFixture;
    LoadFredMd(*warehouse_, ParseFredMd(ReadFile(path), path), Date(2008, 1, 15));
  }

  ForecastJobResult Run(const ForecastJobSettings& settings, bool retrain = false) {
    return RunForecastJob(*warehouse_, settings,
                          {scratch_.path(), retrain, "2008-01-16T00:00:00Z"});
  }

  macropipe::testing::ScratchDir scratch_;
  std::unique_ptr<Warehouse> warehouse_ = OpenSqliteWarehouse((scratch_ / "warehouse.db").string());
};

void ExpectSameNumbers(const ForecastRecord& actual, const ForecastRecord& expected) {
  ASSERT_EQ(actual.horizons.size(), expected.horizons.size());
  for (size_t i = 0; i < expected.horizons.size(); ++i) {
    SCOPED_TRACE("horizon " + std::to_string(expected.horizons[i].horizon));
    EXPECT_EQ(actual.horizons[i].target_month, expected.horizons[i].target_month);
    EXPECT_EQ(actual.horizons[i].p10, expected.horizons[i].p10);
    EXPECT_EQ(actual.horizons[i].p50, expected.horizons[i].p50);
    EXPECT_EQ(actual.horizons[i].p90, expected.horizons[i].p90);
  }
  ASSERT_EQ(actual.accumulated.size(), expected.accumulated.size());
  for (size_t i = 0; i < expected.accumulated.size(); ++i) {
    EXPECT_EQ(actual.accumulated[i].months, expected.accumulated[i].months);
    EXPECT_EQ(actual.accumulated[i].value, expected.accumulated[i].value);
  }
  ASSERT_EQ(actual.importances.size(), expected.importances.size());
  for (size_t i = 0; i < expected.importances.size(); ++i) {
    SCOPED_TRACE(expected.importances[i].stage + " " + expected.importances[i].input);
    EXPECT_EQ(actual.importances[i].input, expected.importances[i].input);
    EXPECT_EQ(actual.importances[i].weight, expected.importances[i].weight);
  }
  ASSERT_EQ(actual.attention.size(), expected.attention.size());
  for (size_t i = 0; i < expected.attention.size(); ++i) {
    EXPECT_EQ(actual.attention[i].weight, expected.attention[i].weight) << i;
  }
}

TEST_F(ForecastJobTest, StoresRunAndWritesCharts) {
  ForecastJobResult result = Run(TinySettings());
  std::optional<ForecastRecord> stored = warehouse_->ReadForecast(result.record.run.run_id);
  ASSERT_TRUE(stored.has_value());

  const ForecastRunInfo& run = stored->run;
  EXPECT_EQ(run.source, "fred-md");
  EXPECT_EQ(run.target_id, "CPIAUCSL");
  EXPECT_EQ(run.model, "tft");
  EXPECT_EQ(run.data_vintage, "2008-01-15");
  EXPECT_EQ(run.origin_month, "2007-12-01");
  EXPECT_EQ(run.training_first, "2000-02-01");
  EXPECT_EQ(run.training_last, "2007-12-01");
  EXPECT_FALSE(run.model_loaded);
  EXPECT_EQ(run.model_file, (scratch_ / "forecasts" / "tft-model.pt").string());
  EXPECT_NE(run.settings.find("\"hidden_size\":4.0"), std::string::npos) << run.settings;
  EXPECT_NE(run.settings.find("\"seed\":5.0"), std::string::npos) << run.settings;
  EXPECT_TRUE(std::filesystem::exists(run.model_file));

  ASSERT_EQ(stored->horizons.size(), 12u);
  std::vector<double> medians;
  for (const HorizonForecast& horizon : stored->horizons) {
    SCOPED_TRACE("horizon " + std::to_string(horizon.horizon));
    EXPECT_EQ(horizon.target_month, Date(2007, 12, 1).AddMonths(horizon.horizon).ToIso());
    EXPECT_LE(horizon.p10, horizon.p50);
    EXPECT_LE(horizon.p50, horizon.p90);
    medians.push_back(horizon.p50);
  }
  ASSERT_EQ(stored->accumulated.size(), 3u);
  EXPECT_EQ(stored->accumulated[0].months, 3);
  EXPECT_DOUBLE_EQ(stored->accumulated[0].value,
                   Compound(std::vector<double>(medians.begin(), medians.begin() + 3)));
  EXPECT_EQ(stored->accumulated[2].months, 12);
  EXPECT_DOUBLE_EQ(stored->accumulated[2].value, Compound(medians));

  size_t encoder = 0;
  for (const ImportanceRecord& row : stored->importances) encoder += row.stage == "encoder";
  EXPECT_EQ(encoder, kColumns + kKnownInputs);
  EXPECT_EQ(stored->importances.size() - encoder, kKnownInputs);
  EXPECT_EQ(stored->attention.size(), 12u * (kEncoderLength + 12));
  ExpectSameNumbers(*stored, result.record);

  for (const std::filesystem::path& chart : {result.fan_chart, result.importance_chart}) {
    SCOPED_TRACE(chart.string());
    std::string svg = ReadFile(chart);
    EXPECT_EQ(macropipe::testing::XmlProblem(svg), "");
  }
  EXPECT_NE(ReadFile(result.importance_chart).find(">S&amp;P 500</text>"), std::string::npos);

  std::string table = FormatForecastTable(result.record);
  EXPECT_NE(table.find("     12  2008-12"), std::string::npos) << table;
  EXPECT_NE(table.find("12 months"), std::string::npos) << table;
}

TEST_F(ForecastJobTest, SameSeedStoresIdenticalNumbers) {
  ForecastJobResult first = Run(TinySettings(), true);
  ForecastJobResult second = Run(TinySettings(), true);
  EXPECT_EQ(second.record.run.run_id, first.record.run.run_id + 1);
  ExpectSameNumbers(*warehouse_->ReadForecast(second.record.run.run_id),
                    *warehouse_->ReadForecast(first.record.run.run_id));

  // Without --retrain the saved model is loaded and forecasts the same.
  ForecastJobResult loaded = Run(TinySettings());
  EXPECT_TRUE(loaded.record.run.model_loaded);
  EXPECT_EQ(loaded.record.run.training_first, "");
  ExpectSameNumbers(*warehouse_->ReadForecast(loaded.record.run.run_id),
                    *warehouse_->ReadForecast(first.record.run.run_id));
}

TEST_F(ForecastJobTest, ChangedSettingsFitNewModel) {
  Run(TinySettings());
  ForecastJobSettings changed = TinySettings();
  changed.model_settings["hidden_size"] = 2;
  ForecastJobResult result = Run(changed);
  EXPECT_FALSE(result.record.run.model_loaded);

  ForecastJobSettings narrower = changed;
  narrower.inputs = {"INDPRO"};
  result = Run(narrower);
  EXPECT_FALSE(result.record.run.model_loaded);
  std::vector<std::string> encoder_inputs;
  for (const ImportanceRecord& row : result.record.importances) {
    if (row.stage == "encoder") encoder_inputs.push_back(row.input);
  }
  std::sort(encoder_inputs.begin(), encoder_inputs.end());
  EXPECT_EQ(encoder_inputs, (std::vector<std::string>{"CPIAUCSL", "INDPRO", "month_cos",
                                                      "month_sin", "time_index"}));
}

TEST_F(ForecastJobTest, UnknownInputIsNamed) {
  ForecastJobSettings settings = TinySettings();
  settings.inputs = {"INDPRO", "NOSUCH"};
  try {
    Run(settings);
    FAIL() << "a job with an unknown input ran";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kNotFound);
    EXPECT_NE(std::string(error.what()).find("'NOSUCH'"), std::string::npos) << error.what();
  }
  EXPECT_EQ(warehouse_->Query("SELECT count(*) FROM forecast_runs", 1).rows[0][0],
            Cell(int64_t{0}));
}

TEST_F(ForecastJobTest, CorruptModelFileIsNamed) {
  CreateDirectories(scratch_ / "forecasts");
  WriteFileAtomically(scratch_ / "forecasts" / "tft-model.pt", "not a model");
  try {
    Run(TinySettings());
    FAIL() << "a job with a corrupt model file ran";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kInvalidInput);
    EXPECT_NE(std::string(error.what()).find("tft-model.pt"), std::string::npos) << error.what();
  }
  // --retrain replaces the file.
  EXPECT_FALSE(Run(TinySettings(), true).record.run.model_loaded);
}

}  // namespace
}  // namespace macropipe::forecast::tft
