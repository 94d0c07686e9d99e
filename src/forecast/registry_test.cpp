#include "forecast/registry.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "core/error.h"

namespace macropipe::forecast {
namespace {

// A forecaster registered by the macro, as a model in another library would be.
class ConstantForecaster : public Forecaster {
 public:
  explicit ConstantForecaster(const ForecasterOptions&) {}
  std::string name() const override { return "constant"; }
  void Fit(const Panel&, size_t, size_t) override {}
  std::vector<QuantileForecast> Predict(const Panel&, size_t, int) override { return {}; }
};

REGISTER_FORECASTER("test-constant", ConstantForecaster);

std::string ErrorMessage(const std::function<void()>& action) {
  try {
    action();
  } catch (const Error& error) {
    return error.what();
  }
  return "";
}

TEST(RegistryTest, ListsBaselines) {
  std::vector<std::string> types = ForecasterTypes();
  for (const std::string name : {"ao12", "rw"}) {
    SCOPED_TRACE(name);
    EXPECT_NE(std::find(types.begin(), types.end(), name), types.end());
  }
  EXPECT_TRUE(std::is_sorted(types.begin(), types.end()));
}

TEST(RegistryTest, MakesForecasterByName) {
  for (const std::string name : {"ao12", "rw"}) {
    SCOPED_TRACE(name);
    std::unique_ptr<Forecaster> model = MakeForecaster(name, {});
    ASSERT_NE(model, nullptr);
    EXPECT_EQ(model->name(), name);
  }
}

TEST(RegistryTest, UnknownNameListsKnownOnes) {
  std::string message = ErrorMessage([] { MakeForecaster("arima", {}); });
  EXPECT_NE(message.find("unknown forecaster 'arima'"), std::string::npos) << message;
  EXPECT_NE(message.find("rw"), std::string::npos) << message;
}

TEST(RegistryTest, UnknownSettingIsRejected) {
  ForecasterOptions options;
  options.settings["lag"] = 4;
  for (const std::string name : {"ao12", "rw"}) {
    SCOPED_TRACE(name);
    std::string message = ErrorMessage([&] { MakeForecaster(name, options); });
    EXPECT_NE(message.find("unknown setting 'lag'"), std::string::npos) << message;
  }
}

TEST(RegistryTest, InvalidSettingValueIsRejected) {
  ForecasterOptions options;
  options.settings["months"] = 0.5;
  EXPECT_THROW(MakeForecaster("ao12", options), Error);
}

TEST(RegistryTest, MacroRegistersClass) {
  EXPECT_EQ(MakeForecaster("test-constant", {})->name(), "constant");
}

TEST(RegistryTest, SettingOrFallsBack) {
  ForecasterOptions options;
  options.settings["lags"] = 6;
  EXPECT_EQ(SettingOr(options, "lags", 4), 6);
  EXPECT_EQ(SettingOr(options, "months", 12), 12);
}

}  // namespace
}  // namespace macropipe::forecast
