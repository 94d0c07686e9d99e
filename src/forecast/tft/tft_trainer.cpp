#include "forecast/tft/tft_trainer.h"

#include <torch/nn/utils/clip_grad.h>
#include <torch/optim/adam.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <string>

#include "core/error.h"
#include "forecast/tft/quantile_loss.h"

namespace macropipe::forecast::tft {
namespace {

// Windows per forward pass when evaluating; activations of larger chunks
// pass the malloc threshold that ConfigureTorchRuntime sets.
constexpr int64_t kEvaluationChunk = 64;

torch::Tensor Copy(const float* data, std::vector<int64_t> shape) {
  return torch::from_blob(const_cast<float*>(data), shape, torch::kFloat32).clone();
}

std::vector<torch::Tensor> CopyParameters(TftModel& model) {
  std::vector<torch::Tensor> copy;
  for (const torch::Tensor& parameter : model->parameters()) {
    copy.push_back(parameter.detach().clone());
  }
  return copy;
}

void RestoreParameters(TftModel& model, const std::vector<torch::Tensor>& saved) {
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> parameters = model->parameters();
  for (size_t i = 0; i < parameters.size(); ++i) parameters[i].copy_(saved[i]);
}

// A permutation of 0..count-1 from `random`, the same on every platform.
torch::Tensor Shuffle(int64_t count, std::mt19937_64& random) {
  std::vector<int64_t> order(static_cast<size_t>(count));
  std::iota(order.begin(), order.end(), 0);
  for (size_t i = order.size(); i > 1; --i) {
    std::swap(order[i - 1], order[random() % i]);
  }
  return torch::tensor(order, torch::kLong);
}

double TrainEpoch(TftModel& model, torch::optim::Adam& optimizer, const WindowTensors& training,
                  const TrainingOptions& options, std::mt19937_64& random, int epoch) {
  model->train();
  torch::Tensor order = Shuffle(training.size(), random);
  double total = 0.0;
  for (int64_t start = 0; start < training.size(); start += options.batch_size) {
    int64_t count = std::min<int64_t>(options.batch_size, training.size() - start);
    WindowTensors batch = training.Select(order.narrow(0, start, count));
    optimizer.zero_grad();
    TftOutput output = model->forward(batch.inputs);
    torch::Tensor loss =
        QuantileLoss(output.quantiles, batch.target, batch.mask, model->options().quantiles);
    double value = loss.item<double>();
    if (!std::isfinite(value)) {
      throw Error(ErrorCode::kInvalidInput, "TFT training loss became " + std::to_string(value) +
                                                " in epoch " + std::to_string(epoch + 1) +
                                                " with learning_rate " +
                                                std::to_string(options.learning_rate) +
                                                "; lower learning_rate or gradient_clip_norm");
    }
    loss.backward();
    torch::nn::utils::clip_grad_norm_(model->parameters(), options.gradient_clip_norm);
    optimizer.step();
    total += value * static_cast<double>(count);
  }
  return total / static_cast<double>(training.size());
}

}  // namespace

WindowTensors WindowTensors::Select(const torch::Tensor& indices) const {
  return {{inputs.observed.index_select(0, indices), inputs.known.index_select(0, indices),
           inputs.entity.index_select(0, indices)},
          target.index_select(0, indices),
          mask.index_select(0, indices)};
}

WindowTensors ToTensors(const WindowData& data, int64_t encoder_length, int64_t decoder_length,
                        int64_t columns) {
  int64_t count = data.count;
  WindowTensors tensors;
  tensors.inputs.observed = Copy(data.observed.data(), {count, encoder_length, columns, 2});
  tensors.inputs.known =
      Copy(data.known.data(), {count, encoder_length + decoder_length, kKnownInputCount});
  tensors.inputs.entity = torch::tensor(data.entity, torch::kLong);
  tensors.target = Copy(data.target.data(), {count, decoder_length});
  tensors.mask = Copy(data.target_mask.data(), {count, decoder_length});
  return tensors;
}

double EvaluateLoss(TftModel& model, const WindowTensors& windows) {
  torch::NoGradGuard no_grad;
  model->eval();
  double total = 0.0;
  for (int64_t start = 0; start < windows.size(); start += kEvaluationChunk) {
    int64_t count = std::min(kEvaluationChunk, windows.size() - start);
    WindowTensors chunk = windows.Select(torch::arange(start, start + count, torch::kLong));
    TftOutput output = model->forward(chunk.inputs);
    torch::Tensor loss =
        QuantileLoss(output.quantiles, chunk.target, chunk.mask, model->options().quantiles);
    total += loss.item<double>() * static_cast<double>(count);
  }
  return total / static_cast<double>(windows.size());
}

TrainingHistory TrainTft(TftModel& model, const WindowTensors& training,
                         const WindowTensors& validation, const TrainingOptions& options) {
  if (training.size() == 0 || validation.size() == 0) {
    throw Error(ErrorCode::kInvalidInput,
                "TFT training needs at least one training window and "
                "one validation window");
  }
  torch::optim::Adam optimizer(model->parameters(),
                               torch::optim::AdamOptions(options.learning_rate));
  std::mt19937_64 random(options.shuffle_seed);
  TrainingHistory history;
  history.training_windows = training.size();
  history.validation_windows = validation.size();
  std::vector<torch::Tensor> best;
  double best_loss = HUGE_VAL;
  int epochs_without_gain = 0;

  for (int epoch = 0; epoch < options.max_epochs; ++epoch) {
    double loss = 0.0;
    try {
      history.training_loss.push_back(
          TrainEpoch(model, optimizer, training, options, random, epoch));
      loss = EvaluateLoss(model, validation);
    } catch (const Error&) {
      throw;
    } catch (const std::exception& error) {
      // LibTorch raises, for example, when a step overflows float parameters.
      auto* torch_error = dynamic_cast<const c10::Error*>(&error);
      throw Error(ErrorCode::kInvalidInput,
                  "TFT training failed in epoch " + std::to_string(epoch + 1) +
                      " with learning_rate " + std::to_string(options.learning_rate) + ": " +
                      (torch_error ? torch_error->what_without_backtrace() : error.what()) +
                      "; lower learning_rate");
    }
    history.validation_loss.push_back(loss);
    if (loss < best_loss) {
      best_loss = loss;
      best = CopyParameters(model);
      history.best_epoch = epoch;
      epochs_without_gain = 0;
    } else if (++epochs_without_gain >= options.patience) {
      break;
    }
  }

  // A non-finite validation loss never improves on HUGE_VAL, so `best` may be empty.
  if (best.empty()) {
    throw Error(ErrorCode::kInvalidInput,
                "TFT validation loss was never finite; lower learning_rate (now " +
                    std::to_string(options.learning_rate) + ")");
  }
  RestoreParameters(model, best);
  model->eval();
  return history;
}

}  // namespace macropipe::forecast::tft
