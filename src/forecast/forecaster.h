// The contract between forecasting models and the backtest harness.
//
// A Panel holds monthly data already transformed to stationary form; a
// Forecaster fits on a window of it and forecasts the target 1..H months
// after an origin, using only rows up to that origin.
//
// Forecasters are thread-compatible: one object per thread.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "core/date.h"

namespace macropipe::forecast {

// Monthly data on a contiguous, ascending grid of months.
struct Panel {
  std::vector<Date> months;                  // First day of each month, no gaps.
  std::vector<std::string> names;            // One per column.
  std::vector<std::vector<double>> columns;  // columns[j][t]; NaN marks a missing value.
  size_t target_column = 0;                  // Monthly inflation, log CPI_t - log CPI_{t-1}.
};

struct QuantileForecast {
  int horizon = 0;  // Months after the origin, 1-based.
  double p10 = 0;
  double p50 = 0;  // The point forecast of models without quantiles.
  double p90 = 0;
};

class Forecaster {
 public:
  virtual ~Forecaster() = default;

  virtual std::string name() const = 0;

  // Fits on rows [begin, end) of `panel`; row end - 1 is the last month the
  // model may see, and targets after it must not be used.
  virtual void Fit(const Panel& panel, size_t begin, size_t end) = 0;

  // Forecasts horizons 1..max_horizon after row `origin`, reading only rows
  // up to and including `origin`.
  virtual std::vector<QuantileForecast> Predict(const Panel& panel, size_t origin,
                                                int max_horizon) = 0;
};

}  // namespace macropipe::forecast
