#include "forecast/tft/window_builder.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "core/error.h"

namespace macropipe::forecast::tft {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Monthly rows from January 2000: column "a" is 1, 2, 3, ..., column "b" is
// 10 * (-1)^t, and column "c" is constant.
Panel MakePanel(size_t rows) {
  Panel panel;
  panel.names = {"a", "b", "c"};
  panel.columns.resize(3);
  for (size_t t = 0; t < rows; ++t) {
    panel.months.push_back(Date(2000, 1, 1).AddMonths(static_cast<int>(t)));
    panel.columns[0].push_back(static_cast<double>(t + 1));
    panel.columns[1].push_back(t % 2 == 0 ? 10.0 : -10.0);
    panel.columns[2].push_back(5.0);
  }
  return panel;
}

TEST(WindowBuilderTest, ScalersUseOnlyTrainingRows) {
  Panel panel = MakePanel(60);
  WindowBuilder builder = WindowBuilder::Fit(panel, 10, 50, 4, 3);
  // Column "a" holds 11..50 in rows 10..49: mean 30.5, population variance (40^2 - 1) / 12.
  EXPECT_DOUBLE_EQ(builder.scalers()[0].mean, 30.5);
  EXPECT_NEAR(builder.scalers()[0].scale, std::sqrt((40.0 * 40.0 - 1.0) / 12.0), 1e-12);

  Panel changed = panel;
  for (size_t t : {0, 5, 9, 50, 59}) changed.columns[0][t] = 1e6;
  WindowBuilder refit = WindowBuilder::Fit(changed, 10, 50, 4, 3);
  EXPECT_EQ(refit.scalers()[0].mean, builder.scalers()[0].mean);
  EXPECT_EQ(refit.scalers()[0].scale, builder.scalers()[0].scale);
}

TEST(WindowBuilderTest, ConstantColumnIsCentredWithoutDivision) {
  Panel panel = MakePanel(30);
  WindowBuilder builder = WindowBuilder::Fit(panel, 0, 30, 4, 3);
  EXPECT_EQ(builder.scalers()[2].mean, 5.0);
  EXPECT_EQ(builder.scalers()[2].scale, 1.0);
  PreparedRows rows = builder.Prepare(panel, 0, 30);
  for (float value : rows.value[2]) EXPECT_EQ(value, 0.0f);
}

TEST(WindowBuilderTest, RaggedEdgeCarriesLastValueWithFlag) {
  Panel panel = MakePanel(30);
  for (size_t t = 27; t < 30; ++t) panel.columns[0][t] = kNaN;  // "a" ends three months early.
  WindowBuilder builder = WindowBuilder::Fit(panel, 0, 30, 4, 3);
  PreparedRows rows = builder.Prepare(panel, 0, 30);
  for (size_t t = 27; t < 30; ++t) {
    SCOPED_TRACE("row " + std::to_string(t));
    EXPECT_EQ(rows.value[0][t], rows.value[0][26]);
    EXPECT_EQ(rows.missing[0][t], 1.0f);
  }
  EXPECT_EQ(rows.missing[0][26], 0.0f);
  EXPECT_EQ(rows.missing[1][29], 0.0f);
}

TEST(WindowBuilderTest, LeadingGapIsTrainingMeanWithFlag) {
  Panel panel = MakePanel(30);
  for (size_t t = 0; t < 5; ++t) panel.columns[1][t] = kNaN;  // "b" starts late.
  WindowBuilder builder = WindowBuilder::Fit(panel, 0, 30, 4, 3);
  PreparedRows rows = builder.Prepare(panel, 0, 30);
  for (size_t t = 0; t < 5; ++t) {
    SCOPED_TRACE("row " + std::to_string(t));
    EXPECT_EQ(rows.value[1][t], 0.0f);
    EXPECT_EQ(rows.missing[1][t], 1.0f);
  }
  EXPECT_EQ(rows.missing[1][5], 0.0f);
}

TEST(WindowBuilderTest, RejectsInfiniteValueNamingColumnAndMonth) {
  Panel panel = MakePanel(30);
  panel.columns[1][14] = std::numeric_limits<double>::infinity();
  WindowBuilder builder = WindowBuilder::Fit(panel, 0, 30, 4, 3);
  try {
    builder.Prepare(panel, 0, 30);
    FAIL() << "an infinite value was accepted";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kInvalidInput);
    EXPECT_NE(std::string(error.what()).find("'b'"), std::string::npos) << error.what();
    EXPECT_NE(std::string(error.what()).find("2001-03"), std::string::npos) << error.what();
  }
}

TEST(WindowBuilderTest, RejectsMalformedPanels) {
  struct Case {
    std::string name;
    void (*damage)(Panel&);
  };
  std::vector<Case> cases = {
      {"missing name", [](Panel& p) { p.names.pop_back(); }},
      {"short column", [](Panel& p) { p.columns[1].pop_back(); }},
      {"month gap", [](Panel& p) { p.months[5] = p.months[5].AddMonths(1); }},
      {"mid-month date", [](Panel& p) { p.months[0] = Date(1999, 12, 15); }},
      {"target out of range", [](Panel& p) { p.target_column = 3; }},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Panel panel = MakePanel(30);
    c.damage(panel);
    EXPECT_THROW(WindowBuilder::Fit(panel, 0, 30, 4, 3), Error);
  }
  EXPECT_THROW(WindowBuilder::Fit(MakePanel(30), 10, 10, 4, 3), Error);
  EXPECT_THROW(WindowBuilder::Fit(MakePanel(30), 0, 31, 4, 3), Error);
}

TEST(WindowBuilderTest, WindowLayout) {
  Panel panel = MakePanel(30);
  WindowBuilder builder = WindowBuilder::Fit(panel, 0, 30, 4, 3);
  PreparedRows rows = builder.Prepare(panel, 0, 30);
  WindowData windows;
  builder.Append(panel, rows, 10, 1, 0, 30, windows);
  EXPECT_EQ(windows.count, 1);
  EXPECT_EQ(windows.observed.size(), 4u * 3u * 2u);
  EXPECT_EQ(windows.known.size(), 7u * 3u);
  EXPECT_EQ(windows.entity, (std::vector<int64_t>{1}));
  // The last encoder month is row 10: column "a" there, unflagged.
  EXPECT_FLOAT_EQ(windows.observed[3 * 6 + 0], rows.value[0][10]);
  EXPECT_EQ(windows.observed[3 * 6 + 1], 0.0f);
  for (int h = 0; h < 3; ++h) {
    SCOPED_TRACE("horizon " + std::to_string(h + 1));
    // Row 11 + h holds 12 + h.
    double expected = (12.0 + h - builder.scalers()[0].mean) / builder.scalers()[0].scale;
    EXPECT_FLOAT_EQ(windows.target[h], static_cast<float>(expected));
    EXPECT_EQ(windows.target_mask[h], 1.0f);
  }
}

TEST(WindowBuilderTest, MasksTargetsFromLabelEndOnAndMissingTargets) {
  Panel panel = MakePanel(30);
  panel.columns[0][11] = kNaN;
  WindowBuilder builder = WindowBuilder::Fit(panel, 0, 30, 4, 3);
  PreparedRows rows = builder.Prepare(panel, 0, 30);
  WindowData windows;
  builder.Append(panel, rows, 10, 0, 0, 13, windows);  // Rows 11, 12, 13 after the origin.
  EXPECT_EQ(windows.target_mask, (std::vector<float>{0.0f, 1.0f, 0.0f}));
  EXPECT_EQ(windows.target[2], 0.0f);
}

TEST(WindowBuilderTest, KnownInputsContinueIntoFutureMonths) {
  Panel panel = MakePanel(12);  // January to December 2000.
  WindowBuilder builder = WindowBuilder::Fit(panel, 0, 12, 4, 3);
  PreparedRows rows = builder.Prepare(panel, 0, 12);
  WindowData windows;
  builder.Append(panel, rows, 11, 0, 0, 12, windows);
  // Step 4 is January 2001, one month after the panel ends: sin 0, cos 1.
  EXPECT_NEAR(windows.known[4 * 3 + 0], 0.0, 1e-6);
  EXPECT_NEAR(windows.known[4 * 3 + 1], 1.0, 1e-6);
  // The time index rises by one month per step, divided by the standard
  // deviation of the twelve training months, sqrt((12^2 - 1) / 12).
  double step = 1.0 / std::sqrt(143.0 / 12.0);
  for (int i = 1; i < 7; ++i) {
    SCOPED_TRACE("step " + std::to_string(i));
    EXPECT_NEAR(windows.known[i * 3 + 2] - windows.known[(i - 1) * 3 + 2], step, 1e-5);
  }
}

TEST(WindowBuilderTest, RejectsWindowOutsidePreparedRows) {
  Panel panel = MakePanel(30);
  WindowBuilder builder = WindowBuilder::Fit(panel, 0, 30, 4, 3);
  PreparedRows rows = builder.Prepare(panel, 5, 20);
  WindowData windows;
  EXPECT_THROW(builder.Append(panel, rows, 7, 0, 0, 20, windows), Error);
  EXPECT_THROW(builder.Append(panel, rows, 20, 0, 0, 20, windows), Error);
}

}  // namespace
}  // namespace macropipe::forecast::tft
