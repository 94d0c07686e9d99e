// The charts of a forecast run as SVG documents: a fan chart of the recent
// monthly inflation and the P10-P50-P90 forecast, and a bar chart of the
// inputs' importance. Values are drawn in percent (100 times the log change).
//
//   std::string fan = FanChartSvg(history, record);
//
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "core/date.h"
#include "warehouse/forecast_record.h"

namespace macropipe::forecast {

// Observed monthly values of the target before the forecast, oldest first.
struct ChartHistory {
  std::vector<Date> months;
  std::vector<double> values;  // NaN marks a missing month, drawn as a gap.
};

// Draws `history` and the forecast horizons of `record` on one time axis.
std::string FanChartSvg(const ChartHistory& history, const ForecastRecord& record);

// Draws the `max_bars` most important encoder inputs and all decoder inputs of
// `record` as horizontal bars, one panel per stage.
std::string ImportanceChartSvg(const ForecastRecord& record, size_t max_bars = 15);

}  // namespace macropipe::forecast
