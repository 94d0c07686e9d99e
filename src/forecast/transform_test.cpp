#include "forecast/transform.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/error.h"

namespace macropipe::forecast {
namespace {

const double kNaN = std::nan("");

std::vector<Date> Months(size_t count) {
  std::vector<Date> months;
  for (size_t i = 0; i < count; ++i)
    months.push_back(Date(2020, 1, 1).AddMonths(static_cast<int>(i)));
  return months;
}

TEST(TransformTest, EachCodeOnHandValues) {
  const std::vector<double> levels = {2, 4, 5, 10};
  struct Case {
    int code;
    std::vector<double> expected;
  };
  const Case cases[] = {
      {1, {2, 4, 5, 10}},
      {2, {kNaN, 2, 1, 5}},
      {3, {kNaN, kNaN, -1, 4}},
      {4, {std::log(2), std::log(4), std::log(5), std::log(10)}},
      {5, {kNaN, std::log(2), std::log(1.25), std::log(2)}},
      {6, {kNaN, kNaN, std::log(1.25) - std::log(2), std::log(2) - std::log(1.25)}},
      {7, {kNaN, kNaN, 0.25 - 1.0, 1.0 - 0.25}},
  };
  std::vector<Date> months = Months(levels.size());
  for (const Case& c : cases) {
    SCOPED_TRACE("code " + std::to_string(c.code));
    std::vector<double> actual = ApplyTransform(levels, c.code, {"X", months});
    ASSERT_EQ(actual.size(), c.expected.size());
    for (size_t t = 0; t < actual.size(); ++t) {
      SCOPED_TRACE("t = " + std::to_string(t));
      if (std::isnan(c.expected[t])) {
        EXPECT_TRUE(std::isnan(actual[t])) << actual[t];
      } else {
        EXPECT_NEAR(actual[t], c.expected[t], 1e-12);
      }
    }
  }
}

TEST(TransformTest, MissingValueLeavesGap) {
  std::vector<double> actual = ApplyTransform({1, kNaN, 3, 4}, 2, {"X", Months(4)});
  EXPECT_TRUE(std::isnan(actual[1]));
  EXPECT_TRUE(std::isnan(actual[2]));
  EXPECT_EQ(actual[3], 1);
}

TEST(TransformTest, LogOfNonPositiveNamesSeriesAndMonth) {
  for (int code : {4, 5, 6}) {
    SCOPED_TRACE("code " + std::to_string(code));
    try {
      ApplyTransform({1, -2, 3}, code, {"HOUST", Months(3)});
      FAIL() << "no error";
    } catch (const Error& error) {
      std::string message = error.what();
      EXPECT_NE(message.find("HOUST"), std::string::npos) << message;
      EXPECT_NE(message.find("2020-02-01"), std::string::npos) << message;
    }
  }
}

TEST(TransformTest, UnknownCodeIsRejected) {
  EXPECT_THROW(ApplyTransform({1, 2}, 8, {"X", Months(2)}), Error);
  EXPECT_THROW(ApplyTransform({1, 2}, 0, {"X", Months(2)}), Error);
}

TEST(TransformTest, PanelTurnsPricesIntoInflationRates) {
  const int expected[] = {0, 1, 2, 3, 4, 5, 5, 7};
  for (int code = 1; code <= 7; ++code) {
    SCOPED_TRACE("code " + std::to_string(code));
    EXPECT_EQ(PanelTransformCode(code), expected[code]);
  }
}

}  // namespace
}  // namespace macropipe::forecast
