// The registry that creates forecasters by name, so the backtest and the
// command line can run any model given on the command line.
//
//   std::unique_ptr<Forecaster> model = MakeForecaster("ar4", ForecasterOptions{});
//
// How models get registered:
//   - The baselines of this library (rw, ao12, ar4, lasso) are registered by
//     RegisterBaselineForecasters() in baselines.h, which the registry calls
//     before its first lookup. The call keeps them linked from a static library.
//   - A model in another library registers itself with REGISTER_FORECASTER at
//     namespace scope. The linker drops unreferenced objects of a static
//     library, so such a library must be linked whole: build it as a CMake
//     OBJECT library and link it directly into each program that uses it.
//
// All functions are thread-safe. Registering the same name twice replaces the
// earlier factory.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "forecast/forecaster.h"

namespace macropipe::forecast {

// What every forecaster accepts: a seed for models with randomness and
// model-specific numeric settings, such as {"lags": 4}.
struct ForecasterOptions {
  uint64_t seed = 0;
  std::map<std::string, double> settings;
};

using ForecasterFactory = std::function<std::unique_ptr<Forecaster>(const ForecasterOptions&)>;

// Registers `factory` under `name`; returns true so it can initialize a static.
bool RegisterForecasterType(const std::string& name, ForecasterFactory factory);

// Creates the forecaster registered as `name`. Throws Error(kInvalidInput)
// naming the known forecasters when `name` is unknown; the factory throws
// Error(kInvalidInput) for a setting it does not know or a value out of range.
std::unique_ptr<Forecaster> MakeForecaster(const std::string& name,
                                           const ForecasterOptions& options);

// The registered names, sorted.
std::vector<std::string> ForecasterTypes();

// Throws Error(kInvalidInput) when `options` holds a setting that is not in
// `known`, naming the setting, the forecaster and the settings it accepts.
void CheckSettings(std::string_view forecaster, const ForecasterOptions& options,
                   const std::vector<std::string>& known);

// Returns the setting `key`, or `fallback` when it is not given.
double SettingOr(const ForecasterOptions& options, const std::string& key, double fallback);

// Returns the setting `key` as a whole number, or `fallback` when it is not
// given. Throws Error(kInvalidInput) naming the forecaster and the setting
// when the value is not a whole number of at least `minimum`.
int WholeSetting(const ForecasterOptions& options, std::string_view forecaster,
                 const std::string& key, int fallback, int minimum);

#define MACROPIPE_FORECAST_CONCAT_INNER(a, b) a##b
#define MACROPIPE_FORECAST_CONCAT(a, b) MACROPIPE_FORECAST_CONCAT_INNER(a, b)
// Registers `Class`, constructible from a ForecasterOptions, under `name`.
#define REGISTER_FORECASTER(name, Class)                                                          \
  [[maybe_unused]] static const bool MACROPIPE_FORECAST_CONCAT(kForecasterRegistered, __LINE__) = \
      ::macropipe::forecast::RegisterForecasterType(                                              \
          name,                                                                                   \
          [](const ::macropipe::forecast::ForecasterOptions& options)                             \
              -> std::unique_ptr<::macropipe::forecast::Forecaster> {                             \
            return std::make_unique<Class>(options);                                              \
          })

}  // namespace macropipe::forecast
