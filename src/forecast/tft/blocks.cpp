#include "forecast/tft/blocks.h"

#include <cmath>
#include <limits>
#include <string>
#include <utility>

#include "core/error.h"

namespace macropipe::forecast::tft {
namespace {

// Initializes like torch::nn::Linear: uniform in +-1/sqrt(fan_in).
torch::Tensor UniformParameter(std::vector<int64_t> shape, int64_t fan_in) {
  double bound = 1.0 / std::sqrt(static_cast<double>(fan_in));
  return torch::empty(shape).uniform_(-bound, bound);
}

// The generator of DropoutGeneratorGuard on this thread; undefined without one.
thread_local at::Generator dropout_generator;

void RequirePositive(int64_t value, const char* name) {
  if (value <= 0) {
    throw Error(ErrorCode::kInvalidInput, std::string("TFT block size ") + name +
                                              " must be positive, got " + std::to_string(value));
  }
}

}  // namespace

DropoutGeneratorGuard::DropoutGeneratorGuard(at::Generator generator)
    : previous_(std::exchange(dropout_generator, std::move(generator))) {}

DropoutGeneratorGuard::~DropoutGeneratorGuard() { dropout_generator = std::move(previous_); }

torch::Tensor Dropout(const torch::Tensor& x, double p, bool training) {
  if (!training || p == 0.0) return x;
  c10::optional<at::Generator> generator;
  if (dropout_generator.defined()) generator = dropout_generator;
  torch::Tensor keep = torch::empty_like(x).bernoulli_(1.0 - p, generator);
  return x * keep / (1.0 - p);
}

GatedLinearUnitImpl::GatedLinearUnitImpl(int64_t input_size, int64_t output_size, double dropout)
    : output_size_(output_size), dropout_(dropout) {
  RequirePositive(input_size, "input_size");
  RequirePositive(output_size, "output_size");
  linear_ = register_module("linear", torch::nn::Linear(input_size, 2 * output_size));
}

torch::Tensor GatedLinearUnitImpl::forward(const torch::Tensor& x) {
  torch::Tensor both = linear_->forward(Dropout(x, dropout_, is_training()));
  torch::Tensor value = both.narrow(-1, 0, output_size_);
  torch::Tensor gate = both.narrow(-1, output_size_, output_size_);
  return torch::sigmoid(gate) * value;
}

GateAddNormImpl::GateAddNormImpl(int64_t input_size, int64_t output_size, double dropout) {
  glu_ = register_module("glu", GatedLinearUnit(input_size, output_size, dropout));
  norm_ = register_module("norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({output_size})));
}

torch::Tensor GateAddNormImpl::forward(const torch::Tensor& x, const torch::Tensor& skip) {
  return norm_->forward(skip + glu_->forward(x));
}

GatedResidualNetworkImpl::GatedResidualNetworkImpl(const GrnOptions& options) {
  RequirePositive(options.hidden_size, "hidden_size");
  if (options.input_size != options.output_size) {
    skip_ = register_module("skip", torch::nn::Linear(options.input_size, options.output_size));
  }
  input_ = register_module("input", torch::nn::Linear(options.input_size, options.hidden_size));
  if (options.context_size > 0) {
    context_ = register_module(
        "context",
        torch::nn::Linear(
            torch::nn::LinearOptions(options.context_size, options.hidden_size).bias(false)));
  }
  hidden_ = register_module("hidden", torch::nn::Linear(options.hidden_size, options.hidden_size));
  gate_ = register_module("gate",
                          GateAddNorm(options.hidden_size, options.output_size, options.dropout));
}

torch::Tensor GatedResidualNetworkImpl::forward(const torch::Tensor& a,
                                                const torch::Tensor& context) {
  if (context.defined() != !context_.is_empty()) {
    throw Error(ErrorCode::kInternal,
                context.defined() ? "a context was passed to a gated residual network built "
                                    "without a context input"
                                  : "a gated residual network built with a context input was "
                                    "called without a context");
  }
  torch::Tensor skip = skip_.is_empty() ? a : skip_->forward(a);
  torch::Tensor eta = input_->forward(a);
  if (context.defined()) eta = eta + context_->forward(context);
  eta = hidden_->forward(torch::elu(eta));
  return gate_->forward(eta, skip);
}

VariableWiseGrnImpl::VariableWiseGrnImpl(int64_t variables, int64_t size, double dropout)
    : size_(size), dropout_(dropout) {
  RequirePositive(variables, "variables");
  RequirePositive(size, "hidden_size");
  input_weight_ =
      register_parameter("input_weight", UniformParameter({variables, size, size}, size));
  input_bias_ = register_parameter("input_bias", UniformParameter({variables, 1, size}, size));
  hidden_weight_ =
      register_parameter("hidden_weight", UniformParameter({variables, size, size}, size));
  hidden_bias_ = register_parameter("hidden_bias", UniformParameter({variables, 1, size}, size));
  gate_weight_ =
      register_parameter("gate_weight", UniformParameter({variables, size, 2 * size}, size));
  gate_bias_ = register_parameter("gate_bias", UniformParameter({variables, 1, 2 * size}, size));
  norm_weight_ = register_parameter("norm_weight", torch::ones({variables, 1, size}));
  norm_bias_ = register_parameter("norm_bias", torch::zeros({variables, 1, size}));
}

torch::Tensor VariableWiseGrnImpl::LayerNorm(const torch::Tensor& x) const {
  return torch::layer_norm(x, {size_}) * norm_weight_ + norm_bias_;
}

torch::Tensor VariableWiseGrnImpl::forward(const torch::Tensor& x) {
  torch::Tensor eta = torch::elu(torch::baddbmm(input_bias_, x, input_weight_));
  eta = torch::baddbmm(hidden_bias_, eta, hidden_weight_);
  eta = Dropout(eta, dropout_, is_training());
  torch::Tensor both = torch::baddbmm(gate_bias_, eta, gate_weight_);
  torch::Tensor gated = torch::sigmoid(both.narrow(-1, size_, size_)) * both.narrow(-1, 0, size_);
  return LayerNorm(x + gated);
}

VariableSelectionNetworkImpl::VariableSelectionNetworkImpl(int64_t variables, int64_t hidden_size,
                                                           int64_t context_size, double dropout)
    : variables_(variables), hidden_size_(hidden_size) {
  weight_network_ = register_module(
      "weight_network", GatedResidualNetwork(GrnOptions{.input_size = variables * hidden_size,
                                                        .hidden_size = hidden_size,
                                                        .output_size = variables,
                                                        .context_size = context_size,
                                                        .dropout = dropout}));
  variable_networks_ =
      register_module("variable_networks", VariableWiseGrn(variables, hidden_size, dropout));
}

SelectionOutput VariableSelectionNetworkImpl::forward(const torch::Tensor& embeddings,
                                                      const torch::Tensor& context) {
  if (embeddings.dim() != 3 || embeddings.size(1) != variables_ ||
      embeddings.size(2) != hidden_size_) {
    throw Error(ErrorCode::kInternal, "variable selection expects embeddings of shape [rows, " +
                                          std::to_string(variables_) + ", " +
                                          std::to_string(hidden_size_) + "], got " +
                                          c10::str(embeddings.sizes()));
  }
  int64_t rows = embeddings.size(0);
  torch::Tensor flat = embeddings.reshape({rows, variables_ * hidden_size_});
  torch::Tensor weights = torch::softmax(weight_network_->forward(flat, context), -1);

  // [variables, rows, hidden], so each variable's GRN is one batched product.
  torch::Tensor processed = variable_networks_->forward(embeddings.transpose(0, 1));
  torch::Tensor output = (processed * weights.t().unsqueeze(-1)).sum(0);
  return {output, weights};
}

InterpretableMultiHeadAttentionImpl::InterpretableMultiHeadAttentionImpl(int64_t hidden_size,
                                                                         int64_t heads,
                                                                         double dropout)
    : heads_(heads), dropout_(dropout) {
  RequirePositive(heads, "heads");
  if (hidden_size % heads != 0) {
    throw Error(ErrorCode::kInvalidInput,
                "TFT hidden_size " + std::to_string(hidden_size) +
                    " must be a multiple of the number of attention heads " +
                    std::to_string(heads));
  }
  head_size_ = hidden_size / heads;
  query_ = register_module("query", torch::nn::Linear(hidden_size, heads * head_size_));
  key_ = register_module("key", torch::nn::Linear(hidden_size, heads * head_size_));
  value_ = register_module("value", torch::nn::Linear(hidden_size, head_size_));
  output_ = register_module("output", torch::nn::Linear(head_size_, hidden_size));
}

AttentionOutput InterpretableMultiHeadAttentionImpl::forward(const torch::Tensor& query,
                                                             const torch::Tensor& key,
                                                             const torch::Tensor& value,
                                                             const torch::Tensor& mask) {
  int64_t batch = query.size(0);
  int64_t queries = query.size(1);
  int64_t keys = key.size(1);

  // [batch, heads, positions, head_size]
  torch::Tensor q =
      query_->forward(query).view({batch, queries, heads_, head_size_}).transpose(1, 2);
  torch::Tensor k = key_->forward(key).view({batch, keys, heads_, head_size_}).transpose(1, 2);
  torch::Tensor v = value_->forward(value).unsqueeze(1);  // [batch, 1, keys, head_size]

  torch::Tensor scores =
      torch::matmul(q, k.transpose(-2, -1)) / std::sqrt(static_cast<double>(head_size_));
  scores = scores.masked_fill(mask, -std::numeric_limits<float>::infinity());
  torch::Tensor weights = torch::softmax(scores, -1);
  torch::Tensor heads = torch::matmul(Dropout(weights, dropout_, is_training()), v);
  return {output_->forward(heads.mean(1)), weights};
}

torch::Tensor CausalMask(int64_t queries, int64_t keys, int64_t key_offset) {
  torch::Tensor key_positions = torch::arange(keys, torch::kLong).unsqueeze(0);
  torch::Tensor query_positions = (torch::arange(queries, torch::kLong) + key_offset).unsqueeze(1);
  return key_positions > query_positions;
}

}  // namespace macropipe::forecast::tft
