#include "forecast/forecast_config.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace macropipe::forecast {
namespace {

ForecastJobSettings Read(const std::string& toml) {
  return ReadForecastSettings(Config::Parse(toml, "test.toml"));
}

std::string ErrorOf(const std::string& toml) {
  try {
    Read(toml);
  } catch (const Error& error) {
    return error.what();
  }
  return "";
}

TEST(ForecastConfigTest, DefaultsWithoutTable) {
  ForecastJobSettings settings = Read("");
  EXPECT_EQ(settings.source, "fred-md");
  EXPECT_EQ(settings.target, "CPIAUCSL");
  EXPECT_TRUE(settings.inputs.empty());
  EXPECT_FALSE(settings.as_of.has_value());
  EXPECT_EQ(settings.seed, 1u);
  EXPECT_TRUE(settings.model_settings.empty());
  EXPECT_EQ(settings.output_dir, "forecasts");
  EXPECT_EQ(settings.model_file, "tft-model.pt");
}

TEST(ForecastConfigTest, ReadsEveryKey) {
  ForecastJobSettings settings = Read(R"(
[forecast]
source = "fred"
target = "CPIAUCNS"
inputs = ["INDPRO", "UNRATE"]
as_of = "2024-06-01"
training_months = 240
seed = 7
ensemble_size = 2
hidden_size = 8
dropout = 0.2
output_dir = "/tmp/out"
model_file = "model.pt"
)");
  EXPECT_EQ(settings.source, "fred");
  EXPECT_EQ(settings.target, "CPIAUCNS");
  EXPECT_EQ(settings.inputs, (std::vector<std::string>{"INDPRO", "UNRATE"}));
  EXPECT_EQ(settings.as_of, Date(2024, 6, 1));
  EXPECT_EQ(settings.training_months, 240);
  EXPECT_EQ(settings.seed, 7u);
  EXPECT_EQ(settings.model_settings.at("ensemble_size"), 2);
  EXPECT_EQ(settings.model_settings.at("hidden_size"), 8);
  EXPECT_EQ(settings.model_settings.at("dropout"), 0.2);
  EXPECT_EQ(settings.model_settings.size(), 3u);
  EXPECT_EQ(settings.output_dir, "/tmp/out");
  EXPECT_EQ(settings.model_file, "model.pt");
}

TEST(ForecastConfigTest, ErrorsNameKeyAndLine) {
  struct Case {
    std::string toml;
    std::vector<std::string> parts;
  };
  const Case kCases[] = {
      {"[forecast]\nhiden_size = 8\n", {"unknown key 'hiden_size'", "test.toml line 2"}},
      // The job always forecasts 12 months, so the horizon is not a setting.
      {"[forecast]\nseed = 1\nmax_horizon = 6\n", {"unknown key 'max_horizon'", "line 3"}},
      {"[forecast]\nhidden_size = \"big\"\n", {"wrong type", "line 2", "hidden_size"}},
      {"[forecast]\ninputs = \"INDPRO\"\n", {"wrong type", "inputs", "array of strings"}},
      {"[forecast]\nseed = -1\n", {"seed", "line 2", "0 or more"}},
      {"[forecast]\ntraining_months = -12\n", {"training_months", "line 2"}},
      {"[forecast]\nas_of = \"June\"\n", {"June", "as_of", "line 2"}},
      {"[forecast]\noutput_dir = \"\"\n", {"empty path", "output_dir", "line 2"}},
      {"forecast = 3\n", {"wrong type", "forecast", "line 1"}},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.toml);
    std::string message = ErrorOf(c.toml);
    for (const std::string& part : c.parts)
      EXPECT_NE(message.find(part), std::string::npos) << message;
  }
}

}  // namespace
}  // namespace macropipe::forecast
