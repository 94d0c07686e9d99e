#include "forecast/principal_components.h"

#include <gtest/gtest.h>

#include <random>

#include "core/error.h"

namespace macropipe::forecast {
namespace {

// Ten indicators load on one factor with different scales and noise.
TEST(PrincipalComponentsTest, FirstScoreTracksCommonFactor) {
  std::mt19937 generator(7);
  std::normal_distribution<double> normal(0.0, 1.0);
  Eigen::VectorXd factor(300);
  Eigen::MatrixXd data(300, 10);
  for (int t = 0; t < 300; ++t) {
    factor(t) = normal(generator);
    for (int j = 0; j < 10; ++j) data(t, j) = (j + 1) * (factor(t) + 0.3 * normal(generator)) + j;
  }
  PrincipalComponents pcs = FitPrincipalComponents(data, 2);
  ASSERT_EQ(pcs.loadings.cols(), 2);
  Eigen::VectorXd scores = pcs.Scores(data).col(0);

  double correlation = (scores.array() - scores.mean())
                           .matrix()
                           .normalized()
                           .dot((factor.array() - factor.mean()).matrix().normalized());
  EXPECT_GT(correlation, 0.99);
  for (int k = 0; k < 2; ++k) {
    SCOPED_TRACE("component " + std::to_string(k));
    EXPECT_NEAR(pcs.loadings.col(k).norm(), 1, 1e-12);
  }
  EXPECT_NEAR(pcs.loadings.col(0).dot(pcs.loadings.col(1)), 0, 1e-12);
}

TEST(PrincipalComponentsTest, MissingValueScoresAsMean) {
  Eigen::MatrixXd data(4, 2);
  data << 1, 2, 2, 4, 3, 5, 4, 9;
  PrincipalComponents pcs = FitPrincipalComponents(data, 1);
  Eigen::MatrixXd row(1, 2);
  row << std::nan(""), pcs.means(1);
  EXPECT_NEAR(pcs.Scores(row)(0, 0), 0, 1e-12);
}

TEST(PrincipalComponentsTest, TooManyComponentsIsRejected) {
  EXPECT_THROW(FitPrincipalComponents(Eigen::MatrixXd::Ones(5, 2), 3), Error);
}

}  // namespace
}  // namespace macropipe::forecast
