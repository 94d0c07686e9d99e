// The building blocks of the Temporal Fusion Transformer (Lim, Arik, Loeff and
// Pfister, "Temporal Fusion Transformers for interpretable multi-horizon time
// series forecasting", International Journal of Forecasting, 2021): gated
// linear units, gated residual networks, variable selection and interpretable
// multi-head attention.
//
//   GatedResidualNetwork grn(GrnOptions{.input_size = 8, .hidden_size = 16, .output_size = 16});
//   torch::Tensor y = grn->forward(x);  // x: [..., 8] -> y: [..., 16]
//
// Modules are thread-compatible: one module per thread, as with any torch::nn module.
#pragma once

#include <ATen/core/Generator.h>
#include <torch/nn.h>

#include <cstdint>

namespace macropipe::forecast::tft {

// Makes every block's dropout on this thread draw from `generator` while the
// guard lives, in place of LibTorch's global generator. Models trained at once
// on several threads each need one, so that they draw the masks they would
// draw one after another.
class DropoutGeneratorGuard {
 public:
  explicit DropoutGeneratorGuard(at::Generator generator);
  ~DropoutGeneratorGuard();
  DropoutGeneratorGuard(const DropoutGeneratorGuard&) = delete;
  DropoutGeneratorGuard& operator=(const DropoutGeneratorGuard&) = delete;

 private:
  at::Generator previous_;
};

// Inverted dropout: zeroes each element with probability `p` and scales the
// rest by 1 / (1 - p) when `training`, and returns `x` otherwise.
torch::Tensor Dropout(const torch::Tensor& x, double p, bool training);

// GLU(x) = sigmoid(W4 x + b4) * (W5 x + b5), with dropout on its input.
class GatedLinearUnitImpl : public torch::nn::Module {
 public:
  GatedLinearUnitImpl(int64_t input_size, int64_t output_size, double dropout = 0.0);
  torch::Tensor forward(const torch::Tensor& x);

 private:
  torch::nn::Linear linear_{nullptr};  // Outputs the value and the gate side by side.
  int64_t output_size_;
  double dropout_;
};
TORCH_MODULE(GatedLinearUnit);

// Gate, add and normalize: LayerNorm(skip + GLU(x)), the gated skip connection
// used after the LSTM, the attention and the position-wise network.
class GateAddNormImpl : public torch::nn::Module {
 public:
  GateAddNormImpl(int64_t input_size, int64_t output_size, double dropout);
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& skip);

 private:
  GatedLinearUnit glu_{nullptr};
  torch::nn::LayerNorm norm_{nullptr};
};
TORCH_MODULE(GateAddNorm);

struct GrnOptions {
  int64_t input_size = 0;
  int64_t hidden_size = 0;
  int64_t output_size = 0;
  int64_t context_size = 0;  // 0 for a network without a context input.
  double dropout = 0.0;
};

// Gated residual network: LayerNorm(skip(a) + GLU(W1 ELU(W2 a + W3 c + b2) + b1)).
// The skip is a linear projection when input and output sizes differ.
class GatedResidualNetworkImpl : public torch::nn::Module {
 public:
  explicit GatedResidualNetworkImpl(const GrnOptions& options);
  // `context` must be given exactly when the network was built with a context size.
  torch::Tensor forward(const torch::Tensor& a, const torch::Tensor& context = {});

 private:
  torch::nn::Linear skip_{nullptr};  // Null when input and output sizes are equal.
  torch::nn::Linear input_{nullptr};
  torch::nn::Linear context_{nullptr};  // Null without context; has no bias.
  torch::nn::Linear hidden_{nullptr};
  GateAddNorm gate_{nullptr};
};
TORCH_MODULE(GatedResidualNetwork);

// One gated residual network per variable, all evaluated with batched matrix
// products. Input and output are laid out [variables, rows, size]; variable v
// only ever mixes with its own weights.
class VariableWiseGrnImpl : public torch::nn::Module {
 public:
  VariableWiseGrnImpl(int64_t variables, int64_t size, double dropout);
  torch::Tensor forward(const torch::Tensor& x);

 private:
  torch::Tensor LayerNorm(const torch::Tensor& x) const;

  int64_t size_;
  double dropout_;
  torch::Tensor input_weight_, input_bias_;    // [V, size, size], [V, 1, size]
  torch::Tensor hidden_weight_, hidden_bias_;  // [V, size, size], [V, 1, size]
  torch::Tensor gate_weight_, gate_bias_;      // [V, size, 2 size], [V, 1, 2 size]
  torch::Tensor norm_weight_, norm_bias_;      // [V, 1, size]
};
TORCH_MODULE(VariableWiseGrn);

struct SelectionOutput {
  torch::Tensor output;   // [rows, hidden]: the selection-weighted sum of processed inputs.
  torch::Tensor weights;  // [rows, variables]: softmax weights, each row sums to 1.
};

// Variable selection network: softmax weights from a GRN over all embedded
// inputs flattened (with an optional static context), applied to the output
// of one GRN per input.
class VariableSelectionNetworkImpl : public torch::nn::Module {
 public:
  VariableSelectionNetworkImpl(int64_t variables, int64_t hidden_size, int64_t context_size,
                               double dropout);
  // `embeddings` is [rows, variables, hidden]; `context` is [rows, context_size]
  // or undefined when the network was built without context.
  SelectionOutput forward(const torch::Tensor& embeddings, const torch::Tensor& context = {});

  int64_t variables() const { return variables_; }

 private:
  int64_t variables_;
  int64_t hidden_size_;
  GatedResidualNetwork weight_network_{nullptr};
  VariableWiseGrn variable_networks_{nullptr};
};
TORCH_MODULE(VariableSelectionNetwork);

struct AttentionOutput {
  torch::Tensor output;   // [batch, queries, hidden]
  torch::Tensor weights;  // [batch, heads, queries, keys]; zero where masked.
};

// Interpretable multi-head attention: each head has its own query and key
// projection, all heads share one value projection, and the head outputs are
// averaged before the output projection, so the averaged weights explain the
// whole output.
class InterpretableMultiHeadAttentionImpl : public torch::nn::Module {
 public:
  InterpretableMultiHeadAttentionImpl(int64_t hidden_size, int64_t heads, double dropout);
  // `mask` is [queries, keys] of bool, true where a query must not attend.
  AttentionOutput forward(const torch::Tensor& query, const torch::Tensor& key,
                          const torch::Tensor& value, const torch::Tensor& mask);

  int64_t heads() const { return heads_; }
  // Rows [h * head_size, (h + 1) * head_size) of the query and key weights belong to head h.
  torch::nn::Linear query_projection() const { return query_; }
  torch::nn::Linear key_projection() const { return key_; }
  torch::nn::Linear value_projection() const { return value_; }
  torch::nn::Linear output_projection() const { return output_; }

 private:
  int64_t heads_;
  int64_t head_size_;
  torch::nn::Linear query_{nullptr};
  torch::nn::Linear key_{nullptr};
  torch::nn::Linear value_{nullptr};  // Shared by all heads.
  torch::nn::Linear output_{nullptr};
  double dropout_;
};
TORCH_MODULE(InterpretableMultiHeadAttention);

// Returns the [queries, keys] mask that lets query q (at absolute position
// key_offset + q) attend only to keys at positions <= key_offset + q.
torch::Tensor CausalMask(int64_t queries, int64_t keys, int64_t key_offset);

}  // namespace macropipe::forecast::tft
