#include "forecast/tft/tft_forecaster.h"

#include <ATen/CPUGeneratorImpl.h>
#include <c10/core/InferenceMode.h>
#include <torch/serialize.h>
#include <torch/types.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <exception>
#include <fstream>
#include <string>
#include <thread>

#include "core/error.h"
#include "forecast/tft/blocks.h"
#include "forecast/tft/tft_model.h"
#include "forecast/tft/tft_trainer.h"
#include "forecast/tft/torch_runtime.h"
#include "forecast/tft/window_builder.h"

namespace macropipe::forecast::tft {
namespace {

// Windows per forward pass of the importance average, small for the reason of
// kEvaluationChunk in tft_trainer.cpp.
constexpr int64_t kImportanceChunk = 64;

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

TftModelOptions ModelOptions(const TftSettings& settings, int64_t columns, int64_t entities) {
  return TftModelOptions{.observed_inputs = columns,
                         .known_inputs = kKnownInputCount,
                         .entities = entities,
                         .hidden_size = settings.hidden_size,
                         .attention_heads = settings.attention_heads,
                         .dropout = settings.dropout,
                         .encoder_length = settings.encoder_length,
                         .decoder_length = settings.max_horizon};
}

// Identifies files written by TftForecaster::Save; raise the number when the
// layout changes, so older files are rejected instead of misread.
constexpr char kSaveFormat[] = "macropipe-tft-1";

c10::List<std::string> StringList(const std::vector<std::string>& values) {
  c10::List<std::string> list;
  for (const std::string& value : values) list.push_back(value);
  return list;
}

std::vector<std::string> ReadStrings(torch::serialize::InputArchive& archive,
                                     const std::string& key) {
  c10::IValue value;
  archive.read(key, value);
  std::vector<std::string> strings;
  for (const c10::IValue& element : value.toListRef()) strings.push_back(element.toStringRef());
  return strings;
}

// Doubles travel as float64 tensors, which keep every bit.
torch::Tensor DoubleTensor(const std::vector<double>& values) {
  return torch::tensor(at::ArrayRef<double>(values), torch::kFloat64);
}

std::vector<double> ReadDoubles(torch::serialize::InputArchive& archive, const std::string& key) {
  torch::Tensor tensor;
  archive.read(key, tensor);
  tensor = tensor.to(torch::kFloat64).contiguous();
  return std::vector<double>(tensor.data_ptr<double>(), tensor.data_ptr<double>() + tensor.numel());
}

void WriteImportance(torch::serialize::OutputArchive& archive, const std::string& key,
                     const std::vector<InputImportance>& importance) {
  std::vector<std::string> names;
  std::vector<double> weights;
  for (const InputImportance& input : importance) {
    names.push_back(input.name);
    weights.push_back(input.weight);
  }
  archive.write(key + "_names", StringList(names));
  archive.write(key + "_weights", DoubleTensor(weights));
}

std::vector<InputImportance> ReadImportance(torch::serialize::InputArchive& archive,
                                            const std::string& key) {
  std::vector<std::string> names = ReadStrings(archive, key + "_names");
  std::vector<double> weights = ReadDoubles(archive, key + "_weights");
  std::vector<InputImportance> importance;
  for (size_t i = 0; i < names.size() && i < weights.size(); ++i) {
    importance.push_back({names[i], weights[i]});
  }
  return importance;
}

// The saved settings that must match the forecaster's own; threads may differ
// because they change speed, not results.
std::string SettingsDifference(const TftSettings& saved, const TftSettings& current) {
  std::vector<std::pair<std::string, double>> before = TftSettingValues(saved);
  std::vector<std::pair<std::string, double>> now = TftSettingValues(current);
  for (size_t i = 0; i < before.size(); ++i) {
    if (before[i].first != "threads" && before[i].second != now[i].second) {
      return "setting " + before[i].first + " is " + std::to_string(before[i].second) +
             " in the saved model but " + std::to_string(now[i].second) + " now";
    }
  }
  if (saved.related_targets != current.related_targets) return "the related targets differ";
  return "";
}

}  // namespace

struct TftForecaster::Models {
  WindowBuilder builder;
  std::vector<std::string> names;
  size_t target_column = 0;
  std::vector<TftModel> members;
  int64_t entities = 1;
};

TftForecaster::TftForecaster(TftSettings settings) : settings_(std::move(settings)) {
  ValidateTftSettings(settings_);
}

TftForecaster::~TftForecaster() = default;
TftForecaster::TftForecaster(TftForecaster&&) noexcept = default;
TftForecaster& TftForecaster::operator=(TftForecaster&&) noexcept = default;

void TftForecaster::Fit(const Panel& panel, size_t begin, size_t end) {
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
  auto entities = static_cast<int64_t>(targets.size());
  TftModelOptions model_options = ModelOptions(settings_, columns, entities);

  auto models =
      std::make_unique<Models>(Models{builder, panel.names, panel.target_column, {}, entities});
  // Members are built in turn from LibTorch's global generator, then trained
  // at once, each drawing its dropout from a generator of its own seed, so
  // the result does not depend on how many train side by side.
  const int members = settings_.ensemble_size;
  std::vector<TftModel> trained;
  for (int member = 0; member < members; ++member) {
    torch::manual_seed(settings_.seed + static_cast<uint64_t>(member));
    trained.emplace_back(model_options);
  }
  std::vector<TrainingHistory> histories(static_cast<size_t>(members));
  std::vector<std::exception_ptr> failures(static_cast<size_t>(members));
  std::atomic<int> next_member{0};
  auto train_members = [&] {
    for (int member = next_member++; member < members; member = next_member++) {
      auto index = static_cast<size_t>(member);
      uint64_t seed = settings_.seed + static_cast<uint64_t>(member);
      DropoutGeneratorGuard dropout(at::make_generator<at::CPUGeneratorImpl>(seed));
      TrainingOptions options{.learning_rate = settings_.learning_rate,
                              .batch_size = settings_.batch_size,
                              .max_epochs = settings_.max_epochs,
                              .patience = settings_.patience,
                              .gradient_clip_norm = settings_.gradient_clip_norm,
                              .shuffle_seed = seed};
      try {
        histories[index] = TrainTft(trained[index], training_tensors, validation_tensors, options);
      } catch (...) {
        failures[index] = std::current_exception();
      }
    }
  };
  const int workers = std::min(settings_.threads, members);
  ConfigureTorchRuntime(std::max(1, settings_.threads / workers));
  std::vector<std::thread> pool;
  for (int i = 1; i < workers; ++i) pool.emplace_back(train_members);
  train_members();
  for (std::thread& thread : pool) thread.join();
  for (const std::exception_ptr& failure : failures) {
    if (failure) std::rethrow_exception(failure);
  }
  history_ = std::move(histories);
  models->members = std::move(trained);

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
  // One window is too small to share: a second thread made a forecast slower.
  ConfigureTorchRuntime(1);

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

void TftForecaster::Save(const std::filesystem::path& path) const {
  if (!models_) {
    throw Error(ErrorCode::kFailedPrecondition, "TFT Save was called before Fit; fit first");
  }
  torch::serialize::OutputArchive archive;
  archive.write("format", c10::IValue(std::string(kSaveFormat)));
  std::vector<double> settings;
  for (const auto& [name, value] : TftSettingValues(settings_)) settings.push_back(value);
  archive.write("settings", DoubleTensor(settings));
  archive.write("related_targets", StringList(settings_.related_targets));
  archive.write("names", StringList(models_->names));
  archive.write("target_column", c10::IValue(static_cast<int64_t>(models_->target_column)));
  archive.write("entities", c10::IValue(models_->entities));

  const WindowBuilder& builder = models_->builder;
  std::vector<double> scalers;
  for (const ColumnScaler& scaler : builder.scalers()) {
    scalers.push_back(scaler.mean);
    scalers.push_back(scaler.scale);
  }
  archive.write("scalers", DoubleTensor(scalers));
  archive.write("time_scaler",
                DoubleTensor({builder.time_scaler().mean, builder.time_scaler().scale}));
  WriteImportance(archive, "encoder_importance", encoder_importance_);
  WriteImportance(archive, "decoder_importance", decoder_importance_);
  for (size_t i = 0; i < models_->members.size(); ++i) {
    torch::serialize::OutputArchive member;
    models_->members[i]->save(member);
    archive.write("member" + std::to_string(i), member);
  }

  // Write beside the target and rename, so a failed save leaves the old file.
  std::filesystem::path partial = path;
  partial += ".partial";
  std::ofstream file(partial, std::ios::binary | std::ios::trunc);
  archive.save_to(file);
  file.close();
  std::error_code error;
  if (file) std::filesystem::rename(partial, path, error);
  if (!file || error) {
    std::filesystem::remove(partial, error);
    throw Error(ErrorCode::kPermissionDenied, "could not write the TFT model to " + path.string() +
                                                  "; check the folder exists and is writable");
  }
}

void TftForecaster::Load(const std::filesystem::path& path, const Panel& panel) {
  if (!std::filesystem::is_regular_file(path)) {
    throw Error(ErrorCode::kNotFound, "no saved TFT model at " + path.string());
  }
  ValidatePanel(panel);
  torch::serialize::InputArchive archive;
  bool readable = false;
  try {
    archive.load_from(path.string());
    c10::IValue format;
    readable = archive.try_read("format", format) && format.isString() &&
               format.toStringRef() == kSaveFormat;
  } catch (const c10::Error&) {
    readable = false;
  }
  if (!readable) {
    throw Error(ErrorCode::kInvalidInput,
                path.string() + " is not a TFT model saved by this version of macropipe; " +
                    "delete it or train again");
  }

  // The saved settings, read back by name in the order TftSettingValues lists them.
  std::vector<double> values = ReadDoubles(archive, "settings");
  ForecasterOptions options;
  std::vector<std::pair<std::string, double>> names = TftSettingValues(settings_);
  for (size_t i = 0; i < names.size() && i < values.size(); ++i) {
    if (names[i].first == "seed") {
      options.seed = static_cast<uint64_t>(values[i]);
    } else {
      options.settings[names[i].first] = values[i];
    }
  }
  TftSettings saved = TftSettingsFromOptions(options);
  saved.related_targets = ReadStrings(archive, "related_targets");
  std::string difference = SettingsDifference(saved, settings_);
  std::vector<std::string> columns = ReadStrings(archive, "names");
  c10::IValue target_column;
  archive.read("target_column", target_column);
  if (difference.empty() && (columns != panel.names ||
                             static_cast<size_t>(target_column.toInt()) != panel.target_column)) {
    difference = "the saved model's columns or target differ from the panel's";
  }
  if (!difference.empty()) {
    throw Error(ErrorCode::kFailedPrecondition,
                "the TFT model saved at " + path.string() + " does not fit: " + difference);
  }

  std::vector<double> scaler_values = ReadDoubles(archive, "scalers");
  std::vector<double> time_values = ReadDoubles(archive, "time_scaler");
  std::vector<ColumnScaler> scalers;
  for (size_t i = 0; i + 1 < scaler_values.size(); i += 2) {
    scalers.push_back({scaler_values[i], scaler_values[i + 1]});
  }
  if (scalers.size() != columns.size() || time_values.size() != 2) {
    throw Error(ErrorCode::kInvalidInput,
                path.string() + " holds " + std::to_string(scalers.size()) + " scalers for " +
                    std::to_string(columns.size()) + " columns; delete it or train again");
  }
  c10::IValue entities;
  archive.read("entities", entities);
  auto models = std::make_unique<Models>(
      Models{WindowBuilder::Restore(std::move(scalers), {time_values[0], time_values[1]},
                                    settings_.encoder_length, settings_.max_horizon),
             columns,
             panel.target_column,
             {},
             entities.toInt()});
  TftModelOptions model_options =
      ModelOptions(settings_, static_cast<int64_t>(columns.size()), models->entities);
  for (int i = 0; i < settings_.ensemble_size; ++i) {
    torch::serialize::InputArchive member;
    archive.read("member" + std::to_string(i), member);
    TftModel model(model_options);
    model->load(member);
    model->eval();
    models->members.push_back(model);
  }
  encoder_importance_ = ReadImportance(archive, "encoder_importance");
  decoder_importance_ = ReadImportance(archive, "decoder_importance");
  history_.clear();
  models_ = std::move(models);
}

std::unique_ptr<Forecaster> MakeTftForecaster(const TftSettings& settings) {
  return std::make_unique<TftForecaster>(settings);
}

[[maybe_unused]] static const bool kTftRegistered = RegisterForecasterType(
    "tft", [](const ForecasterOptions& options) -> std::unique_ptr<Forecaster> {
      return MakeTftForecaster(TftSettingsFromOptions(options));
    });

}  // namespace macropipe::forecast::tft
