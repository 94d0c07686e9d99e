#include "forecast/tft/blocks.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/error.h"

namespace macropipe::forecast::tft {
namespace {

std::vector<int64_t> Shape(const torch::Tensor& tensor) { return tensor.sizes().vec(); }

torch::Tensor Parameter(torch::nn::Module& module, const std::string& name) {
  return module.named_parameters()[name];
}

TEST(GatedLinearUnitTest, OutputShape) {
  torch::manual_seed(0);
  GatedLinearUnit glu(8, 5);
  EXPECT_EQ(Shape(glu->forward(torch::randn({3, 4, 8}))), (std::vector<int64_t>{3, 4, 5}));
}

TEST(GatedLinearUnitTest, GatesValueWithSigmoid) {
  torch::manual_seed(0);
  GatedLinearUnit glu(4, 3);
  torch::Tensor x = torch::randn({6, 4});
  torch::Tensor weight = Parameter(*glu, "linear.weight");
  torch::Tensor bias = Parameter(*glu, "linear.bias");
  torch::Tensor value = torch::matmul(x, weight.narrow(0, 0, 3).t()) + bias.narrow(0, 0, 3);
  torch::Tensor gate = torch::matmul(x, weight.narrow(0, 3, 3).t()) + bias.narrow(0, 3, 3);
  EXPECT_TRUE(torch::allclose(glu->forward(x), torch::sigmoid(gate) * value));
}

TEST(GatedResidualNetworkTest, OutputShapesWithAndWithoutContext) {
  struct Case {
    int64_t input, output, context;
  };
  for (Case c : {Case{8, 8, 0}, Case{8, 4, 0}, Case{8, 8, 6}, Case{3, 5, 6}}) {
    SCOPED_TRACE("input " + std::to_string(c.input) + " output " + std::to_string(c.output) +
                 " context " + std::to_string(c.context));
    torch::manual_seed(0);
    GatedResidualNetwork grn(GrnOptions{.input_size = c.input,
                                        .hidden_size = 7,
                                        .output_size = c.output,
                                        .context_size = c.context,
                                        .dropout = 0.1});
    grn->eval();
    torch::Tensor context = c.context > 0 ? torch::randn({2, 9, c.context}) : torch::Tensor();
    torch::Tensor y = grn->forward(torch::randn({2, 9, c.input}), context);
    EXPECT_EQ(Shape(y), (std::vector<int64_t>{2, 9, c.output}));
    // The final layer norm starts with unit gain and zero bias.
    EXPECT_LT(y.mean(-1).abs().max().item<double>(), 1e-5);
  }
}

TEST(GatedResidualNetworkTest, ContextChangesOutput) {
  torch::manual_seed(0);
  GatedResidualNetwork grn(
      GrnOptions{.input_size = 4, .hidden_size = 4, .output_size = 4, .context_size = 3});
  torch::Tensor a = torch::randn({5, 4});
  torch::Tensor first = grn->forward(a, torch::zeros({5, 3}));
  torch::Tensor second = grn->forward(a, torch::ones({5, 3}));
  EXPECT_FALSE(torch::allclose(first, second));
}

TEST(GatedResidualNetworkTest, RejectsContextMismatch) {
  GatedResidualNetwork with_context(
      GrnOptions{.input_size = 4, .hidden_size = 4, .output_size = 4, .context_size = 3});
  GatedResidualNetwork without_context(
      GrnOptions{.input_size = 4, .hidden_size = 4, .output_size = 4});
  EXPECT_THROW(with_context->forward(torch::randn({2, 4})), Error);
  EXPECT_THROW(without_context->forward(torch::randn({2, 4}), torch::randn({2, 3})), Error);
}

TEST(VariableWiseGrnTest, EachVariableUsesOnlyItsOwnInput) {
  torch::manual_seed(0);
  VariableWiseGrn grn(4, 8, 0.0);
  torch::Tensor x = torch::randn({4, 6, 8});
  torch::Tensor y = grn->forward(x);
  torch::Tensor changed_input = x.clone();
  changed_input[2] += 1.0;
  torch::Tensor changed = grn->forward(changed_input);
  for (int64_t v : {0, 1, 3}) {
    SCOPED_TRACE("variable " + std::to_string(v));
    EXPECT_TRUE(torch::equal(changed[v], y[v]));
  }
  EXPECT_FALSE(torch::allclose(changed[2], y[2]));
}

TEST(VariableWiseGrnTest, VariablesHaveSeparateWeights) {
  torch::manual_seed(0);
  VariableWiseGrn grn(3, 8, 0.0);
  torch::Tensor same = torch::randn({1, 5, 8}).expand({3, 5, 8});
  torch::Tensor y = grn->forward(same);
  EXPECT_FALSE(torch::allclose(y[0], y[1]));
  EXPECT_FALSE(torch::allclose(y[1], y[2]));
}

TEST(VariableSelectionNetworkTest, WeightsSumToOne) {
  torch::manual_seed(0);
  VariableSelectionNetwork vsn(5, 8, 6, 0.1);
  SelectionOutput out = vsn->forward(torch::randn({11, 5, 8}), torch::randn({11, 6}));
  EXPECT_EQ(Shape(out.output), (std::vector<int64_t>{11, 8}));
  EXPECT_EQ(Shape(out.weights), (std::vector<int64_t>{11, 5}));
  EXPECT_TRUE(torch::allclose(out.weights.sum(-1), torch::ones({11})));
  EXPECT_GE(out.weights.min().item<double>(), 0.0);
}

TEST(VariableSelectionNetworkTest, SingleInputGetsFullWeight) {
  torch::manual_seed(0);
  VariableSelectionNetwork vsn(1, 8, 0, 0.0);
  SelectionOutput out = vsn->forward(torch::randn({4, 1, 8}));
  EXPECT_TRUE(torch::allclose(out.weights, torch::ones({4, 1})));
}

TEST(VariableSelectionNetworkTest, RejectsWrongEmbeddingShape) {
  VariableSelectionNetwork vsn(5, 8, 0, 0.0);
  EXPECT_THROW(vsn->forward(torch::randn({11, 4, 8})), Error);
}

TEST(CausalMaskTest, BlocksOnlyLaterPositions) {
  torch::Tensor mask = CausalMask(3, 8, 5);
  for (int64_t q = 0; q < 3; ++q) {
    for (int64_t k = 0; k < 8; ++k) {
      SCOPED_TRACE("query " + std::to_string(q) + " key " + std::to_string(k));
      EXPECT_EQ(mask[q][k].item<bool>(), k > 5 + q);
    }
  }
}

TEST(InterpretableMultiHeadAttentionTest, GivesZeroWeightToFuturePositions) {
  torch::manual_seed(0);
  InterpretableMultiHeadAttention attention(8, 2, 0.0);
  torch::Tensor keys = torch::randn({4, 8, 8});
  torch::Tensor queries = keys.narrow(1, 5, 3);
  AttentionOutput out = attention->forward(queries, keys, keys, CausalMask(3, 8, 5));
  EXPECT_EQ(Shape(out.output), (std::vector<int64_t>{4, 3, 8}));
  EXPECT_EQ(Shape(out.weights), (std::vector<int64_t>{4, 2, 3, 8}));
  EXPECT_TRUE(torch::allclose(out.weights.sum(-1), torch::ones({4, 2, 3})));
  for (int64_t q = 0; q < 3; ++q) {
    SCOPED_TRACE("query " + std::to_string(q));
    torch::Tensor future = out.weights.select(2, q).narrow(-1, 6 + q, 2 - q);
    EXPECT_EQ(future.abs().sum().item<double>(), 0.0);
    EXPECT_GT(out.weights.select(2, q).narrow(-1, 0, 6 + q).min().item<double>(), 0.0);
  }
}

TEST(InterpretableMultiHeadAttentionTest, HeadsShareValueProjection) {
  torch::manual_seed(0);
  InterpretableMultiHeadAttention attention(8, 4, 0.0);
  EXPECT_EQ(Shape(attention->value_projection()->weight), (std::vector<int64_t>{2, 8}));
  EXPECT_EQ(Shape(attention->query_projection()->weight), (std::vector<int64_t>{8, 8}));
  EXPECT_EQ(Shape(attention->key_projection()->weight), (std::vector<int64_t>{8, 8}));

  // The output must be the output projection of the head-averaged weights
  // applied to one shared set of values.
  torch::Tensor x = torch::randn({3, 6, 8});
  AttentionOutput out = attention->forward(x, x, x, CausalMask(6, 6, 0));
  torch::Tensor values = attention->value_projection()->forward(x);  // [3, 6, 2]
  torch::Tensor expected = attention->output_projection()->forward(
      torch::matmul(out.weights, values.unsqueeze(1)).mean(1));
  EXPECT_TRUE(torch::allclose(out.output, expected, 1e-5, 1e-6));
}

TEST(InterpretableMultiHeadAttentionTest, HeadsHaveTheirOwnWeights) {
  torch::manual_seed(0);
  InterpretableMultiHeadAttention attention(8, 2, 0.0);
  torch::Tensor x = torch::randn({1, 6, 8});
  AttentionOutput out = attention->forward(x, x, x, CausalMask(6, 6, 0));
  EXPECT_FALSE(torch::allclose(out.weights[0][0], out.weights[0][1]));
}

TEST(InterpretableMultiHeadAttentionTest, RejectsHiddenSizeNotDivisibleByHeads) {
  EXPECT_THROW(InterpretableMultiHeadAttention(10, 4, 0.0), Error);
}

}  // namespace
}  // namespace macropipe::forecast::tft
