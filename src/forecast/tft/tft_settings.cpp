#include "forecast/tft/tft_settings.h"

#include <cmath>
#include <string>

#include "core/error.h"
#include "forecast/forecast_config.h"

namespace macropipe::forecast::tft {
namespace {

void RequireAtLeast(const char* field, int value, int minimum) {
  if (value < minimum) {
    throw Error(ErrorCode::kInvalidInput, std::string("TFT setting ") + field + " is " +
                                              std::to_string(value) + "; it must be at least " +
                                              std::to_string(minimum));
  }
}

void RequireInRange(const char* field, double value, double low, double high) {
  if (!(value >= low && value < high)) {
    throw Error(ErrorCode::kInvalidInput,
                std::string("TFT setting ") + field + " is " + std::to_string(value) +
                    "; it must be in [" + std::to_string(low) + ", " + std::to_string(high) + ")");
  }
}

// The numeric fields, by the names the registry options and the forecast
// config use; kTftSettingNames lists the same names.
struct IntegerField {
  const char* name;
  int TftSettings::*member;
};
struct RealField {
  const char* name;
  double TftSettings::*member;
};
constexpr IntegerField kIntegerFields[] = {{"encoder_length", &TftSettings::encoder_length},
                                           {"max_horizon", &TftSettings::max_horizon},
                                           {"hidden_size", &TftSettings::hidden_size},
                                           {"attention_heads", &TftSettings::attention_heads},
                                           {"batch_size", &TftSettings::batch_size},
                                           {"max_epochs", &TftSettings::max_epochs},
                                           {"patience", &TftSettings::patience},
                                           {"ensemble_size", &TftSettings::ensemble_size},
                                           {"threads", &TftSettings::threads}};
constexpr RealField kRealFields[] = {{"dropout", &TftSettings::dropout},
                                     {"learning_rate", &TftSettings::learning_rate},
                                     {"gradient_clip_norm", &TftSettings::gradient_clip_norm},
                                     {"validation_fraction", &TftSettings::validation_fraction}};

// Stores the option `name`, when given, in an integer field.
void ReadInteger(const ForecasterOptions& options, const std::string& name, int& field) {
  auto found = options.settings.find(name);
  if (found == options.settings.end()) return;
  double value = found->second;
  if (!(std::abs(value) < 1e9) || value != std::trunc(value)) {
    throw Error(ErrorCode::kInvalidInput, "TFT setting " + name + " is " + std::to_string(value) +
                                              "; it must be a whole number");
  }
  field = static_cast<int>(value);
}

void ReadReal(const ForecasterOptions& options, const std::string& name, double& field) {
  auto found = options.settings.find(name);
  if (found != options.settings.end()) field = found->second;
}

}  // namespace

TftSettings TftSettingsFromOptions(const ForecasterOptions& options) {
  CheckSettings("tft", options, kTftSettingNames);
  TftSettings settings;
  settings.seed = options.seed;
  for (const IntegerField& field : kIntegerFields) {
    ReadInteger(options, field.name, settings.*field.member);
  }
  for (const RealField& field : kRealFields) ReadReal(options, field.name, settings.*field.member);
  ValidateTftSettings(settings);
  return settings;
}

std::vector<std::pair<std::string, double>> TftSettingValues(const TftSettings& settings) {
  std::vector<std::pair<std::string, double>> values = {
      {"seed", static_cast<double>(settings.seed)}};
  for (const IntegerField& field : kIntegerFields) {
    values.emplace_back(field.name, settings.*field.member);
  }
  for (const RealField& field : kRealFields)
    values.emplace_back(field.name, settings.*field.member);
  return values;
}

void ValidateTftSettings(const TftSettings& settings) {
  RequireAtLeast("encoder_length", settings.encoder_length, 1);
  RequireAtLeast("max_horizon", settings.max_horizon, 1);
  RequireAtLeast("hidden_size", settings.hidden_size, 1);
  RequireAtLeast("attention_heads", settings.attention_heads, 1);
  if (settings.hidden_size % settings.attention_heads != 0) {
    throw Error(ErrorCode::kInvalidInput, "TFT setting hidden_size " +
                                              std::to_string(settings.hidden_size) +
                                              " must be a multiple of attention_heads " +
                                              std::to_string(settings.attention_heads));
  }
  RequireInRange("dropout", settings.dropout, 0.0, 1.0);
  RequireInRange("learning_rate", settings.learning_rate, 1e-300, HUGE_VAL);
  RequireAtLeast("batch_size", settings.batch_size, 1);
  RequireAtLeast("max_epochs", settings.max_epochs, 1);
  RequireAtLeast("patience", settings.patience, 1);
  RequireInRange("gradient_clip_norm", settings.gradient_clip_norm, 1e-300, HUGE_VAL);
  RequireInRange("validation_fraction", settings.validation_fraction, 1e-300, 1.0);
  RequireAtLeast("ensemble_size", settings.ensemble_size, 1);
  RequireAtLeast("threads", settings.threads, 1);
}

}  // namespace macropipe::forecast::tft
