// Settings of the TFT forecaster and the record of one training run. Plain
// values without LibTorch, so command-line code can fill them in.
//
//   TftSettings settings;
//   settings.hidden_size = 32;
//   ValidateTftSettings(settings);  // throws Error(kInvalidInput) naming a bad field
//
// Value types; safe to copy between threads.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "forecast/registry.h"

namespace macropipe::forecast::tft {

// The defaults suit a few hundred monthly rows and about a hundred columns.
struct TftSettings {
  int encoder_length = 24;  // Months of history each window reads.
  int max_horizon = 12;     // Decoder length: months forecast from one origin.
  int hidden_size = 16;
  int attention_heads = 4;  // Must divide hidden_size.
  double dropout = 0.1;
  double learning_rate = 3e-3;  // Adam step size.
  int batch_size = 64;
  int max_epochs = 30;
  int patience = 5;  // Epochs without a lower validation loss before stopping.
  double gradient_clip_norm = 1.0;
  // Share of the training rows, at their end, whose targets form the
  // validation block for early stopping; training windows never see them.
  double validation_fraction = 0.15;
  int ensemble_size = 3;  // Models from seeds seed, seed + 1, ...; quantiles are averaged.
  uint64_t seed = 1;
  // CPU threads of a fit: up to this many members train at once, each on
  // threads / members LibTorch threads (at least one).
  int threads = 2;
  // Further target columns trained together with the panel's target, each as
  // its own entity (for example core CPI and PCE prices). Forecasts are
  // always for the panel's target column.
  std::vector<std::string> related_targets;
};

// Throws Error(kInvalidInput) naming the first field out of range.
void ValidateTftSettings(const TftSettings& settings);

// Reads the registry's options into settings: `seed`, and in `settings` any of
// the numeric fields above by name (related_targets cannot be given this way).
// Throws Error(kInvalidInput) for an unknown name, a fractional value of an
// integer field, or a value out of range.
TftSettings TftSettingsFromOptions(const ForecasterOptions& options);

// Every numeric setting by name, seed first, for records of a fit. The names
// are those TftSettingsFromOptions reads.
std::vector<std::pair<std::string, double>> TftSettingValues(const TftSettings& settings);

// Losses per epoch of one model, in the scaled units the model trains in.
struct TrainingHistory {
  std::vector<double> training_loss;
  std::vector<double> validation_loss;
  int best_epoch = -1;  // Index into validation_loss of the kept parameters.
  int64_t training_windows = 0;
  int64_t validation_windows = 0;
};

}  // namespace macropipe::forecast::tft
