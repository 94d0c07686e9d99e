// The Temporal Fusion Transformer network: static covariate encoders,
// variable selection, an LSTM encoder-decoder, static enrichment,
// interpretable attention and one linear output per quantile.
//
//   TftModel model(TftModelOptions{.observed_inputs = 120, .known_inputs = 3, ...});
//   TftOutput out = model->forward(batch);  // out.quantiles: [batch, horizons, 3]
//
// Observed inputs exist only for encoder steps, so nothing observed can reach
// the decoder: the decoder's variable selection sees the known inputs alone.
// Thread-compatible, as any torch::nn module.
#pragma once

#include <torch/nn.h>

#include <cstdint>
#include <vector>

#include "forecast/tft/blocks.h"

namespace macropipe::forecast::tft {

struct TftModelOptions {
  int64_t observed_inputs = 0;  // Past-only variables, each given as (value, missing flag).
  int64_t known_inputs = 0;     // Variables known for past and future months (calendar).
  int64_t entities = 1;         // Rows of the static entity embedding.
  int64_t hidden_size = 16;
  int64_t attention_heads = 4;
  double dropout = 0.1;
  int64_t encoder_length = 24;
  int64_t decoder_length = 12;
  std::vector<double> quantiles = {0.1, 0.5, 0.9};
};

// One batch of windows.
struct TftBatch {
  torch::Tensor observed;  // [batch, encoder_length, observed_inputs, 2]: value, missing flag.
  torch::Tensor known;     // [batch, encoder_length + decoder_length, known_inputs]
  torch::Tensor entity;    // [batch], int64 entity ids.
};

struct TftOutput {
  torch::Tensor quantiles;        // [batch, decoder_length, quantiles]
  torch::Tensor encoder_weights;  // [batch, encoder_length, observed_inputs + known_inputs]
  torch::Tensor decoder_weights;  // [batch, decoder_length, known_inputs]
  torch::Tensor attention;        // [batch, heads, decoder_length, encoder + decoder length]
};

class TftModelImpl : public torch::nn::Module {
 public:
  explicit TftModelImpl(const TftModelOptions& options);

  // Throws Error(kInternal) when a tensor in `batch` does not have the shape above.
  TftOutput forward(const TftBatch& batch);

  const TftModelOptions& options() const { return options_; }
  const VariableSelectionNetwork& decoder_selection() const { return decoder_selection_; }

 private:
  void CheckShapes(const TftBatch& batch) const;
  // Projects each scalar input (or value and flag pair) to hidden_size:
  // [batch, time, variables, features] -> [batch * time, variables, hidden].
  static torch::Tensor Project(const torch::Tensor& inputs, const torch::Tensor& weight,
                               const torch::Tensor& bias);

  TftModelOptions options_;
  torch::Tensor observed_weight_, observed_bias_;  // [observed, 2, hidden], [observed, 1, hidden]
  torch::Tensor known_weight_, known_bias_;        // [known, 1, hidden], [known, 1, hidden]
  torch::nn::Embedding entity_embedding_{nullptr};
  VariableSelectionNetwork static_selection_{nullptr};
  GatedResidualNetwork selection_context_{nullptr};
  GatedResidualNetwork hidden_context_{nullptr};
  GatedResidualNetwork cell_context_{nullptr};
  GatedResidualNetwork enrichment_context_{nullptr};
  VariableSelectionNetwork encoder_selection_{nullptr};
  VariableSelectionNetwork decoder_selection_{nullptr};
  torch::nn::LSTM encoder_lstm_{nullptr};
  torch::nn::LSTM decoder_lstm_{nullptr};
  GateAddNorm lstm_gate_{nullptr};
  GatedResidualNetwork enrichment_{nullptr};
  InterpretableMultiHeadAttention attention_{nullptr};
  GateAddNorm attention_gate_{nullptr};
  GatedResidualNetwork position_wise_{nullptr};
  GateAddNorm output_gate_{nullptr};
  torch::nn::Linear output_{nullptr};
  torch::Tensor causal_mask_;  // [decoder_length, encoder + decoder length]
};
TORCH_MODULE(TftModel);

}  // namespace macropipe::forecast::tft
