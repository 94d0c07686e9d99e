#include "forecast/tft/quantile_loss.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/error.h"

namespace macropipe::forecast::tft {
namespace {

const std::vector<double> kQuantiles = {0.1, 0.5, 0.9};

// Two samples, two horizons. Sample 0 is worked out by hand below; sample 1
// predicts its targets exactly.
torch::Tensor Predictions() {
  return torch::tensor({0.0, 1.0, 2.0, -3.0, -2.0, 0.0, 4.0, 4.0, 4.0, 5.0, 5.0, 5.0})
      .to(torch::kFloat32)
      .view({2, 2, 3});
}
torch::Tensor Targets() {
  return torch::tensor({1.0, -2.0, 4.0, 5.0}).to(torch::kFloat32).view({2, 2});
}

TEST(QuantileLossTest, MatchesHandComputedValues) {
  // Sample 0, horizon 1: errors y - yhat = (1, 0, -1): 0.1 * 1 + 0 + 0.1 * 1 = 0.2.
  // Sample 0, horizon 2: errors (1, 0, -2): 0.1 * 1 + 0 + 0.1 * 2 = 0.3.
  struct Case {
    std::string name;
    std::vector<double> mask;
    double expected;
  };
  std::vector<Case> cases = {
      {"all targets", {1, 1, 1, 1}, (0.2 + 0.3) / 2},
      {"second horizon masked", {1, 0, 1, 1}, 0.2 / 2},
      {"first horizon masked", {0, 1, 1, 1}, 0.3 / 2},
      {"everything masked", {0, 0, 0, 0}, 0.0},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    torch::Tensor mask = torch::tensor(c.mask).to(torch::kFloat32).view({2, 2});
    double loss = QuantileLoss(Predictions(), Targets(), mask, kQuantiles).item<double>();
    EXPECT_NEAR(loss, c.expected, 1e-6);
  }
}

TEST(QuantileLossTest, PenalizesUnderAndOverPredictionAsymmetrically) {
  torch::Tensor target = torch::zeros({1, 1});
  torch::Tensor mask = torch::ones({1, 1});
  torch::Tensor under = torch::full({1, 1, 1}, -1.0);
  torch::Tensor over = torch::full({1, 1, 1}, 1.0);
  EXPECT_NEAR(QuantileLoss(under, target, mask, {0.9}).item<double>(), 0.9, 1e-6);
  EXPECT_NEAR(QuantileLoss(over, target, mask, {0.9}).item<double>(), 0.1, 1e-6);
}

TEST(QuantileLossTest, RejectsMismatchedShapes) {
  torch::Tensor mask = torch::ones({2, 2});
  EXPECT_THROW(QuantileLoss(Predictions(), Targets(), mask, {0.5}), Error);
  EXPECT_THROW(QuantileLoss(Predictions(), torch::zeros({2, 3}), mask, kQuantiles), Error);
  EXPECT_THROW(QuantileLoss(Predictions(), Targets(), torch::ones({2, 1}), kQuantiles), Error);
}

}  // namespace
}  // namespace macropipe::forecast::tft
