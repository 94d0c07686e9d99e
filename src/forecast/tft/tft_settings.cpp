#include "forecast/tft/tft_settings.h"

#include <cmath>
#include <string>

#include "core/error.h"

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
  CheckSettings("tft", options,
                {"encoder_length", "max_horizon", "hidden_size", "attention_heads", "dropout",
                 "learning_rate", "batch_size", "max_epochs", "patience", "gradient_clip_norm",
                 "validation_fraction", "ensemble_size", "threads"});
  TftSettings settings;
  settings.seed = options.seed;
  ReadInteger(options, "encoder_length", settings.encoder_length);
  ReadInteger(options, "max_horizon", settings.max_horizon);
  ReadInteger(options, "hidden_size", settings.hidden_size);
  ReadInteger(options, "attention_heads", settings.attention_heads);
  ReadReal(options, "dropout", settings.dropout);
  ReadReal(options, "learning_rate", settings.learning_rate);
  ReadInteger(options, "batch_size", settings.batch_size);
  ReadInteger(options, "max_epochs", settings.max_epochs);
  ReadInteger(options, "patience", settings.patience);
  ReadReal(options, "gradient_clip_norm", settings.gradient_clip_norm);
  ReadReal(options, "validation_fraction", settings.validation_fraction);
  ReadInteger(options, "ensemble_size", settings.ensemble_size);
  ReadInteger(options, "threads", settings.threads);
  ValidateTftSettings(settings);
  return settings;
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
