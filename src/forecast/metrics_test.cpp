#include "forecast/metrics.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/error.h"

namespace macropipe::forecast {
namespace {

TEST(MetricsTest, RmseAndMaeOnHandValues) {
  EXPECT_NEAR(RootMeanSquaredError({1, -2, 2}), std::sqrt(3.0), 1e-15);
  EXPECT_NEAR(MeanAbsoluteError({1, -2, 2}), 5.0 / 3.0, 1e-15);
  EXPECT_TRUE(std::isnan(RootMeanSquaredError({})));
}

TEST(MetricsTest, QuantileLossWeighsEachSide) {
  // Outcome above the forecast costs 0.9 per unit, below costs 0.1.
  EXPECT_NEAR(MeanQuantileLoss({1, 1}, {2, 0}, 0.9), 0.5, 1e-15);
  EXPECT_NEAR(MeanQuantileLoss({1, 1}, {2, 0}, 0.5), 0.5, 1e-15);
  EXPECT_NEAR(MeanQuantileLoss({1}, {3}, 0.1), 0.2, 1e-15);
}

TEST(MetricsTest, CoverageCountsBoundsAsInside) {
  EXPECT_NEAR(Coverage({0, 0, 0, 0}, {1, 1, 1, 1}, {0, 1, 0.5, 2}), 0.75, 1e-15);
}

TEST(MetricsTest, StudentTPValueKnownCases) {
  struct Case {
    double t;
    double df;
    double expected;
  };
  const Case cases[] = {
      {0, 5, 1.0},
      {1, 1, 0.5},               // Cauchy: P(|T| > 1) = 1/2.
      {1.959963985, 1e7, 0.05},  // Normal limit.
      {-1.959963985, 1e7, 0.05},
      {2.0, 2, 1 - 2 / std::sqrt(6.0)},  // df 2: P(|T| > t) = 1 - t / sqrt(2 + t^2).
  };
  for (const Case& c : cases) {
    SCOPED_TRACE("t = " + std::to_string(c.t) + ", df = " + std::to_string(c.df));
    EXPECT_NEAR(StudentTTwoSidedPValue(c.t, c.df), c.expected, 1e-6);
  }
}

// d = e1^2 - e2^2 = {1, 3, -1, 0}, mean 0.75, autocovariances (dividing by
// n = 4) 2.1875 at lag 0 and -0.515625 at lag 1. The p-values come from the
// closed form of Student's t CDF with 3 degrees of freedom.
TEST(MetricsTest, DieboldMarianoOnHandValues) {
  const std::vector<double> e1 = {1, 2, 0, 1};
  const std::vector<double> e2 = {0, 1, 1, 1};
  struct Case {
    int horizon;
    double variance;
    double correction;  // sqrt((n + 1 - 2h + h(h - 1) / n) / n).
    double p_value;
  };
  const Case cases[] = {
      {1, 2.1875 / 4, std::sqrt(3.0 / 4), 0.4444380851347307},
      {2, (2.1875 - 2 * 0.515625) / 4, std::sqrt(1.5 / 4), 0.4557586672187517},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE("h = " + std::to_string(c.horizon));
    DieboldMarianoResult result = DieboldMariano(e1, e2, c.horizon);
    EXPECT_NEAR(result.statistic, c.correction * 0.75 / std::sqrt(c.variance), 1e-12);
    EXPECT_NEAR(result.p_value, c.p_value, 1e-9);
    EXPECT_FALSE(result.variance_fallback);
  }
}

TEST(MetricsTest, DieboldMarianoFallsBackToBartlett) {
  // d alternates 1, -1: uniform weights give 1 - 2 * 0.75 < 0.
  DieboldMarianoResult result = DieboldMariano({1, 0, 1, 0}, {0, 1, 0, 1}, 2);
  EXPECT_TRUE(result.variance_fallback);
  EXPECT_EQ(result.statistic, 0);
}

TEST(MetricsTest, DieboldMarianoSignFollowsBetterModel) {
  std::vector<double> small = {0.1, -0.2, 0.1, 0.3, -0.1, 0.2, -0.1, 0.1};
  std::vector<double> large = {1.0, -0.8, 1.1, 0.9, -1.2, 0.7, -1.0, 1.3};
  EXPECT_LT(DieboldMariano(small, large, 1).statistic, 0);
  EXPECT_GT(DieboldMariano(large, small, 1).statistic, 0);
  EXPECT_LT(DieboldMariano(small, large, 1).p_value, 0.01);
}

TEST(MetricsTest, DieboldMarianoRejectsUnequalLengths) {
  EXPECT_THROW(DieboldMariano({1, 2}, {1}, 1), Error);
  EXPECT_THROW(DieboldMariano({1}, {1}, 1), Error);
}

}  // namespace
}  // namespace macropipe::forecast
