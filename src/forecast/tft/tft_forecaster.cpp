#include "forecast/tft/tft_forecaster.h"

#include <c10/core/InferenceMode.h>
#include <torch/types.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "core/error.h"
#include "forecast/tft/tft_model.h"
#include "forecast/tft/tft_trainer.h"
#include "forecast/tft/torch_runtime.h"
#include "forecast/tft/window_builder.h"

namespace macropipe::forecast::tft {
namespace {

constexpr int64_t kImportanceChunk = 256;

// The panel's target first, then each related target, as column indices.
std::vector<size_t> TargetColumns(const Panel& panel, const std::vector<std::string>& related) {
  std::vector<size_t> columns = {panel.target_column};
  for (const std::string& name : related) {
    auto found = std::find(panel.names.begin(), panel.names.end(), name);
    if (found == panel.names.end()) {
      throw Error(ErrorCode::kInvalidInput, "TFT related target '" + name +
                                                "' is not a panel column; name one of the "
                                                "panel's columns or remove it");
    }
    auto column = static_cast<size_t>(found - panel.names.begin());
    if (std::find(columns.begin(), columns.end(), column) != columns.end()) {
      throw Error(ErrorCode::kInvalidInput, "TFT related target '" + name +
                                                "' is listed twice or is the panel's target; "
                                                "list each other target once");
    }
    columns.push_back(column);
  }
  return columns;
}

// True when some target of the window at `origin` is usable for training.
bool HasTarget(const std::vector<double>& target, size_t origin, size_t label_end, int horizons) {
  for (int h = 1; h <= horizons; ++h) {
    size_t row = origin + static_cast<size_t>(h);
    if (row < label_end && std::isfinite(target[row])) return true;
  }
  return false;
}

std::vector<InputImportance> Importance(const std::vector<std::string>& names,
                                        const torch::Tensor& weights) {
  std::vector<InputImportance> importance;
  for (size_t i = 0; i < names.size(); ++i) {
    importance.push_back({names[i], weights[static_cast<int64_t>(i)].item<double>()});
  }
  return importance;
}

}  // namespace

struct TftForecaster::Models {
  WindowBuilder builder;
  std::vector<std::string> names;
  size_t target_column = 0;
  std::vector<TftModel> members;
};

TftForecaster::TftForecaster(TftSettings settings) : settings_(std::move(settings)) {
  ValidateTftSettings(settings_);
}

TftForecaster::~TftForecaster() = default;
TftForecaster::TftForecaster(TftForecaster&&) noexcept = default;
TftForecaster& TftForecaster::operator=(TftForecaster&&) noexcept = default;

void TftForecaster::Fit(const Panel& panel, size_t begin, size_t end) {
  ConfigureTorchRuntime(settings_.threads);
  const int encoder_length = settings_.encoder_length;
  const int horizons = settings_.max_horizon;
  WindowBuilder builder = WindowBuilder::Fit(panel, begin, end, encoder_length, horizons);
  std::vector<size_t> targets = TargetColumns(panel, settings_.related_targets);
  PreparedRows rows = builder.Prepare(panel, begin, end);

  // Training windows take targets before `split`; validation windows take the rest.
  auto validation_rows = std::max<size_t>(
      1, static_cast<size_t>(std::llround(settings_.validation_fraction * double(end - begin))));
  size_t first_origin = begin + static_cast<size_t>(encoder_length) - 1;
  size_t split = end - std::min(validation_rows, end - begin);
  if (split < first_origin + 2) {
    throw Error(ErrorCode::kInvalidInput,
                "TFT fit on rows [" + std::to_string(begin) + ", " + std::to_string(end) +
                    ") has " + std::to_string(split - begin) +
                    " rows before its validation block, fewer than encoder_length + 1 = " +
                    std::to_string(encoder_length + 1) +
                    "; fit on more rows or lower encoder_length or validation_fraction");
  }
  WindowData training;
  WindowData validation;
  for (size_t entity = 0; entity < targets.size(); ++entity) {
    const std::vector<double>& target = panel.columns[targets[entity]];
    auto id = static_cast<int64_t>(entity);
    for (size_t origin = first_origin; origin + 1 < split; ++origin) {
      if (!HasTarget(target, origin, split, horizons)) continue;
      builder.Append(panel, rows, origin, id, targets[entity], split, training);
    }
    for (size_t origin = std::max(split - 1, first_origin); origin + 1 < end; ++origin) {
      if (!HasTarget(target, origin, end, horizons)) continue;
      builder.Append(panel, rows, origin, id, targets[entity], end, validation);
    }
  }
  if (training.count == 0 || validation.count == 0) {
    throw Error(ErrorCode::kInvalidInput,
                "TFT target '" + panel.names[panel.target_column] + "' has no values in the " +
                    (training.count == 0 ? "training" : "validation") + " part of rows [" +
                    std::to_string(begin) + ", " + std::to_string(end) +
                    "); fit on rows where it is observed");
  }

  auto columns = static_cast<int64_t>(panel.columns.size());
  WindowTensors training_tensors = ToTensors(training, encoder_length, horizons, columns);
  WindowTensors validation_tensors = ToTensors(validation, encoder_length, horizons, columns);
  TftModelOptions model_options{.observed_inputs = columns,
                                .known_inputs = kKnownInputCount,
                                .entities = static_cast<int64_t>(targets.size()),
                                .hidden_size = settings_.hidden_size,
                                .attention_heads = settings_.attention_heads,
                                .dropout = settings_.dropout,
                                .encoder_length = encoder_length,
                                .decoder_length = horizons};

  auto models = std::make_unique<Models>(Models{builder, panel.names, panel.target_column, {}});
  history_.clear();
  for (int member = 0; member < settings_.ensemble_size; ++member) {
    uint64_t seed = settings_.seed + static_cast<uint64_t>(member);
    torch::manual_seed(seed);
    TftModel model(model_options);
    TrainingOptions options{.learning_rate = settings_.learning_rate,
                            .batch_size = settings_.batch_size,
                            .max_epochs = settings_.max_epochs,
                            .patience = settings_.patience,
                            .gradient_clip_norm = settings_.gradient_clip_norm,
                            .shuffle_seed = seed};
    history_.push_back(TrainTft(model, training_tensors, validation_tensors, options));
    models->members.push_back(model);
  }

  // Selection weights averaged over training windows, months and members.
  torch::Tensor encoder_weights = torch::zeros({columns + kKnownInputCount}, torch::kFloat64);
  torch::Tensor decoder_weights = torch::zeros({kKnownInputCount}, torch::kFloat64);
  {
    c10::InferenceMode inference;
    for (TftModel& model : models->members) {
      for (int64_t start = 0; start < training_tensors.size(); start += kImportanceChunk) {
        int64_t count = std::min(kImportanceChunk, training_tensors.size() - start);
        TftOutput output = model->forward(
            training_tensors.Select(torch::arange(start, start + count, torch::kLong)).inputs);
        encoder_weights += output.encoder_weights.to(torch::kFloat64).sum(at::IntArrayRef{0, 1});
        decoder_weights += output.decoder_weights.to(torch::kFloat64).sum(at::IntArrayRef{0, 1});
      }
    }
  }
  double windows = static_cast<double>(training_tensors.size() * settings_.ensemble_size);
  std::vector<std::string> encoder_names = panel.names;
  std::vector<std::string> known_names = KnownInputNames();
  encoder_names.insert(encoder_names.end(), known_names.begin(), known_names.end());
  encoder_importance_ = Importance(encoder_names, encoder_weights / (windows * encoder_length));
  decoder_importance_ = Importance(known_names, decoder_weights / (windows * horizons));
  models_ = std::move(models);
}

std::vector<QuantileForecast> TftForecaster::Predict(const Panel& panel, size_t origin,
                                                     int max_horizon) {
  if (!models_) {
    throw Error(ErrorCode::kFailedPrecondition, "TFT Predict was called before Fit; fit first");
  }
  ValidatePanel(panel);
  if (panel.names != models_->names || panel.target_column != models_->target_column) {
    throw Error(ErrorCode::kInvalidInput,
                "TFT Predict panel has different columns or target from the panel it was fitted "
                "on; pass a panel with the same columns in the same order");
  }
  if (max_horizon < 1 || max_horizon > settings_.max_horizon) {
    throw Error(ErrorCode::kInvalidInput,
                "TFT max_horizon " + std::to_string(max_horizon) + " is outside 1.." +
                    std::to_string(settings_.max_horizon) + "; raise the max_horizon setting");
  }
  auto encoder_length = static_cast<size_t>(settings_.encoder_length);
  if (origin >= panel.months.size() || origin + 1 < encoder_length) {
    throw Error(ErrorCode::kInvalidInput,
                "TFT forecast origin row " + std::to_string(origin) + " needs " +
                    std::to_string(encoder_length) + " rows up to it inside the panel of " +
                    std::to_string(panel.months.size()) + " rows; choose a later origin");
  }
  ConfigureTorchRuntime(settings_.threads);

  const WindowBuilder& builder = models_->builder;
  PreparedRows rows = builder.Prepare(panel, 0, origin + 1);
  WindowData window;
  builder.Append(panel, rows, origin, 0, panel.target_column, origin + 1, window);
  WindowTensors tensors = ToTensors(window, settings_.encoder_length, settings_.max_horizon,
                                    static_cast<int64_t>(panel.columns.size()));

  torch::Tensor quantiles;
  torch::Tensor attention;
  {
    c10::InferenceMode inference;
    for (TftModel& model : models_->members) {
      TftOutput output = model->forward(tensors.inputs);
      torch::Tensor member_attention = output.attention[0].mean(0);  // Heads averaged.
      quantiles = quantiles.defined() ? quantiles + output.quantiles[0] : output.quantiles[0];
      attention = attention.defined() ? attention + member_attention : member_attention;
    }
  }
  auto members = static_cast<double>(models_->members.size());
  quantiles = (quantiles / members).to(torch::kFloat64).contiguous();
  attention = (attention / members).to(torch::kFloat64).contiguous();

  std::vector<QuantileForecast> forecasts;
  last_attention_ = {};
  for (int offset = 1 - settings_.encoder_length; offset <= settings_.max_horizon; ++offset) {
    last_attention_.offsets.push_back(offset);
  }
  auto q = quantiles.accessor<double, 2>();
  auto a = attention.accessor<double, 2>();
  for (int h = 1; h <= max_horizon; ++h) {
    // Nothing in training forces the quantile outputs into order, so sort them.
    std::vector<double> levels;
    for (int64_t k = 0; k < q.size(1); ++k) {
      levels.push_back(builder.Unscale(panel.target_column, q[h - 1][k]));
    }
    std::sort(levels.begin(), levels.end());
    forecasts.push_back({h, levels[0], levels[1], levels[2]});
    last_attention_.weights.emplace_back(a[h - 1].data(), a[h - 1].data() + a.size(1));
  }
  return forecasts;
}

std::unique_ptr<Forecaster> MakeTftForecaster(const TftSettings& settings) {
  return std::make_unique<TftForecaster>(settings);
}

[[maybe_unused]] static const bool kTftRegistered = RegisterForecasterType(
    "tft", [](const ForecasterOptions& options) -> std::unique_ptr<Forecaster> {
      return MakeTftForecaster(TftSettingsFromOptions(options));
    });

}  // namespace macropipe::forecast::tft
