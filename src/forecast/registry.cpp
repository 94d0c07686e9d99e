#include "forecast/registry.h"

#include <cmath>
#include <mutex>

#include "core/error.h"
#include "forecast/baselines.h"

namespace macropipe::forecast {
namespace {

struct RegistryState {
  std::mutex mutex;
  std::map<std::string, ForecasterFactory> factories;
};

RegistryState& Registry() {
  static RegistryState state;
  return state;
}

void EnsureBaselinesRegistered() {
  static std::once_flag once;
  std::call_once(once, [] { RegisterBaselineForecasters(); });
}

std::string JoinNames(const std::vector<std::string>& names) {
  std::string joined;
  for (const std::string& name : names) joined += (joined.empty() ? "" : ", ") + name;
  return joined.empty() ? "(none)" : joined;
}

}  // namespace

bool RegisterForecasterType(const std::string& name, ForecasterFactory factory) {
  RegistryState& registry = Registry();
  std::lock_guard lock(registry.mutex);
  registry.factories[name] = std::move(factory);
  return true;
}

std::vector<std::string> ForecasterTypes() {
  EnsureBaselinesRegistered();
  RegistryState& registry = Registry();
  std::lock_guard lock(registry.mutex);
  std::vector<std::string> names;
  for (const auto& [name, factory] : registry.factories) names.push_back(name);
  return names;
}

std::unique_ptr<Forecaster> MakeForecaster(const std::string& name,
                                           const ForecasterOptions& options) {
  EnsureBaselinesRegistered();
  ForecasterFactory factory;
  {
    RegistryState& registry = Registry();
    std::lock_guard lock(registry.mutex);
    auto it = registry.factories.find(name);
    if (it != registry.factories.end()) factory = it->second;
  }
  if (!factory) {
    throw Error(ErrorCode::kInvalidInput, "unknown forecaster '" + name + "'; known forecasters: " +
                                              JoinNames(ForecasterTypes()));
  }
  return factory(options);
}

void CheckSettings(std::string_view forecaster, const ForecasterOptions& options,
                   const std::vector<std::string>& known) {
  for (const auto& [key, value] : options.settings) {
    bool found = false;
    for (const std::string& name : known) found = found || name == key;
    if (!found) {
      throw Error(ErrorCode::kInvalidInput, "unknown setting '" + key + "' for forecaster '" +
                                                std::string(forecaster) +
                                                "'; it accepts: " + JoinNames(known));
    }
  }
}

double SettingOr(const ForecasterOptions& options, const std::string& key, double fallback) {
  auto it = options.settings.find(key);
  return it == options.settings.end() ? fallback : it->second;
}

int WholeSetting(const ForecasterOptions& options, std::string_view forecaster,
                 const std::string& key, int fallback, int minimum) {
  double value = SettingOr(options, key, fallback);
  if (!(value >= minimum) || value != std::floor(value) || value > 1e9) {
    throw Error(ErrorCode::kInvalidInput,
                "setting '" + key + "' of forecaster '" + std::string(forecaster) + "' is " +
                    std::to_string(value) + "; give a whole number of at least " +
                    std::to_string(minimum));
  }
  return static_cast<int>(value);
}

}  // namespace macropipe::forecast
