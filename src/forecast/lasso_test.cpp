#include "forecast/lasso.h"

#include <gtest/gtest.h>

#include <random>

#include "core/error.h"

namespace macropipe::forecast {
namespace {

struct Sample {
  Eigen::MatrixXd x;
  Eigen::VectorXd y;
};

// y = 1 + x'b + noise with standard normal regressors.
Sample Simulate(int rows, const Eigen::VectorXd& b, double noise_scale, unsigned seed) {
  std::mt19937 generator(seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  Sample sample{Eigen::MatrixXd(rows, b.size()), Eigen::VectorXd(rows)};
  for (int i = 0; i < rows; ++i) {
    for (Eigen::Index j = 0; j < b.size(); ++j) sample.x(i, j) = normal(generator);
    sample.y(i) = 1 + sample.x.row(i).dot(b) + noise_scale * normal(generator);
  }
  return sample;
}

TEST(LassoTest, RecoversSparseCoefficients) {
  Eigen::VectorXd truth = Eigen::VectorXd::Zero(40);
  truth(0) = 2.0;
  truth(3) = -1.5;
  truth(7) = 0.5;
  Sample sample = Simulate(400, truth, 0.5, 11);
  LassoFit fit = FitLassoBic(MomentsOf(sample.x, sample.y), LassoOptions{});

  for (Eigen::Index j = 0; j < truth.size(); ++j) {
    SCOPED_TRACE("coefficient " + std::to_string(j));
    if (truth(j) != 0) {
      EXPECT_NEAR(fit.coefficients(j), truth(j), 0.1);
    } else {
      EXPECT_NEAR(fit.coefficients(j), 0, 0.05);
    }
  }
  EXPECT_NEAR(fit.intercept, 1, 0.1);
  EXPECT_GE(fit.degrees_of_freedom, 3);
  EXPECT_LE(fit.degrees_of_freedom, 8);
}

TEST(LassoTest, NoiseOnlyChoosesSmallModel) {
  Sample sample = Simulate(300, Eigen::VectorXd::Zero(30), 1.0, 5);
  LassoFit fit = FitLassoBic(MomentsOf(sample.x, sample.y), LassoOptions{});
  EXPECT_LE(fit.degrees_of_freedom, 2);
  EXPECT_NEAR(fit.intercept, sample.y.mean(), 0.2);
}

// The BIC of the chosen fit is recomputed from its residuals and compared
// with the BIC of the empty model and of the unpenalized least squares fit.
TEST(LassoTest, ChosenBicBeatsEmptyAndFullModels) {
  Eigen::VectorXd truth = Eigen::VectorXd::Zero(20);
  truth(1) = 1.0;
  truth(2) = 0.7;
  Sample sample = Simulate(200, truth, 1.0, 3);
  LassoFit fit = FitLassoBic(MomentsOf(sample.x, sample.y), LassoOptions{});
  const double n = 200;
  auto bic = [&](const Eigen::VectorXd& residuals, int df) {
    return n * std::log(residuals.squaredNorm() / n) + df * std::log(n);
  };

  Eigen::VectorXd fitted_residuals(200);
  for (int i = 0; i < 200; ++i) {
    fitted_residuals(i) = sample.y(i) - fit.Predict(sample.x.row(i).transpose());
  }
  EXPECT_NEAR(fit.bic, bic(fitted_residuals, fit.degrees_of_freedom), 1e-6);

  Eigen::VectorXd empty_residuals = sample.y.array() - sample.y.mean();
  EXPECT_LT(fit.bic, bic(empty_residuals, 0));

  Eigen::MatrixXd design(200, 21);
  design << Eigen::VectorXd::Ones(200), sample.x;
  Eigen::VectorXd ols = design.colPivHouseholderQr().solve(sample.y);
  EXPECT_LT(fit.bic, bic(sample.y - design * ols, 20));
}

TEST(LassoTest, ConstantRegressorGetsZero) {
  Eigen::VectorXd truth = Eigen::VectorXd::Zero(3);
  truth(0) = 1;
  Sample sample = Simulate(100, truth, 0.1, 2);
  sample.x.col(2).setConstant(5);
  LassoFit fit = FitLassoBic(MomentsOf(sample.x, sample.y), LassoOptions{});
  EXPECT_EQ(fit.coefficients(2), 0);
  EXPECT_NEAR(fit.coefficients(0), 1, 0.05);
}

TEST(LassoTest, TooFewRowsIsRejected) {
  Sample sample = Simulate(2, Eigen::VectorXd::Zero(3), 1, 1);
  EXPECT_THROW(FitLassoBic(MomentsOf(sample.x, sample.y), LassoOptions{}), Error);
}

}  // namespace
}  // namespace macropipe::forecast
