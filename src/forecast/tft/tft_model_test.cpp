#include "forecast/tft/tft_model.h"

#include <gtest/gtest.h>
#include <torch/optim/adam.h>

#include <string>
#include <vector>

#include "core/error.h"
#include "forecast/tft/quantile_loss.h"

namespace macropipe::forecast::tft {
namespace {

std::vector<int64_t> Shape(const torch::Tensor& tensor) { return tensor.sizes().vec(); }

TftModelOptions SmallOptions() {
  return {.observed_inputs = 4,
          .known_inputs = 3,
          .entities = 2,
          .hidden_size = 8,
          .attention_heads = 2,
          .dropout = 0.0,
          .encoder_length = 6,
          .decoder_length = 3};
}

TftBatch RandomBatch(const TftModelOptions& options, int64_t size) {
  return {
      torch::randn({size, options.encoder_length, options.observed_inputs, 2}),
      torch::randn({size, options.encoder_length + options.decoder_length, options.known_inputs}),
      torch::randint(0, options.entities, {size}, torch::kLong)};
}

TEST(TftModelTest, OutputShapes) {
  torch::manual_seed(0);
  TftModelOptions options = SmallOptions();
  TftModel model(options);
  TftOutput out = model->forward(RandomBatch(options, 5));
  EXPECT_EQ(Shape(out.quantiles), (std::vector<int64_t>{5, 3, 3}));
  EXPECT_EQ(Shape(out.encoder_weights), (std::vector<int64_t>{5, 6, 7}));
  EXPECT_EQ(Shape(out.decoder_weights), (std::vector<int64_t>{5, 3, 3}));
  EXPECT_EQ(Shape(out.attention), (std::vector<int64_t>{5, 2, 3, 9}));
  EXPECT_TRUE(torch::allclose(out.encoder_weights.sum(-1), torch::ones({5, 6})));
  EXPECT_TRUE(torch::allclose(out.decoder_weights.sum(-1), torch::ones({5, 3})));
}

TEST(TftModelTest, DecoderSelectsAmongKnownInputsOnly) {
  TftModelOptions options = SmallOptions();
  TftModel model(options);
  EXPECT_EQ(model->decoder_selection()->variables(), options.known_inputs);
}

TEST(TftModelTest, RejectsObservedInputsForDecoderMonths) {
  torch::manual_seed(0);
  TftModelOptions options = SmallOptions();
  TftModel model(options);
  TftBatch batch = RandomBatch(options, 2);
  batch.observed = torch::randn(
      {2, options.encoder_length + options.decoder_length, options.observed_inputs, 2});
  EXPECT_THROW(model->forward(batch), Error);
}

TEST(TftModelTest, AttentionIsCausal) {
  torch::manual_seed(0);
  TftModelOptions options = SmallOptions();
  TftModel model(options);
  TftOutput out = model->forward(RandomBatch(options, 4));
  for (int64_t q = 0; q < options.decoder_length; ++q) {
    SCOPED_TRACE("decoder step " + std::to_string(q));
    int64_t visible = options.encoder_length + q + 1;
    torch::Tensor future = out.attention.select(2, q).narrow(
        -1, visible, options.encoder_length + options.decoder_length - visible);
    EXPECT_EQ(future.abs().sum().item<double>(), 0.0);
  }
}

TEST(TftModelTest, FutureKnownInputsChangeOnlyLaterHorizons) {
  torch::manual_seed(0);
  TftModelOptions options = SmallOptions();
  TftModel model(options);
  model->eval();
  TftBatch batch = RandomBatch(options, 3);
  torch::Tensor before = model->forward(batch).quantiles;
  // The known inputs of the last decoder month reach only that month.
  batch.known.select(1, options.encoder_length + options.decoder_length - 1) += 1.0;
  torch::Tensor after = model->forward(batch).quantiles;
  EXPECT_TRUE(torch::equal(after.narrow(1, 0, options.decoder_length - 1),
                           before.narrow(1, 0, options.decoder_length - 1)));
  EXPECT_FALSE(torch::allclose(after.select(1, options.decoder_length - 1),
                               before.select(1, options.decoder_length - 1)));
}

TEST(TftModelTest, OverfitsSmallBatch) {
  torch::manual_seed(0);
  TftModelOptions options = SmallOptions();
  options.hidden_size = 16;
  TftModel model(options);
  TftBatch batch = RandomBatch(options, 8);
  torch::Tensor target = torch::randn({8, options.decoder_length});
  torch::Tensor mask = torch::ones({8, options.decoder_length});
  torch::optim::Adam optimizer(model->parameters(), torch::optim::AdamOptions(1e-2));

  double first = 0.0;
  double last = 0.0;
  for (int step = 0; step < 400; ++step) {
    optimizer.zero_grad();
    torch::Tensor loss =
        QuantileLoss(model->forward(batch).quantiles, target, mask, options.quantiles);
    if (step == 0) first = loss.item<double>();
    last = loss.item<double>();
    loss.backward();
    optimizer.step();
  }
  EXPECT_GT(first, 0.5);
  EXPECT_LT(last, 0.05 * first);
}

TEST(TftModelTest, RejectsEmptyInputs) {
  TftModelOptions options = SmallOptions();
  options.observed_inputs = 0;
  EXPECT_THROW(TftModel{options}, Error);
}

}  // namespace
}  // namespace macropipe::forecast::tft
