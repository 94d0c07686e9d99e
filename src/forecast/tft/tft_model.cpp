#include "forecast/tft/tft_model.h"

#include <c10/util/StringUtil.h>

#include <cmath>
#include <string>
#include <tuple>

#include "core/error.h"

namespace macropipe::forecast::tft {
namespace {

torch::Tensor UniformParameter(std::vector<int64_t> shape, int64_t fan_in) {
  double bound = 1.0 / std::sqrt(static_cast<double>(fan_in));
  return torch::empty(shape).uniform_(-bound, bound);
}

GatedResidualNetwork MakeGrn(int64_t hidden, int64_t context, double dropout) {
  return GatedResidualNetwork(GrnOptions{.input_size = hidden,
                                         .hidden_size = hidden,
                                         .output_size = hidden,
                                         .context_size = context,
                                         .dropout = dropout});
}

void RequireShape(const torch::Tensor& tensor, const char* name,
                  const std::vector<int64_t>& expected) {
  if (!tensor.defined() || tensor.sizes() != c10::IntArrayRef(expected)) {
    throw Error(ErrorCode::kInternal,
                std::string("TFT batch tensor '") + name + "' should have shape " +
                    c10::str(c10::IntArrayRef(expected)) + ", got " +
                    (tensor.defined() ? c10::str(tensor.sizes()) : std::string("nothing")));
  }
}

}  // namespace

TftModelImpl::TftModelImpl(const TftModelOptions& options) : options_(options) {
  int64_t hidden = options.hidden_size;
  double dropout = options.dropout;
  if (options.observed_inputs <= 0 || options.known_inputs <= 0 || options.entities <= 0 ||
      options.encoder_length <= 0 || options.decoder_length <= 0 || options.quantiles.empty()) {
    throw Error(ErrorCode::kInvalidInput,
                "TFT model needs at least one observed input, known input, entity, encoder step, "
                "decoder step and quantile");
  }

  // Linear projections of continuous inputs: one weight per variable.
  observed_weight_ = register_parameter("observed_weight",
                                        UniformParameter({options.observed_inputs, 2, hidden}, 2));
  observed_bias_ = register_parameter("observed_bias",
                                      UniformParameter({options.observed_inputs, 1, hidden}, 2));
  known_weight_ =
      register_parameter("known_weight", UniformParameter({options.known_inputs, 1, hidden}, 1));
  known_bias_ =
      register_parameter("known_bias", UniformParameter({options.known_inputs, 1, hidden}, 1));
  entity_embedding_ =
      register_module("entity_embedding", torch::nn::Embedding(options.entities, hidden));

  // Static covariate encoders: four context vectors from the selected static input.
  static_selection_ =
      register_module("static_selection", VariableSelectionNetwork(1, hidden, 0, dropout));
  selection_context_ = register_module("selection_context", MakeGrn(hidden, 0, dropout));
  hidden_context_ = register_module("hidden_context", MakeGrn(hidden, 0, dropout));
  cell_context_ = register_module("cell_context", MakeGrn(hidden, 0, dropout));
  enrichment_context_ = register_module("enrichment_context", MakeGrn(hidden, 0, dropout));

  encoder_selection_ = register_module(
      "encoder_selection", VariableSelectionNetwork(options.observed_inputs + options.known_inputs,
                                                    hidden, hidden, dropout));
  decoder_selection_ = register_module(
      "decoder_selection", VariableSelectionNetwork(options.known_inputs, hidden, hidden, dropout));

  auto lstm_options = torch::nn::LSTMOptions(hidden, hidden).batch_first(true);
  encoder_lstm_ = register_module("encoder_lstm", torch::nn::LSTM(lstm_options));
  decoder_lstm_ = register_module("decoder_lstm", torch::nn::LSTM(lstm_options));
  lstm_gate_ = register_module("lstm_gate", GateAddNorm(hidden, hidden, dropout));

  enrichment_ = register_module("enrichment", MakeGrn(hidden, hidden, dropout));
  attention_ = register_module(
      "attention", InterpretableMultiHeadAttention(hidden, options.attention_heads, dropout));
  attention_gate_ = register_module("attention_gate", GateAddNorm(hidden, hidden, dropout));
  position_wise_ = register_module("position_wise", MakeGrn(hidden, 0, dropout));
  output_gate_ = register_module("output_gate", GateAddNorm(hidden, hidden, 0.0));
  output_ = register_module(
      "output", torch::nn::Linear(hidden, static_cast<int64_t>(options.quantiles.size())));

  causal_mask_ =
      register_buffer("causal_mask", CausalMask(options.decoder_length,
                                                options.encoder_length + options.decoder_length,
                                                options.encoder_length));
}

void TftModelImpl::CheckShapes(const TftBatch& batch) const {
  int64_t size = batch.observed.defined() ? batch.observed.size(0) : 0;
  RequireShape(batch.observed, "observed",
               {size, options_.encoder_length, options_.observed_inputs, 2});
  RequireShape(batch.known, "known",
               {size, options_.encoder_length + options_.decoder_length, options_.known_inputs});
  RequireShape(batch.entity, "entity", {size});
}

torch::Tensor TftModelImpl::Project(const torch::Tensor& inputs, const torch::Tensor& weight,
                                    const torch::Tensor& bias) {
  int64_t rows = inputs.size(0) * inputs.size(1);
  torch::Tensor by_variable =
      inputs.reshape({rows, inputs.size(2), inputs.size(3)}).transpose(0, 1);
  return torch::baddbmm(bias, by_variable, weight).transpose(0, 1);
}

TftOutput TftModelImpl::forward(const TftBatch& batch) {
  CheckShapes(batch);
  int64_t size = batch.observed.size(0);
  int64_t encoder_length = options_.encoder_length;
  int64_t decoder_length = options_.decoder_length;
  int64_t total_length = encoder_length + decoder_length;
  int64_t hidden = options_.hidden_size;

  // Static covariate encoders.
  torch::Tensor entity = entity_embedding_->forward(batch.entity).unsqueeze(1);
  torch::Tensor static_input = static_selection_->forward(entity).output;  // [batch, hidden]
  torch::Tensor selection_context = selection_context_->forward(static_input);
  torch::Tensor initial_hidden = hidden_context_->forward(static_input).unsqueeze(0);
  torch::Tensor initial_cell = cell_context_->forward(static_input).unsqueeze(0);
  torch::Tensor enrichment_context = enrichment_context_->forward(static_input);

  // Variable selection. The encoder receives observed and known inputs, and the
  // decoder receives the known inputs of future months only.
  torch::Tensor known = batch.known.unsqueeze(-1);
  torch::Tensor encoder_embeddings =
      torch::cat({Project(batch.observed, observed_weight_, observed_bias_),
                  Project(known.narrow(1, 0, encoder_length), known_weight_, known_bias_)},
                 1);
  torch::Tensor decoder_embeddings =
      Project(known.narrow(1, encoder_length, decoder_length), known_weight_, known_bias_);
  auto context_for = [&](int64_t steps) {
    return selection_context.unsqueeze(1)
        .expand({size, steps, hidden})
        .reshape({size * steps, hidden});
  };
  SelectionOutput encoder =
      encoder_selection_->forward(encoder_embeddings, context_for(encoder_length));
  SelectionOutput decoder =
      decoder_selection_->forward(decoder_embeddings, context_for(decoder_length));
  torch::Tensor encoder_input = encoder.output.view({size, encoder_length, hidden});
  torch::Tensor decoder_input = decoder.output.view({size, decoder_length, hidden});

  // Sequence-to-sequence layer: the decoder LSTM starts from the encoder's final state.
  auto [encoder_output, encoder_state] =
      encoder_lstm_->forward(encoder_input, std::make_tuple(initial_hidden, initial_cell));
  torch::Tensor decoder_output = std::get<0>(decoder_lstm_->forward(decoder_input, encoder_state));
  torch::Tensor temporal = lstm_gate_->forward(torch::cat({encoder_output, decoder_output}, 1),
                                               torch::cat({encoder_input, decoder_input}, 1));

  // Static enrichment, then causal attention from each future month to the past and itself.
  torch::Tensor enriched = enrichment_->forward(
      temporal, enrichment_context.unsqueeze(1).expand({size, total_length, hidden}));
  torch::Tensor future = enriched.narrow(1, encoder_length, decoder_length);
  AttentionOutput attention = attention_->forward(future, enriched, enriched, causal_mask_);
  torch::Tensor attended = attention_gate_->forward(attention.output, future);

  torch::Tensor features = position_wise_->forward(attended);
  features = output_gate_->forward(features, temporal.narrow(1, encoder_length, decoder_length));

  return {output_->forward(features),
          encoder.weights.view({size, encoder_length, encoder_embeddings.size(1)}),
          decoder.weights.view({size, decoder_length, options_.known_inputs}), attention.weights};
}

}  // namespace macropipe::forecast::tft
