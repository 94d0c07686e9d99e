#include "forecast/forecast_charts.h"

#include <gtest/gtest.h>

#include <cmath>

#include "xml_check.h"

namespace macropipe::forecast {
namespace {

ForecastRecord SampleRecord(size_t inputs) {
  ForecastRecord record;
  record.run.run_id = 4;
  record.run.target_id = "CPIAUCSL";
  record.run.origin_month = "2007-12-01";
  record.run.data_vintage = "2008-01-15";
  for (int h = 1; h <= 12; ++h) {
    double center = 0.002 + 0.0001 * h;
    record.horizons.push_back({h, Date(2007, 12, 1).AddMonths(h).ToIso(), center - 0.001 * h,
                               center, center + 0.001 * h});
  }
  for (size_t i = 0; i < inputs; ++i) {
    record.importances.push_back(
        {"encoder", "input <" + std::to_string(i) + "> & co", 1.0 / static_cast<double>(i + 1)});
  }
  record.importances.push_back({"decoder", "month_sin", 0.6});
  record.importances.push_back({"decoder", "month_cos", 0.4});
  return record;
}

ChartHistory SampleHistory() {
  ChartHistory history;
  for (int i = 0; i < 24; ++i) {
    history.months.push_back(Date(2006, 1, 1).AddMonths(i));
    history.values.push_back(i == 5 ? NAN : 0.002 + 0.001 * std::sin(i));
  }
  return history;
}

size_t Count(const std::string& text, const std::string& part) {
  size_t count = 0;
  for (size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++count;
  return count;
}

TEST(ForecastChartsTest, FanChartIsWellFormed) {
  std::string svg = FanChartSvg(SampleHistory(), SampleRecord(3));
  EXPECT_EQ(testing::XmlProblem(svg), "") << svg;
  EXPECT_EQ(Count(svg, "<polygon"), 1u);  // The P10-P90 band.
  // The history is broken at the missing month, and the P50 line is one more.
  EXPECT_EQ(Count(svg, "<polyline"), 3u);
  EXPECT_NE(svg.find("forecast from 2007-12 (run 4"), std::string::npos);
  EXPECT_NE(svg.find(">2006-01</text>"), std::string::npos);
}

TEST(ForecastChartsTest, FanChartWithoutHistoryIsWellFormed) {
  std::string svg = FanChartSvg({}, SampleRecord(1));
  EXPECT_EQ(testing::XmlProblem(svg), "") << svg;
}

TEST(ForecastChartsTest, ImportanceChartKeepsTopInputs) {
  std::string svg = ImportanceChartSvg(SampleRecord(20), 5);
  EXPECT_EQ(testing::XmlProblem(svg), "") << svg;
  // Five encoder bars and two decoder bars.
  EXPECT_EQ(Count(svg, "<rect"), 7u);
  EXPECT_NE(svg.find("input &lt;0&gt; &amp; co"), std::string::npos);
  EXPECT_NE(svg.find("input &lt;4&gt; &amp; co"), std::string::npos);
  EXPECT_EQ(svg.find("input &lt;5&gt; &amp; co"), std::string::npos);
  EXPECT_NE(svg.find(">month_sin</text>"), std::string::npos);
}

}  // namespace
}  // namespace macropipe::forecast
