// Training of one TFT: Adam with gradient norm clipping, early stopping on a
// validation set, and the parameters of the best validation epoch kept.
//
//   TrainingHistory history = TrainTft(model, training, validation, options);
//
// Thread-compatible: one model per call. Dropout draws from the thread's
// DropoutGeneratorGuard, or from LibTorch's global generator without one.
#pragma once

#include <torch/types.h>

#include <cstdint>
#include <vector>

#include "forecast/tft/tft_model.h"
#include "forecast/tft/tft_settings.h"
#include "forecast/tft/window_builder.h"

namespace macropipe::forecast::tft {

// Windows as tensors, views of nothing: they own their data.
struct WindowTensors {
  TftBatch inputs;
  torch::Tensor target;  // [windows, decoder_length]
  torch::Tensor mask;    // [windows, decoder_length]

  int64_t size() const { return target.defined() ? target.size(0) : 0; }
  WindowTensors Select(const torch::Tensor& indices) const;
};

// Copies `data` into tensors; `columns` is the number of observed inputs.
WindowTensors ToTensors(const WindowData& data, int64_t encoder_length, int64_t decoder_length,
                        int64_t columns);

struct TrainingOptions {
  double learning_rate = 3e-3;
  int batch_size = 64;
  int max_epochs = 30;
  int patience = 5;
  double gradient_clip_norm = 1.0;
  uint64_t shuffle_seed = 1;  // Seeds the order of windows in each epoch.
};

// Trains `model` and leaves it in evaluation mode holding the parameters of
// the epoch with the lowest validation loss. Throws Error(kInvalidInput) when
// a training loss is not finite, naming the epoch and the learning rate.
TrainingHistory TrainTft(TftModel& model, const WindowTensors& training,
                         const WindowTensors& validation, const TrainingOptions& options);

// Returns the mean quantile loss per window of `model` on `windows`, in
// evaluation mode and without gradients.
double EvaluateLoss(TftModel& model, const WindowTensors& windows);

}  // namespace macropipe::forecast::tft
