#include "forecast/tft/tft_forecaster.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <numbers>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/files.h"
#include "forecast/registry.h"
#include "forecast/tft/window_builder.h"
#include "test_support.h"

namespace macropipe::forecast::tft {
namespace {

constexpr size_t kRows = 150;

// A target with seasonality, persistence and noise, led by one month by
// "leader"; "noise" is unrelated; "short" ends two months early (ragged edge).
Panel SyntheticPanel() {
  std::mt19937_64 random(7);
  std::normal_distribution<double> normal(0.0, 1.0);
  Panel panel;
  panel.names = {"target", "leader", "noise", "short"};
  panel.columns.resize(4);
  double leader = 0.0;
  double previous_leader = 0.0;
  double target = 0.0;
  for (size_t t = 0; t < kRows; ++t) {
    panel.months.push_back(Date(1990, 1, 1).AddMonths(static_cast<int>(t)));
    double season = std::sin(2.0 * std::numbers::pi * static_cast<double>(t % 12) / 12.0);
    target = 0.5 * target + 0.6 * previous_leader + 0.3 * season + 0.3 * normal(random);
    previous_leader = leader;
    leader = 0.7 * leader + normal(random);
    panel.columns[0].push_back(target);
    panel.columns[1].push_back(leader);
    panel.columns[2].push_back(normal(random));
    panel.columns[3].push_back(t + 2 < kRows ? 0.5 * leader + normal(random)
                                             : std::numeric_limits<double>::quiet_NaN());
  }
  return panel;
}

TftSettings SmallSettings() {
  TftSettings settings;
  settings.encoder_length = 12;
  settings.max_horizon = 12;
  settings.hidden_size = 8;
  settings.attention_heads = 2;
  settings.batch_size = 32;
  settings.max_epochs = 8;
  settings.ensemble_size = 2;
  settings.seed = 11;
  // One thread: on a busy machine a second LibTorch thread mostly waits.
  settings.threads = 1;
  return settings;
}

void ExpectSameForecasts(const std::vector<QuantileForecast>& actual,
                         const std::vector<QuantileForecast>& expected) {
  ASSERT_EQ(actual.size(), expected.size());
  for (size_t i = 0; i < actual.size(); ++i) {
    SCOPED_TRACE("horizon " + std::to_string(expected[i].horizon));
    EXPECT_EQ(actual[i].horizon, expected[i].horizon);
    EXPECT_EQ(actual[i].p10, expected[i].p10);
    EXPECT_EQ(actual[i].p50, expected[i].p50);
    EXPECT_EQ(actual[i].p90, expected[i].p90);
  }
}

// One fitted forecaster shared by the tests that only read from it.
class FittedTftTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    panel_ = new Panel(SyntheticPanel());
    tft_ = new TftForecaster(SmallSettings());
    tft_->Fit(*panel_, 0, kFitEnd);
  }
  static void TearDownTestSuite() {
    delete tft_;
    delete panel_;
  }

  static constexpr size_t kFitEnd = 130;
  static Panel* panel_;
  static TftForecaster* tft_;
};
Panel* FittedTftTest::panel_ = nullptr;
TftForecaster* FittedTftTest::tft_ = nullptr;

TEST_F(FittedTftTest, QuantilesAreOrderedAndFinite) {
  std::vector<QuantileForecast> forecast = tft_->Predict(*panel_, kFitEnd - 1, 12);
  ASSERT_EQ(forecast.size(), 12u);
  for (const QuantileForecast& f : forecast) {
    SCOPED_TRACE("horizon " + std::to_string(f.horizon));
    EXPECT_TRUE(std::isfinite(f.p10));
    EXPECT_TRUE(std::isfinite(f.p90));
    EXPECT_LE(f.p10, f.p50);
    EXPECT_LE(f.p50, f.p90);
  }
}

TEST_F(FittedTftTest, QuantilesCoverTrainingTargets) {
  // On the training rows, about 10% of one-month-ahead targets should fall
  // below p10 and about 10% above p90; a model whose quantiles collapsed or
  // swapped would put far more outside.
  int below = 0;
  int above = 0;
  int count = 0;
  for (size_t origin = 11; origin + 1 < 100; ++origin) {
    QuantileForecast f = tft_->Predict(*panel_, origin, 1)[0];
    double actual = panel_->columns[0][origin + 1];
    below += actual < f.p10 ? 1 : 0;
    above += actual > f.p90 ? 1 : 0;
    ++count;
  }
  EXPECT_LT(below, count * 3 / 10);
  EXPECT_LT(above, count * 3 / 10);
}

TEST_F(FittedTftTest, RowsAfterOriginDoNotChangeForecast) {
  size_t origin = 100;
  std::vector<QuantileForecast> expected = tft_->Predict(*panel_, origin, 12);
  Panel changed = *panel_;
  for (std::vector<double>& column : changed.columns) {
    for (size_t t = origin + 1; t < kRows; ++t) column[t] = 1e3 + static_cast<double>(t);
  }
  ExpectSameForecasts(tft_->Predict(changed, origin, 12), expected);
}

TEST_F(FittedTftTest, ObservedInputAtOriginChangesForecast) {
  size_t origin = 100;
  std::vector<QuantileForecast> before = tft_->Predict(*panel_, origin, 12);
  Panel changed = *panel_;
  changed.columns[1][origin] += 3.0;
  std::vector<QuantileForecast> after = tft_->Predict(changed, origin, 12);
  EXPECT_NE(after[0].p50, before[0].p50);
}

TEST_F(FittedTftTest, ImportancesNameInputsAndSumToOne) {
  const std::vector<InputImportance>& encoder = tft_->encoder_importance();
  const std::vector<InputImportance>& decoder = tft_->decoder_importance();
  std::vector<std::string> encoder_names = panel_->names;
  for (const std::string& name : KnownInputNames()) encoder_names.push_back(name);
  ASSERT_EQ(encoder.size(), encoder_names.size());
  ASSERT_EQ(decoder.size(), KnownInputNames().size());
  double encoder_total = 0.0;
  for (size_t i = 0; i < encoder.size(); ++i) {
    EXPECT_EQ(encoder[i].name, encoder_names[i]);
    encoder_total += encoder[i].weight;
  }
  double decoder_total = 0.0;
  for (size_t i = 0; i < decoder.size(); ++i) {
    EXPECT_EQ(decoder[i].name, KnownInputNames()[i]);
    decoder_total += decoder[i].weight;
  }
  EXPECT_NEAR(encoder_total, 1.0, 1e-5);
  EXPECT_NEAR(decoder_total, 1.0, 1e-5);
}

TEST_F(FittedTftTest, LastAttentionCoversForecastMonths) {
  tft_->Predict(*panel_, 110, 6);
  const AttentionMap& attention = tft_->last_attention();
  ASSERT_EQ(attention.offsets.size(), 24u);
  EXPECT_EQ(attention.offsets.front(), -11);
  EXPECT_EQ(attention.offsets.back(), 12);
  ASSERT_EQ(attention.weights.size(), 6u);
  for (size_t h = 1; h <= attention.weights.size(); ++h) {
    SCOPED_TRACE("horizon " + std::to_string(h));
    const std::vector<double>& row = attention.weights[h - 1];
    EXPECT_NEAR(std::accumulate(row.begin(), row.end(), 0.0), 1.0, 1e-5);
    for (size_t p = 0; p < row.size(); ++p) {
      if (attention.offsets[p] > static_cast<int>(h)) {
        EXPECT_EQ(row[p], 0.0);
      }
    }
  }
}

TEST_F(FittedTftTest, EarlyStoppingKeepsBestEpoch) {
  const std::vector<TrainingHistory>& history = tft_->training_history();
  ASSERT_EQ(history.size(), 2u);
  for (const TrainingHistory& member : history) {
    ASSERT_FALSE(member.validation_loss.empty());
    auto best = std::min_element(member.validation_loss.begin(), member.validation_loss.end());
    EXPECT_EQ(member.best_epoch, best - member.validation_loss.begin());
    EXPECT_LE(member.validation_loss.size(),
              static_cast<size_t>(member.best_epoch + SmallSettings().patience + 1));
  }
}

TEST_F(FittedTftTest, RejectsBadPredictRequests) {
  Panel renamed = *panel_;
  renamed.names[2] = "other";
  EXPECT_THROW(tft_->Predict(renamed, 100, 12), Error);
  EXPECT_THROW(tft_->Predict(*panel_, 100, 13), Error);
  EXPECT_THROW(tft_->Predict(*panel_, 100, 0), Error);
  EXPECT_THROW(tft_->Predict(*panel_, 10, 12), Error);  // Fewer than 12 rows up to the origin.
  EXPECT_THROW(tft_->Predict(*panel_, kRows, 12), Error);
}

TEST_F(FittedTftTest, SavedModelForecastsTheSame) {
  macropipe::testing::ScratchDir dir;
  tft_->Save(dir / "model.pt");
  TftSettings settings = SmallSettings();
  settings.threads = 2;  // Threads change speed only, so a saved model accepts others.
  TftForecaster loaded(settings);
  loaded.Load(dir / "model.pt", *panel_);

  ExpectSameForecasts(loaded.Predict(*panel_, 120, 12), tft_->Predict(*panel_, 120, 12));
  ASSERT_EQ(loaded.encoder_importance().size(), tft_->encoder_importance().size());
  for (size_t i = 0; i < tft_->encoder_importance().size(); ++i) {
    EXPECT_EQ(loaded.encoder_importance()[i].name, tft_->encoder_importance()[i].name);
    EXPECT_EQ(loaded.encoder_importance()[i].weight, tft_->encoder_importance()[i].weight);
  }
  ASSERT_EQ(loaded.decoder_importance().size(), tft_->decoder_importance().size());
  EXPECT_EQ(loaded.decoder_importance()[0].weight, tft_->decoder_importance()[0].weight);
}

TEST_F(FittedTftTest, LoadRejectsOtherSettingsOrColumns) {
  macropipe::testing::ScratchDir dir;
  tft_->Save(dir / "model.pt");
  struct Case {
    std::string name;
    TftSettings settings;
    Panel panel;
    std::string message;
  };
  TftSettings wider = SmallSettings();
  wider.hidden_size = 16;
  TftSettings reseeded = SmallSettings();
  reseeded.seed = 12;
  Panel renamed = *panel_;
  renamed.names[2] = "other";
  std::vector<Case> cases = {
      {"hidden size", wider, *panel_, "setting hidden_size is 8"},
      {"seed", reseeded, *panel_, "setting seed is 11"},
      {"columns", SmallSettings(), renamed, "columns or target differ"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    TftForecaster other(c.settings);
    try {
      other.Load(dir / "model.pt", c.panel);
      ADD_FAILURE() << "Load accepted a model that does not fit";
    } catch (const Error& error) {
      EXPECT_EQ(error.code(), ErrorCode::kFailedPrecondition);
      EXPECT_NE(std::string(error.what()).find(c.message), std::string::npos) << error.what();
    }
  }
}

TEST(TftForecasterTest, LoadRejectsMissingOrForeignFiles) {
  macropipe::testing::ScratchDir dir;
  WriteFileAtomically(dir / "notes.txt", "not a model");
  struct Case {
    std::string file;
    ErrorCode code;
  };
  for (const Case& c :
       {Case{"missing.pt", ErrorCode::kNotFound}, Case{"notes.txt", ErrorCode::kInvalidInput}}) {
    SCOPED_TRACE(c.file);
    TftForecaster tft(SmallSettings());
    try {
      tft.Load(dir / c.file, SyntheticPanel());
      ADD_FAILURE() << "Load accepted " << c.file;
    } catch (const Error& error) {
      EXPECT_EQ(error.code(), c.code);
      EXPECT_NE(std::string(error.what()).find(c.file), std::string::npos) << error.what();
    }
  }
}

TEST(TftForecasterTest, SaveBeforeFitFails) {
  macropipe::testing::ScratchDir dir;
  TftForecaster tft(SmallSettings());
  EXPECT_THROW(tft.Save(dir / "model.pt"), Error);
  EXPECT_FALSE(std::filesystem::exists(dir / "model.pt"));
}

// Fits a forecaster with each settings on its panel's rows [0, 130) and
// expects equal losses in every epoch and equal forecasts from row 129 of `panel`.
void ExpectSameFits(const TftSettings& first_settings, const Panel& first_panel,
                    const TftSettings& second_settings, const Panel& second_panel) {
  TftForecaster first(first_settings);
  TftForecaster second(second_settings);
  first.Fit(first_panel, 0, 130);
  second.Fit(second_panel, 0, 130);
  ASSERT_EQ(second.training_history().size(), first.training_history().size());
  for (size_t member = 0; member < first.training_history().size(); ++member) {
    EXPECT_EQ(second.training_history()[member].training_loss,
              first.training_history()[member].training_loss);
  }
  ExpectSameForecasts(second.Predict(first_panel, 129, 12), first.Predict(first_panel, 129, 12));
}

TEST(TftForecasterTest, FixedSeedGivesBitwiseEqualForecasts) {
  Panel panel = SyntheticPanel();
  ExpectSameFits(SmallSettings(), panel, SmallSettings(), panel);
}

// With two threads the two members train at once, each on one thread.
TEST(TftForecasterTest, MembersTrainedAtOnceMatchTrainedInTurn) {
  Panel panel = SyntheticPanel();
  TftSettings at_once = SmallSettings();
  at_once.threads = 2;
  ExpectSameFits(SmallSettings(), panel, at_once, panel);
}

TEST(TftForecasterTest, RowsAfterFitEndDoNotChangeModel) {
  Panel panel = SyntheticPanel();
  Panel changed = panel;
  for (std::vector<double>& column : changed.columns) {
    for (size_t t = 130; t < kRows; ++t) column[t] = -50.0;
  }
  TftSettings settings = SmallSettings();
  settings.ensemble_size = 1;
  ExpectSameFits(settings, panel, settings, changed);
}

TEST(TftForecasterTest, RelatedTargetsTrainAsEntities) {
  Panel panel = SyntheticPanel();
  TftSettings settings = SmallSettings();
  settings.ensemble_size = 1;
  settings.related_targets = {"leader"};
  TftForecaster tft(settings);
  tft.Fit(panel, 0, 130);
  for (const QuantileForecast& f : tft.Predict(panel, 129, 12)) {
    SCOPED_TRACE("horizon " + std::to_string(f.horizon));
    EXPECT_TRUE(std::isfinite(f.p50));
  }
}

TEST(TftForecasterTest, RejectsBadFits) {
  struct Case {
    std::string name;
    TftSettings settings;
    size_t end;
  };
  TftSettings unknown_target = SmallSettings();
  unknown_target.related_targets = {"missing"};
  TftSettings repeated_target = SmallSettings();
  repeated_target.related_targets = {"target"};
  std::vector<Case> cases = {
      {"unknown related target", unknown_target, 130},
      {"target listed as related", repeated_target, 130},
      {"too few rows", SmallSettings(), 14},
  };
  Panel panel = SyntheticPanel();
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    TftForecaster tft(c.settings);
    EXPECT_THROW(tft.Fit(panel, 0, c.end), Error);
  }
}

TEST(TftForecasterTest, NonFiniteLossStopsTraining) {
  TftSettings settings = SmallSettings();
  settings.ensemble_size = 1;
  settings.learning_rate = 1e38;
  settings.gradient_clip_norm = 1e38;
  TftForecaster tft(settings);
  try {
    tft.Fit(SyntheticPanel(), 0, 130);
    FAIL() << "training with learning_rate 1e38 finished";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kInvalidInput);
    EXPECT_NE(std::string(error.what()).find("learning_rate"), std::string::npos) << error.what();
  }
}

TEST(TftForecasterTest, PredictBeforeFitFails) {
  TftForecaster tft(SmallSettings());
  try {
    tft.Predict(SyntheticPanel(), 100, 12);
    FAIL() << "Predict before Fit returned";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kFailedPrecondition);
  }
}

TEST(TftForecasterTest, RejectsInvalidSettings) {
  struct Case {
    std::string name;
    void (*damage)(TftSettings&);
  };
  std::vector<Case> cases = {
      {"heads do not divide hidden size", [](TftSettings& s) { s.attention_heads = 3; }},
      {"dropout of one", [](TftSettings& s) { s.dropout = 1.0; }},
      {"zero learning rate", [](TftSettings& s) { s.learning_rate = 0.0; }},
      {"no ensemble", [](TftSettings& s) { s.ensemble_size = 0; }},
      {"zero patience", [](TftSettings& s) { s.patience = 0; }},
      {"validation fraction of one", [](TftSettings& s) { s.validation_fraction = 1.0; }},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    TftSettings settings = SmallSettings();
    c.damage(settings);
    EXPECT_THROW(TftForecaster{settings}, Error);
  }
}

TEST(TftForecasterTest, RegistryCreatesTft) {
  ForecasterOptions options{.seed = 3, .settings = {{"hidden_size", 8}, {"attention_heads", 2}}};
  std::unique_ptr<Forecaster> tft = MakeForecaster("tft", options);
  EXPECT_EQ(tft->name(), "tft");
  auto* concrete = dynamic_cast<TftForecaster*>(tft.get());
  ASSERT_NE(concrete, nullptr);
  EXPECT_EQ(concrete->settings().seed, 3u);
  EXPECT_EQ(concrete->settings().hidden_size, 8);

  EXPECT_THROW(MakeForecaster("tft", {.settings = {{"hidden", 8}}}), Error);
  EXPECT_THROW(MakeForecaster("tft", {.settings = {{"max_epochs", 2.5}}}), Error);
}

}  // namespace
}  // namespace macropipe::forecast::tft
